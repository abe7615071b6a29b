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


def test_no_template_holds_script_the_content_security_policy_would_refuse():
    """script-src 'self': an inline <script> or an on…= handler does not run in the browser
    (static/poverty/page.js holds what they did). JSON data blocks (json_script) are fine."""
    import re

    inline = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I)
    handler = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I)
    found = {}
    for path in ROOT.glob("**/templates/**/*.html"):
        if ".venv" in path.parts:
            continue
        text = path.read_text()
        hits = [m.group(0) for m in (*inline.finditer(text), *handler.finditer(text))]
        if hits:
            found[str(path.relative_to(ROOT))] = hits
    assert not found, f"inline script the CSP refuses: {found}"


def test_every_page_carries_a_strict_content_security_policy(client):
    policy = client.get("/accounts/login/")["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";") if d.strip())
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'" and directives["frame-ancestors"] == "'none'"
    assert "http" not in policy  # nothing from another host
