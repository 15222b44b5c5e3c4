"""`territoria token create USER [--scope read|write|admin] [--name N] [--days D]`, `token list`,
`token revoke PREFIX`. The secret is printed once and never stored."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from territoria.governance.models import ApiToken, TokenScope


class Command(BaseCommand):
    help = "Create, list or revoke API tokens."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create")
        create.add_argument("username")
        create.add_argument("--scope", choices=TokenScope.values, default=TokenScope.READ)
        create.add_argument("--name", default="cli")
        create.add_argument("--days", type=int, default=365, help="validity (0: never expires)")
        listing = sub.add_parser("list")
        listing.add_argument("username", nargs="?")
        revoke = sub.add_parser("revoke")
        revoke.add_argument("prefix")

    def handle(self, *args, action: str, **opts):
        if action == "create":
            user = get_user_model().objects.filter(username=opts["username"]).first()
            if user is None:
                raise CommandError(f"no user named {opts['username']!r}")
            expires = timezone.now() + timedelta(days=opts["days"]) if opts["days"] else None
            _, raw = ApiToken.issue(user, opts["name"], opts["scope"], expires)
            self.stdout.write(raw)
        elif action == "list":
            tokens = ApiToken.objects.select_related("user").order_by("created_at")
            if opts.get("username"):
                tokens = tokens.filter(user__username=opts["username"])
            for t in tokens:
                state = "revoked" if t.revoked_at else ("active" if t.is_usable() else "expired")
                self.stdout.write(
                    f"{t.prefix}…\t{t.user.username}\t{t.scope}\t{state}\t"
                    f"last used {t.last_used_at or 'never'}"
                )
        else:
            count = ApiToken.objects.filter(
                prefix=opts["prefix"][:10], revoked_at__isnull=True
            ).update(revoked_at=timezone.now())
            if not count:
                raise CommandError(f"no active token starting with {opts['prefix']!r}")
            self.stdout.write(f"revoked {count} token(s)")
