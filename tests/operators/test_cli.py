"""The operators' `wizard` commands, run through Flask's CLI test runner."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from harness import mails, rows

from wizard.operators.cli import DEMO_PEOPLE, main

pytestmark = pytest.mark.dates  # run again with the clock years ahead (make test)


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def add(runner, first="Jean", last="Dupont", personal="jean.dupont@exemple.org"):
    args = ["add-person", "--first-name", first, "--last-name", last]
    if personal:
        args += ["--personal-email", personal]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    return result.output.split()


def command_names(app):
    return sorted(app.cli.commands)


def test_operator_commands_are_registered(app):
    assert {"init-db", "add-person", "demo", "invite", "send-mail"} <= set(app.cli.commands)


@pytest.mark.parametrize("name", ["init-db", "add-person", "demo", "invite", "send-mail"])
def test_every_command_has_help(runner, name):
    result = runner.invoke(args=[name, "--help"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Usage:")
    summary = result.output.split("\n\n")[1].strip()
    assert summary, f"{name} has no description"


def test_wizard_command_lists_the_operator_commands(isolated_configuration):
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0, result.output
    for name in ("init-db", "add-person", "demo", "invite", "send-mail", "run"):
        assert f"  {name} " in result.output


@pytest.mark.parametrize("name", ["init-db", "add-person", "demo", "invite", "send-mail"])
def test_wizard_command_gives_help_on_each_command(isolated_configuration, name):
    result = CliRunner().invoke(main, [name, "--help"])
    assert result.exit_code == 0, result.output
    assert "Utilisation\u00a0:" in result.output


def test_every_registered_command_has_help(app, runner):
    for name in command_names(app):
        result = runner.invoke(args=[name, "--help"])
        assert result.exit_code == 0, (name, result.output)


def test_init_db_creates_the_schema_and_can_run_again(runner, app, database):
    for _ in range(2):
        result = runner.invoke(args=["init-db"])
        assert result.exit_code == 0, result.output
        assert app.config["DATABASE"] in result.output
    assert {"people", "enrolments", "tokens", "outbox", "audit", "accounts"} \
        <= set(database.table_names())


def test_add_person_prints_login_and_address(runner, database):
    assert add(runner) == ["jdupont", "jean.dupont@univ-test.fr"]
    (person,) = rows(database, "SELECT * FROM people")
    assert person["status"] == "pending"
    assert person["personal_email"] == "jean.dupont@exemple.org"


def test_add_person_makes_homonyms_unique(runner):
    add(runner)
    assert add(runner, personal="autre.jean@exemple.org") \
        == ["jdupont2", "jean.dupont2@univ-test.fr"]


def test_add_person_folds_accents(runner):
    assert add(runner, "Jean-Éric", "N'Diaye") == ["jndiaye", "jean-eric.ndiaye@univ-test.fr"]


def test_add_person_without_personal_address(runner, database):
    add(runner, personal=None)
    assert rows(database, "SELECT personal_email FROM people")[0]["personal_email"] is None


def test_add_person_refuses_an_invalid_address(runner, database):
    result = runner.invoke(args=["add-person", "--first-name", "Jean", "--last-name", "Dupont",
                                 "--personal-email", "pas une adresse"])
    assert result.exit_code == 2
    assert rows(database, "SELECT * FROM people") == []


def test_add_person_requires_names(runner):
    result = runner.invoke(args=["add-person", "--first-name", "Jean"])
    assert result.exit_code == 2


def test_invite_queues_an_activation_mail(runner, database):
    add(runner)
    result = runner.invoke(args=["invite", "jdupont"])
    assert result.exit_code == 0, result.output
    (sent,) = mails(database, "activation")
    assert sent["to_addr"] == "jean.dupont@exemple.org"


def test_invite_of_an_unknown_login_fails(runner, database):
    result = runner.invoke(args=["invite", "inconnu"])
    assert result.exit_code == 1
    assert "inconnu : identifiant inconnu" in result.stderr
    assert mails(database) == []


def test_invite_fails_when_any_login_fails_but_sends_the_others(runner, database):
    add(runner)
    result = runner.invoke(args=["invite", "jdupont", "inconnu"])
    assert result.exit_code == 1
    assert len(mails(database, "activation")) == 1


def test_invite_without_personal_address_fails(runner, database):
    add(runner, personal=None)
    result = runner.invoke(args=["invite", "jdupont"])
    assert result.exit_code == 1
    assert "adresse personnelle" in result.stderr
    assert mails(database) == []


def test_invite_of_an_active_person_fails(runner, database):
    add(runner)
    database.execute("UPDATE people SET status = 'active'")
    database.conn.commit()
    result = runner.invoke(args=["invite", "jdupont"])
    assert result.exit_code == 1
    assert mails(database) == []


def test_invite_requires_a_login(runner):
    assert runner.invoke(args=["invite"]).exit_code == 2


def test_invite_again_revokes_the_earlier_link(runner, database):
    add(runner)
    runner.invoke(args=["invite", "jdupont"])
    runner.invoke(args=["invite", "jdupont"])
    states = rows(database, "SELECT revoked_at FROM tokens ORDER BY id")
    assert [s["revoked_at"] is not None for s in states] == [True, False]


def test_demo_seeds_people_and_prints_their_links(runner, database):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    # The link people, and one person on the sésame path with a letter.
    assert len(rows(database, "SELECT * FROM people")) == len(DEMO_PEOPLE) + 1
    assert result.output.count("https://sesame.univ-test.fr/activation/") == len(DEMO_PEOPLE)
    assert len(mails(database, "activation")) == len(DEMO_PEOPLE)
    letters = Path(runner.app.instance_path) / "courriers-demo.pdf"
    assert letters.read_bytes().startswith(b"%PDF")
    (letter_person,) = rows(database, "SELECT * FROM people WHERE personal_email IS NULL")
    assert letter_person["sesame_hash"].startswith("$argon2id$")


def test_demo_twice_reuses_the_people(runner, database):
    runner.invoke(args=["demo"])
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert len(rows(database, "SELECT * FROM people")) == len(DEMO_PEOPLE) + 1
    live = rows(database, "SELECT count(*) AS n FROM tokens WHERE revoked_at IS NULL")
    assert live[0]["n"] == len(DEMO_PEOPLE)


def test_send_mail_with_the_outbox_backend_sends_nothing(runner, database):
    add(runner)
    runner.invoke(args=["invite", "jdupont"])
    result = runner.invoke(args=["send-mail"])
    assert result.exit_code == 0
    assert "smtp" in result.output
    assert mails(database)[0]["sent_at"] is None


def test_send_mail_delivers_through_smtp(make_app, relay):
    relay.up()
    app = make_app(MAIL_BACKEND="smtp", SMTP_HOST="127.0.0.1", SMTP_PORT=relay.port)
    runner = app.test_cli_runner()
    add(runner)
    runner.invoke(args=["invite", "jdupont"])
    result = runner.invoke(args=["send-mail"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "1 envoyé(s), 0 en échec, 0 en attente."
    assert [m["To"] for m in relay.received] == ["jean.dupont@exemple.org"]


def test_send_mail_with_the_relay_down_keeps_the_mail(make_app, relay):
    app = make_app(MAIL_BACKEND="smtp", SMTP_HOST="127.0.0.1", SMTP_PORT=relay.port,
                   SMTP_TIMEOUT=2.0)
    runner = app.test_cli_runner()
    add(runner)
    runner.invoke(args=["invite", "jdupont"])
    result = runner.invoke(args=["send-mail"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "0 envoyé(s), 1 en échec, 1 en attente."


def test_a_weak_secret_key_stops_the_command_with_a_french_message(tmp_path):
    """The production check (issue 12.4) as an operator meets it: no traceback."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("WIZARD_")}
    env.update({"WIZARD_INSTANCE_PATH": str(tmp_path), "WIZARD_SECRET_KEY": "court"})
    result = subprocess.run([str(Path(sys.executable).parent / "wizard"), "status", "x"],
                            env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "WIZARD_SECRET_KEY est trop faible" in result.stderr
    assert 'python -c "import secrets; print(secrets.token_hex(32))"' in result.stderr
