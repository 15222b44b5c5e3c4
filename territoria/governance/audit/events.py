"""Placeholder until the audit log lands: the names callers use, with no storage yet."""

from django.db import models


class Action(models.TextChoices):
    DATASET_READ = "dataset.read"
    DATASET_ACCESS_LEVEL = "dataset.access_level"
    GRANT_CREATE = "grant.create"
    GRANT_DELETE = "grant.delete"
    MEMBERSHIP_ROLE = "membership.role"
    MEMBERSHIP_REMOVE = "membership.remove"
    TOKEN_CREATE = "token.create"
    TOKEN_REVOKE = "token.revoke"
    VERSION_PUBLISH = "version.publish"
    VERSION_ROLLBACK = "version.rollback"
    SIGNIN = "auth.signin"
    SIGNIN_FAILED = "auth.signin_failed"
    SIGNOUT = "auth.signout"


class AuditUnavailable(Exception):
    """The audit entry could not be written; the access it records must be refused."""


def record_event(action, *, actor=None, target="", organisation=None, detail=None, request=None):
    return None
