"""Languages: French first, English complete.

The French text is the message id (templates and code are written in French); the English
catalog is translations/en/LC_MESSAGES/messages.po. A page's language is, in order: the
one chosen with the switcher (a cookie), the browser's preference, DEFAULT_LANGUAGE. A
person's mails are written in the language they last used the wizard in.
"""

from __future__ import annotations

import logging
import os
from datetime import date, datetime
from pathlib import Path

from babel.support import NullTranslations
from flask import Flask, current_app, has_request_context, request
from flask.globals import _cv_app
from flask_babel import Babel, get_locale, get_translations
from flask_babel.speaklater import LazyString

from wizard.activation import steps
from wizard.activation.lifetimes import say_date, say_datetime
from wizard.config import ROOT
from wizard.web import branding

log = logging.getLogger(__name__)

LANGUAGES = ("fr", "en")
# Each language's name, in itself: what the switcher shows.
NAMES = {"fr": "Français", "en": "English"}
COOKIE = "sesame_langue"
COOKIE_MAX_AGE = 400 * 24 * 3600  # browsers cap cookies at 400 days

TRANSLATIONS = ROOT / "translations"

babel = Babel()
_NO_TRANSLATION = NullTranslations()


def translations() -> NullTranslations:
    """The catalog of the language being written in now, in a few dictionary lookups.

    Flask-Babel's own `get_translations()` walks werkzeug's context proxies five or six
    times a call, and a page calls it some forty times (a fifth of a step page's time).
    Its state is read here directly: the locale it chose for this request (or the one
    `force_locale` put in its place, for a mail), and the catalog is kept per language.
    """
    context = _cv_app.get(None)
    if context is None:
        return _NO_TRANSLATION
    locale = _chosen_locale(context)
    catalogs = context.app.extensions["sesame_catalogs"]
    try:
        return catalogs[locale.language]
    except KeyError:
        catalogs[locale.language] = catalog = get_translations()
        return catalog


def _chosen_locale(context):
    """The locale Flask-Babel chose for this context (or `force_locale` put in its place),
    read from its state directly; chosen now if it has not been yet."""
    state = context.g.__dict__.get("_flask_babel") if context is not None else None
    return getattr(state, "babel_locale", None) or get_locale()


def gettext(string: str, **variables) -> str:
    """A message in the current language (Flask-Babel's `gettext`, faster)."""
    text = translations().ugettext(string)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, num: int, **variables) -> str:
    """A message whose form depends on `num` (Flask-Babel's `ngettext`, faster)."""
    variables.setdefault("num", num)
    return translations().ungettext(singular, plural, num) % variables


def lazy_gettext(string: str, **variables) -> LazyString:
    """A message translated when it is shown (labels defined at import time)."""
    return LazyString(gettext, string, **variables)


_l = lazy_gettext

# The steps' names (wizard/activation/steps.py), translated when shown.
STEP_LABELS = {step.name: lazy_gettext(label) for step, label in steps.LABELS.items()}


def init_i18n(app: Flask) -> None:
    """Bind Flask-Babel, compile stale catalogs, add the template helpers."""
    if app.config["DEFAULT_LANGUAGE"] not in LANGUAGES:
        raise ValueError(f"WIZARD_DEFAULT_LANGUAGE must be one of {', '.join(LANGUAGES)}")
    compile_catalogs(TRANSLATIONS)
    app.config["BABEL_DEFAULT_LOCALE"] = app.config["DEFAULT_LANGUAGE"]
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(TRANSLATIONS)
    babel.init_app(app, locale_selector=select_language)
    app.extensions["sesame_catalogs"] = {}
    app.jinja_env.install_gettext_callables(
        gettext=lambda string: translations().ugettext(string),
        ngettext=lambda singular, plural, n: translations().ungettext(singular, plural, n),
        pgettext=lambda context, string: translations().upgettext(context, string),
        npgettext=lambda context, singular, plural, n: translations().unpgettext(
            context, singular, plural, n),
        newstyle=True)
    # {% trans %} blocks: whitespace collapsed, as `pybabel extract` (babel.cfg) reads them.
    app.jinja_env.policies["ext.i18n.trimmed"] = True
    app.jinja_env.filters["deadline"] = say_deadline
    app.jinja_env.filters["day"] = say_day
    # Globals rather than a context processor: imported macros see globals only.
    app.jinja_env.globals.update(current_language=current_language, LANGUAGE_NAMES=NAMES,
                                 LANGUAGES=LANGUAGES, helpdesk=helpdesk,
                                 institution=institution,
                                 language_switch_url=language_switch_url,
                                 secure_host=secure_host, STEP_LABELS=STEP_LABELS)

    @app.after_request
    def _say_the_language(response):
        if response.mimetype == "text/html":
            response.headers["Content-Language"] = current_language()
            response.vary.add("Accept-Language")
            response.vary.add("Cookie")
        return response


def select_language() -> str:
    """The request's language: the switcher's cookie, else the browser's, else the default."""
    default = current_app.config["DEFAULT_LANGUAGE"]
    if not has_request_context():
        return default
    chosen = request.cookies.get(COOKIE)
    if chosen in LANGUAGES:
        return chosen
    return request.accept_languages.best_match(LANGUAGES, default=default)


def current_language() -> str:
    """The language being written in now (`fr` or `en`)."""
    locale = _chosen_locale(_cv_app.get(None))
    if locale is None or locale.language not in LANGUAGES:
        return current_app.config["DEFAULT_LANGUAGE"]
    return locale.language


def mail_language(context: dict) -> str:
    """The language of a mail: the person's remembered one, else the one the request
    was made in (an anonymous « 1ère connexion » records it), else the default."""
    person = context.get("person")
    for candidate in (getattr(person, "language", None), context.get("language")):
        if candidate in LANGUAGES:
            return candidate
    if has_request_context():
        return current_language()
    return current_app.config["DEFAULT_LANGUAGE"]


def say_deadline(moment: datetime | str | None) -> str:
    """Template filter: a moment in words, in the page's (or mail's) language."""
    if not isinstance(moment, datetime):
        return moment or ""
    return say_datetime(moment, current_app.config["TIMEZONE"], current_language())


def say_day(day: date | None) -> str:
    """Template filter: a calendar day in words, in the current language."""
    return say_date(day, current_language()) if day else ""


def helpdesk() -> branding.Helpdesk:
    """The helpdesk's contacts, in the current language."""
    return branding.helpdesk(current_app.config, current_language())


def institution() -> branding.Institution:
    """The institution's name with its article, in the current language."""
    return branding.institution(current_app.config, current_language())


def secure_host() -> str:
    """The wizard's host name as the address bar shows it (for the phishing advice)."""
    base = current_app.config["BASE_URL"]
    return base.split("://", 1)[-1].split("/", 1)[0]


def language_switch_url(language: str) -> str:
    """The switcher's link to `language`, coming back to the page being read."""
    from flask import url_for

    back = request.full_path if request.method == "GET" else request.path
    return url_for("language.choose", language=language, suite=back.rstrip("?"))


def safe_return_path(path: str | None) -> str:
    """`path` when it is a path on this site, else the home page (no open redirect)."""
    if (not path or not path.startswith("/") or path.startswith("//") or "\\" in path
            or any(ord(c) < 32 for c in path)):
        return "/"
    return path


def compile_catalogs(directory: Path) -> None:
    """Compile each .po whose .mo is missing or older (a fresh clone, an edited catalog).

    `make` does the same with pybabel; doing it here too means `pytest` or gunicorn on a
    fresh checkout never shows French to someone who asked for English. Written to a
    temporary file then renamed, so two workers starting together cannot read half a file.
    """
    for po in sorted(directory.glob("*/LC_MESSAGES/*.po")):
        mo = po.with_suffix(".mo")
        try:
            if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
                continue
            # Imported only when a catalog needs compiling: ~2 MB a server rarely needs.
            from babel.messages.mofile import write_mo
            from babel.messages.pofile import read_po

            with po.open("rb") as source:
                catalog = read_po(source, locale=po.parent.parent.name)
            partial = mo.with_name(f"{mo.name}.{os.getpid()}.tmp")
            with partial.open("wb") as target:
                write_mo(target, catalog)
            os.replace(partial, mo)
        except OSError as error:  # a read-only checkout: `make catalogs` must have run
            log.warning("cannot compile %s: %s", po, error)
