"""`GET /healthz`: 200 when the instance can read its metadata database and its storage."""

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.http import require_GET


@require_GET
def healthz(request):
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        checks["database"] = "ok"
    except Exception:  # noqa: BLE001 - any failure means unhealthy; the reason stays in the logs
        checks["database"] = "error"
    root = settings.DATASTORE_ROOT
    try:
        root.mkdir(parents=True, exist_ok=True)
        list(root.iterdir())
        checks["storage"] = "ok"
    except OSError:
        checks["storage"] = "error"
    healthy = all(v == "ok" for v in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503
    )
