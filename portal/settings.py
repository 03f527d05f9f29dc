"""Settings for the portal, read from environment variables.

The defaults make `make run` work on a laptop with nothing installed; production
switches behaviour by variables (see docker-compose.yml and docs/configuration.md).
A malformed value stops start-up with ImproperlyConfigured instead of being guessed.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("PORTAL_VAR_DIR", BASE_DIR / "var"))

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be one of 1/0/true/false/yes/no, not {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, not {raw!r}") from None


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", True)

_DEV_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"  # noqa: S105  # nosec B105
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off")
    SECRET_KEY = _DEV_SECRET_KEY

# ID numbers are stored as HMAC(key, number): a separate key, so that rotating the
# session secret does not break matching of residents and applicants.
IDENTITY_HASH_KEY = os.environ.get("PORTAL_IDENTITY_HASH_KEY", "")
if not IDENTITY_HASH_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("PORTAL_IDENTITY_HASH_KEY must be set when DJANGO_DEBUG is off")
    IDENTITY_HASH_KEY = "dev-only-identity-hash-key"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "whitenoise.runserver_nostatic",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    "django.contrib.postgres",
    "django.contrib.sitemaps",
    "django.contrib.syndication",
    "portal",
    "disclosure",
    "mailbox",
    "participation",
    "funds",
    "services",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "portal.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "portal.dbrouter.ReplicaReadsMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Sign-in security (portal/auth/middleware.py): a limit in front of every public POST,
    # and the second factor where PORTAL_REQUIRE_TOTP_FOR makes it mandatory.
    "portal.auth.middleware.PublicPostRateLimit",
    "portal.auth.middleware.SecondFactorRequired",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, so a hit still passes out through the others (portal/pagecache.py).
    "portal.pagecache.PageCacheMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.site",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal")
try:
    _db = dj_database_url.parse(
        DATABASE_URL, conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60), conn_health_checks=True
    )
except ValueError as exc:
    raise ImproperlyConfigured(f"DATABASE_URL is not a valid database URL: {exc}") from None
if _db.get("ENGINE") != "django.db.backends.postgresql":
    raise ImproperlyConfigured("DATABASE_URL must point to PostgreSQL (postgres://...)")
DATABASES = {"default": _db}
# Public reads on a streaming replica (portal/dbrouter.py): an anonymous visitor's GET reads
# there unless they wrote within PORTAL_REPLICA_PIN_SECONDS; unset = everything on the primary.
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
if DATABASE_REPLICA_URL:
    try:
        _replica = dj_database_url.parse(
            DATABASE_REPLICA_URL,
            conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
            conn_health_checks=True,
        )
    except ValueError as exc:
        raise ImproperlyConfigured(
            f"DATABASE_REPLICA_URL is not a valid database URL: {exc}"
        ) from None
    if _replica.get("ENGINE") != "django.db.backends.postgresql":
        raise ImproperlyConfigured("DATABASE_REPLICA_URL must point to PostgreSQL (postgres://...)")
    # A replica that does not answer delays one request by at most this many seconds; the
    # process then reads from the primary for 30 s before trying again.
    _replica["OPTIONS"] = {
        **_db.get("OPTIONS", {}),
        **_replica.get("OPTIONS", {}),
        "connect_timeout": env_int("DATABASE_REPLICA_CONNECT_TIMEOUT", 2),
    }
    # Tests: the alias reads default's test database instead of getting one of its own.
    _replica["TEST"] = {"MIRROR": "default"}
    DATABASES["replica"] = _replica
DATABASE_ROUTERS = ["portal.dbrouter.ReplicaRouter"]
# Seconds a visitor reads from the primary after a POST (longer than the replica's lag).
PORTAL_REPLICA_PIN_SECONDS = env_int("PORTAL_REPLICA_PIN_SECONDS", 15)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and broker -----------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    if not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured("REDIS_URL must start with redis://, rediss:// or unix://")
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "portal",
            # A Redis outage must not take the public site down: fail fast, not after 20 s.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    CELERY_BROKER_URL = REDIS_URL
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CELERY_BROKER_URL = "filesystem://"
    _queue_dir = VAR_DIR / "celery" / "queue"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "processed_folder": str(VAR_DIR / "celery" / "processed"),
        "control_folder": str(VAR_DIR / "celery" / "control"),
        "store_processed": False,
    }

# --- Celery ---------------------------------------------------------------------------
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 120)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 180)
CELERY_TIMEZONE = "Asia/Shanghai"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Queues, so that workers can be scaled per kind of work (docker-compose.yml, README):
# "reminders" deadline reminders and escalation, "publishing" what changes public pages,
# "exports" files a person waits for; everything else (heartbeat, funds scan, monthly
# statements, stale guides) stays on the default queue "celery".
CELERY_TASK_ROUTES = {
    "mailbox.tasks.scan_letter_reminders": {"queue": "reminders"},
    "disclosure.tasks.send_deadline_reminders": {"queue": "reminders"},
    "disclosure.tasks.scan_info_request_reminders": {"queue": "reminders"},
    "disclosure.requests.tasks.corrections_lapse": {"queue": "reminders"},
    "disclosure.requests.tasks.third_party_waits_refresh": {"queue": "reminders"},
    "disclosure.tasks.refresh_compliance": {"queue": "publishing"},
    "participation.tasks.close_due_votes": {"queue": "publishing"},
    "participation.tasks.close_due_rounds": {"queue": "publishing"},
    # Export tasks are named <app>.tasks.export_<what>.
    "*.tasks.export_*": {"queue": "exports"},
}
CELERY_BEAT_SCHEDULE = {
    "worker-heartbeat": {
        "task": "portal.tasks.heartbeat",
        "schedule": timedelta(seconds=env_int("PORTAL_HEARTBEAT_SECONDS", 60)),
    },
    # Nightly: completeness and timeliness of every unit; morning: deadline reminders.
    "disclosure-refresh-compliance": {
        "task": "disclosure.tasks.refresh_compliance",
        "schedule": crontab(hour=2, minute=30),
    },
    "disclosure-deadline-reminders": {
        "task": "disclosure.tasks.send_deadline_reminders",
        "schedule": crontab(hour=8, minute=30),
    },
    # Letters falling due and overdue escalation; a scan that waited out an outage is
    # dropped, the next one catches up anyway.
    "mailbox-letter-reminders": {
        "task": "mailbox.tasks.scan_letter_reminders",
        "schedule": crontab(minute="*/15"),
        "options": {"expires": 14 * 60},
    },
    # Votes and evaluation rounds whose window has ended are closed and their results
    # frozen; a ballot after the deadline is refused whether or not this has run yet.
    "participation-close-votes": {
        "task": "participation.tasks.close_due_votes",
        "schedule": crontab(minute="*/5"),
        "options": {"expires": 4 * 60},
    },
    "participation-close-rounds": {
        "task": "participation.tasks.close_due_rounds",
        "schedule": crontab(minute="*/5"),
        "options": {"expires": 4 * 60},
    },
    # Village money: rectification items and the alerts of every rule, hourly.
    "funds-scan": {
        "task": "funds.tasks.scan",
        "schedule": crontab(minute=20),
        "options": {"expires": 50 * 60},
    },
    # Last month's statements, ready for the villages in the first days of a month.
    "funds-statements": {
        "task": "funds.tasks.statements_generate",
        "schedule": crontab(day_of_month="1-10", hour=1, minute=10),
    },
    # Requests for information: reminders and escalation as for letters (one engine,
    # portal/reminders.py); applications not corrected in time are closed; the due dates
    # of those waiting for a third party move on.
    "disclosure-info-request-reminders": {
        "task": "disclosure.tasks.scan_info_request_reminders",
        "schedule": crontab(minute="*/15"),
        "options": {"expires": 14 * 60},
    },
    "disclosure-requests-corrections-lapse": {
        "task": "disclosure.requests.tasks.corrections_lapse",
        "schedule": crontab(minute=5),
        "options": {"expires": 50 * 60},
    },
    "disclosure-requests-third-party-waits": {
        "task": "disclosure.requests.tasks.third_party_waits_refresh",
        "schedule": crontab(minute=7),
        "options": {"expires": 50 * 60},
    },
    # Guides not verified for a year are flagged to their units.
    "services-guides-flag-stale": {
        "task": "services.tasks.guides_flag_stale",
        "schedule": crontab(hour=3, minute=15),
    },
}
# /healthz calls the worker stale after this many seconds without a heartbeat.
PORTAL_HEARTBEAT_STALE_SECONDS = env_int("PORTAL_HEARTBEAT_STALE_SECONDS", 300)

# --- Auth -----------------------------------------------------------------------------
AUTH_USER_MODEL = "portal.User"
AUTHENTICATION_BACKENDS = [
    # Django's password check behind the lockout of portal/auth/throttle.py.
    "portal.auth.backends.ThrottledModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
ANONYMOUS_USER_NAME = None  # guardian: anonymous visitors get no object permissions
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "account"
LOGOUT_REDIRECT_URL = "home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Sign-in security -----------------------------------------------------------------
# Wrong passwords or second-factor codes: this many within the window lock the account for
# PORTAL_LOGIN_LOCK_MINUTES, doubled at each further lockout; an address trying many user
# names locks at its own, higher count (an office shares one address).
PORTAL_LOGIN_MAX_FAILURES = env_int("PORTAL_LOGIN_MAX_FAILURES", 5)
PORTAL_LOGIN_MAX_FAILURES_PER_ADDRESS = env_int("PORTAL_LOGIN_MAX_FAILURES_PER_ADDRESS", 20)
PORTAL_LOGIN_FAILURE_WINDOW_MINUTES = env_int("PORTAL_LOGIN_FAILURE_WINDOW_MINUTES", 15)
PORTAL_LOGIN_LOCK_MINUTES = env_int("PORTAL_LOGIN_LOCK_MINUTES", 15)
# Seconds between the password and the second-factor code before starting again.
PORTAL_LOGIN_SECOND_STEP_SECONDS = env_int("PORTAL_LOGIN_SECOND_STEP_SECONDS", 300)
# Roles that must use a second factor (TOTP): any of official, supervisor, staff
# (comma-separated); empty = optional for everyone who may enrol.
PORTAL_REQUIRE_TOTP_FOR = tuple(env_list("PORTAL_REQUIRE_TOTP_FOR", ""))
if set(PORTAL_REQUIRE_TOTP_FOR) - {"official", "supervisor", "staff"}:
    raise ImproperlyConfigured(
        "PORTAL_REQUIRE_TOTP_FOR takes official, supervisor and/or staff, "
        f"not {','.join(PORTAL_REQUIRE_TOTP_FOR)!r}"
    )
# Every POST from a visitor or citizen, per URL pattern and hour: per address and per
# signed-in person (portal/auth/middleware.py), on top of each service's own limits.
PORTAL_POST_RATE_PER_IP = env_int("PORTAL_POST_RATE_PER_IP", 60)
PORTAL_POST_RATE_PER_USER = env_int("PORTAL_POST_RATE_PER_USER", 60)
# Signed-in people share addresses (a village hall, a mobile network): their address may
# post this many times the per-address limit, while each person keeps their own limit.
PORTAL_POST_RATE_SIGNED_IN_ADDRESS_FACTOR = env_int("PORTAL_POST_RATE_SIGNED_IN_ADDRESS_FACTOR", 10)
# Stricter (or looser) per-address limits by URL name. Where an ID number is checked or
# matched: few. Signing in: many, as an office shares an address (the lockout above
# stops guessing).
PORTAL_POST_RATE_LIMITS = {
    "residency-apply": env_int("PORTAL_ID_CHECK_RATE_PER_IP", 10),
    "voucher-access": env_int("PORTAL_ID_CHECK_RATE_PER_IP", 10) * 3,
    "api-voucher-access": env_int("PORTAL_ID_CHECK_RATE_PER_IP", 10) * 3,
    "register": env_int("PORTAL_REGISTER_RATE_PER_IP", 10),
    "login": env_int("PORTAL_LOGIN_RATE_PER_IP", 300),
    "admin-login": env_int("PORTAL_LOGIN_RATE_PER_IP", 300),
    "login-second-step": env_int("PORTAL_LOGIN_RATE_PER_IP", 300),
    "api-token": env_int("PORTAL_LOGIN_RATE_PER_IP", 300),
}
# Tries naming one ID number per hour (residency applications), from anywhere.
PORTAL_ID_CHECK_RATE_PER_TARGET = env_int("PORTAL_ID_CHECK_RATE_PER_TARGET", 5)

# --- Language, time -------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# In development WhiteNoise serves straight from the finders, no collectstatic needed.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_ROOT = Path(os.environ.get("PORTAL_MEDIA_ROOT", VAR_DIR / "media"))

# --- Security headers (production switches them on by variables) ---------------------
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", False)
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", False)
if env_bool("DJANGO_BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

# --- API ------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_PAGINATION_CLASS": "portal.api.pagination.Pagination",
    "DEFAULT_SCHEMA_CLASS": "portal.api.schema.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "基层政务公开平台 API",
    "DESCRIPTION": (
        "Places, publishing units and tools of the grassroots government openness portal. "
        "`region=` always takes a 12-digit division code and means that place and "
        "everything inside it."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Several models have a "kind" and a "status"; name each choice set after its model.
    "ENUM_NAME_OVERRIDES": {
        "UnitKindEnum": "portal.models.units.UnitKind.choices",
        "RecordKindEnum": "disclosure.models.records.RecordKind.choices",
        "LetterEventKindEnum": "mailbox.models.letters.EventKind.choices",
        "RecordStatusEnum": "disclosure.models.records.RecordStatus.choices",
        "LetterStatusEnum": "mailbox.models.letters.LetterStatus.choices",
        "RecordScopeEnum": "disclosure.models.catalog.Scope.choices",
        # Votes and evaluation rounds share one set of statuses, so one schema name.
        "ParticipationStatusEnum": "participation.models.votes.VoteStatus.choices",
        "QuorumEnum": "participation.models.votes.Quorum.choices",
        "PhaseEnum": "participation.models.common.Phase.choices",
        "SolicitationStatusEnum": "participation.models.solicitations.SolicitationStatus.choices",
        "OpinionStatusEnum": "participation.models.solicitations.OpinionStatus.choices",
        "DecisionStatusEnum": "participation.models.decisions.DecisionStatus.choices",
        "DecisionCategoryEnum": "participation.models.decisions.DecisionCategory.choices",
        "StepKindEnum": "participation.models.decisions.StepKind.choices",
        "MeetingKindEnum": "participation.models.decisions.MeetingKind.choices",
        "DisclosureStateEnum": "participation.api.decisions.DISCLOSURE_STATES",
        "AidKindEnum": "participation.models.mutual_aid.AidKind.choices",
        "AidCategoryEnum": "participation.models.mutual_aid.AidCategory.choices",
        "AidScopeEnum": "participation.models.mutual_aid.AidScope.choices",
        "AidStatusEnum": "participation.models.mutual_aid.AidStatus.choices",
        "ProjectCategoryEnum": "funds.models.projects.ProjectCategory.choices",
        "ProjectStageEnum": "funds.models.projects.Stage.choices",
        "GuideCategoryEnum": "services.models.guides.GuideCategory.choices",
        "ServiceTierEnum": "services.models.guides.ServiceTier.choices",
        "MaterialFormEnum": "services.models.guides.MaterialForm.choices",
        "ProxyStatusEnum": "services.models.proxy.ProxyStatus.choices",
        "InfoRequestStatusEnum": "disclosure.models.requests.InfoRequestStatus.choices",
        "InfoRequestEventKindEnum": "disclosure.models.requests.InfoRequestEventKind.choices",
        "RequestChannelEnum": "disclosure.models.requests.RequestChannel.choices",
    },
}

# --- Portal ---------------------------------------------------------------------------
PORTAL_SITE_NAME = os.environ.get("PORTAL_SITE_NAME", "成都市基层政务公开平台")
# The division code of the place this deployment serves; the home page starts here.
PORTAL_ROOT_REGION = os.environ.get("PORTAL_ROOT_REGION", "510100000000")

# /supervision/audit/: voucher views and record changes per page.
PORTAL_AUDIT_PAGE_SIZE = env_int("PORTAL_AUDIT_PAGE_SIZE", 50)

# --- Logging: personal data is masked before any record is written ------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_pii": {"()": "portal.logfilters.MaskPersonalDataFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["mask_pii"],
            "formatter": "plain",
        },
    },
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
}
# --- Disclosure -------------------------------------------------------------------------
# Completeness counts periods from this date (YYYY-MM-DD); unset = 1 January this year.
DISCLOSURE_COMPLIANCE_START = os.environ.get("DISCLOSURE_COMPLIANCE_START") or None
# Officials are reminded this many working days before a periodic deadline.
DISCLOSURE_REMINDER_WORKING_DAYS = env_int("DISCLOSURE_REMINDER_WORKING_DAYS", 3)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "noreply@gk.chengdu.example")
EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("DJANGO_EMAIL_PORT", 25)
DISCLOSURE_MAX_ATTACHMENT_BYTES = env_int("DISCLOSURE_MAX_ATTACHMENT_BYTES", 20 * 1024 * 1024)
# Demo content of the apps, loaded by `seed_demo` after the places, units and logins.
PORTAL_DEMO_LOADERS = [
    "disclosure.demo.demo_load",
    "mailbox.demo.demo_load",
    "participation.demo.demo_load",
    "funds.demo.demo_load",
    "services.demo.demo_load",
    "disclosure.requests.demo.demo_load",
]
# Anonymous visitors' public pages are kept this long at most (0 = off); publishing,
# withdrawing or editing public content drops them all at once (portal/pagecache.py).
PORTAL_PAGE_CACHE_SECONDS = env_int("PORTAL_PAGE_CACHE_SECONDS", 300)
# The bare page `make bench` measures as the framework floor (/bench/floor/); off: 404.
PORTAL_BENCH_FLOOR = env_bool("PORTAL_BENCH_FLOOR", False)
# `manage.py seed_scale`: each app's bulk loader for platform-scale data (portal/scale).
PORTAL_SCALE_LOADERS = [
    "disclosure.scale.scale_load",
    "disclosure.requests.scale.scale_load",
    "mailbox.scale.scale_load",
    "participation.scale.scale_load",
    "funds.scale.scale_load",
]

# --- Mailbox ------------------------------------------------------------------------------
# Reply due this many working days after receipt (counted from the next day).
MAILBOX_REPLY_WORKING_DAYS = env_int("MAILBOX_REPLY_WORKING_DAYS", 5)
MAILBOX_MAX_BODY_CHARS = env_int("MAILBOX_MAX_BODY_CHARS", 5000)
MAILBOX_MAX_ATTACHMENT_BYTES = env_int("MAILBOX_MAX_ATTACHMENT_BYTES", 10 * 1024 * 1024)
MAILBOX_MAX_ATTACHMENTS = env_int("MAILBOX_MAX_ATTACHMENTS", 5)
# Submissions allowed per hour from one mobile number and from one IP address.
MAILBOX_RATE_PER_PHONE = env_int("MAILBOX_RATE_PER_PHONE", 5)
MAILBOX_RATE_PER_IP = env_int("MAILBOX_RATE_PER_IP", 30)
# Reminder channels (mailbox.notify notifiers) and the SMS gateway; the default gateway
# only logs how many numbers, masked.
MAILBOX_NOTIFIERS = env_list(
    "MAILBOX_NOTIFIERS", "mailbox.notify.EmailNotifier,mailbox.notify.SmsNotifier"
)
MAILBOX_SMS_BACKEND = os.environ.get("MAILBOX_SMS_BACKEND", "mailbox.notify.LoggingSmsBackend")
# An unsent reminder claim older than this was left by a dead worker and is sent again;
# must be longer than the scan task's hard time limit (480 s).
MAILBOX_REMINDER_RECLAIM_MINUTES = env_int("MAILBOX_REMINDER_RECLAIM_MINUTES", 10)
# The public statistics are cached this long per place; XLSX exports above this many rows
# are refused in favour of the streamed CSV.
MAILBOX_STATS_CACHE_SECONDS = env_int("MAILBOX_STATS_CACHE_SECONDS", 300)
MAILBOX_EXPORT_XLSX_MAX_ROWS = env_int("MAILBOX_EXPORT_XLSX_MAX_ROWS", 20_000)
# The same letter from the same phone within this many minutes returns the first one.
MAILBOX_DUPLICATE_MINUTES = env_int("MAILBOX_DUPLICATE_MINUTES", 10)

# --- Participation ----------------------------------------------------------------------
# Three reports from different people hide a mutual-aid post until a moderator decides.
PARTICIPATION_AID_REPORT_THRESHOLD = env_int("PARTICIPATION_AID_REPORT_THRESHOLD", 3)
# Opinions, mutual-aid posts, replies and reports allowed per person per hour.
PARTICIPATION_RATE_PER_USER = env_int("PARTICIPATION_RATE_PER_USER", 20)
PARTICIPATION_MAX_TEXT_CHARS = env_int("PARTICIPATION_MAX_TEXT_CHARS", 3000)
PARTICIPATION_MAX_ATTACHMENT_BYTES = env_int("PARTICIPATION_MAX_ATTACHMENT_BYTES", 20 * 1024 * 1024)
# The counters on place pages are cached this long per place.
PARTICIPATION_STATS_CACHE_SECONDS = env_int("PARTICIPATION_STATS_CACHE_SECONDS", 60)

# --- Funds and three assets -----------------------------------------------------------
# Working days a project may wait in a stage before the township and county are alerted:
# proposed → approved, approved → implementing, implementing → accepted, accepted →
# evaluated, evaluated → closed.
FUNDS_STAGE_LIMIT_DAYS = {
    "proposed": env_int("FUNDS_APPROVAL_DAYS", 20),
    "approved": env_int("FUNDS_START_DAYS", 40),
    "implementing": env_int("FUNDS_BUILD_DAYS", 160),
    "accepted": env_int("FUNDS_EVALUATION_DAYS", 60),
    "evaluated": env_int("FUNDS_CLOSE_DAYS", 20),
}
# A reached stage not published by the village within this many working days is alerted.
FUNDS_PUBLISH_STAGE_DAYS = env_int("FUNDS_PUBLISH_STAGE_DAYS", 5)
# Disbursements at or above this share of the budget are alerted (percent).
FUNDS_NEAR_BUDGET_PERCENT = env_int("FUNDS_NEAR_BUDGET_PERCENT", 90)
# An expense at least this large needs a village decision (yuan); 5万 as in DOMAIN.md.
FUNDS_LARGE_EXPENSE = env_int("FUNDS_LARGE_EXPENSE", 50_000)
# An expense entry without a voucher this many days after booking is alerted.
FUNDS_NO_VOUCHER_DAYS = env_int("FUNDS_NO_VOUCHER_DAYS", 15)
# A month's statement must be published by this day of the next month.
FUNDS_STATEMENT_DUE_DAY = env_int("FUNDS_STATEMENT_DUE_DAY", 10)
# Voucher viewing: a grant lasts this long; this many failed tries lock further tries for
# FUNDS_ACCESS_LOCK_MINUTES, doubled at each further lockout.
FUNDS_VOUCHER_GRANT_MINUTES = env_int("FUNDS_VOUCHER_GRANT_MINUTES", 15)
FUNDS_ACCESS_MAX_FAILURES = env_int("FUNDS_ACCESS_MAX_FAILURES", 5)
FUNDS_ACCESS_LOCK_MINUTES = env_int("FUNDS_ACCESS_LOCK_MINUTES", 15)
FUNDS_MAX_VOUCHER_BYTES = env_int("FUNDS_MAX_VOUCHER_BYTES", 10 * 1024 * 1024)
FUNDS_MAX_IMPORT_BYTES = env_int("FUNDS_MAX_IMPORT_BYTES", 5 * 1024 * 1024)

# --- Requests for information (依申请公开) --------------------------------------------
# Working days the applicant has to correct an application after the notice (local choice).
OGI_CORRECTION_DAYS = env_int("OGI_CORRECTION_DAYS", 15)
# Online requests per hour from one mobile number and from one address; the same request
# from the same phone within this many minutes returns the first one.
OGI_RATE_PER_PHONE = env_int("OGI_RATE_PER_PHONE", 5)
OGI_RATE_PER_IP = env_int("OGI_RATE_PER_IP", 30)
OGI_DUPLICATE_MINUTES = env_int("OGI_DUPLICATE_MINUTES", 10)
OGI_MAX_DESCRIPTION_CHARS = env_int("OGI_MAX_DESCRIPTION_CHARS", 5000)
OGI_MAX_ATTACHMENTS = env_int("OGI_MAX_ATTACHMENTS", 5)
OGI_MAX_ATTACHMENT_BYTES = env_int("OGI_MAX_ATTACHMENT_BYTES", 10 * 1024 * 1024)
# Reply letters opened with a query code in the address, per hour from one address.
OGI_LETTER_RATE_PER_IP = env_int("OGI_LETTER_RATE_PER_IP", 60)

# --- Services -------------------------------------------------------------------------
# Proxy service (代办): the agent's working days (the guide's promised limit when longer),
# the window in which a repeated request returns the first, hourly limits, longest text.
SERVICES_PROXY_DUE_DAYS = env_int("SERVICES_PROXY_DUE_DAYS", 5)
SERVICES_PROXY_DUPLICATE_MINUTES = env_int("SERVICES_PROXY_DUPLICATE_MINUTES", 10)
SERVICES_PROXY_RATE_PER_PHONE = env_int("SERVICES_PROXY_RATE_PER_PHONE", 5)
SERVICES_PROXY_RATE_PER_IP = env_int("SERVICES_PROXY_RATE_PER_IP", 30)
SERVICES_PROXY_MAX_DETAIL_CHARS = env_int("SERVICES_PROXY_MAX_DETAIL_CHARS", 1000)
# A kiosk page with no touch, click, key or scroll for this long returns to its start page.
SERVICES_KIOSK_IDLE_SECONDS = env_int("SERVICES_KIOSK_IDLE_SECONDS", 120)
