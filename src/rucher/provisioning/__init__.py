"""Provisioning from the organisation's directory: SCIM 2.0 connections (``/scim/v2/``) and
the CSV import. docs/provisioning.md tells how to connect a directory."""
