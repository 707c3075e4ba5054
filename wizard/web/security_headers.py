"""HTTP hardening: security headers on every response, and trusting a reverse proxy.

The policy allows nothing inline: htmx reads its configuration from a meta tag, and every
script and stylesheet is a file served by the wizard itself.
"""

from __future__ import annotations

import logging
import os
import re
import shlex
import sys
from pathlib import Path

from flask import Flask, Response, request
from werkzeug.middleware.proxy_fix import ProxyFix

log = logging.getLogger(__name__)

# Links in mails carry their secret in the path; access logs must not keep it.
_SECRET_PATH = re.compile(r"/(activation|verification)/[^\s/?\"']+")


class RedactSecrets(logging.Filter):
    """Replaces link tokens in log lines (request lines of access logs) with « … »."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record's message without the secret; never drop the record."""
        message = record.getMessage()
        redacted = _SECRET_PATH.sub(r"/\1/…", message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True


def redact_access_logs() -> None:
    """Install the filter on the loggers that print request lines."""
    for name in ("werkzeug", "gunicorn.access"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactSecrets) for f in logger.filters):
            logger.addFilter(RedactSecrets())

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])


LOOPBACK = ("127.", "localhost", "[::1]", "::1", "unix:")


def bound_addresses(argv: list[str], cmd_args: str = "") -> list[str]:
    """The addresses gunicorn was told to bind (`-b`/`--bind`), from its command line and
    GUNICORN_CMD_ARGS; gunicorn's default, 127.0.0.1:8000, when it was told none. Empty
    when not under gunicorn."""
    if not argv or "gunicorn" not in Path(argv[0]).name:
        return []
    words = [*argv[1:], *shlex.split(cmd_args)]
    found = []
    for index, word in enumerate(words):
        if word in ("-b", "--bind") and index + 1 < len(words):
            found.append(words[index + 1])
        elif word.startswith("--bind="):
            found.append(word.split("=", 1)[1])
        elif word.startswith("-b") and len(word) > 2:
            found.append(word[2:])
    return found or ["127.0.0.1:8000"]


def warn_when_reachable_directly(argv: list[str], cmd_args: str = "") -> list[str]:
    """With PROXY_FIX_HOPS > 0, X-Forwarded-For is believed: anyone reaching gunicorn
    without the proxy could pick the address the audit log and the rate limits see. Warn
    (at start) when gunicorn listens on anything but the loopback; return those."""
    exposed = [address for address in bound_addresses(argv, cmd_args)
               if not address.startswith(LOOPBACK)]
    if exposed:
        log.warning(
            "WIZARD_PROXY_FIX_HOPS > 0 but gunicorn listens on %s: X-Forwarded-For is "
            "believed from whoever connects. Bind to 127.0.0.1 behind the proxy "
            "(docs/administrators.md).", ", ".join(exposed))
    return exposed


def register(app: Flask) -> None:
    """Install the headers, the log redaction and, when configured, the proxy fix."""
    redact_access_logs()
    hops = app.config["PROXY_FIX_HOPS"]
    if hops:
        # Trust X-Forwarded-For/-Proto from exactly `hops` proxies: the audit log and the
        # rate limits then see the person's address, not the proxy's. The Host header is
        # never trusted: mail URLs come from BASE_URL.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore
        warn_when_reachable_directly(sys.argv, os.environ.get("GUNICORN_CMD_ARGS", ""))
    https = app.config["BASE_URL"].startswith("https://")

    @app.after_request
    def security_headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers["X-Content-Type-Options"] = "nosniff"
        headers["X-Frame-Options"] = "DENY"
        # Links carry tokens: never leak the URL to another site.
        headers["Referrer-Policy"] = "no-referrer"
        headers["Cross-Origin-Opener-Policy"] = "same-origin"
        headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
        if https:
            headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        if request.endpoint != "static":
            # Pages show names, addresses, links: no copy in any cache, back button included.
            headers["Cache-Control"] = "no-store"
            headers["Pragma"] = "no-cache"
        return response
