"""The registry's vocabulary: what cio-lint knows about one SDK family, as frozen data.

A family module (``sdks/segment.py``...) builds one ``Family`` out of these; ``sdks/__init__``
indexes every family once, at import, for the lookups of the analysis, the prefilter, the
version decision, the rules' examples and (later) the plugin. The data is checked when it is
built (``__post_init__``): a role naming no parameter, a module of an undeclared distribution
or version ranges with a gap are errors at import, not wrong findings.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from cio_lint.model import CallKind

Version = tuple[int, ...]
NEWEST: Version = (99,)  # the version assumed when nothing decides one

# The destinations whose limits cio-lint knows (``[tool.cio-lint] destinations``): a rule with
# a ``DESTINATION`` checks a call only when the call's family sends there by default
# (``Family.default_destinations``) or the configuration says the project forwards there.
CUSTOMERIO = "customerio"
DESTINATIONS: tuple[str, ...] = (CUSTOMERIO,)

# What a call's argument carries. A role names a parameter of the method's signature; one that
# names the ``**kwargs`` parameter means the extra keyword arguments, as one dict.
Role = Literal[
    "user_id", "anonymous_id", "event", "properties", "traits", "group_id", "previous_id"
]
ROLES: tuple[Role, ...] = (
    "user_id",
    "anonymous_id",
    "event",
    "properties",
    "traits",
    "group_id",
    "previous_id",
)

# What the SDK does at run time with a call that does not bind to its signature: ``raises``
# (``TypeError`` at the call) or ``logged`` (the SDK logs the error and drops the message).
Outcome = Literal["raises", "logged"]


@dataclass(frozen=True)
class Signature:
    """A Python signature: positional-or-keyword ``params``, then keyword-only ``kwonly``, then
    ``**varkw`` if set. ``required`` are those without a default."""

    params: tuple[str, ...]
    required: tuple[str, ...] = ()
    varkw: str | None = None
    kwonly: tuple[str, ...] = ()

    def names(self) -> tuple[str, ...]:
        """Every parameter name, ``**varkw`` last."""
        return (*self.params, *self.kwonly, *((self.varkw,) if self.varkw else ()))

    def render(self, name: str) -> str:
        """``track(customer_id, name, data=None)``, as ``--show-settings`` prints it."""
        parts = [p if p in self.required else f"{p}=None" for p in self.params]
        if self.kwonly:
            parts += ["*", *(p if p in self.required else f"{p}=None" for p in self.kwonly)]
        if self.varkw:
            parts.append(f"**{self.varkw}")
        return f"{name}({', '.join(parts)})"


@dataclass(frozen=True)
class Variant:
    """A method as it is in one range of versions (``since`` included, ``until`` excluded) of
    the family's deciding distribution (``Family.version_from``)."""

    signature: Signature
    since: Version = ()
    until: Version | None = None
    hint: str = ""  # appended to CIO013's message, in parentheses, when a call does not bind
    unbindable: Outcome = "raises"  # a module-level call that does not bind
    unbindable_on_client: Outcome | None = None  # the same on a client, where it differs
    removed: bool = False  # the method does not exist in this range: every call is CIO013
    identity_optional: bool = False  # no user id is fine (the SDK makes one up): no CIO011
    # CIO013's message for a lone positional event argument that reads as an id
    # (``posthog.capture(user.id)``, a 5.x habit: an event named after the user)
    id_as_event: str = ""

    def covers(self, version: Version) -> bool:
        return self.since <= version and (self.until is None or version < self.until)

    def outcome(self, on_client: bool) -> Outcome:
        """What an unbindable call does at run time, on a client or at module level."""
        if on_client and self.unbindable_on_client is not None:
            return self.unbindable_on_client
        return self.unbindable


@dataclass(frozen=True, eq=False)
class EventObject:
    """An argument object built by an SDK class that carries roles of the message (Amplitude's
    ``track(BaseEvent(event_type=..., user_id=..., event_properties=...))``): the roles live in
    that constructor call (``roles`` name its parameters), or in calls chained on it
    (``builder``: ``Identify().set("plan", "pro")`` adds ``plan`` to the role ``traits``; each
    builder method takes ``(key, value)``). ``param`` is the method's parameter that takes the
    object. A project subclass of one of ``classes`` is followed to its
    ``super().__init__(...)`` (analysis/objects.py)."""

    param: str
    classes: tuple[str, ...]  # qualified names of the classes that build it
    signature: Signature  # their constructor's
    roles: Mapping[Role, str]
    builder: Mapping[str, Role] = field(default_factory=dict)

    def __post_init__(self) -> None:
        _check_roles(self.roles, (self.signature,), f"event object {self.classes}")
        for name, role in self.builder.items():
            if role not in ROLES:
                raise ValueError(f"event object {self.classes}: `{name}` has unknown role `{role}`")


@dataclass(frozen=True, eq=False)
class Method:
    """One SDK method: its message kind, which parameter carries what, and its signature per
    version range (``variants``, oldest first, together covering every version)."""

    name: str
    kind: CallKind
    roles: Mapping[Role, str]
    variants: tuple[Variant, ...]
    module_level: bool = True  # also a function of the family's modules with ``functions``
    on_client: bool = True  # also a method of the family's client classes
    objects: tuple[EventObject, ...] = ()  # arguments built by SDK classes, with roles
    # keys of the properties the SDK treats as person updates, not event properties
    # (PostHog's ``$set``/``$set_once``): not checked against the event's schema
    person_keys: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.variants:
            raise ValueError(f"method `{self.name}` has no signature")
        edge: Version = ()
        for variant in self.variants:
            if variant.since != edge:
                raise ValueError(f"method `{self.name}`: versions from {edge} are not covered")
            edge = variant.until if variant.until is not None else NEWEST + (1,)
        if self.variants[-1].until is not None:
            raise ValueError(f"method `{self.name}`: the newest versions are not covered")
        _check_roles(self.roles, tuple(v.signature for v in self.variants), f"`{self.name}`")
        for obj in self.objects:
            for variant in self.variants:
                if obj.param not in variant.signature.names():
                    raise ValueError(f"`{self.name}` has no parameter `{obj.param}`")
            if set(obj.roles) & set(self.roles) or set(obj.builder.values()) & set(self.roles):
                raise ValueError(f"`{self.name}`: a role is both an argument and in an object")

    def variant(self, version: Version) -> Variant:
        """The variant covering ``version``."""
        for variant in self.variants:
            if variant.covers(version):
                return variant
        return self.variants[-1]  # unreachable: the variants cover every version


@dataclass(frozen=True)
class Module:
    """An import module of a family. ``functions``: it has the family's module-level API."""

    name: str
    distribution: str  # the PyPI distribution that ships it
    functions: bool = True
    runtime_label: str = ""  # ``sdk`` of the messages the plugin captures through it


@dataclass(frozen=True)
class Seam:
    """The runtime capture seam: ``installer`` is ``"package.module:function"``, called with
    the plugin's patcher and hub; ``targets`` are what it patches (``"module:Class.attr"``)."""

    installer: str
    targets: tuple[str, ...]


@dataclass(frozen=True, eq=False)
class Family:
    """Everything cio-lint knows about one SDK family (one code base, however many packages)."""

    name: str  # ``CallSite.sdk`` and ``--explain-wrappers`` show it
    label: str  # the receiver CIO013's message names: "`Client.track()` takes ..."
    distributions: tuple[str, ...]  # PyPI names, in the order ``--show-settings`` lists them
    modules: tuple[Module, ...]
    clients: tuple[str, ...]  # qualified names of the client classes
    methods: tuple[Method, ...]
    capture: Seam | None  # None until the plugin step gives the family a seam
    example_setup: str  # the import (and client) lines of the rules' VALID/INVALID examples
    version_from: str | None = None  # the distribution whose version picks the variants
    described: tuple[str, ...] = ()  # methods whose signature at the decided version is shown
    default_destinations: tuple[str, ...] = ()  # whose limits (CIO101-105) apply by default
    declared_wrappers: bool = False  # ``[tool.cio-lint.wrappers]`` emit calls of this family
    # an event of a never-identified person is lost (Customer.io): CIO003's "never identifies";
    # False where the vendor makes the person from the event (PostHog)
    needs_identify: bool = True
    # the domains (and their subdomains) of the services the SDK sends to: the plugin's
    # network guard names them when it refuses a connection
    domains: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.version_from is not None and self.version_from not in self.distributions:
            raise ValueError(f"{self.name}: `{self.version_from}` is not among its distributions")
        for module in self.modules:
            if module.distribution not in self.distributions:
                raise ValueError(f"{self.name}: module `{module.name}` of an unknown distribution")
        names = [m.name for m in self.methods]
        if len(set(names)) != len(names):
            raise ValueError(f"{self.name}: a method is declared twice")
        for name in self.described:
            if name not in names:
                raise ValueError(f"{self.name}: described method `{name}` is not declared")
        for destination in self.default_destinations:
            if destination not in DESTINATIONS:
                raise ValueError(f"{self.name}: unknown destination `{destination}`")
        if self.described and self.version_from is None:
            raise ValueError(f"{self.name}: `described` needs a `version_from`")

    @property
    def top_level(self) -> tuple[str, ...]:
        """The top-level package names its modules and clients live under."""
        found = [m.name.split(".")[0] for m in self.modules]
        found += [c.split(".")[0] for c in self.clients]
        return tuple(dict.fromkeys(found))

    def method(self, name: str) -> Method | None:
        return next((m for m in self.methods if m.name == name), None)


def _check_roles(roles: Mapping[Role, str], signatures: tuple[Signature, ...], what: str) -> None:
    for role, param in roles.items():
        if role not in ROLES:
            raise ValueError(f"{what}: unknown role `{role}`")
        for signature in signatures:
            if param not in signature.names():
                raise ValueError(f"{what}: role `{role}` names no parameter `{param}`")


@dataclass(frozen=True)
class GenerateTarget:
    """How ``cio-lint plan generate`` calls one SDK (``--sdk NAME``): the import of the client
    class, its name in annotations, and the track/identify calls as templates over
    ``{client}``, ``{user_id}``, ``{event}``, ``{properties}`` and ``{traits}`` (Python
    expressions of the generated function). ``example_client`` builds a client in the docs."""

    name: str
    family: str  # ``Family.name``: whose calls the generated functions make
    import_line: str
    client_type: str
    track: str
    identify: str
    example_client: str
    note: str = ""  # what the generated calls assume (a version), shown in the module header
