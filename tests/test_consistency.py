"""CIO201-CIO203, the plan-free consistency rules, and running without a plan (`--no-plan`,
`plan = false`): issue 14 item 1."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import REPO

from cio_lint import sdks
from cio_lint.cli import main
from cio_lint.config import PLAN_FREE, Config, ConfigError, load_config
from cio_lint.engine import lint_paths
from cio_lint.fix import apply_fixes
from cio_lint.model import Finding
from cio_lint.naming import convert, detect_case, detect_structure
from cio_lint.plan import Plan, load_plan
from cio_lint.rules.similar import near_duplicate

CDP = sdks.example_setup("segment-family")
POSTHOG = sdks.example_setup("posthog-python")
MIXPANEL = sdks.example_setup("mixpanel-client")


def track(name: str, props: str = "{}") -> str:
    return f"analytics.track('u1', {name!r}, {props})\n"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def lint(root: Path, plan: Plan | None = None, **config: object) -> list[Finding]:
    settings = Config(root=root, cache=False, **config)  # type: ignore[arg-type]
    result = lint_paths([root], settings, plan or Plan.empty(root), jobs=1)
    return [f for f in result.findings if f.code.startswith("CIO2")]


def write(root: Path, text: str, name: str = "app.py") -> Path:
    path = root / name
    path.write_text(text)
    return path


# --------------------------------------------------------------------------- conventions


SENTENCE = [
    "Logged in",
    "Signed up",
    "Note created",
    "Note shared",
    "Note deleted",
    "Export downloaded",
    "Invite sent",
    "Invite accepted",
    "Trial started",
    "Trial ended",
    "Plan upgraded",
    "Plan downgraded",
    "Card added",
    "Card removed",
    "Password changed",
    "Email verified",
    "Account closed",
]


def test_one_title_case_name_among_sentence_case_is_flagged_with_the_count(project: Path) -> None:
    write(project, CDP + "".join(track(n) for n in [*SENTENCE, "User Deleted"]))
    found = lint(project)
    assert [(f.code, f.line) for f in found] == [("CIO201", 19)]
    assert found[0].message.startswith(
        "Event `User Deleted` breaks the project's Sentence case convention (17 of 18 event names)"
    )
    assert found[0].severity == "warning"


def test_detection_needs_a_clear_majority() -> None:
    assert detect_case(["Note Created", "note_shared", "Note Deleted", "note_moved"]) is None
    assert detect_case(["signup", "login", "logout"]) is None  # single words: nothing to tell
    found = detect_case(["Note Created", "Note Shared", "Note Deleted", "note_moved"])
    assert found is not None and (found.name, found.count, found.total) == ("Title Case", 3, 4)


def test_namespace_and_prefix_conventions(project: Path) -> None:
    names = ["app.note_created", "app.note_shared", "app.note_deleted", "app.invite_sent"]
    structure = detect_structure([*names, "note_moved"])
    assert structure is not None and structure.label() == "`a.b` namespace convention"
    fixes = [f"fix_{w}_applied" for w in "abcdefghijklmnopqrs"]
    prefix = detect_structure([*fixes, "patch_applied"])
    assert prefix is not None and (prefix.name, prefix.count, prefix.total) == ("fix_", 19, 20)
    write(project, CDP + "".join(track(n) for n in [*fixes, "patch_applied"]))
    found = lint(project)
    assert [f.message.split(" (")[0] for f in found] == [
        "Event `patch_applied` breaks the project's `fix_` prefix convention"
    ]


def test_names_with_and_without_a_namespace_are_judged_apart(project: Path) -> None:
    """`backend:billing:charged` beside Title Case events is a convention of its own; its case
    is judged among the namespaced names."""
    titles = ["Note Created", "Note Shared", "Note Deleted", "Invite Sent"]
    spaced = ["backend:members:imported", "backend:billing:charged", "backend:billing:paid"]
    write(project, CDP + "".join(track(n) for n in [*titles, *spaced, "backend:members:Exported"]))
    found = lint(project)
    assert [f.message.split(";")[0] for f in found] == [
        (
            "Event `backend:members:Exported` breaks the project's lower case convention "
            "(3 of 4 event names)"
        )
    ]


def test_configured_naming_wins_over_detection(project: Path) -> None:
    write(project, CDP + "".join(track(n) for n in ["Note Created", "Note Shared", "note_moved"]))
    found = lint(project, naming={"events": "snake_case"})
    assert sorted(f.message.split(";")[0] for f in found) == [
        "Event `Note Created` breaks the project's snake_case convention (configured)",
        "Event `Note Shared` breaks the project's snake_case convention (configured)",
    ]


def test_naming_in_pyproject_and_its_errors(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.cio-lint]\nnaming = { events = "Title Case", properties = "snake_case" }\n'
    )
    assert load_config(tmp_path).naming == {"events": "Title Case", "properties": "snake_case"}
    for bad, said in (
        ('naming = { events = "Title case" }', "`events` must be one of"),
        ('naming = { traits = "snake_case" }', "unknown key `traits`"),
        ('naming = "snake_case"', "`naming` must be a table"),
        ("plan = 3", "`plan` must be a path string, or false"),
    ):
        (tmp_path / "pyproject.toml").write_text(f"[tool.cio-lint]\n{bad}\n")
        with pytest.raises(ConfigError, match=said):
            load_config(tmp_path)


def test_convert_is_lossless_only() -> None:
    assert convert("order_completed", "Title Case") == "Order Completed"
    assert convert("Export CSV Downloaded", "snake_case") == "export_csv_downloaded"
    assert convert("orderCompleted", "kebab-case") == "order-completed"
    assert convert("order completed!", "Title Case") is None  # `!` would be lost


# --------------------------------------------------------------------------- fixes


def test_fix_takes_the_majority_spelling(project: Path) -> None:
    names = ["Note Created", "Note Shared", "Note Deleted", "Note Archived"]
    app = write(project, CDP + "".join(track(n) for n in [*names, "note shared"]))
    found = lint(project)
    assert [f.code for f in found] == ["CIO201"]  # no CIO202: CIO201 renames one to the other
    assert found[0].fix is not None and found[0].fix.applicability == "safe"
    apply_fixes(found, root=project)
    assert app.read_text().count("'Note Shared'") == 2
    assert lint(project) == []


def test_a_converted_name_is_an_unsafe_fix(project: Path) -> None:
    """A spelling no site sends yet: the event would change name, so `--fix` leaves it."""
    app = write(
        project,
        CDP
        + "".join(track(n) for n in ["Note Created", "Note Shared", "Note Deleted", "note_moved"]),
    )
    found = lint(project)
    assert found[0].message.endswith("; `Note Moved` would follow it")
    assert found[0].fix is not None and found[0].fix.applicability == "unsafe"
    apply_fixes(found, root=project)
    assert "'note_moved'" in app.read_text()
    apply_fixes(found, root=project, unsafe=True)
    assert "'Note Moved'" in app.read_text()


# --------------------------------------------------------------------------- near-duplicates


def test_near_duplicate_reported_once_at_the_less_used_name(project: Path) -> None:
    write(
        project,
        CDP
        + track("Export Downloaded")
        + track("Export Downloaded")
        + "def f():\n    "
        + track("Export Downloded")
        + "    "
        + track("Export Downloded"),
    )
    found = lint(project)
    assert [(f.code, f.line) for f in found] == [("CIO202", 5)]
    assert found[0].message == (
        "Event `Export Downloded` looks like a duplicate of `Export Downloaded` (1 edit apart), "
        "sent at app.py:2"
    )


@pytest.mark.parametrize(
    ("a", "b", "why"),
    [
        ("Order Refund", "Order Refunded", "2 edits apart"),
        ("Invite Sent", "Invites Sent", "singular and plural"),
        ("Tip Sent", "Tips Sent", "singular and plural"),
        ("order_completed", "Order Completed", "equal ignoring case and separators"),
        ("User Subscribed", "User Unsubscribed", None),  # opposites
        ("Trial Started", "Trial Restarted", None),
        ("Step 1 Completed", "Step 2 Completed", None),  # numbered
        ("Message Sent", "Message Seen", None),  # two words, not a typo
        ("Logged In", "Logged Out", None),
        ("Members Exported", "Members Imported", None),  # a typo keeps the first letter
    ],
)
def test_near_duplicate_pairs(a: str, b: str, why: str | None) -> None:
    assert near_duplicate(a, b) == why


def test_same_property_keys_across_sdk_families(project: Path) -> None:
    """Calls of every SDK family count: a PostHog and a Mixpanel event with one key set."""
    write(
        project,
        POSTHOG + MIXPANEL + "posthog.capture('emails.invite_sent', distinct_id='u1', "
        "properties={'to': 1, 'role': 2, 'team': 3})\n"
        "mp.track('u1', 'emails.workspace_invite_sent', {'to': 1, 'role': 2, 'team': 3})\n",
    )
    found = lint(project)
    assert [f.code for f in found] == ["CIO202"]
    assert "(the same property keys)" in found[0].message


def test_the_same_keys_and_one_shared_word_are_two_events(project: Path) -> None:
    """`Chat Started` and `Checkout Started` with one key set (the bench corpus had such a
    pair): a shared word alone does not make a duplicate; a name with words added does."""
    keys = "{'session_id': 1, 'source': 2, 'variant': 3}"
    write(
        project,
        POSTHOG
        + f"posthog.capture('Chat Started', distinct_id='u1', properties={keys})\n"
        + f"posthog.capture('Checkout Started', distinct_id='u1', properties={keys})\n",
    )
    assert [f.code for f in lint(project)] == []


def test_two_misspellings_of_a_planned_name_are_left_to_cio001(project: Path) -> None:
    from cio_lint.plan import load_plan

    (project / "tracking_plan").mkdir()
    (project / "tracking_plan" / "plan.yaml").write_text(
        "version: 1\nevents:\n  Order Cancelled: {}\n"
    )
    write(
        project,
        POSTHOG
        + "posthog.capture('Order Caancelled', distinct_id='u1')\n"
        + "posthog.capture('Orrder Cancelled', distinct_id='u1')\n",
    )
    assert lint(project, load_plan(project / "tracking_plan")) == []  # CIO001 ×2 say it
    assert [f.code for f in lint(project)] == ["CIO202"]  # without a plan: the pair is all there is


# --------------------------------------------------------------------------- property drift


def test_a_key_missing_at_one_site_names_its_replacement(project: Path) -> None:
    sites = [track("Note Shared", f"{{'note_id': {i}, 'type': 'x'}}") for i in range(6)]
    sites.insert(3, track("Note Shared", "{'note_id': 9, 'kind': 'x'}"))
    write(project, CDP + "".join(sites))
    found = lint(project)
    assert [(f.code, f.line) for f in found] == [("CIO203", 5)]
    assert found[0].message == (
        "`Note Shared` is sent without `type` here, but with it at the 6 other sites "
        "(e.g. app.py:2); it sends `kind` instead"
    )


def test_optional_keys_are_not_drift(project: Path) -> None:
    """A key present at two sites of four is an optional key, not drift."""
    sites = [track("Note Shared", "{'note_id': 1}") for _ in range(2)]
    sites += [track("Note Shared", "{'note_id': 1, 'channel': 'x'}") for _ in range(2)]
    write(project, CDP + "".join(sites))
    assert lint(project) == []


def test_a_value_type_that_differs(project: Path) -> None:
    write(
        project,
        CDP
        + track("Trial Started", "{'days': 14}")
        + track("Trial Started", "{'days': 30}")
        + track("Trial Started", "{'days': '14'}")
        + track("Trial Started", "{'days': None}"),
    )
    found = lint(project)
    assert [(f.line, f.column) for f in found] == [(4, 49)]  # at the value `'14'`
    assert found[0].message == (
        "Property `days` of `Trial Started` is a string here but a number at 2 other sites "
        "(e.g. app.py:2)"
    )


def test_a_property_name_breaking_the_convention(project: Path) -> None:
    write(
        project,
        CDP
        + track("Note Shared", "{'note_id': 1, 'share_channel': 'x'}")
        + track("Note Moved", "{'to_folder': 1, 'from_folder': 2, 'folderName': 'z'}"),
    )
    found = lint(project)
    assert [f.message for f in found] == [
        (
            "Property `folderName` of `Note Moved` breaks the project's snake_case convention "
            "(4 of 5 property names)"
        )
    ]
    configured = lint(project, naming={"properties": "camelCase"})
    assert [f.message.split("`")[1] for f in configured] == [
        "note_id",
        "share_channel",
        "to_folder",
        "from_folder",
    ]


def test_unknown_names_and_keys_never_count(project: Path) -> None:
    write(
        project,
        CDP
        + "def f(name, props):\n"
        + "    "
        + track("Note Created", "props")
        + "    analytics.track('u1', name, {'a_b': 1})\n"
        + "    analytics.track('u1', f'{name} shared', {})\n"
        + track("Note Shared")
        + track("note_moved"),
    )
    assert lint(project) == []  # two known multi-word Title Case names are no convention


# --------------------------------------------------------------------------- selection, plan


def test_suppressed_and_ignored_like_any_code(project: Path) -> None:
    names = ["Note Created", "Note Shared", "Note Deleted"]
    app = write(project, CDP + "".join(track(n) for n in [*names, "note_moved"]))
    assert [f.code for f in lint(project)] == ["CIO201"]
    assert lint(project, ignore=("CIO2",)) == []
    app.write_text(app.read_text().replace("{})\n", "{})  # cio-lint: ignore[CIO201]\n"))
    assert lint(project) == []


def test_what_the_plan_decides_is_left_to_its_rules(project: Path) -> None:
    """With a plan, a planned name (or its case variant, CIO002) is not CIO201/CIO202, and a
    planned event's keys and types are CIO004-CIO006's."""
    (project / "tracking_plan").mkdir()
    (project / "tracking_plan" / "plan.yaml").write_text(
        "version: 1\nevents:\n"
        "  Note Created: {}\n  Note Shared: {}\n  Note Deleted: {}\n"
        "  Trial Started: {properties: {days: {type: integer}}}\n"
    )
    plan = load_plan(project / "tracking_plan")
    write(
        project,
        CDP
        + "".join(track(n) for n in ["Note Created", "Note Shared", "Note Deleted", "note_shared"])
        + "".join(track("Trial Started", f"{{'days': {v}}}") for v in ("1", "2", "'3'")),
    )
    assert lint(project, plan) == []
    assert [f.code for f in lint(project)] == ["CIO201", "CIO203"]


# --------------------------------------------------------------------------- command line


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, [*args, "--no-cache"])
    return result.exit_code, result.stdout, result.stderr


def test_no_plan_on_the_demo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    code, out, _ = run("examples/", "--no-plan", "--format", "json")
    assert code == 1  # CIO003, CIO013... are errors without a plan too
    findings = json.loads(out)
    codes = {f["code"] for f in findings}
    assert {"CIO201", "CIO202", "CIO203", "CIO003", "CIO013", "CIO101"} <= codes
    assert all(c.startswith(PLAN_FREE) for c in codes)
    assert not codes & {"CIO001", "CIO002", "CIO004", "CIO005", "CIO006", "CIO007", "CIO012"}


def test_no_plan_found_suggests_no_plan_and_plan_init(project: Path) -> None:
    write(
        project,
        CDP
        + "analytics.identify('u1', {})\n"
        + "".join(track(n) for n in ["Note Created", "Note Shared", "Note Deleted", "note_moved"]),
    )
    code, _, err = run(".")
    assert code == 2
    assert (
        "use --no-plan to run the plan-free checks, or create one with 'cio-lint plan init'" in err
    )
    assert len(err.strip().splitlines()) == 1
    code, out, _ = run(".", "--no-plan")
    assert code == 0  # warnings only
    assert "app.py:6:23: CIO201" in out
    code, _, err = run(".", "--no-plan", "--plan", "tracking_plan")
    assert code == 2 and "exclude each other" in err


def test_plan_false_in_pyproject(project: Path) -> None:
    (project / "pyproject.toml").write_text("[tool.cio-lint]\nplan = false\n")
    write(
        project,
        CDP
        + "".join(track(n) for n in ["Note Created", "Note Shared", "Note Deleted", "note_moved"])
        + "analytics.track(None, 'Note Created')\n",
    )
    code, out, _ = run(".", "--format", "json")
    assert code == 1
    assert sorted(f["code"] for f in json.loads(out)) == ["CIO003", "CIO011", "CIO201"]
    # `--plan` on the command line wins over the configuration
    (project / "tracking_plan").mkdir()
    (project / "tracking_plan" / "plan.yaml").write_text("version: 1\nevents: {}\n")
    code, out, _ = run(".", "--plan", "tracking_plan", "--format", "json")
    assert "CIO001" in {f["code"] for f in json.loads(out)}


# --------------------------------------------------------------------------- plan check


PLANNED = """\
version: 1
events:
  Note Created:
    properties: {note_id: {}, folder_id: {}}
  Note Shared:
    properties: {note_id: {}, share_channel: {}}
  Note Deleted: {}
  Note Archived:
    properties: {note_id: {}, archivedBy: {}}
  Export Downloaded: {}
  Export Downloded: {}
  note_moved: {}
"""


def test_plan_check_runs_the_consistency_checks_on_planned_names(project: Path) -> None:
    (project / "tracking_plan").mkdir()
    (project / "tracking_plan" / "plan.yaml").write_text(PLANNED)
    result = CliRunner().invoke(main, ["plan", "check"])
    assert result.exit_code == 0, result.output  # warnings: the plan is usable
    assert result.stdout.splitlines() == [
        (
            "tracking_plan/plan.yaml:8: CIO203 Property `archivedBy` of `Note Archived` breaks the "
            "plan's snake_case convention (3 of 4 planned property names)"
        ),
        (
            "tracking_plan/plan.yaml:11: CIO202 Event `Export Downloded` looks like a duplicate of "
            "`Export Downloaded` (1 edit apart), planned at tracking_plan/plan.yaml:10"
        ),
        (
            "tracking_plan/plan.yaml:12: CIO201 Event `note_moved` breaks the plan's Title Case "
            "convention (6 of 7 planned event names)"
        ),
        "tracking_plan: valid tracking plan (7 events)",
    ]


def test_naming_in_the_plan(project: Path) -> None:
    (project / "tracking_plan").mkdir()
    plan_file = project / "tracking_plan" / "plan.yaml"
    plan_file.write_text(PLANNED + "naming: {events: snake_case, properties: camelCase}\n")
    assert load_plan(project / "tracking_plan").naming == {
        "events": "snake_case",
        "properties": "camelCase",
    }
    result = CliRunner().invoke(main, ["plan", "check"])
    flagged = [line.split(" ")[1:3] for line in result.stdout.splitlines() if " CIO20" in line]
    assert ["CIO201", "Event"] in flagged and ["CIO203", "Property"] in flagged
    assert not any("`note_moved`" in line for line in result.stdout.splitlines())
    # ...and over the code: the plan's convention wins over detection, the configuration's
    # over the plan's
    write(project, CDP + "".join(track(n) for n in ["Note Created", "Note Shared", "note_moved"]))
    plan = load_plan(project / "tracking_plan")
    names = {f.message.split("`")[1] for f in lint(project, plan) if f.code == "CIO201"}
    assert names == set()  # all three are planned: CIO001/`plan check` territory
    plan_file.write_text("version: 1\nevents: {}\nnaming: {events: Title Case}\n")
    assert {f.message.split("`")[1] for f in lint(project, load_plan(plan_file.parent))} == {
        "note_moved"
    }
    assert {
        f.message.split("`")[1]
        for f in lint(project, load_plan(plan_file.parent), naming={"events": "snake_case"})
    } == {"Note Created", "Note Shared"}


def test_a_bad_naming_key_in_the_plan_is_a_plan_error(project: Path) -> None:
    (project / "tracking_plan").mkdir()
    (project / "tracking_plan" / "plan.yaml").write_text(
        "version: 1\nevents: {}\nnaming: {events: Title case}\n"
    )
    result = CliRunner().invoke(main, ["plan", "check"])
    assert result.exit_code == 2
    assert "tracking_plan/plan.yaml:3" in result.stderr


def test_the_metaschema_knows_every_convention() -> None:
    from importlib import resources

    from cio_lint.naming import CASE_NAMES

    schema = json.loads(
        resources.files("cio_lint.plan").joinpath("metaschema.json").read_text("utf-8")
    )
    assert schema["$defs"]["convention"]["enum"] == list(CASE_NAMES)


# --------------------------------------------------------------------------- robustness


def test_candidate_pairs_miss_no_pair_a_full_comparison_finds() -> None:
    """The deletion index compares far fewer pairs than all of them, and loses none."""
    import random

    from cio_lint.rules.similar import candidate_pairs

    rng = random.Random(14)
    words = ["order", "invite", "export", "entry", "note", "tip", "payment", "subscription"]
    verbs = ["completed", "sent", "downloaded", "created", "refunded", "shared", "started"]
    names = {f"{rng.choice(words)} {rng.choice(verbs)}".title() for _ in range(80)}
    for name in sorted(names)[:20]:  # typos, plurals, other spellings
        i = rng.randrange(1, len(name))
        names |= {name[:i] + name[i + 1 :], name.replace(" ", "s ", 1), name.lower()}
    names |= {"Entry Made", "Entries Made"}
    ordered = sorted(names)
    every = {
        (a, b)
        for i, a in enumerate(ordered)
        for b in ordered[i + 1 :]
        if near_duplicate(a, b) is not None
    }
    candidates = set(candidate_pairs(ordered))
    assert every <= candidates
    assert ("Entries Made", "Entry Made") in every
    assert len(candidates) < len(ordered) * (len(ordered) - 1) // 4


def test_names_in_other_scripts_fit_their_convention(project: Path) -> None:
    titles = ["Note Created", "Note Shared", "Note Deleted", "Café Opened", "Über Ordered"]
    write(project, "# -*- coding: utf-8 -*-\n" + CDP + "".join(track(n) for n in titles))
    assert lint(project) == []


def test_a_constant_outside_the_files_checked_is_reported_at_the_call(project: Path) -> None:
    """A pre-commit run of one view: the convention is that view's, the finding at its call."""
    (project / "events.py").write_text(
        "NOTE_CREATED = 'Note Created'\nNOTE_SHARED = 'Note Shared'\n"
        "NOTE_DELETED = 'Note Deleted'\nNOTE_MOVED = 'note_moved'\n"
    )
    write(
        project,
        CDP
        + "from events import NOTE_CREATED, NOTE_SHARED, NOTE_DELETED, NOTE_MOVED\n"
        + "".join(f"analytics.track('u1', {n})\n" for n in ("NOTE_CREATED", "NOTE_SHARED"))
        + "".join(f"analytics.track('u1', {n})\n" for n in ("NOTE_DELETED", "NOTE_MOVED")),
    )
    settings = Config(root=project, cache=False)
    result = lint_paths([project / "app.py"], settings, Plan.empty(project), jobs=1)
    found = [f for f in result.findings if f.code == "CIO201"]
    assert [(f.path, f.line) for f in found] == [("app.py", 6)]
    assert found[0].fix is not None  # the fix still edits the definition, as for CIO002
    assert [(e.path, e.line) for e in found[0].fix.edits] == [("events.py", 4)]
    whole = lint(project)
    assert [(f.path, f.line) for f in whole] == [("events.py", 4)]  # where it is written
    assert whole[0].fix is not None


def test_show_settings_says_there_is_no_plan(project: Path) -> None:
    (project / "pyproject.toml").write_text(
        '[tool.cio-lint]\nplan = false\nnaming = { events = "Title Case" }\n'
    )
    code, out, _ = run(".", "--show-settings")
    assert code == 0
    assert "plan = (none: --no-plan or plan = false)" in out.splitlines()
    assert "naming = {'events': 'Title Case'}" in out.splitlines()


def test_title_case_allows_small_words_inside_and_sdk_events_do_not_count(project: Path) -> None:
    names = ["Note Created", "Note Shared", "Note Deleted", "Added to Cart", "Logged in"]
    write(project, POSTHOG + "".join(f"posthog.capture({n!r}, distinct_id='u1')\n" for n in names))
    write(project, POSTHOG + "posthog.capture('$pageview', distinct_id='u1')\n", "views.py")
    assert [f.message.split(" (")[0] for f in lint(project)] == [
        "Event `Logged in` breaks the project's Title Case convention"
    ]


def test_selecting_only_plan_rules_without_a_plan_is_a_usage_error(project: Path) -> None:
    write(project, CDP + track("Note Created"))
    code, _, err = run(".", "--no-plan", "--select", "CIO001,CIO004")
    assert code == 2
    assert "without a plan only the plan-free rules run" in err
    assert len(err.strip().splitlines()) == 1
    code, _, _ = run(".", "--no-plan", "--select", "CIO0")  # CIO003, CIO011, CIO013
    assert code == 1  # CIO003: the code never identifies
