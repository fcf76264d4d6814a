"""Database glue."""
