"""``/registre-rgpd/``: the record of processing activities (GDPR article 30)."""

from django.urls import path

from territoria.governance.gdpr import views

app_name = "gdpr"

urlpatterns = [
    path("", views.record, name="record"),
    path("export.csv", views.export_csv, name="export"),
    path("nouveau/", views.create, name="create"),
    path("<int:pk>/", views.activity, name="activity"),
    path("<int:pk>/modifier/", views.edit, name="edit"),
]
