"""WSGI entry point (Granian serves it: `rucher serve`)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rucher.settings")
application = get_wsgi_application()

from rucher import heap  # noqa: E402  # Django is set up by the line above

heap.settle()
