"""Opening an input (a path, ``-`` for stdin, or a binary stream) and reading it as bytes.

Lines end at ``\\n`` (an ``\\r`` before it is dropped); a lone ``\\r`` is not a line
end. The empty piece after a final ``\\n`` is not a line. A UTF-8 byte-order mark at
the start is dropped. UTF-16 and UTF-32 (what Excel's "Unicode text" and some
PowerShell exports write) are decoded to UTF-8 as they are read: with a byte-order
mark, or without one when the first line has a NUL byte beside each character. An
Excel workbook (``.xlsx``, or an old ``.xls``) is named as such, with the advice to
export it as CSV (the one detection, :mod:`syncscope.model.encodings`, which the command
line's file options share). A named file that is not a regular file (a FIFO, a device)
is refused: it could block or never end. Stdin (``-``) may be anything. Any of these
refusals makes the input unreadable (exit 2).
"""

from __future__ import annotations

import codecs
import os
import stat
import sys
from collections.abc import Iterator
from typing import BinaryIO, cast

from syncscope.model.encodings import BOM_UTF8, text_encoding, wide_text, workbook

from .errors import UnreadableInput

__all__ = ["Input", "Source", "open_input", "strip_end", "wide_text", "workbook"]

Source = str | os.PathLike[str] | BinaryIO
"""What a batch run reads: a file name, ``-`` for stdin, or an open binary stream."""

_HEAD_LIMIT = 1 << 16


class _Recoded:
    """A binary stream of UTF-8 bytes, decoded from ``raw`` in another encoding as it is read.

    ``consumed`` counts the bytes of ``raw`` read so far, for progress.

    Examples
    --------
    >>> import io
    >>> text = "id,email_system\\nm1,Gmail\\n"
    >>> src = _Recoded(io.BytesIO(text.encode("utf-16")), b"", "utf-16", "<x>")
    >>> list(src), src.consumed
    ([b'id,email_system\\n', b'm1,Gmail\\n'], 52)
    """

    def __init__(self, raw: BinaryIO, prefix: bytes, encoding: str, label: str) -> None:
        self._raw = raw
        self._decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
        self._encoding = encoding.upper()
        self._label = label
        self._buffer = b""
        self._pending = prefix
        self._done = False
        self.consumed = 0

    def _fill(self) -> bool:
        """Decode one more piece into the buffer; False at the end of the input."""
        if self._done:
            return False
        if self._pending:
            piece, self._pending = self._pending, b""
        else:
            piece = self._raw.read(1 << 16)
        self.consumed += len(piece)
        try:
            text = self._decoder.decode(piece, final=not piece)
        except UnicodeDecodeError as exc:
            raise UnreadableInput(
                f"{self._label}: the text is not valid {self._encoding}"
                f" (near byte {self.consumed - len(piece) + exc.start}); save it as UTF-8"
            ) from None
        if not piece:
            self._done = True
        self._buffer += text.encode("utf-8", "surrogatepass")
        return bool(piece) or bool(text)

    def readline(self, limit: int = -1) -> bytes:
        """One line (with its ``\\n``), or at most ``limit`` bytes of it."""
        while True:
            end = self._buffer.find(b"\n")
            if end >= 0 and (limit < 0 or end < limit):
                line, self._buffer = self._buffer[: end + 1], self._buffer[end + 1 :]
                return line
            if 0 <= limit <= len(self._buffer):
                line, self._buffer = self._buffer[:limit], self._buffer[limit:]
                return line
            if not self._fill():
                line, self._buffer = self._buffer, b""
                return line

    def read(self, size: int = -1) -> bytes:
        """At most ``size`` bytes (everything left when negative)."""
        while (size < 0 or len(self._buffer) < size) and self._fill():
            pass
        cut = len(self._buffer) if size < 0 else size
        out, self._buffer = self._buffer[:cut], self._buffer[cut:]
        return out

    def __iter__(self) -> Iterator[bytes]:
        while True:
            line = self.readline()
            if not line:
                return
            yield line

    def fileno(self) -> int:
        """The file descriptor of the stream underneath (its size is the input's size)."""
        return self._raw.fileno()

    def close(self) -> None:
        """Close the stream underneath."""
        self._raw.close()


class Input:
    """A binary input with its first line read ahead (for format detection).

    Examples
    --------
    >>> import io
    >>> src = Input(io.BytesIO(b"\\xef\\xbb\\xbfa,b\\r\\n1,2\\n"), "<bytes>")
    >>> list(src.lines())
    [b'a,b', b'1,2']
    """

    def __init__(self, raw: BinaryIO, label: str, *, owned: bool = False) -> None:
        self.label = label
        self._raw = raw
        self._owned = owned
        self._used = False
        self._recoded: _Recoded | None = None
        self.encoding = "UTF-8"
        """The encoding the input was read in (UTF-16 and UTF-32 are decoded to UTF-8)."""
        try:
            head = raw.readline(_HEAD_LIMIT)
        except OSError as exc:
            raise UnreadableInput(f"{label}: cannot read: {exc.strerror or exc}") from None
        found = text_encoding(head, label)  # the one detection (--config uses it too)
        if found is not None:
            encoding, codec = found
            self.encoding = encoding
            self._recoded = _Recoded(raw, head, codec, label)
            raw = cast(BinaryIO, self._recoded)
            self._raw = raw
            head = self._recoded.readline(_HEAD_LIMIT)
        if head.startswith(BOM_UTF8):
            head = head[len(BOM_UTF8) :]
        self.head = head
        """The first line (at most 64 KiB of it), without a UTF-8 byte-order mark."""
        self._read = len(head)

    @property
    def size(self) -> int | None:
        """The size in bytes when the input is a regular file, else None."""
        try:
            st = os.fstat(self._raw.fileno())
        except (OSError, AttributeError, ValueError):
            return None
        return st.st_size if st.st_size > 0 else None

    @property
    def position(self) -> int:
        """Bytes consumed so far (of the input as stored, for a decoded UTF-16 one)."""
        if self._recoded is not None:
            return self._recoded.consumed
        return self._read

    def _start(self) -> None:
        if self._used:
            raise RuntimeError("an input is read once")
        self._used = True

    def lines(self, *, keep_ends: bool = False) -> Iterator[bytes]:
        """Physical lines, without their line ends (``\\n`` or ``\\r\\n``) unless
        ``keep_ends``."""
        self._start()
        head = self.head
        try:
            if head and not head.endswith(b"\n"):
                head += self._raw.readline()
                self._read = len(head)
            if head:
                yield head if keep_ends else strip_end(head)
            read = self._read
            for line in self._raw:
                read += len(line)
                self._read = read
                if not keep_ends and line[-1:] == b"\n":
                    line = line[:-2] if line[-2:-1] == b"\r" else line[:-1]
                yield line
        except OSError as exc:
            raise UnreadableInput(f"{self.label}: cannot read: {exc.strerror or exc}") from None

    def chunks(self, size: int = 1 << 16) -> Iterator[bytes]:
        """The bytes in pieces of about ``size``."""
        self._start()
        try:
            if self.head:
                yield self.head
            while True:
                chunk = self._raw.read(size)
                if not chunk:
                    return
                self._read += len(chunk)
                yield chunk
        except OSError as exc:
            raise UnreadableInput(f"{self.label}: cannot read: {exc.strerror or exc}") from None

    def close(self) -> None:
        """Close the stream if this object opened it."""
        if self._owned:
            self._raw.close()


def strip_end(line: bytes) -> bytes:
    """``line`` without its line end (``\\n`` or ``\\r\\n``), if it has one.

    Examples
    --------
    >>> strip_end(b"a\\r\\n"), strip_end(b"a\\r"), strip_end(b"a")
    (b'a', b'a\\r', b'a')
    """
    if line.endswith(b"\n"):
        line = line[:-1]
        if line.endswith(b"\r"):
            line = line[:-1]
    return line


def _kind(mode: int) -> str | None:
    """What a file that is not a regular file is, or None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a file"


def open_input(source: Source) -> Input:
    """Open ``source``: a file name, ``-`` for stdin, or a binary stream.

    Raises
    ------
    UnreadableInput
        When the file is missing, is a folder, a FIFO or a device, or can't be read.
    """
    if isinstance(source, (str, os.PathLike)):
        name = os.fspath(source)
        if name == "-":
            return Input(sys.stdin.buffer, "<stdin>")
        try:
            # Non-blocking, so that opening a FIFO doesn't wait for a writer.
            fd = os.open(name, os.O_RDONLY | os.O_NONBLOCK)
        except OSError as exc:
            raise UnreadableInput(f"{name}: cannot read: {exc.strerror or exc}") from None
        try:
            kind = _kind(os.fstat(fd).st_mode)
            if kind == "a folder":
                raise UnreadableInput(f"{name}: is a folder, not a file")
            if kind is not None:
                raise UnreadableInput(
                    f"{name}: not a regular file (it is {kind}); give a file, or '-' for stdin"
                )
            os.set_blocking(fd, True)
            raw = os.fdopen(fd, "rb")
        except BaseException:
            os.close(fd)
            raise
        try:
            return Input(raw, name, owned=True)
        except BaseException:
            raw.close()
            raise
    label = str(getattr(source, "name", "<stream>"))
    return Input(source, label)
