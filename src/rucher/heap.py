"""A serving process's heap, settled before the first request (issue 14: p99 under writes).

CPython's full collection walks every container object the process holds. A server process
holds ~360,000 of them once every view is imported (Django, Pydantic's API schemas, NumPy,
the sentiment model's vocabulary), nearly all for good: measured under
``benchmarks/stream_vs_floor.py`` at 1,000,000 items with two writes a second, six full
collections in 80 s stopped every thread for up to 252 ms each, and they alone set the p99.
``gc.freeze()`` moves what exists at that point out of the collector's sight (it is still
alive and counted, never freed: it never would have been); what requests create afterwards is
collected as before. The URLconf is loaded first, because Django imports the views (and
django-ninja builds its schemas) only at the first request, which would leave ~100,000 more
objects to walk (a full collection then took 61 ms instead of 2 ms).
"""

from __future__ import annotations

import gc


def settle() -> None:
    """Import every view, collect once, then freeze what the process holds."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018  # the import of every view is the point
    gc.collect()
    gc.freeze()
