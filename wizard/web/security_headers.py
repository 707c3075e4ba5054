"""HTTP hardening: security headers on every response, and trusting a reverse proxy.

The policy allows nothing inline: htmx reads its configuration from a meta tag, and every
script and stylesheet is a file served by the wizard itself.
"""

from __future__ import annotations

import logging
import re

from flask import Flask, Response, request
from werkzeug.middleware.proxy_fix import ProxyFix

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


def register(app: Flask) -> None:
    """Install the headers, the log redaction and, when configured, the proxy fix."""
    redact_access_logs()
    hops = app.config["PROXY_FIX_HOPS"]
    if hops:
        # Trust X-Forwarded-For/-Proto from exactly `hops` proxies: the audit log and the
        # rate limits then see the person's address, not the proxy's. The Host header is
        # never trusted: mail URLs come from BASE_URL.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore
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
