"""The Liquid variable paths a Customer.io template uses, found without rendering it.

``python-liquid`` 2.x parses the template and its static analysis lists the *global* variables
(``assign``/``capture``/loop locals excluded) as segments: ``{{ event.items[0].name }}`` is
``["event", "items", 0, "name"]``, written ``event.items.0.name``. Customer.io's own tags
(``{% cio_link %}``) and any other tag the parser does not know are tolerated: they are read as
tags that render nothing, so the variables around and inside them are still found. A template
that still fails to parse is analysed again leniently (parse errors ignored), and one ``{{ }}``
output statement at a time, so it contributes the paths found anyway; its error is kept as one
line, without the template's text. The templates themselves are never kept.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice

from liquid import Environment, Mode
from liquid.ast import IllegalNode, Node
from liquid.exceptions import LiquidError
from liquid.stream import TokenStream
from liquid.tag import Tag
from liquid.token import TOKEN_EXPRESSION, TOKEN_ILLEGAL, TOKEN_TAG

#: what the parser raises on a hostile template (its own errors, and a few of Python's)
_PARSE_ERRORS = (LiquidError, RecursionError, ValueError, TypeError, IndexError, KeyError)

#: a text field longer than this is not analysed (an email body is far smaller; this bounds the
#: time one hostile field costs), and at most this many ``{{ }}`` statements are retried one by one
MAX_SOURCE = 1024 * 1024
MAX_STATEMENTS = 2000

#: the longest error message kept (the parser's message names a tag or a token, never the body)
MAX_ERROR = 200


@dataclass(frozen=True)
class Extracted:
    """What one template (or several fields of one action) uses."""

    paths: frozenset[str]
    error: str | None = None


class _LenientTag(Tag):
    """Stands for every tag the environment does not know: consumes it and renders nothing."""

    name = TOKEN_ILLEGAL
    block = False

    def parse(self, stream: TokenStream) -> Node:
        token = stream.expect(TOKEN_TAG)
        if stream.peek.kind == TOKEN_EXPRESSION:
            next(stream)
        return IllegalNode(token)


@lru_cache(maxsize=2)
def _environment(mode: Mode) -> Environment:
    env = Environment(tolerance=mode)
    env.tags[TOKEN_ILLEGAL] = _LenientTag(env)
    return env


def _dotted(segments: Iterable[object]) -> str:
    """``["event", "items", 0, "name"]`` -> ``event.items.0.name``; a computed segment
    (``event[customer.key]``) ends the path there (its own variable is listed by itself)."""
    parts: list[str] = []
    for segment in segments:
        if isinstance(segment, bool) or not isinstance(segment, (str, int)):
            break
        parts.append(str(segment))
    return ".".join(parts)


def _paths(source: str, mode: Mode) -> set[str]:
    template = _environment(mode).from_string(source)
    segments = template.global_variable_segments(include_partials=False)
    return {path for path in (_dotted(s) for s in segments) if path}


def _one_line(exc: BaseException) -> str:
    if isinstance(exc, LiquidError):
        # the first line of the message; the following lines quote the template
        text = Exception.__str__(exc).strip().splitlines()
        message = text[0] if text else type(exc).__name__
    elif isinstance(exc, RecursionError):
        message = "the template nests too deeply"
    else:
        message = f"the template could not be analysed ({type(exc).__name__})"
    return message[:MAX_ERROR]


def _outputs(source: str) -> Iterable[str]:
    """Every ``{{ ... }}`` statement of ``source``, found with ``str.find`` (linear)."""
    start = source.find("{{")
    while start != -1:
        end = source.find("}}", start + 2)
        if end == -1:
            return
        yield source[start : end + 2]
        start = source.find("{{", end + 2)


def extract(source: str) -> Extracted:
    """The dotted global variable paths of one template, and its parse error if it has one."""
    if "{" not in source:
        return Extracted(frozenset())
    if len(source) > MAX_SOURCE:
        return Extracted(
            frozenset(), f"a text field over {MAX_SOURCE // 1024} KiB was not analysed"
        )
    try:
        return Extracted(frozenset(_paths(source, Mode.STRICT)))
    except _PARSE_ERRORS as exc:
        error = _one_line(exc)
    found: set[str] = set()
    for piece in (source, *islice(_outputs(source), MAX_STATEMENTS)):
        try:
            found |= _paths(piece, Mode.LAX)
        except _PARSE_ERRORS:
            continue
    return Extracted(frozenset(found), error)


def extract_all(sources: Iterable[str]) -> Extracted:
    """The union over several text fields; the first field's error is the one kept."""
    paths: set[str] = set()
    error: str | None = None
    for source in sources:
        one = extract(source)
        paths |= one.paths
        if error is None and one.error is not None:
            error = one.error
    return Extracted(frozenset(paths), error)
