"""More foreign plan formats (PostHog's ``posthog.events.yaml``, OpenTrackPlan), and the notes
``cio-lint plan import`` prints about what a conversion cannot express.

Like ``importers.py``, conversion moves what each tool says into cio-lint's plan format; what
has no place there is kept under an ``x-`` key when it is metadata (owners, tags, taxonomies),
and otherwise dropped *and named*: ``notes(path)`` lists each such thing, one line each.

- PostHog (``posthog-cli exp schema``): ``events.NAME.properties`` and the ``property_groups``
  it lists, inlined; property types ``string|numeric|boolean|date_time|object``.
- OpenTrackPlan (``opentp: 2026-01``): a folder with a root ``opentp.yaml`` (``spec.events``:
  the global payload schema, dictionaries) and one file per event (``event.key``, ``payload``,
  per platform and per version). An event is named by its ``key``; its payload is the
  ``current`` version of every platform, merged into one schema (a cio-lint plan is not per
  platform); a property is the global definition overlaid by the event's (``value`` ->
  ``const``, ``dict`` -> ``enum`` of the dictionary's values).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from cio_lint.plan.errors import PlanError, PlanIssue

# JSON Schema keywords a PostHog / OpenTrackPlan property may carry as they are.
_KEEP = frozenset(
    {
        "type", "enum", "const", "pattern", "format", "minLength", "maxLength", "minimum",
        "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "items", "minItems",
        "maxItems", "uniqueItems", "title", "description", "default", "examples",
        "properties", "additionalProperties",
    }
)  # fmt: skip


def _plan(events: dict[str, Any], extra: dict[str, Any] | None = None) -> dict[str, Any]:
    plan: dict[str, Any] = {"version": 1}
    plan.update(extra or {})
    plan["events"] = events
    return plan


# --------------------------------------------------------------------------- PostHog

_POSTHOG_TYPES: dict[str, dict[str, Any]] = {
    "string": {"type": "string"},
    "numeric": {"type": "number"},
    "boolean": {"type": "boolean"},
    "date_time": {"type": "string", "format": "date-time"},
    "object": {"type": "object"},
}
_POSTHOG_EVENT_META = ("type", "owner", "tags", "primary_property", "status")


def is_posthog(doc: object) -> bool:
    """A ``posthog.events.yaml``: keys a native plan never has (``property_groups``,
    ``baselines``, or ``naming.event`` in the singular)."""
    if not isinstance(doc, dict) or not isinstance(doc.get("events", {}), dict):
        return False
    naming = doc.get("naming")
    return (
        "property_groups" in doc
        or "baselines" in doc
        or (isinstance(naming, dict) and "event" in naming)
    )


def _posthog_props(props: object, where: str, notes: list[str]) -> tuple[dict[str, Any], list[str]]:
    out: dict[str, Any] = {}
    required: list[str] = []
    if not isinstance(props, dict):
        return out, required
    for name, spec in props.items():
        if not isinstance(spec, dict):
            notes.append(f"{where}.{name}: not a property definition: imported without a type")
            out[str(name)] = {}
            continue
        kind = spec.get("type")
        schema = dict(_POSTHOG_TYPES.get(str(kind), {}))
        if kind is not None and str(kind) not in _POSTHOG_TYPES:
            notes.append(f"{where}.{name}.type: `{kind}` is not a PostHog property type: dropped")
        if isinstance(spec.get("description"), str) and spec["description"]:
            schema = {"description": spec["description"], **schema}
        for key in spec:
            if key not in ("type", "required", "description"):
                notes.append(f"{where}.{name}.{key}: not part of the PostHog format: dropped")
        out[str(name)] = schema
        if spec.get("required") is True:
            required.append(str(name))
    return out, required


def convert_posthog(doc: dict[str, Any], notes: list[str] | None = None) -> dict[str, Any]:
    """A ``posthog.events.yaml`` as a plan dict: property groups inlined into each event."""
    notes = [] if notes is None else notes
    groups: dict[str, tuple[dict[str, Any], list[str]]] = {}
    for name, group in (doc.get("property_groups") or {}).items():
        listed = group.get("properties") if isinstance(group, dict) else None
        groups[str(name)] = _posthog_props(listed, f"property_groups.{name}.properties", notes)
    events: dict[str, Any] = {}
    for name, event in (doc.get("events") or {}).items():
        event = event if isinstance(event, dict) else {}
        props: dict[str, Any] = {}
        required: list[str] = []
        for group in event.get("property_groups") or []:
            if str(group) not in groups:
                issue = PlanIssue(
                    "PostHog plan",
                    None,
                    f"$.events.{name}",
                    f"property group `{group}` is not defined",
                )
                raise PlanError("PostHog plan cannot be imported", [issue])
            group_props, group_required = groups[str(group)]
            for prop, prop_schema in group_props.items():
                if prop in props and props[prop] != prop_schema:
                    notes.append(
                        f"events.{name}: property `{prop}` of group `{group}` differs from an "
                        "earlier definition: the later one is kept"
                    )
                props[prop] = prop_schema
            required += [r for r in group_required if r not in required]
        own, own_required = _posthog_props(
            event.get("properties"), f"events.{name}.properties", notes
        )
        props.update(own)
        required += [r for r in own_required if r not in required]
        schema: dict[str, Any] = {}
        if isinstance(event.get("description"), str) and event["description"]:
            schema["description"] = event["description"]
        if str(event.get("status", "")).lower() == "deprecated":
            schema["deprecated"] = True
        meta = {k: event[k] for k in _POSTHOG_EVENT_META if k in event}
        if meta:
            schema["x-posthog"] = meta
        schema["properties"] = props
        if required:
            schema["required"] = required
        for key in event:
            if key not in (*_POSTHOG_EVENT_META, "description", "property_groups", "properties"):
                notes.append(f"events.{name}.{key}: not part of the PostHog format: dropped")
        events[str(name)] = schema
    extra: dict[str, Any] = {}
    top = {k: doc[k] for k in ("naming", "baselines") if k in doc}
    if top:
        extra["x-posthog"] = top
    if isinstance(doc.get("naming"), dict) and doc["naming"].get("event"):
        notes.append(
            f"naming.event: the convention `{doc['naming']['event']}` is kept as "
            "`x-posthog.naming`; cio-lint does not check it"
        )
    for key in doc:
        if key not in ("version", "naming", "baselines", "property_groups", "events"):
            notes.append(f"{key}: not part of the PostHog format: dropped")
    return _plan(events, extra)


# --------------------------------------------------------------------------- OpenTrackPlan


def is_opentp_doc(doc: object) -> bool:
    return isinstance(doc, dict) and "opentp" in doc


def opentp_files(root: Path) -> list[tuple[str, dict[str, Any]]] | None:
    """The documents of an OpenTrackPlan folder (root ``opentp.yaml`` with ``spec``), or ``None``."""
    if not (root / "opentp.yaml").is_file():
        return None
    docs = []
    for path in sorted(root.rglob("*")):
        if path.suffix.lower() in (".yaml", ".yml") and path.is_file():
            try:
                doc = yaml.safe_load(path.read_text("utf-8-sig"))
            except (OSError, ValueError, yaml.YAMLError):
                return None
            if not is_opentp_doc(doc):
                return None
            docs.append((path.relative_to(root).as_posix(), doc))
    return docs


class _OpenTP:
    def __init__(self, docs: Iterable[tuple[str, dict[str, Any]]], notes: list[str]) -> None:
        self.notes = notes
        self.spec: dict[str, Any] = {}
        self.dicts: dict[str, list[Any]] = {}
        self.events: list[tuple[str, dict[str, Any]]] = []
        pending = []
        for rel, doc in docs:
            if isinstance(doc.get("spec"), dict):
                self.spec = doc["spec"]
            elif isinstance(doc.get("dict"), dict):
                pending.append((rel, doc["dict"]))
            elif isinstance(doc.get("event"), dict):
                self.events.append((rel, doc["event"]))
        dict_root = str(
            ((self.spec.get("paths") or {}).get("dictionaries") or {}).get("root", "dictionaries")
        ).strip("/")
        for rel, entry in pending:
            key = rel.rsplit(".", 1)[0]
            if dict_root and key.startswith(dict_root + "/"):
                key = key[len(dict_root) + 1 :]
            self.dicts[key] = list(entry.get("values") or [])
        events_spec = self.spec.get("events") or {}
        self.globals: dict[str, Any] = dict((events_spec.get("payload") or {}).get("schema") or {})
        for target in (self.spec.get("targets") or {}).values():  # platform-only properties
            for name, prop in ((target or {}).get("schema") or {}).items():
                self.globals.setdefault(name, prop)
        if "key" in events_spec:
            notes.append("spec.events.key: constraints on event keys are not checked by cio-lint")

    def property(self, name: str, spec: Any, where: str) -> dict[str, Any]:
        merged = {**(self.globals.get(name) or {}), **(spec if isinstance(spec, dict) else {})}
        schema: dict[str, Any] = {}
        for key, value in merged.items():
            if key in _KEEP:
                schema[key] = value
            elif key == "value":
                schema["const"] = value
            elif key == "example":
                schema["examples"] = [value]
            elif key == "dict":
                values = self.dicts.get(str(value))
                if values is None:
                    self.notes.append(f"{where}.dict: dictionary `{value}` not found: dropped")
                else:
                    schema["enum"] = values
            elif key == "valueRequired":
                if value is True:
                    schema["not"] = {"enum": [None, ""]}
            elif key == "required":
                continue
            elif key == "name":
                schema["x-opentp-name"] = value
            elif key == "pii":
                schema["x-pii"] = value
            elif key.startswith("x-"):
                schema[key] = value
            else:
                self.notes.append(f"{where}.{key}: not a keyword cio-lint can express: dropped")
        return schema

    def payload_versions(self, payload: dict[str, Any], name: str) -> dict[str, dict[str, Any]]:
        """platform -> the schema of its current version (a plain ``schema`` is ``all``)."""
        if "schema" in payload:
            return {"all": payload["schema"] or {}}
        out: dict[str, dict[str, Any]] = {}
        for platform, entry in payload.items():
            if not isinstance(entry, dict):
                continue
            if "schema" in entry and "current" not in entry:
                out[platform] = entry["schema"] or {}
                continue
            current = entry.get("current")
            seen = set()
            while isinstance(current, str) and isinstance(entry.get(current), str):
                if current in seen:
                    break
                seen.add(current)
                current = entry[current]
            versions = [k for k, v in entry.items() if isinstance(v, dict) and k != "meta"]
            if len(versions) > 1:
                dropped = ", ".join(v for v in versions if v != current)
                self.notes.append(
                    f"{name}: payload.{platform}: only the current version `{current}` is "
                    f"imported (not {dropped})"
                )
            out[platform] = self._resolve(payload, platform, str(current), name, set())
        return out

    def _resolve(
        self, payload: dict[str, Any], platform: str, version: str, name: str, seen: set[str]
    ) -> dict[str, Any]:
        if "::" in version:
            platform, version = version.split("::", 1)
        entry = (payload.get(platform) or {}).get(version)
        if not isinstance(entry, dict) or f"{platform}::{version}" in seen:
            self.notes.append(f"{name}: payload.{platform}.{version}: not found: dropped")
            return {}
        seen.add(f"{platform}::{version}")
        base = {}
        if isinstance(entry.get("$ref"), str):
            base = self._resolve(payload, platform, entry["$ref"], name, seen)
        return {**base, **(entry.get("schema") or {})}

    def event(self, rel: str, event: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        name = str(event.get("key") or rel.rsplit("/", 1)[-1].rsplit(".", 1)[0])
        platforms = self.payload_versions(event.get("payload") or {}, name)
        if len(platforms) > 1:
            self.notes.append(
                f"{name}: the payloads of {', '.join(platforms)} are merged into one schema "
                "(a cio-lint plan is not per platform)"
            )
        props: dict[str, list[dict[str, Any]]] = {}
        required_on: dict[str, int] = {}
        for fields in platforms.values():
            required_here = {n for n, p in self.globals.items() if (p or {}).get("required")}
            for prop, spec in fields.items():
                if isinstance(spec, dict) and spec.get("required") is True:
                    required_here.add(prop)
                elif isinstance(spec, dict) and spec.get("required") is False:
                    required_here.discard(prop)
            for prop in sorted(set(fields) | required_here):
                converted = self.property(prop, fields.get(prop), f"{name}.payload.{prop}")
                if converted not in props.setdefault(prop, []):
                    props[prop].append(converted)
            for prop in required_here:
                required_on[prop] = required_on.get(prop, 0) + 1
        properties: dict[str, Any] = {}
        for prop, schemas in props.items():
            bases = [{k: v for k, v in s.items() if k != "const"} for s in schemas]
            if len(schemas) > 1 and all(
                "const" in s and b == bases[0] for s, b in zip(schemas, bases)
            ):
                # one value per platform: any of them
                properties[prop] = {**bases[0], "enum": [s["const"] for s in schemas]}
            else:
                properties[prop] = schemas[0] if len(schemas) == 1 else {"anyOf": schemas}
        schema: dict[str, Any] = {}
        taxonomy = event.get("taxonomy")
        if isinstance(taxonomy, dict) and isinstance(taxonomy.get("action"), str):
            schema["description"] = taxonomy["action"]
        lifecycle = event.get("lifecycle")
        if isinstance(lifecycle, dict) and str(lifecycle.get("status")) == "deprecated":
            schema["deprecated"] = True
        for key in ("taxonomy", "lifecycle"):
            if key in event:
                schema[f"x-opentp-{key}"] = event[key]
        for key in event:
            if key not in ("key", "payload", "taxonomy", "lifecycle") and not key.startswith("x-"):
                self.notes.append(f"{name}.{key}: not imported")
        schema["properties"] = properties
        required = sorted(p for p, n in required_on.items() if n == len(platforms))
        if required:
            schema["required"] = required
        return name, schema


def convert_opentp(
    docs: Iterable[tuple[str, dict[str, Any]]], notes: list[str] | None = None
) -> dict[str, Any]:
    """An OpenTrackPlan folder (``(relative path, document)`` pairs) as a plan dict."""
    plan = _OpenTP(docs, [] if notes is None else notes)
    events = dict(plan.event(rel, event) for rel, event in plan.events)
    return _plan(dict(sorted(events.items())))


# --------------------------------------------------------------------------- notes


def notes(path: Path) -> list[str]:
    """What importing ``path`` drops or cannot express, one line each (after a successful import)."""
    from cio_lint.plan import importers

    out: list[str] = []
    if path.is_dir():
        found = opentp_files(path)
        if found is not None:
            convert_opentp(found, out)
            return out
        docs = []
        for f in sorted(path.rglob("*")):
            if f.is_file() and f.suffix.lower() in (".yaml", ".yml"):
                doc = yaml.safe_load(f.read_text("utf-8-sig"))
                if importers.is_rudder_doc(doc):
                    docs.append(doc)
        for doc in docs:
            if doc.get("kind") == "events":
                for event in (doc.get("spec") or {}).get("events") or []:
                    kind = str(event.get("event_type", "track")).lower()
                    if kind not in ("track", "identify", "group"):
                        out.append(f"event `{event.get('id')}`: {kind} events are not imported")
        if docs:
            return out
        iglu = importers.iglu_files(path)
        _iglu_notes([doc for _, doc in iglu], out)
        if iglu:
            return out
        for f in sorted(path.rglob("*.json")):
            out += _json_notes(json.loads(f.read_text("utf-8-sig")), f.as_posix())
        return out
    text = path.read_text("utf-8-sig")
    doc = yaml.safe_load(text) if path.suffix.lower() in (".yaml", ".yml") else json.loads(text)
    if is_posthog(doc):
        convert_posthog(doc, out)
        return out
    if importers.is_rudder_doc(doc):
        return out
    return _json_notes(doc, path.as_posix())


def _json_notes(doc: Any, shown: str) -> list[str]:
    from cio_lint.plan.importers import detect_format

    fmt = detect_format(doc)
    out: list[str] = []
    if fmt == "typewriter-v8":
        data = doc if "rules" in doc else doc["data"]
        newest: dict[tuple[object, object], int] = {}
        for rule in data["rules"]:
            key = (rule.get("type"), rule.get("key"))
            version = rule.get("version") if isinstance(rule.get("version"), int) else 0
            newest[key] = max(newest.get(key, version), version)
        for rule in data["rules"]:
            kind, key = rule.get("type"), rule.get("key")
            if kind not in ("TRACK", "IDENTIFY", "GROUP"):
                out.append(
                    f"{shown}: rule `{key}` ({kind}): only TRACK, IDENTIFY and GROUP rules are imported"
                )
            elif (rule.get("version") or 0) < newest[(kind, key)]:
                out.append(
                    f"{shown}: rule `{key}` version {rule.get('version')}: replaced by version "
                    f"{newest[(kind, key)]}, not imported"
                )
    elif fmt == "typewriter-v7":
        for key in doc["rules"]:
            if key not in ("events", "identify", "group", "identify_traits", "group_traits"):
                out.append(
                    f"{shown}: `rules.{key}`: not imported (cio-lint plans describe track, identify and group)"
                )
        for event in doc["rules"]["events"]:
            context = _context_rules(event.get("rules") if isinstance(event, dict) else None)
            if context:
                out.append(
                    f"{shown}: event `{event.get('name')}`: its `context` rules are not imported"
                )
    elif fmt == "ruddertyper":
        for event in doc["rules"]["events"]:
            kind = str(event.get("eventType", "track")).lower() if isinstance(event, dict) else ""
            if kind not in ("track", "identify", "group"):
                out.append(f"{shown}: `{event.get('name') or kind}` ({kind}): not imported")
    elif fmt == "iglu":
        _iglu_notes([doc], out)
    return out


def _context_rules(rules: object) -> bool:
    props = rules.get("properties") if isinstance(rules, dict) else None
    context = props.get("context") if isinstance(props, dict) else None
    return isinstance(context, dict) and bool(context.get("properties"))


def _iglu_notes(docs: list[dict[str, Any]], out: list[str]) -> None:
    from cio_lint.plan.importers import _schemaver

    newest: dict[tuple[str, str], str] = {}
    for doc in docs:
        s = doc["self"]
        key = (str(s["vendor"]), str(s["name"]))
        if key not in newest or _schemaver(s["version"]) > _schemaver(newest[key]):
            newest[key] = str(s["version"])
    for doc in docs:
        s = doc["self"]
        key = (str(s["vendor"]), str(s["name"]))
        if str(s["version"]) != newest[key]:
            out.append(
                f"iglu:{key[0]}/{key[1]}/jsonschema/{s['version']}: replaced by "
                f"{newest[key]}, not imported"
            )


def as_extensions(plan: dict[str, Any], notes: list[str]) -> dict[str, Any]:
    """Rename every key of the plan's schemas that JSON Schema does not define (Segment's
    ``key``, RudderStack's ``x``-less metadata) to ``x-KEY``: a native plan reports unknown
    keywords, a converted one does not, and either way they constrain nothing."""
    import copy

    from cio_lint.plan.errors import json_path
    from cio_lint.plan.loader import _schemas
    from cio_lint.plan.messages import unknown_keywords

    plan = copy.deepcopy(plan)
    found = sorted(
        (path for path, _ in unknown_keywords(_schemas(plan))), key=len, reverse=True
    )  # the deepest first: renaming a key moves what is below it
    for path in found:
        node: Any = plan
        for part in path[:-1]:
            node = node[part]
        key = str(path[-1])
        value = node.pop(key)
        node.setdefault(f"x-{key}", value)
        notes.append(f"{json_path(path)}: `{key}` is not a JSON Schema keyword: kept as `x-{key}`")
    return plan
