"""The write door of people, one module per family: ``accounts`` (the directory's),
``profile`` (a person's own profile) and ``tokens`` (personal access tokens)."""

from rucher.people.actions.accounts import (
    change_account,
    create_account,
    deactivate_account,
    end_sessions,
    reactivate_account,
)
from rucher.people.actions.profile import remove_photo, set_language, set_photo, update_profile
from rucher.people.actions.sessions import end_other_sessions
from rucher.people.actions.tokens import (
    DEFAULT_LIFETIME_DAYS,
    MAX_LIFETIME_DAYS,
    TOKEN_PREFIX,
    create_token,
    revoke_token,
)

__all__ = [
    "DEFAULT_LIFETIME_DAYS",
    "MAX_LIFETIME_DAYS",
    "TOKEN_PREFIX",
    "change_account",
    "create_account",
    "create_token",
    "deactivate_account",
    "end_other_sessions",
    "end_sessions",
    "reactivate_account",
    "remove_photo",
    "revoke_token",
    "set_language",
    "set_photo",
    "update_profile",
]
