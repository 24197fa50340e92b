"""Minimal inputs on which the fuzz properties failed, replayed forever as ``@example``s.

Each was found by the suite (``CIO_FUZZ=deep``) and shrunk by hypothesis or by hand; what went
wrong is described in /work/notes/fuzz.md and docs/testing.md#fuzzing. A property fails on
its examples until the analyzer is fixed.
"""

from __future__ import annotations

_DICTS = b"{'k': " * 250 + b"1" + b"}" * 250

# --- test_parse: crashes
# A BOM hides a too-deep file from the nesting guard (CPython's parser is given the text with
# U+FEFF in it); libcst's position pass then recurses too deep and raises a KeyError the
# engine does not catch: the run dies with a traceback.
BOM_DEEP_CRASH = b"\xef\xbb\xbf# app\nimport analytics\nif analytics.track('u', 'x', " + _DICTS
BOM_DEEP_CRASH += b"):\n    pass\n"

# The same BOM bypass with 3000 nested brackets reaches libcst's native parser, which overflows
# the C stack: the process dies of SIGSEGV (the command too, exit -11), nothing is reported.
BOM_SEGFAULT = b"\xef\xbb\xbf# app\nimport analytics\nx = " + b"[" * 3000 + b"]" * 3000 + b"\n"

# A valid file: a 120-deep dict literal as the user id of a call inside a function. Wrapper
# inference (``analysis/syms.py`` ``mentions``, from ``prefilter.relevant_modules``) recurses
# past Python's limit outside the extraction's guard: RecursionError, the run dies.
DEEP_DICT_IN_FUNCTION = b"import analytics\ndef h(user):\n    if analytics.track("
DEEP_DICT_IN_FUNCTION += b"{'k': " * 120 + b"1" + b"}" * 120 + b"):\n        pass\n"

# --- test_parse: CIO900 where CPython compiles the file
# A coding cookie is not followed: the Latin-1 file is "not valid UTF-8".
LATIN1_COOKIE = b"# -*- coding: latin-1 -*-\nimport analytics\nanalytics.track('u1', '\xe9')\n"
# 1000 unary minus signs: CPython's ast module gives up (RecursionError), compile() does not;
# cio-lint reports its documented "too deeply nested to analyse" (over 1,000 levels for libcst).
DEEP_UNARY = b"import analytics\nanalytics.track('u1', " + b"-" * 1000 + b"1)\n"

# --- test_parse: no CIO900 where CPython rejects the file
# The cookie again: read as Latin-1 (as CPython does), the UTF-8 bytes of "É" are "Ã" and a
# control character, which CPython refuses in an identifier; cio-lint reads UTF-8.
LATIN1_MOJIBAKE = b"# coding: latin-1\nimport analytics\n\xc3\x89 = 1\n"
# errors of CPython's compiler (after parsing): libcst and ast.parse accept these
LATE_FUTURE = b"import analytics\nfrom __future__ import annotations\nanalytics.track()\n"
DUPLICATE_ARGUMENT = (
    b"import analytics\ndef f(user, user):\n    analytics.track(user, 'Signed Up')\n"
)
# errors CPython finds while decoding literals, cookies and future imports
BAD_ESCAPE = b"import analytics\nanalytics.track('u1', '\\U0001')\n"
UNKNOWN_ENCODING = b"# coding: foobar\nimport analytics\nanalytics.track('u1', 'x')\n"
UNKNOWN_FUTURE = b"from __future__ import annotationsns\nimport analytics\n"
# over 200 nested brackets inside an f-string: CPython says "f-string: too many nested
# parenthesis", which the nesting guard does not recognise; libcst parses it
FSTRING_TOO_DEEP = b"import analytics\nx = f'{" + b"f(" * 201 + b"1" + b")" * 201 + b"}'\n"
# too deep for CPython (over 200 nested brackets), not reported when the file has a BOM
BOM_TOO_DEEP = b"\xef\xbb\xbf# app\nimport analytics\nx = " + b"[" * 201 + b"]" * 201 + b"\n"

# --- test_parse: the prefilter drops the file, so its calls go unchecked
# The import line is not seen after a BOM, a form feed, or a CR line ending after a comment.
BOM_IMPORT = b"\xef\xbb\xbfimport analytics\nanalytics.track()\n"
FORM_FEED_IMPORT = b"\x0cimport analytics\nanalytics.track()\n"
CR_AFTER_COMMENT = b"#!/usr/bin/env python\rimport analytics\ranalytics.track()\r"

# --- test_fix_round_trip: (files, roles of their string literals)
# The prefilter drops a file with a BOM: its event name is never fixed.
FIX_BOM_LITERAL = (
    {
        "app.py": b"\xef\xbb\xbfimport analytics\ndef f(user):\n    analytics.track(user.id, 'signed up')\n"
    },
    {"app.py": ("event",)},
)
# In a BOM file, positions after line 1 are one column off: the fix of the constant's
# definition would break the file, and --fix declines it.
FIX_BOM_CONSTANT = (
    {
        "app.py": b"import analytics\nfrom names import SIGNUP\ndef f(user):\n"
        b"    analytics.track(user.id, SIGNUP)\n",
        "names.py": b"\xef\xbb\xbf\nSIGNUP = 'signed up'\n",
    },
    {"app.py": (), "names.py": ("const",)},
)
# A form feed at the start of a line makes that line's columns one too small: the fix of the
# constant's definition would break the file, and --fix declines it.
FIX_FORM_FEED = (
    {
        "app.py": b"import analytics\nfrom names import SIGNUP\ndef f(user):\n"
        b"    analytics.track(user.id, SIGNUP)\n",
        "names.py": b"X = 1\n\x0cSIGNUP = 'signed up'\n",
    },
    {"app.py": (), "names.py": ("const",)},
)
# Found by the deep run after the merge with main: a form feed before the first line and no
# final newline. libcst dropped the form feed while its span pass counted a final newline the
# file lacks, so the lengths agreed and the dropped character went unnoticed (columns off,
# --fix declined); and ``str.splitlines`` broke the text at the form feed, so messages quoted
# the line before the call ("tracked for `omment,`").
FIX_FORM_FEED_NO_FINAL_NEWLINE = (
    {
        "app.py": b"\x0cimport analytics\nSIGNUP = 'signed up'\ndef handler(user):\n"
        b"    # signed up: a comment, never fixed\n    analytics.track(user.id, SIGNUP)"
    },
    {"app.py": ("const",)},
)
