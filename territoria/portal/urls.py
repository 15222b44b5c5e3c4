"""Portal routes (namespace ``portal``). French paths: the portal speaks French first."""

from django.urls import path

from territoria.accounts.views import signin
from territoria.portal import suggest, views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("jeux-de-donnees/", views.search, name="search"),
    path("jeux-de-donnees/suggestions", suggest.suggestions, name="suggestions"),
    path("jeux-de-donnees/<slug:slug>/", views.dataset, name="dataset"),
    path("organisations/", views.organisations, name="organisations"),
    path("organisations/<slug:slug>/", views.organisation, name="organisation"),
    path("deposer/", views.upload, name="upload"),
    # Sign-in and sign-out are the accounts app's (throttled, audited); the names stay.
    path("connexion/", signin.SigninView.as_view(), name="login"),
    path("deconnexion/", signin.signout, name="logout"),
]
