"""SQLite with one queue for writers (see base.py)."""
