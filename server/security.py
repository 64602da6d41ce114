"""Password hashing, session tokens and CSRF tokens.

One signing helper with a namespace per purpose, so a CSRF token can never be
replayed as a session cookie and the other way round.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from itsdangerous import BadSignature, URLSafeSerializer
from itsdangerous import Signer as ItsdangerousSigner

# Argon2id at OWASP's recommended minimum (19 MiB, 2 passes, 1 lane): strong against
# offline cracking while a sign-up costs 19 MiB, not the library default's 64 MiB,
# which would dominate the server's memory. Older hashes are upgraded at login.
HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
# Verifying against this keeps a login for an unknown email as slow as for a known one.
_DUMMY_HASH = HASHER.hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    return HASHER.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return HASHER.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return HASHER.check_needs_rehash(password_hash)


class Signer:
    """Signs and checks tokens; results are pure functions of their input, so cached."""

    def __init__(self, secret_key: str) -> None:
        self._session = URLSafeSerializer(secret_key, salt="session")
        self._csrf = URLSafeSerializer(secret_key, salt="csrf")
        # The link in every reminder: it alone proves which account stops which messages.
        self._stop = URLSafeSerializer(secret_key, salt="reminders-stop")
        # A plain signed string, not a serialized one: a submission verifies it on the
        # hot path, and "7.3.module-id" needs no JSON.
        self._attempt = ItsdangerousSigner(secret_key, salt="quiz-attempt")
        self._seed_key = hashlib.sha256(b"quiz-seed\0" + secret_key.encode()).digest()
        self.session_token = lru_cache(maxsize=4096)(self._session_token)
        self.csrf_token = lru_cache(maxsize=4096)(self._csrf_token)
        self.csrf_valid = lru_cache(maxsize=4096)(self._csrf_valid)
        self.attempt_token = lru_cache(maxsize=4096)(self._attempt_token)
        self.attempt_of = lru_cache(maxsize=4096)(self._attempt_of)

    def session_cookie(self, token: str) -> str:
        return self._session.dumps(token)

    def _session_token(self, cookie: str | None) -> str | None:
        if not cookie:
            return None
        try:
            value = self._session.loads(cookie)
        except BadSignature:
            return None
        return value if isinstance(value, str) else None

    def stop_token(self, user_id: int, what: str) -> str:
        """The signed part of `/relances/arret/…`: stop reminders (`r`) or digests (`d`)."""
        return self._stop.dumps([user_id, what])

    def stop_of(self, token: str) -> tuple[int, str] | None:
        """(user id, what) of an unsubscribe link, or None if forged or mangled."""
        try:
            value = self._stop.loads(token)
        except BadSignature:
            return None
        match value:
            case [int() as user_id, "r" | "d" as what] if not isinstance(user_id, bool):
                return user_id, what
        return None

    def _csrf_token(self, csrf_cookie: str) -> str:
        return self._csrf.dumps(csrf_cookie)

    def attempt_seed(self, user_id: int, module_id: str, number: int) -> int:
        """The same for one learner's one attempt, unguessable without the secret key."""
        message = f"{user_id}\0{module_id}\0{number}".encode()
        return int.from_bytes(hmac.digest(self._seed_key, message, "sha256"), "big")

    def _attempt_token(self, user_id: int, module_id: str, number: int) -> str:
        """Carried by the quiz form: which learner's which attempt it shows."""
        return self._attempt.sign(f"{user_id}.{number}.{module_id}").decode()

    def _attempt_of(self, token: str | None, module_id: str) -> tuple[int, int] | None:
        """(user id, attempt number) of a quiz form for this module, or None if forged."""
        if not token:
            return None
        try:
            value = self._attempt.unsign(token).decode()
        except (BadSignature, UnicodeDecodeError):
            return None
        user_id, _, rest = value.partition(".")
        number, _, module = rest.partition(".")
        if module != module_id or not user_id.isdigit() or not number.isdigit():
            return None
        return int(user_id), int(number)

    def _csrf_valid(self, csrf_cookie: str | None, token: str | None) -> bool:
        if not csrf_cookie or not token:
            return False
        try:
            value = self._csrf.loads(token)
        except BadSignature:
            return False
        # As bytes: compare_digest refuses str with non-ASCII characters (a forged cookie).
        return isinstance(value, str) and hmac.compare_digest(value.encode(), csrf_cookie.encode())


def new_token() -> str:
    return secrets.token_urlsafe(32)


def csrf_binding(csrf_cookie: str, session_cookie: str | None) -> str:
    """What a CSRF token signs: this browser's CSRF cookie and its session together.

    A token taken before a login or logout no longer matches afterwards, and one
    minted for another session (a planted cookie) does not match this one. Hashed:
    the token sits in every page, which must not reveal the session cookie.
    """
    bound = f"{csrf_cookie}\0{session_cookie or ''}".encode("utf-8", "surrogatepass")
    return hashlib.sha256(b"csrf\0" + bound).hexdigest()


def cookie_name(name: str, https: bool) -> str:
    """`__Host-` over HTTPS: the browser then only accepts the cookie from this very
    host, over HTTPS, for the whole site; a sibling subdomain cannot plant one."""
    return f"__Host-{name}" if https else name


def token_hash(token: str) -> str:
    """Sessions are stored hashed: a leaked database does not hand out live sessions."""
    return hashlib.sha256(token.encode()).hexdigest()
