"""The audit log's tables: entries (hash-chained), signed checkpoints, and the one head row.

Actors, organisations and targets are stored as plain identifiers, not foreign keys: deleting a
user or an organisation must neither delete nor rewrite an entry (``CASCADE`` would delete it,
``SET_NULL`` would edit it, and either breaks the chain). How entries are hashed and appended
is in ``governance/audit/chain.py``; why the head row exists, in ``governance/audit/verify.py``.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEntry(models.Model):
    sequence = models.BigIntegerField(_("sequence"), unique=True)
    created_at = models.DateTimeField(_("time"), db_index=True)
    action = models.CharField(_("action"), max_length=40, db_index=True)
    actor_id = models.BigIntegerField(_("actor"), null=True, blank=True, db_index=True)
    organisation_id = models.BigIntegerField(
        _("organisation"), null=True, blank=True, db_index=True
    )
    target = models.CharField(_("target"), max_length=100, blank=True, db_index=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, db_index=True)

    class Meta:
        ordering = ["-sequence"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")

    def __str__(self) -> str:
        return f"#{self.sequence} {self.action} {self.target}"


class AuditCheckpoint(models.Model):
    """An Ed25519 signature over (sequence, hash) of one entry, by the key kept off the database."""

    sequence = models.BigIntegerField(unique=True)
    entry_hash = models.CharField(max_length=64)
    key_id = models.CharField(max_length=64, help_text="SHA-256 of the raw public key")
    signature = models.CharField(max_length=128, help_text="hex Ed25519 signature")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-sequence"]
        verbose_name = _("audit checkpoint")
        verbose_name_plural = _("audit checkpoints")

    def __str__(self) -> str:
        return f"checkpoint at {self.sequence}"


class AuditHead(models.Model):
    """One row (pk 1): the last sequence and hash, locked by every append to serialise them."""

    log_id = models.CharField(max_length=32)
    last_sequence = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("audit log head")

    def __str__(self) -> str:
        return f"head at {self.last_sequence}"
