"""The verbs of the event log (docs/architecture.md lists and explains each one).

Kept free of heavy imports: the web process validates every event against it.
"""

from __future__ import annotations

VERBS: frozenset[str] = frozenset(
    {
        "joined_space",
        "left_space",
        "posted",
        "commented",
        "answered",
        "accepted_answer",
        "reacted",
        "mentioned",
        "shared",
        "viewed",
        "followed",
        "unfollowed",
        "voted",
        "flagged",
        "searched",
        "logged_in",
        "invited",
        # Extensions of the founders' list, each documented in docs/architecture.md.
        "asked",
        "edited",
        "deleted",
        "restored",
        "created_space",
        "requested_to_join",
        "muted",
        "unmuted",
        "unreacted",
        "changed_role",
        "added_contact",
        "removed_contact",
        "created_token",
        "revoked_token",
        # An administrator's webhook endpoints (rucher.webhooks): the audit trail wants them.
        "created_webhook",
        "changed_webhook",
        "deleted_webhook",
        "rotated_webhook_secret",
        "sent_webhook",  # a delivery replayed, or a test ping, sent by hand
        "messaged",  # a direct message or e-mail from actor to target (imported datasets)
        # Publishing rules kept by moderators (rucher.moderation: watched words, slow mode,
        # new accounts' first posts): the audit trail wants them.
        "added_watched_word",
        "changed_watched_word",
        "removed_watched_word",
        "changed_publishing_rules",
        "moderated",  # a moderator's decision on an item (object) whose author is the target
        # The charter (rucher.charter): a new version, a person's acceptance, a space's rules.
        "published_charter",
        "accepted_charter",
        "changed_space_rules",
        # Personal data (rucher.privacy, docs/privacy.md): housekeeping, never participation.
        "requested_export",
        "erased_person",
        "enabled_two_factor",
        "disabled_two_factor",
        "renewed_recovery_codes",
        "changed_privacy",
        "changed_retention",
        "applied_retention",
        # The organisation's directory (SCIM provisioning, the CSV import): rucher.people.
        "created_account",
        "changed_account",
        "deactivated_account",
        "reactivated_account",
        "ended_sessions",  # a member signs out their other sessions (rucher.people)
        "changed_group",  # a directory group (a department or a space) and its members
        # Direct messages (rucher.messaging, docs/messaging.md): never exported as they are;
        # ``sent_message`` becomes one ``messaged`` row per recipient only where the
        # organisation allows who-talked-to-whom counts (RUCHER_MESSAGING_IN_INSIGHTS).
        "sent_message",
        "reacted_to_message",
        "unreacted_to_message",
        # Recognition (rucher.recognition, docs/recognition.md): a kudos from actor to target;
        # a badge earned by the actor; the community manager's kudos list and badge rules.
        "gave_kudos",
        "earned_badge",
        "changed_recognition",
        # Animation (rucher.streams, docs/search.md): a community manager pins an item at
        # the top of its space's members' Essentiel, or takes it off.
        "pinned",
        "unpinned",
    }
)

# Verbs that count as a written contribution (the participation-inequality numerator).
CONTRIBUTION_VERBS: frozenset[str] = frozenset({"posted", "asked", "commented", "answered"})

__all__ = ["CONTRIBUTION_VERBS", "VERBS"]
