"""Every configuration key, its default and what it means, in one place.

A key is read, lowest priority first, from the defaults below, then `instance/config.py`,
then the environment as `WIZARD_<KEY>`, then the `test_config` given to `create_app`.
The README's configuration table is checked against this list by a test.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# The checkout: templates/, static/, translations/ and the default instance/ live here.
ROOT = Path(__file__).resolve().parent.parent


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
    Setting("INSTITUTION_ARTICLE", "l'", str,
            "The article French puts before INSTITUTION_NAME: `l'` (l'Université…), `la` "
            "(la Sorbonne…), `le` (le Conservatoire…), `les`, or `none` (Sorbonne Université). "
            "Sentences then say « de l'Université », « du Conservatoire », « à la Sorbonne »."),
    Setting("LOGO_FILE", None, str,
            "The institution's logo (SVG, PNG, JPEG or WebP file), shown in every page's "
            "header beside the name. Default: the neutral demo logo shipped in "
            "`static/img/logo.svg`; `none` shows the name alone."),
    Setting("BRAND_COLOR", "#1f4e8c", str,
            "Main colour (`#rrggbb`): buttons, links, the current step. Text drawn on it is "
            "black or white, whichever contrasts more, and links use a darker shade when "
            "needed to keep a 4.5:1 contrast on white."),
    Setting("HEADER_COLOR", "", str,
            "Background of the page header (`#rrggbb`); empty: BRAND_COLOR."),
    Setting("DEFAULT_LANGUAGE", "fr", str,
            "Language (`fr` or `en`) of pages when the browser asks for neither, and of mails "
            "to people who have not yet used the wizard (invitations)."),
    Setting("HELPDESK_EMAIL", "assistance@univ-demo.fr", str,
            "The helpdesk's address, shown on every page and in every mail."),
    Setting("HELPDESK_PHONE", "01 23 45 67 89", str, "The helpdesk's telephone number."),
    Setting("HELPDESK_ADDRESS", "Bâtiment A, 1 avenue de l'Université, 75000 Paris", str,
            "Where to find the helpdesk in person; empty to leave it out."),
    Setting("HELPDESK_HOURS", "du lundi au vendredi, de 8 h 30 à 17 h 30", str,
            "The helpdesk's opening hours, in French."),
    Setting("HELPDESK_HOURS_EN", "Monday to Friday, 8:30 am to 5:30 pm", str,
            "The same hours in English; empty: the French text."),
    Setting("HELPDESK_URL", "", str,
            "An assistance web form, if the institution has one (shown with the contacts)."),
    Setting("NEXT_SERVICES", None, list,
            "What to use next, listed on the done page by staff category: a list of "
            "services, each `{\"name\": …, \"url\": …, \"fr\": description, \"en\": "
            "description, \"categories\": [...]}` (JSON in the environment; `name` may be "
            "`{\"fr\": …, \"en\": …}`; no `categories`: everyone). Default: ENT, "
            "messagerie, Moodle for teachers, the HR portal; see "
            "[What to use next](#what-to-use-next)."),
    Setting("MAIL_DOMAIN", "univ-demo.fr", str,
            "Domain of institutional addresses (prenom.nom@MAIL_DOMAIN)."),
    Setting("LOGIN_RULE", "initial_surname", str,
            "How a new login is made from the names: `initial_surname` (jdupont), "
            "`surname_initial` (dupontj), `firstname_surname` (jeandupont) or `surname` "
            "(dupont); then digits where taken (jdupont2). Lowercase ASCII, accents folded."),
    Setting("LOGIN_MAX_LENGTH", 8, int,
            "Longest login stem, before the digits that tell homonyms apart."),
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
    Setting("SESAME_VALID_DAYS", 30, int,
            "A sésame (the provisional code on a letter) is valid until 23:59 local time this "
            "many days after it was issued."),
    Setting("DEPARTED_GRACE_DAYS", 92, int,
            "`wizard disable-departed` disables people whose departure date is more than "
            "this many days past (about three months)."),
    Setting("LETTER_SIGNATURE", "La direction du numérique", str,
            "Who signs the sésame letters."),
    Setting("VERIFICATION_VALID_HOURS", 24, int,
            "Lifetime of an address-verification link and code."),
    Setting("VERIFICATION_MAILS_PER_DAY", 10, int,
            "Verification mails (forwarding and recovery addresses, resends included) one "
            "enrolment may send in 24 hours, whatever the addresses."),
    Setting("VERIFICATION_MAX_TRIES", 5, int,
            "Wrong codes accepted before a verification code is dead."),
    Setting("SESSION_IDLE_MINUTES", 30, int,
            "A wizard session left idle this long ends; the person opens the link again."),
    Setting("RESEND_COOLDOWN_SECONDS", 60, int,
            "After a link is sent to someone, further requests for a link are silently "
            "ignored for this long."),
    Setting("PASSWORD_MIN_LENGTH", 12, int, "Shortest password accepted."),
    Setting("PASSWORD_MAX_LENGTH", 128, int, "Longest password accepted."),
    Setting("PASSWORD_MIN_SCORE", 3, int,
            "Lowest zxcvbn score (0–4) accepted: 3 is « fort », about 10^8 guesses or more."),
    Setting("PASSWORD_ALLOWED_CHARACTERS", "printable", str,
            "Characters a password may use, for institutions whose older systems refuse some: "
            "`printable` (every character a person can type and see, NFC-normalised), "
            "`ascii` (letters without accents, digits, space and ASCII symbols), "
            "`alphanumeric` (letters without accents and digits only), or else the exact "
            "characters allowed, written one after the other."),
    Setting("PASSWORD_EXTRA_WORDS", "", str,
            "Comma-separated words no password should be built on, besides the person's own "
            "(names, login, address, birth date): the institution's city, its acronym, "
            "its campus… INSTITUTION_NAME and MAIL_DOMAIN are always included."),
    Setting("ARGON2_TIME_COST", 3, int,
            "argon2id iterations. The defaults (3 passes, 64 MiB, 4 lanes: RFC 9106's "
            "second recommended option) take about 145 ms a hash on a 2-core server; "
            "OWASP's minimum (2, 19 MiB, 1) about 23 ms. Hashes record their parameters; "
            "`passwords.verify_and_upgrade` rehashes an old hash with the new ones when its "
            "password is next checked (the wizard only sets passwords: it serves the future "
            "« Mon compte » login)."),
    Setting("ARGON2_MEMORY_KIB", 65536, int, "argon2id memory in KiB (64 MiB)."),
    Setting("ARGON2_PARALLELISM", 4, int, "argon2id lanes."),
    Setting("CHARTER_FILE", None, str,
            "Charter text, in Markdown: headings, lists and emphasis are rendered; HTML, "
            "links and images are shown as text. Default: `instance/charter.txt` if it "
            "exists, else the sample shipped in `wizard/activation/charter_sample.txt`."),
    Setting("CHARTER_VERSION", "2026-09", str,
            "Version recorded with each acceptance; change it when the text changes."),
    Setting("DEMO", False, bool,
            "Demo mode (`make run`): turns on the mail viewer."),
    Setting("RATELIMIT_ENABLED", True, bool, "Rate limits on every page that checks a "
            "secret or sends mail (Flask-Limiter)."),
    Setting("RATELIMIT_STORAGE_URI", "", str,
            "Where rate-limit counters live. Default: a SQLite file beside the database "
            "(`sqlite:///…/wizard.sqlite3.limits`), shared by every gunicorn worker on the "
            "host. With several hosts, use a shared store such as `redis://host:6379` "
            "(install the matching client). `memory://` counts per process: never with "
            "several workers (each would allow the whole limit)."),
    Setting("RATELIMIT_SECRET_PER_IP", "60 per minute;1000 per hour", str,
            "Sésame, code and link submissions from one IP address (generous: a campus NAT "
            "puts many people behind one address; the per-identifier limits protect each "
            "account)."),
    Setting("RATELIMIT_SECRET_PER_IDENTIFIER", "10 per minute;50 per hour", str,
            "Code entries for one enrolment (a typed login is braked by SESAME_WAIT_AFTER "
            "and SESAME_LOCK_AFTER, shared by every worker, never by a limit a stranger "
            "could use up)."),
    Setting("RATELIMIT_MAIL_PER_IP", "30 per minute;300 per hour", str,
            "Requests that send mail (« 1ère connexion », resends) from one IP address."),
    Setting("RATELIMIT_MAIL_PER_IDENTIFIER", "3 per minute;20 per hour", str,
            "Requests that send mail for one typed identifier or one enrolment."),
    Setting("RATELIMIT_ARGON2_PER_IP", "20 per minute;300 per hour", str,
            "Requests that spend an argon2 check or hash (the sésame page, the password "
            "step's submit) from one IP address: with one argon2 operation at a time per "
            "worker, one client gets at most a small share of the server's argon2 work."),
    Setting("RATELIMIT_ARGON2_PER_SESSION", "10 per minute", str,
            "The password step's submits from one wizard session."),
    Setting("RATELIMIT_STRENGTH_PER_IP", "600 per minute", str,
            "Live password-strength checks from one IP address."),
    Setting("RATELIMIT_STRENGTH_PER_SESSION", "120 per minute", str,
            "Live password-strength checks from one wizard session (about 2 a second)."),
    Setting("PROXY_FIX_HOPS", 0, int,
            "Behind a reverse proxy: how many proxies set X-Forwarded-For/-Proto (usually 1). "
            "0 trusts no forwarded header (direct exposure)."),
    Setting("SESAME_WAIT_AFTER", 5, int,
            "Consecutive failed sésame entries for one login from one network (an IPv4 "
            "address, an IPv6 /64) after which that network must wait between tries; "
            "others are not slowed down."),
    Setting("SESAME_WAIT_MINUTES", 15, int, "The wait, in minutes, between two tries then."),
    Setting("SESAME_LOCK_AFTER", 100, int,
            "Consecutive failed sésame entries for one login, from anywhere, after which "
            "its sésame opens nothing until the helpdesk unlocks it (`wizard unlock`); "
            "the person's links and status are untouched. At most 100 (NIST SP 800-63B)."),
    Setting("ASK_BIRTH_DATE", False, bool,
            "After the link or the sésame, also ask the date of birth HR recorded (as some "
            "universities do)."),
    Setting("BIRTH_DATE_MAX_TRIES", 5, int,
            "Wrong dates of birth after which the account is locked until the helpdesk "
            "unlocks it."),
    Setting("DIRECTORY", "sqlite", str,
            "Where activated accounts are written: `sqlite` (the wizard's own `accounts` "
            "table, the embedded default) or `ldap` (the institution's directory, the "
            "`LDAP_*` settings; needs `pip install -e '.[ldap]'`). See docs/directory.md."),
    Setting("LDAP_URL", "ldap://127.0.0.1:389", str,
            "The directory's address: `ldaps://host:636` (TLS from the start) or "
            "`ldap://host:389` with LDAP_STARTTLS."),
    Setting("LDAP_BIND_DN", "", str, "The service account Sésame binds as."),
    Setting("LDAP_BIND_PASSWORD", "", str, "Its password (prefer LDAP_BIND_PASSWORD_FILE)."),
    Setting("LDAP_BIND_PASSWORD_FILE", "", str,
            "A file holding the service account's password (read at start-up)."),
    Setting("LDAP_BASE_DN", "", str, "The directory's base, e.g. `dc=univ-exemple,dc=fr`."),
    Setting("LDAP_PEOPLE_DN", "", str,
            "Where people's entries are searched and created, e.g. "
            "`ou=people,dc=univ-exemple,dc=fr`; empty: LDAP_BASE_DN."),
    Setting("LDAP_STARTTLS", False, bool,
            "Upgrade an `ldap://` connection with StartTLS (refused: nothing is sent)."),
    Setting("LDAP_CA_FILE", "", str,
            "CA certificate(s) the directory's certificate must chain to; empty: the "
            "system's."),
    Setting("LDAP_TIMEOUT", 3.0, float,
            "Seconds before connecting to, or an answer from, the directory is abandoned: "
            "a person waits at most about three times this at the password step (connect, "
            "search, write) before the « annuaire ne répond pas » message."),
    Setting("LDAP_ENTRIES", "provisioned", str,
            "`provisioned`: the IdM or an HR feed creates the entries and Sésame writes the "
            "activation to them; `created`: Sésame creates each entry at activation "
            "(inetOrgPerson, eduPerson, supannPerson)."),
    Setting("LDAP_FIND_BY", "login", str,
            "How a person's entry is found: `login` (LDAP_LOGIN_ATTRIBUTE), `supannEmpId` "
            "(the HR matricule) or `supannRefId` (LDAP_REF_PREFIX + matricule)."),
    Setting("LDAP_LOGIN_ATTRIBUTE", "uid", str,
            "The attribute holding the login (`sAMAccountName` in Active Directory)."),
    Setting("LDAP_REF_PREFIX", "{SIHAM}", str,
            "Prefix of the matricule in `supannRefId` values."),
    Setting("LDAP_PASSWORD_METHOD", "password_modify", str,
            "`password_modify` (RFC 3062, the directory hashes and applies its policy), "
            "`argon2` (`userPassword: {ARGON2}` + the wizard's argon2id hash: bypasses the "
            "directory's quality checks) or `active_directory` (`unicodePwd` over LDAPS)."),
    Setting("LDAP_ATTRIBUTES", None, dict,
            "Which attribute each choice is written to (JSON object; `\"none\"` writes "
            "nothing): `liste_rouge` (default `supannListeRouge`), `forward_to` "
            "(`mailForwardingAddress`), `keep_copy` (none), `recovery` (`supannMailPerso`; "
            "or `supannAutreMail`), `charter` (none; VERSION:date), `activated` (none)."),
    Setting("LDAP_OBJECT_CLASSES", ["inetOrgPerson", "eduPerson", "supannPerson"], list,
            "Object classes of the entries Sésame creates (LDAP_ENTRIES=created); add the "
            "auxiliary class of your forwarding or marker attributes."),
    Setting("LDAP_LOCK", "ppolicy", str,
            "How `wizard disable-departed` locks an entry: `ppolicy` "
            "(`pwdAccountLockedTime`), or `ATTRIBUTE=VALUE` written to it (removed to "
            "unlock). Active Directory: `userAccountControl`'s disabled flag."),
    Setting("LDAP_RETRY_BASE_SECONDS", 5.0, float,
            "First wait after a failed directory write of the queue; doubled after each."),
    Setting("LDAP_RETRY_MAX_SECONDS", 600.0, float,
            "Longest wait between two attempts of a queued directory write."),
    Setting("RECOVERY_ADDRESS_REQUIRED", True, bool,
            "On the sésame path, a verified recovery address is required (otherwise the "
            "person may continue without one)."),
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
    if kind is list:
        value = json.loads(raw)
        if not isinstance(value, list):
            raise ValueError(f"WIZARD_{name}: expected a JSON list")
        return value
    if kind is dict:
        value = json.loads(raw)
        if not isinstance(value, dict):
            raise ValueError(f"WIZARD_{name}: expected a JSON object")
        return value
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
