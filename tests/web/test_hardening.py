"""Security headers on every response, secrets kept out of logs, the audit command."""

from __future__ import annotations

import logging

import pytest

from wizard.web.security_headers import RedactSecrets


@pytest.mark.parametrize("url", ["/", "/premiere-connexion", "/sesame", "/healthz",
                                 "/activation/unknown", "/nulle-part"])
def test_every_response_carries_the_security_headers(client, url):
    headers = client.get(url).headers
    policy = headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy
    assert "frame-ancestors 'none'" in policy and "script-src 'self'" in policy
    assert "object-src 'none'" in policy and "base-uri 'none'" in policy
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert headers["Cache-Control"] == "no-store"


def test_https_base_url_adds_hsts_and_secure_cookies(client):
    response = client.get("/premiere-connexion")  # the form's CSRF token opens a session
    assert "max-age=" in response.headers["Strict-Transport-Security"]
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("__Host-sesame_session=") and "Domain" not in cookie
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_plain_http_base_url_has_no_hsts(make_app):
    client = make_app(BASE_URL="http://127.0.0.1:5000").test_client()
    assert "Strict-Transport-Security" not in client.get("/").headers


def test_static_files_may_be_cached(client):
    response = client.get("/static/css/sesame.css")
    assert response.headers.get("Cache-Control") != "no-store"
    response.close()


def test_pages_contain_no_inline_script_or_style(client):
    html = client.get("/").get_data(as_text=True)
    assert "<style" not in html and " style=" not in html
    assert "<script>" not in html  # every script has a src


def test_proxy_fix_trusts_the_configured_hops(make_app):
    app = make_app(PROXY_FIX_HOPS=1)
    seen = {}

    @app.get("/_ip")
    def _ip():
        from flask import request
        seen["ip"] = request.remote_addr
        return "ok"

    app.test_client().get("/_ip", headers={"X-Forwarded-For": "203.0.113.7"})
    assert seen["ip"] == "203.0.113.7"


def test_access_log_lines_lose_their_tokens():
    record = logging.LogRecord("werkzeug", logging.INFO, __file__, 1,
                               '127.0.0.1 - - "%s" 200 -',
                               ("GET /activation/s3cr3t-TOKEN_x HTTP/1.1",), None)
    RedactSecrets().filter(record)
    assert "s3cr3t" not in record.getMessage()
    assert "/activation/…" in record.getMessage()


def test_audit_command_reads_a_persons_events(app, staff, visitor):
    person = visitor.reach(staff, "annuaire")
    result = app.test_cli_runner().invoke(args=["audit", person.login])
    assert result.exit_code == 0, result.output
    assert "identité prouvée" in result.output and "charte acceptée" in result.output
    assert "lien d'activation envoyé" in result.output


def test_audit_command_for_nobody_fails_clearly(app):
    result = app.test_cli_runner().invoke(args=["audit", "personne"])
    assert result.exit_code != 0
    assert "personne ne correspond" in result.output


def test_no_secret_in_the_audit_log_or_the_logs(app, staff, visitor, database, caplog):
    caplog.set_level(logging.DEBUG)
    person = staff.add()
    secret = staff.link(person)
    visitor.begin(secret)
    visitor.through_charter()
    visitor.through_directory()
    visitor.through_mail(forward_to="jean.autre@ailleurs.net")
    from harness import code_in, mails
    code = code_in(mails(database, "verification")[0]["body_text"])
    visitor.post("/etapes/messagerie/verification/code", {"code": "000000" if code != "000000"
                                                          else "111111"},
                 form_url="/etapes/messagerie/verification")
    visitor.post("/etapes/messagerie/verification/code", {"code": code},
                 form_url="/etapes/messagerie/verification")
    visitor.choose_password("Cheval agrafe pile 42 lune")
    audit_rows = str(list(database.query("SELECT * FROM audit")))
    for value in (secret, code, "Cheval agrafe pile 42 lune"):
        assert value not in audit_rows
        assert value not in caplog.text


def test_proving_identity_starts_a_fresh_session(staff, visitor, client):
    person = staff.add()
    secret = staff.link(person)
    with client.session_transaction() as stored:
        stored["planted"] = "by someone else"
    visitor.begin(secret)
    with client.session_transaction() as stored:
        assert "planted" not in stored
        assert isinstance(stored["sid"], str) and len(stored["sid"]) >= 43
        assert "method" not in stored and "proof" not in stored  # on the server only


def test_an_unexpected_error_logs_the_route_not_the_token(app, caplog):
    @app.get("/activation/<token>/casse")
    def broken(token):
        raise RuntimeError("boom")

    app.test_client().get("/activation/s3cr3t-TOKEN/casse")
    assert "s3cr3t" not in caplog.text
    assert "/activation/<token>/casse" in caplog.text
