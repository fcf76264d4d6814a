"""Moderation: flags, the review queue and moderators' decisions (docs/moderation.md)."""
