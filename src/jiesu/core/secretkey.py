"""The secret key: from the environment, else generated once into the var directory.

Kept free of Django imports: settings.py calls it before Django is configured.
"""

import os
import secrets
from pathlib import Path

# Keys that have been public (in this repository's history, Django's templates): a server
# with DEBUG off refuses them, since anyone could forge its sessions and password links.
KNOWN_KEYS = frozenset({"jiesu-development-key-change-me-in-production"})
KEY_FILE = "secret_key"


class UnsafeKey(Exception):
    pass


def is_known(key: str) -> bool:
    return key in KNOWN_KEYS or key.startswith("django-insecure") or len(key) < 32


def load_or_create(var_dir: Path) -> str:
    """The key in `var_dir/secret_key`, written with mode 0600 on first use."""
    path = var_dir / KEY_FILE
    try:
        key = path.read_text(encoding="ascii").strip()
        if key:
            return key
    except FileNotFoundError:
        pass
    key = secrets.token_urlsafe(50)
    # O_EXCL: when two processes start at once, one writes and the other reads its key.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="ascii").strip()
    with os.fdopen(fd, "w", encoding="ascii") as out:
        out.write(key + "\n")
    return key


def secret_key(environ, var_dir: Path, *, debug: bool) -> str:
    key = environ.get("JIESU_SECRET_KEY", "").strip() or load_or_create(var_dir)
    if not debug and is_known(key):
        raise UnsafeKey(
            "JIESU_SECRET_KEY 是公开的或过短的密钥(少于32个字符),生产环境不能使用。"
            f"请删除该环境变量(将自动生成密钥保存在 {KEY_FILE} 文件),或设置一个随机长密钥。"
        )
    return key
