"""Routes of access requests (``/acces/``; decision 0026)."""

from django.urls import path

from territoria.governance import request_views as views

app_name = "access"
urlpatterns = [
    path("demander/", views.ask, name="ask"),
    path("mes-demandes/", views.mine, name="mine"),
    path("mes-demandes/<int:pk>/retirer/", views.withdraw, name="withdraw"),
    path("demandes/", views.steward_list, name="requests"),
    path("demandes/<int:pk>/", views.steward_detail, name="request"),
    path("demandes/<int:pk>/approuver/", views.approve, name="approve"),
    path("demandes/<int:pk>/refuser/", views.refuse, name="refuse"),
]
