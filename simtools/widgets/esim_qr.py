"""The eSIM QR widget: activation codes as QR codes on screen, and never in the saved notebook.

A notebook keeps a cell's outputs and, where widget state is saved, every synced trait of every
widget (an ``Image`` widget's bytes, an ``Output`` widget's outputs). So the QR codes are neither:
this widget's synced state is its title and how many codes it holds. When someone clicks **Show QR
codes**, the view asks the kernel, which answers with a custom comm message that the view draws
into the page; custom messages are not widget state, so neither a saved notebook nor a notebook
executed headless (no view, so nothing is asked) holds them. **Hide** removes them from the page.
The widget is built on anywidget, whose view code ships with it (no build step, no extension to
install beyond the package).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import anywidget
import traitlets

from simtools.esim_labels import label_payload
from simtools.workflows.esim_onboarding import EsimLabel, EsimOnboarding

__all__ = ["EsimQrForm", "esim_qr_form"]

_ESM = """
function render({ model, el }) {
  const root = document.createElement("div");
  root.className = "simtools-qr";
  const head = document.createElement("div");
  head.className = "simtools-qr-head";
  const title = document.createElement("strong");
  const button = document.createElement("button");
  button.className = "jupyter-button simtools-qr-toggle";
  const grid = document.createElement("div");
  grid.className = "simtools-qr-grid";
  let shown = false;
  const hide = () => {
    grid.replaceChildren();
    shown = false;
    button.textContent = "Show QR codes";
  };
  const refresh = () => {
    const n = model.get("count");
    title.textContent = `${model.get("title")}: ${n} activation code${n === 1 ? "" : "s"} held`;
    button.disabled = n === 0;
  };
  button.addEventListener("click", () => (shown ? hide() : model.send({ type: "show" })));
  model.on("change:count", refresh);
  model.on("msg:custom", (msg) => {
    if (msg.type === "hide") return hide();
    if (msg.type !== "labels") return;
    grid.replaceChildren(...msg.labels.map((label) => {
      const card = document.createElement("figure");
      card.className = "simtools-qr-card";
      card.innerHTML = label.svg;
      const caption = document.createElement("figcaption");
      caption.textContent = `ICCID ${label.iccid ?? "?"}`;
      card.append(caption);
      return card;
    }));
    shown = true;
    button.textContent = "Hide QR codes";
  });
  refresh();
  hide();
  head.append(title, button);
  root.append(head, grid);
  el.append(root);
}
export default { render };
"""
_CSS = """
.simtools-qr-head { display: flex; gap: 12px; align-items: center; margin: 4px 0 8px 0; }
.simtools-qr-grid { display: flex; flex-wrap: wrap; gap: 12px; }
.simtools-qr-card { margin: 0; padding: 8px; background: #fff; border: 1px solid #ccc;
                    border-radius: 4px; text-align: center; }
.simtools-qr-card svg { display: block; width: 176px; height: 176px; }
.simtools-qr-card figcaption { font: 12px monospace; color: #111; margin-top: 4px; }
"""


class EsimQrForm(anywidget.AnyWidget):
    """The QR codes of an onboarding's eSIMs whose code is still valid; display it by ending a
    cell with it. ``sent`` counts the label sets sent to a view (for scripts and tests)."""

    _esm = traitlets.Unicode(_ESM).tag(sync=True)
    _css = traitlets.Unicode(_CSS).tag(sync=True)
    title = traitlets.Unicode("eSIM onboarding").tag(sync=True)
    count = traitlets.Int(0).tag(sync=True)

    def __init__(
        self, source: EsimOnboarding | Iterable[EsimLabel], *, title: str = "eSIM onboarding"
    ) -> None:
        labels = source.labels() if isinstance(source, EsimOnboarding) else list(source)
        super().__init__(title=title, count=len(labels))
        self._labels = labels
        self.sent = 0
        self.on_msg(self._on_view_message)

    def __repr__(self) -> str:
        return f"EsimQrForm({self.count} activation code(s) held, shown only on screen)"

    def _on_view_message(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if isinstance(content, dict) and content.get("type") == "show":
            self.send({"type": "labels", "labels": label_payload(self._labels)})
            self.sent += 1

    def forget(self) -> None:
        """Drop the codes from this widget and take them off every view."""
        self._labels = []
        self.count = 0
        self.send({"type": "hide"})


def esim_qr_form(
    source: EsimOnboarding | Iterable[EsimLabel], *, title: str = "eSIM onboarding"
) -> EsimQrForm:
    """A widget showing the activation codes of ``source`` as QR codes when asked, never saved
    into the notebook (see the module's docstring)."""
    return EsimQrForm(source, title=title)
