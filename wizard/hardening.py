"""HTTP hardening: security headers on every response, and trusting a reverse proxy.

The policy allows nothing inline: htmx reads its configuration from a meta tag, and every
script and stylesheet is a file served by the wizard itself.
"""

from __future__ import annotations

from flask import Flask, Response, request
from werkzeug.middleware.proxy_fix import ProxyFix

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
    """Install the headers and, when configured, the proxy fix."""
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
