"""Evaluating symbolic values to ``Val``: literals, constants across modules, Enum members,
dicts, conditionals, and the calls whose value is known (``str()``, ``dict()``, helpers)."""

from __future__ import annotations

from cio_lint.analysis import values
from cio_lint.analysis.core import ProjectCore
from cio_lint.analysis.facts import FileFacts
from cio_lint.analysis.refs import (
    _DATETIME_CALLS,
    _MAX_DEPTH,
    _STR_METHODS,
    _from_param,
    _leaves,
    _truthiness,
    _with_loc,
)
from cio_lint.analysis.syms import Sym
from cio_lint.model import (
    Choice,
    DictVal,
    Known,
    Location,
    Origin,
    Unknown,
    Val,
)


class Evaluation(ProjectCore):
    """``value``: what a sym evaluates to where it was written."""

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
            written = sym[2][2] if sym[2] is not None and len(sym[2]) > 2 else sym[3]
            if isinstance(sym[1], str) and sym[2] is not None and isinstance(written, tuple):
                line, column, end_line, end_column = written
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
            if (
                isinstance(base, DictVal)
                and isinstance(index, Known)
                and isinstance(index.value, str)
            ):
                found = base.get(index.value)
                if found is not None:
                    return _with_loc(found, loc)
            if isinstance(base, Known) and isinstance(index, Known):
                try:
                    return Known(base.value[index.value], loc)
                except (LookupError, TypeError):
                    pass  # not a known item: unknown
            return Unknown("subscript", loc)
        if tag == "call":
            special = self._call_value(sym, mod, local, depth, loc)
            if special is not None:
                return special
        ref = self.resolve(sym, mod, depth + 1)
        if ref is None:
            if (
                tag == "attr"
                and sym[2] in ("value", "name")
                and sym[1][0] in ("param", "in")
                and _from_param(self.value(sym[1], mod, local, depth + 1))
            ):
                return Unknown(
                    "param", loc
                )  # ``event.value`` of a parameter: known at the call sites
            return Unknown(self._why_unknown(sym, mod), loc)
        if ref.kind in ("value", "enum_member") and ref.mod is not None and ref.sym is not None:
            # A constant is located where it is used; the origin of its literal (its
            # definition) is where rules report it when that file is checked, and fixes edit it.
            return _with_loc(self.value(ref.sym, ref.mod, False, depth + 1), loc)
        return Unknown("unresolved", loc)

    def _why_unknown(self, sym: Sym, mod: FileFacts) -> str:
        """ "unresolved" when the name comes from code cio-lint cannot see, else "runtime"."""
        root = sym
        while root[0] in ("attr", "sub", "call", "in"):
            root = root[2] if root[0] == "in" else root[1]
        if root[0] in ("name", "imp"):
            ref = self.resolve(root, mod)
            if ref is None or ref.kind in ("ext", "module"):
                return "unresolved"
        return "runtime"

    def _loc(self, sym: Sym, mod: FileFacts, local: bool) -> Location | None:
        """Where ``sym`` was written, if ``local``: one ``Location`` per place, made once (a
        frozen dataclass takes several times a lookup to build, and a call's values are
        evaluated by every rule that reads them)."""
        raw = sym[-1]
        if not local or not isinstance(raw, tuple) or len(raw) != 4:
            return None
        key = (mod.path, raw)
        found = self._locations.get(key)
        if found is None:
            found = self._locations[key] = Location(mod.path, *raw)
        return found

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

    def _call_value(
        self, sym: Sym, mod: FileFacts, local: bool, depth: int, loc: Location | None
    ) -> Val | None:
        func = sym[1]
        if func[0] == "attr" and func[2] == "format":
            return values.format_call(self, sym, mod, local, depth, loc)
        if func[0] == "attr" and func[2] in _STR_METHODS:
            if (
                func[2] in ("lower", "upper", "title", "strip", "capitalize", "casefold")
                and not sym[2]
            ):
                base = self.value(func[1], mod, local, depth + 1)
                if isinstance(base, Known) and isinstance(base.value, str):
                    return Known(getattr(base.value, func[2])(), loc)
            return Unknown("str", loc)
        ref = self.resolve(func, mod, depth + 1)
        if ref is None:
            whole = values.dropped_function(self, func, mod)
            if whole is not None:  # as if trimming had kept the function
                return values.helper_call(self, whole, sym, mod, local, depth, loc) or Unknown(
                    "runtime", loc
                )
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
            result = self._dict(
                ("dict", tuple(items), is_open, sym[-1]), mod, local, depth + 1, loc
            )
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
