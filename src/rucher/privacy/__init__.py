"""Personal data: a member's export, erasure, per-space retention and privacy settings
(docs/privacy.md)."""
