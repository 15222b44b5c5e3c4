"""Governance pages of the portal (namespace ``governance``): the user's API tokens."""

from django.urls import path

from territoria.governance import views

app_name = "governance"
urlpatterns = [
    path("", views.tokens, name="tokens"),
    path("<int:pk>/revoquer/", views.revoke, name="revoke-token"),
]
