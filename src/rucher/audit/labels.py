"""What each action of the trail means, in words (French and English)."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

ACTION_LABELS: dict[str, Promise] = {
    "signed_in": _("signed in"),
    "sign_in_failed": _("failed sign-in"),
    "sign_in_refused": _("sign-in refused (too many failures)"),
    "created_space": _("created a space"),
    "joined_space": _("joined a space"),
    "left_space": _("left a space"),
    "invited": _("invited someone to a space"),
    "requested_to_join": _("asked to join a space"),
    "changed_role": _("changed someone's role in a space"),
    "created_token": _("created an API token"),
    "revoked_token": _("revoked an API token"),
    "deleted": _("deleted content"),
    "restored": _("restored content"),
    "moderated": _("took a moderation decision"),
    "added_watched_word": _("added a watched word"),
    "changed_watched_word": _("changed a watched word"),
    "removed_watched_word": _("removed a watched word"),
    "changed_publishing_rules": _("changed the publishing rules (slow mode, new accounts)"),
    "published_charter": _("published a new version of the charter"),
    "changed_space_rules": _("changed a space's rules"),
    "read_confidential": _("read a confidential space"),
    "exported": _("exported data"),
    "read_audit": _("read the audit trail"),
    "exported_audit": _("exported the audit trail"),
    "created_account": _("created an account (the directory)"),
    "changed_account": _("changed an account (the directory)"),
    "deactivated_account": _("deactivated an account and signed it out everywhere"),
    "reactivated_account": _("reactivated an account"),
    "changed_group": _("changed a directory group"),
    "ended_sessions": _("signed sessions out"),
    "bulk_loaded": _("loaded data in bulk (an import or the demo)"),
}


# Verbs shared by two kinds of object, told apart by the object's type.
OBJECT_LABELS: dict[tuple[str, str], Promise] = {
    ("created_token", "feed_key"): _("created a feed key (RSS/Atom)"),
    ("revoked_token", "feed_key"): _("revoked a feed key (RSS/Atom)"),
    ("created_token", "scim_connection"): _("made a directory connection's token (SCIM)"),
}


# Who an entry names when no person acted: a bulk load (an importer, the demo).
ACTOR_LABELS: dict[str, Promise] = {"bulk": _("automatic (bulk load)")}


def actor_label(label: str) -> str:
    known = ACTOR_LABELS.get(label)
    return str(known) if known is not None else label


def action_label(action: str, object_type: str = "") -> str:
    label = OBJECT_LABELS.get((action, object_type)) or ACTION_LABELS.get(action)
    return str(label) if label is not None else action.replace("_", " ")
