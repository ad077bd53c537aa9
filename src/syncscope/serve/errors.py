"""The API's errors as data: a status and the JSON body the client gets, never a traceback."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from syncscope.errors import InputError, UnreadableInput
from syncscope.model import safejson

__all__ = ["ApiError", "bad_request", "from_input_error", "parse_json"]

BODY = "the body"
"""How errors name the request body, where the CLI names a file."""


class ApiError(Exception):
    """A request the API answers with an error status and a JSON body.

    Parameters
    ----------
    status : int
        The HTTP status: 400 malformed, 409 no answer, 413 too large,
        415 wrong media type, 422 an unknown variable or value.
    data : mapping
        The JSON body; it always has an ``error`` sentence.

    Examples
    --------
    >>> error = bad_request("expected a JSON object")
    >>> error.status, error.data
    (400, {'error': 'expected a JSON object'})
    """

    def __init__(self, status: int, data: Mapping[str, object]) -> None:
        self.status = status
        self.data: dict[str, object] = dict(data)
        super().__init__(f"{status}: {self.data.get('error')}")


def bad_request(message: str) -> ApiError:
    """A 400 whose body is ``{"error": message}``."""
    return ApiError(400, {"error": message})


def from_input_error(exc: InputError, where: str = "") -> ApiError:
    """The data the CLI prints for bad input: the sentence, variable, value and did-you-mean.

    An unreadable body is a 400 (malformed); a setting that is unknown or out
    of bounds is a 422 (well-formed, but not understood).

    Examples
    --------
    >>> from syncscope.errors import ConfigurationError
    >>> exc = ConfigurationError("unknown value 'gmial'", variable="email_system",
    ...                          value="gmial", suggestions=["gmail"])
    >>> error = from_input_error(exc, "start: ")
    >>> error.status, error.data["error"], error.data["suggestions"]
    (422, "start: unknown value 'gmial'; did you mean 'gmail'?", ['gmail'])
    """
    data = exc.prefixed(where).to_dict()
    status = 400 if isinstance(exc, UnreadableInput) or data.get("file") == BODY else 422
    data.pop("file", None)
    return ApiError(status, data)


def parse_json(body: bytes) -> Any:
    """Parse a request body within the bounds the CLI puts on ``--config`` files.

    UTF-8 only; no key twice in one object; bounded nesting and numbers.

    Raises
    ------
    ApiError
        400, naming the line and column of malformed JSON, or what is too big.

    Examples
    --------
    >>> parse_json(b'{"mfa": "no"}')
    {'mfa': 'no'}
    >>> parse_json(b'{"mfa": "no", "mfa": "yes"}')
    Traceback (most recent call last):
    ...
    syncscope.serve.errors.ApiError: 400: the body: the key 'mfa' appears twice in one object
    """
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise bad_request(f"{BODY}: not UTF-8 text (byte {exc.start})") from None
    try:
        return safejson.loads(text, BODY)
    except InputError as exc:
        raise from_input_error(exc) from None
