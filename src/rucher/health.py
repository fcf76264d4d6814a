"""``/healthz``: is the process up and does the database answer (for load balancers).

It also serves as the "floor" of benchmarks/stream_vs_floor.py: the cheapest request the same
server and middleware can answer.
"""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
