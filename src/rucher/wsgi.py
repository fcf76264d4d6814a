"""WSGI entry point (Granian serves it: `rucher serve`)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rucher.settings")
application = get_wsgi_application()
