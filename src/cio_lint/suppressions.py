"""Suppression comments: reading them, reporting the unused ones (CIO904), adding them.

``# cio-lint: ignore[CIO004]`` (or ``ignore[CIO004,CIO005]``, or a bare ``# cio-lint: ignore``)
and ``# noqa: CIO004`` at the end of the line where a finding starts hide it. A line may hold
several such comments (``# noqa: E501  # cio-lint: ignore[CIO004]``): their codes add up.

CIO904 (ruff's RUF100) reports a comment that hid nothing in this run — only where the run can
know: in a file it read, for codes it checked (selected, not ignored for the file), and, for the
rules over a whole project (CIO003, CIO2xx, CIO3xx), only when the whole project was checked.
Codes that are not cio-lint's (``# noqa: E501``) and a bare ``# noqa`` belong to other tools
too and are never reported. The fix deletes the unused codes, or the whole comment.
"""

from __future__ import annotations

import io
import re
import tokenize
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path

from cio_lint.model import Edit, Finding, Fix

SUPPRESS = re.compile(
    r"#\s*(?:(?P<cio>cio-lint:\s*ignore)(?:\[(?P<codes>[A-Za-z0-9_,\s]*)\])?"
    r"|noqa(?::\s*(?P<noqa>[A-Za-z0-9_]+(?:\s*,\s*[A-Za-z0-9_]+)*))?)"
)
_PREFIX = "CIO"
# rules over the whole project: a partial run cannot tell that their suppression is unused
_WHOLE_PROJECT = ("CIO003", "CIO2", "CIO3")

Suppressions = dict[int, frozenset[str] | None]


def parse_suppressions(lines: Sequence[str]) -> Suppressions:
    """Line number -> the codes its comments suppress (None: every code)."""
    out: Suppressions = {}
    for number, text in enumerate(lines, 1):
        if "#" not in text:
            continue
        codes: set[str] = set()
        every = False
        found = False
        for m in SUPPRESS.finditer(text):
            found = True
            listed = m.group("codes") if m.group("cio") else m.group("noqa")
            if listed is None or not listed.strip():
                every = True
            else:
                codes.update(c.strip().upper() for c in listed.split(",") if c.strip())
        if found:
            out[number] = None if every else frozenset(codes)
    return out


def unused_suppressions(
    files: Mapping[str, Suppressions],
    used: set[tuple[str, int, str]],
    whole: bool,
    checked: Callable[[str, str], bool],
    known: Callable[[str], bool],
) -> list[Finding]:
    """CIO904 for each suppression that hid nothing. ``files``: path -> its suppressions (files
    read and parsed); ``used``: (path, line, code) of every finding a comment hid;
    ``checked(code, path)``: the run checked that code there; ``known(code)``: a cio-lint code."""
    hid = {(path, line) for path, line, _ in used}
    out: list[Finding] = []
    for path, lines in files.items():
        text: list[str] | None = None
        for line, codes in sorted(lines.items()):
            if codes is None:
                continue  # bare: handled below, once the line's text is known
            mine = sorted(c for c in codes if c.startswith(_PREFIX))
            unused = [
                c
                for c in mine
                if (path, line, c) not in used
                and (
                    not known(c)
                    or (checked(c, path) and (whole or not c.startswith(_WHOLE_PROJECT)))
                )
            ]
            if not unused:
                continue
            text = text if text is not None else _lines(path)
            finding = _finding(path, line, unused, text, known)
            if finding is not None:
                out.append(finding)
        for line, codes in sorted(lines.items()):
            if codes is None and (path, line) not in hid and whole:
                text = text if text is not None else _lines(path)
                finding = _finding(path, line, None, text, known)
                if finding is not None:
                    out.append(finding)
    return out


def _lines(path: str) -> list[str]:
    from cio_lint.discovery import read_source
    from cio_lint.source import SourceError, decode

    try:
        return re.split(r"\r\n|\r|\n", decode(read_source(path)).text)
    except (OSError, SourceError):
        return []


def _finding(
    path: str, line: int, unused: list[str] | None, text: list[str], known: Callable[[str], bool]
) -> Finding | None:
    """CIO904 at the comment of ``line``; ``unused``: its unused codes (None: a bare one)."""
    if not 1 <= line <= len(text):
        return None
    source = text[line - 1]
    matches = [m for m in SUPPRESS.finditer(source) if m.group("cio") or m.group("noqa")]
    if unused is None:
        matches = [m for m in SUPPRESS.finditer(source) if m.group("cio") and not m.group("codes")]
    if not matches:
        return None
    first, last = matches[0], matches[-1]
    edits: list[Edit] = []
    for m in matches:
        edits.extend(_removal(path, line, source, m, unused))
    if unused is None:
        message = "Unused blanket suppression: no finding on this line"
    else:
        shown = ", ".join(f"`{c}`" for c in unused)
        unknown = [c for c in unused if not known(c)]
        noun = "code" if len(unused) == 1 else "codes"
        message = f"Unused suppression {noun} {shown}: no such finding on this line"
        if unknown:
            message += f" ({', '.join(unknown)}: no such rule)"
    return Finding(
        code="CIO904",
        name="unused-suppression",
        severity="warning",
        message=message,
        path=path,
        line=line,
        column=first.start() + 1,
        end_line=line,
        end_column=last.end() + 1,
        fix=Fix(tuple(edits), "safe", "remove the unused suppression") if edits else None,
    )


def _removal(
    path: str, line: int, source: str, m: re.Match[str], unused: list[str] | None
) -> list[Edit]:
    """Edits that take the unused codes out of one comment (the comment itself, with the
    blanks before it, when nothing is left)."""
    if m.group("cio"):
        group = "codes"
    else:
        group = "noqa"
    listed = m.group(group)
    if unused is None:
        keep: list[str] = []
    elif listed is None:
        return []
    else:
        codes = [c.strip() for c in listed.split(",") if c.strip()]
        keep = [c for c in codes if c.upper() not in unused]
        if len(keep) == len(codes):
            return []
    if keep:
        return _code_deletions(path, line, source, m, group, set(unused or ()))
    rest = source[m.end() :].strip()
    if rest and not rest.startswith("#"):
        # a note follows in the same comment (`ignore[CIO004] - legacy`): keep it a comment
        # (a deletion after the `#`: ``--fix`` never takes a deletion for an edit already made)
        return [Edit(path, line, m.start() + 2, line, m.end() + 1, "")]
    start = m.start()
    while start > 0 and source[start - 1] in " \t":
        start -= 1
    end = m.end()
    if start == 0 or rest:
        # alone on its line, or followed by more: keep the line's shape, drop only the comment
        start = m.start()
        while end < len(source) and source[end] in " \t" and source[m.end() :].strip():
            end += 1
    return [Edit(path, line, start + 1, line, end + 1, "")]


def _code_deletions(
    path: str, line: int, source: str, m: re.Match[str], group: str, unused: set[str]
) -> list[Edit]:
    """Deletions of the unused codes of a list, each with the comma before it (after it, for
    the first). Deletions, not a rewrite of the list: ``--fix`` never mistakes one for an edit
    already applied."""
    start, _ = m.span(group)
    listed = m.group(group)
    tokens = [
        (t.start() + start, t.end() + start, t.group())
        for t in re.finditer(r"[A-Za-z0-9_]+", listed)
    ]
    kept = [i for i, (_, _, code) in enumerate(tokens) if code.upper() not in unused]
    edits: list[Edit] = []
    if kept and kept[0] > 0:  # the leading unused codes, up to the first kept one
        edits.append(Edit(path, line, tokens[0][0] + 1, line, tokens[kept[0]][0] + 1, ""))
    for i in range(kept[0] + 1 if kept else len(tokens), len(tokens)):
        if i not in kept:  # from the end of the code before: its comma and blanks go too
            edits.append(Edit(path, line, tokens[i - 1][1] + 1, line, tokens[i][1] + 1, ""))
    return edits


# -------------------------------------------------------------------------- --add-noqa


def comment_lines(text: str) -> set[int] | None:
    """Lines at whose end a comment can be added without changing the code: not inside a
    multi-line string, not continued with a backslash. None: the file does not tokenize."""
    lines = re.split(r"\r\n|\r|\n", text)
    blocked: set[int] = set()
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return None
    starts: list[int] = []
    for tok in tokens:
        name = tokenize.tok_name[tok.type]
        if name == "FSTRING_START":
            starts.append(tok.start[0])
        elif name == "FSTRING_END" and starts:
            blocked.update(range(starts.pop(), tok.end[0]))
        elif tok.type == tokenize.STRING and tok.end[0] > tok.start[0]:
            blocked.update(range(tok.start[0], tok.end[0]))
    for number, source in enumerate(lines, 1):
        if source.rstrip(" \t\f").endswith("\\"):
            blocked.add(number)
    return {n for n in range(1, len(lines) + 1)} - blocked


def noqa_edits(
    path: str, text: str, wanted: Mapping[int, Iterable[str]]
) -> tuple[list[Edit], list[int]]:
    """Edits adding ``# cio-lint: ignore[CODES]`` for each line of ``wanted`` (merged into a
    cio-lint comment already there), and the lines where no comment can go."""
    lines = re.split(r"\r\n|\r|\n", text)
    allowed = comment_lines(text)
    edits: list[Edit] = []
    refused: list[int] = []
    for line in sorted(wanted):
        codes = sorted(set(wanted[line]))
        if allowed is None or line not in allowed or not 1 <= line <= len(lines):
            refused.append(line)
            continue
        source = lines[line - 1]
        existing = next(
            (
                m
                for m in SUPPRESS.finditer(source)
                if m.group("cio") and m.group("codes") is not None
            ),
            None,
        )
        if existing is not None:
            have = [c.strip() for c in existing.group("codes").split(",") if c.strip()]
            merged = ",".join(dict.fromkeys([*have, *codes]))
            start, end = existing.span("codes")
            edits.append(Edit(path, line, start + 1, line, end + 1, merged))
        else:
            end = len(source.rstrip(" \t"))
            comment = f"  # cio-lint: ignore[{','.join(codes)}]"
            edits.append(Edit(path, line, end + 1, line, len(source) + 1, comment))
    return edits, refused


def add_noqa(findings: Sequence[Finding], allowed: Iterable[str]) -> tuple[int, list[str]]:
    """``--add-noqa``: suppress every finding at its line. Returns how many comments were
    added or extended, and a warning for each line that cannot take one."""
    from cio_lint.fix import apply_fixes

    per_file: dict[str, dict[int, set[str]]] = {}
    for f in findings:
        per_file.setdefault(f.path, {}).setdefault(f.line, set()).add(f.code)
    carriers: list[Finding] = []
    warnings: list[str] = []
    for path, wanted in sorted(per_file.items()):
        try:
            from cio_lint.source import decode

            text = decode(Path(path).read_bytes()).text
        except Exception as exc:  # noqa: BLE001 - any unreadable file is one warning
            warnings.append(f"{path}: cannot add suppressions: {exc}")
            continue
        edits, refused = noqa_edits(path, text, wanted)
        warnings.extend(
            f"{path}:{line}: no suppression comment added (the line continues a string or a "
            "backslash): suppress or fix it by hand"
            for line in refused
        )
        for edit in edits:
            carriers.append(
                Finding(
                    "CIO904",
                    "add-noqa",
                    "warning",
                    "",
                    path,
                    edit.line,
                    1,
                    edit.line,
                    1,
                    fix=Fix((edit,)),
                )
            )
    outcome = apply_fixes(carriers, root=Path.cwd(), allowed=frozenset(allowed))
    warnings.extend(f"{s.path}: {s.reason}" for s in outcome.skipped)
    return len(outcome.fixed), warnings
