"""Every configuration key is documented in the README's table, and the table lists no other."""

import re
from pathlib import Path

import pytest

from wizard.config import SETTINGS

README = Path(__file__).resolve().parent.parent / "README.md"


@pytest.fixture(scope="module")
def readme() -> str:
    if not README.is_file():
        pytest.fail(f"{README} does not exist: it must document every WIZARD_* setting "
                    "in a configuration table", pytrace=False)
    return README.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", [setting.name for setting in SETTINGS])
def test_setting_is_documented(readme, name):
    assert f"`WIZARD_{name}`" in readme, f"WIZARD_{name} is missing from README.md"


def test_table_documents_only_real_settings(readme):
    documented = re.findall(r"^\|\s*`WIZARD_([A-Z0-9_]+)`", readme, flags=re.MULTILINE)
    assert documented, "README.md has no table of WIZARD_* settings"
    known = {setting.name for setting in SETTINGS}
    assert sorted(set(documented) - known) == []


def test_table_lists_settings_once(readme):
    documented = re.findall(r"^\|\s*`WIZARD_([A-Z0-9_]+)`", readme, flags=re.MULTILINE)
    assert len(documented) == len(set(documented))
