"""`wizard directory …` with the embedded SQLite directory: help, and a plain refusal (the
commands against a real slapd are in tests/directory/)."""

import pytest


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.mark.parametrize("args", [["directory", "--help"], ["directory", "check", "--help"],
                                  ["directory", "sync", "--help"]])
def test_directory_commands_have_help(runner, args):
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Usage:")


@pytest.mark.parametrize("command", ["check", "sync"])
def test_without_ldap_the_commands_say_why(runner, command):
    result = runner.invoke(args=["directory", command])
    assert result.exit_code == 1
    assert "WIZARD_DIRECTORY n'est pas «\u00a0ldap\u00a0»" in result.output


def test_import_check_directory_without_ldap(runner, tmp_path):
    export = tmp_path / "rh.csv"
    export.write_text("Matricule;Nom;Prénom\n1;Dupont;Jean\n", encoding="utf-8")
    result = runner.invoke(args=["import-staff", str(export), "--check-directory"])
    assert result.exit_code == 1
    assert "--check-directory\u00a0: WIZARD_DIRECTORY n'est pas" in result.output
