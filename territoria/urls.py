"""Root URL map: APIs, the admin, the portal. Every route reads through the access gate."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("territoria.api.urls")),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("compte/jetons/", include("territoria.governance.urls")),
    path("compte/", include("territoria.accounts.urls")),
    path("journal/", include("territoria.governance.audit.urls")),
    path("", include("territoria.portal.urls")),
]
