"""Telling how a file of text was saved: UTF-8, UTF-16 or UTF-32, or not text at all.

One detection for every reader: the batch inputs (:mod:`syncscope.batch.source`, which
decodes as it streams), and the files the command line reads whole (``--config``,
``--from``, ``--to``, ``--defaults``, ``--weights``). UTF-16 and UTF-32 (what Excel's
"Unicode text" and some PowerShell exports write) are recognised by their byte-order mark,
or without one when the first line has a NUL byte beside each character. An Excel
workbook (``.xlsx``, or an old ``.xls``) is named as such, with advice.
"""

from __future__ import annotations

import os

from .errors import UnreadableInput

__all__ = ["BOM_UTF8", "EXPORT_ADVICE", "decode_text", "text_encoding", "wide_text", "workbook"]

BOM_UTF8 = b"\xef\xbb\xbf"
_WIDE_BOMS = (
    (b"\xff\xfe\x00\x00", "UTF-32-LE"),
    (b"\x00\x00\xfe\xff", "UTF-32-BE"),
    (b"\xff\xfe", "UTF-16-LE"),
    (b"\xfe\xff", "UTF-16-BE"),
)
_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
EXPORT_ADVICE = (
    "export it as CSV first (in Excel: File > Save As > CSV UTF-8 (Comma delimited)),"
    " then give that file"
)
"""What to do with a workbook given as an inventory."""


def workbook(head: bytes, name: str | None = None) -> str | None:
    """What kind of Excel workbook (or other binary document) ``head`` starts, or None.

    Examples
    --------
    >>> workbook(b"PK\\x03\\x04\\x14\\x00", "inventory.xlsx")
    'an Excel workbook (.xlsx)'
    >>> workbook(b"\\xd0\\xcf\\x11\\xe0\\xa1\\xb1\\x1a\\xe1\\x00")
    'an Excel 97-2003 workbook (.xls)'
    >>> workbook(b"PK\\x03\\x04", "export.zip"), workbook(b"id,email_system")
    ('a zip archive (an Excel workbook, .xlsx, is one)', None)
    """
    ext = os.path.splitext(name or "")[1].lower()
    if head.startswith(_ZIP):
        if ext in ("", ".xlsx", ".xlsm", ".csv", ".txt", ".jsonl", ".json", ".toml", ".conf"):
            return "an Excel workbook (.xlsx)"
        return "a zip archive (an Excel workbook, .xlsx, is one)"
    if head.startswith(_OLE):
        return "an Excel 97-2003 workbook (.xls)"
    return None


def wide_text(head: bytes) -> str | None:
    """The name of the encoding ``head`` looks like when it is UTF-16 or UTF-32
    without a byte-order mark (a NUL byte beside each ASCII character), else None.

    Examples
    --------
    >>> wide_text("id,email_system\\n".encode("utf-16-le"))
    'UTF-16-LE'
    >>> wide_text('{"value": []}'.encode("utf-32-be"))
    'UTF-32-BE'
    >>> wide_text("{\\n".encode("utf-16-le")[:-1])  # a first line, as read
    'UTF-16-LE'
    >>> wide_text(b"id,email_system\\n") is None, wide_text(b"a\\x00") is None
    (True, True)
    """
    for width, name in ((4, "UTF-32"), (2, "UTF-16")):
        sample = head[:256]
        if len(sample) % width == 1 and sample.endswith(b"\n"):
            sample += bytes(width - 1)  # the rest of a little-endian line end is on the next line
        n = len(sample) - len(sample) % width
        if n < 2 * width:
            continue
        units = [sample[i : i + width] for i in range(0, n, width)]
        pad = bytes(width - 1)
        enough = (3 * len(units) + 3) // 4  # a few other characters may be wider
        if sum(u[1:] == pad and u[0] != 0 for u in units) >= enough:
            return f"{name}-LE"
        if sum(u[:-1] == pad and u[-1] != 0 for u in units) >= enough:
            return f"{name}-BE"
    return None


def text_encoding(head: bytes, label: str, advice: str = EXPORT_ADVICE) -> tuple[str, str] | None:
    """How text starting with ``head`` (its first line) was saved, when not UTF-8:
    ``(name, codec)``, where the codec of a text with a byte-order mark drops the mark.

    Raises
    ------
    UnreadableInput
        For an Excel workbook (or a zip archive), named as such, followed by ``advice``.

    Examples
    --------
    >>> text_encoding("{}".encode("utf-16"), "x.json")
    ('UTF-16-LE', 'utf-16')
    >>> text_encoding("{}".encode("utf-16-be"), "x.json"), text_encoding(b"{}", "x.json")
    (('UTF-16-BE', 'utf-16-be'), None)
    >>> text_encoding(b"PK\\x03\\x04\\x14\\x00", "a.xlsx", "export it")
    Traceback (most recent call last):
    ...
    syncscope.errors.UnreadableInput: a.xlsx: this is an Excel workbook (.xlsx), not text; export it
    """
    kind = workbook(head, label)
    if kind is not None:
        raise UnreadableInput(f"{label}: this is {kind}, not text; {advice}")
    encoding = next((name for bom, name in _WIDE_BOMS if head.startswith(bom)), None)
    if encoding is not None:
        return encoding, encoding.lower()[:6]  # the BOM tells the byte order
    encoding = wide_text(head)
    return None if encoding is None else (encoding, encoding.lower())


def decode_text(data: bytes, label: str, advice: str = EXPORT_ADVICE) -> str:
    """The text of a whole file: UTF-8 (a byte-order mark dropped), or UTF-16 or UTF-32 as
    :func:`text_encoding` tells.

    Raises
    ------
    UnreadableInput
        For a workbook (with ``advice``), or bytes that are not text in the encoding found,
        naming ``label`` and the byte.

    Examples
    --------
    >>> decode_text('{"mfa": true}'.encode("utf-16"), "x.json")
    '{"mfa": true}'
    >>> decode_text(BOM_UTF8 + b'mfa = true', "x.toml")
    'mfa = true'
    >>> decode_text(b'{"a": "\\xff"}', "x.json")
    Traceback (most recent call last):
    ...
    syncscope.errors.UnreadableInput: x.json: not UTF-8 text (byte 7)
    """
    line = data.split(b"\n", 1)[0][:256]
    if len(line) < len(data):
        line = data[: len(line) + 1]  # with its line end, as a reader of lines sees it
    found = text_encoding(line, label, advice)
    name, codec = found if found is not None else ("UTF-8", "utf-8-sig")
    try:
        return data.decode(codec)
    except UnicodeDecodeError as exc:
        raise UnreadableInput(f"{label}: not {name} text (byte {exc.start})") from None
