"""People and their place in organisations: memberships with a role, invitations, requests."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """What a member may do in an organisation (the gate reads these, nothing else does).

    STEWARD is the region's data office: a steward membership, in any organisation, makes
    the user a steward platform-wide.
    """

    ADMIN = "admin", _("Administrator")
    PRODUCER = "producer", _("Producer")
    STEWARD = "steward", _("Data steward")
    PARTNER = "partner", _("Partner member")
    VIEWER = "viewer", _("Viewer")


WRITER_ROLES = (Role.ADMIN, Role.PRODUCER, Role.STEWARD)


class Membership(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        "catalog.Organisation", on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.VIEWER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="unique_membership")
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organisation} ({self.role})"
