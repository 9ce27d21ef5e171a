"""The one settings module. Everything that differs between a laptop demo and production comes from
the environment (django-environ); with no environment at all the app runs embedded: SQLite, a Celery
broker that needs no server, DEBUG on, the demo secret key.

Production refuses to start with the demo key, and a malformed variable stops start-up with its name.
"""

import datetime
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool) -> bool:
    """A boolean from the environment; anything but a clear yes/no stops start-up (django-environ
    would read a typo such as DEBUG=flase as False without a word)."""
    raw = env.str(name, default=str(default)).strip().lower()
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean: use true/false, 1/0, yes/no or on/off.")


def env_int(name: str, default: int) -> int:
    raw = env.str(name, default=str(default))
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None


# Where the app keeps what it writes at run time (SQLite file, Celery's embedded broker, uploads). Importing
# the settings writes nothing: the entry points (manage.py, wsgi.py, the Celery worker) make these folders
# when they start (``core.storage.make_data_folders``).
DATA_DIR = Path(env.str("DATA_DIR", default=str(BASE_DIR / "var")))
DATA_FOLDERS = [DATA_DIR]

DEMO_SECRET_KEY = "demo-only-insecure-key-do-not-use-in-production"  # noqa: S105 (refused below when DEBUG is off)

DEBUG = env_bool("DEBUG", True)
SECRET_KEY = env.str("SECRET_KEY", default=DEMO_SECRET_KEY)
if not DEBUG and SECRET_KEY == DEMO_SECRET_KEY:
    raise ImproperlyConfigured(
        "SECRET_KEY is the demo key while DEBUG is off. Set SECRET_KEY to a long random value "
        "(python -c 'import secrets; print(secrets.token_urlsafe(50))')."
    )
if not DEBUG and len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("SECRET_KEY must be at least 50 characters when DEBUG is off.")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    # Our apps, floor by floor from the ground up (docs/architecture.md): an app imports only from those
    # above it in this list, and apps on one floor (disputes beside the Party and co-governance apps) not
    # from each other.
    "core",
    "grids",
    "audit",
    "messaging",
    "residents",
    "disputes",
    "party",
    "cogovernance",
    "civility",
    "towntasks",
    "visits",
    "people",
    "reports",
    "tooling",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Django's, with the idle expiry moved on without a write on every request (core/sessions.py).
    "core.sessions.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Django's, carrying sessions signed in through ModelBackend over to grids.backends.AccountBackend.
    "grids.backends.AuthenticationMiddleware",
    # Nothing sent to a signed-in user is cached (static files are answered above, by WhiteNoise).
    "core.middleware.NoStoreMiddleware",
    "grids.middleware.PasswordChangeRequiredMiddleware",
    # Who and from where, for the audit entries written while a request is served.
    "audit.trail.AuditContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last: it answers a locked-out login with the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "governance.urls"
WSGI_APPLICATION = "governance.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            # {% url %} with whole-number URLs built from pieces kept per name (core/templatetags/links.py);
            # |date with numeric formats written from a compiled pattern (core/templatetags/dates.py);
            # {% rows %}: the rows of long tables written by Jinja2 (core/templatetags/rows.py).
            "builtins": ["core.templatetags.links", "core.templatetags.dates", "core.templatetags.rows"],
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "messaging.context.inbox",
                "audit.context.audit_link",
                "people.context.account_link",
                "party.context.party_link",
                "cogovernance.context.cogov_link",
            ],
        },
    },
]

TEMPLATES.append(
    {
        # The rows of long tables (docs/performance.md, "Rows of long tables"): Jinja2, from templates/jinja2.
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "NAME": "rows",
        "DIRS": [BASE_DIR / "templates" / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {"environment": "core.jinja.environment"},
    }
)

# Forms: Django's renderer, with selects written in Python instead of a template per option (core/renderers.py).
FORM_RENDERER = "core.renderers.Renderer"

# --- Database ---------------------------------------------------------------------------------
# DATABASE_URL, e.g. postgres://user:pass@host:5432/name; default: a SQLite file under DATA_DIR.
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{DATA_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Keep connections for a minute instead of one per request: cheaper on a small machine.
    DATABASES["default"].setdefault("CONN_MAX_AGE", env_int("CONN_MAX_AGE", 60))
    DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
    # Behind PgBouncer in transaction mode a cursor cannot outlive its transaction: the long reads that go
    # through server-side cursors (exports, imports, the choice lists) then read through ordinary ones.
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env_bool("DISABLE_SERVER_SIDE_CURSORS", False)
    # No JIT: the planner's cost estimates for the coverage counts (many index probes) crossed jit_above_cost
    # and every such query paid ~20 ms compiling code that saved nothing (EXPLAIN ANALYZE at a million residents).
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web process and the Celery worker write the same file: wait for locks instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"timeout": 20, "transaction_mode": "IMMEDIATE"})
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth -------------------------------------------------------------------------------------
AUTH_USER_MODEL = "grids.User"
# Argon2id with one of OWASP's parameter sets (core/hashers.py: 14–15 ms a hash here, where Django's PBKDF2 default
# takes 0.24–0.41 s). The others only verify the hashes stored before; each is re-hashed with the first at the
# person's next login.
PASSWORD_HASHERS = [
    "core.hashers.OWASPArgon2idPasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 9}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Login lockout (django-axes): 5 failed attempts for one account from one address lock that pair for
# 15 minutes — the login page and the API's token endpoint alike. The system admin unlocks in the admin
# (访问尝试 → delete the attempts) or with `manage.py axes_reset_username <name>`.
# Django's ModelBackend, the signed-in account read by a written-out statement (grids/backends.py).
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "grids.backends.AccountBackend"]
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_CALLABLE = "grids.security.lockout_response"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# Logins and logouts are in the audit log (audit/trail.py, on_login); axes' own log of successful logins was a
# second row and transaction on every login, read by nothing.
AXES_DISABLE_ACCESS_LOG = True
# Behind a proxy the client's address comes from X-Forwarded-For (set BEHIND_TLS_PROXY).
AXES_IPWARE_PROXY_COUNT = 1 if env_bool("BEHIND_TLS_PROXY", False) else None
# Idle sessions end after 30 minutes: each request moves the expiry on, writing the session again only once
# the expiry it holds is more than a minute old (core/sessions.py), so a session may end up to a minute early.
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_MINUTES", 30) * 60
SESSION_ENGINE = "core.sessions"
# API tokens end this many days after they were issued (a working month by default): the client logs in
# again. Sessions and tokens also end when the password changes, the account is switched off or the last
# assignment is over (grids/credentials.py).
API_TOKEN_TTL_DAYS = env_int("API_TOKEN_TTL_DAYS", 30)
if API_TOKEN_TTL_DAYS < 1:
    raise ImproperlyConfigured("API_TOKEN_TTL_DAYS must be at least 1.")
# The audit log keeps entries this many days (at least 180: GB/T 22239-2019 asks for six months);
# a daily job removes older ones.
AUDIT_RETENTION_DAYS = env_int("AUDIT_RETENTION_DAYS", 365)
if AUDIT_RETENTION_DAYS < 180:
    raise ImproperlyConfigured("AUDIT_RETENTION_DAYS must be at least 180 (audit entries are kept six months).")
# A search by a full ID number by someone who may not see full numbers: recorded, and this many a day
# (residents/disclosure.py).
ID_SEARCH_DAILY_LIMIT = env_int("ID_SEARCH_DAILY_LIMIT", 20)
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# --- Language and time ------------------------------------------------------------------------
LANGUAGE_CODE = env.str("LANGUAGE_CODE", default="zh-hans")
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Shanghai")
USE_I18N = True
USE_TZ = True

# --- Static files: served by the app itself (WhiteNoise); every CSS/JS file is vendored ----------
STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            # Hashed names let browsers cache for a year: the field pages stay light on slow links.
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_ROOT = DATA_DIR / "media"  # outside the static root; served only through views that check access
# Photos (cases, visits): larger files are refused with a message; the rest are re-encoded (core/uploads.py).
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_BYTES", 10 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Security ---------------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# Content-Security-Policy (django-csp): scripts and styles only from this site, no inline script, no
# framing; images also as data: URIs (Pico's icons).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
if env_bool("BEHIND_TLS_PROXY", False):
    # Only behind a proxy that sets this header itself (nginx: proxy_set_header X-Forwarded-Proto $scheme).
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SILENCED_SYSTEM_CHECKS = [
    # HSTS preload is a decision for the operator of the domain, not for the app: off unless set.
    "security.W021",
]

# --- Cache: shared by web and worker processes (import progress, later rate limits) -----------------
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": env.str("REDIS_URL")}
        if env.str("REDIS_URL", default="")
        else {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(DATA_DIR / "cache"),
            # Django's 300 entries are culled a third at a time, at random: the scorecard's tokens among them
            # (one per topic and village), so kept figures were dropped and counted again. A town's worth.
            "OPTIONS": {"MAX_ENTRIES": 5000},
        }
    )
}

# --- Celery -----------------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {}
else:
    # Embedded: kombu's filesystem transport, so `make run` runs a real worker and beat with no server.
    # Its control folder too (kombu's default is "control" in the working directory).
    _celery_queue = DATA_DIR / "celery" / "queue"
    _celery_processed = DATA_DIR / "celery" / "processed"
    _celery_control = DATA_DIR / "celery" / "control"
    DATA_FOLDERS += [_celery_queue, _celery_processed, _celery_control]
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_celery_queue),
        "data_folder_out": str(_celery_queue),
        "processed_folder": str(_celery_processed),
        "control_folder": str(_celery_control),
        "store_processed": False,
    }
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_QUEUE", default="celery")
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True  # a task killed mid-way runs again; tasks claim before acting (STYLE 7)
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BEAT_SCHEDULE_FILENAME = str(DATA_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    # Beat proves it is alive: staff see when the scheduler last ran (reminders depend on it).
    "heartbeat": {"task": "core.tasks.heartbeat", "schedule": 60.0},
    # Reads the admin's reminder settings (days, hour) and starts what is due; every run is idempotent.
    "visit-reminders": {"task": "visits.tasks.reminders_dispatch", "schedule": 300.0},
    # Party meetings owed before a month's end (secretaries) and overdue after it (village staff, the town).
    "party-reminders": {"task": "party.tasks.reminders_dispatch", "schedule": 300.0},
    # The legal-publicity dates (宪法宣传日, 民法典宣传月, 安全生产月): every village's staff, before each.
    "civility-reminders": {"task": "civility.tasks.reminders_dispatch", "schedule": 300.0},
    # Town tasks (镇交办任务): a village not yet reported is reminded before the deadline (docs/towntasks.md).
    "towntasks-reminders": {"task": "towntasks.tasks.reminders_dispatch", "schedule": 300.0},
    "late-report-reminders": {"task": "reports.tasks.late_reports_dispatch", "schedule": 900.0},
    # Audit entries past the retention go, once a day at night.
    "audit-purge": {"task": "audit.tasks.audit_purge", "schedule": crontab(hour=3, minute=17)},
    # Sessions and API tokens of the people whose last assignment ended yesterday (grids/credentials.py).
    "credentials-after-assignments": {
        "task": "grids.tasks.credentials_after_assignments",
        "schedule": crontab(hour=0, minute=10),
    },
    # Imports nobody confirmed within a week are cancelled; no ended import keeps its file (ID numbers).
    "import-files-expire": {"task": "residents.tasks.import_files_expire", "schedule": crontab(hour=3, minute=37)},
    # Key-person records past their category's retention period are erased (README, "Security and personal data").
    "key-persons-erase": {"task": "residents.tasks.key_persons_erase", "schedule": crontab(hour=3, minute=47)},
    # This month's coverage per grid counted after midnight (overdue depends on the day), so that the
    # first visitor of the day does not wait for a town's count.
    "coverage-warm": {"task": "visits.tasks.coverage_warm", "schedule": crontab(hour=0, minute=5)},
    # Every grid worker's work list for the day, ready before the morning's logins (visits/kept_list.py).
    "work-lists-warm": {"task": "visits.tasks.work_lists_warm", "schedule": crontab(hour=0, minute=15)},
    # The 六好 scorecards of the current periods measured and kept for the day (docs/scorecard.md).
    "scorecards-warm": {"task": "reports.tasks.scorecards_warm", "schedule": crontab(hour=0, minute=20)},
}

# --- Logging: to stderr, where gunicorn / systemd / docker collect it ----------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
}

# --- REST API (router: governance/api.py; what every endpoint shares: core/rest.py) ----------------
REST_FRAMEWORK = {
    # Token first: an anonymous call is told 401 with "WWW-Authenticate: Token" (session is for the browsable API).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # DRF's token, with an expiry and the account's state checked (grids/auth.py).
        "grids.auth.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["core.rest.ScopedFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "core.rest.Pagination",
    # DRF's three, with a JSON body held to an object (what every request body in the schema is).
    "DEFAULT_PARSER_CLASSES": [
        "core.parsers.JSONObjectParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "EXCEPTION_HANDLER": "core.rest.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "村级网格化治理平台 API",
    "DESCRIPTION": "The portal's data under the same access rules as its pages. Token auth: POST /api/v1/auth/token/.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",  # vendored by drf-spectacular-sidecar, served by the app: no CDN
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "CaseStateEnum": "disputes.models.State",
        "ReportStateEnum": "reports.models.State",
        "TierEnum": "disputes.models.Tier",
        "CaseCategoryEnum": "disputes.models.Category",
        "CaseOutcomeEnum": "disputes.models.Outcome",
        "VisitOutcomeEnum": "visits.models.Outcome",
        "KeyCategoryEnum": "residents.models.KeyCategory",
        "AcceptTierEnum": [(1, "一级"), (2, "二级")],
        "KindEnum": "disputes.models.Kind",  # the cases kind keeps its name beside the Party kinds
        "PartyOrgKindEnum": "party.models.OrgKind",
        "MeetingKindEnum": "party.models.MeetingKind",
        "PartyMemberStatusEnum": "party.models.MemberStatus",
        "DeliberationStageEnum": "cogovernance.models.Stage",
        "ProjectKindEnum": "cogovernance.models.ProjectKind",
        "VillageDocumentKindEnum": "cogovernance.models.DocumentKind",
        "AdoptedByEnum": "cogovernance.models.AdoptedBy",
        "ResearchKindEnum": "cogovernance.models.ResearchKind",
        "TownTaskStateEnum": "towntasks.models.Stage",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.rest.document_error_responses",
    ],
}

# --- Product settings -------------------------------------------------------------------------
# Reminders go to the inbox, by email (Django's backend: SMTP settings below) and by SMS (messaging/sms.py).
EMAIL_BACKEND = env.str(
    "EMAIL_BACKEND",
    default="django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="portal@localhost")
SMS_BACKEND = env.str("SMS_BACKEND", default="messaging.sms.LogBackend")
# Seconds between two reminders of a run (an SMS gateway's rate limit); 0 sends as fast as possible.
REMINDER_SEND_PAUSE = env.float("REMINDER_SEND_PAUSE", default=0.0)
# Seed 003: a grid in principle covers 300–500 households or about 1,000 people; outside it is flagged.
GRID_HOUSEHOLDS_MIN = 300
GRID_HOUSEHOLDS_MAX = 500
GRID_PEOPLE_TARGET = 1000
DEMO_PASSWORD = env.str("DEMO_PASSWORD", default="demo12345")

# Resident ID numbers (residents/idnumber.py): Fernet keys, newest first (older ones still decrypt until
# `manage.py rotate_id_key` has re-encrypted everything), and the key of the lookup hash.
# Make a key: python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"
DEMO_ID_NUMBER_KEY = "ZGVtby1vbmx5LWlkLW51bWJlci1rZXktMzItYnl0ZXM="
DEMO_ID_NUMBER_HASH_KEY = "demo-only-id-number-hash-key"
ID_NUMBER_KEYS = env.list("ID_NUMBER_KEYS", default=[DEMO_ID_NUMBER_KEY])
ID_NUMBER_HASH_KEY = env.str("ID_NUMBER_HASH_KEY", default=DEMO_ID_NUMBER_HASH_KEY)
if not DEBUG and (DEMO_ID_NUMBER_KEY in ID_NUMBER_KEYS or ID_NUMBER_HASH_KEY == DEMO_ID_NUMBER_HASH_KEY):
    raise ImproperlyConfigured(
        "ID_NUMBER_KEYS and ID_NUMBER_HASH_KEY must be set (not the demo keys) when DEBUG is off: "
        "residents' ID numbers are encrypted and hashed with them."
    )
