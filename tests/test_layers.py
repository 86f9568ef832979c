"""The layers point one way, by a declared map that covers every module of simtools.

Each module belongs to exactly one layer (:data:`LAYERS`); a layer may import only the layers
:data:`ALLOWED` names for it, anywhere in a module (type-checking imports included). Third-party
packages that do I/O or drawing are confined to the layers that need them (:data:`CONFINED`).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import simtools

PACKAGE = Path(simtools.__file__).resolve().parent

#: Layer -> the modules in it (a name ending in ``.*`` is a package and everything under it).
LAYERS: dict[str, tuple[str, ...]] = {
    # The error tree and the wire models know each other (an ApiError holds the API's errors).
    "core": (
        "simtools.errors",
        "simtools._version",
        "simtools.models",
        "simtools.results",
        "simtools.wireless_models",
        "simtools.wording",
        "simtools.cli_hints",
        "simtools.history_models",
    ),
    "inputs": ("simtools.inputs.*",),
    "frames": ("simtools.frames.*", "simtools.display"),
    "analysis": ("simtools.analysis.*",),
    "client": ("simtools.client.*",),
    "store": ("simtools.snapshots",),
    "plots": ("simtools.plots.*",),
    "sandbox": ("simtools.sandbox.*",),
    "workflows": ("simtools.workflows.*",),
    "views": (
        "simtools.widgets.*",
        "simtools.cli",
        "simtools.cli_changes",
        "simtools.cli_output",
        "simtools.cli_fleet",
        "simtools.runbook.*",
        "simtools.report",
        "simtools.demo",
        "simtools.esim_labels",
        "simtools.__main__",
    ),
    "package": ("simtools",),
}
#: Layer -> the layers it may import (besides itself).
ALLOWED: dict[str, set[str]] = {
    "core": set(),
    "inputs": {"core"},
    "frames": {"core", "inputs"},
    "analysis": {"core", "inputs", "frames"},
    "client": {"core", "inputs"},
    "store": {"core", "inputs", "frames"},
    "plots": {"core", "inputs", "frames", "analysis"},
    "sandbox": {"core"},
    "workflows": {"core", "inputs", "frames", "analysis", "client", "store", "sandbox"},
    "views": set(LAYERS) - {"views", "package"},
    "package": set(LAYERS) - {"package"},
}
#: Imports that cross the map on purpose: (module, imported module) -> why.
FORWARDERS = {
    ("simtools.client", "simtools.workflows.registration"): (
        "client.register forwards to the registration workflow, imported when called"
    ),
}
#: Third-party package -> the layers that may import it.
CONFINED: dict[str, set[str]] = {
    "httpx": {"client", "sandbox"},
    "matplotlib": {"plots", "views"},
    "ipywidgets": {"views"},
    "anywidget": {"views"},
    "segno": {"views"},
    "IPython": {"views", "workflows"},
    "uvicorn": {"sandbox"},
    "starlette": {"sandbox"},
    "tenacity": {"client"},
    "pandas": set(LAYERS) - {"core", "client", "sandbox"},
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> list[str]:
    return sorted(module_name(p) for p in PACKAGE.rglob("*.py"))


def layer_of(name: str) -> str | None:
    """The layer a simtools module belongs to (the longest matching entry of the map)."""
    best: tuple[int, str] | None = None
    for layer, entries in LAYERS.items():
        for entry in entries:
            base = entry.removesuffix(".*")
            hit = name == base or (entry.endswith(".*") and name.startswith(base + "."))
            if hit and (best is None or len(base) > best[0]):
                best = (len(base), layer)
    return None if best is None else best[1]


def imports_of(name: str) -> set[str]:
    path = PACKAGE.parent.joinpath(*name.split("."))
    path = path / "__init__.py" if path.is_dir() else path.with_suffix(".py")
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module == "simtools":
            # from simtools import runbook: the module of that name, not the package root
            found.update(f"simtools.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def test_every_module_belongs_to_exactly_one_layer() -> None:
    """The map covers every module: a new module must be placed in a layer."""
    unplaced = [name for name in modules() if layer_of(name) is None]
    assert not unplaced, f"modules in no layer of LAYERS: {unplaced}"
    assert len(modules()) > 80


def upward_imports(name: str, imported: set[str]) -> list[str]:
    """The imports of module ``name`` that its layer may not make."""
    layer = layer_of(name)
    assert layer is not None
    bad = []
    for other in sorted(imported):
        target = layer_of(other) if other.startswith("simtools") else None
        if target is None or (name, other) in FORWARDERS:
            continue
        if target != layer and target not in ALLOWED[layer]:
            bad.append(f"{name} ({layer}) imports {other} ({target})")
    return bad


@pytest.mark.parametrize("name", modules())
def test_a_module_imports_only_the_layers_below_it(name: str) -> None:
    """Data flows one way: wire -> models -> frames -> analysis/plots -> workflows -> views."""
    assert upward_imports(name, imports_of(name)) == []


@pytest.mark.parametrize("name", modules())
def test_io_and_drawing_packages_stay_in_their_layers(name: str) -> None:
    """httpx only in the client and the sandbox; matplotlib in plots and views; no pandas in the
    models, errors, the client or the sandbox (frames and analysis never import httpx)."""
    layer = layer_of(name)
    for imported in imports_of(name):
        top = imported.split(".")[0]
        if top in CONFINED:
            assert layer in CONFINED[top], f"{name} ({layer}) imports {top}"


def test_the_map_itself_is_one_way() -> None:
    """No two layers may import each other, so the map has no cycle."""
    for layer, allowed in ALLOWED.items():
        for other in allowed:
            assert layer not in ALLOWED[other], (layer, other)


def test_the_check_catches_an_upward_import() -> None:
    """A frames module importing the client, or the client importing a workflow other than
    its forwarder, is reported (the check can fail)."""
    assert upward_imports("simtools.frames.pages", {"simtools.client._core", "pandas"}) == [
        "simtools.frames.pages (frames) imports simtools.client._core (client)"
    ]
    assert upward_imports("simtools.client", {"simtools.workflows.fleet"}) != []
    assert upward_imports("simtools.client", {"simtools.workflows.registration"}) == []
