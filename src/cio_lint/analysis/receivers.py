"""Calls that look like SDK calls but whose receiver the linker could not resolve (CIO902).

A call ``X.m(...)`` is reported when all of these hold:

- ``m`` is an SDK method name (``identify``, ``track``, ``page``, ``screen``, ``group``,
  ``alias``; ``track_anonymous`` of classic ``customerio``);
- the linker does not resolve it: ``Project.emissions_of`` gives no SDK call (directly or
  through a wrapper) and ``Project.classify`` finds nothing it calls (a project method or
  function, an external function): the answer is the linker's, so whatever it learns to
  resolve stops being reported here;
- the receiver ``X`` is of unknown type (``receiver_kind``): a parameter, a local of unknown
  value, an attribute chain through one, an attribute no visible code assigns (or assigns
  only ``None``), a subscript, the result of a project factory or property. A receiver known
  to be something else (an external module or object such as ``logging.getLogger()``, a
  project module, function or class, a literal) is never reported;
- the arguments bind to that SDK's signature with a plausible shape (``_plausible``: for
  ``track``, a user or anonymous id and an event that is not a non-string literal, and not a
  literal id followed by a computed event, the shape of an event bus's ``track(name, payload)``);
- the file imports an SDK, or a module holding a client (``client_holders``), at module level;
- no project class in view (defined in the file, or imported by it) has a method of that name
  (``_lookalike_in_view``): the receiver might be one of those.

Only calls with at least two arguments can qualify; trimming keeps every function with such a
call and every class defining such a method (``trim.SDK_METHOD_CALL``), so that the prefilter
does not change what is reported.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from cio_lint import sdks
from cio_lint.analysis.facts import CallFact, FileFacts
from cio_lint.analysis.link import Project, Ref, _bind_signature
from cio_lint.analysis.syms import Sym

METHODS = sdks.METHOD_NAMES

UNKNOWN, OTHER = "unknown", "other"
_MAX_DEPTH = 12
_SDK_TOPS = frozenset(sdks.TOP_LEVEL)


@dataclass(frozen=True)
class Unresolved:
    """A call reported by CIO902: where, and the receiver's text for the message."""

    module: FileFacts
    fact: CallFact
    receiver: str
    method: str


def unresolved_calls(
    project: Project, modules: Sequence[FileFacts], relevant: dict[str, set[str]]
) -> list[Unresolved]:
    """The CIO902 calls of ``modules`` (the target files)."""
    holders: dict[str, set[str]] | None = None
    packages: set[str] = set()
    out: list[Unresolved] = []
    for mod in modules:
        if mod.error is not None:
            continue
        candidates = [c for c in mod.calls if _candidate(c)]
        if not candidates:
            continue
        if holders is None:
            holders = client_holders(project, relevant)
            # every holder and each package above it (``from app import clients``)
            packages = {
                ".".join(m.split(".")[:i]) for m in holders for i in range(1, m.count(".") + 2)
            }
        if not _imports_client(project, mod, holders, packages):
            continue
        for fact in candidates:
            if project.emissions_of(fact, mod) or project.classify(fact, mod) is not None:
                continue
            receiver = fact.func[1]
            if receiver_kind(project, receiver, mod) != UNKNOWN or not _binds(project, fact):
                continue
            if not _lookalike_in_view(project, mod, fact.func[2]):
                out.append(Unresolved(mod, fact, _receiver_text(fact), fact.func[2]))
    return out


def _lookalike_in_view(project: Project, mod: FileFacts, method: str) -> bool:
    """A project class of this file, or one it imports (or an instance of one), defines a
    method of that name: the receiver may well be one of those, so the call is not reported
    (``Warehouse.track`` of a parameter typed with a project protocol)."""
    for cls in mod.classes.values():
        if method in cls.methods:
            return True
    for sym in mod.bindings.values():
        if sym[0] != "imp":
            continue
        ref = project.resolve(sym, mod)
        if ref is None or ref.kind not in ("class", "instance") or ref.mod is None:
            continue
        found = project.member(ref.mod, ref.name, method, True, 0)
        if found is not None and found.kind == "func":
            return True
    return False


def _candidate(fact: CallFact) -> bool:
    func = fact.func
    return func[0] == "attr" and func[2] in METHODS and len(fact.args) + len(fact.kwargs) >= 2


# --------------------------------------------------------------------------- the file


def client_holders(project: Project, relevant: dict[str, set[str]]) -> dict[str, set[str]]:
    """Among the relevant modules (``prefilter.relevant_modules``), those holding a client or
    an SDK module, with the names that hold one (a class counts when an attribute does)."""
    out: dict[str, set[str]] = {}
    for module, names in relevant.items():
        mod = project.modules.get(module)
        if mod is None:
            continue
        for name in names:
            if _holds_client(project, mod, name):
                out.setdefault(module, set()).add(name)
    return out


def _holds_client(project: Project, mod: FileFacts, name: str) -> bool:
    syms: list[Sym] = [("name", name, None)]
    cls = mod.classes.get(name)
    if cls is not None:
        syms += [("attr", ("name", name, None), a, None) for a in (*cls.attrs, *cls.inst_attrs)]
    for sym in syms:
        ref = project.resolve(sym, mod)
        if ref is not None and (ref.kind == "ext_instance" or _sdk_ext(ref)):
            return True
    return False


def _sdk_ext(ref: Ref) -> bool:
    return ref.kind == "ext" and (ref.name in sdks.FUNCTIONS or ref.name in sdks.API_MODULES)


def _imports_client(
    project: Project, mod: FileFacts, holders: dict[str, set[str]], packages: set[str]
) -> bool:
    """The file's module-level imports name an SDK package or a module holding a client."""
    for sym in mod.bindings.values():
        if sym[0] != "imp":
            continue
        qualname: str = sym[1]
        if qualname.split(".")[0] in _SDK_TOPS:
            ref = project.resolve(sym, mod)
            if ref is not None and ref.kind in ("ext", "ext_instance"):
                return True  # the SDK itself, not a project module shadowing it
        parent, _, last = qualname.rpartition(".")
        if last in holders.get(parent, ()):
            return True
        if qualname in packages:
            return True
    return False


# --------------------------------------------------------------------------- the receiver


def receiver_kind(project: Project, sym: Sym, mod: FileFacts, depth: int = 0) -> str:
    """``UNKNOWN`` when the receiver's type cannot be known, ``OTHER`` when it is known to be
    something that is not an SDK client (or cannot be decided: precision first)."""
    if depth > _MAX_DEPTH or not isinstance(sym, tuple) or not sym:
        return OTHER
    tag = sym[0]
    if tag == "in":
        target = project.module(sym[1])
        return OTHER if target is None else receiver_kind(project, sym[2], target, depth + 1)
    if tag in ("param", "var", "unknown", "sub"):
        return UNKNOWN
    if tag == "lit":
        return UNKNOWN if sym[1] is None else OTHER  # ``None`` here: assigned elsewhere
    if tag == "cond":
        return _any_unknown(project, sym[1], mod, depth)
    if tag == "or":
        return _any_unknown(project, (sym[1], sym[2]), mod, depth)
    if tag == "call":
        return _call_kind(project, sym, mod, depth)
    if tag not in ("name", "imp", "self", "attr"):
        return OTHER  # dicts, lists, datetimes
    ref = project.resolve(sym, mod)
    if ref is not None:
        return _ref_kind(project, ref, depth)
    if tag != "attr":
        return UNKNOWN  # a name no visible code binds
    base = project.resolve(sym[1], mod)
    if base is None:
        return receiver_kind(project, sym[1], mod, depth + 1)
    if base.kind in ("instance", "class") and base.mod is not None:
        found = _member_value(project, base.mod, base.name, sym[2], depth + 1)
        if found is not None:
            return receiver_kind(project, found[0], found[1], depth + 1)
        return OTHER if sym[2] in base.mod.dropped else UNKNOWN
    if base.kind == "value" and base.mod is not None and base.sym is not None:
        inner = receiver_kind(project, base.sym, base.mod, depth + 1)
        return OTHER if inner == OTHER else UNKNOWN
    if base.kind == "module":
        return UNKNOWN  # a module attribute no visible code assigns
    return OTHER


def _any_unknown(project: Project, options: Iterable[Sym], mod: FileFacts, depth: int) -> str:
    """A conditional value: unknown if any branch but ``None`` is (``None`` branches alone:
    assigned elsewhere)."""
    kinds = [
        receiver_kind(project, o, mod, depth + 1)
        for o in options
        if not (o[0] == "lit" and o[1] is None)
    ]
    return OTHER if kinds and all(k == OTHER for k in kinds) else UNKNOWN


def _call_kind(project: Project, sym: Sym, mod: FileFacts, depth: int) -> str:
    func = project.resolve(sym[1], mod)
    if func is None:
        callee = receiver_kind(project, sym[1], mod, depth + 1) if sym[1][0] == "attr" else UNKNOWN
        return OTHER if callee == OTHER else UNKNOWN
    if func.kind == "class":
        return _ref_kind(project, Ref("instance", func.name, func.mod), depth)
    if func.kind == "func":
        return UNKNOWN  # a project factory: its result is not followed
    if func.kind == "ext" and func.name in sdks.CLIENTS:
        return UNKNOWN  # a client after all (``Client(...).track`` the linker did not see)
    return OTHER


def _ref_kind(project: Project, ref: Ref, depth: int) -> str:
    if ref.kind == "value" and ref.mod is not None and ref.sym is not None:
        return receiver_kind(project, ref.sym, ref.mod, depth + 1)
    if ref.kind == "func" and ref.mod is not None:
        func = ref.mod.functions.get(ref.name)
        if func is not None and any(d.endswith("property") for d in func.decorators):
            return UNKNOWN  # a property's value is not followed
        return OTHER
    if ref.kind == "instance" and ref.mod is not None:
        # A project class without that method: a client only if it subclasses one.
        return UNKNOWN if _subclasses_client(project, ref.mod, ref.name, depth + 1) else OTHER
    return OTHER  # external modules and objects, project modules, functions, classes


def _subclasses_client(project: Project, mod: FileFacts, clsname: str, depth: int) -> bool:
    cls = mod.classes.get(clsname)
    if cls is None or depth > _MAX_DEPTH:
        return False
    for base in cls.bases:
        ref = project.resolve(base, mod)
        if ref is None:
            continue
        if ref.kind == "ext" and ref.name in sdks.CLIENTS:
            return True
        if (
            ref.kind == "class"
            and ref.mod is not None
            and _subclasses_client(project, ref.mod, ref.name, depth + 1)
        ):
            return True
    return False


def _member_value(
    project: Project, mod: FileFacts, clsname: str, attr: str, depth: int
) -> tuple[Sym, FileFacts] | None:
    """The value assigned to a class's attribute (class body or ``self.x = ...``), through its
    project base classes."""
    cls = mod.classes.get(clsname)
    if cls is None or depth > _MAX_DEPTH:
        return None
    for table in (cls.attrs, cls.inst_attrs):
        if attr in table:
            return table[attr], mod
    for base in cls.bases:
        ref = project.resolve(base, mod)
        if ref is not None and ref.kind == "class" and ref.mod is not None:
            found = _member_value(project, ref.mod, ref.name, attr, depth + 1)
            if found is not None:
                return found
    return None


# --------------------------------------------------------------------------- the arguments


def _binds(project: Project, fact: CallFact) -> bool:
    """The arguments bind to one of the SDKs' signatures for this method, plausibly."""
    for family, method in sdks.METHODS_NAMED.get(fact.func[2], ()):
        sig = project.variants[(family, method.name)].signature
        bound, extra, error = _bind_signature(sig, fact.args, fact.kwargs, lambda _s: None)
        if error is None and _plausible(method, sig, bound, len(extra)):
            return True
    return False


def _plausible(method: sdks.Method, sig: sdks.Signature, bound: dict[str, Sym], extra: int) -> bool:
    """The arguments that carry the message are there: an identity, and the event, traits or
    name the method sends, none of them a literal of the wrong type."""

    def arg(role: sdks.Role) -> Sym | None:
        param = method.roles.get(role)
        return bound.get(param) if param is not None else None

    def given(role: sdks.Role) -> bool:
        """Passed, and able to be a dict (the extra keywords, when the role takes them)."""
        param = method.roles.get(role)
        if param is not None and param == sig.varkw:
            return extra > 0
        return param in bound and _dictish(bound[param])

    user, anon = arg("user_id"), arg("anonymous_id")
    ident = _present(user) or _present(anon)
    kind = method.kind
    if kind == "track":
        event = arg("event")
        who = user if "user_id" in method.roles else anon
        if _str_literal(who) and not _str_literal(event):
            return False  # ``bus.track("shipment.dispatched", shipment.id)``: name, then payload
        return ident and _text(event) and _dictish(arg("properties"))
    if kind == "identify":
        return ident and given("traits")
    if kind in ("page", "screen"):
        named = _text(arg("event")) or given("properties")
        return ident and named and _dictish(arg("properties"))
    if kind == "group":
        return ident and _id(arg("group_id")) and _dictish(arg("traits"))
    if kind == "alias":
        return _id(arg("previous_id")) and _id(user)
    return False


def _present(sym: Sym | None) -> bool:
    return sym is not None and not (sym[0] == "lit" and sym[1] is None)


def _str_literal(sym: Sym | None) -> bool:
    return sym is not None and sym[0] == "lit" and isinstance(sym[1], str)


def _text(sym: Sym | None) -> bool:
    """A value that can be an event name: not absent, not a non-string literal or container."""
    if not _present(sym):
        return False
    assert sym is not None
    return not (sym[0] == "lit" and not isinstance(sym[1], str)) and sym[0] not in ("dict", "list")


def _id(sym: Sym | None) -> bool:
    return _present(sym) and sym is not None and sym[0] not in ("dict", "list")


def _dictish(sym: Sym | None) -> bool:
    """Absent, or a value that can be a dict."""
    return sym is None or sym[0] not in ("lit", "list")


# --------------------------------------------------------------------------- the message


def _receiver_text(fact: CallFact) -> str:
    """The receiver as written: the call's text up to where the receiver expression ends."""
    receiver = fact.func[1]
    where = receiver[-1] if isinstance(receiver[-1], tuple) and len(receiver[-1]) == 4 else None
    line, column = fact.loc[0], fact.loc[1]
    text = ""
    if where is not None and (where[0], where[1]) == (line, column):
        lines = fact.snippet.split("\n")
        offset = where[2] - line
        if 0 <= offset < len(lines):
            if offset == 0:
                text = lines[0][: where[3] - column]
            else:
                text = "\n".join([*lines[:offset], lines[offset][: where[3] - 1]])
    text = " ".join(text.split())
    if not text:
        text = fact.snippet.split("(", 1)[0].rpartition(".")[0].strip() or "..."
    return text if len(text) <= 60 else text[:57] + "..."
