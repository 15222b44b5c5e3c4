"""Governance objects. API tokens: shown once, stored as a SHA-256 hash, scoped, revocable."""

import hashlib
import secrets

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from territoria.governance.audit import Action, record_event

TOKEN_PREFIX = "trt_"  # noqa: S105 - a public marker that makes leaked tokens greppable


class TokenScope(models.TextChoices):
    READ = "read", _("Read")
    WRITE = "write", _("Write")
    ADMIN = "admin", _("Admin")


def hash_token(raw: str) -> str:
    # A token carries 256 bits of randomness: a plain SHA-256 is enough (no password stretching).
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=12, help_text="first characters, to recognise it")
    token_hash = models.CharField(max_length=64, unique=True)
    scope = models.CharField(max_length=10, choices=TokenScope.choices, default=TokenScope.READ)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @classmethod
    def issue(cls, user, name: str, scope: str = TokenScope.READ, expires_at=None, actor=None):
        """Create a token; returns (token, raw secret). The secret is never stored.

        The creation is in the audit log (``actor``: who created it; None: the request's user,
        or none on the command line); if the entry cannot be written, no token is created and
        ``AuditUnavailable`` propagates.
        """
        raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
        with transaction.atomic():
            token = cls.objects.create(
                user=user,
                name=name,
                prefix=raw[:10],
                token_hash=hash_token(raw),
                scope=scope,
                expires_at=expires_at,
            )
            record_event(
                Action.TOKEN_CREATE,
                actor=actor,
                target=f"token:{token.pk}",
                detail={"user": user.pk, "scope": str(scope)},
            )
        return token, raw

    def is_usable(self) -> bool:
        now = timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)

    def allows(self, scope: str) -> bool:
        order = [TokenScope.READ, TokenScope.WRITE, TokenScope.ADMIN]
        return order.index(TokenScope(self.scope)) >= order.index(TokenScope(scope))
