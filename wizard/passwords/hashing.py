"""argon2id hashing of passwords (and sésames): one hash at a time per process."""

from __future__ import annotations

import threading

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from wizard.passwords.policy import normalize

# argon2-cffi computes a hash's lanes in threads of its own (with the defaults ~150 ms of CPU,
# 64 MiB, and ~90 ms of wall time on 2 cores). With a worker per core, a process whose
# threads hash at once gains no speed (the cores are busy already) but holds 64 MiB per
# hash: a gunicorn worker with 4 threads peaked at 357 MB. One hash at a time per process
# keeps its peak near its baseline + 64 MiB (docs/performance.md).
_ARGON2_GATE = threading.Lock()


class _OneAtATime(PasswordHasher):
    """A PasswordHasher whose hashes and checks in one process take turns."""

    def hash(self, password: str | bytes, *, salt: bytes | None = None) -> str:
        with _ARGON2_GATE:
            return super().hash(password, salt=salt)

    def verify(self, hash: str | bytes, password: str | bytes) -> bool:  # argon2's names
        with _ARGON2_GATE:
            return super().verify(hash, password)


def hasher(*, time_cost: int, memory_kib: int, parallelism: int) -> PasswordHasher:
    """Return an argon2id hasher with these parameters (one hash at a time per process)."""
    return _OneAtATime(time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism)


def hash_password(password_hasher: PasswordHasher, password: str) -> str:
    """Hash a (normalised) password as argon2id; the hash records its parameters."""
    return password_hasher.hash(normalize(password))


def verify_password(password_hasher: PasswordHasher, stored: str, password: str) -> bool:
    """Check a password against a stored hash; False for a wrong password or a bad hash."""
    try:
        return password_hasher.verify(stored, normalize(password))
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hasher: PasswordHasher, stored: str) -> bool:
    """Whether a stored hash was made with other parameters (or another variant) than these."""
    try:
        return password_hasher.check_needs_rehash(stored)
    except (InvalidHashError, ValueError):
        return True


def verify_and_upgrade(password_hasher: PasswordHasher, stored: str,
                       password: str) -> tuple[bool, str | None]:
    """Check a password; when it is right and its hash is outdated, also hash it anew.

    Returns (matches, new_hash): new_hash is None unless the caller should store it in
    place of `stored` (the parameters changed since it was made).
    """
    if not verify_password(password_hasher, stored, password):
        return False, None
    if needs_rehash(password_hasher, stored):
        return True, hash_password(password_hasher, password)
    return True, None
