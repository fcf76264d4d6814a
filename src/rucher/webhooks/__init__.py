"""Outgoing webhooks: an administrator's HTTPS endpoints in the organisation's information
system, told about what happens in rucher (docs/webhooks.md)."""
