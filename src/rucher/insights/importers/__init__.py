"""Importers that turn outside datasets into contract tables (a ``Dataset``)."""
