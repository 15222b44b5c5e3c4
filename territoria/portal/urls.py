"""Portal routes (namespace ``portal``). French paths: the portal speaks French first."""

from django.contrib.auth import views as auth_views
from django.urls import path

from territoria.portal import views
from territoria.portal.csp import with_csp

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("jeux-de-donnees/", views.search, name="search"),
    path("jeux-de-donnees/<slug:slug>/", views.dataset, name="dataset"),
    path("organisations/", views.organisations, name="organisations"),
    path("organisations/<slug:slug>/", views.organisation, name="organisation"),
    path("deposer/", views.upload, name="upload"),
    path(
        "connexion/",
        with_csp(
            auth_views.LoginView.as_view(
                template_name="portal/login.html",
                redirect_authenticated_user=True,
                extra_context={"nav": "login"},
            )
        ),
        name="login",
    ),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
]
