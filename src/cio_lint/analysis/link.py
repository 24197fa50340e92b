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

import contextlib
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from cio_lint import sdks
from cio_lint.analysis import values
from cio_lint.analysis.clients import ClientFlow
from cio_lint.analysis.dedupe import below_view
from cio_lint.analysis.evaluate import Evaluation
from cio_lint.analysis.facts import CallFact, FileFacts, FuncFacts
from cio_lint.analysis.objects import object_roles
from cio_lint.analysis.refs import (
    _BUILTINS,
    _ENUM_BASES,
    _MAX_DEPTH,
    _OBJECTS,
    _PLAIN_TAGS,
    _PROPERTIES,
    Emission,
    MemberHolder,
    Ref,
    Resolved,
    WrapperInfo,
    _bind_signature,
    _is_site,
    _untyped,
    content_param,
    directly,
    person_updates,
    unbound_message,
    user_key,
    without_keys,
)
from cio_lint.analysis.roots import ImportRoots
from cio_lint.analysis.syms import Sym
from cio_lint.analysis.wrappers import WrapperInference
from cio_lint.model import (
    CallSite,
    DictVal,
    Location,
    Val,
)

__all__ = [
    "Emission",
    "MemberHolder",
    "Project",
    "Ref",
    "Resolved",
    "WrapperInfo",
    "_bind_signature",
    "content_param",
    "directly",
    "user_key",
]


# The kinds whose message has a name (an event, a page or screen name); the others carry traits.
_NAMED_KINDS = frozenset({"track", "page", "screen", "send"})


class Project(ClientFlow, Evaluation, WrapperInference):
    """All FileFacts of the scanned tree, linked lazily."""

    def __init__(
        self,
        modules: dict[str, FileFacts],
        module_index: dict[str, str] | None = None,
        loader: Callable[[str], FileFacts | None] | None = None,
        sdk_versions: Mapping[str, tuple[int, ...]] | None = None,
        declared_wrappers: dict[str, dict[str, Any]] | None = None,
    ) -> None:
        self.modules = dict(modules)
        self.module_index = dict(module_index or {name: m.path for name, m in modules.items()})
        self.loader = loader
        self.top_level = {name.split(".")[0] for name in self.module_index}
        self.roots: ImportRoots | None = None  # several import roots (``analysis.roots``)
        # (family, method) -> the variant at the decided versions (distribution -> version)
        self.variants = sdks.variants(sdk_versions or {})
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
        self._locations: dict[tuple[str, tuple[int, ...]], Location] = {}
        self._nested_memo: dict[str, dict[str, list[FuncFacts]]] = {}
        self._external: dict[tuple[str, str], Sym] | None = None
        self._members: dict[str, list[MemberHolder]] | None = None  # member name -> holders
        self._by_name: str | None = None  # set when a resolution went by member name
        self.by_member_name: dict[
            tuple[str, int, int], str
        ] = {}  # call (path, line, col) -> member
        self.derived: dict[str, object] = {}  # what passes outside the linker built from it

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
        self.derived.clear()
        self.wrappers = {
            k: v
            for k, v in self.wrappers.items()
            if v is not None and v.qualname.startswith("declared:")
        }

    def module(self, name: str) -> FileFacts | None:
        found = self.modules.get(name)
        if (
            found is None
            and self.allow_load
            and name in self.module_index
            and self.loader is not None
        ):
            found = self.loader(name)
            if found is not None:
                self.modules[name] = found
        return found

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
            if func.kind == "ext" and func.name in sdks.CLIENTS:
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

    def lookup(
        self, mod: FileFacts, name: str, depth: int, allow_builtins: bool = False
    ) -> Ref | None:
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
            elif target is None and internal is None and f"{star}.{name}" in sdks.FUNCTIONS:
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
                return Ref(
                    "value", mod=base.mod, sym=("lit", base.name.rsplit(".", 1)[-1], None, None)
                )
        return None

    def member(
        self, mod: FileFacts, clsname: str, attr: str, instance: bool, depth: int
    ) -> Ref | None:
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
            if (
                ref.kind == "class"
                and ref.mod is not None
                and self.is_enum(ref.mod, ref.name, depth + 1)
            ):
                return True
        return False

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
                if func is not None and isinstance(
                    self._bind_params(func, ref.bound, fact, mod), str
                ):
                    ref = None  # a method of that name on another object: it does not bind
                else:
                    self.by_member_name[(mod.path, fact.loc[0], fact.loc[1])] = self._by_name
            self._by_name = None
            self._classified[cache_key] = ref
        return self._classified[cache_key]

    def materialize(
        self, emission: Emission, fact: CallFact, mod: FileFacts, local: bool = True
    ) -> tuple[CallSite, Any]:
        """Bind an emission to the SDK signature and evaluate its arguments: a ``CallSite``."""
        call_loc = Location(mod.path, *fact.loc)
        method = sdks.method(emission.family, emission.method)
        assert method is not None  # an emission is made only for a registered method
        variant = self.variants[(emission.family, emission.method)]
        sig = variant.signature
        bound, extra, error = _bind_signature(
            sig, emission.args, emission.kwargs, lambda s: self._dict_keys(s, mod)
        )
        if emission.error is not None:
            bound, extra, error = {}, [], None
        else:
            error = unbound_message(emission.family, emission, variant, error)

        carried: dict[sdks.Role, Sym] = {}  # the roles that live in argument objects
        for obj in method.objects:
            built = object_roles(self, bound.get(obj.param), mod, obj)
            carried.update(built.roles)
            if built.error is not None and error is None and emission.error is None:
                error = f"{built.error}; it raises `TypeError`"

        def val(role: sdks.Role) -> Val | None:
            """The value of the argument that carries ``role``: the extra keyword arguments,
            as one dict, when the role names the ``**kwargs`` parameter."""
            if role in carried:
                return self.value(carried[role], mod, local)
            param = method.roles.get(role)
            if param is None:
                return None
            if param == sig.varkw:
                return self.value(("dict", tuple(extra), False, fact.loc), mod, local)
            if param not in bound:
                return None
            return self.value(bound[param], mod, local)

        kind = method.kind
        user_param = method.roles.get("user_id")
        user_sym: Sym | None = bound.get(user_param) if user_param is not None else None
        user_sym = carried.get("user_id", user_sym)
        user = val("user_id")
        anon = val("anonymous_id")
        event = val("event") if kind in _NAMED_KINDS else None
        props = val("properties") if kind in _NAMED_KINDS else val("traits")
        person: tuple[Val, ...] = ()
        if method.person_keys:
            person = person_updates(props, method.person_keys)
            props = without_keys(props, method.person_keys)
        call = CallSite(
            kind=kind,
            sdk=emission.family,
            loc=call_loc,
            user_id=user,
            anonymous_id=anon,
            event=event,
            properties=props,
            signature_error=emission.error or error,
            identity_optional=variant.identity_optional,
            person_traits=person,
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
                        flow_only = emission.error is None and not self.content_from(
                            emission, _is_site
                        )
                    out.append(Resolved(call, fact, mod, ukey, emission, inner, flow_only, below))
        return out

    def content_from(self, emission: Emission, test: Callable[[Any], bool]) -> bool:
        """Whether anything but the user id of ``emission`` satisfies ``test`` (comes from a
        parameter, or from the arguments of the call site). A wrapper whose call sites pass only
        the user (``order_completed(user, order)`` fixes everything else... or takes it from
        ``order``) matters at a call site only to CIO003."""
        method = sdks.method(emission.family, emission.method)
        assert method is not None
        if method.kind == "identify" or method.kind == "group":
            return any(test(a) for a in emission.args) or any(test(v) for _, v in emission.kwargs)
        sig = self.variants[(emission.family, emission.method)].signature
        bound, extra, _ = _bind_signature(sig, emission.args, emission.kwargs, lambda _s: None)
        user_param = method.roles.get("user_id")
        return any(test(v) for k, v in bound.items() if k != user_param) or any(
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
