"""The insights engine: pure Python over Polars frames of the event-log contract.

No Django import anywhere in this package: it runs on the live database's export or on an
imported dataset alike (see ``contract.py``).
"""
