"""Per-item sentiment, computed once after a write and stored."""
