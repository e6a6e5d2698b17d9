"""Follicle settings: every knob comes from the environment (django-environ).

Development needs nothing set: SQLite, debug on. Production sets DJANGO_DEBUG=false, which
makes DJANGO_SECRET_KEY and DJANGO_ALLOWED_HOSTS mandatory and turns on secure cookies and
HSTS. See the README's "Deploy" section for the full list.
"""

from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=True)

if DEBUG:
    SECRET_KEY = env(
        "DJANGO_SECRET_KEY", default="insecure-development-key-do-not-use-in-production"
    )
else:
    try:
        SECRET_KEY = env("DJANGO_SECRET_KEY")
    except ImproperlyConfigured as exc:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off"
        ) from exc

ALLOWED_HOSTS = env.list(
    "DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_tables2",
    "django_filters",
    "auditlog",
    "phonenumber_field",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "csp",
    "anymail",
    # Follicle's apps, bottom layer first (docs/ARCHITECTURE.md; import-linter enforces it).
    "core",
    "intake",
    "treatments",
    "eligibility",
    "scheduling",
    "reports",
    "dashboard",
    "staff",
    "configuration",
    "messaging",
    "portal",
    "photos",
    "courses",
    "fhir_export",
    "demo",
    "huey.contrib.djhuey",
]

MIDDLEWARE = [
    # First: everything after it (auditlog, axes, logging) sees the trusted client address.
    "core.middleware.ClientAddressMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # A tablet handed to a patient answers nothing outside the patient's pages.
    "portal.middleware.KioskMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "core.middleware.TwoFactorRequiredMiddleware",
    "core.middleware.SessionKeepAliveMiddleware",
    "core.middleware.NoStoreMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, so a lockout answers before the login view runs.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "clinic.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.clinic",
            ],
        },
    },
]

WSGI_APPLICATION = "clinic.wsgi.application"
ASGI_APPLICATION = "clinic.asgi.application"

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Keep a worker's connection between requests (issue 15): a new PostgreSQL connection per
# request costs a backend process start, a new SQLite one re-runs the PRAGMAs below. Checked
# before reuse, so a connection the server dropped is replaced, not failed on.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE transactions take the write lock at BEGIN, so two bookings cannot interleave
    # their check-then-insert; the timeout makes a second writer wait instead of failing.
    # WAL lets readers carry on while one writer writes, and NORMAL sync skips a disk flush per
    # commit (safe with WAL: a power cut can lose the last commits, never corrupt the file).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses a locked-out login before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, with a user's and their groups' permissions read in one query.
    "core.auth.PermissionBackend",
]

# Lockout after repeated failures, per username and address (a shared front-desk address
# does not lock out everyone); an admin unlocks in Staff & settings → Access attempts.
AXES_FAILURE_LIMIT = env.int("CLINIC_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("CLINIC_LOGIN_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"
AXES_VERBOSE = False
AXES_CLIENT_IP_CALLABLE = "core.middleware.client_ip"

# The client's address (audit log, lockout, rate limits) is REMOTE_ADDR, unless this many
# proxies of our own stand in front of gunicorn: then the entry of X-Forwarded-For that many
# hops from the right. 0 trusts no forwarding header at all.
CLINIC_TRUSTED_PROXIES = env.int("CLINIC_TRUSTED_PROXIES", default=0)
if CLINIC_TRUSTED_PROXIES < 0:
    raise ImproperlyConfigured("CLINIC_TRUSTED_PROXIES must be 0 or more")

# Two-factor authentication (django-otp, TOTP apps): required for these roles; anyone else
# who has set up a device must use it too.
TWO_FACTOR_REQUIRED_ROLES = env.list(
    "CLINIC_TWO_FACTOR_REQUIRED_ROLES", default=["physician", "clinic_admin"]
)
OTP_TOTP_ISSUER = env("CLINIC_NAME", default="Follicle Hair Clinic")

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
USE_I18N = True
USE_TZ = True
# The clinic's own zone: times are stored in UTC (USE_TZ) and shown and reasoned about in this
# zone ("today", opening hours, the day view).
CLINIC_TIME_ZONE = env("CLINIC_TIME_ZONE", default="Europe/London")
TIME_ZONE = CLINIC_TIME_ZONE
CLINIC_NAME = env("CLINIC_NAME", default="Follicle Hair Clinic")
# Printed on the patient's post-care sheet. The defaults are for the demo: the number is in
# Ofcom's range reserved for drama, so it rings nobody.
CLINIC_ADDRESS = env("CLINIC_ADDRESS", default="1 Example Street, London EC1A 1AA")
CLINIC_PHONE = env("CLINIC_PHONE", default="020 7946 0123")

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Scalp photos (issue 17): private files, never under a public URL (no MEDIA_URL is served);
# photos.views streams each one after checking the role and logging the access. The file
# system beside the app by default; S3-compatible storage (django-storages) when
# CLINIC_PHOTOS_S3_BUCKET is set, with the usual AWS_* variables for the keys and endpoint.
PHOTOS_ROOT = Path(env("CLINIC_PHOTOS_ROOT", default=str(BASE_DIR / "private" / "photos")))
PHOTOS_S3_BUCKET = env("CLINIC_PHOTOS_S3_BUCKET", default="")
STORAGES["photos"] = (
    {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": PHOTOS_S3_BUCKET,
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
            "endpoint_url": env("AWS_S3_ENDPOINT_URL", default=None),
            "region_name": env("AWS_S3_REGION_NAME", default=None),
        },
    }
    if PHOTOS_S3_BUCKET
    else {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": PHOTOS_ROOT, "base_url": None},
    }
)
# A photo larger than this is refused before it is decoded (bytes; pixels: PHOTOS_MAX_PIXELS).
PHOTOS_MAX_BYTES = env.int("CLINIC_PHOTOS_MAX_BYTES", default=15 * 1024 * 1024)
PHOTOS_MAX_PIXELS = env.int("CLINIC_PHOTOS_MAX_PIXELS", default=40_000_000)

# Report exports written in the background (issue 18): private files, served only by
# reports.views after the role check, deleted when they expire.
EXPORTS_ROOT = Path(env("CLINIC_EXPORTS_ROOT", default=str(BASE_DIR / "private" / "exports")))
STORAGES["exports"] = {
    "BACKEND": "django.core.files.storage.FileSystemStorage",
    "OPTIONS": {"location": EXPORTS_ROOT, "base_url": None},
}
# An export of more rows than this, and every XLSX, runs as a job with a progress bar.
EXPORT_BACKGROUND_ROWS = env.int("CLINIC_EXPORT_BACKGROUND_ROWS", default=5000)
EXPORT_KEEP_HOURS = env.int("CLINIC_EXPORT_KEEP_HOURS", default=24)
# Where a backup asked for in the app is kept (as `make backup` keeps its own).
BACKUP_DIR = Path(env("CLINIC_BACKUP_DIR", default=str(BASE_DIR / "backups")))

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
DJANGO_TABLES2_TEMPLATE = "django_tables2/bootstrap5.html"

PHONENUMBER_DEFAULT_REGION = env("CLINIC_PHONE_REGION", default="GB")

# Audit: who did what to which record. Reads are logged by the selectors. The address is
# REMOTE_ADDR as core.middleware.ClientAddressMiddleware left it (see CLINIC_TRUSTED_PROXIES).
AUDITLOG_INCLUDE_ALL_MODELS = False
AUDITLOG_DISABLE_REMOTE_ADDR = False

# E-mail carries password-reset links. The console and file back-ends write them where server
# logs go, so with debug off they are refused unless CLINIC_ALLOW_CONSOLE_EMAIL says it is on
# purpose; production defaults to SMTP (DJANGO_EMAIL_HOST and friends).
EMAIL_BACKEND = env(
    "DJANGO_EMAIL_BACKEND",
    default="django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
if (
    not DEBUG
    and EMAIL_BACKEND
    in (
        "django.core.mail.backends.console.EmailBackend",
        "django.core.mail.backends.filebased.EmailBackend",
    )
    and not env.bool("CLINIC_ALLOW_CONSOLE_EMAIL", default=False)
):
    raise ImproperlyConfigured(
        f"DJANGO_EMAIL_BACKEND={EMAIL_BACKEND} writes password-reset links to the server's "
        "output; with DJANGO_DEBUG off set a real back-end, or CLINIC_ALLOW_CONSOLE_EMAIL=true"
    )
EMAIL_HOST = env("DJANGO_EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("DJANGO_EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("DJANGO_EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("DJANGO_EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("DJANGO_EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env("DJANGO_DEFAULT_FROM_EMAIL", default="webmaster@localhost")

# Password resets per hour, per account (the e-mail typed) and per client address; past
# either, the form answers as usual and sends nothing. Counted in the cache below.
PASSWORD_RESET_LIMIT_PER_ACCOUNT = env.int("CLINIC_PASSWORD_RESET_PER_ACCOUNT", default=3)
PASSWORD_RESET_LIMIT_PER_ADDRESS = env.int("CLINIC_PASSWORD_RESET_PER_ADDRESS", default=10)

# The cache holds rate-limit counters. The default lives in each gunicorn worker's memory
# (a limit then counts per worker); in production point it at something shared, e.g.
# DJANGO_CACHE_URL=dbcache://follicle_cache (after `manage.py createcachetable`) or redis://….
CACHES = {"default": env.cache("DJANGO_CACHE_URL", default="locmemcache://")}

# Messages to patients (issue 16): the address their links start with, and the text-message
# back-end (messaging.sms): the console while debugging, none (SMS not offered) in production
# until a provider is configured.
CLINIC_SITE_URL = env("CLINIC_SITE_URL", default="http://127.0.0.1:8000")
SMS_BACKEND = env("CLINIC_SMS_BACKEND", default="messaging.sms.ConsoleBackend" if DEBUG else "")

# An e-mail provider through django-anymail (DJANGO_EMAIL_BACKEND=
# anymail.backends.<esp>.EmailBackend) takes its keys from CLINIC_ANYMAIL, JSON, e.g.
# {"MAILGUN_API_KEY": "...", "WEBHOOK_SECRET": "user:password"}; with a WEBHOOK_SECRET the
# provider's delivery events (bounces) come to /anymail/<esp>/tracking/ and reach the log.
ANYMAIL = env.json("CLINIC_ANYMAIL", default={})

# The task queue (issue 16): Huey, with its queue in a SQLite file beside the app by default (no
# set-up) and in Redis when REDIS_URL is set. `manage.py run_huey` is the worker; `make run`
# starts it with the web server. Tasks run in the worker, never inside a web request, except in
# tests, which run them at once (tests/conftest.py) unless they start a real consumer.
REDIS_URL = env("REDIS_URL", default="")
HUEY = {
    "name": env("HUEY_QUEUE_NAME", default="follicle"),
    "huey_class": "huey.RedisHuey" if REDIS_URL else "huey.SqliteHuey",
    "connection": (
        {"url": REDIS_URL}
        if REDIS_URL
        else {"filename": env("HUEY_SQLITE_PATH", default=str(BASE_DIR / "huey.sqlite3"))}
    ),
    "immediate": False,
    # Results are not kept: a task records what it did in the database (messaging.Message).
    "results": False,
    "utc": True,
    "consumer": {"workers": env.int("HUEY_WORKERS", default=2), "worker_type": "thread"},
}

# django-otp's admin: never show a device's secret key or its QR code, even to a superuser.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# Clinical settings (defaults from CLINICAL.md; the physicians may change them).
# A screening counts this many days from its oldest answer (at most 30; eligibility.checks).
SCREENING_VALID_DAYS = env.int("CLINIC_SCREENING_VALID_DAYS", default=30)
# Days after which a temporary finding is re-checked, per catalogue code, over CLINICAL.md's
# defaults (14; nsaid_recent 7): CLINIC_RESCREEN_DAYS="nsaid_recent=5,recent_sunburn=7".
SCREENING_RESCREEN_DAYS = env.dict("CLINIC_RESCREEN_DAYS", cast={"value": int}, default={})
PATIENTS_PER_PAGE = 25

# Security. Production values switch on with DEBUG off; each can be overridden.
SESSION_COOKIE_HTTPONLY = True
# Idle timeout: a session ends this long after the user's last activity (to the minute, see
# core.middleware.SessionKeepAliveMiddleware).
SESSION_COOKIE_AGE = env.int("DJANGO_SESSION_IDLE_SECONDS", default=15 * 60)
SESSION_KEEPALIVE_SECONDS = 60
# The page warns this long before the idle timeout, with "Stay signed in" (WCAG 2.2.1; at most
# half the idle time, core.idle), and keeps a form in progress as a draft for this many hours,
# offered back after signing in again (core.drafts).
SESSION_IDLE_WARNING_SECONDS = env.int("DJANGO_SESSION_IDLE_WARNING_SECONDS", default=2 * 60)
FORM_DRAFT_HOURS = env.int("CLINIC_FORM_DRAFT_HOURS", default=24)
if SESSION_IDLE_WARNING_SECONDS < 20 or FORM_DRAFT_HOURS < 1:
    raise ImproperlyConfigured(
        "DJANGO_SESSION_IDLE_WARNING_SECONDS must be 20 or more (WCAG 2.2.1 gives the user at "
        "least 20 seconds) and CLINIC_FORM_DRAFT_HOURS 1 or more"
    )
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if not DEBUG:
    # __Host- cookies are only accepted over HTTPS, for this host and path "/", never a domain.
    SESSION_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_SECURE = True
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content-Security-Policy: only this origin's files; no inline script or style anywhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Tokens in URLs (a patient's link, an unsubscribe link) never reach a log (core.logging).
    "filters": {"secrets": {"()": "core.logging.RedactSecrets"}},
    "formatters": {
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        }
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["secrets"]},
        # runserver's request lines, as Django logs them by default, redacted.
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": ["secrets"],
        },
    },
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {
        # `manage.py run_huey` gives the queue's logger a handler of its own: not twice.
        "huey": {"propagate": False},
        # Django's own handlers on "django" (console when DEBUG, mail to ADMINS) would write
        # the request line unredacted: its records go to the root's handler instead.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
    },
}

# Scheduling (issue 4). Minimum gaps between two sessions of one procedure for one patient,
# start to start (CLINICAL.md's protocol defaults); booking inside one needs a physician's
# override. Opening hours seed the admin-editable table on first migrate (Monday=0); the day
# view and free-slot search move in steps of SCHEDULING_SLOT_MINUTES.
SCHEDULING_MIN_INTERVAL_HOURS = {
    "microneedling": env.int("CLINIC_MIN_GAP_MN_DAYS", default=7) * 24,
    "prp": env.int("CLINIC_MIN_GAP_PRP_DAYS", default=28) * 24,
    "lllt": env.int("CLINIC_MIN_GAP_LLLT_HOURS", default=12),
}
SCHEDULING_OPENING_HOURS = env("CLINIC_OPENING_HOURS", default="09:00-18:00")
SCHEDULING_OPEN_WEEKDAYS = env.list("CLINIC_OPEN_WEEKDAYS", cast=int, default=[0, 1, 2, 3, 4, 5])
SCHEDULING_SLOT_MINUTES = env.int("CLINIC_SLOT_MINUTES", default=15)
