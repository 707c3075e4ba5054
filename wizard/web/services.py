"""What a view hands to the domain: one object per request (`services()`).

It holds the request's database connection, the settings, the clock, the mail composer,
the directory and where the request comes from, and builds from them the domain's
`Context`. What depends only on the configuration (settings, password rules, hasher,
brakes) is built per request, from the configuration as it stands (a few microseconds).
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import timedelta
from functools import cached_property

from argon2 import PasswordHasher
from flask import Flask, current_app, g, render_template, request
from flask_babel import force_locale

from wizard import passwords
from wizard.activation import audit, outbox
from wizard.activation.attempts import Brakes
from wizard.activation.charter import Charter, load
from wizard.activation.completion import personal_words
from wizard.activation.context import Context, Settings
from wizard.activation.people import Person
from wizard.clock import Clock
from wizard.directory import Directory
from wizard.directory.sqlite import SqliteDirectory
from wizard.web.database import get_db
from wizard.web.i18n import mail_language


@dataclass(frozen=True)
class AppServices:
    """What follows from the configuration alone."""

    settings: Settings
    password_policy: passwords.PasswordPolicy
    password_hasher: PasswordHasher
    sesame_brakes: Brakes
    institution_words: list[str]


def build_app_services(config) -> AppServices:
    """The app's services from its configuration."""
    extra = [word.strip() for word in config["PASSWORD_EXTRA_WORDS"].split(",")]
    extra += [config["INSTITUTION_NAME"], config["MAIL_DOMAIN"].rsplit(".", 1)[0]]
    return AppServices(
        settings=Settings(
            base_url=config["BASE_URL"],
            timezone=config["TIMEZONE"],
            link_valid_days=config["LINK_VALID_DAYS"],
            verification_valid_hours=config["VERIFICATION_VALID_HOURS"],
            verification_max_tries=config["VERIFICATION_MAX_TRIES"],
            verification_mails_per_day=config["VERIFICATION_MAILS_PER_DAY"],
            resend_cooldown_seconds=config["RESEND_COOLDOWN_SECONDS"],
            code_key=hmac.new(config["SECRET_KEY"].encode(), b"sesame verification codes",
                              hashlib.sha256).digest(),
        ),
        password_policy=passwords.PasswordPolicy(
            min_length=config["PASSWORD_MIN_LENGTH"],
            max_length=config["PASSWORD_MAX_LENGTH"],
            min_score=config["PASSWORD_MIN_SCORE"],
            allowed_characters=config["PASSWORD_ALLOWED_CHARACTERS"]),
        password_hasher=passwords.hasher(time_cost=config["ARGON2_TIME_COST"],
                                         memory_kib=config["ARGON2_MEMORY_KIB"],
                                         parallelism=config["ARGON2_PARALLELISM"]),
        sesame_brakes=Brakes(wait_after=config["SESAME_WAIT_AFTER"],
                             wait=timedelta(minutes=config["SESAME_WAIT_MINUTES"]),
                             lock_after=config["SESAME_LOCK_AFTER"]),
        institution_words=[word for word in extra if word],
    )


def app_services(app: Flask | None = None) -> AppServices:
    """The current (or given) app's services, from its configuration."""
    return build_app_services((app or current_app).config)


def clock(app: Flask | None = None) -> Clock:
    """The app's clock (the wall clock, unless a test set another)."""
    return (app or current_app).config["CLOCK"]


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


def context(origin: audit.Origin, db=None, app: Flask | None = None) -> Context:
    """A domain context outside a request (CLI commands, the mail worker, tests); inside
    an app context, for the mail composer."""
    app = app or current_app
    db = db if db is not None else get_db()
    return Context(db=db, settings=app_services(app).settings, compose=compose,
                   clock=clock(app), origin=origin, directory=directory_for(db, app))


def uses_ldap(app: Flask | None = None) -> bool:
    """Whether accounts go to the institution's LDAP directory (WIZARD_DIRECTORY=ldap)."""
    return (app or current_app).config["DIRECTORY"] == "ldap"


def directory_for(db, app: Flask | None = None) -> Directory:
    """Where activated accounts are written: the embedded SQLite directory by default, the
    institution's LDAP directory with WIZARD_DIRECTORY=ldap (it connects on first use)."""
    app = app or current_app
    if not uses_ldap(app):
        return SqliteDirectory(db)
    from wizard.directory.ldap import LdapDirectory
    return LdapDirectory(db, ldap_settings(app))


def ldap_settings(app: Flask | None = None):
    """The app's LDAP settings, read once (the bind password may come from a file)."""
    app = app or current_app
    found = app.extensions.get("sesame.ldap_settings")
    if found is None:
        from wizard.directory.ldap import settings_from_config
        found = app.extensions["sesame.ldap_settings"] = settings_from_config(app.config)
    return found


def apply_directory_queue(db, app: Flask | None = None, *, logins: list[str] | None = None,
                          ignore_backoff: bool = False):
    """Apply the directory queue's due writes (the mail worker's pass, `wizard directory
    sync`); nothing to do with the SQLite directory, which writes everything at once."""
    from wizard.directory import queue
    app = app or current_app
    if not uses_ldap(app):
        return queue.QueueReport()
    directory = directory_for(db, app)
    try:
        return queue.apply_due(db, directory, retry_base=app.config["LDAP_RETRY_BASE_SECONDS"],
                               retry_max=app.config["LDAP_RETRY_MAX_SECONDS"],
                               now=clock(app).now, logins=logins,
                               ignore_backoff=ignore_backoff)
    finally:
        directory.close()


class Services:
    """One request's collaborators; views get it from `services()`."""

    def __init__(self, app: Flask):
        self._app = app

    @cached_property
    def _shared(self) -> AppServices:
        return app_services(self._app)

    @cached_property
    def db(self):
        """The request's database connection."""
        return get_db()

    @property
    def settings(self) -> Settings:
        """The services' settings."""
        return self._shared.settings

    @property
    def clock(self) -> Clock:
        """The app's clock."""
        return clock(self._app)

    @cached_property
    def origin(self) -> audit.Origin:
        """Where the current request comes from, for the audit log."""
        return audit.Origin(actor="person", ip=request.remote_addr,
                            user_agent=request.headers.get("User-Agent"))

    @cached_property
    def context(self) -> Context:
        """The domain's context for this request."""
        return context(self.origin, db=self.db, app=self._app)

    @property
    def password_policy(self) -> passwords.PasswordPolicy:
        """The password rules from configuration."""
        return self._shared.password_policy

    @property
    def password_hasher(self) -> PasswordHasher:
        """The argon2id hasher with the configured parameters."""
        return self._shared.password_hasher

    @property
    def sesame_brakes(self) -> Brakes:
        """How failed sésame entries slow down, then lock, a login."""
        return self._shared.sesame_brakes

    @cached_property
    def charter(self) -> Charter:
        """The charter in force."""
        config = self._app.config
        return load(config["CHARTER_FILE"], self._app.instance_path,
                    config["CHARTER_VERSION"])

    def personal_words(self, person: Person) -> passwords.PersonalWords:
        """Words `person`'s password must not be built on."""
        return personal_words(person, self._shared.institution_words)

    def config(self, name: str):
        """One configuration value."""
        return self._app.config[name]


def services() -> Services:
    """This request's services, built on first use."""
    found = g.get("sesame_services")
    if found is None:
        found = g.sesame_services = Services(current_app._get_current_object())
    return found
