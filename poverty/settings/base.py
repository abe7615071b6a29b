"""Settings shared by every mode; everything that differs between machines comes from the environment."""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from csp import constants as csp

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("SECRET_KEY", default="django-insecure-local-development-key-change-me")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",  # the widget templates, for TemplatesSetting below
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_results",
    "simple_history",
    "axes",
    "django_htmx",
    "csp",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_tables2",
    "poverty",
    "accounts",
    "villages",
    "households",
    "projects",
    "inspections",
    "command",
    "assessments",
    "exits",
    "poverty.dashboard",
    "poverty.work",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.PasswordChangeRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # django-axes must come last so it sees the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

# Content-Security-Policy (django-csp). Every asset ships in static/, so scripts come only from
# this site and no page has inline script (static/poverty/page.js holds what handlers did): an
# injected <script> or onclick= does not run. Style attributes stay allowed (progress bars'
# widths, ECharts' tooltips); <style> elements do not. img-src takes data: for Bootstrap's
# inline SVG icons and blob: for photos previewed before upload.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [csp.SELF],
        "script-src": [csp.SELF],
        "style-src": [csp.SELF],
        "style-src-attr": [csp.UNSAFE_INLINE],
        "img-src": [csp.SELF, "data:", "blob:"],
        "font-src": [csp.SELF],
        "connect-src": [csp.SELF],
        "object-src": [csp.NONE],
        "base-uri": [csp.SELF],
        "form-action": [csp.SELF],
        "frame-ancestors": [csp.NONE],
    }
}

ROOT_URLCONF = "poverty.urls"
WSGI_APPLICATION = "poverty.wsgi.application"

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
                "poverty.navigation.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default runs the web server and a Celery worker against one file:
    # wait for locks instead of failing, and take the write lock at BEGIN.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 30, "transaction_mode": "IMMEDIATE"}
    )
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Persistent connections under gunicorn's threads (gunicorn.conf.py): seconds a connection is
# kept; 0 closes it after each request (the default, and what tests and SQLite use).
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.RoleBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# Offices share computers: a login lasts a working day (SESSION_HOURS), not Django's two weeks.
SESSION_COOKIE_AGE = env.int("SESSION_HOURS", default=12) * 3600

# Lockout after repeated failed logins (django-axes): per user name and address.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"
AXES_RESET_ON_SUCCESS = True

LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# The UI is Chinese only: no LocaleMiddleware, so a browser asking for English still gets zh-hans.
# Widgets render through the project's templates, so templates/django/forms/ can override them.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"
FILTERS_EMPTY_CHOICE_LABEL = "全部"
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
DJANGO_TABLES2_TEMPLATE = "tables/table.html"
DJANGO_TABLES2_TABLE_ATTRS = {"class": "table table-sm table-hover align-middle"}
PAGINATE_BY = 50

# Personal numbers (ID numbers) are encrypted with keys derived from this secret
# (poverty.personal.crypto). Changing it makes stored numbers unreadable: keep it with the backups.
PII_KEY = env("PII_KEY", default="local-development-pii-key-change-me")
# Visit photos and exit evidence uploaded from phones.
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024  # form fields; files are limited below
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=10 * 1024 * 1024)
# How poverty.evidence hands a checked file to the client: "" streams it from Django
# (FileResponse); "x-accel-redirect" (nginx, with an internal location at EVIDENCE_INTERNAL_URL
# aliasing MEDIA_ROOT) or "x-sendfile" (Apache mod_xsendfile) let the web server send it.
EVIDENCE_SENDFILE = env.str("EVIDENCE_SENDFILE", default="")
EVIDENCE_INTERNAL_URL = env.str("EVIDENCE_INTERNAL_URL", default="/protected-media/")
# A county roster of 30,000 households is about 10 MB; a province's about 100 MB.
ROSTER_MAX_BYTES = env.int("ROSTER_MAX_BYTES", default=200 * 1024 * 1024)
# Household-list exports of more households than this run as a background job with progress
# (about 3 persons a household; 3,000 households write in a few seconds).
ROSTER_EXPORT_INLINE = env.int("ROSTER_EXPORT_INLINE", default=3000)
# Days roster files (uploads, their error copies, export files: all may hold full ID numbers)
# are kept after their job finished; then a nightly job deletes them (the job records stay).
ROSTER_FILE_DAYS = env.int("ROSTER_FILE_DAYS", default=30)

# household_tally_idx carries INCLUDE columns for PostgreSQL's index-only scans; SQLite (the
# embedded default) builds the same index without them, which is all it needs.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["poverty.common.apiconf.RolePermission"],
    "DEFAULT_FILTER_BACKENDS": [
        "poverty.common.apiconf.FilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "poverty.common.apiconf.Pagination",
    "DEFAULT_PARSER_CLASSES": [
        "poverty.common.apiconf.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "poverty.common.api.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": ["poverty.common.apiconf.AccountRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"user": env("API_THROTTLE_RATE", default="600/minute")},
    "EXCEPTION_HANDLER": "poverty.common.apiconf.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "县扶贫办业务系统 API",
    "DESCRIPTION": "建档立卡、帮扶、督查整改与脱贫统计的对外接口。所有数据按令牌所属用户的管辖区域过滤。",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # Requests and responses described apart: a masked phone (139****5678) is a valid response
    # and an invalid request (poverty.common.api.AutoSchema).
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models have a "status" with its own code list: name each in the schema.
    "ENUM_NAME_OVERRIDES": {
        "HouseholdStatusEnum": "households.choices.HouseholdStatus",
        "MeasureStatusEnum": "households.choices.MeasureStatus",
        "FindingStatusEnum": "inspections.choices.Status",
    },
}

# Celery. With REDIS_URL the broker is Redis; without it the broker is a folder on disk,
# so the embedded default needs no server and a worker started beside runserver still
# receives the beat schedule.
REDIS_URL = env("REDIS_URL", default="")
CELERY_DATA_DIR = Path(env.str("CELERY_DATA_DIR", default=str(BASE_DIR / "var" / "celery")))
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS: dict = {}
else:
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_DATA_DIR / "queue"),
        "data_folder_out": str(CELERY_DATA_DIR / "queue"),
        "processed_folder": str(CELERY_DATA_DIR / "processed"),
        # kombu's default is ./control, i.e. files in the checkout.
        "control_folder": str(CELERY_DATA_DIR / "control"),
        "store_processed": False,
    }
# Installations (or test runs) sharing one Redis keep their jobs apart by queue name.
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_QUEUE", default="celery")
CELERY_RESULT_BACKEND = "django-db"
CELERY_RESULT_EXTENDED = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
HEARTBEAT_SECONDS = env.float("HEARTBEAT_SECONDS", default=60.0)
JOB_REQUEUE_MINUTES = env.float("JOB_REQUEUE_MINUTES", default=5.0)
JOB_SWEEP_SECONDS = env.float("JOB_SWEEP_SECONDS", default=60.0)
# The beat schedule lives in code; each app adds its jobs here.
CELERY_BEAT_SCHEDULE = {
    "heartbeat": {"task": "poverty.tasks.heartbeat", "schedule": HEARTBEAT_SECONDS},
    # Uploads and exports still waiting JOB_REQUEUE_MINUTES after they were saved (the broker
    # was away when they were) are queued again; checked every minute.
    "requeue-jobs": {"task": "poverty.tasks.requeue_jobs", "schedule": JOB_SWEEP_SECONDS},
    # 疑点数据: the data-quality rules over the whole registry, every night at 02:30.
    "check-quality": {
        "task": "households.tasks.check_quality",
        "schedule": crontab(hour=2, minute=30),
    },
    # 整改通知书 and 督导通报 for the month just ended: the 1st, 01:00 Asia/Shanghai.
    # NOTICES_SECONDS (tests only) fires it every few seconds instead.
    "monthly-notices": {
        "task": "inspections.tasks.make_monthly_notices",
        "schedule": env.float("NOTICES_SECONDS", default=0.0)
        or crontab(day_of_month=1, hour=1, minute=0),
    },
    # The dashboard's village tallies in full, every night at 03:00: they are recounted after
    # every change, and this catches a job lost with the broker or data restored by hand.
    "refresh-tallies": {
        "task": "dashboard.tasks.recount_tallies",
        "schedule": crontab(hour=3, minute=0),
    },
    # Roster files hold personal data: deleted ROSTER_FILE_DAYS after their job, at 04:00.
    "purge-roster-files": {
        "task": "households.tasks.purge_roster_files",
        "schedule": crontab(hour=4, minute=0),
    },
    # Reminders of every dated obligation in its window (poverty.work.obligations): every
    # morning at 07:30, before the office opens.
    "send-reminders": {
        "task": "work.tasks.send_reminders",
        "schedule": crontab(hour=7, minute=30),
    },
}
# Reminders also go by e-mail when an SMTP server is configured (EMAIL_URL, e.g.
# smtp://user:pass@mail.example.gov.cn:25); otherwise they stay in the app.
NOTIFY_BY_EMAIL = bool(env.str("EMAIL_URL", default=""))
if NOTIFY_BY_EMAIL:
    globals().update(env.email_url("EMAIL_URL"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="fupin@localhost")
# Reminders by text message: the dotted path of a sender class (poverty.work.sms); empty sends
# none. "poverty.work.sms.LoggingSender" writes them to the log instead of a gateway.
SMS_SENDER = env.str("SMS_SENDER", default="")
# A paired household not visited for this many days is listed on its cadre's work page.
VISIT_INTERVAL_DAYS = env.int("VISIT_INTERVAL_DAYS", default=30)

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            # Only the API throttle uses it, and it counts in memory while Redis is away
            # (poverty.common.apiconf): give up on an unreachable Redis within a second.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
