"""Encrypted backups: AES-256-GCM over 1 MiB chunks, so any size streams and any change is caught.

Layout: MAGIC, an 8-byte random nonce prefix, then frames of (1-byte last flag, 4-byte length,
ciphertext). Each chunk's nonce is the prefix and its 4-byte number; the magic, prefix, number
and last flag are authenticated with it, so a chunk cannot be changed, dropped, reordered or
cut off at the end without the reader noticing.
"""

import base64
import os
import struct
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from jiesu.ops.errors import BackupError

MAGIC = b"JIESU-BACKUP-AES256GCM-1\n"
CHUNK = 1024 * 1024
_FRAME = struct.Struct(">BI")


def new_key_file(path: Path) -> None:
    """Write a fresh random 256-bit key, readable by its owner only; never overwrite one."""
    key = base64.urlsafe_b64encode(AESGCM.generate_key(bit_length=256))
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise BackupError(f"密钥文件 {path} 已存在,不会覆盖。") from None
    with os.fdopen(fd, "wb") as out:
        out.write(key + b"\n")


def read_key_file(path: Path) -> bytes:
    try:
        text = Path(path).read_bytes().strip()
    except OSError as err:
        raise BackupError(f"读不了密钥文件 {path}:{err.strerror}。") from None
    try:
        key = base64.urlsafe_b64decode(text)
    except ValueError:
        key = b""
    if len(key) != 32:
        raise BackupError(f"密钥文件 {path} 的内容不是 jiesu 的备份密钥。")
    return key


def is_encrypted(path: Path) -> bool:
    with open(path, "rb") as f:
        return f.read(len(MAGIC)) == MAGIC


class EncryptingWriter:
    """A write-only file object that encrypts what is written into `out`; close() seals it."""

    def __init__(self, out, key: bytes):
        self._out = out
        self._aead = AESGCM(key)
        self._prefix = os.urandom(8)
        self._number = 0
        self._pending = bytearray()
        out.write(MAGIC + self._prefix)

    def write(self, data) -> int:
        self._pending += data
        while len(self._pending) > CHUNK:
            self._seal(bytes(self._pending[:CHUNK]), last=False)
            del self._pending[:CHUNK]
        return len(data)

    def close(self) -> None:
        self._seal(bytes(self._pending), last=True)
        self._pending.clear()

    def _seal(self, chunk: bytes, *, last: bool) -> None:
        nonce, aad = _nonce_and_aad(self._prefix, self._number, last)
        sealed = self._aead.encrypt(nonce, chunk, aad)
        self._out.write(_FRAME.pack(last, len(sealed)) + sealed)
        self._number += 1


class DecryptingReader:
    """A read-only file object over an encrypted backup; raises BackupError on any change."""

    def __init__(self, source, key: bytes):
        self._in = source
        self._aead = AESGCM(key)
        head = source.read(len(MAGIC) + 8)
        if head[: len(MAGIC)] != MAGIC or len(head) != len(MAGIC) + 8:
            raise BackupError("这个文件不是加密的 jiesu 备份。")
        self._prefix = head[len(MAGIC) :]
        self._number = 0
        self._buffer = b""
        self._done = False

    def read(self, size: int = -1) -> bytes:
        while not self._done and (size < 0 or len(self._buffer) < size):
            self._buffer += self._open_next()
        if size < 0:
            size = len(self._buffer)
        data, self._buffer = self._buffer[:size], self._buffer[size:]
        return data

    def _open_next(self) -> bytes:
        frame = self._in.read(_FRAME.size)
        if len(frame) != _FRAME.size:
            raise BackupError("加密备份不完整(文件被截断)。")
        last, length = _FRAME.unpack(frame)
        sealed = self._in.read(length)
        nonce, aad = _nonce_and_aad(self._prefix, self._number, bool(last))
        try:
            chunk = self._aead.decrypt(nonce, sealed, aad)
        except InvalidTag:
            if self._number == 0:
                raise BackupError("密钥不对,或备份文件已被改动,无法解密。") from None
            raise BackupError(
                f"备份文件已被改动或损坏:第 {self._number + 1} 块校验失败。"
            ) from None
        self._number += 1
        if last:
            if self._in.read(1):
                raise BackupError("加密备份的结尾之后还有多余内容,文件已被改动。")
            self._done = True
        return chunk


def _nonce_and_aad(prefix: bytes, number: int, last: bool) -> tuple[bytes, bytes]:
    counter = struct.pack(">I", number)
    return prefix + counter, MAGIC + prefix + counter + bytes([last])
