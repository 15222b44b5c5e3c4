"""Routes of the DCAT-AP dialect, included at the site root before the portal's.

The extensions are written out (no ``<fmt>`` parameter): each route has one syntax, and the
portal's ``organisations/<slug>/`` and ``jeux-de-donnees/<slug>/`` pages end with a slash
where these do not, so no path of the portal is taken.
"""

from django.urls import path

from territoria.api.dcat import views

app_name = "dcat"


def _routes(prefix: str, view, name: str) -> list:
    routes = [path(prefix, view, name=name)]
    for ext in ("ttl", "jsonld", "rdf"):
        routes.append(path(f"{prefix}.{ext}", view, {"ext": ext}, name=f"{name}_{ext}"))
    return routes


urlpatterns = [
    *_routes("catalog", views.catalog, "catalog"),
    *_routes("organisations/<slug:slug>/catalog", views.organisation_catalog, "organisation"),
    *_routes("jeux-de-donnees/<slug:slug>/dataset", views.dataset, "dataset"),
]
