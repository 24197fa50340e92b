"""Where code triggers a Customer.io API-triggered broadcast, and the functions that do.

No SDK method triggers a broadcast: code POSTs to the App API's ``/v1/campaigns/{id}/triggers``
with an HTTP library (``sdks.broadcast_trigger_url``). A **trigger site** is a call of an HTTP
function that POSTs (``requests.post``, ``httpx.post``, ``requests.request("POST", ...)``) or of a
``post`` method on any receiver (a ``requests.Session``, an ``httpx.Client``, an object of
unknown type), whose URL, as far as it is known statically, ends with that path: string
literals, f-strings, ``+``, ``%`` and ``.format`` over constants, where each part that is not
known stands for any text. A **trigger function** is a project function with a trigger site in
its body (or in a lambda or function defined in it), or with a call of another trigger
function, to a fixed point. CIO308 (``rules.broadcasts``) reports either kind of call when it
may run more than once where it is (``CallFact.loop``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from cio_lint import sdks
from cio_lint.analysis.core import ProjectCore
from cio_lint.analysis.facts import CallFact, FileFacts, argument
from cio_lint.analysis.refs import _instantiate
from cio_lint.analysis.syms import Sym, mentions
from cio_lint.model import Known

_ANY = "{}"  # a part of a URL that is not known statically
_MAX_DEPTH = 20


@dataclass(frozen=True)
class TriggerSite:
    """A call that triggers a broadcast: where it is, and the function it is in."""

    mod: FileFacts
    fact: CallFact


def _callee_word(func: Sym) -> str | None:
    """The last name of what is called: ``post`` of ``requests.post``/``self.session.post``."""
    if func[0] == "attr":
        return str(func[2])
    if func[0] in ("name", "imp"):
        return str(func[1]).rsplit(".", 1)[-1]
    return None


def _argument(fact: CallFact, name: str, index: int) -> Sym | None:
    return argument(fact, name, index)[1]


def url_shape(project: ProjectCore, sym: Sym, mod: FileFacts, depth: int = 0) -> str:
    """The text of a URL expression, each part not known statically written ``{}``. A sym the
    wrapper machinery substituted (``("in", module, sym, ...)``: a caller's argument in a
    forwarding function's URL) is read in its own module."""
    if depth > _MAX_DEPTH:
        return _ANY
    tag = sym[0]
    if tag == "lit":
        return str(sym[1]) if isinstance(sym[1], (str, int)) else _ANY
    if tag == "in":
        owner = project.module(sym[1])
        return url_shape(project, sym[2], owner, depth + 1) if owner is not None else _ANY
    if tag == "fstr":
        return "".join(
            str(part[1]) if part[0] == "lit" else url_shape(project, part[1], mod, depth)
            for part in sym[1]
        )
    if tag == "binop" and sym[1] == "+":
        return url_shape(project, sym[2], mod, depth + 1) + url_shape(
            project, sym[3], mod, depth + 1
        )
    if tag == "binop":  # ``"…/campaigns/%s/triggers" % id``: the placeholders stand for any text
        return url_shape(project, sym[2], mod, depth + 1)
    if tag == "call" and sym[1][0] == "attr" and sym[1][2] == "format":
        return url_shape(project, sym[1][1], mod, depth + 1)
    value = project.value(sym, mod, False)
    if isinstance(value, Known) and isinstance(value.value, (str, int)):
        return str(value.value)
    return _ANY


def post_url(project: ProjectCore, fact: CallFact, mod: FileFacts) -> Sym | None:
    """The URL argument of ``fact`` if it is an HTTP POST (of an HTTP library, or a ``post``
    method of a receiver that is not a project class)."""
    word = _callee_word(fact.func)
    if word not in (sdks.HTTP_POST_METHOD, sdks.HTTP_REQUEST_METHOD):
        return None
    ref = project.classify(fact, mod)
    if ref is not None and ref.kind == "func":
        return None  # a project function named ``post``: a trigger function if it triggers
    external = ref.name if ref is not None and ref.kind == "ext" else None
    if word == sdks.HTTP_REQUEST_METHOD:
        if fact.func[0] != "attr" and external not in sdks.HTTP_REQUEST_FUNCTIONS:
            return None
        method = _argument(fact, "method", 0)
        if method is None or method[0] != "lit" or str(method[1]).upper() != "POST":
            return None
        return _argument(fact, "url", 1)
    if fact.func[0] != "attr" and external not in sdks.HTTP_POST_FUNCTIONS:
        return None
    return _argument(fact, "url", 0)


def _scopes(scope: str) -> Iterator[str]:
    """A call's function and the functions it is defined in (``f.<locals>.g`` -> both)."""
    if scope == "<module>" or scope.endswith(".<body>"):
        return
    parts = scope.split(".<locals>.")
    for i in range(len(parts), 0, -1):
        yield ".<locals>.".join(parts[:i])


class Broadcasts:
    """The trigger sites and trigger functions of the modules loaded so far."""

    def __init__(self, project: ProjectCore) -> None:
        self.sites: list[TriggerSite] = []
        # (module, function qualname) -> the trigger site it reaches first
        self.functions: dict[tuple[str, str], TriggerSite] = {}
        # calls of trigger functions: (module, call, the site it reaches, the callee's qualname)
        self.calls: list[tuple[FileFacts, CallFact, TriggerSite, str]] = []
        # (module, function) -> the URL of a POST in it that depends on its parameters
        # (``def _post(self, path, body): self.session.post(BASE + path, ...)``)
        forwarding: dict[tuple[str, str], tuple[FileFacts, Sym]] = {}
        modules = [m for m in project.modules.values() if m.error is None]
        for mod in modules:
            for fact in mod.calls:
                url = post_url(project, fact, mod)
                if url is None:
                    continue
                if sdks.broadcast_trigger_url(url_shape(project, url, mod)):
                    self._add(TriggerSite(mod, fact))
                elif mentions(url, "param") and not fact.scope.endswith("<module>"):
                    forwarding.setdefault((mod.module, fact.scope), (mod, url))
        if not self.functions and not forwarding:
            return  # (most projects: no call below can trigger either)
        # calls of project functions: the trigger sites through a forwarding function, and the
        # edges of the fixed point
        edges: list[tuple[FileFacts, CallFact, tuple[str, str]]] = []
        for mod in modules:
            for fact in mod.calls:
                if _callee_word(fact.func) is None:
                    continue
                ref = project.classify(fact, mod)
                if ref is None or ref.kind != "func" or ref.mod is None:
                    continue
                callee = (ref.mod.module, ref.name)
                edges.append((mod, fact, callee))
                forwarded = forwarding.get(callee)
                func = ref.mod.functions.get(ref.name)
                if forwarded is not None and func is not None:
                    # the call's arguments in the forwarding function's URL, as wrappers bind
                    bindings = project._bind_params(func, ref.bound, fact, mod)
                    if not isinstance(bindings, str):
                        url = _instantiate(forwarded[1], forwarded[0].module, bindings)
                        if sdks.broadcast_trigger_url(url_shape(project, url, forwarded[0])):
                            self._add(TriggerSite(mod, fact))
        if not self.functions:
            return
        # the callers of each function, then a worklist from the trigger functions: each
        # function is reached once (a chain of thousands of helpers is one pass, not thousands)
        callers: dict[tuple[str, str], list[tuple[str, str]]] = {}
        for mod, fact, callee in edges:
            callers.setdefault(callee, []).extend((mod.module, s) for s in _scopes(fact.scope))
        work = list(self.functions)
        while work:
            callee = work.pop()
            site = self.functions[callee]
            for caller in callers.get(callee, ()):
                if caller not in self.functions:
                    self.functions[caller] = site
                    work.append(caller)
        sites = {(site.mod.path, site.fact.id) for site in self.sites}
        self.calls = [
            (mod, fact, self.functions[callee], callee[1])
            for mod, fact, callee in edges
            if callee in self.functions and (mod.path, fact.id) not in sites
        ]

    def _add(self, site: TriggerSite) -> None:
        self.sites.append(site)
        for scope in _scopes(site.fact.scope):
            self.functions.setdefault((site.mod.module, scope), site)


def broadcasts(project: ProjectCore) -> Broadcasts:
    """``Broadcasts`` of ``project``, computed once per set of loaded modules."""
    found = project.derived.get("broadcasts")
    if not isinstance(found, Broadcasts):
        found = project.derived["broadcasts"] = Broadcasts(project)
    return found
