"""What the WSGI server hands over, made safe for werkzeug before the app sees it.

- A chunked body has no length: werkzeug silently stops reading it at MAX_CONTENT_LENGTH
  and parses what came before, so an oversized form would be cut, not refused. It is read
  here up to one byte past the cap and handed on with its length, which werkzeug checks
  like any other: over the cap, the 413 page.
- A query string of raw bytes that are not UTF-8 makes werkzeug raise deep inside
  `request.args` (a 500, even on the error page). Those bytes are percent-encoded here,
  which werkzeug decodes as it does in paths: into U+FFFD.
- A Host header werkzeug cannot encode (IDNA: a label over 63 characters, an empty one)
  fails routing before the error page can build its links: a 500. Such a header is
  dropped, and the server's own name used, as for a request without one. Sésame never
  trusts the Host header anyway: the URLs in mails come from BASE_URL.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import quote

WsgiApp = Callable[[dict, Callable], Iterable[bytes]]

# Everything a query string may hold as it is: the ASCII a client sends unencoded.
_QUERY_SAFE = "".join(chr(c) for c in range(0x21, 0x7f))


class RequestGuard:
    """WSGI middleware: bound chunked bodies by the cap, make query strings decodable,
    drop a Host header routing cannot use."""

    def __init__(self, app: WsgiApp, config: Any):
        self.app = app
        self.config = config

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        """Fix up the environ, then call the application."""
        self._bound_chunked_body(environ)
        self._encode_query(environ)
        self._drop_unroutable_host(environ)
        return self.app(environ, start_response)

    def _bound_chunked_body(self, environ: dict) -> None:
        chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        limit = self.config.get("MAX_CONTENT_LENGTH")
        # Only where the server de-chunks the body (gunicorn does, and says so with
        # wsgi.input_terminated); werkzeug reads nothing of it otherwise.
        if chunked and limit and environ.get("wsgi.input_terminated"):
            body = environ["wsgi.input"].read(limit + 1)
            environ["wsgi.input"] = io.BytesIO(body)
            environ["CONTENT_LENGTH"] = str(len(body))
            del environ["HTTP_TRANSFER_ENCODING"]  # now a body of known length

    @staticmethod
    def _encode_query(environ: dict) -> None:
        # WSGI strings carry the raw bytes as latin-1 characters.
        raw = environ.get("QUERY_STRING", "").encode("latin-1", "replace")
        try:
            raw.decode()
        except UnicodeDecodeError:
            environ["QUERY_STRING"] = quote(raw, safe=_QUERY_SAFE)

    @staticmethod
    def _drop_unroutable_host(environ: dict) -> None:
        host = environ.get("HTTP_HOST")
        if host is None:
            return
        try:
            host.lower().encode("idna")  # what werkzeug's routing does with it
        except UnicodeError:
            del environ["HTTP_HOST"]
