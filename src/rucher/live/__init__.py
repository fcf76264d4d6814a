"""Live updates by server-sent events (docs/live-updates.md)."""
