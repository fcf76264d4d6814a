"""The write door of moderation, one module per family (as Zulip's ``zerver/actions``):

- ``review``: flag an item, decide on flagged items (one or in bulk), lift a suspension
- ``rules``: watched words, slow mode, new accounts' first posts
"""

from rucher.moderation.actions.review import decide, flag, lift_suspension
from rucher.moderation.actions.rules import (
    add_watched_word,
    remove_watched_word,
    require_rules_manager,
    set_new_account_rules,
    set_slow_mode,
    update_watched_word,
)

__all__ = [
    "add_watched_word",
    "decide",
    "flag",
    "lift_suspension",
    "remove_watched_word",
    "require_rules_manager",
    "set_new_account_rules",
    "set_slow_mode",
    "update_watched_word",
]
