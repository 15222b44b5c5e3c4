"""Root URL map: APIs, the admin, the portal. Every route reads through the access gate."""

from django.contrib import admin
from django.urls import include, path

from territoria.portal import sitemap

urlpatterns = [
    path("", include("territoria.api.urls")),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("sitemap.xml", sitemap.sitemap, name="sitemap"),
    path("robots.txt", sitemap.robots, name="robots"),
    path("compte/jetons/", include("territoria.governance.urls")),
    path("compte/", include("territoria.accounts.urls")),
    path("journal/", include("territoria.governance.audit.urls")),
    path("registre-rgpd/", include("territoria.governance.gdpr.urls")),
    path("acces/", include("territoria.governance.request_urls")),
    path("moissonnage/", include("territoria.ingest.harvest.urls")),
    path("", include("territoria.governance.personal_data.urls")),
    path("", include("territoria.portal.urls")),
]
