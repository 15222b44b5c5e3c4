"""Routes of the harvest app, under ``/moissonnage/``."""

from django.urls import path

from territoria.ingest.harvest import views

app_name = "harvest"

urlpatterns = [
    path("", views.source_list, name="sources"),
]
