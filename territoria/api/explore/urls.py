from django.urls import path

from territoria.api.explore import views

app_name = "explore"
urlpatterns = [
    path("catalog/datasets", views.catalog_datasets, name="datasets"),
    path("catalog/datasets/<slug:dataset_id>", views.catalog_dataset, name="dataset"),
    path("catalog/datasets/<slug:dataset_id>/records", views.records, name="records"),
    path("catalog/datasets/<slug:dataset_id>/facets", views.facets, name="facets"),
    path("catalog/datasets/<slug:dataset_id>/exports/<str:fmt>", views.export, name="export"),
]
