"""`cio-lint plan generate`: name mangling, every real-world plan, recursive schemas
(issue 16 item 3; the command and the generated module: test_plan_generate.py)."""

from __future__ import annotations

import keyword
import textwrap
from pathlib import Path

import pytest
from realworld import realworld_sources as _realworld_sources

from cio_lint.plan import load_plan
from cio_lint.plan.generate import GenerateError, generate
from cio_lint.plan.names import Namespace, camel_case, snake_case
from cio_lint.sdks import GENERATE_TARGETS

# ---------------------------------------------------------------- every real-world plan


@pytest.mark.parametrize("source", _realworld_sources(), ids=lambda p: p.name)
def test_every_realworld_plan_generates_and_compiles(source: Path) -> None:
    plan = load_plan(source)
    for sdk, target in GENERATE_TARGETS.items():
        text = generate(plan, target)
        compile(text, f"{source.name}-{sdk}.py", "exec")
        functions = [line for line in text.splitlines() if line.startswith("def track_")]
        assert len(functions) == len(plan.events)
        assert len(set(functions)) == len(functions)
    try:
        compile(generate(plan, GENERATE_TARGETS["customerio"], validate=True), "v.py", "exec")
    except GenerateError as exc:  # only for a reference to another file of the plan
        assert "in another file of the plan" in str(exc)


# ---------------------------------------------------------------- name mangling


@pytest.mark.parametrize(
    ("name", "snake", "camel"),
    [
        ("Signed Up", "signed_up", "SignedUp"),
        ("user-signed-up", "user_signed_up", "UserSignedUp"),
        ("orderID", "order_id", "OrderID"),
        ("HTTPServer Hit", "http_server_hit", "HTTPServerHit"),
        ("$pageview", "pageview", "Pageview"),
        ("2fa", "_2fa", "_2fa"),
        ("class", "class_", "Class"),
        ("None", "none", "None_"),
        ("Über Clicked", "über_clicked", "ÜberClicked"),
        ("ﬁle opened", "file_opened", "FileOpened"),  # NFKC, as Python reads identifiers
        ("日本語", "日本語", "日本語"),
        ("!!!", "unnamed", "Unnamed"),
        ("a  --  b", "a_b", "AB"),
    ],
)
def test_mangling(name: str, snake: str, camel: str) -> None:
    assert (snake_case(name), camel_case(name)) == (snake, camel)
    for ident in (snake_case(name), camel_case(name)):
        assert ident.isidentifier() and not keyword.iskeyword(ident)


def test_collisions_are_numbered_in_order_and_skip_taken_names() -> None:
    names = Namespace({"client"})
    wanted = ["client", "a", "a", "a_2", "a", "b"]
    assert [names.claim(w) for w in wanted] == ["client_2", "a", "a_2", "a_2_2", "a_3", "b"]


RECURSIVE_PLAN = textwrap.dedent(
    """\
    version: 1
    events:
      Tree Saved:
        properties:
          root: {$ref: "#/$defs/node"}
          other: {$ref: "#/$defs/node"}
        required: [root]
    $defs:
      node:
        type: object
        properties:
          label: {type: string}
          left: {$ref: "#/$defs/node"}
          right: {$ref: "#/$defs/node"}
        required: [label]
    """
)


def _plan_file(tmp_path: Path) -> Path:
    path = tmp_path / "plan.yaml"
    path.write_text(RECURSIVE_PLAN)
    return path


def test_recursive_and_shared_schemas_give_one_class_each(tmp_path: Path) -> None:
    plan = load_plan(_plan_file(tmp_path))
    text = generate(plan, GENERATE_TARGETS["segment"])
    compile(text, "tree.py", "exec")
    # a tree of nodes: the nested copies are Any, not 2**32 classes; `other` reuses the class
    assert text.count("(TypedDict):") == 1
    assert "class TreeSavedRoot(TypedDict):\n    label: str\n    left: NotRequired[Any]" in text
    assert "other: TreeSavedRoot | _Omitted = OMITTED" in text
