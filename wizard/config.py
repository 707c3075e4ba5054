"""Every configuration key, its default and what it means, in one place.

A key is read, lowest priority first, from the defaults below, then `instance/config.py`,
then the environment as `WIZARD_<KEY>`, then the `test_config` given to `create_app`.
The README's configuration table is checked against this list by a test.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Setting:
    """One configuration key: name (without the WIZARD_ prefix), default, type, meaning."""

    name: str
    default: Any
    kind: type
    doc: str


SETTINGS: list[Setting] = [
    Setting("SECRET_KEY", None, str,
            "Signs session cookies and CSRF tokens. Set it in production; when unset, a random "
            "key is generated once into `instance/secret_key`."),
    Setting("DATABASE", None, str,
            "Path of the SQLite file. Default: `instance/wizard.sqlite3`."),
    Setting("BASE_URL", "http://127.0.0.1:5000", str,
            "Public address of the wizard; every URL in a mail is built from it, never from "
            "the request's Host header."),
    Setting("INSTITUTION_NAME", "Université de démonstration", str,
            "Name shown on pages, in mails and on letters."),
    Setting("HELPDESK_CONTACT", "l'assistance informatique (assistance@univ-demo.fr, "
            "01 23 45 67 89, du lundi au vendredi de 8 h 30 à 17 h 30)", str,
            "Whom to contact when stuck, as one French phrase."),
    Setting("MAIL_DOMAIN", "univ-demo.fr", str,
            "Domain of institutional addresses (prenom.nom@MAIL_DOMAIN)."),
    Setting("MAIL_BACKEND", "outbox", str,
            "`outbox`: mails stay in the database, readable in the mail viewer (demo). "
            "`smtp`: the delivery loop sends them through SMTP."),
    Setting("MAIL_FROM", "Sésame <ne-pas-repondre@univ-demo.fr>", str,
            "Sender of every mail."),
    Setting("SMTP_HOST", "localhost", str, "SMTP relay host."),
    Setting("SMTP_PORT", 25, int, "SMTP relay port."),
    Setting("SMTP_SECURITY", "none", str,
            "`none`, `starttls` or `ssl` (implicit TLS, usually port 465)."),
    Setting("SMTP_USERNAME", "", str, "SMTP login; empty for none."),
    Setting("SMTP_PASSWORD", "", str, "SMTP password."),
    Setting("SMTP_TIMEOUT", 10.0, float, "Seconds before an SMTP conversation is abandoned."),
    Setting("MAIL_DELIVERY_THREAD", True, bool,
            "Run the delivery loop in a background thread of each server process. "
            "Turn off to deliver only with `wizard send-mail` from cron."),
    Setting("MAIL_POLL_SECONDS", 0.5, float,
            "How often the delivery loop looks at the outbox."),
    Setting("MAIL_RETRY_BASE_SECONDS", 5.0, float,
            "First wait after a failed delivery; doubled after each failure."),
    Setting("MAIL_RETRY_MAX_SECONDS", 600.0, float, "Longest wait between two attempts."),
    Setting("MAIL_VIEWER", False, bool,
            "Serve the outbox at /dev/courriels. Only for demos: it shows links in clear."),
    Setting("TIMEZONE", "Europe/Paris", str, "Time zone of dates shown and of link expiry."),
    Setting("LINK_VALID_DAYS", 1, int,
            "An activation link is valid until 23:59 local time this many days after it was "
            "sent (1: the next day)."),
    Setting("VERIFICATION_VALID_HOURS", 24, int,
            "Lifetime of an address-verification link and code."),
    Setting("VERIFICATION_MAX_TRIES", 5, int,
            "Wrong codes accepted before a verification code is dead."),
    Setting("SESSION_IDLE_MINUTES", 30, int,
            "A wizard session left idle this long ends; the person opens the link again."),
    Setting("RESEND_COOLDOWN_SECONDS", 60, int,
            "After a link is sent to someone, further requests for a link are silently "
            "ignored for this long."),
    Setting("PASSWORD_MIN_LENGTH", 12, int, "Shortest password accepted."),
    Setting("PASSWORD_MAX_LENGTH", 128, int, "Longest password accepted."),
    Setting("PASSWORD_MIN_SCORE", 3, int, "Lowest zxcvbn score (0–4) accepted."),
    Setting("ARGON2_TIME_COST", 3, int, "argon2id iterations."),
    Setting("ARGON2_MEMORY_KIB", 65536, int, "argon2id memory in KiB (64 MiB)."),
    Setting("ARGON2_PARALLELISM", 4, int, "argon2id lanes."),
    Setting("CHARTER_FILE", None, str,
            "Charter text (Markdown-like plain text). Default: `instance/charter.txt` if it "
            "exists, else the sample shipped in `wizard/charter_sample.txt`."),
    Setting("CHARTER_VERSION", "2026-09", str,
            "Version recorded with each acceptance; change it when the text changes."),
    Setting("DEMO", False, bool,
            "Demo mode (`make run`): turns on the mail viewer."),
]

DEFAULTS: dict[str, Any] = {s.name: s.default for s in SETTINGS}
KINDS: dict[str, type] = {s.name: s.kind for s in SETTINGS}

_TRUE = {"1", "true", "yes", "on", "oui"}
_FALSE = {"0", "false", "no", "off", "non", ""}


def parse_value(name: str, raw: str) -> Any:
    """Turn an environment string into the setting's type; raise ValueError when it can't."""
    kind = KINDS[name]
    if kind is bool:
        lowered = raw.strip().lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        raise ValueError(f"WIZARD_{name}: expected a boolean, got {raw!r}")
    if kind is int:
        return int(raw)
    if kind is float:
        return float(raw)
    return raw


def from_environment(environ: dict[str, str] | None = None) -> dict[str, Any]:
    """Return the settings found in the environment as WIZARD_<KEY>."""
    environ = os.environ if environ is None else environ
    found = {}
    for setting in SETTINGS:
        raw = environ.get(f"WIZARD_{setting.name}")
        if raw is not None:
            found[setting.name] = parse_value(setting.name, raw)
    return found
