"""The text of a Python source file, read from its bytes exactly as CPython reads them.

PEP 263 and CPython's tokenizer (``Parser/tokenizer.c``): a UTF-8 byte-order mark means
UTF-8 (and any coding cookie must then say UTF-8); otherwise a ``coding[:=]name`` comment on
the first line, or on the second when the first is blank or a comment, names the codec; the
default is UTF-8. The BOM is not part of the text, so columns are those of the text without
it. Unlike ``tokenize.detect_encoding``, the first line need not be UTF-8 when the second
declares the encoding (CPython decodes the whole file with the declared codec).
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

BOM = codecs.BOM_UTF8
_COOKIE = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)", re.ASCII)
_BLANK = re.compile(rb"^[ \t\f]*(?:[#\r\n]|$)")


class SourceError(Exception):
    """Why the bytes are not Python source text (CPython raises a SyntaxError for each)."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


@dataclass(frozen=True)
class Decoded:
    text: str  # without the BOM
    encoding: str  # the codec's canonical name ("utf-8", "iso8859-1", ...)
    bom: bool


def _normal_name(name: str) -> str:
    """CPython's ``get_normal_name``: the spellings of UTF-8 and Latin-1 it knows itself."""
    lower = name[:12].lower().replace("_", "-")
    if lower == "utf-8" or lower.startswith("utf-8-"):
        return "utf-8"
    if lower in ("latin-1", "iso-8859-1", "iso-latin-1") or lower.startswith(
        ("latin-1-", "iso-8859-1-", "iso-latin-1-")
    ):
        return "iso-8859-1"
    return name


def _first_lines(data: bytes) -> tuple[bytes, bytes]:
    end = data.find(b"\n")
    if end < 0:
        return data, b""
    second_end = data.find(b"\n", end + 1)
    return data[: end + 1], data[end + 1 : second_end + 1 if second_end >= 0 else len(data)]


def _cookie(line: bytes) -> str | None:
    found = _COOKIE.match(line)
    return _normal_name(found.group(1).decode("ascii")) if found else None


def declared_encoding(data: bytes) -> tuple[str, bool]:
    """(codec name, has BOM) of a source file; ``SourceError`` for an unknown or a
    contradictory declaration."""
    bom = data.startswith(BOM)
    first, second = _first_lines(data[3:] if bom else data)
    name = _cookie(first)
    line = 1
    if name is None and _BLANK.match(first) and second:
        name, line = _cookie(second), 2
    if name is None:
        return "utf-8", bom
    if bom and name != "utf-8":  # CPython compares the normalised name, not the codec
        raise SourceError(line, f"encoding problem: {name} with BOM")
    try:
        info = codecs.lookup(name)
    except LookupError:
        raise SourceError(line, f"unknown encoding: {name}") from None
    if not getattr(info, "_is_text_encoding", True):
        raise SourceError(line, f"{name!r} is not a text encoding")
    return info.name, bom


def needs_decoding(data: bytes) -> bool:
    """Whether the text differs from the bytes read as UTF-8 (a BOM, or a coding cookie):
    the cheap test that lets plain files skip ``decode``."""
    if data.startswith(BOM):
        return True
    first, second = _first_lines(data)
    return b"coding" in first or b"coding" in second


def decode(data: bytes) -> Decoded:
    """The source text of ``data``; ``SourceError`` if CPython could not read it as text."""
    encoding, bom = declared_encoding(data)
    body = data[3:] if bom else data
    try:
        text = body.decode(encoding)
    except UnicodeDecodeError as exc:
        line = body[: exc.start].count(b"\n") + 1
        name = "UTF-8" if encoding == "utf-8" else encoding
        raise SourceError(
            line, f"File is not valid {name}: {exc.reason} at byte {exc.start}"
        ) from None
    except (LookupError, TypeError, ValueError) as exc:  # a codec that cannot decode text
        raise SourceError(1, f"cannot decode with {encoding}: {exc}") from None
    return Decoded(text, encoding, bom)


def encode(text: str, like: Decoded) -> bytes:
    """``text`` as bytes in the file's encoding, with its BOM if it had one."""
    data = text.encode(like.encoding)
    return BOM + data if like.bom else data


def utf8_view(data: bytes) -> bytes:
    """The text of ``data`` as UTF-8 bytes, with a lone carriage return (a line end for
    CPython) as a line feed: what byte scans must read, as ``^`` must match where CPython's
    lines start and words a codec hides (``+AGE-nalytics`` in UTF-7) must be visible. ``data``
    itself for a plain file, and for one that cannot be decoded (reported when parsed)."""
    view = data
    if needs_decoding(data):
        try:
            decoded = decode(data)
        except SourceError:
            return data
        if decoded.encoding == "utf-8":
            view = data[3:] if decoded.bom else data
        else:
            view = decoded.text.encode("utf-8", "surrogatepass")
    if b"\r" in view and _LONE_CR.search(view):
        view = _LONE_CR.sub(b"\n", view)
    return view


_LONE_CR = re.compile(rb"\r(?!\n)")
