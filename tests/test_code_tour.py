"""The README's tour of the code names every module of the package."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def tour() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## A tour of the code", 1)[1].split("\n## ", 1)[0]
    return section.split("```", 2)[1]


def test_every_module_is_in_the_tour():
    text = tour()
    named = set(re.findall(r"[A-Za-z0-9_]+\.py", text))
    folders = set(re.findall(r"([a-z_]+)/", text))
    missing = []
    for path in sorted((ROOT / "wizard").rglob("*.py")):
        relative = path.relative_to(ROOT / "wizard")
        if path.name not in named or any(part not in folders for part in relative.parts[:-1]):
            missing.append(str(relative))
    assert not missing, f"modules missing from the README's tour: {missing}"


def test_the_tour_names_no_module_that_is_gone():
    modules = {path.name for path in (ROOT / "wizard").rglob("*.py")}
    named = set(re.findall(r"\b([a-z0-9_]+\.py)\b", tour()))
    assert named <= modules, f"the tour names modules that do not exist: {named - modules}"
