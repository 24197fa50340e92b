from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import jsonschema
import pytest

from cio_lint.model import Edit, Finding, Fix
from cio_lint.reporters import (
    REPORTERS,
    ReportContext,
    escape_data,
    escape_property,
    report_github,
    report_json,
    report_sarif,
    report_text,
)

HERE = Path(__file__).resolve().parent
SARIF_SCHEMA = HERE / "data" / "sarif-schema-2.1.0.json"
RULES_MD = HERE.parent / "docs" / "rules.md"
SHARED_SCHEMA = Path(__file__).resolve().parents[2] / "shared" / "schemas" / SARIF_SCHEMA.name


class UnknownEvent:
    """An event name that is not in the tracking plan.

    Every tracked event must be planned, so that dashboards and campaigns can rely on it.
    The message suggests the closest planned name.
    """

    CODE, NAME, SEVERITY = "CIO001", "unknown-event", "error"
    MESSAGE = "Event `{event}` is not in the tracking plan"
    FIXABLE = False


class EventNameCase:
    """A tracked event name matches a planned one only when case and separators are ignored."""

    CODE, NAME, SEVERITY = "CIO002", "event-name-case", "error"
    MESSAGE = "Event `{used}` differs from planned `{planned}` only in case or separators"
    FIXABLE = True


class UnresolvedEventName:
    """The event name cannot be determined statically."""

    CODE, NAME, SEVERITY = "CIO007", "unresolved-event-name", "warning"
    MESSAGE = "Event name cannot be determined statically"
    FIXABLE = False


RULES = {r.CODE: r for r in (UnknownEvent, EventNameCase, UnresolvedEventName)}

CALL = 'analytics.track(user.id, "order completed", {"total": 3})'


def finding(
    code: str = "CIO002",
    line: int = 3,
    column: int = 26,
    *,
    path: str = "shop/orders.py",
    message: str = "Event `order completed` differs from planned `Order Completed` only in case",
    severity: str = "error",
    fix: Fix | None = None,
    end_line: int | None = None,
    end_column: int | None = None,
    snippet: str = CALL,
) -> Finding:
    names = {
        "CIO001": "unknown-event",
        "CIO002": "event-name-case",
        "CIO007": "unresolved-event-name",
    }
    return Finding(
        code=code,
        name=names.get(code, "syntax-error"),
        severity=severity,  # type: ignore[arg-type]
        message=message,
        path=path,
        line=line,
        column=column,
        end_line=line if end_line is None else end_line,
        end_column=column + 17 if end_column is None else end_column,
        fix=fix,
        snippet=snippet,
    )


def case_fix(line: int = 3, path: str = "shop/orders.py", safe: bool = True) -> Fix:
    edit = Edit(path, line, 26, line, 43, '"Order Completed"')
    return Fix((edit,), "safe" if safe else "unsafe", "Use `Order Completed`")


@pytest.fixture
def ctx(tmp_path: Path) -> ReportContext:
    return ReportContext(root=tmp_path, cwd=tmp_path, rules=RULES, tool_version="1.2.3")


def test_reporters_table() -> None:
    assert set(REPORTERS) == {"text", "concise", "full", "json", "sarif", "github"}


def test_default_registry_is_a_mapping(tmp_path: Path) -> None:
    assert hasattr(ReportContext(root=tmp_path, cwd=tmp_path).rules, "get")


# ----------------------------------------------------------------------------------- text


def test_text_lines_and_summary(ctx: ReportContext) -> None:
    out = report_text(
        [
            finding("CIO001", 9, 5, message="Event `Sign Up` is not in the tracking plan"),
            finding(fix=case_fix()),
        ],
        ctx,
    )
    assert out == (
        "shop/orders.py:3:26: CIO002 [*] Event `order completed` differs from planned "
        "`Order Completed` only in case\n"
        "shop/orders.py:9:5: CIO001 Event `Sign Up` is not in the tracking plan\n"
        "Found 2 errors (1 fixable with `--fix`).\n"
    )


def test_text_unsafe_fix_is_not_marked(ctx: ReportContext) -> None:
    out = report_text([finding(fix=case_fix(safe=False))], ctx)
    assert "[*]" not in out
    assert out.endswith("Found 1 error.\n")


@pytest.mark.parametrize(
    ("severities", "fixed", "summary"),
    [
        ([], 0, "All checks passed!"),
        ([], 2, "Found 2 errors (2 fixed, 0 remaining)."),
        (["warning"], 0, "Found 1 warning."),
        (["error", "warning", "warning"], 0, "Found 1 error and 2 warnings."),
        (["error", "error"], 1, "Found 2 errors remaining (1 fixed)."),
    ],
)
def test_text_summary(ctx: ReportContext, severities: list[str], fixed: int, summary: str) -> None:
    ctx = ReportContext(root=ctx.root, cwd=ctx.cwd, rules=RULES, fixes_applied=fixed)
    findings = [finding(line=i + 1, severity=s) for i, s in enumerate(severities)]
    assert report_text(findings, ctx).splitlines()[-1] == summary


def test_text_shows_source_line_and_caret(tmp_path: Path) -> None:
    (tmp_path / "shop").mkdir()
    (tmp_path / "shop" / "orders.py").write_text(
        'import analytics\n\n\tanalytics.track(u, "order completed")\n', encoding="utf-8"
    )
    ctx = ReportContext(root=tmp_path, cwd=tmp_path, show_source=True, rules=RULES)
    out = report_text([finding(line=3, column=21, end_column=38, fix=case_fix())], ctx)
    lines = out.splitlines()
    assert lines[1:4] == [
        "  |",
        '3 | \tanalytics.track(u, "order completed")',
        "  | \t" + " " * 19 + "^" * 17 + " CIO002",
    ]


def test_text_source_missing_file_is_skipped(tmp_path: Path) -> None:
    ctx = ReportContext(root=tmp_path, cwd=tmp_path, show_source=True, rules=RULES)
    out = report_text([finding()], ctx)
    assert len(out.splitlines()) == 2


# ----------------------------------------------------------------------------------- json


def test_json_is_the_spec_contract(ctx: ReportContext) -> None:
    findings = [
        finding("CIO001", 9, 5, path="b.py"),
        finding("CIO002", 3, 30, path="a.py", fix=case_fix(path="a.py")),
        finding("CIO007", 3, 4, path="a.py", severity="warning"),
    ]
    data = json.loads(report_json(findings, ctx))
    assert [(d["path"], d["line"], d["column"]) for d in data] == [
        ("a.py", 3, 4),
        ("a.py", 3, 30),
        ("b.py", 9, 5),
    ]
    keys = {
        "code",
        "name",
        "severity",
        "message",
        "path",
        "line",
        "column",
        "end_line",
        "end_column",
        "fix",
    }
    assert all(set(d) == keys for d in data)
    assert data[0]["fix"] is None
    assert data[1]["fix"] == {
        "edits": [
            {
                "path": "a.py",
                "line": 3,
                "column": 26,
                "end_line": 3,
                "end_column": 43,
                "content": '"Order Completed"',
            }
        ],
        "applicability": "safe",
    }


def test_json_edit_names_its_own_file(ctx: ReportContext) -> None:
    """A fix that rewrites a constant in another file says which file each edit is in."""
    there = Edit("shop/events.py", 1, 8, 1, 25, '"Order Completed"')
    fix = Fix((there, Edit("shop/orders.py", 3, 26, 3, 43, '"Order Completed"')), "safe")
    (data,) = json.loads(report_json([finding(fix=fix)], ctx))
    assert data["path"] == "shop/orders.py"
    assert [(e["path"], e["line"]) for e in data["fix"]["edits"]] == [
        ("shop/events.py", 1),
        ("shop/orders.py", 3),
    ]


def test_json_empty(ctx: ReportContext) -> None:
    assert json.loads(report_json([], ctx)) == []


# ---------------------------------------------------------------------------------- sarif


def sarif_validator() -> jsonschema.protocols.Validator:
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    if "properties" not in schema and "Root" in schema.get("definitions", {}):
        # This copy keeps the log's own schema under definitions/Root; at the top level it
        # would accept anything.
        schema = {**schema, "$ref": "#/definitions/Root"}
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def assert_valid_sarif(text: str) -> dict:
    doc = json.loads(text)
    errors = sorted(sarif_validator().iter_errors(doc), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"$.{'.'.join(map(str, e.path))}: {e.message}" for e in errors)
    return doc


# sha256 of the OASIS SARIF 2.1.0 schema as shipped in ../shared/ (sarif-schema-2.1.0.json)
_SARIF_SCHEMA_SHA256 = "cfa305856fadf006ed349e80b2478a49f8476c0e7131f62778960cdfe71fdf85"


def test_schema_copy_is_the_official_schema() -> None:
    assert hashlib.sha256(SARIF_SCHEMA.read_bytes()).hexdigest() == _SARIF_SCHEMA_SHA256
    if SHARED_SCHEMA.exists():  # beside the workspace's shared/: the same bytes
        assert SARIF_SCHEMA.read_bytes() == SHARED_SCHEMA.read_bytes()


def test_sarif_validator_rejects_invalid_logs(ctx: ReportContext) -> None:
    doc = json.loads(report_sarif([finding(fix=case_fix())], ctx))
    result = doc["runs"][0]["results"][0]
    result["level"] = "fatal"
    result["locations"][0]["physicalLocation"]["region"]["startLine"] = 0
    doc["runs"][0]["tool"]["driver"].pop("name")
    messages = [e.message for e in sarif_validator().iter_errors(doc)]
    assert len(messages) >= 3, messages
    assert list(sarif_validator().iter_errors({"version": "2.1.0"}))  # `runs` is required


def test_sarif_validates_and_describes_rules(ctx: ReportContext) -> None:
    findings = [
        finding(fix=case_fix()),
        finding("CIO007", 5, 1, severity="warning", message="Event name cannot be determined"),
        finding("CIO900", 1, 1, path="broken.py", message="invalid syntax", snippet=""),
    ]
    doc = assert_valid_sarif(report_sarif(findings, ctx))
    run = doc["runs"][0]
    driver = run["tool"]["driver"]
    assert (driver["name"], driver["version"]) == ("cio-lint", "1.2.3")
    assert driver["informationUri"].startswith("https://")
    rules = driver["rules"]
    assert [r["id"] for r in rules] == ["CIO001", "CIO002", "CIO007", "CIO900"]
    cio001 = rules[0]
    assert cio001["name"] == "unknown-event"
    assert cio001["shortDescription"]["text"] == "An event name that is not in the tracking plan."
    assert cio001["fullDescription"]["text"].startswith("Every tracked event must be planned")
    assert cio001["helpUri"] == (
        "https://github.com/cio-lint/cio-lint/blob/main/docs/rules.md#cio001-unknown-event"
    )
    assert rules[2]["defaultConfiguration"] == {"level": "warning"}
    assert rules[3]["name"] == "syntax-error"  # not in the registry: described from the finding

    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == ctx.root.as_uri() + "/"
    results = run["results"]
    assert [r["ruleId"] for r in results] == ["CIO900", "CIO002", "CIO007"]
    for r in results:
        assert rules[r["ruleIndex"]]["id"] == r["ruleId"]
    first = results[1]
    assert first["level"] == "error"
    location = first["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "shop/orders.py", "uriBaseId": "%SRCROOT%"}
    assert location["region"] == {"startLine": 3, "startColumn": 26, "endLine": 3, "endColumn": 43}
    assert first["fixes"] == [
        {
            "description": {"text": "Use `Order Completed`"},
            "artifactChanges": [
                {
                    "artifactLocation": {"uri": "shop/orders.py", "uriBaseId": "%SRCROOT%"},
                    "replacements": [
                        {
                            "deletedRegion": {
                                "startLine": 3,
                                "startColumn": 26,
                                "endLine": 3,
                                "endColumn": 43,
                            },
                            "insertedContent": {"text": '"Order Completed"'},
                        }
                    ],
                }
            ],
            "properties": {"applicability": "safe"},
        }
    ]
    assert results[2]["level"] == "warning"


def _github_anchors(markdown: str) -> set[str]:
    """The anchors GitHub gives the headings of ``markdown`` (outside code fences)."""
    anchors: set[str] = set()
    fenced = False
    for line in markdown.splitlines():
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced and re.match(r"#{1,6} ", line):
            title = line.lstrip("#").strip().lower()
            kept = "".join(ch for ch in title if ch.isalnum() or ch in "-_ ")
            anchors.add(kept.replace(" ", "-"))
    return anchors


def test_sarif_help_uris_point_at_headings_of_rules_md(tmp_path: Path) -> None:
    """Every rule of the real registry links to a heading that docs/rules.md has."""
    anchors = _github_anchors(RULES_MD.read_text(encoding="utf-8"))
    assert "cio002-event-name-case" in anchors  # the computation itself
    ctx = ReportContext(root=tmp_path, cwd=tmp_path)
    unregistered = finding("CIO999", message="not a rule of the registry")
    doc = assert_valid_sarif(report_sarif([unregistered], ctx))
    rules = doc["runs"][0]["tool"]["driver"]["rules"]
    assert {r["id"] for r in rules} >= set(ctx.rules) and len(ctx.rules) > 20
    prefix = "https://github.com/cio-lint/cio-lint/blob/main/docs/rules.md#"
    for rule in rules:
        uri = rule["helpUri"]
        assert uri.startswith(prefix) and uri in rule["help"]["markdown"]
        if rule["id"] != "CIO999":
            assert uri[len(prefix) :] in anchors, rule["id"]
    assert rules[-1]["helpUri"] == prefix + "cio999-syntax-error"


def test_sarif_empty_run_validates(ctx: ReportContext) -> None:
    doc = assert_valid_sarif(report_sarif([], ReportContext(ctx.root, ctx.cwd, rules={})))
    assert doc["runs"][0]["results"] == []


def test_sarif_uris_are_relative_to_root_and_encoded(tmp_path: Path) -> None:
    sub = tmp_path / "services" / "web"
    sub.mkdir(parents=True)
    ctx = ReportContext(root=tmp_path, cwd=sub, rules=RULES)
    outside = finding(path="../../../elsewhere/x.py")
    doc = assert_valid_sarif(report_sarif([finding(path="my app/ordérs.py"), outside], ctx))
    uris = [
        r["locations"][0]["physicalLocation"]["artifactLocation"] for r in doc["runs"][0]["results"]
    ]
    assert {"uri": "services/web/my%20app/ord%C3%A9rs.py", "uriBaseId": "%SRCROOT%"} in uris
    absolute = next(u for u in uris if "uriBaseId" not in u)
    assert absolute["uri"].startswith("file:///") and absolute["uri"].endswith("/elsewhere/x.py")


def fingerprints(findings: list[Finding], ctx: ReportContext) -> list[str]:
    results = json.loads(report_sarif(findings, ctx))["runs"][0]["results"]
    return [r["partialFingerprints"]["cioLint/v1"] for r in results]


def test_sarif_fingerprints_ignore_line_numbers(ctx: ReportContext) -> None:
    before = fingerprints([finding(line=3), finding("CIO001", 8, 5)], ctx)
    after = fingerprints([finding(line=13), finding("CIO001", 18, 5)], ctx)
    assert before == after
    assert len(set(before)) == 2


def test_sarif_fingerprints_distinguish_identical_calls(ctx: ReportContext) -> None:
    prints = fingerprints([finding(line=3), finding(line=7)], ctx)
    assert len(set(prints)) == 2
    reformatted = finding(
        line=3,
        snippet='analytics.track(\n    user.id,\n    "order completed",\n    {"total": 3},\n)',
    )
    assert fingerprints([reformatted], ctx)[0] == prints[0]


def test_sarif_multifile_fix(ctx: ReportContext) -> None:
    fix = Fix(
        (
            Edit("shop/events.py", 1, 18, 1, 35, '"Order Completed"'),
            Edit("shop/orders.py", 3, 26, 3, 43, '"Order Completed"'),
        )
    )
    doc = assert_valid_sarif(report_sarif([finding(fix=fix)], ctx))
    changes = doc["runs"][0]["results"][0]["fixes"][0]["artifactChanges"]
    assert [c["artifactLocation"]["uri"] for c in changes] == ["shop/events.py", "shop/orders.py"]


# --------------------------------------------------------------------------------- github


def test_github_annotations(ctx: ReportContext) -> None:
    out = report_github(
        [
            finding(fix=case_fix()),
            finding(
                "CIO007",
                5,
                1,
                severity="warning",
                message="Event name is unknown",
                end_line=7,
                end_column=2,
            ),
        ],
        ctx,
    )
    assert out.splitlines() == [
        (
            "::error file=shop/orders.py,line=3,col=26,endLine=3,endColumn=43,"
            "title=CIO002 event-name-case::Event `order completed` differs from planned "
            "`Order Completed` only in case"
        ),
        (
            "::warning file=shop/orders.py,line=5,endLine=7,title=CIO007 unresolved-event-name"
            "::Event name is unknown"
        ),
    ]


def test_github_empty(ctx: ReportContext) -> None:
    assert report_github([], ctx) == ""


def test_github_escaping() -> None:
    assert escape_data("50% done\r\nnext: a,b") == "50%25 done%0D%0Anext: a,b"
    assert escape_property("a:b,c%d\ne") == "a%3Ab%2Cc%25d%0Ae"
    assert escape_data("%0A") == "%250A"  # already-escaped text is not unescaped by the runner


def test_github_escapes_message_and_properties(tmp_path: Path) -> None:
    ctx = ReportContext(root=tmp_path, cwd=tmp_path, rules=RULES)
    f = finding(path="we,ird:dir/x.py", message="Value 100% wrong\nsee: docs, here")
    line = report_github([f], ctx).rstrip("\n")
    assert "\n" not in line
    assert line.startswith("::error file=we%2Cird%3Adir/x.py,line=3,")
    assert line.endswith("::Value 100%25 wrong%0Asee: docs, here")


def test_github_paths_are_relative_to_root(tmp_path: Path) -> None:
    sub = tmp_path / "backend"
    sub.mkdir()
    ctx = ReportContext(root=tmp_path, cwd=sub, rules=RULES)
    assert report_github([finding(path="app/x.py")], ctx).startswith(
        "::error file=backend/app/x.py,"
    )
