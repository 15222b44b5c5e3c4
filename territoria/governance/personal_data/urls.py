"""Routes of the personal_data app, included at the site root before the portal's."""

from django.urls import path

from territoria.governance.personal_data import views

app_name = "personal_data"
urlpatterns = [
    path(
        "jeux-de-donnees/<slug:slug>/donnees-personnelles/",
        views.findings,
        name="findings",
    ),
]
