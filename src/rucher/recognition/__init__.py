"""Kudos and badges: recognition that motivates."""
