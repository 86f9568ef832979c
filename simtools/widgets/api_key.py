"""Set the Telnyx API key for this kernel from a password box, without echoing any of it."""

from __future__ import annotations

import os
from collections.abc import MutableMapping
from typing import Any

import ipywidgets as widgets

from simtools.client import SimClient
from simtools.errors import InvalidInputError
from simtools.widgets.outputs import clear, reporting, show_message

__all__ = ["ApiKeyForm", "api_key_form", "apply_api_key"]

KEY_VARIABLE = "TELNYX_API_KEY"
URL_VARIABLE = "TELNYX_BASE_URL"


def apply_api_key(
    key: str, base_url: str | None = None, *, env: MutableMapping[str, str] | None = None
) -> str:
    """Put ``key`` (and ``base_url``, or remove it when empty) into ``env`` (``os.environ``).

    Both are checked first the way ``SimClient`` checks them, so a bad URL never lands in the
    environment. Returns a confirmation that holds no part of the key.
    """
    env = os.environ if env is None else env
    key = key.strip() if isinstance(key, str) else key
    if not key:
        raise InvalidInputError(
            "<api_key>" if key else key,
            "no API key was entered",
            "paste the key from the Telnyx portal (Auth > API Keys) into the box",
        )
    url = base_url.strip() if base_url else ""
    SimClient(key, base_url=url or None).close()  # checks both, sends nothing
    env[KEY_VARIABLE] = key
    if url:
        env[URL_VARIABLE] = url
        return f"API key set for this kernel (API at {url}); simtools.connect() will use it."
    env.pop(URL_VARIABLE, None)
    return "API key set for this kernel; simtools.connect() will use the real Telnyx API."


class ApiKeyForm:
    """A password box, an optional base URL and a button that sets the key for this kernel.

    The password box is emptied on submit, so the key does not stay in the widget state (which a
    saved notebook would keep). Widgets: ``key_input``, ``base_url_input``, ``submit_button``,
    ``output``.
    """

    def __init__(self, env: MutableMapping[str, str] | None = None) -> None:
        self._env = os.environ if env is None else env
        self.key_input = widgets.Password(
            description="API key",
            placeholder="KEY0123...",
            layout=widgets.Layout(width="60%"),
            style={"description_width": "90px"},
        )
        self.base_url_input = widgets.Text(
            description="Base URL",
            value=self._env.get(URL_VARIABLE, ""),
            placeholder="empty for https://api.telnyx.com/v2",
            layout=widgets.Layout(width="60%"),
            style={"description_width": "90px"},
        )
        self.submit_button = widgets.Button(
            description="Set key", icon="key", button_style="primary"
        )
        self.output = widgets.Output()
        self.submit_button.on_click(self._on_submit)
        self.widget = widgets.VBox(
            [self.key_input, self.base_url_input, self.submit_button, self.output]
        )

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)

    def __repr__(self) -> str:
        return "ApiKeyForm()"

    def _on_submit(self, _button: Any = None) -> None:
        clear(self.output)
        key = self.key_input.value
        self.key_input.value = ""  # never left in the widget state, even when refused
        with reporting(self.output, "set the API key"):
            said = apply_api_key(key, self.base_url_input.value, env=self._env)
            show_message(self.output, said, "success")


def api_key_form() -> ApiKeyForm:
    """A form that sets ``TELNYX_API_KEY`` (and ``TELNYX_BASE_URL``) for this kernel."""
    return ApiKeyForm()
