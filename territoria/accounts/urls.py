"""Account routes (namespace ``accounts``): sign-in providers, invitations, memberships."""

app_name = "accounts"
urlpatterns: list = []
