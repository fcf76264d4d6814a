"""The write door of conversations, one module per family (as Zulip's ``zerver/actions``):
each action validates, checks the read policy, writes atomically and appends its event.

- ``publishing``: publish, reply, share, edit, delete, restore
- ``answers``: accept an answer
- ``reactions``: react, unreact, toggle
- ``polls``: create a poll, vote
- ``attachments``: attach a file
"""

from rucher.conversations.actions.answers import accept_answer
from rucher.conversations.actions.attachments import attach
from rucher.conversations.actions.common import clean_text
from rucher.conversations.actions.polls import create_poll, vote
from rucher.conversations.actions.publishing import delete, edit, publish, reply, restore, share
from rucher.conversations.actions.reactions import react, toggle_reaction, unreact

__all__ = [
    "accept_answer",
    "attach",
    "clean_text",
    "create_poll",
    "delete",
    "edit",
    "publish",
    "react",
    "reply",
    "restore",
    "share",
    "toggle_reaction",
    "unreact",
    "vote",
]
