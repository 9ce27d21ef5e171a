"""The floors (docs/architecture.md) are a contract that `make lint` checks with import-linter: a wrong
arrow fails it. Each test copies the apps to a scratch folder, adds one wrong import, and runs the same
check as CI."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = [
    "core",
    "grids",
    "audit",
    "messaging",
    "residents",
    "disputes",
    "party",
    "cogovernance",
    "civility",
    "towntasks",
    "visits",
    "people",
    "reports",
    "tooling",
    "governance",
]
LINT = Path(sys.executable).parent / "lint-imports"


@pytest.fixture
def tree(tmp_path):
    for package in PACKAGES:
        if (ROOT / package).is_dir():
            shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def lint(folder: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT), "--no-cache", "--no-logo"], cwd=folder, capture_output=True, text=True, timeout=120, check=False
    )


def add_import(folder: Path, module: str, line: str) -> None:
    path = folder / module
    path.write_text(path.read_text() + f"\n{line}  # noqa\n")


def test_the_tree_keeps_every_contract(tree):
    result = lint(tree)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "BROKEN" not in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "contract"),
    [
        # the territory reaching up into the registry
        ("grids/services.py", "from residents.models import Household", "Floors"),
        # the ground floor reaching into the territory
        ("core/pages.py", "from grids import access", "Floors"),
        # the registry reaching up into visits, through any chain
        ("residents/services.py", "from visits import due", "Floors"),
        # visits reaching up into the accounts and handover
        ("visits/services.py", "from people import handover", "Floors"),
        # two apps on one floor importing each other
        ("audit/trail.py", "from messaging.models import Notice", "Floors"),
        # the Party app beside the cases reaching into them
        ("party/services.py", "from disputes.models import Case", "Floors"),
        # co-governance beside the Party app reaching into it
        ("cogovernance/services.py", "from party.models import PartyOrganisation", "Floors"),
        # 德治/法治 beside co-governance reaching into it
        ("civility/services.py", "from cogovernance.models import Project", "Floors"),
        # the Party app reaching up into the visits it stands below
        ("party/selectors.py", "from visits import due", "Floors"),
        # an app importing the project package
        ("visits/tasks.py", "from governance import settings", "No app imports the project package"),
        # a page borrowing another app's view
        ("reports/selectors.py", "from visits.views import work_list", "reports: pages composed"),
    ],
)
def test_a_wrong_import_fails_the_check(tree, module, line, contract):
    if not (tree / module).exists():
        (tree / module).write_text('"""A module of the app."""\n')
    add_import(tree, module, line)
    result = lint(tree)
    assert result.returncode != 0
    broken = result.stdout.split("Broken contracts")[-1]
    assert contract in broken, result.stdout
