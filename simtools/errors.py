"""One exception tree for everything simtools raises.

::

    SimToolsError
    ├── InvalidInputError      bad user input: the value, why it is wrong, how to fix it
    ├── ApiError               the API answered with an error status (status, method, URL, errors)
    │   ├── AuthenticationError    401
    │   ├── NotFoundError          404
    │   ├── RateLimitError         429 (retry_after, seconds)
    │   └── ServerError            5xx
    ├── TransportError         the request did not complete (connection refused or dropped, timeout)
    ├── ResponseError          a body that is not the JSON the contract promises (HTML, truncated)
    └── ReportError            a report job failed, was deleted, or was not ready by its deadline

    SimToolsDataWarning (UserWarning): a value kept raw because it did not fit the contract

No message ever holds the API key: the key travels only in the ``Authorization`` header,
and nothing here reads headers.
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from simtools.models import ApiErrorObject

__all__ = [
    "ApiError",
    "AuthenticationError",
    "InvalidInputError",
    "NotFoundError",
    "RateLimitError",
    "ReportError",
    "ResponseError",
    "ServerError",
    "SimToolsDataWarning",
    "SimToolsError",
    "TransportError",
    "data_warning",
]


class SimToolsError(Exception):
    """Root of every error simtools raises on purpose.

    ``partial`` is what a workflow had done when this error stopped it (for a registration, the
    :class:`~simtools.results.RegistrationResult` with a row for every entry), else ``None``.
    """

    partial: Any = None


class SimToolsDataWarning(UserWarning):
    """Data that did not fit the contract: the row is kept, the value kept as sent, and what
    derives from it left missing. The message names the records and the field."""


class InvalidInputError(SimToolsError, ValueError):
    """User input that simtools refuses before sending anything.

    ``value`` is the offending value (or a list of them), ``reason`` says why it is wrong and
    ``hint`` how to fix it. ``problems`` holds one line per offending entry when there are several.
    """

    def __init__(
        self,
        value: Any,
        reason: str,
        hint: str,
        *,
        problems: Sequence[str] = (),
    ) -> None:
        self.value = value
        self.reason = reason
        self.hint = hint
        self.problems = tuple(problems)
        lines = [f"{reason}"]
        lines.extend(f"  - {p}" for p in self.problems[:20])
        if len(self.problems) > 20:
            lines.append(f"  - ... and {len(self.problems) - 20} more")
        lines.append(f"How to fix: {hint}")
        super().__init__("\n".join(lines))


class ApiError(SimToolsError):
    """The API answered with an error status; ``errors`` is Telnyx's error list."""

    def __init__(
        self,
        status_code: int,
        method: str,
        url: str,
        errors: Sequence[ApiErrorObject] = (),
        *,
        body_excerpt: str | None = None,
    ) -> None:
        self.status_code = status_code
        self.method = method
        self.url = url
        self.errors = list(errors)
        self.body_excerpt = body_excerpt
        super().__init__(self._message())

    def _message(self) -> str:
        head = f"{self.method} {self.url} failed with HTTP {self.status_code}"
        if self.errors:
            parts = []
            for e in self.errors[:5]:
                text = f"[{e.code}] {e.title}"
                if e.detail:
                    text += f": {e.detail}"
                parts.append(text)
            if len(self.errors) > 5:
                parts.append(f"... and {len(self.errors) - 5} more")
            return f"{head}: " + "; ".join(parts)
        if self.body_excerpt:
            return f"{head}: {self.body_excerpt}"
        return head

    @property
    def code(self) -> str | None:
        """Telnyx's error code of the first error, e.g. ``"10009"``."""
        return self.errors[0].code if self.errors else None


class AuthenticationError(ApiError):
    """401: the API key is missing, wrong or revoked."""


class NotFoundError(ApiError):
    """404: the resource does not exist (or is not visible to this key)."""


class RateLimitError(ApiError):
    """429: too many requests; ``retry_after`` is the server's hint in seconds, if any."""

    def __init__(
        self,
        status_code: int,
        method: str,
        url: str,
        errors: Sequence[ApiErrorObject] = (),
        *,
        body_excerpt: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        self.retry_after = retry_after
        super().__init__(status_code, method, url, errors, body_excerpt=body_excerpt)


class ServerError(ApiError):
    """5xx: the server failed; for a write, its outcome is unknown."""


class TransportError(SimToolsError):
    """The request did not complete: connection refused or dropped, or a timeout."""

    def __init__(
        self,
        method: str,
        url: str,
        reason: str,
        *,
        request_sent: bool = True,
        retryable: bool = True,
    ) -> None:
        self.method = method
        self.url = url
        self.reason = reason
        #: False when the connection failed before the request was sent (safe to retry a write);
        #: True when the server may have performed it (the outcome is unknown).
        self.request_sent = request_sent
        #: False when another attempt cannot fare better (a closed client, a spent deadline).
        self.retryable = retryable
        super().__init__(f"{method} {url} did not complete: {reason}")


class ResponseError(SimToolsError):
    """A response body that is not the JSON the contract promises for this endpoint."""

    def __init__(self, method: str, url: str, status_code: int, reason: str, excerpt: str) -> None:
        self.method = method
        self.url = url
        self.status_code = status_code
        self.reason = reason
        self.excerpt = excerpt
        super().__init__(
            f"{method} {url} returned HTTP {status_code} with a body that is not the expected "
            f"JSON ({reason}); it starts: {excerpt!r}"
        )


class ReportError(SimToolsError):
    """A WDR report job that gave no file: it ``failed``, was ``deleted``, or was still
    ``pending`` when its deadline passed (``status`` says which)."""

    def __init__(self, report_id: str, status: str, reason: str) -> None:
        self.report_id = report_id
        self.status = status
        self.reason = reason
        super().__init__(f"WDR report {report_id} is {status}: {reason}")


_PACKAGE_DIR = str(Path(__file__).resolve().parent)


def data_warning(message: str) -> None:
    """Warn that data did not fit (a :class:`SimToolsDataWarning`), pointing at the user's line."""
    warnings.warn(message, SimToolsDataWarning, stacklevel=_caller_level())


def _caller_level() -> int:
    # Point the warning at the first frame outside this package (the user's notebook line),
    # counting from the caller of warnings.warn (data_warning) as level 1.
    level, frame = 1, sys._getframe(1)
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE_DIR):
        level, frame = level + 1, frame.f_back  # type: ignore[assignment]
    return level
