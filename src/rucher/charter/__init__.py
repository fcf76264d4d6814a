"""The organisation's charter (accepted before a first contribution) and the spaces' rules."""
