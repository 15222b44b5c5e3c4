"""Account routes (namespace ``accounts``): sign-in providers, invitations, memberships.

Password sign-in and sign-out keep their portal names (``portal:login``, ``portal:logout``);
their views live here (``views/signin.py``).
"""

from django.urls import path

from territoria.accounts.views import members, signin

app_name = "accounts"
urlpatterns = [
    path("", members.account, name="account"),
    path("oidc/connexion/", signin.oidc_start, name="oidc_start"),
    path("oidc/retour/", signin.oidc_callback, name="oidc_callback"),
    path("invitation/<str:token>/", members.invitation, name="invitation"),
    path("organisations/<slug:slug>/membres/", members.members, name="members"),
    path(
        "organisations/<slug:slug>/membres/<int:pk>/role/",
        members.change_role,
        name="change_role",
    ),
    path(
        "organisations/<slug:slug>/membres/<int:pk>/retirer/",
        members.remove_member,
        name="remove_member",
    ),
    path(
        "organisations/<slug:slug>/invitations/<int:pk>/annuler/",
        members.cancel_invitation,
        name="cancel_invitation",
    ),
    path(
        "organisations/<slug:slug>/demandes/<int:pk>/accepter/",
        members.answer_request,
        {"accept": True},
        name="accept_request",
    ),
    path(
        "organisations/<slug:slug>/demandes/<int:pk>/refuser/",
        members.answer_request,
        {"accept": False},
        name="reject_request",
    ),
]
