"""Reading strangers' files and writing the grader's outputs, safely.

Students choose the names and the contents of their answers files (and an
instructor's roster is typed by hand), so four rules hold wherever rnnsym
touches them:

- only regular files of bounded size are read, never through a symbolic
  link, and nothing is opened that could block (a FIFO) or never end (a
  device): :func:`read_regular_file`;
- text that came from a file is escaped before it reaches a terminal, where
  control characters could move the cursor or rewrite what was printed:
  :func:`printable`;
- text cells of a CSV file cannot start a spreadsheet formula:
  :func:`csv_cell` (OWASP's "CSV injection" advice);
- outputs are written whole to a temporary file beside the target and
  renamed into place, which replaces a symbolic link planted at the target
  instead of writing through it: :func:`write_atomically`.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import tempfile
import unicodedata
from pathlib import Path

from rnnsym.errors import InputError, OutputError

# Bidirectional overrides and isolates reorder what a terminal shows
# ("Trojan Source"); they are escaped along with the control characters.
_BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_ESCAPED_CATEGORIES = frozenset({"Cc", "Cs", "Zl", "Zp"})


def _needs_escape(character: str) -> bool:
    return character in _BIDI_CONTROLS or unicodedata.category(character) in _ESCAPED_CATEGORIES


def printable(text: object) -> str:
    """``text`` safe to print on a terminal: one line, no control sequences.

    Control characters (C0, DEL, C1), lone surrogates, line and paragraph
    separators and bidirectional controls become Python-style escapes
    (``\\x1b``, ``\\u202e``); letters of every script are kept as they are.
    """
    text = str(text)
    if not any(_needs_escape(c) for c in text):
        return text
    return "".join(_escape(c) if _needs_escape(c) else c for c in text)


def _escape(character: str) -> str:
    code = ord(character)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def json_safe_for_terminal(document: str) -> str:
    """A JSON text with the characters :func:`printable` escapes written as ``\\uXXXX``.

    ``json.dumps(ensure_ascii=False)`` escapes C0 controls but leaves C1
    controls and bidirectional overrides raw; inside a JSON string ``\\uXXXX``
    means the same character, so the document keeps its meaning.
    """
    return "".join(f"\\u{ord(c):04x}" if _needs_escape(c) and c not in "\n" else c for c in document)


# A plain decimal number cannot run anything in a spreadsheet, and keeping it
# unquoted keeps numeric columns numeric (a negative number stays a number).
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> object:
    """A CSV cell that a spreadsheet will not read as a formula.

    Text beginning with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
    return gets a leading single quote (OWASP's advice), unless it is a plain
    decimal number such as ``-3`` or ``-0.25``. Numbers (int, float) pass
    unchanged.
    """
    if not isinstance(value, str):
        return value
    if value.startswith(_FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def _kind_of(mode: int) -> str:
    kinds = ((stat.S_ISDIR, "a directory"), (stat.S_ISLNK, "a symbolic link (not followed)"),
             (stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISSOCK, "a socket"),
             (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"))
    return next((name for test, name in kinds if test(mode)), "not a regular file")


def read_regular_file(path: Path, max_bytes: int) -> bytes:
    """The bytes of a regular file of at most ``max_bytes``.

    The file is checked before it is opened (``lstat``) and again on the
    open descriptor (``fstat``), and opened with ``O_NOFOLLOW`` and
    ``O_NONBLOCK``: a symbolic link, a FIFO, a device or a directory is
    refused without being read, and a file swapped in between the two checks
    is caught by the second.

    Raises:
        InputError: the reason, e.g. "a named pipe (FIFO); only regular files are read".
    """
    try:
        before = os.lstat(path)
    except OSError as error:
        raise InputError(f"cannot read it ({error.strerror})") from None
    if not stat.S_ISREG(before.st_mode):
        raise InputError(f"{_kind_of(before.st_mode)}; only regular files are read")
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    try:
        descriptor = os.open(path, flags)
    except OSError as error:
        raise InputError(f"cannot open it ({error.strerror})") from None
    try:
        opened = os.fstat(descriptor)
        if not stat.S_ISREG(opened.st_mode):
            raise InputError(f"{_kind_of(opened.st_mode)}; only regular files are read")
        if opened.st_size > max_bytes:
            raise InputError(f"{opened.st_size} bytes; at most {max_bytes} bytes are read")
        chunks, size = [], 0
        while size <= max_bytes:  # the file may grow after fstat: read at most one byte past the cap
            chunk = os.read(descriptor, max_bytes + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > max_bytes:
            raise InputError(f"more than {max_bytes} bytes; at most {max_bytes} bytes are read")
        return b"".join(chunks)
    except OSError as error:
        raise InputError(f"cannot read it ({error.strerror})") from None
    finally:
        os.close(descriptor)


def write_atomically(target: Path, text: str) -> None:
    """Writes ``text`` (UTF-8) to ``target`` whole, or leaves ``target`` as it was.

    The text goes to a temporary file in the target's folder, is flushed to
    disk and renamed over the target. The rename replaces a symbolic link at
    ``target`` rather than writing to the file it points to. The new file
    gets the usual permissions (0666 less the umask).

    Raises:
        OutputError: naming the target and the reason; the previous file is unchanged.
    """
    target = Path(target)
    temporary = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".partial")
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, 0o666 & ~_umask())
        os.replace(temporary, target)
        temporary = None
    except OSError as error:
        raise OutputError(f"cannot write {printable(target)}: {error.strerror or error}; "
                          f"the previous {printable(target.name)} is unchanged") from None
    finally:
        if temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(temporary)


def _umask() -> int:
    current = os.umask(0o022)
    os.umask(current)
    return current

