"""Wrapper inference: which project functions emit SDK calls with their parameters' values,
declared wrappers, and binding a call's arguments to a wrapper's parameters."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

from cio_lint import sdks
from cio_lint.analysis.core import ProjectCore
from cio_lint.analysis.facts import CallFact, FileFacts, FuncFacts
from cio_lint.analysis.refs import (
    Emission,
    Ref,
    WrapperInfo,
    _drop_params,
    _enclosing_params,
    _instantiate,
    _mentions_param,
    _site,
    too_many_positional,
)
from cio_lint.analysis.syms import Sym

# What a declared wrapper may map, in order: the roles of a call of ``sdks.DECLARED_FAMILY``.
_DECLARED_ROLES: tuple[sdks.Role, ...] = (
    "user_id",
    "anonymous_id",
    "event",
    "properties",
    "traits",
)


class WrapperInference(ProjectCore):
    """Wrappers, inferred lazily and transitively, and declared ones."""

    def sdk_emission(self, ref: Ref, fact: CallFact, mod: FileFacts) -> Emission | None:
        origin = (mod.module, fact.id)
        if ref.kind == "ext":
            found = sdks.FUNCTIONS.get(ref.name)
            if found is not None:
                return Emission(found[0], found[1], fact.args, fact.kwargs, (), origin)
        elif ref.kind == "ext_method":
            cls, _, method = ref.name.rpartition(".")
            family = sdks.CLIENTS.get(cls)
            if family is not None and (family, method) in sdks.CLIENT_METHODS:
                return Emission(family, method, fact.args, fact.kwargs, (), origin, on_client=True)
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
        info = (
            WrapperInfo(mod.module, qualname, tuple(p.name for p in func.params), emissions)
            if emissions
            else None
        )
        self.wrappers[wkey] = info
        return info

    def all_wrappers(self) -> list[WrapperInfo]:
        """Every wrapper among the functions of the modules loaded so far."""
        self._declare_wrappers()
        for mod in list(self.modules.values()):
            for qualname in list(mod.functions):
                self.wrapper(mod, qualname)
        return sorted(
            (w for w in self.wrappers.values() if w is not None),
            key=lambda w: (w.module, w.qualname),
        )

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
                    if (
                        _mentions_param(emission)
                        and f"{mod.module}.{func.qualname}" not in emission.via
                    ):
                        hops = ((mod.module, fact.id), *emission.hops)
                        e = emission  # (``dataclasses.replace`` costs ten times this)
                        yield Emission(
                            e.family,
                            e.method,
                            e.args,
                            e.kwargs,
                            e.via,
                            e.origin,
                            e.error,
                            hops,
                            e.on_client,
                        )

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
                Emission(
                    e.family,
                    e.method,
                    (),
                    (),
                    (f"{ref.mod.module}.{ref.name}", *e.via),
                    e.origin,
                    f"`{label}()` {bindings}",
                    e.hops,
                    e.on_client,
                )
                for e in info.emissions[:1]
            ]
        out = []
        for emission in info.emissions:
            out.append(
                Emission(
                    emission.family,
                    emission.method,
                    tuple(_instantiate(a, ref.mod.module, bindings) for a in emission.args),
                    tuple(
                        (k, _instantiate(v, ref.mod.module, bindings)) for k, v in emission.kwargs
                    ),
                    (f"{ref.mod.module}.{ref.name}", *emission.via),
                    emission.origin,
                    hops=emission.hops,
                    on_client=emission.on_client,
                )
            )
        return out

    def _bind_params(
        self, func: FuncFacts, bound: bool, fact: CallFact, mod: FileFacts
    ) -> dict[str, Sym] | str:
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
                return too_many_positional(len(positional), len(fact.args))
        for name, value in fact.kwargs:
            if name is None:
                spread = True
                extra_kw.append(("**", _site(mod.module, value)))
                continue
            target = next(
                (p for p in params if p.name == name and p.kind in ("pos", "kwonly")), None
            )
            if target is not None:
                if target.name in result:
                    return f"got multiple values for argument `{name}`"
                result[target.name] = _site(mod.module, value)
            elif varkw is not None:
                where = value[-1] if isinstance(value[-1], tuple) else None
                extra_kw.append(
                    (_site(mod.module, ("lit", name, None, where)), _site(mod.module, value))
                )
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
            # each role is passed as the keyword argument that carries it (a page's ``event`` is
            # its ``name``); one the method has not is passed as is, and does not bind (CIO013)
            method = sdks.method(sdks.DECLARED_FAMILY, kind)
            roles = method.roles if method is not None else {}
            kwargs: list[tuple[str | None, Sym]] = []
            for role in _DECLARED_ROLES:
                if role in spec:
                    p = param(spec[role])
                    if p is not None:
                        kwargs.append((roles.get(role, role), p))
            self.wrappers[(target.module, funcname)] = WrapperInfo(
                target.module,
                "declared:" + funcname,
                tuple(names),
                [Emission(sdks.DECLARED_FAMILY, kind, (), tuple(kwargs), (), None)],
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
