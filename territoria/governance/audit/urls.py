"""Journal routes (namespace ``audit``), mounted under ``/journal/``."""

from django.urls import path

from territoria.governance.audit import views

app_name = "audit"

urlpatterns = [
    path("", views.journal, name="journal"),
    path("organisations/<slug:slug>/", views.organisation_journal, name="organisation"),
]
