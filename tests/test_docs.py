"""The documentation site builds with warnings as errors, a broken reference fails it, and its
frame contract tables come from the declarations."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from simtools.frames.contracts import CONTRACTS

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


def build(config: Path, site: Path) -> subprocess.CompletedProcess[str]:
    """``mkdocs build --strict`` of ``config`` into ``site``."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(config), "-d", str(site)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=240,
        check=False,
    )


def hook() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "frame_contracts", ROOT / "docs_hooks" / "frame_contracts.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_site_builds_strictly_with_every_page(tmp_path: Path) -> None:
    """`mkdocs build --strict` succeeds and writes the task pages, the contracts and the API."""
    done = build(ROOT / "mkdocs.yml", tmp_path / "site")
    assert done.returncode == 0, done.stderr
    for page in (
        "getting-started",
        "tasks/register",
        "tasks/runbook",
        "frames",
        "reference/client",
    ):
        assert (tmp_path / "site" / page / "index.html").is_file(), page
    frames = (tmp_path / "site" / "frames" / "index.html").read_text()
    assert "data_limit_mb" in frames
    assert "<!-- frame-contracts -->" not in frames  # the marker was replaced


def test_a_broken_reference_fails_the_build(tmp_path: Path) -> None:
    """A link to a missing page or an unknown API name is an error, not a warning."""
    docs = tmp_path / "docs"
    shutil.copytree(ROOT / "docs", docs)
    with (docs / "index.md").open("a") as f:
        f.write("\nSee [gone][simtools.does_not_exist] and [this page](missing.md).\n")
    config = (ROOT / "mkdocs.yml").read_text()
    config = config.replace("docs_hooks/", f"{ROOT}/docs_hooks/").replace(
        "paths: [.]", f"paths: [{ROOT}]"
    )
    (tmp_path / "mkdocs.yml").write_text(config + f"\ndocs_dir: {docs}\n")
    done = build(tmp_path / "mkdocs.yml", tmp_path / "site")
    assert done.returncode != 0
    assert "simtools.does_not_exist" in done.stderr
    assert "missing.md" in done.stderr


def test_contract_tables_list_every_declared_column() -> None:
    """The generated page has a section per contract and a row per declared column, with its
    dtype."""
    text = hook().contract_tables()
    for name, contract in CONTRACTS.items():
        assert f"## `{name}`" in text
        for column in contract.columns:
            assert f"| `{column.name}` | `{column.dtype}`" in text, (name, column.name)
