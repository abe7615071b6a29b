"""The layout the code keeps: the framework (poverty/common) and the personal-data package
(poverty/personal) import no app, so the apps build on them and never the other way round."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ("accounts", "villages", "households", "projects", "inspections", "poverty.dashboard")


def imported(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def test_the_framework_and_personal_data_import_no_app():
    found = {}
    for package in ("poverty/common", "poverty/personal"):
        for path in (ROOT / package).glob("*.py"):
            apps = sorted(
                n for n in imported(path) if any(n == a or n.startswith(a + ".") for a in APPS)
            )
            if apps:
                found[str(path.relative_to(ROOT))] = apps
    assert not found, f"framework modules import apps (use apps.get_model or move it): {found}"
