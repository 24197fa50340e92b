"""The linker's data: what a name refers to (``Ref``), emissions, resolved calls, wrappers,
and the pure functions over symbolic values that the linker's parts share."""

from __future__ import annotations

import builtins
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from cio_lint import sdks
from cio_lint.analysis.facts import CallFact, FileFacts
from cio_lint.analysis.syms import Sym, key
from cio_lint.model import (
    CallSite,
    Choice,
    DictVal,
    Known,
    Location,
    Unknown,
    Val,
    alternatives,
)

_BUILTINS = frozenset(dir(builtins))
_DATETIME_CALLS = frozenset(
    {
        "datetime.datetime",
        "datetime.datetime.now",
        "datetime.datetime.utcnow",
        "datetime.datetime.today",
        "datetime.datetime.fromtimestamp",
        "datetime.datetime.fromisoformat",
        "datetime.date",
        "datetime.date.today",
        "django.utils.timezone.now",
        "pendulum.now",
        "arrow.utcnow",
        "arrow.now",
    }
)
_STR_METHODS = frozenset(
    {
        "lower",
        "upper",
        "title",
        "strip",
        "capitalize",
        "casefold",
        "format",
        "isoformat",
        "strftime",
        "replace",
        "join",
        "rstrip",
        "lstrip",
    }
)
_PROPERTIES = ("property", "cached_attribute", "reify")  # name endings: ``django_cached_property``
_OBJECTS = frozenset({"ext_instance", "instance", "module", "class", "func", "ext_method", "ext"})
_PLAIN_TAGS = frozenset({"lit", "dict", "list", "unknown", "var", "dt"})
_ENUM_BASES = frozenset({"enum.Enum", "enum.StrEnum", "enum.IntEnum", "enum.Flag", "enum.IntFlag"})
_MAX_DEPTH = 30


@dataclass(frozen=True)
class Ref:
    """What a name or attribute refers to."""

    kind: str  # ext | ext_instance | ext_method | module | func | class | instance | value | enum_member
    name: str = ""
    mod: FileFacts | None = None
    sym: Sym | None = None
    bound: bool = False


@dataclass(frozen=True)
class MemberHolder:
    """A class member that holds a client (or is a wrapper method), for resolution by name."""

    where: str  # "module.Class.member"
    ref: Ref
    module: str
    cls: str


@dataclass(frozen=True)
class Emission:
    """An SDK call, possibly seen through wrappers, with its arguments still symbolic."""

    family: str
    method: str
    args: tuple[Sym, ...]
    kwargs: tuple[tuple[str | None, Sym], ...]
    via: tuple[str, ...] = ()  # wrapper qualnames, outermost first
    origin: tuple[str, int] | None = None  # (module, call id) of the SDK call itself
    error: str | None = None  # the call does not bind to the wrapper's signature
    # (module, call id) of the call inside each wrapper of ``via``, outermost first: the call
    # one hop below a call site is ``hops[0]`` (``analysis.dedupe``)
    hops: tuple[tuple[str, int], ...] = ()
    on_client: bool = False  # a method of a client instance, not a module-level function


@dataclass
class Resolved:
    """A resolved call at one place of the code, with what CIO003 needs."""

    call: CallSite
    fact: CallFact
    module: FileFacts
    user_key: Any
    emission: Emission
    inner: CallSite | None = None  # the wrapper-body view of the call, for de-duplication
    flow_only: bool = False  # through a wrapper that takes only the user from this call
    below: CallSite | None = None  # the view one hop below (the outermost wrapper's own call)


@dataclass
class WrapperInfo:
    module: str
    qualname: str
    params: tuple[str, ...]
    emissions: list[Emission] = field(default_factory=list)


def _untyped(ref: Ref) -> bool:
    """A value whose type cio-lint cannot know (a parameter, an unpacked local, an attribute
    of an object from another package): its members may be resolved by name."""
    if ref.kind == "value":
        return ref.sym is not None and ref.sym[0] in ("param", "var", "unknown", "sub")
    return ref.kind == "ext" and not _sdk_rooted(ref.name)


_SDK_TOPS = frozenset(sdks.TOP_LEVEL)


def _sdk_rooted(name: str) -> bool:
    return name.split(".", 1)[0] in _SDK_TOPS


def _enclosing_params(mod: FileFacts, qualname: str, outer: str) -> frozenset[str]:
    """The parameters of the functions between ``outer`` and the nested ``qualname``."""
    names: set[str] = set()
    scope = qualname.rsplit(".<locals>.", 1)[0]
    while scope != outer and ".<locals>." in scope:
        between = mod.functions.get(scope)
        if between is not None:
            names.update(p.name for p in between.params)
        scope = scope.rsplit(".<locals>.", 1)[0]
    return frozenset(names)


def _drop_params(emission: Emission, names: frozenset[str]) -> Emission:
    def drop(sym: Any) -> Any:
        if not isinstance(sym, tuple) or not sym:
            return sym
        if sym[0] == "param" and sym[1] in names:
            return ("unknown", "param", None)
        return tuple(drop(part) if isinstance(part, tuple) else part for part in sym)

    e = emission
    return Emission(
        e.family,
        e.method,
        tuple(drop(a) for a in e.args),
        tuple((k, drop(v)) for k, v in e.kwargs),
        e.via,
        e.origin,
        e.error,
        e.hops,
        e.on_client,
    )


def _site(module: str, sym: Sym) -> Sym:
    return ("in", module, sym, True)


def _instantiate(sym: Any, module: str, bindings: dict[str, Sym]) -> Any:
    """Substitute the wrapper's parameters in ``sym``; the result is in the caller's terms."""
    return ("in", module, _subst(sym, bindings), False)


def _subst(sym: Any, bindings: dict[str, Sym]) -> Any:
    if not isinstance(sym, tuple) or not sym:
        return sym
    tag = sym[0]
    if tag == "param":
        return bindings.get(sym[1], ("unknown", "param", None))
    if tag == "in":
        return ("in", sym[1], _subst(sym[2], bindings), False)
    return tuple(_subst(part, bindings) if isinstance(part, tuple) else part for part in sym)


def directly(test: Callable[[Any], bool]) -> Callable[[Any], bool]:
    """``test`` on the parts of a sym that can carry a statically known value: not under an
    attribute (``order.total`` of an argument is never known), except an Enum's ``.value`` and
    ``.name``."""

    def walk(sym: Any) -> bool:
        if not isinstance(sym, tuple) or not sym:
            return False
        if test(sym):
            return True
        if sym[0] == "attr" and sym[2] not in ("value", "name"):
            return False
        return any(walk(part) for part in sym if isinstance(part, tuple))

    return walk


def _site_marker(sym: Any) -> bool:
    return sym[0] == "in" and len(sym) > 3 and sym[3] is True


def _param_marker(sym: Any) -> bool:
    return bool(sym[0] == "param")


def _mentions_param(emission: Emission) -> bool:
    from cio_lint.analysis.syms import mentions

    return any(mentions(a, "param") for a in emission.args) or any(
        mentions(v, "param") for _, v in emission.kwargs
    )


def _from_param(value: Val) -> bool:
    """A value unknown only because it is a parameter of the function it is written in."""
    return isinstance(value, Unknown) and value.reason == "param"


def _leaves(value: Val) -> list[Val]:
    if isinstance(value, Choice):
        return [leaf for option in value.options for leaf in _leaves(option)]
    return [value]


def _truthiness(value: Val) -> bool | None:
    if isinstance(value, Known):
        return bool(value.value)
    if isinstance(value, DictVal):
        return True if value.items else (None if value.open else False)
    return None


def _with_loc(value: Val, loc: Location | None) -> Val:
    if loc is None:
        return value
    if isinstance(value, Known):
        return Known(value.value, loc, value.origin)
    if isinstance(value, Unknown):
        return Unknown(value.reason, loc)
    if isinstance(value, Choice):
        return Choice(value.options, loc)
    if isinstance(value, DictVal):
        return DictVal(value.items, value.open, loc)
    return value


def too_many_positional(takes: int, given: int) -> str:
    """Python's words for a call with too many positional arguments."""
    argument = "argument" if takes == 1 else "arguments"
    were = "was" if given == 1 else "were"
    return f"takes {takes} positional {argument} but {given} {were} given"


def _bind_signature(
    sig: sdks.Signature,
    args: tuple[Sym, ...],
    kwargs: tuple[tuple[str | None, Sym], ...],
    dict_keys: Callable[[Sym], DictVal | None],
) -> tuple[dict[str, Sym], list[Any], str | None]:
    """Bind like Python would: (param -> sym, extra ``**kwargs`` items, TypeError text or None)."""
    bound: dict[str, Sym] = {}
    extra: list[Any] = []
    complete = True
    for i, arg in enumerate(args):
        if arg[0] == "*":
            complete = False
            break
        if i >= len(sig.params):
            return (
                bound,
                extra,
                too_many_positional(len(sig.params), len(args)),
            )
        bound[sig.params[i]] = arg
    for name, value in kwargs:
        names: list[tuple[str, Sym]] = []
        if name is None:
            spread = dict_keys(value)
            if spread is None or spread.open:
                complete = False
                if sig.varkw is not None:
                    extra.append(("**", value))
                if spread is None:
                    continue
            for k, _, _ in spread.items:
                names.append((k, ("sub", value, ("lit", k, None, None), None)))
        else:
            names.append((name, value))
        for n, v in names:
            if n in bound:
                return bound, extra, f"got multiple values for argument `{n}`"
            if n in sig.params or n in sig.kwonly:
                bound[n] = v
            elif sig.varkw is not None:
                extra.append((("lit", n, None, v[-1] if isinstance(v[-1], tuple) else None), v))
            else:
                return bound, extra, f"got an unexpected keyword argument `{n}`"
    if complete:
        missing = [p for p in sig.required if p not in bound]
        if missing:
            return bound, extra, f"is missing a required argument: `{missing[0]}`"
    return bound, extra, None


_OUTCOMES: dict[sdks.Outcome, str] = {
    "raises": "it raises `TypeError`",
    "logged": "the SDK logs the error and drops the event",
}


def unbound_message(
    family: str, emission: Emission, variant: sdks.Variant, error: str | None
) -> str | None:
    """CIO013's message for a call that ``variant`` does not take (``error`` from
    ``_bind_signature``), or that it takes in a way the SDK's users do by mistake; None when
    the call is fine. It says what happens at run time, where the SDK says so."""
    fam = sdks.family(family)
    call = f"`{fam.label}.{emission.method}()`"
    if variant.removed:
        since = ".".join(str(p) for p in variant.since)
        error = f"does not exist in {fam.version_from} {since} and later (`AttributeError`)"
    elif error is None:
        if variant.id_as_event and _lone_id(emission):
            return variant.id_as_event
        return None
    else:
        error += f"; {_OUTCOMES[variant.outcome(emission.on_client)]}"
    if variant.hint:
        error += f" ({variant.hint})"
    return f"{call} {error}"


def without_keys(value: Val | None, keys: tuple[str, ...]) -> Val | None:
    """A properties dict without ``keys`` (the SDK's person-update keys)."""
    if not isinstance(value, DictVal) or not any(item[0] in keys for item in value.items):
        return value
    kept = tuple(item for item in value.items if item[0] not in keys)
    return DictVal(kept, value.open, value.loc)


def person_updates(value: Val | None, keys: tuple[str, ...]) -> tuple[Val, ...]:
    """The values of ``keys`` in a properties dict (``$set: {...}``), each branch's."""
    found: list[Val] = []
    for alt in alternatives(value) if value is not None else ():
        if isinstance(alt, DictVal):
            found.extend(v for k, v, _ in alt.items if k in keys)
    return tuple(found)


def _lone_id(emission: Emission) -> bool:
    """One positional argument, an id by its name (``user.id``, ``user_id``), nothing else
    passed for the user: ``posthog.capture(user.id)``."""
    if len(emission.args) != 1 or any(name in (None, "distinct_id") for name, _ in emission.kwargs):
        return False
    sym = emission.args[0]
    if sym[0] == "attr":
        name = sym[2]
    elif sym[0] in ("name", "param", "var"):
        name = sym[1]
    else:
        return False
    return isinstance(name, str) and (name in ("id", "pk", "uid") or name.endswith("_id"))


def user_key(sym: Sym | None) -> Any:
    """The user id expression in a comparable form: ``str(x)`` is ``x``, ``in`` wrappers dropped."""
    if sym is None:
        return None
    while True:
        if sym[0] == "in":
            sym = sym[2]
            continue
        if sym[0] == "call" and sym[1][0] == "name" and sym[1][1] == "str" and len(sym[2]) == 1:
            sym = sym[2][0]
            continue
        break
    if sym[0] == "lit" and sym[1] is None:
        return None
    return key(_strip_in(sym))


def _strip_in(sym: Any) -> Any:
    if not isinstance(sym, tuple) or not sym:
        return sym
    if sym[0] == "in":
        return _strip_in(sym[2])
    return tuple(_strip_in(p) if isinstance(p, tuple) else p for p in sym)


_is_site = directly(_site_marker)


content_param = directly(_param_marker)
