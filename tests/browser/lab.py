"""A Jupyter server for one test (JupyterLab or Notebook 7): temporary dirs, token auth,
stopped for sure on exit."""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import httpx
import pytest

CHROMIUM = Path("/usr/bin/chromium")
REQUIRE_ENV = "SIMTOOLS_REQUIRE_BROWSER"
#: Flags that keep Chromium quiet and self-contained on a machine without internet or a GPU.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
_START_TIMEOUT = 120.0

#: The two front ends the widgets must render in; both are built on JupyterLab components.
Ui = Literal["lab", "notebook"]
UIS: tuple[Ui, ...] = ("lab", "notebook")


def need_browser() -> Path:
    """Debian's Chromium and the playwright package, or a skip (a failure when
    ``SIMTOOLS_REQUIRE_BROWSER=1``) that says what is missing."""
    missing = []
    if not CHROMIUM.exists():
        missing.append(f"{CHROMIUM} is missing (apt-get install -y chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("the playwright package is not installed (pip install playwright)")
    if missing:
        reason = "; ".join(missing)
        if os.environ.get(REQUIRE_ENV) == "1":
            pytest.fail(f"{REQUIRE_ENV}=1 but {reason}")
        pytest.skip(f"real-browser test skipped: {reason}")
    return CHROMIUM


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def write_notebook(path: Path, cells: list[str]) -> Path:
    """A Python 3 notebook (nbformat 4.5) of code cells, unexecuted."""
    notebook = {
        "nbformat": 4,
        "nbformat_minor": 5,
        "metadata": {
            "kernelspec": {
                "name": "python3",
                "display_name": "Python 3 (ipykernel)",
                "language": "python",
            },
            "language_info": {"name": "python"},
        },
        "cells": [
            {
                "cell_type": "code",
                "id": f"cell-{number}",
                "metadata": {},
                "execution_count": None,
                "outputs": [],
                "source": source,
            }
            for number, source in enumerate(cells, start=1)
        ],
    }
    path.write_text(json.dumps(notebook, indent=1))
    return path


@dataclass
class Lab:
    """A running Jupyter server: ``url(path)`` opens a path with the token."""

    ui: Ui
    port: int
    token: str
    root: Path
    log: Path

    def notebook_url(self, name: str) -> str:
        """Where this front end opens the notebook ``name`` (relative to the root)."""
        route = "lab/tree" if self.ui == "lab" else "notebooks"
        return self.url(f"{route}/{name}")

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}/{path.lstrip('/')}?token={self.token}"

    def api(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}/api/{path.lstrip('/')}"

    def wait_kernel_connected(self, timeout: float = _START_TIMEOUT) -> None:
        """Wait until the server has a kernel with a front end connected to it.

        Both front ends show "Idle" for a moment before they even ask for a kernel, so the
        page's indicator alone cannot say the kernel is ready; after this wait it can.
        """
        headers = {"Authorization": f"token {self.token}"}
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                response = httpx.get(self.api("kernels"), headers=headers, timeout=5.0)
                kernels = response.json() if response.status_code == 200 else []
            except (httpx.HTTPError, ValueError):
                kernels = []
            # While the server is still starting it may answer with an error object, not a list.
            if isinstance(kernels, list) and any(
                isinstance(kernel, dict) and kernel.get("connections", 0) > 0 for kernel in kernels
            ):
                return
            time.sleep(0.25)
        raise RuntimeError(f"no kernel connected within {timeout:.0f} s:\n{self.log_tail()}")

    def log_tail(self, lines: int = 40) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


@contextmanager
def jupyter_server(
    tmp: Path, env: Mapping[str, str] | None = None, *, ui: Ui = "lab"
) -> Iterator[Lab]:
    """Start JupyterLab (``ui="lab"``) or Notebook 7 (``ui="notebook"``) on 127.0.0.1 serving
    ``tmp/root``; extra ``env`` reaches the kernels.

    Config, runtime, settings, workspaces and IPython dirs are under ``tmp``, so nothing is
    left behind. The server (and its kernels) is stopped when the block ends, however it ends.
    """
    dirs = {
        name: tmp / name
        for name in ("root", "config", "runtime", "settings", "workspaces", "ipython", "data")
    }
    for folder in dirs.values():
        folder.mkdir(parents=True, exist_ok=True)
    # No "get notified about Jupyter news?" toast over the page (and no request for news).
    notification = dirs["settings"] / "@jupyterlab" / "apputils-extension"
    notification.mkdir(parents=True, exist_ok=True)
    (notification / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False})
    )
    lab = Lab(ui, free_port(), secrets.token_hex(16), dirs["root"], tmp / "jupyter.log")
    process_env = {
        **os.environ,
        **(env or {}),
        "JUPYTER_CONFIG_DIR": str(dirs["config"]),
        "JUPYTER_RUNTIME_DIR": str(dirs["runtime"]),
        "JUPYTERLAB_SETTINGS_DIR": str(dirs["settings"]),
        "JUPYTERLAB_WORKSPACES_DIR": str(dirs["workspaces"]),
        "IPYTHONDIR": str(dirs["ipython"]),
        "JUPYTER_PLATFORM_DIRS": "1",
    }
    command = [
        sys.executable,
        "-m",
        "jupyter",
        ui,
        "--no-browser",
        "--ip=127.0.0.1",
        f"--port={lab.port}",
        "--port-retries=0",
        f"--IdentityProvider.token={lab.token}",
        f"--ServerApp.root_dir={lab.root}",
        "--allow-root",
        # Notebook 7 loads the JupyterLab server extension too, which reads these.
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.handlers.announcements.NeverCheckForUpdate",
    ]
    with lab.log.open("wb") as log:
        process = subprocess.Popen(
            command, env=process_env, stdout=log, stderr=subprocess.STDOUT, cwd=lab.root
        )
        try:
            _wait_ready(lab, process)
            yield lab
        finally:
            _shutdown_kernels(lab)
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


def _wait_ready(lab: Lab, process: subprocess.Popen[Any]) -> None:
    deadline = time.monotonic() + _START_TIMEOUT
    headers = {"Authorization": f"token {lab.token}"}
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"jupyter {lab.ui} exited with {process.returncode}:\n{lab.log_tail()}"
            )
        try:
            if httpx.get(lab.api("status"), headers=headers, timeout=2.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.25)
    raise RuntimeError(
        f"jupyter {lab.ui} did not answer within {_START_TIMEOUT:.0f} s:\n{lab.log_tail()}"
    )


def _shutdown_kernels(lab: Lab) -> None:
    """Stop the kernels through the API, so none outlives the server."""
    headers = {"Authorization": f"token {lab.token}"}
    try:
        kernels = httpx.get(lab.api("kernels"), headers=headers, timeout=5.0).json()
        for kernel in kernels:
            httpx.delete(lab.api(f"kernels/{kernel['id']}"), headers=headers, timeout=10.0)
    except (httpx.HTTPError, ValueError, KeyError, TypeError):
        pass  # the server is going down anyway; terminating it stops its kernels too
