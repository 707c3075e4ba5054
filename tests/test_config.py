"""Configuration: WIZARD_* environment variables, their types, and their precedence."""

import pytest
from harness import TEST_CONFIG

from wizard import create_app
from wizard.config import DEFAULTS, SETTINGS, from_environment, parse_value
from wizard.web.app import WeakSecretKey

pytestmark = pytest.mark.usefixtures("isolated_configuration")


@pytest.mark.parametrize("raw", ["1", "true", "True", "yes", "on", "oui", " ON "])
def test_true_booleans(raw):
    assert parse_value("DEMO", raw) is True


@pytest.mark.parametrize("raw", ["0", "false", "FALSE", "no", "off", "non", ""])
def test_false_booleans(raw):
    assert parse_value("DEMO", raw) is False


@pytest.mark.parametrize("raw", ["2", "vrai", "peut-être"])
def test_unreadable_boolean_is_an_error_naming_the_variable(raw):
    with pytest.raises(ValueError, match="WIZARD_DEMO"):
        parse_value("DEMO", raw)


def test_integer_setting():
    assert parse_value("SMTP_PORT", "2525") == 2525


def test_unreadable_integer_is_an_error():
    with pytest.raises(ValueError):
        parse_value("SMTP_PORT", "vingt-cinq")


def test_float_setting():
    assert parse_value("SMTP_TIMEOUT", "2.5") == 2.5


def test_string_setting_is_kept_as_is():
    assert parse_value("BASE_URL", " https://sesame.univ.fr ") == " https://sesame.univ.fr "


def test_unknown_setting_is_an_error():
    with pytest.raises(KeyError):
        parse_value("NOT_A_SETTING", "1")


def test_from_environment_reads_prefixed_variables_only():
    environ = {"WIZARD_SMTP_PORT": "2525", "WIZARD_DEMO": "oui", "SMTP_PORT": "26",
               "WIZARD_UNKNOWN": "x", "HOME": "/root"}
    assert from_environment(environ) == {"SMTP_PORT": 2525, "DEMO": True}


def test_from_environment_with_nothing_set():
    assert from_environment({}) == {}


def test_from_environment_defaults_to_the_process_environment(monkeypatch):
    monkeypatch.setenv("WIZARD_INSTITUTION_NAME", "Université de Test")
    assert from_environment()["INSTITUTION_NAME"] == "Université de Test"


def test_every_setting_has_a_default_kind_and_documentation():
    names = [setting.name for setting in SETTINGS]
    assert len(names) == len(set(names))
    for setting in SETTINGS:
        assert setting.doc.strip(), setting.name
        assert setting.default is None or isinstance(setting.default, setting.kind), \
            setting.name


def test_environment_overrides_defaults_in_the_app(monkeypatch, tmp_path):
    monkeypatch.setenv("WIZARD_INSTITUTION_NAME", "Université de Test")
    monkeypatch.setenv("WIZARD_SESSION_IDLE_MINUTES", "5")
    app = create_app({"TESTING": True, "DATABASE": str(tmp_path / "w.sqlite3"),
                      "SECRET_KEY": TEST_CONFIG["SECRET_KEY"], "MAIL_DELIVERY_THREAD": False})
    assert app.config["INSTITUTION_NAME"] == "Université de Test"
    assert app.config["SESSION_IDLE_MINUTES"] == 5


def test_test_config_overrides_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("WIZARD_INSTITUTION_NAME", "Université de Test")
    app = create_app({"TESTING": True, "DATABASE": str(tmp_path / "w.sqlite3"),
                      "SECRET_KEY": TEST_CONFIG["SECRET_KEY"], "INSTITUTION_NAME": "Autre"})
    assert app.config["INSTITUTION_NAME"] == "Autre"


def test_app_starts_with_the_documented_defaults(tmp_path):
    app = create_app({"TESTING": True, "DATABASE": str(tmp_path / "w.sqlite3"),
                      "SECRET_KEY": TEST_CONFIG["SECRET_KEY"]})
    for name in ("BASE_URL", "MAIL_BACKEND", "TIMEZONE", "LINK_VALID_DAYS",
                 "SESSION_IDLE_MINUTES", "RESEND_COOLDOWN_SECONDS"):
        assert app.config[name] == DEFAULTS[name]


@pytest.mark.parametrize("key", ["test-secret", "x" * 40, "change-me", "é" * 10])
def test_production_refuses_a_weak_secret_key_and_says_how_to_make_one(tmp_path, key,
                                                                     isolated_configuration):
    """Before, any key was taken: one cookie signed with a weak key was enough to recover
    it offline and sign a session for anyone."""
    with pytest.raises(WeakSecretKey) as refused:
        create_app({"DATABASE": str(tmp_path / "w.sqlite3"), "SECRET_KEY": key,
                    "BASE_URL": "https://activation.univ-test.fr"})
    assert "python -c \"import secrets; print(secrets.token_hex(32))\"" in str(refused.value)
    assert "trop faible" in str(refused.value)


def test_demo_mode_on_plain_http_keeps_any_key(tmp_path, isolated_configuration):
    app = create_app({"DATABASE": str(tmp_path / "w.sqlite3"), "SECRET_KEY": "demo",
                      "DEMO": True, "BASE_URL": "http://127.0.0.1:5000",
                      "MAIL_DELIVERY_THREAD": False})
    assert app.config["SECRET_KEY"] == "demo"


def test_a_generated_instance_key_is_strong_enough(tmp_path, isolated_configuration):
    app = create_app({"DATABASE": str(tmp_path / "w.sqlite3"),
                      "MAIL_DELIVERY_THREAD": False})
    assert len(app.config["SECRET_KEY"]) == 64
