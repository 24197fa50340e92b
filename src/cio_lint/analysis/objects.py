"""Event objects: the roles of a message that live in an argument built by an SDK class.

Amplitude's ``track(event)`` takes ``BaseEvent(event_type, user_id=..., event_properties=...)``
and ``identify(identify_obj, event_options)`` takes ``Identify().set("plan", plan)`` and
``EventOptions(user_id=...)`` (``sdks.EventObject``). ``object_roles`` follows the argument's
sym to the constructor call that builds the object and binds that call to the class's
signature; the object may be built

- inline or in a local (the extractor inlines a local's value, and turns
  ``ident.set(k, v)`` / ``event.user_id = x`` statements on a local object of such a class into
  the chained call / keyword they amount to: ``extract.Extractor.mutation``);
- by a project helper that returns it (``def signed_up(user): return BaseEvent("Signed Up", ...)``),
  its parameters bound to the helper call's arguments;
- by a project subclass: ``SignedUp(user.id, plan)`` whose ``__init__`` calls
  ``super().__init__(event_type="Signed Up", ...)`` (or ``Base.__init__(self, ...)``), its
  parameters bound to the constructor call's arguments; a subclass without ``__init__`` is
  built with its base's signature;
- in a wrapper's parameter: the emission's ``("in", module, sym, site)`` wrappers are followed.

A builder method (``set``) chained on the object adds ``key: value`` to its role's dict. What
cannot be followed (a parameter, an object from elsewhere, a conditional) gives every role the
argument's own sym, which evaluates to what it is (unknown: a parameter, a runtime value).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cio_lint import sdks
from cio_lint.analysis.facts import CallFact, FileFacts
from cio_lint.analysis.refs import _bind_signature, _subst
from cio_lint.analysis.syms import Sym

if TYPE_CHECKING:
    from cio_lint.analysis.core import ProjectCore as Project

_MAX_HOPS = 8  # helpers and subclasses followed from one argument


class Built:
    """What an object argument gave: role -> sym (evaluable from the call's module), and the
    constructor's binding error, if any (``BaseEvent()`` without ``event_type``)."""

    def __init__(self, roles: dict[sdks.Role, Sym], error: str | None = None) -> None:
        self.roles = roles
        self.error = error


def object_roles(project: Project, sym: Sym | None, mod: FileFacts, obj: sdks.EventObject) -> Built:
    """The roles of ``obj`` in the argument ``sym``, written in ``mod``."""
    if sym is None:
        return Built({})
    frame: tuple[str, Any] | None = None  # the innermost ("in", module, _, site) around it
    current: FileFacts | None = mod
    setters: list[tuple[Any, Sym, tuple[str, Any] | None, sdks.Role]] = []

    def wrap(s: Sym, where: tuple[str, Any] | None) -> Sym:
        return s if where is None else ("in", where[0], s, where[1])

    original = sym
    for _ in range(_MAX_HOPS * 4):
        if current is None:
            break
        if sym[0] == "in":
            frame, current, sym = (sym[1], sym[3]), project.module(sym[1]), sym[2]
            continue
        if sym[0] != "call":
            break
        func, args, kwargs = sym[1], sym[2], sym[3]
        if func[0] == "attr" and func[2] in obj.builder:
            # a pair not written as ``(key, value)`` makes the dict open: keys not known
            pair = _key_value(args, kwargs) or ("**", ("unknown", "builder", None))
            setters.append((*pair, frame, obj.builder[func[2]]))
            sym = func[1]
            continue
        ref = project.resolve(func, current)
        if ref is None:
            break
        if ref.kind == "ext" and ref.name in obj.classes:
            bound, _, error = _bind_signature(obj.signature, args, kwargs, lambda _s: None)
            roles: dict[sdks.Role, Sym] = {
                role: wrap(bound[param], frame)
                for role, param in obj.roles.items()
                if param in bound
            }
            roles.update(_built_dicts(setters, sym))
            short = obj.classes[0].rsplit(".", 1)[-1]
            return Built(roles, f"`{short}()` {error}" if error else None)
        step = _through_project_code(project, ref, sym, current)
        if step is None:
            break
        sym = step  # an ``("in", module, ...)``: read in the module that defines it
    fallback = {role: original for role in obj.roles}
    fallback.update({role: original for role in obj.builder.values()})
    return Built(fallback)


def _key_value(
    args: tuple[Sym, ...], kwargs: tuple[tuple[str | None, Sym], ...]
) -> tuple[Sym, Sym] | None:
    """The ``(key, value)`` of a builder call, positional or by keyword."""
    named = dict(kwargs)
    key = args[0] if args else named.get("key")
    value = args[1] if len(args) > 1 else named.get("value")
    if key is None or value is None or key[0] == "*" or value[0] == "*":
        return None
    return key, value


def _built_dicts(
    setters: list[tuple[Any, Sym, tuple[str, Any] | None, sdks.Role]], sym: Sym
) -> dict[sdks.Role, Sym]:
    """Each builder role's ``key: value`` items, as a dict literal at the constructor."""
    out: dict[sdks.Role, list[tuple[Any, Sym]]] = {}
    for key, value, where, role in reversed(setters):  # in the order they run
        if key == "**":  # not a (key, value) pair: an unknown spread
            out.setdefault(role, []).append((key, value))
            continue
        if where is not None:
            key, value = ("in", where[0], key, where[1]), ("in", where[0], value, where[1])
        out.setdefault(role, []).append((key, value))
    loc = sym[-1] if isinstance(sym[-1], tuple) else None
    result: dict[sdks.Role, Sym] = {}
    for role, items in out.items():
        result[role] = ("dict", tuple(items), False, loc)
    return result


def _through_project_code(project: Project, ref: Any, sym: Sym, mod: FileFacts) -> Sym | None:
    """The sym that builds the object, one helper or subclass further: the helper's return, or
    the subclass's ``super().__init__(...)`` as a call of its base, with the parameters bound
    to ``sym``'s arguments and wrapped to be read in the defining module."""
    if ref.mod is None:
        return None
    fact = CallFact(-1, "", sym[1], sym[2], sym[3], sym[-1] or (0, 0, 0, 0), (), 0, False, "")
    if ref.kind == "func":
        func = project.function(ref)
        if func is None or len(func.returns) != 1:
            return None
        bindings = project._bind_params(func, ref.bound, fact, mod)
        if isinstance(bindings, str):
            return None
        return ("in", ref.mod.module, _subst(func.returns[0], bindings), False)
    if ref.kind != "class":
        return None
    cls = ref.mod.classes.get(ref.name)
    if cls is None or not cls.bases:
        return None
    init = cls.methods.get("__init__")
    if init is None:  # built with its base's constructor
        args = tuple(a if a[0] == "*" else ("in", mod.module, a, True) for a in sym[2])
        kwargs = tuple((k, ("in", mod.module, v, True)) for k, v in sym[3])
        return ("in", ref.mod.module, ("call", cls.bases[0], args, kwargs, sym[-1]), False)
    func = ref.mod.functions.get(init)
    if func is None:
        return None
    bindings = project._bind_params(func, True, fact, mod)
    if isinstance(bindings, str):
        return None
    calls = project._calls_by_id(ref.mod)
    for call_id in func.calls:
        call = calls.get(call_id)
        if call is None:
            continue
        base = _super_init(project, ref.mod, call, cls.bases)
        if base is None:
            continue
        args = (
            call.args if call.func[1][0] == "call" else call.args[1:]
        )  # ``Base.__init__(self, ...)``
        built = (
            "call",
            base,
            tuple(_subst(a, bindings) for a in args),
            tuple((k, _subst(v, bindings)) for k, v in call.kwargs),
            call.loc,
        )
        return ("in", ref.mod.module, built, False)
    return None


def _super_init(
    project: Project, mod: FileFacts, call: CallFact, bases: tuple[Sym, ...]
) -> Sym | None:
    """The base a ``super().__init__(...)`` / ``Base.__init__(self, ...)`` call constructs."""
    func = call.func
    if func[0] != "attr" or func[2] != "__init__":
        return None
    receiver = func[1]
    if receiver[0] == "call" and receiver[1][:2] == ("name", "super"):
        return bases[0]
    if not call.args or call.args[0][0] != "self":
        return None
    target = _identity(project.resolve(receiver, mod))
    for base in bases:
        if target is not None and _identity(project.resolve(base, mod)) == target:
            return base
    return None


def _identity(ref: Any) -> tuple[str, str, str | None] | None:
    if ref is None:
        return None
    return (ref.kind, ref.name, ref.mod.path if ref.mod is not None else None)
