from django.urls import include, path

from territoria.api.datapackage import datapackage
from territoria.api.health import healthz
from territoria.api.v1 import api

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("api/explore/v2.1/", include("territoria.api.explore.urls")),
    path("api/3/action/", include("territoria.api.ckan.urls")),
    path("api/action/", include("territoria.api.ckan.urls", namespace="ckan-unversioned")),
    path("api/1/", api.urls),
    path("ogc/", include("territoria.api.ogc.urls")),
    path("jeux-de-donnees/<slug:slug>/datapackage.json", datapackage, name="datapackage"),
    path("", include("territoria.api.dcat.urls")),
]
