"""The API's routers, one per domain; each wraps that domain's actions and read paths."""
