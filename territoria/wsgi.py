"""WSGI entry point: `gunicorn territoria.wsgi` in production, waitress in `territoria serve`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "territoria.settings")
application = get_wsgi_application()
