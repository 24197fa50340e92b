"""The interface the parts of the linker share (``Project`` is their union): its state and
its methods, each implemented in one of ``link``, ``clients``, ``evaluate`` or ``wrappers``."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

from cio_lint import sdks
from cio_lint.analysis import values
from cio_lint.analysis.facts import CallFact, FileFacts, FuncFacts
from cio_lint.analysis.refs import (
    Emission,
    MemberHolder,
    Ref,
    Resolved,
    WrapperInfo,
)
from cio_lint.analysis.roots import ImportRoots
from cio_lint.analysis.syms import Sym
from cio_lint.model import (
    CallSite,
    DictVal,
    Location,
    Val,
)


class ProjectCore:
    """Attributes set by ``Project.__init__`` and the methods every part may call."""

    roots: ImportRoots | None
    _classified: dict[tuple[str, int], Ref | None]
    _by_id: dict[str, dict[int, CallFact]]
    _in_progress: set[tuple[str, str]]
    _declared_seen: set[str]
    declaration_errors: list[str]
    wrappers: dict[tuple[str, str], WrapperInfo | None]
    _packages: set[str] | None
    load_whole: Callable[[str], FileFacts | None] | None
    _scope: tuple[FileFacts, str] | None
    _returned_memo: dict[tuple[str, str], Ref | None]
    _locations: dict[tuple[str, tuple[int, ...]], Location]  # ``Evaluation._loc``: one each
    _nested_memo: dict[str, dict[str, list[FuncFacts]]]
    _external: dict[tuple[str, str], Sym] | None
    _members: dict[str, list[MemberHolder]] | None
    _by_name: str | None
    by_member_name: dict[tuple[str, int, int], str]
    modules: dict[str, FileFacts]
    module_index: dict[str, str]
    loader: Callable[[str], FileFacts | None] | None
    top_level: set[str]
    variants: dict[tuple[str, str], sdks.Variant]
    declared: dict[str, dict[str, Any]]
    _declared_done: bool
    allow_load: bool
    helpers: values.Helpers
    derived: dict[str, object]  # ``broadcasts.Broadcasts``..., forgotten with the rest

    @contextlib.contextmanager
    def no_loading(self) -> Iterator[None]:
        raise NotImplementedError

    def forget_derived(self) -> None:
        raise NotImplementedError

    def module(self, name: str) -> FileFacts | None:
        raise NotImplementedError

    def resolve(self, sym: Sym, mod: FileFacts, depth: int = 0) -> Ref | None:
        raise NotImplementedError

    def _param_type(self, mod: FileFacts, name: str) -> Sym | None:
        raise NotImplementedError

    def returned(self, ref: Ref, depth: int = 0) -> Ref | None:
        raise NotImplementedError

    def external_attrs(self) -> dict[tuple[str, str], Sym]:
        raise NotImplementedError

    def _module_named(self, sym: Sym, mod: FileFacts) -> str | None:
        raise NotImplementedError

    def _member_by_name(self, attr: str, depth: int) -> Ref | None:
        raise NotImplementedError

    def client_members(self) -> dict[str, list[MemberHolder]]:
        raise NotImplementedError

    def resolve_qualname(
        self, qualname: str, depth: int = 0, importer: FileFacts | None = None
    ) -> Ref | None:
        raise NotImplementedError

    def internal(self, qualname: str, importer: FileFacts | None) -> str | None:
        raise NotImplementedError

    def _has_submodules(self, name: str) -> bool:
        raise NotImplementedError

    def lookup(
        self, mod: FileFacts, name: str, depth: int, allow_builtins: bool = False
    ) -> Ref | None:
        raise NotImplementedError

    def attribute(self, base: Ref, attr: str, depth: int) -> Ref | None:
        raise NotImplementedError

    def member(
        self, mod: FileFacts, clsname: str, attr: str, instance: bool, depth: int
    ) -> Ref | None:
        raise NotImplementedError

    def _sym_ref(self, value: Sym, mod: FileFacts, depth: int) -> Ref | None:
        raise NotImplementedError

    def is_enum(self, mod: FileFacts, clsname: str, depth: int = 0) -> bool:
        raise NotImplementedError

    def value(self, sym: Sym | None, mod: FileFacts, local: bool, depth: int = 0) -> Val:
        raise NotImplementedError

    def _why_unknown(self, sym: Sym, mod: FileFacts) -> str:
        raise NotImplementedError

    def _loc(self, sym: Sym, mod: FileFacts, local: bool) -> Location | None:
        raise NotImplementedError

    def _dict(self, sym: Sym, mod: FileFacts, local: bool, depth: int, loc: Location | None) -> Val:
        raise NotImplementedError

    def _call_value(
        self, sym: Sym, mod: FileFacts, local: bool, depth: int, loc: Location | None
    ) -> Val | None:
        raise NotImplementedError

    def classify(self, fact: CallFact, mod: FileFacts) -> Ref | None:
        raise NotImplementedError

    def sdk_emission(self, ref: Ref, fact: CallFact, mod: FileFacts) -> Emission | None:
        raise NotImplementedError

    def function(self, ref: Ref) -> FuncFacts | None:
        raise NotImplementedError

    def wrapper(self, mod: FileFacts, qualname: str) -> WrapperInfo | None:
        raise NotImplementedError

    def all_wrappers(self) -> list[WrapperInfo]:
        raise NotImplementedError

    def _function_emissions(self, mod: FileFacts, func: FuncFacts) -> Iterator[Emission]:
        raise NotImplementedError

    def _nested(self, mod: FileFacts) -> dict[str, list[FuncFacts]]:
        raise NotImplementedError

    def _calls_by_id(self, mod: FileFacts) -> dict[int, CallFact]:
        raise NotImplementedError

    def emissions_of(self, fact: CallFact, mod: FileFacts) -> list[Emission]:
        raise NotImplementedError

    def _bind_params(
        self, func: FuncFacts, bound: bool, fact: CallFact, mod: FileFacts
    ) -> dict[str, Sym] | str:
        raise NotImplementedError

    def _declare_wrappers(self) -> None:
        raise NotImplementedError

    def _declared_param(
        self, qualname: str, funcname: str, func: FuncFacts, names: list[str], ref: Any
    ) -> Sym | None:
        raise NotImplementedError

    def materialize(
        self, emission: Emission, fact: CallFact, mod: FileFacts, local: bool = True
    ) -> tuple[CallSite, Any]:
        raise NotImplementedError

    def _dict_keys(self, sym: Sym, mod: FileFacts) -> DictVal | None:
        raise NotImplementedError

    def resolve_calls(self, modules: list[FileFacts] | None = None) -> list[Resolved]:
        raise NotImplementedError

    def content_from(self, emission: Emission, test: Callable[[Any], bool]) -> bool:
        raise NotImplementedError

    def _inner_view(self, emission: Emission) -> CallSite | None:
        raise NotImplementedError
