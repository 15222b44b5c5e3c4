"""Project invariants: documented settings, the datastore stays free of Django, docs match code."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "territoria"


def test_every_environment_variable_is_documented_in_the_readme():
    names = set(re.findall(r"""environ\.get\(\s*["']([A-Z_]+)["']""", _all_source()))
    readme = (ROOT / "README.md").read_text()
    undocumented = sorted(n for n in names if f"`{n}`" not in readme)
    assert not undocumented, f"document these in README.md, Configuration: {undocumented}"


def test_datastore_core_never_imports_django():
    offenders = [
        str(p.relative_to(ROOT))
        for p in (PACKAGE / "datastore").rglob("*.py")
        if re.search(r"^\s*(from|import)\s+django", p.read_text(), re.M)
    ]
    assert offenders == []


def test_architecture_names_every_app_and_datastore_module():
    text = (ROOT / "docs" / "architecture.md").read_text()
    apps = [p.name for p in PACKAGE.iterdir() if (p / "apps.py").exists()]
    missing = [f"{a}/" for a in apps if f"`{a}/`" not in text]
    core = [p.name for p in (PACKAGE / "datastore").iterdir() if p.suffix == ".py"]
    core += [
        p.name + "/" for p in (PACKAGE / "datastore").iterdir() if (p / "__init__.py").exists()
    ]
    missing += [m for m in core if m != "__init__.py" and f"`{m}`" not in text]
    assert not missing, f"docs/architecture.md does not mention: {missing}"


def _all_source() -> str:
    return "\n".join(p.read_text() for p in PACKAGE.rglob("*.py") if "migrations" not in p.parts)
