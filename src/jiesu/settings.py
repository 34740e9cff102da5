"""Django settings for jiesu. Environment variables override the SQLite defaults."""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from jiesu.core import secretkey as _secrets

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("JIESU_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)

# Safe by default: DEBUG only when asked for; the secret key from the environment or
# generated once into the var directory (mode 0600); a public key refused with DEBUG off.
DEBUG = os.environ.get("JIESU_DEBUG", "0") == "1"
try:
    SECRET_KEY = _secrets.secret_key(os.environ, VAR_DIR, debug=DEBUG)
except _secrets.UnsafeKey as _err:
    raise ImproperlyConfigured(str(_err)) from None
ALLOWED_HOSTS = os.environ.get("JIESU_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")

# Behind TLS (nginx terminates it and sets X-Forwarded-Proto): secure cookies, HSTS and
# the redirect to https. `jiesu check --deploy` is clean with JIESU_HTTPS=1.
JIESU_HTTPS = os.environ.get("JIESU_HTTPS", "0") == "1"
if JIESU_HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("JIESU_HSTS_SECONDS", 365 * 24 * 3600))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    # /healthz answers the load balancer over plain http on loopback.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Content-Security-Policy: scripts, styles and everything else only from jiesu itself, no
# inline script, no inline style attribute, no eval; so one missed escape cannot run.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "media-src": ["'self'", "blob:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "csp",
    "ninja",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "jiesu.core",
    "jiesu.org",
    "jiesu.cases",
    "jiesu.knowledge",
    "jiesu.intake",
    "jiesu.assessment",
    "jiesu.web",
    "jiesu.demo",
    "jiesu.audit",
    "jiesu.ops",
    "jiesu.dashboard",
    "jiesu.reports",
    "jiesu.supervision",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "jiesu.org.middleware.ReachMiddleware",
    "jiesu.audit.middleware.AuditContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "jiesu.core.middleware.SessionLimitMiddleware",
    "jiesu.core.middleware.SecondFactorMiddleware",
    "jiesu.core.middleware.PasswordChangeMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "jiesu.urls"
WSGI_APPLICATION = "jiesu.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "jiesu.cases.context_processors.navigation",
                "jiesu.dashboard.context_processors.navigation",
                "jiesu.org.context_processors.on_duty",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'jiesu.sqlite3'}", conn_max_age=60
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # JIT compiling the score queries costs more than it saves (docs/benchmarks.md).
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    # A file, not shared-cache memory, so tests with threads see real SQLite locking.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Password rules (等保 身份鉴别), see jiesu/core/passwords.py and docs/security-identification.md.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "jiesu.core.passwords.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "jiesu.core.passwords.CharacterClassesValidator", "OPTIONS": {"min_classes": 3}},
    {"NAME": "jiesu.core.passwords.UserAttributeSimilarityValidator"},
    {"NAME": "jiesu.core.passwords.CommonPasswordValidator"},
    {"NAME": "jiesu.core.passwords.PasswordAge"},
]

LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
# ECharts comes from npm (package-lock.json, `make setup`): one file of node_modules served.
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "jiesu.dashboard.finders.NodeModulesFinder",
]

# Server: `jiesu serve` collects the static files at start and serves them under hashed
# names, cached by browsers for a year; every other command and the tests keep plain storage.
if os.environ.get("JIESU_STATIC_MANIFEST") == "1":
    STORAGES["staticfiles"] = {
        "BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"
    }

MEDIA_ROOT = Path(os.environ.get("JIESU_MEDIA_ROOT", VAR_DIR / "media"))

LOGIN_URL = "/login/"
# "/" lands each role on its own start: the dashboard or the case list (dashboard.views.landing)
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/login/"

# Attachments: what the office may upload to a case.
JIESU_ATTACHMENT_MAX_BYTES = int(os.environ.get("JIESU_ATTACHMENT_MAX_BYTES", 20 * 1024 * 1024))
JIESU_ATTACHMENT_TYPES = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".pdf": "application/pdf",
    ".doc": "application/msword",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xls": "application/vnd.ms-excel",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".mp3": "audio/mpeg",
    ".wav": "audio/wav",
    ".txt": "text/plain",
}

# How often the navigation's queue counts refresh in the browser.
JIESU_POLL_SECONDS = int(os.environ.get("JIESU_POLL_SECONDS", 20))

# Spreadsheet imports: the largest file accepted.
JIESU_IMPORT_MAX_BYTES = int(os.environ.get("JIESU_IMPORT_MAX_BYTES", 100 * 1024 * 1024))
# Imports from the page are queued for `jiesu worker`; tests may run them in the request.
JIESU_IMPORT_IN_BACKGROUND = True

# Imports: limits of the child process that reads an uploaded spreadsheet
# (src/jiesu/intake/safe_read.py; docs/security-imports.md).
JIESU_IMPORT_MAX_UNCOMPRESSED = int(os.environ.get("JIESU_IMPORT_MAX_UNCOMPRESSED", 500 * 2**20))
JIESU_IMPORT_MAX_RATIO = int(os.environ.get("JIESU_IMPORT_MAX_RATIO", 100))
JIESU_IMPORT_MAX_ENTRIES = int(os.environ.get("JIESU_IMPORT_MAX_ENTRIES", 1000))
JIESU_IMPORT_MAX_ROWS = int(os.environ.get("JIESU_IMPORT_MAX_ROWS", 1_100_000))
JIESU_IMPORT_MAX_COLUMNS = int(os.environ.get("JIESU_IMPORT_MAX_COLUMNS", 200))
JIESU_IMPORT_MAX_CELLS = int(os.environ.get("JIESU_IMPORT_MAX_CELLS", 20_000_000))
JIESU_IMPORT_CHILD_MEMORY = int(os.environ.get("JIESU_IMPORT_CHILD_MEMORY", 2 * 2**30))
JIESU_IMPORT_CHILD_SECONDS = float(os.environ.get("JIESU_IMPORT_CHILD_SECONDS", 120))
# A run whose worker has not written a heartbeat for this long is taken as dead.
JIESU_IMPORT_STALE_MINUTES = int(os.environ.get("JIESU_IMPORT_STALE_MINUTES", 10))
# Uploaded import files (and their error workbooks) are deleted after this many days.
JIESU_IMPORT_RETENTION_DAYS = int(os.environ.get("JIESU_IMPORT_RETENTION_DAYS", 30))

# The routing-rule table's "one rule per category and community, also for all communities"
# constraint needs NULLS NOT DISTINCT, which SQLite lacks; the form checks it there.
SILENCED_SYSTEM_CHECKS = ["models.W047"]

# API requests per user and period, for every client system's token.
JIESU_API_RATE = os.environ.get("JIESU_API_RATE", "1200/min")

# Errors with their tracebacks go to rotated files under the var directory, so the 500
# page's "已记录" is true; warnings and errors also go to the console.
LOG_DIR = Path(os.environ.get("JIESU_LOG_DIR", VAR_DIR / "logs"))
LOG_DIR.mkdir(parents=True, exist_ok=True)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(process)d %(name)s: %(message)s"},
    },
    "handlers": {
        "errors": {
            "class": "logging.handlers.RotatingFileHandler",
            "filename": str(LOG_DIR / "errors.log"),
            "maxBytes": 10 * 1024 * 1024,
            "backupCount": 10,
            "encoding": "utf-8",
            "level": "WARNING",
            "formatter": "plain",
        },
        "console": {"class": "logging.StreamHandler", "level": "WARNING", "formatter": "plain"},
    },
    "loggers": {
        "django": {"handlers": ["errors", "console"], "level": "WARNING", "propagate": False},
        "jiesu": {"handlers": ["errors", "console"], "level": "INFO", "propagate": False},
    },
}

# Backups and health: the worker's daily backup (hour in Beijing time), how many to keep,
# an optional key file that encrypts them, and the thresholds /healthz reports against.
JIESU_BACKUP_DIR = Path(os.environ.get("JIESU_BACKUP_DIR", VAR_DIR / "backups"))
JIESU_BACKUP_KEEP = int(os.environ.get("JIESU_BACKUP_KEEP", 14))
JIESU_BACKUP_HOUR = int(os.environ.get("JIESU_BACKUP_HOUR", 2))
JIESU_BACKUP_KEY_FILE = os.environ.get("JIESU_BACKUP_KEY_FILE", "")
# Reports the worker builds (Beijing time): the 日报 daily, the 周报 on an ISO weekday
# (1 = Monday), the 月报 on a day of the month; their formats; how long a ledger file
# (which may hold revealed personal data) is kept for download.
JIESU_REPORT_SCHEDULE = {
    "daily": os.environ.get("JIESU_REPORT_DAILY_AT", "12:00"),
    "weekly": os.environ.get("JIESU_REPORT_WEEKLY_AT", "1 09:00"),
    "monthly": os.environ.get("JIESU_REPORT_MONTHLY_AT", "19 09:00"),
}
JIESU_REPORT_FORMATS = os.environ.get("JIESU_REPORT_FORMATS", "docx,xlsx,pdf").split(",")
JIESU_LEDGER_KEEP_DAYS = int(os.environ.get("JIESU_LEDGER_KEEP_DAYS", 7))
# The worker writes its heartbeat from a thread of its own this often, even mid-import.
JIESU_WORKER_HEARTBEAT_SECONDS = int(os.environ.get("JIESU_WORKER_HEARTBEAT_SECONDS", 30))
JIESU_HEALTH_WORKER_SILENT_SECONDS = int(os.environ.get("JIESU_HEALTH_WORKER_SILENT_SECONDS", 300))
JIESU_HEALTH_DISK_FREE_BYTES = int(os.environ.get("JIESU_HEALTH_DISK_FREE_BYTES", 1024**3))
JIESU_HEALTH_BACKUP_MAX_AGE_HOURS = int(os.environ.get("JIESU_HEALTH_BACKUP_MAX_AGE_HOURS", 26))

# Notifications sent outside the platform (supervision.senders). E-mail through SMTP
# (EMAIL_HOST/PORT/…); SMS through the office's HTTP gateway: a POST to JIESU_SMS_URL whose
# body is JIESU_SMS_TEMPLATE (JSON) with {mobile}, {text}, {apikey} and {request_id}
# filled in, sent as JSON or as a form (JIESU_SMS_FORMAT); the enterprise-chat group robot
# (WeCom-style JSON) at JIESU_WEBHOOK_URL. An empty URL turns that channel off.
EMAIL_HOST = os.environ.get("JIESU_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("JIESU_EMAIL_PORT", 25))
EMAIL_HOST_USER = os.environ.get("JIESU_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("JIESU_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("JIESU_EMAIL_TLS", "0") == "1"
EMAIL_USE_SSL = os.environ.get("JIESU_EMAIL_SSL", "0") == "1"
EMAIL_TIMEOUT = int(os.environ.get("JIESU_SEND_TIMEOUT", 10))
DEFAULT_FROM_EMAIL = os.environ.get("JIESU_EMAIL_FROM", "jiesu@localhost")
JIESU_SMS_URL = os.environ.get("JIESU_SMS_URL", "")
JIESU_SMS_KEY = os.environ.get("JIESU_SMS_KEY", "")
JIESU_SMS_TEMPLATE = os.environ.get(
    "JIESU_SMS_TEMPLATE",
    '{"apikey": "{apikey}", "mobile": "{mobile}", "text": "{text}", "request_id": "{request_id}"}',
)
JIESU_SMS_FORMAT = os.environ.get("JIESU_SMS_FORMAT", "json")  # json | form
JIESU_WEBHOOK_URL = os.environ.get("JIESU_WEBHOOK_URL", "")
JIESU_SEND_TIMEOUT = EMAIL_TIMEOUT  # seconds, for the gateway and the webhook too

# Audit (安全审计): proxies whose X-Forwarded-For is believed (addresses or networks,
# comma-separated), and how many reveals of personal data in an hour raise an alert.
JIESU_TRUSTED_PROXIES = [
    p.strip() for p in os.environ.get("JIESU_TRUSTED_PROXIES", "").split(",") if p.strip()
]
JIESU_REVEAL_ALERT_PER_HOUR = int(os.environ.get("JIESU_REVEAL_ALERT_PER_HOUR", 30))

# Identification (等保 身份鉴别): login lockout, password age, session limits.
# django-axes locks an account after JIESU_LOGIN_FAILURE_LIMIT failures; jiesu's handler locks
# an address (shared by an office's desks) only after JIESU_LOGIN_IP_FAILURE_LIMIT.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_HANDLER = "jiesu.core.lockout.LockoutHandler"
AXES_LOCKOUT_PARAMETERS = ["username"]
# The address is counted too, by LockoutHandler at its own limit; axes cannot see that.
SILENCED_SYSTEM_CHECKS = [*SILENCED_SYSTEM_CHECKS, "axes.W006"]
AXES_FAILURE_LIMIT = int(os.environ.get("JIESU_LOGIN_FAILURE_LIMIT", 5))
JIESU_LOGIN_IP_FAILURE_LIMIT = int(os.environ.get("JIESU_LOGIN_IP_FAILURE_LIMIT", 50))
JIESU_LOGIN_COOLOFF_MINUTES = int(os.environ.get("JIESU_LOGIN_COOLOFF_MINUTES", 30))
AXES_COOLOFF_TIME = JIESU_LOGIN_COOLOFF_MINUTES / 60  # hours, as a float
AXES_RESET_ON_SUCCESS = True
# Tries during a lockout are refused but do not extend it, so the page can name its end.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "jiesu.core.lockout.lockout_response"
AXES_HTTP_RESPONSE_CODE = 429
AXES_VERBOSE = False
# The same client address as the audit log: X-Forwarded-For only from JIESU_TRUSTED_PROXIES,
# so behind nginx the desks are not all counted as the proxy's one address.
AXES_CLIENT_IP_CALLABLE = "jiesu.audit.log.client_ip"
JIESU_PASSWORD_MAX_AGE_DAYS = int(os.environ.get("JIESU_PASSWORD_MAX_AGE_DAYS", 90))
JIESU_SESSION_IDLE_MINUTES = int(os.environ.get("JIESU_SESSION_IDLE_MINUTES", 30))
JIESU_SESSION_MAX_HOURS = int(os.environ.get("JIESU_SESSION_MAX_HOURS", 12))
SESSION_COOKIE_AGE = JIESU_SESSION_MAX_HOURS * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Two-factor login (等保 身份鉴别 c): TOTP codes from a phone authenticator, one-time backup
# codes. Who must use it: role codes of jiesu.org.models.Role, comma-separated, "all" or empty.
JIESU_2FA_ROLES = [
    r.strip() for r in os.environ.get("JIESU_2FA_ROLES", "admin").split(",") if r.strip()
]
# How long the step between the password and the code may take.
JIESU_2FA_PENDING_SECONDS = 5 * 60
JIESU_2FA_BACKUP_CODES = 10
OTP_TOTP_ISSUER = "接诉即办工作平台"
# Wrong codes count towards the account's lockout (axes), not django-otp's own delay.
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0
# A wrong code may be a typo of a right backup code: axes' failure records mask it.
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "code"]
