"""`wizard --help` lists the operators' commands in French, without Flask's developer
commands, and Click's errors are in French too."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

WIZARD = Path(sys.executable).parent / "wizard"


def wizard(*args: str, tmp_path: Path) -> subprocess.CompletedProcess:
    env = {"WIZARD_DATABASE": str(tmp_path / "w.sqlite3"),
           "WIZARD_INSTANCE_PATH": str(tmp_path / "instance"),
           "WIZARD_SECRET_KEY": "f3a9" + "0123456789abcdef" * 3,
           "PATH": "/usr/bin:/bin"}
    return subprocess.run([str(WIZARD), *args], capture_output=True, text=True, env=env,
                          timeout=60)


def test_help_lists_the_operators_commands_in_french(tmp_path):
    result = wizard("--help", tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.startswith("Utilisation\u00a0: wizard")
    assert "Commandes:" in out and "Affiche cette aide et quitte." in out
    listed = {line.split()[0] for line in out.split("Commandes:")[1].splitlines()
              if line.startswith("  ")}
    assert {"import-staff", "status", "audit", "invite", "sesame", "unlock"} <= listed
    assert not {"routes", "shell", "limiter"} & listed
    assert "--env-file" not in out and "--app" not in out
    assert "Où en est une personne" in out
    assert "Show the routes" not in out and "Register one pending" not in out


@pytest.mark.parametrize(("args", "said"), [
    (["statut"], "Erreur\u00a0: Commande inconnue\u00a0: 'statut'."),
    (["status"], "Erreur\u00a0: Argument manquant 'WHO'."),
    (["audit", "x", "--limit", "beaucoup"], "n'est pas un entier valide"),
    (["report", "--tout"], "Option inconnue"),
])
def test_click_errors_are_in_french(tmp_path, args, said):
    result = wizard(*args, tmp_path=tmp_path)
    assert result.returncode == 2
    assert said in result.stderr
    assert "Essayez «\u00a0wizard" in result.stderr
