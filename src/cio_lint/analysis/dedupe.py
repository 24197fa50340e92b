"""One defect, one finding: what a wrapper's call site reports, and what the hop below does.

A call through a chain of wrappers (``view -> sent_tip -> log_user_event -> analytics.track``) is
checked at every call along the chain: in ``sent_tip``'s body, its call of ``log_user_event`` is a
wrapper call site too. A value written in ``sent_tip``'s body (the literal ``"Tip Sent"``, a
constant it names, a dict key it writes) is reported there, once; each view calling ``sent_tip``
reports only what it supplies itself (its arguments, values of its own module).

The *view one hop below* a call site is the call inside the outermost wrapper that leads on
(``Emission.hops[0]``), evaluated where it is written, with that wrapper's parameters unknown:
exactly what that call reports (or, for a direct SDK call, what the wrapper body reports). A
finding equal to one of that view's is dropped at the call site. Findings that depend on no
value of the chain (the call site's own CIO013 binding errors, CIO011 when it passes ``None``)
are never in that view, so they stay where they are.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from cio_lint.model import CallSite, Finding

if TYPE_CHECKING:
    from cio_lint.analysis.link import Emission, Project


def below_view(
    project: Project, emission: Emission, views: dict[Any, CallSite | None] | None = None
) -> CallSite | None:
    """The call one hop below ``emission``'s call site, as the outermost wrapper's body sees
    it (``None`` when the hop below is the SDK call itself: ``Resolved.inner`` is that view).
    ``views`` caches them: every call site of a wrapper shares its view."""
    if len(emission.via) < 2 or not emission.hops:
        return None
    if views is None:
        return _below_view(project, emission)
    key = (emission.hops, emission.via, emission.origin, emission.method)
    if key not in views:
        views[key] = _below_view(project, emission)
    return views[key]


def _below_view(project: Project, emission: Emission) -> CallSite | None:
    module, call_id = emission.hops[0]
    mod = project.module(module)
    if mod is None or mod.error is not None:
        return None
    fact = next((c for c in mod.calls if c.id == call_id), None)
    if fact is None:
        return None
    rest_via, rest_hops = emission.via[1:], emission.hops[1:]
    for candidate in project.emissions_of(fact, mod):
        if (
            candidate.via == rest_via
            and candidate.hops == rest_hops
            and candidate.origin == emission.origin
            and candidate.method == emission.method
        ):
            return project.materialize(candidate, fact, mod, local=False)[0]
    return None


def reported_below(found: Iterable[Finding], below: Iterable[Finding]) -> list[Finding]:
    """``found`` without the findings the views below already report (same code and message)."""
    known = {(x.code, x.message) for x in below}
    return [x for x in found if (x.code, x.message) not in known]
