"""Link the FileFacts of a project: resolve names across modules, infer wrappers, resolve calls.

Resolution follows imports with the semantics of libcst's ``QualifiedNameProvider`` restricted to
import-sourced names: a parameter or local called ``analytics`` is never the SDK, and an absolute
import resolves into the scanned tree when the tree has that top-level module.

Wrappers are found to a fixed point: a project function whose SDK call (or call of another
wrapper) takes a value from its own parameters *emits* that call. An emission is kept
symbolically (arguments as syms over the wrapper's parameters); at a call site the parameters are
substituted by the call's arguments, each wrapped in ``("in", module, sym, site)`` so that it is
evaluated in the module where it was written. The same substitution gives CIO003 the user id of a
wrapper call in the caller's own terms.
"""

from __future__ import annotations

import builtins
import contextlib
import dataclasses
import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from cio_lint.analysis import sdk, values
from cio_lint.analysis.dedupe import below_view
from cio_lint.analysis.facts import CallFact, FileFacts, FuncFacts
from cio_lint.analysis.roots import ImportRoots
from cio_lint.analysis.syms import Sym, key
from cio_lint.model import (
    CallSite,
    Choice,
    DictVal,
    Known,
    Location,
    Origin,
    Unknown,
    Val,
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
    {"lower", "upper", "title", "strip", "capitalize", "casefold", "format", "isoformat",
     "strftime", "replace", "join", "rstrip", "lstrip"}
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


class Project:
    """All FileFacts of the scanned tree, linked lazily."""

    def __init__(
        self,
        modules: dict[str, FileFacts],
        module_index: dict[str, str] | None = None,
        loader: Callable[[str], FileFacts | None] | None = None,
        classic_version: tuple[int, ...] = (99,),
        declared_wrappers: dict[str, dict[str, Any]] | None = None,
    ) -> None:
        self.modules = dict(modules)
        self.module_index = dict(module_index or {name: m.path for name, m in modules.items()})
        self.loader = loader
        self.top_level = {name.split(".")[0] for name in self.module_index}
        self.roots: ImportRoots | None = None  # several import roots (``analysis.roots``)
        self.classic = sdk.classic_signatures(classic_version)
        self.segment = sdk.segment_signatures()
        self.declared = declared_wrappers or {}
        self._classified: dict[tuple[str, int], Ref | None] = {}
        self._by_id: dict[str, dict[int, CallFact]] = {}
        self._in_progress: set[tuple[str, str]] = set()
        self._declared_done = False
        self._declared_seen: set[str] = set()
        self.declaration_errors: list[str] = []
        self.wrappers: dict[tuple[str, str], WrapperInfo | None] = {}
        self.allow_load = True
        self._packages: set[str] | None = None
        self.helpers = values.Helpers()  # helper calls evaluated from their returns
        # whole (untrimmed) facts of a module, for a helper function trimming left out
        self.load_whole: Callable[[str], FileFacts | None] | None = None
        self._scope: tuple[FileFacts, str] | None = None  # the function whose parameters are typed
        self._returned_memo: dict[tuple[str, str], Ref | None] = {}
        self._nested_memo: dict[str, dict[str, list[FuncFacts]]] = {}
        self._external: dict[tuple[str, str], Sym] | None = None
        self._members: dict[str, list[MemberHolder]] | None = None  # member name -> holders
        self._by_name: str | None = None  # set when a resolution went by member name
        self.by_member_name: dict[tuple[str, int, int], str] = {}  # call (path, line, col) -> member

    @contextlib.contextmanager
    def no_loading(self) -> Iterator[None]:
        previous, self.allow_load = self.allow_load, False
        try:
            yield
        finally:
            self.allow_load = previous

    def forget_derived(self) -> None:
        """After more modules were extracted: classifications and wrapper facts may change."""
        self._classified.clear()
        self._by_id.clear()
        self.helpers.memo.clear()
        self._returned_memo.clear()
        self._nested_memo.clear()
        self._external = None
        self._members = None
        self.by_member_name.clear()
        self.wrappers = {k: v for k, v in self.wrappers.items() if v is not None and v.qualname.startswith("declared:")}

    # ------------------------------------------------------------------ modules
    def module(self, name: str) -> FileFacts | None:
        found = self.modules.get(name)
        if found is None and self.allow_load and name in self.module_index and self.loader is not None:
            found = self.loader(name)
            if found is not None:
                self.modules[name] = found
        return found

    # ------------------------------------------------------------------ names
    def resolve(self, sym: Sym, mod: FileFacts, depth: int = 0) -> Ref | None:
        if depth > _MAX_DEPTH:
            return None
        tag = sym[0]
        if tag == "in":
            target = self.module(sym[1])
            return self.resolve(sym[2], target, depth + 1) if target else None
        if tag == "imp":
            return self.resolve_qualname(sym[1], depth + 1, mod)
        if tag == "name":
            return self.lookup(mod, sym[1], depth + 1, allow_builtins=True)
        if tag == "self":
            return Ref("instance", sym[1], mod)
        if tag == "attr":
            base = self.resolve(sym[1], mod, depth + 1)
            if base is not None and not _untyped(base):
                return self.attribute(base, sym[2], depth + 1)
            found = self.attribute(base, sym[2], depth + 1) if base is not None else None
            if found is None or (base is not None and base.kind == "ext"):
                return self._member_by_name(sym[2], depth) or found
            return found
        if tag == "call":
            func = self.resolve(sym[1], mod, depth + 1)
            if func is None:
                return None
            if func.kind == "class":
                return Ref("instance", func.name, func.mod)
            if func.kind == "ext" and func.name in sdk.SDK_CLIENTS:
                return Ref("ext_instance", func.name)
            if func.kind == "func":
                return self.returned(func, depth + 1)
            return None
        if tag in ("cond", "or"):
            # a union of values (``None`` until configured, then a client): the object among them
            for option in sym[1] if tag == "cond" else sym[1:3]:
                if option[0] not in _PLAIN_TAGS:
                    found = self.resolve(option, mod, depth + 1)
                    if found is not None and found.kind in _OBJECTS:
                        return found
            return Ref("value", mod=mod, sym=sym)
        if tag == "param":
            typed = self._param_type(mod, sym[1])
            if typed is not None:
                found = self.resolve(typed, mod, depth + 1)
                if found is not None and found.kind in _OBJECTS:
                    return found
        return Ref("value", mod=mod, sym=sym)

    def _param_type(self, mod: FileFacts, name: str) -> Sym | None:
        """The annotation (or default) of parameter ``name`` of the function being classified,
        or of a function enclosing it (a closure or lambda sees its parameters)."""
        if self._scope is None or self._scope[0] is not mod:
            return None
        scope = self._scope[1]
        while scope:
            func = mod.functions.get(scope)
            if func is not None:
                for param in func.params:
                    if param.name == name:
                        if param.annotation is not None:
                            return param.annotation
                        default = param.default
                        return default if default is not None and default[0] not in _PLAIN_TAGS else None
            if ".<locals>." not in scope:
                return None
            scope = scope.rsplit(".<locals>.", 1)[0]
        return None

    def returned(self, ref: Ref, depth: int = 0) -> Ref | None:
        """What a function, method, property or factory returns, when it is an object (a client,
        an SDK module, a project instance): its ``return`` values, else its return annotation.
        ``functools.lru_cache``/``cache``-wrapped factories return what the function does."""
        if ref.mod is None or depth > _MAX_DEPTH:
            return None
        memo_key = (ref.mod.module, ref.name)
        if memo_key in self._returned_memo:
            return self._returned_memo[memo_key]
        func = ref.mod.functions.get(ref.name)
        if func is None:
            return None
        self._returned_memo[memo_key] = None  # recursion: nothing
        found: Ref | None = None
        saved, self._scope = self._scope, (ref.mod, func.qualname)
        try:
            for value in [*func.returns, *([func.return_type] if func.return_type is not None else [])]:
                if value[0] in _PLAIN_TAGS:
                    continue
                got = self.resolve(value, ref.mod, depth + 1)
                if got is not None and got.kind in _OBJECTS:
                    found = got
                    break
        finally:
            self._scope = saved
        self._returned_memo[memo_key] = found
        return found

    def external_attrs(self) -> dict[tuple[str, str], Sym]:
        """(module, name) -> what other modules assign to it (``tracking.client = Client()`` in
        an app factory), as one union in the assigning modules' terms; over the modules loaded
        so far, without loading more."""
        if self._external is not None:
            return self._external
        self._external = {}
        found: dict[tuple[str, str], Sym] = {}
        for mod in list(self.modules.values()):
            for base, attr, value in mod.attr_assigns:
                target = self._module_named(base, mod)
                if target is None:
                    continue
                value = ("in", mod.module, value, False)
                current = found.get((target, attr))
                found[(target, attr)] = value if current is None else ("cond", (current, value), None)
        self._external = found
        return found

    def _module_named(self, sym: Sym, mod: FileFacts) -> str | None:
        """The scanned module ``sym`` names (an import, or a name bound to one), if any."""
        if sym[0] == "name" and sym[1] in mod.bindings:
            sym = mod.bindings[sym[1]]
        if sym[0] == "attr":
            base = self._module_named(sym[1], mod)
            name = f"{base}.{sym[2]}" if base is not None else None
            return name if name is not None and name in self.module_index else None
        if sym[0] == "imp":
            name = self.internal(sym[1], mod)
            return name if name is not None and name in self.module_index else None
        return None

    # ------------------------------------------------------------------ members by name
    def _member_by_name(self, attr: str, depth: int) -> Ref | None:
        """A member of an object whose type is not known (``request.tenant.settings.client``):
        resolved when exactly one class of the scanned code defines a member of that name that
        holds a client, or a method of that name that is a wrapper."""
        members = self.client_members()
        holders = members.get(attr)
        if holders is None or len(holders) != 1 or depth > _MAX_DEPTH:
            return None
        self._by_name = holders[0].where
        return holders[0].ref

    def client_members(self) -> dict[str, list[MemberHolder]]:
        """Member name -> the classes (``module.Class.member``) whose member of that name holds a
        client or an SDK module (attribute, instance attribute, property, method returning
        one), or is a wrapper method; over the modules loaded so far."""
        if self._members is not None:
            return self._members
        self._members = {}  # while building: no resolution by member name
        found: dict[str, list[MemberHolder]] = {}
        defined: dict[str, int] = {}  # how many classes define a member of that name at all
        for mod in list(self.modules.values()):
            for clsname, cls in mod.classes.items():
                for attr in {*cls.attrs, *cls.inst_attrs, *cls.methods}:
                    defined[attr] = defined.get(attr, 0) + 1
                    ref = self.member(mod, clsname, attr, True, 1)
                    if ref is None:
                        continue
                    holds = ref.kind == "ext_instance" or (ref.kind == "ext" and _sdk_rooted(ref.name))
                    if not holds and ref.kind == "func" and ref.mod is not None:
                        holds = self.wrapper(ref.mod, ref.name) is not None
                    if holds:
                        found.setdefault(attr, []).append(
                            MemberHolder(f"{mod.module}.{clsname}.{attr}", ref, mod.module, clsname)
                        )
        for attr, holders in found.items():
            if defined[attr] > len(holders):
                # another class defines a member of that name that holds no client: ambiguous
                holders.append(MemberHolder("", Ref("value"), "", ""))
        self._members = found
        # what was classified while building saw no member by name: classify it again
        self._classified.clear()
        self._returned_memo.clear()
        self.wrappers = {k: v for k, v in self.wrappers.items() if v is not None and v.qualname.startswith("declared:")}
        return found

    def resolve_qualname(
        self, qualname: str, depth: int = 0, importer: FileFacts | None = None
    ) -> Ref | None:
        found = self.internal(qualname, importer)
        if found is None:
            return Ref("ext", qualname)
        parts = found.split(".")
        for i in range(len(parts), 0, -1):
            name = ".".join(parts[:i])
            if name not in self.module_index:
                continue
            target = self.module(name)
            if target is None and not self._has_submodules(name):
                return None
            # A package that was not extracted (nothing in it can matter) still leads to its
            # submodules: ``import app.pkg.mid`` then ``app.pkg.mid.send(...)``.
            ref: Ref | None = Ref("module", name, target)
            for attr in parts[i:]:
                ref = self.attribute(ref, attr, depth + 1) if ref is not None else None
            return ref
        return None

    def internal(self, qualname: str, importer: FileFacts | None) -> str | None:
        """The module key an absolute import of ``qualname`` in ``importer`` names (None: not
        the scanned code): per import root when the scan has several (``analysis.roots``)."""
        if self.roots is not None and importer is not None:
            return self.roots.qualify(qualname, importer.module)
        return qualname if qualname.split(".")[0] in self.top_level else None

    def _has_submodules(self, name: str) -> bool:
        found = self._packages
        if found is None:
            found = self._packages = {m.rsplit(".", 1)[0] for m in self.module_index if "." in m}
        return name in found

    def lookup(self, mod: FileFacts, name: str, depth: int, allow_builtins: bool = False) -> Ref | None:
        if depth > _MAX_DEPTH:
            return None
        bound = mod.bindings.get(name)
        external = self.external_attrs().get((mod.module, name))
        if external is not None:
            # assigned from another module too: every assignment counts
            bound = external if bound is None else ("cond", (bound, external), None)
        if bound is not None:
            if bound[0] in ("imp", "name", "attr", "call", "self", "in", "cond", "or"):
                ref = self.resolve(bound, mod, depth + 1)
                if ref is not None or bound[0] != "call":
                    return ref
                return Ref("value", mod=mod, sym=bound)
            return Ref("value", mod=mod, sym=bound)
        if name in mod.functions:
            return Ref("func", name, mod)
        if name in mod.classes:
            return Ref("class", name, mod)
        for star in mod.star_imports:
            internal = self.internal(star, mod)
            target = self.module(internal) if internal is not None else None
            if target is not None and target is not mod:
                found = self.lookup(target, name, depth + 1)
                if found is not None:
                    return found
            elif target is None and internal is None:
                if star in sdk.SEGMENT_MODULES and name in sdk.SEGMENT_SIGNATURES:
                    return Ref("ext", f"{star}.{name}")
        if allow_builtins and name in _BUILTINS:
            return Ref("ext", f"builtins.{name}")
        return None

    def attribute(self, base: Ref, attr: str, depth: int) -> Ref | None:
        kind = base.kind
        if kind == "ext":
            return Ref("ext", f"{base.name}.{attr}")
        if kind == "module":
            if base.mod is not None:
                found = self.lookup(base.mod, attr, depth + 1)
                if found is not None:
                    return found
            sub = f"{base.name}.{attr}"
            if sub in self.module_index:
                target = self.module(sub)
                if target is not None or self._has_submodules(sub):
                    return Ref("module", sub, target)
            return None
        if kind in ("class", "instance"):
            assert base.mod is not None
            return self.member(base.mod, base.name, attr, kind == "instance", depth + 1)
        if kind == "ext_instance":
            return Ref("ext_method", f"{base.name}.{attr}")
        if kind == "enum_member":
            if attr == "value":
                return Ref("value", mod=base.mod, sym=base.sym)
            if attr == "name":
                return Ref("value", mod=base.mod, sym=("lit", base.name.rsplit(".", 1)[-1], None, None))
        return None

    def member(self, mod: FileFacts, clsname: str, attr: str, instance: bool, depth: int) -> Ref | None:
        if depth > _MAX_DEPTH:
            return None
        cls = mod.classes.get(clsname)
        if cls is None:
            return None
        if attr in cls.methods:
            qual = cls.methods[attr]
            func = mod.functions[qual]
            if instance and any(d.endswith(_PROPERTIES) for d in func.decorators):
                # ``@property`` / ``functools.cached_property`` / Django's ``cached_property``
                return self.returned(Ref("func", qual, mod), depth + 1) or Ref(
                    "value", mod=mod, sym=("unknown", "property", None)
                )
            static = "staticmethod" in func.decorators
            bound = (instance and not static) or "classmethod" in func.decorators
            return Ref("func", qual, mod, bound=bound)
        if attr in cls.attrs:
            value = cls.attrs[attr]
            if self.is_enum(mod, clsname, depth + 1):
                return Ref("enum_member", f"{clsname}.{attr}", mod, sym=value)
            return self._sym_ref(value, mod, depth)
        if instance and attr in cls.inst_attrs:
            return self._sym_ref(cls.inst_attrs[attr], mod, depth)
        nested = f"{clsname}.{attr}"
        if nested in mod.classes:
            return Ref("class", nested, mod)
        for base in cls.bases:
            ref = self.resolve(base, mod, depth + 1)
            if ref is not None and ref.kind == "class" and ref.mod is not None:
                found = self.member(ref.mod, ref.name, attr, instance, depth + 1)
                if found is not None:
                    return found
        return None

    def _sym_ref(self, value: Sym, mod: FileFacts, depth: int) -> Ref | None:
        if value[0] in ("imp", "name", "attr", "call", "self", "cond", "or"):
            ref = self.resolve(value, mod, depth + 1)
            return ref if ref is not None else Ref("value", mod=mod, sym=value)
        return Ref("value", mod=mod, sym=value)

    def is_enum(self, mod: FileFacts, clsname: str, depth: int = 0) -> bool:
        cls = mod.classes.get(clsname)
        if cls is None or depth > _MAX_DEPTH:
            return False
        for base in cls.bases:
            ref = self.resolve(base, mod, depth + 1)
            if ref is None:
                continue
            if ref.kind == "ext" and (ref.name in _ENUM_BASES or ref.name.endswith("Enum")):
                return True
            if ref.kind == "class" and ref.mod is not None and self.is_enum(ref.mod, ref.name, depth + 1):
                return True
        return False

    # ------------------------------------------------------------------ values
    def value(self, sym: Sym | None, mod: FileFacts, local: bool, depth: int = 0) -> Val:
        """Evaluate ``sym`` written in ``mod``; ``local`` keeps source locations (call-site file)."""
        if sym is None:
            return Unknown("absent")
        loc = self._loc(sym, mod, local)
        if depth > _MAX_DEPTH:
            return Unknown("too deep", loc)
        tag = sym[0]
        if tag == "lit":
            origin = None
            if isinstance(sym[1], str) and sym[2] is not None and isinstance(sym[3], tuple):
                line, column, end_line, end_column = sym[3]
                origin = Origin(mod.path, line, column, end_line, end_column, sym[2][0], sym[2][1])
            return Known(sym[1], loc, origin)
        if tag == "in":
            target = self.module(sym[1])
            if target is None:
                return Unknown("unresolved", loc)
            # Call-site arguments keep their locations; a wrapper's own code does not.
            return self.value(sym[2], target, bool(sym[3]), depth + 1)
        if tag == "dict":
            return self._dict(sym, mod, local, depth, loc)
        if tag == "list":
            elements = [self.value(e, mod, local, depth + 1) for e in sym[1]]
            if all(isinstance(e, Known) for e in elements):
                return Known([e.value for e in elements], loc)  # type: ignore[union-attr]
            return Unknown("list", loc)
        if tag == "cond":
            return Choice(tuple(self.value(o, mod, local, depth + 1) for o in sym[1]), loc)
        if tag == "or":
            left = self.value(sym[1], mod, local, depth + 1)
            truthy = _truthiness(left)
            if truthy is True:
                return left
            right = self.value(sym[2], mod, local, depth + 1)
            return right if truthy is False else Choice((left, right), loc)
        if tag in ("fstr", "fmt", "binop"):
            return values.evaluate(self, sym, mod, local, depth, loc)
        if tag == "val":
            return sym[1]  # type: ignore[no-any-return]
        if tag == "param":
            return Unknown("param", loc)
        if tag == "var":
            return Unknown("runtime", loc)
        if tag == "unknown":
            return Unknown(sym[1], loc)
        if tag == "sub":
            base = self.value(sym[1], mod, local, depth + 1)
            index = self.value(sym[2], mod, local, depth + 1)
            if isinstance(base, DictVal) and isinstance(index, Known) and isinstance(index.value, str):
                found = base.get(index.value)
                if found is not None:
                    return _with_loc(found, loc)
            if isinstance(base, Known) and isinstance(index, Known):
                try:
                    return Known(base.value[index.value], loc)
                except Exception:
                    pass
            return Unknown("subscript", loc)
        if tag == "call":
            special = self._call_value(sym, mod, local, depth, loc)
            if special is not None:
                return special
        ref = self.resolve(sym, mod, depth + 1)
        if ref is None:
            if tag == "attr" and sym[2] in ("value", "name") and sym[1][0] in ("param", "in"):
                # ``event.value`` of a parameter: known at the call sites, which are checked
                if _from_param(self.value(sym[1], mod, local, depth + 1)):
                    return Unknown("param", loc)
            return Unknown(self._why_unknown(sym, mod), loc)
        if ref.kind in ("value", "enum_member") and ref.mod is not None and ref.sym is not None:
            # A constant is reported where it is used; its definition keeps only the origin
            # of its literal, for fixes.
            return _with_loc(self.value(ref.sym, ref.mod, False, depth + 1), loc)
        return Unknown("unresolved", loc)

    def _why_unknown(self, sym: Sym, mod: FileFacts) -> str:
        """"unresolved" when the name comes from code cio-lint cannot see, else "runtime"."""
        root = sym
        while root[0] in ("attr", "sub", "call", "in"):
            root = root[2] if root[0] == "in" else root[1]
        if root[0] in ("name", "imp"):
            ref = self.resolve(root, mod)
            if ref is None or ref.kind in ("ext", "module"):
                return "unresolved"
        return "runtime"

    def _loc(self, sym: Sym, mod: FileFacts, local: bool) -> Location | None:
        raw = sym[-1]
        if not local or not isinstance(raw, tuple) or len(raw) != 4:
            return None
        return Location(mod.path, *raw)

    def _dict(self, sym: Sym, mod: FileFacts, local: bool, depth: int, loc: Location | None) -> Val:
        items: list[tuple[str, Val, Location | None]] = []
        is_open = bool(sym[2])
        for item in sym[1]:
            if item[0] == "**":
                inner = self.value(item[1], mod, local, depth + 1)
                options = [o for o in _leaves(inner)]
                if options and all(isinstance(o, DictVal) for o in options):
                    # ``**(a if c else b)``: keys that may be present, from every branch
                    for option in options:
                        items.extend(option.items)  # type: ignore[union-attr]
                        is_open = is_open or option.open  # type: ignore[union-attr]
                elif options and all(isinstance(o, (DictVal, Known)) for o in options):
                    for option in options:
                        if isinstance(option, DictVal):
                            items.extend(option.items)
                            is_open = is_open or option.open
                        elif option.value is not None:  # type: ignore[union-attr]
                            is_open = True
                else:
                    is_open = True
                continue
            k = self.value(item[0], mod, local, depth + 1)
            if isinstance(k, Known) and isinstance(k.value, str):
                items.append((k.value, self.value(item[1], mod, local, depth + 1), k.loc))
            else:
                is_open = True
        return DictVal(tuple(items), is_open, loc)

    def _call_value(self, sym: Sym, mod: FileFacts, local: bool, depth: int, loc: Location | None) -> Val | None:
        func = sym[1]
        if func[0] == "attr" and func[2] == "format":
            return values.format_call(self, sym, mod, local, depth, loc)
        if func[0] == "attr" and func[2] in _STR_METHODS:
            if func[2] in ("lower", "upper", "title", "strip", "capitalize", "casefold") and not sym[2]:
                base = self.value(func[1], mod, local, depth + 1)
                if isinstance(base, Known) and isinstance(base.value, str):
                    return Known(getattr(base.value, func[2])(), loc)
            return Unknown("str", loc)
        ref = self.resolve(func, mod, depth + 1)
        if ref is None:
            whole = values.dropped_function(self, func, mod)
            if whole is not None:  # as if trimming had kept the function
                return values.helper_call(self, whole, sym, mod, local, depth, loc) or Unknown("runtime", loc)
        if ref is not None and ref.kind == "func":
            return values.helper_call(self, ref, sym, mod, local, depth, loc)
        if ref is None or ref.kind != "ext":
            return None
        name = ref.name
        if name in _DATETIME_CALLS:
            return Unknown("datetime", loc)
        if name == "builtins.dict":
            items: list[tuple[Sym, Sym] | tuple[str, Sym]] = []
            is_open = False
            for arg in sym[2]:
                if arg[0] == "*":
                    is_open = True
                else:
                    items.append(("**", arg))
            for name_, value in sym[3]:
                if name_ is None:
                    items.append(("**", value))
                else:
                    items.append((("lit", name_, None, None), value))
            result = self._dict(("dict", tuple(items), is_open, sym[-1]), mod, local, depth + 1, loc)
            return result
        if name == "builtins.str" and len(sym[2]) == 1 and sym[2][0][0] != "*":
            inner = self.value(sym[2][0], mod, local, depth + 1)
            if isinstance(inner, Known):
                return Known(str(inner.value), loc)
            return Unknown("param" if _from_param(inner) else "str", loc)
        if name in ("builtins.int", "builtins.round", "builtins.len"):
            return Unknown("int", loc)
        if name == "builtins.float":
            return Unknown("float", loc)
        return None

    # ------------------------------------------------------------------ calls
    def classify(self, fact: CallFact, mod: FileFacts) -> Ref | None:
        """What a call calls, without loading modules: an SDK function or method, or a function
        of an extracted module (a module that defines a wrapper is always extracted, since it
        imports the SDK or another wrapper's module)."""
        cache_key = (mod.path, fact.id)
        if cache_key not in self._classified:
            saved, self._scope, self._by_name = self._scope, (mod, fact.scope), None
            try:
                with self.no_loading():
                    ref = self.resolve(fact.func, mod)
            finally:
                self._scope = saved
            if ref is not None and ref.kind not in ("ext", "ext_method", "func"):
                ref = None
            if ref is not None and self._by_name is not None:
                func = self.function(ref) if ref.kind == "func" else None
                if func is not None and isinstance(self._bind_params(func, ref.bound, fact, mod), str):
                    ref = None  # a method of that name on another object: it does not bind
                else:
                    self.by_member_name[(mod.path, fact.loc[0], fact.loc[1])] = self._by_name
            self._by_name = None
            self._classified[cache_key] = ref
        return self._classified[cache_key]

    def sdk_emission(self, ref: Ref, fact: CallFact, mod: FileFacts) -> Emission | None:
        origin = (mod.module, fact.id)
        if ref.kind == "ext" and ref.name in sdk.SDK_FUNCTIONS:
            family, method = sdk.SDK_FUNCTIONS[ref.name]
            return Emission(family, method, fact.args, fact.kwargs, (), origin)
        if ref.kind == "ext_method":
            cls, _, method = ref.name.rpartition(".")
            client = sdk.SDK_CLIENTS.get(cls)
            if client == sdk.SEGMENT_FAMILY and method in self.segment:
                return Emission(client, method, fact.args, fact.kwargs, (), origin)
            if client == sdk.CLASSIC and method in self.classic:
                return Emission(client, method, fact.args, fact.kwargs, (), origin)
        return None

    def function(self, ref: Ref) -> FuncFacts | None:
        if ref.mod is None:
            return None
        return ref.mod.functions.get(ref.name)

    def wrapper(self, mod: FileFacts, qualname: str) -> WrapperInfo | None:
        """The wrapper facts of a function, computed on first use (``None``: not a wrapper)."""
        wkey = (mod.module, qualname)
        if wkey in self.wrappers:
            return self.wrappers[wkey]
        if wkey in self._in_progress:
            return None  # recursion: the outer computation decides
        func = mod.functions.get(qualname)
        if func is None:
            return None
        self._in_progress.add(wkey)
        try:
            emissions = list(self._function_emissions(mod, func))
        finally:
            self._in_progress.discard(wkey)
        info = WrapperInfo(mod.module, qualname, tuple(p.name for p in func.params), emissions) if emissions else None
        self.wrappers[wkey] = info
        return info

    def all_wrappers(self) -> list[WrapperInfo]:
        """Every wrapper among the functions of the modules loaded so far."""
        self._declare_wrappers()
        for mod in list(self.modules.values()):
            for qualname in list(mod.functions):
                self.wrapper(mod, qualname)
        return sorted((w for w in self.wrappers.values() if w is not None), key=lambda w: (w.module, w.qualname))

    def _function_emissions(self, mod: FileFacts, func: FuncFacts) -> Iterator[Emission]:
        """The emissions of ``func``'s calls that take a value from its parameters, including
        the calls of the lambdas and nested functions it defines (``on_commit(lambda:
        track_event(user, ...))`` sends the caller's ``user``): their own parameters are not
        the caller's and count as unknown."""
        by_id = self._calls_by_id(mod)
        scopes: list[tuple[FuncFacts, frozenset[str]]] = [(func, frozenset())]
        for nested in self._nested(mod).get(func.qualname, ()):
            own = frozenset(p.name for p in nested.params)
            scopes.append((nested, own | _enclosing_params(mod, nested.qualname, func.qualname)))
        for scope, own in scopes:
            for call_id in scope.calls:
                fact = by_id[call_id]
                for emission in self.emissions_of(fact, mod):
                    if own:
                        emission = _drop_params(emission, own)
                    if _mentions_param(emission) and f"{mod.module}.{func.qualname}" not in emission.via:
                        hops = ((mod.module, fact.id), *emission.hops)
                        yield dataclasses.replace(emission, hops=hops)

    def _nested(self, mod: FileFacts) -> dict[str, list[FuncFacts]]:
        """Function qualname -> the functions and lambdas defined inside it, at any depth."""
        found = self._nested_memo.get(mod.path)
        if found is None:
            found = self._nested_memo[mod.path] = {}
            for qualname, nested in mod.functions.items():
                parts = qualname.split(".<locals>.")
                for i in range(1, len(parts)):
                    found.setdefault(".<locals>.".join(parts[:i]), []).append(nested)
        return found

    def _calls_by_id(self, mod: FileFacts) -> dict[int, CallFact]:
        found = self._by_id.get(mod.path)
        if found is None:
            found = self._by_id[mod.path] = {c.id: c for c in mod.calls}
        return found

    def emissions_of(self, fact: CallFact, mod: FileFacts) -> list[Emission]:
        """The SDK calls that ``fact`` makes, directly or through wrappers, in ``mod``'s terms."""
        ref = self.classify(fact, mod)
        if ref is None:
            return []
        direct = self.sdk_emission(ref, fact, mod)
        if direct is not None:
            return [direct]
        if ref.kind != "func" or ref.mod is None:
            return []
        if (ref.mod.module, ref.name) == (mod.module, fact.scope):
            return []  # recursion adds nothing
        info = self.wrapper(ref.mod, ref.name)
        if info is None:
            return []
        func = ref.mod.functions.get(ref.name)
        if func is None:
            return []
        bindings = self._bind_params(func, ref.bound, fact, mod)
        if isinstance(bindings, str):
            label = func.qualname.rsplit(".", 1)[-1]
            return [
                Emission(e.family, e.method, (), (), (f"{ref.mod.module}.{ref.name}", *e.via), e.origin,
                         f"`{label}()` {bindings}", e.hops)
                for e in info.emissions[:1]
            ]
        out = []
        for emission in info.emissions:
            out.append(
                Emission(
                    emission.family,
                    emission.method,
                    tuple(_instantiate(a, ref.mod.module, bindings) for a in emission.args),
                    tuple((k, _instantiate(v, ref.mod.module, bindings)) for k, v in emission.kwargs),
                    (f"{ref.mod.module}.{ref.name}", *emission.via),
                    emission.origin,
                    hops=emission.hops,
                )
            )
        return out

    def _bind_params(self, func: FuncFacts, bound: bool, fact: CallFact, mod: FileFacts) -> dict[str, Sym] | str:
        """Bind a call's arguments to a wrapper's parameters, or say why Python would not."""
        params = list(func.params)
        if bound and params and params[0].kind in ("pos", "posonly"):
            params = params[1:]
        positional = [p for p in params if p.kind in ("pos", "posonly")]
        result: dict[str, Sym] = {}
        varargs = next((p for p in params if p.kind == "var"), None)
        varkw = next((p for p in params if p.kind == "varkw"), None)
        extra_kw: list[Any] = []
        spread = False
        for i, arg in enumerate(fact.args):
            if arg[0] == "*":
                spread = True
                break
            if i < len(positional):
                result[positional[i].name] = _site(mod.module, arg)
            elif varargs is None:
                return f"takes {len(positional)} positional arguments but {len(fact.args)} were given"
        for name, value in fact.kwargs:
            if name is None:
                spread = True
                extra_kw.append(("**", _site(mod.module, value)))
                continue
            target = next((p for p in params if p.name == name and p.kind in ("pos", "kwonly")), None)
            if target is not None:
                if target.name in result:
                    return f"got multiple values for argument `{name}`"
                result[target.name] = _site(mod.module, value)
            elif varkw is not None:
                where = value[-1] if isinstance(value[-1], tuple) else None
                extra_kw.append((_site(mod.module, ("lit", name, None, where)), _site(mod.module, value)))
            else:
                return f"got an unexpected keyword argument `{name}`"
        if varkw is not None:
            result[varkw.name] = ("dict", tuple(extra_kw), False, None)
        if varargs is not None:
            result[varargs.name] = ("unknown", "varargs", None)
        for p in params:
            if p.name not in result:
                if p.default is not None:
                    result[p.name] = p.default
                elif spread:
                    result[p.name] = ("unknown", "spread", None)
                else:
                    result[p.name] = ("unknown", "missing", None)
        return result

    def _declare_wrappers(self) -> None:
        """Declared wrappers (``[tool.cio-lint.wrappers]``) become synthetic emissions."""
        if self._declared_done:
            return
        pending = False
        for qualname, spec in self.declared.items():
            if qualname in self._declared_seen:
                continue
            modname, _, funcname = qualname.rpartition(".")
            target = None
            while modname:
                if modname in self.module_index:
                    target = self.module(modname)
                    break
                funcname = modname.rpartition(".")[2] + "." + funcname
                modname = modname.rpartition(".")[0]
            if target is None and modname and not self.allow_load:
                pending = True  # not extracted yet: decided when modules may be loaded
                continue
            self._declared_seen.add(qualname)
            if target is None or funcname not in target.functions:
                self.declaration_errors.append(
                    f"wrapper `{qualname}`: no such function in the scanned code"
                )
                continue
            func = target.functions[funcname]
            names = [p.name for p in func.params]
            if func.cls is not None and names and "staticmethod" not in func.decorators:
                names = names[1:]  # self or cls

            kind = spec["kind"]
            param = functools.partial(self._declared_param, qualname, funcname, func, names)
            kwargs: list[tuple[str | None, Sym]] = []
            for field_, sdk_name in (("user_id", "user_id"), ("anonymous_id", "anonymous_id"),
                                     ("event", "event"), ("properties", "properties"), ("traits", "traits")):
                if field_ in spec:
                    p = param(spec[field_])
                    if p is not None:
                        kwargs.append((sdk_name, p))
            self.wrappers[(target.module, funcname)] = WrapperInfo(
                target.module, "declared:" + funcname, tuple(names),
                [Emission(sdk.SEGMENT_FAMILY, kind, (), tuple(kwargs), (), None)],
            )
        self._declared_done = not pending

    def _declared_param(
        self, qualname: str, funcname: str, func: FuncFacts, names: list[str], ref: Any
    ) -> Sym | None:
        """The parameter a declared wrapper's index or name refers to (errors are recorded)."""
        if isinstance(ref, int):
            if ref < len(names):
                return ("param", names[ref], None)
        elif ref == "kwargs":
            kw = next((p.name for p in func.params if p.kind == "varkw"), None)
            if kw:
                return ("param", kw, None)
        elif ref in names:
            return ("param", ref, None)
        self.declaration_errors.append(
            f"wrapper `{qualname}`: `{ref}` is not a parameter of `{funcname}` "
            f"(parameters: {', '.join(names) or 'none'})"
        )
        return None

    # ------------------------------------------------------------------ materialise
    def materialize(self, emission: Emission, fact: CallFact, mod: FileFacts, local: bool = True) -> tuple[CallSite, Any]:
        """Bind an emission to the SDK signature and evaluate its arguments: a ``CallSite``."""
        call_loc = Location(mod.path, *fact.loc)
        if emission.family == sdk.CLASSIC:
            sig = self.classic[emission.method]
        else:
            sig = sdk.Signature(self.segment[emission.method].params)
        bound, extra, error = _bind_signature(sig, emission.args, emission.kwargs, lambda s: self._dict_keys(s, mod))
        if emission.error is not None:
            bound, extra, error = {}, [], None
        if error is not None:
            label = "CustomerIO" if emission.family == sdk.CLASSIC else "Client"
            error = f"`{label}.{emission.method}()` {error}"
            if emission.family == sdk.CLASSIC and emission.method in ("track", "track_anonymous"):
                if sig.varkw is None:
                    error += " (customerio 3.x takes properties as `data={...}`)"
                else:
                    error += " (customerio before 3.0 takes properties as keyword arguments)"

        def val(name: str) -> Val | None:
            if name not in bound:
                return None
            return self.value(bound[name], mod, local)

        kind = emission.method
        user_sym: Sym | None = None
        if emission.family == sdk.CLASSIC:
            if kind == "identify":
                user_sym = bound.get("id")
                props: Val | None = self.value(("dict", tuple(extra), False, fact.loc), mod, local)
                event = None
                anon = None
            elif kind == "track":
                user_sym = bound.get("customer_id")
                anon = None
                event = val("name")
                props = val("data") if sig.varkw is None else self.value(("dict", tuple(extra), False, fact.loc), mod, local)
            else:  # track_anonymous
                kind = "track"
                anon = val("anonymous_id")
                event = val("name")
                props = val("data") if sig.varkw is None else self.value(("dict", tuple(extra), False, fact.loc), mod, local)
            if isinstance(props, DictVal) and props.loc is None:
                props = DictVal(props.items, props.open, None)
            user = self.value(user_sym, mod, local) if user_sym is not None else None
        else:
            user_sym = bound.get("user_id")
            user = val("user_id")
            anon = val("anonymous_id")
            if kind in ("identify", "group"):
                event = None
                props = val("traits")
            elif kind == "track":
                event = val("event")
                props = val("properties")
            elif kind in ("page", "screen"):
                event = val("name")
                props = val("properties")
            else:
                event, props = None, None
        call = CallSite(
            kind=kind,  # type: ignore[arg-type]
            sdk=emission.family,
            loc=call_loc,
            user_id=user,
            anonymous_id=anon,
            event=event,
            properties=props,
            signature_error=emission.error or error,
            via=emission.via[0] if emission.via else None,
            snippet=fact.snippet,
        )
        return call, user_key(user_sym)

    def _dict_keys(self, sym: Sym, mod: FileFacts) -> DictVal | None:
        value = self.value(sym, mod, False)
        return value if isinstance(value, DictVal) else None

    def resolve_calls(self, modules: list[FileFacts] | None = None) -> list[Resolved]:
        """Every emission of every call in ``modules``, with wrapper call sites resolved."""
        self._declare_wrappers()
        out: list[Resolved] = []
        views: dict[Any, CallSite | None] = {}  # below_view's, shared by a wrapper's call sites
        for mod in modules if modules is not None else list(self.modules.values()):
            if mod.error is not None:
                continue
            for fact in mod.calls:
                emissions = self.emissions_of(fact, mod)
                for emission in emissions:
                    call, ukey = self.materialize(emission, fact, mod)
                    inner = below = None
                    flow_only = False
                    if emission.via:
                        inner = self._inner_view(emission)
                        below = below_view(self, emission, views)
                        flow_only = emission.error is None and not self.content_from(emission, _is_site)
                    out.append(Resolved(call, fact, mod, ukey, emission, inner, flow_only, below))
        return out

    def content_from(self, emission: Emission, test: Callable[[Any], bool]) -> bool:
        """Whether anything but the user id of ``emission`` satisfies ``test`` (comes from a
        parameter, or from the arguments of the call site). A wrapper whose call sites pass only
        the user (``order_completed(user, order)`` fixes everything else... or takes it from
        ``order``) matters at a call site only to CIO003."""
        if emission.family == sdk.CLASSIC:
            sig = self.classic[emission.method]
        else:
            sig = sdk.Signature(self.segment[emission.method].params)
        if emission.method == "identify" or emission.method == "group":
            return any(test(a) for a in emission.args) or any(test(v) for _, v in emission.kwargs)
        bound, extra, _ = _bind_signature(sig, emission.args, emission.kwargs, lambda _s: None)
        user_params = {"user_id", "customer_id", "id"}
        return any(test(v) for k, v in bound.items() if k not in user_params) or any(
            test(part) for part in extra
        )

    def _inner_view(self, emission: Emission) -> CallSite | None:
        """The call as the wrapper body sees it (parameters unknown): its findings are reported
        there, so the call site reports only what its own arguments add."""
        if emission.origin is None:
            return None
        mod = self.module(emission.origin[0])
        if mod is None:
            return None
        fact = next((c for c in mod.calls if c.id == emission.origin[1]), None)
        ref = self.classify(fact, mod) if fact is not None else None
        direct = self.sdk_emission(ref, fact, mod) if ref is not None and fact is not None else None
        if direct is None or fact is None:
            return None
        return self.materialize(direct, fact, mod, local=False)[0]


def _untyped(ref: Ref) -> bool:
    """A value whose type cio-lint cannot know (a parameter, an unpacked local, an attribute
    of an object from another package): its members may be resolved by name."""
    if ref.kind == "value":
        return ref.sym is not None and ref.sym[0] in ("param", "var", "unknown", "sub")
    return ref.kind == "ext" and not _sdk_rooted(ref.name)


def _sdk_rooted(name: str) -> bool:
    return name.split(".", 1)[0] in sdk.SDK_TOKENS


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

    return dataclasses.replace(
        emission, args=tuple(drop(a) for a in emission.args), kwargs=tuple((k, drop(v)) for k, v in emission.kwargs)
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


_is_site = directly(_site_marker)
content_param = directly(_param_marker)


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


def _bind_signature(
    sig: sdk.Signature,
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
            return bound, extra, f"takes {len(sig.params)} positional arguments but {len(args)} were given"
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
            if n in sig.params:
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
