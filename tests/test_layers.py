"""The layers point one way: HTTP only in the client, no I/O in the pure modules."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "simtools"
PURE = ("codes", "frames", "usage", "plots", "history", "results", "models", "checks")
# Modules that serve HTTP or drive the client from outside, rather than calling the API directly.
HTTP_ALLOWED = ("client", "sandbox")


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_only_the_client_and_the_sandbox_import_httpx(path: Path) -> None:
    """httpx is imported by the client package (and the sandbox's tooling) alone."""
    top = path.relative_to(PACKAGE).parts[0].removesuffix(".py")
    uses_httpx = any(name.split(".")[0] == "httpx" for name in imported_modules(path))
    assert not uses_httpx or top in HTTP_ALLOWED


@pytest.mark.parametrize("name", PURE)
def test_pure_modules_do_not_reach_up(name: str) -> None:
    """Pure layers import neither the client, the widgets, the CLI nor the sandbox."""
    module = PACKAGE / f"{name}.py"
    files = [module] if module.exists() else sorted((PACKAGE / name).glob("*.py"))
    assert files
    imports = set().union(*(imported_modules(f) for f in files))
    upward = {
        "simtools.client",
        "simtools.widgets",
        "simtools.cli",
        "simtools.sandbox",
        "simtools.workflows.fleet",
        "simtools.workflows.connect",
        "httpx",
        "ipywidgets",
    }
    assert not {i for i in imports if any(i == u or i.startswith(u + ".") for u in upward)}


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_only_plots_and_widgets_import_matplotlib(path: Path) -> None:
    """matplotlib stays inside the plotting layer and the views and reports built on it."""
    rel = path.relative_to(PACKAGE)
    uses = any(name.split(".")[0] == "matplotlib" for name in imported_modules(path))
    allowed = rel.parts[0] in ("plots.py", "widgets", "demo.py", "plots")
    assert not uses or allowed
