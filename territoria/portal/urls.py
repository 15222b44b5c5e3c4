"""Portal routes (namespace ``portal``). French paths: the portal speaks French first."""

from django.urls import path

from territoria.accounts.views import signin
from territoria.portal import anonymity, jobs, schema, sources, steps, suggest, versions, views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("jeux-de-donnees/", views.search, name="search"),
    path("jeux-de-donnees/suggestions", suggest.suggestions, name="suggestions"),
    path("jeux-de-donnees/<slug:slug>/", views.dataset, name="dataset"),
    path("jeux-de-donnees/<slug:slug>/versions/", versions.history, name="versions"),
    path("jeux-de-donnees/<slug:slug>/versions/comparer/", versions.diff, name="version_diff"),
    path(
        "jeux-de-donnees/<slug:slug>/versions/<str:key>/restaurer/",
        versions.rollback,
        name="version_rollback",
    ),
    path("jeux-de-donnees/<slug:slug>/source/", sources.source, name="dataset_source"),
    path("jeux-de-donnees/<slug:slug>/etapes/", steps.steps, name="steps"),
    path("jeux-de-donnees/<slug:slug>/schema/", schema.schema, name="dataset_schema"),
    path("jeux-de-donnees/<slug:slug>/anonymat/", anonymity.anonymity, name="anonymity"),
    path("organisations/", views.organisations, name="organisations"),
    path("organisations/<slug:slug>/", views.organisation, name="organisation"),
    path("deposer/", views.upload, name="upload"),
    path("taches/", jobs.jobs, name="jobs"),
    path("taches/<int:job_id>/", jobs.job, name="job"),
    path("taches/<int:job_id>/annuler", jobs.cancel_job, name="cancel_job"),
    # Sign-in and sign-out are the accounts app's (throttled, audited); the names stay.
    path("connexion/", signin.SigninView.as_view(), name="login"),
    path("deconnexion/", signin.signout, name="logout"),
]
