"""Clients followed like values: returns of factories and properties, typed parameters,
module attributes assigned from elsewhere, and class members resolved by a unique name
(docs/architecture.md, "Clients are values")."""

from __future__ import annotations

from cio_lint.analysis.core import ProjectCore
from cio_lint.analysis.facts import FileFacts
from cio_lint.analysis.refs import (
    _MAX_DEPTH,
    _OBJECTS,
    _PLAIN_TAGS,
    MemberHolder,
    Ref,
    _sdk_rooted,
)
from cio_lint.analysis.syms import Sym


class ClientFlow(ProjectCore):
    """Where a client comes from: returns, annotations, other modules' assignments, member names."""

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
                        return (
                            default
                            if default is not None and default[0] not in _PLAIN_TAGS
                            else None
                        )
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
            for value in [
                *func.returns,
                *([func.return_type] if func.return_type is not None else []),
            ]:
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
                found[(target, attr)] = (
                    value if current is None else ("cond", (current, value), None)
                )
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
                    holds = ref.kind == "ext_instance" or (
                        ref.kind == "ext" and _sdk_rooted(ref.name)
                    )
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
        self.wrappers = {
            k: v
            for k, v in self.wrappers.items()
            if v is not None and v.qualname.startswith("declared:")
        }
        return found
