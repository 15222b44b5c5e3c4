"""Back office: memberships and their paper trail, read-only.

Memberships change in the portal (``accounts:members``), where every change goes through
``memberships.py`` and the audit trail; the admin only shows them, so there is no second,
unaudited door.
"""

from django.contrib import admin

from territoria.accounts.models import Invitation, Membership, MembershipRequest, OIDCIdentity


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdmin):
    list_display = ("user", "organisation", "role", "created_at")
    list_filter = ("role",)
    search_fields = ("organisation__name",)


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyAdmin):
    list_display = ("organisation", "role", "created_at", "expires_at", "accepted_at")
    exclude = ("token_hash",)


@admin.register(MembershipRequest)
class MembershipRequestAdmin(ReadOnlyAdmin):
    list_display = ("user", "organisation", "status", "created_at", "decided_at")
    list_filter = ("status",)


@admin.register(OIDCIdentity)
class OIDCIdentityAdmin(ReadOnlyAdmin):
    list_display = ("user", "issuer", "created_at", "last_signin_at")
