"""The layer contracts in pyproject.toml bite: a forbidden import added to a copy of the
source makes lint-imports fail and name it, whatever the state of the real tree."""

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"

DOMAIN_APPS = [
    "org",
    "cases",
    "intake",
    "assessment",
    "knowledge",
    "insights",
    "quality",
    "reports",
    "audit",
    "ops",
    "demo",
    "dashboard",
    "supervision",
    "web",
]


def _contracts() -> dict[str, dict]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    linter = config["tool"]["importlinter"]
    assert linter["root_package"] == "jiesu"
    return {contract["id"]: contract for contract in linter["contracts"]}


def test_the_four_rules_are_declared():
    contracts = _contracts()
    assert set(contracts) == {"core", "org", "cases", "pages"}
    for contract in contracts.values():
        assert contract["type"] == "forbidden"
        # an ignored import or an allowed indirect one would let a break through unseen
        assert "ignore_imports" not in contract
        assert not contract.get("allow_indirect_imports", False)

    core = contracts["core"]
    assert core["source_modules"] == ["jiesu.core"]
    assert sorted(core["forbidden_modules"]) == sorted(f"jiesu.{app}" for app in DOMAIN_APPS)

    org = contracts["org"]
    assert org["source_modules"] == ["jiesu.org"]
    others = [app for app in DOMAIN_APPS if app != "org"]
    assert sorted(org["forbidden_modules"]) == sorted(f"jiesu.{app}" for app in others)

    cases = contracts["cases"]
    assert cases["source_modules"] == ["jiesu.cases"]
    assert sorted(cases["forbidden_modules"]) == ["jiesu.assessment", "jiesu.intake"]

    pages = contracts["pages"]
    for domain in ("models", "workflow", "services", "queries"):
        assert f"jiesu.*.{domain}" in pages["source_modules"]
    for page in ("views", "forms", "presenters", "api", "urls"):
        assert f"jiesu.*.{page}" in pages["forbidden_modules"]
    assert "jiesu.web" in pages["forbidden_modules"]
    assert not set(pages["source_modules"]) & set(pages["forbidden_modules"])


# (contract, file in the copy, text appended to it, the import lint-imports must name)
PROBES = [
    (
        "core",
        "core/layer_probe.py",
        "import jiesu.cases.models\n",
        "jiesu.core.layer_probe -> jiesu.cases.models",
    ),
    (
        "org",
        "org/layer_probe.py",
        "def probe():\n    from jiesu.knowledge import models\n\n    return models\n",
        "jiesu.org.layer_probe -> jiesu.knowledge.models",
    ),
    (
        "cases",
        "cases/layer_probe.py",
        "from jiesu.intake import importer\n",
        "jiesu.cases.layer_probe -> jiesu.intake.importer",
    ),
    (
        "pages",
        "cases/workflow.py",
        "\n\ndef _layer_probe():\n    from jiesu.quality import views\n\n    return views\n",
        # a page of an app that has none yet, so the real tree cannot already hold this;
        # the heading, not only the chain, so the workflow itself must be a domain module
        "jiesu.cases.workflow is not allowed to import jiesu.quality.views:",
    ),
]


def _lint(copy: Path, contract: str | None = None) -> subprocess.CompletedProcess:
    command = [str(LINT_IMPORTS), "--no-logo", "--no-cache"]
    if contract:
        command += ["--contract", contract]
    # the copy comes first on the path, before the installed (editable) source
    env = {**os.environ, "PYTHONPATH": str(copy / "src")}
    return subprocess.run(
        command, cwd=copy, env=env, capture_output=True, text=True, timeout=60, check=False
    )


def _copy_of_the_source(target: Path) -> Path:
    """The package's Python files and the real pyproject.toml, in a directory of their own."""

    def not_python(folder, names):
        skipped = [n for n in names if not n.endswith(".py") and not Path(folder, n).is_dir()]
        return [*skipped, "__pycache__"]

    shutil.copytree(ROOT / "src" / "jiesu", target / "src" / "jiesu", ignore=not_python)
    shutil.copy(ROOT / "pyproject.toml", target / "pyproject.toml")
    return target


def test_a_forbidden_import_breaks_its_contract(tmp_path):
    copy = _copy_of_the_source(tmp_path)
    before = _lint(copy)
    assert "Contracts:" in before.stdout, before.stdout + before.stderr
    for _, _, _, line in PROBES:
        assert line not in before.stdout

    (copy / "src" / "jiesu" / "quality" / "views.py").write_text('"""A page."""\n')
    for _, path, text, _ in PROBES:
        with open(copy / "src" / "jiesu" / path, "a", encoding="utf-8") as file:
            file.write(text)

    for contract, _, _, line in PROBES:
        result = _lint(copy, contract)
        assert result.returncode == 1, result.stdout + result.stderr
        assert "Contracts: 0 kept, 1 broken." in result.stdout
        assert line in result.stdout, result.stdout
