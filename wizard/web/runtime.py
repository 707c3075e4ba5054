"""The glue between Flask and the domain: per-request database, services' settings,
the mail composer, the password hasher and the background delivery loop."""

from __future__ import annotations

import gc
import hashlib
import hmac
import threading
from datetime import timedelta

from argon2 import PasswordHasher
from flask import Flask, current_app, g, has_request_context, render_template, request, url_for
from flask_babel import force_locale
from markupsafe import Markup
from sqlite_utils import Database

from wizard import db, passwords
from wizard.activation import audit, enrolment, outbox
from wizard.activation.attempts import Brakes
from wizard.activation.charter import Charter, load
from wizard.activation.enrolment import Settings
from wizard.activation.names import normalize_address
from wizard.activation.steps import WAITING_PAGES, Step
from wizard.clock import utcnow
from wizard.web.i18n import current_language, mail_language

_START_LOCK = threading.Lock()
_frozen = False


def init_runtime(app: Flask) -> None:
    """Attach the per-request database and the mail delivery loop to the app."""
    app.teardown_appcontext(_close_db)
    app.extensions["sesame.delivery"] = None
    app.context_processor(_template_globals)
    app.extensions["sesame.rendered"] = {}
    app.extensions["sesame.urls"] = {}
    app.jinja_env.globals["rendered_once"] = rendered_once
    app.jinja_env.globals["url_for"] = page_url_for

    @app.before_request
    def _start_delivery() -> None:
        # Started lazily in the process that serves requests (a gunicorn worker, the
        # reloader's child), never in CLI commands.
        start_delivery_loop(app)
        if not _frozen and not app.testing:
            freeze_start_up_objects()

    @app.after_request
    def _wake_delivery(response):
        # Only after a request that queued mail (compose() marks it): waking the loop after
        # every POST made it look at the outbox a dozen times per activation.
        if g.pop("sesame_mail_queued", False):
            loop = app.extensions.get("sesame.delivery")
            if loop is not None:
                loop.wake()
        return response


def _template_globals() -> dict:
    from wizard.web.views.steps import ENDPOINTS

    return {"Step": Step, "WAITING_PAGES": WAITING_PAGES, "STEP_ENDPOINTS": ENDPOINTS}


# A page's progress indicator, footer and (on step pages) banner depend on little and on
# nothing personal (the language, the enrolment's facts, the helpdesk's contacts, the
# page's address) and cost a third of its rendering: each is rendered once per such key and
# kept. The keys are few (a few dozen states of the facts, a few dozen step addresses); the
# cap only guards against a mistake.
RENDERED_KEPT = 1024


def rendered_once(template: str, key: tuple, **context) -> Markup:
    """`template` rendered with `context`, kept for the same language and `key`.

    `key` must hold everything the template's output depends on, besides the language and
    the site's root path (which are added).
    """
    kept = current_app.extensions["sesame.rendered"]
    root = request.script_root if has_request_context() else ""
    full_key = (template, current_language(), root, key)
    html = kept.get(full_key)
    if html is None:
        html = Markup(render_template(template, **context))
        if len(kept) < RENDERED_KEPT:
            kept[full_key] = html
    return html


# url_for values that name a fixed resource (a static file, the theme's version): such
# addresses are the same on every page and are built once.
_FIXED_URL_VALUES = frozenset({"filename", "v"})


def page_url_for(endpoint: str, **values) -> str:
    """Templates' `url_for`: addresses of fixed resources (no values but a file name or a
    version) are built once per site root, the others as Flask builds them.

    A page names a dozen such addresses, each built through werkzeug's URL map (~15 µs).
    """
    if (not has_request_context() or endpoint.startswith(".")
            or not _FIXED_URL_VALUES.issuperset(values)):
        return url_for(endpoint, **values)
    kept = current_app.extensions["sesame.urls"]
    key = (request.script_root, endpoint, tuple(sorted(values.items())))
    address = kept.get(key)
    if address is None:
        address = kept[key] = url_for(endpoint, **values)
    return address


# Each thread keeps its connection from one request to the next. Opening one cost more than
# most requests' queries: the file, its WAL index and the schema read anew (~0.25 ms), and
# ~0.6 ms when the previous close, the last one, had checkpointed and removed the WAL.
_THREAD = threading.local()


def get_db() -> Database:
    """The request's database connection (this thread's), opened on first use."""
    if "db" not in g:
        g.db = _thread_connection(current_app.config["DATABASE"])
    return g.db


def _thread_connection(path: str) -> Database:
    kept = getattr(_THREAD, "db", None)
    if kept is not None and kept[0] == path:
        return kept[1]
    if kept is not None:
        kept[1].close()
    connection = db.connect(path)
    _THREAD.db = (path, connection)
    return connection


def _close_db(error: BaseException | None = None) -> None:
    connection = g.pop("db", None)
    if connection is None:
        return
    if error is not None or connection.conn.in_transaction:
        # Never carry a failure or an open transaction into the next request: that one
        # starts on a fresh connection.
        _forget_thread_connection()


def _forget_thread_connection() -> None:
    """Close this thread's kept connection; the next use opens a fresh one."""
    kept = getattr(_THREAD, "db", None)
    _THREAD.db = None
    if kept is not None:
        kept[1].close()


def settings() -> Settings:
    """The services' settings, from the app's configuration."""
    config = current_app.config
    return Settings(
        base_url=config["BASE_URL"],
        timezone=config["TIMEZONE"],
        link_valid_days=config["LINK_VALID_DAYS"],
        verification_valid_hours=config["VERIFICATION_VALID_HOURS"],
        verification_max_tries=config["VERIFICATION_MAX_TRIES"],
        resend_cooldown_seconds=config["RESEND_COOLDOWN_SECONDS"],
        code_key=hmac.new(config["SECRET_KEY"].encode(), b"sesame verification codes",
                          hashlib.sha256).digest(),
    )


def password_policy() -> passwords.PasswordPolicy:
    """The password rules from configuration."""
    config = current_app.config
    return passwords.PasswordPolicy(min_length=config["PASSWORD_MIN_LENGTH"],
                                    max_length=config["PASSWORD_MAX_LENGTH"],
                                    min_score=config["PASSWORD_MIN_SCORE"],
                                    allowed_characters=config["PASSWORD_ALLOWED_CHARACTERS"])


def password_hasher() -> PasswordHasher:
    """The argon2id hasher with the configured parameters."""
    config = current_app.config
    return passwords.hasher(time_cost=config["ARGON2_TIME_COST"],
                            memory_kib=config["ARGON2_MEMORY_KIB"],
                            parallelism=config["ARGON2_PARALLELISM"])


def charter() -> Charter:
    """The charter in force."""
    config = current_app.config
    return load(config["CHARTER_FILE"], current_app.instance_path, config["CHARTER_VERSION"])


def sesame_brakes() -> Brakes:
    """How failed sésame entries slow down, then lock, a login."""
    config = current_app.config
    return Brakes(wait_after=config["SESAME_WAIT_AFTER"],
                  wait=timedelta(minutes=config["SESAME_WAIT_MINUTES"]),
                  lock_after=config["SESAME_LOCK_AFTER"])


def sesame_checker():
    """`check(login, code)`: the person whose live sésame this is, or None (one hash always)."""
    from wizard.activation.sesames import check_sesame

    database, hasher = get_db(), password_hasher()
    return lambda login, code: check_sesame(database, hasher, login, code, utcnow())


def compose(kind: str, context: dict) -> outbox.Rendered:
    """Render mail `kind` from templates/emails/: the text's first line is the subject.

    Written in the person's language (the one they last used the wizard in), else the
    requester's, else the default (see i18n.mail_language).
    """
    g.sesame_mail_queued = True  # the delivery loop is woken after the request
    with force_locale(mail_language(context)):
        text = render_template(f"emails/{kind}.txt", **context)
        subject, _, body = text.partition("\n")
        html = render_template(f"emails/{kind}.html", subject=subject.strip(), **context)
    return outbox.Rendered(subject=subject.strip(), text=body.lstrip("\n"), html=html)


def origin() -> audit.Origin:
    """Where the current request comes from, for the audit log."""
    return audit.Origin(actor="person", ip=request.remote_addr,
                        user_agent=request.headers.get("User-Agent"))


def personal_words(person) -> passwords.PersonalWords:
    """Words a password must not be built on: the person's names, login, personal address
    and birth date (when HR gave it), and the institution's own words."""
    config = current_app.config
    extra = [word.strip() for word in config["PASSWORD_EXTRA_WORDS"].split(",")]
    extra += [config["INSTITUTION_NAME"], config["MAIL_DOMAIN"].rsplit(".", 1)[0]]
    personal_email = person.personal_email
    row = get_db().execute("SELECT birth_date FROM people WHERE id = ?",
                           [person.id]).fetchone()
    return passwords.personal_words(
        person.first_name, person.last_name, person.login,
        normalize_address(personal_email) if personal_email else None,
        birth_date=row[0] if row else None,  # ISO, from the HR import; often unknown
        extra=[word for word in extra if word])


def deliver_once(app: Flask) -> outbox.DeliveryReport:
    """One pass of the mail worker: handle « 1ère connexion » requests, then deliver.

    Delivery through SMTP only with the smtp backend; with the outbox backend (demo) the
    mails stay in the outbox for the viewer.
    """
    config = app.config
    # This thread's connection, kept from one pass to the next as a request's is (a pass
    # runs after every activation, and twice a second when idle).
    connection = _thread_connection(config["DATABASE"])
    try:
        with app.app_context():
            enrolment.handle_link_requests(connection, settings(), compose, now=utcnow())
        if config["MAIL_BACKEND"] != "smtp":
            return outbox.DeliveryReport()
        transport = outbox.SmtpTransport(outbox.SmtpSettings(
            host=config["SMTP_HOST"], port=config["SMTP_PORT"],
            security=config["SMTP_SECURITY"], username=config["SMTP_USERNAME"],
            password=config["SMTP_PASSWORD"], timeout=config["SMTP_TIMEOUT"]))
        return outbox.deliver_due(
            connection, transport, sender=config["MAIL_FROM"], domain=config["MAIL_DOMAIN"],
            retry_base=config["MAIL_RETRY_BASE_SECONDS"],
            retry_max=config["MAIL_RETRY_MAX_SECONDS"], keep_bodies=config["MAIL_VIEWER"])
    except BaseException:
        _forget_thread_connection()
        raise
    finally:
        if connection.conn.in_transaction:
            _forget_thread_connection()


def freeze_start_up_objects() -> None:
    """Take what the process built at start (modules, app, catalogs…) out of the garbage
    collector's sight, once, at the first request it serves.

    Python's full collections walk every container object still alive: ~50,000 of them
    after start-up, 10 to 45 ms a walk that stalls every thread of the worker, a few times
    a minute under load, for objects that live as long as the process. Frozen, they are no
    longer walked (a full collection then takes under a millisecond); they are still freed
    by reference counting should they ever die. Not in tests, where each test's app would
    pile up in the frozen generation.
    """
    global _frozen
    with _START_LOCK:
        if not _frozen:
            gc.collect()
            gc.freeze()
            _frozen = True


def start_delivery_loop(app: Flask) -> None:
    """Start this process's mail worker thread once (unless cron does the work)."""
    if app.extensions.get("sesame.delivery") is not None:
        return
    config = app.config
    if not config["MAIL_DELIVERY_THREAD"]:
        return
    with _START_LOCK:
        if app.extensions.get("sesame.delivery") is None:
            loop = outbox.DeliveryLoop(lambda: deliver_once(app), config["MAIL_POLL_SECONDS"])
            app.extensions["sesame.delivery"] = loop
            loop.start()
