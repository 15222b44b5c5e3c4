"""People and their place in organisations: memberships with a role, invitations, requests."""

from django.conf import settings
from django.db import models
from django.utils import timezone
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


class OIDCIdentity(models.Model):
    """A person at an OpenID provider, linked to their account: matched by (issuer, sub).

    The e-mail claim is never used to match: an address can be reassigned, ``sub`` cannot.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="oidc_identities"
    )
    issuer = models.CharField(_("issuer"), max_length=255)
    subject = models.CharField(_("subject"), max_length=255)
    created_at = models.DateTimeField(auto_now_add=True)
    last_signin_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("OpenID Connect identity")
        verbose_name_plural = _("OpenID Connect identities")
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="unique_oidc_subject")
        ]

    def __str__(self) -> str:
        return f"{self.issuer} {self.subject}"


class SigninFailure(models.Model):
    """A failed password sign-in, counted by the throttle (see ``throttle.py``).

    ``key`` is a keyed hash of the user name or of the client address, never the value itself:
    the table holds no personal data and answers nothing about which accounts exist. Rows
    older than the throttling window are deleted as new failures come in.
    """

    key = models.CharField(max_length=64)
    at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["key", "at"]), models.Index(fields=["at"])]

    def __str__(self) -> str:
        return f"{self.key[:10]}… {self.at:%Y-%m-%d %H:%M}"


class Invitation(models.Model):
    """An invitation to join ``organisation`` with ``role``, sent to an e-mail address.

    The link carries a random token; only its SHA-256 is stored, so the link is shown once,
    to the inviter, and sent by e-mail. Accepted by a signed-in user whose e-mail matches.
    """

    organisation = models.ForeignKey(
        "catalog.Organisation", on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(_("e-mail address"))
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.VIEWER)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return f"{self.organisation} ({self.role})"

    def is_expired(self, now=None) -> bool:
        return self.expires_at <= (now or timezone.now())


class RequestStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")


class MembershipRequest(models.Model):
    """A signed-in user asks to join an organisation; its admins accept or reject."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership_requests"
    )
    organisation = models.ForeignKey(
        "catalog.Organisation", on_delete=models.CASCADE, related_name="membership_requests"
    )
    message = models.TextField(_("message"), max_length=500, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=RequestStatus.choices, default=RequestStatus.PENDING
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("membership request")
        verbose_name_plural = _("membership requests")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation"],
                condition=models.Q(status="pending"),
                name="one_pending_request_per_organisation",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.organisation} ({self.status})"
