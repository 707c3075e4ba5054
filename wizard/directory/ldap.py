"""The institution's LDAP directory (OpenLDAP with SupAnn, or Active Directory).

Selected with WIZARD_DIRECTORY=ldap. Two ways of working (WIZARD_LDAP_ENTRIES):

- `provisioned`: the IdM or an HR feed created the entries; the person's entry is found
  by login (`uid`), by `supannEmpId` or by `supannRefId` `{SIHAM}matricule`
  (WIZARD_LDAP_FIND_BY), and the activation is written to it;
- `created`: Sésame creates the entry at activation (inetOrgPerson, eduPerson,
  supannPerson) under WIZARD_LDAP_PEOPLE_DN.

The password is written at the password step, synchronously: by the Password Modify
extended operation (RFC 3062) with the ppolicy request control, so that the directory
hashes it and applies its own policy (each refusal is a `PasswordRefused`); or, for a
directory without that operation, as `userPassword: {ARGON2}<argon2id hash>` (this
bypasses the directory's own quality checks); or Active Directory's `unicodePwd` over
LDAPS. What carries no secret (liste rouge, forwarding, recovery address, markers, locks)
goes through the queue (`wizard.directory.queue`) and is applied by `apply`.

python-ldap (the `ldap` extra) is imported only when this backend is used.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlite_utils import Database

from wizard.directory import AccountRecord, DirectoryUnavailable, PasswordRefused, queue

log = logging.getLogger(__name__)

# The logical fields and the attribute each is written to by default (SupAnn 2021 where it
# has one). WIZARD_LDAP_ATTRIBUTES overrides any of them; "" or "none" writes nothing.
DEFAULT_ATTRIBUTES: dict[str, str] = {
    "liste_rouge": "supannListeRouge",    # TRUE: not published (the directory step's « non »)
    "forward_to": "mailForwardingAddress",  # what the mail server reads; often local
    "keep_copy": "",                      # TRUE/FALSE, if the mail server has such a flag
    "recovery": "supannMailPerso",        # the verified personal address
    "charter": "",                        # VERSION:YYYYMMDDHHMMSSZ, a local attribute
    "activated": "",                      # TRUE once activated, if the institution has one
}

PASSWORD_METHODS = ("password_modify", "argon2", "active_directory")
FIND_BY = ("login", "supannEmpId", "supannRefId")

# ppolicy's error codes (draft-behera-ldap-password-policy) for a refused password.
_PPOLICY_REASONS = {5: "quality", 6: "too_short", 7: "too_young", 8: "in_history"}

# Active Directory's userAccountControl: a normal account, enabled / disabled.
AD_NORMAL_ACCOUNT = 0x200
AD_ACCOUNT_DISABLED = 0x2


def _ldap():
    try:
        import ldap
    except ImportError as error:  # pragma: no cover - depends on the machine
        raise DirectoryUnavailable(
            "python-ldap is not installed: pip install -e '.[ldap]'") from error
    return ldap


def _initialize(ldap, s):
    """A connection (not yet opened) with the settings' timeouts and TLS checks: LDAPv3,
    no referrals chased, the certificate required to chain to the CA file or the system's."""
    connection = ldap.initialize(s.url)
    connection.set_option(ldap.OPT_PROTOCOL_VERSION, 3)
    connection.set_option(ldap.OPT_REFERRALS, 0)
    connection.set_option(ldap.OPT_NETWORK_TIMEOUT, s.timeout)
    connection.set_option(ldap.OPT_TIMEOUT, s.timeout)
    if s.ca_file:
        connection.set_option(ldap.OPT_X_TLS_CACERTFILE, s.ca_file)
    connection.set_option(ldap.OPT_X_TLS_REQUIRE_CERT, ldap.OPT_X_TLS_DEMAND)
    connection.set_option(ldap.OPT_X_TLS_NEWCTX, 0)
    return connection


@dataclass(frozen=True)
class LdapSettings:
    """How to reach the directory and what to write there."""

    url: str
    bind_dn: str = ""
    bind_password: str = field(default="", repr=False)
    base_dn: str = ""
    people_dn: str = ""  # where entries are searched and created; default base_dn
    starttls: bool = False
    ca_file: str = ""
    timeout: float = 3.0
    entries: str = "provisioned"  # provisioned | created
    find_by: str = "login"  # login | supannEmpId | supannRefId
    login_attribute: str = "uid"
    ref_prefix: str = "{SIHAM}"
    password_method: str = "password_modify"
    attributes: dict[str, str] = field(default_factory=dict)
    object_classes: tuple[str, ...] = ("inetOrgPerson", "eduPerson", "supannPerson")
    mail_domain: str = ""
    lock: str = "ppolicy"  # ppolicy, or ATTRIBUTE=VALUE written to lock the entry

    @property
    def search_base(self) -> str:
        return self.people_dn or self.base_dn

    def attribute(self, name: str) -> str | None:
        """The attribute a logical field is written to, or None when it is not written."""
        chosen = {**DEFAULT_ATTRIBUTES, **self.attributes}.get(name, "")
        return None if chosen.strip().lower() in ("", "none") else chosen.strip()


def settings_from_config(config) -> LdapSettings:
    """The LDAP settings from the app's configuration (WIZARD_LDAP_*)."""
    password = config["LDAP_BIND_PASSWORD"]
    if config["LDAP_BIND_PASSWORD_FILE"]:
        password = Path(config["LDAP_BIND_PASSWORD_FILE"]).read_text().strip()
    method = config["LDAP_PASSWORD_METHOD"]
    if method not in PASSWORD_METHODS:
        raise ValueError(f"WIZARD_LDAP_PASSWORD_METHOD: one of {PASSWORD_METHODS}")
    if config["LDAP_FIND_BY"] not in FIND_BY:
        raise ValueError(f"WIZARD_LDAP_FIND_BY: one of {FIND_BY}")
    if config["LDAP_ENTRIES"] not in ("provisioned", "created"):
        raise ValueError("WIZARD_LDAP_ENTRIES: provisioned or created")
    return LdapSettings(
        url=config["LDAP_URL"], bind_dn=config["LDAP_BIND_DN"], bind_password=password,
        base_dn=config["LDAP_BASE_DN"], people_dn=config["LDAP_PEOPLE_DN"],
        starttls=config["LDAP_STARTTLS"], ca_file=config["LDAP_CA_FILE"],
        timeout=config["LDAP_TIMEOUT"], entries=config["LDAP_ENTRIES"],
        find_by=config["LDAP_FIND_BY"], login_attribute=config["LDAP_LOGIN_ATTRIBUTE"],
        ref_prefix=config["LDAP_REF_PREFIX"], password_method=method,
        attributes=dict(config["LDAP_ATTRIBUTES"] or {}),
        object_classes=tuple(config["LDAP_OBJECT_CLASSES"]),
        mail_domain=config["MAIL_DOMAIN"], lock=config["LDAP_LOCK"])


def _timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%d%H%M%SZ")


def _bool(value: bool) -> bytes:
    return b"TRUE" if value else b"FALSE"


class LdapDirectory:
    """Writes activated accounts to an LDAP directory; connects on first use."""

    def __init__(self, db: Database | None, settings: LdapSettings):
        self.db = db
        self.settings = settings
        self.needs_hash = settings.password_method == "argon2"
        self._connection = None
        self.seconds = 0.0  # time spent talking to the directory (for the benchmark)

    # The connection.

    def connect(self):
        """A connection bound as the service account (kept until `close`)."""
        if self._connection is not None:
            return self._connection
        ldap = _ldap()
        s = self.settings
        started = time.perf_counter()
        try:
            connection = _initialize(ldap, self.settings)
            if s.starttls:
                connection.start_tls_s()
            connection.simple_bind_s(s.bind_dn, s.bind_password)
        except (ldap.SERVER_DOWN, ldap.TIMEOUT, ldap.CONNECT_ERROR, ldap.PROTOCOL_ERROR,
                ldap.UNAVAILABLE, ldap.BUSY, ldap.INVALID_CREDENTIALS,
                ldap.INAPPROPRIATE_AUTH, ldap.UNWILLING_TO_PERFORM) as error:
            raise DirectoryUnavailable(_describe(error)) from error
        finally:
            self.seconds += time.perf_counter() - started
        self._connection = connection
        return connection

    def close(self) -> None:
        """Unbind, if connected."""
        if self._connection is not None:
            try:
                self._connection.unbind_s()
            except Exception:  # noqa: BLE001 - closing a dead connection
                pass
            self._connection = None

    def _call(self, operation):
        """Run `operation(connection)`. A kept connection found dead is opened again once
        (a fresh one is not: at the password step each call waits at most the timeout);
        then it is a DirectoryUnavailable."""
        ldap = _ldap()
        reused = self._connection is not None
        while True:
            connection = self.connect()
            started = time.perf_counter()
            try:
                return operation(connection)
            except (ldap.SERVER_DOWN, ldap.TIMEOUT, ldap.CONNECT_ERROR, ldap.UNAVAILABLE,
                    ldap.BUSY) as error:
                self._connection = None
                if not reused:
                    raise DirectoryUnavailable(_describe(error)) from error
                reused = False
            finally:
                self.seconds += time.perf_counter() - started

    # Finding entries.

    def _filter(self, login: str, matricule: str | None) -> str | None:
        from ldap.filter import escape_filter_chars
        s = self.settings
        if s.find_by == "login":
            return f"({s.login_attribute}={escape_filter_chars(login)})"
        if not matricule:
            return None
        if s.find_by == "supannEmpId":
            return f"(supannEmpId={escape_filter_chars(matricule)})"
        return f"(supannRefId={escape_filter_chars(s.ref_prefix + matricule)})"

    def find(self, login: str, matricule: str | None = None) -> str | None:
        """The DN of the person's entry, or None. By matricule, a login is looked for too
        (an entry written by an earlier activation)."""
        ldap = _ldap()
        filters = [f for f in (self._filter(login, matricule),) if f]
        if self.settings.find_by != "login":
            from ldap.filter import escape_filter_chars
            filters.append(f"({self.settings.login_attribute}={escape_filter_chars(login)})")
        wanted = filters[0] if len(filters) == 1 else "(|" + "".join(filters) + ")"
        found = self._call(lambda c: c.search_s(
            self.settings.search_base, ldap.SCOPE_SUBTREE, wanted, ["1.1"]))
        dns = [dn for dn, _ in found if dn]
        if len(dns) > 1:
            raise DirectoryUnavailable(f"{len(dns)} entries match {wanted}")
        return dns[0] if dns else None

    def has_entry(self, login: str, matricule: str | None) -> bool:
        """Whether the person has an entry (the HR import's check)."""
        return self.find(login, matricule) is not None

    # Writing.

    # Written outside the database transaction (completion claims the enrolment first),
    # then `record_written` queues the rest inside it.
    remote = True

    def write_account(self, record: AccountRecord, now: datetime) -> None:
        """Find (or create) the entry and write the password."""
        try:
            dn = self.find(record.login, record.matricule)
            if dn is None:
                if self.settings.entries != "created":
                    log.error("no directory entry for %s (provisioned mode)", record.login)
                    raise DirectoryUnavailable(f"no entry for {record.login}")
                dn = self._create(record)
            self._set_password(dn, record)
        finally:
            self.close()

    def record_written(self, record: AccountRecord, now: datetime) -> None:
        """Queue what activation writes besides the password (inside the completing
        transaction)."""
        assert self.db is not None
        queue.enqueue(self.db, person_id=record.person_id, login=record.login,
                      matricule=record.matricule, changes=choices(record, now), now=now)

    def _create(self, record: AccountRecord) -> str:
        import ldap.dn
        import ldap.modlist
        s = self.settings
        login = record.login
        dn = f"{s.login_attribute}={ldap.dn.escape_dn_chars(login)},{s.search_base}"
        full_name = f"{record.first_name} {record.last_name}".strip() or login
        values: dict[str, list[bytes]] = {
            "objectClass": [name.encode() for name in ("top", *s.object_classes)],
            s.login_attribute: [login.encode()],
            "cn": [full_name.encode()],
            "sn": [(record.last_name or login).encode()],
            "displayName": [full_name.encode()],
            "mail": [record.email.encode()],
            "supannAliasLogin": [login.encode()],
        }
        if record.first_name:
            values["givenName"] = [record.first_name.encode()]
        if s.mail_domain:
            values["eduPersonPrincipalName"] = [f"{login}@{s.mail_domain}".encode()]
        if record.matricule:
            values["supannEmpId"] = [record.matricule.encode()]
            values["supannRefId"] = [(s.ref_prefix + record.matricule).encode()]
        # Published or not from the first second: the liste rouge does not wait.
        values["supannListeRouge"] = [_bool(not record.listed)]
        if record.recovery_address:
            values["supannMailPerso"] = [record.recovery_address.encode()]
        self._call(lambda c: c.add_s(dn, ldap.modlist.addModlist(values)))
        return dn

    def _set_password(self, dn: str, record: AccountRecord) -> None:
        ldap = _ldap()
        from ldap.controls import DecodeControlTuples
        from ldap.controls.ppolicy import PasswordPolicyControl
        method = self.settings.password_method

        def write(connection):
            controls = [PasswordPolicyControl()]
            if method == "password_modify":
                assert record.password, "Password Modify needs the password"
                connection.result3(connection.passwd(dn, None, record.password,
                                                     serverctrls=controls))
            elif method == "argon2":
                assert record.password_hash.startswith("$argon2id$")
                connection.modify_ext_s(dn, [(ldap.MOD_REPLACE, "userPassword",
                                              [b"{ARGON2}" + record.password_hash.encode()])],
                                        serverctrls=controls)
            else:  # Active Directory: unicodePwd, quoted UTF-16LE, over LDAPS only
                quoted = f'"{record.password}"'.encode("utf-16-le")
                connection.modify_s(dn, [
                    (ldap.MOD_REPLACE, "unicodePwd", [quoted]),
                    (ldap.MOD_REPLACE, "userAccountControl",
                     [str(AD_NORMAL_ACCOUNT).encode()])])

        try:
            self._call(write)
        except (ldap.CONSTRAINT_VIOLATION, ldap.UNWILLING_TO_PERFORM,
                ldap.INSUFFICIENT_ACCESS) as error:
            details = error.args[0] if error.args and isinstance(error.args[0], dict) else {}
            reason = "other"
            for control in DecodeControlTuples(details.get("ctrls", [])):
                if isinstance(control, PasswordPolicyControl) and control.error is not None:
                    reason = _PPOLICY_REASONS.get(control.error, "other")
            if reason == "other" and isinstance(error, ldap.CONSTRAINT_VIOLATION):
                # Active Directory (0000052D) and ppolicy without the control: the words.
                info = str(details.get("info", "")).lower()
                reason = ("too_short" if "too short" in info
                          else "in_history" if "history" in info else "quality")
            log.info("directory refused the password of %s: %s (%s)", record.login, reason,
                     details.get("info", ""))
            raise PasswordRefused(reason, str(details.get("info", ""))) from error

    def apply(self, login: str, matricule: str | None, changes: dict,
              now: datetime) -> None:
        """Apply a queued write to the person's entry (idempotent: values are replaced)."""
        ldap = _ldap()
        dn = self.find(login, matricule)
        if dn is None:
            raise LookupError(f"no directory entry for {login}")
        modifications = []
        for name, value in changes.items():
            if name == "locked":
                modifications += self._lock_modifications(bool(value))
                continue
            attribute = self.settings.attribute(name)
            if attribute is None:
                continue
            if isinstance(value, bool):
                encoded = [_bool(value)]
            elif value is None or value == "":
                encoded = None  # removed
            else:
                encoded = [str(value).encode()]
            modifications.append((ldap.MOD_REPLACE, attribute, encoded))
        if modifications:
            self._call(lambda c: c.modify_s(dn, modifications))

    def _lock_modifications(self, locked: bool) -> list:
        ldap = _ldap()
        lock = self.settings.lock
        if self.settings.password_method == "active_directory":
            flags = AD_NORMAL_ACCOUNT | (AD_ACCOUNT_DISABLED if locked else 0)
            return [(ldap.MOD_REPLACE, "userAccountControl", [str(flags).encode()])]
        if lock == "ppolicy":
            # 000001010000Z: locked until an administrator removes it.
            return [(ldap.MOD_REPLACE, "pwdAccountLockedTime",
                     [b"000001010000Z"] if locked else None)]
        attribute, _, value = lock.partition("=")
        return [(ldap.MOD_REPLACE, attribute.strip(), [value.strip().encode()]
                 if locked else None)]

    # The operators' check.

    def check(self, sample_login: str | None = None) -> list[tuple[bool, str]]:
        """Connect, bind, find the base, read one entry, look for the attributes written:
        a list of (ok, line in French) for `wizard directory check`."""
        ldap = _ldap()
        s = self.settings
        lines: list[tuple[bool, str]] = []
        try:
            connection = _initialize(ldap, self.settings)
        except ldap.LDAPError as error:
            return [(False, f"Adresse de l'annuaire invalide ({s.url})\u00a0: "
                            f"{_describe(error)}")]
        secure = s.url.startswith("ldaps://") or s.starttls
        if s.starttls:
            try:
                connection.start_tls_s()
                lines.append((True, "StartTLS accepté\u00a0: la connexion est chiffrée."))
            except ldap.SERVER_DOWN as error:
                return [(False, f"Annuaire injoignable à {s.url}\u00a0: {_describe(error)}. "
                                "Vérifiez l'adresse, le port et le pare-feu.")]
            except ldap.LDAPError as error:
                return [(False, "TLS refusé\u00a0: l'annuaire n'accepte pas StartTLS "
                                f"({_describe(error)}). Configurez TLS sur le serveur "
                                "(certificat, olcTLSCertificateFile) ou utilisez ldaps://.")]
        try:
            connection.simple_bind_s(s.bind_dn, s.bind_password)
        except ldap.INVALID_CREDENTIALS:
            return lines + [(False, f"Connexion refusée pour le compte de service « {s.bind_dn} »"
                                    "\u00a0: mot de passe erroné (ou DN inconnu). Vérifiez "
                                    "WIZARD_LDAP_BIND_DN et le mot de passe (ou son fichier).")]
        except ldap.SERVER_DOWN as error:
            if s.url.startswith("ldaps://"):
                return lines + [(False, f"TLS refusé ou annuaire injoignable à {s.url}\u00a0: "
                                        f"{_describe(error)}. Vérifiez le certificat "
                                        "(WIZARD_LDAP_CA_FILE) et le port (636).")]
            return lines + [(False, f"Annuaire injoignable à {s.url}\u00a0: "
                                    f"{_describe(error)}. Vérifiez l'adresse, le port et le "
                                    "pare-feu.")]
        except ldap.LDAPError as error:
            return lines + [(False, f"Connexion refusée\u00a0: {_describe(error)}")]
        lines.append((True, f"Connecté à {s.url} en tant que « {s.bind_dn} »."))
        if not secure:
            lines.append((False, "Connexion non chiffrée\u00a0: les mots de passe passeraient "
                                 "en clair. Utilisez ldaps:// ou WIZARD_LDAP_STARTTLS=1 en "
                                 "production."))
        try:
            try:
                connection.search_s(s.base_dn, ldap.SCOPE_BASE, "(objectClass=*)", ["1.1"])
            except ldap.NO_SUCH_OBJECT:
                return lines + [(False, f"Base introuvable\u00a0: « {s.base_dn} » n'existe pas "
                                        "dans l'annuaire (ou le compte de service ne peut "
                                        "pas la lire). Vérifiez WIZARD_LDAP_BASE_DN.")]
            lines.append((True, f"Base « {s.base_dn} » trouvée."))
            if s.search_base != s.base_dn:
                try:
                    connection.search_s(s.search_base, ldap.SCOPE_BASE, "(objectClass=*)",
                                        ["1.1"])
                    lines.append((True, f"Branche des personnes « {s.search_base} » trouvée."))
                except ldap.NO_SUCH_OBJECT:
                    return lines + [(False, f"Branche des personnes introuvable\u00a0: "
                                            f"« {s.search_base} ». Vérifiez "
                                            "WIZARD_LDAP_PEOPLE_DN.")]
            from ldap.filter import escape_filter_chars
            wanted = (f"({s.login_attribute}={escape_filter_chars(sample_login)})"
                      if sample_login else f"({s.login_attribute}=*)")
            try:
                found = connection.search_ext_s(s.search_base, ldap.SCOPE_SUBTREE, wanted,
                                                [s.login_attribute], sizelimit=1)
            except ldap.SIZELIMIT_EXCEEDED:
                found = []
            entries = [(dn, attrs) for dn, attrs in found if dn]
            if entries:
                lines.append((True, f"Une entrée lue\u00a0: {entries[0][0]}."))
            elif s.entries == "provisioned":
                lines.append((False, f"Aucune entrée de personne ({wanted}) sous "
                                     f"« {s.search_base} »\u00a0: en mode « provisioned », "
                                     "les entrées doivent exister avant l'activation."))
            else:
                lines.append((True, "Aucune entrée de personne encore (mode « created »\u00a0: "
                                    "Sésame les créera)."))
            lines += self._check_schema(connection)
        finally:
            connection.unbind_s()
        return lines

    def _check_schema(self, connection) -> list[tuple[bool, str]]:
        _ldap()
        import ldap.schema
        s = self.settings
        lines: list[tuple[bool, str]] = []
        try:
            subschema_dn = connection.search_subschemasubentry_s(s.base_dn)
            entry = connection.read_subschemasubentry_s(
                subschema_dn, attrs=["attributeTypes", "objectClasses"])
            schema = ldap.schema.SubSchema(entry)
        except (ldap.LDAPError, TypeError) as error:
            return [(False, f"Schéma illisible\u00a0: {_describe(error)}")]
        wanted = [s.attribute(name) for name in DEFAULT_ATTRIBUTES]
        wanted += [s.login_attribute]
        if s.find_by != "login":
            wanted.append(s.find_by)
        if s.password_method == "active_directory":
            wanted += ["unicodePwd", "userAccountControl"]
        missing = [name for name in dict.fromkeys(a for a in wanted if a)
                   if schema.get_obj(ldap.schema.AttributeType, name) is None]
        if s.entries == "created":
            missing += [name for name in s.object_classes
                        if schema.get_obj(ldap.schema.ObjectClass, name) is None]
        if missing:
            lines.append((False, "Absent du schéma de l'annuaire\u00a0: " + ", ".join(missing)
                          + ". Chargez le schéma SupAnn (et le vôtre) ou changez "
                            "WIZARD_LDAP_ATTRIBUTES."))
        else:
            lines.append((True, "Schéma\u00a0: les attributs écrits par Sésame existent."))
        try:
            root = connection.search_s("", ldap.SCOPE_BASE, "(objectClass=*)",
                                       ["supportedExtension", "supportedControl"])
            dse = root[0][1] if root else {}
        except ldap.LDAPError:
            dse = {}
        extensions = {v.decode() for v in dse.get("supportedExtension", [])}
        controls = {v.decode() for v in dse.get("supportedControl", [])}
        if s.password_method == "password_modify":
            if "1.3.6.1.4.1.4203.1.11.1" in extensions:
                lines.append((True, "Modification de mot de passe (RFC 3062) disponible."))
            else:
                lines.append((False, "L'annuaire n'annonce pas la modification de mot de "
                                     "passe (RFC 3062)\u00a0: choisissez "
                                     "WIZARD_LDAP_PASSWORD_METHOD=argon2."))
            if "1.3.6.1.4.1.42.2.27.8.5.1" in controls:
                lines.append((True, "Politique de mots de passe (ppolicy) annoncée."))
            else:
                lines.append((False, "Pas de politique de mots de passe (ppolicy) annoncée\u00a0:"
                                     " ses refus ne pourront pas être expliqués."))
        return lines


def choices(record: AccountRecord, now: datetime) -> dict:
    """What activation writes besides the password, by logical field (queued)."""
    changes: dict = {
        "liste_rouge": not record.listed,
        "forward_to": record.forward_to or None,
        "keep_copy": bool(record.keep_copy) if record.forward_to else None,
        "activated": True,
    }
    if record.recovery_address:
        changes["recovery"] = record.recovery_address
    if record.charter_version:
        accepted = (datetime.fromisoformat(record.charter_accepted_at)
                    if record.charter_accepted_at else now)
        changes["charter"] = f"{record.charter_version}:{_timestamp(accepted)}"
    return changes


def _describe(error: Exception) -> str:
    """A python-ldap error in a line (its description and the server's words)."""
    if error.args and isinstance(error.args[0], dict):
        details = error.args[0]
        text = details.get("desc", type(error).__name__)
        if details.get("info"):
            text += f" ({details['info']})"
        return text
    return f"{type(error).__name__}: {error}"
