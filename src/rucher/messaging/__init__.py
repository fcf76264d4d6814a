"""Direct messages between people who may see each other."""
