"""The application factory: configuration, extensions, blueprints, CLI."""

from __future__ import annotations

import logging
import os
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask

from wizard import config as settings_module
from wizard.clock import SYSTEM
from wizard.config import ROOT
from wizard.web import security_headers
from wizard.web.extensions import csrf, limiter
from wizard.web.request_guard import RequestGuard


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the application: configuration, database, extensions, blueprints, CLI."""
    app = Flask(
        "wizard",
        instance_path=os.environ.get("WIZARD_INSTANCE_PATH", str(ROOT / "instance")),
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    app.config.from_mapping(settings_module.DEFAULTS)
    app.config.from_pyfile("config.py", silent=True)
    app.config.update(settings_module.from_environment())
    if test_config:
        app.config.update(test_config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    _finish_config(app)

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: "
                        "%(message)s")
    csrf.init_app(app)
    limiter.init_app(app)
    security_headers.register(app)

    from wizard import passwords
    from wizard.web.database import init_database
    from wizard.web.delivery import init_delivery
    from wizard.web.gc_freeze import init_gc_freeze
    from wizard.web.i18n import init_i18n
    from wizard.web.render_cache import init_render_cache
    from wizard.web.views.navigation import init_navigation

    # The password-strength word index: opened (built the first time) here, never mid-request.
    passwords.install(Path(app.instance_path))
    init_database(app)
    init_delivery(app)
    init_gc_freeze(app)
    init_render_cache(app)
    init_navigation(app)
    init_i18n(app)

    from wizard.web.views import branding, errors, language, links, mailviewer, public, steps

    branding.init_branding(app)
    app.register_blueprint(branding.bp)
    app.register_blueprint(language.bp)
    app.register_blueprint(public.bp)
    app.register_blueprint(links.bp)
    app.register_blueprint(steps.bp)
    errors.register(app)
    app.wsgi_app = RequestGuard(app.wsgi_app, app.config)  # type: ignore[method-assign]
    if app.config["MAIL_VIEWER"] or app.config["DEMO"]:
        app.register_blueprint(mailviewer.bp)

    from wizard.operators.cli import register_commands

    register_commands(app)
    return app


def _finish_config(app: Flask) -> None:
    """Derive the settings that depend on others."""
    config = app.config
    if not config.get("DATABASE"):
        config["DATABASE"] = str(Path(app.instance_path) / "wizard.sqlite3")
    if not config.get("RATELIMIT_STORAGE_URI"):
        # Shared by every worker on this host (each `memory://` would count alone).
        config["RATELIMIT_STORAGE_URI"] = f"sqlite://{config['DATABASE']}.limits"
    if not config.get("SECRET_KEY"):
        config["SECRET_KEY"] = _instance_secret(Path(app.instance_path) / "secret_key")
    _refuse_a_weak_secret_key(config)
    if config["DEMO"]:
        config["MAIL_VIEWER"] = True
    config.setdefault("CLOCK", SYSTEM)
    config["MAX_CONTENT_LENGTH"] = config.get("MAX_CONTENT_LENGTH") or 64 * 1024
    config["SESSION_COOKIE_HTTPONLY"] = True
    config["SESSION_COOKIE_SAMESITE"] = "Lax"
    config["SESSION_COOKIE_SECURE"] = config["BASE_URL"].startswith("https://")
    # __Host-: the browser refuses it unless Secure, for this host only, on path /.
    config["SESSION_COOKIE_NAME"] = ("__Host-sesame_session"
                                     if config["SESSION_COOKIE_SECURE"] else "sesame_session")
    config["WTF_CSRF_TIME_LIMIT"] = None  # the session's idle timeout bounds it already
    config["PERMANENT_SESSION_LIFETIME"] = timedelta(minutes=config["SESSION_IDLE_MINUTES"])
    # The cookie is rewritten when the session changes, not on every response: its expiry
    # then moves with the idle clock (`wizard_session.SEEN_REFRESH_SECONDS`), in step with
    # the server's own idle check.
    config["SESSION_REFRESH_EACH_REQUEST"] = False


# Values seen in documentation, samples and tests: never a production key.
SAMPLE_SECRET_KEYS = {"change-me", "changeme", "change_me", "secret", "secret-key",
                      "secret_key", "dev", "development", "test", "test-secret", "testing",
                      "browser-tests", "screenshots", "bench", "load-test", "sesame", "x",
                      "your-secret-key", "votre-cle-secrete", "please-change-me"}
MIN_SECRET_KEY_BYTES = 32


class WeakSecretKey(RuntimeError):
    """The secret key would let anyone sign cookies: the app refuses to start."""


def _refuse_a_weak_secret_key(config) -> None:
    """In production (an https base URL, or demo mode off), refuse a secret key shorter
    than 32 bytes, made of a few characters, or a known sample value: with it, one
    cookie is enough to recover the key offline and sign any session."""
    if not (config["BASE_URL"].startswith("https://") or not config["DEMO"]):
        return
    key = str(config["SECRET_KEY"])
    if (len(key.encode()) >= MIN_SECRET_KEY_BYTES and len(set(key)) >= 8
            and key.strip().lower() not in SAMPLE_SECRET_KEYS):
        return
    raise WeakSecretKey(
        "WIZARD_SECRET_KEY est trop faible (moins de 32\u00a0octets, ou une valeur "
        "d'exemple)\u00a0: n'importe qui pourrait signer des cookies de session. "
        "Générez-en une avec\u00a0: python -c \"import secrets; "
        "print(secrets.token_hex(32))\" (la même pour chaque processus), ou ne la "
        "définissez pas pour qu'une clé soit créée dans instance/secret_key.")


def _instance_secret(path: Path) -> str:
    """Read the instance's generated secret key, creating it the first time."""
    key = secrets.token_hex(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process (or an earlier start) created it
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key
