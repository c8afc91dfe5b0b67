"""Reading and checking a mapping file (``mappings/<name>.yaml``; the format: docs/mapping.md).

A mapping says how an HR system's own export becomes the contract's tables. It is checked
in two steps, and every error names the mapping file, the LINE and the dotted path of the
key (``mappings/x.yaml, line 12: tables.applications.columns.final_status.unknown: …``):

1. its structure, with a JSON Schema (:data:`SCHEMA`, checked by ``jsonschema``); an unknown
   key is an error with a did-you-mean for a close one, a repeated key names both lines;
2. its meaning, against :mod:`pilot_eval.contract`: tables and columns are contract names,
   the targets of a value map are values of the column, every named source exists.

Undecided entries (any text that starts with ``TODO``, as ``pilot-eval map suggest`` writes
them) are collected in :attr:`Mapping.todos`; :func:`pilot_eval.ingest.ingest` refuses a
mapping that has any.
"""

from __future__ import annotations

import difflib
import hashlib
import re
import zoneinfo
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..contract import TABLES, fold, stage_lookup
from ..errors import MappingError
from ..paths import MAPPINGS_DIR

__all__ = ["Mapping", "MappingError", "load_mapping", "SCHEMA", "resolve_mapping_path", "is_todo", "iter_todos"]

_FILE_KEYS = {
    "encoding": {"enum": ["auto", "utf-8", "utf-8-sig", "cp1252", "utf-16", "latin-1"]},
    "delimiter": {"enum": ["auto", ",", ";", "\t", "|"]},
    "decimal": {"enum": [".", ","]},
    "null_values": {"type": "array", "items": {"type": "string"}},
    "header_row": {"type": "integer", "minimum": 1},
    "timezone": {"type": "string"},
}
_COLUMN = {
    "oneOf": [
        {"type": "string"},
        {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "from": {"type": "string"},
                "constant": {"type": ["string", "number", "boolean"]},
                "values": {"type": "object", "additionalProperties": {"type": ["string", "integer", "boolean"]}},
                "unknown": {"type": "string"},
                "format": {"type": "string"},
                "timezone": {"type": "string"},
                "derive": {"const": "history"},
                "from_file": {"type": "string"},
            },
        },
    ]
}
_JOIN = {
    "type": "object",
    "additionalProperties": False,
    "required": ["source", "on"],
    "properties": {
        "source": {"type": "string"},
        "on": {"type": "object", "minProperties": 1, "maxProperties": 1, "additionalProperties": {"type": "string"}},
    },
}
_HISTORY = {
    "type": "object",
    "additionalProperties": False,
    "required": ["source", "key", "at", "stage", "values"],
    "properties": {
        "source": {"type": "string"},
        "key": {"type": "string"},
        "on": {"type": "string"},
        "at": {"type": "string"},
        "stage": {"type": "string"},
        "format": {"type": "string"},
        "timezone": {"type": "string"},
        "values": {"type": "object", "additionalProperties": {"type": ["string", "integer"]}},
        "unknown": {"enum": ["quarantine", "ignore"]},
    },
}
#: Columns a stage-history block can derive, and the terminal events of a history.
DERIVABLE = ("highest_stage", "offer_date", "withdrawn_date", "withdrawn_stage", "final_status")
TERMINAL_EVENTS = ("withdrawn", "rejected", "declined_offer", "cancelled", "hired")
#: The structure of a mapping file (JSON Schema, draft 2020-12).
SCHEMA: dict = {
    "type": "object",
    "additionalProperties": False,
    "required": ["mapping_version", "sources", "tables"],
    "properties": {
        "mapping_version": {"const": 1},
        "name": {"type": "string"},
        "description": {"type": "string"},
        "defaults": {"type": "object", "additionalProperties": False, "properties": _FILE_KEYS},
        "sources": {
            "type": "object",
            "additionalProperties": {
                "type": "object",
                "additionalProperties": False,
                "required": ["file"],
                "properties": {
                    "file": {"type": "string"},
                    "format": {"enum": ["csv", "xlsx", "jsonl"]},
                    "sheet": {"type": "string"},
                    "ignore_columns": {"type": "array", "items": {"type": "string"}},
                    "reviewed_headers": {
                        "type": "object",
                        "additionalProperties": {"type": "string", "minLength": 1},
                    },
                    **_FILE_KEYS,
                },
            },
        },
        "tables": {
            "type": "object",
            "additionalProperties": {
                "type": "object",
                "additionalProperties": False,
                "required": ["source", "columns"],
                "properties": {
                    "source": {"type": "string"},
                    "join": {"type": "array", "items": _JOIN},
                    "history": _HISTORY,
                    "columns": {"type": "object", "additionalProperties": _COLUMN},
                },
            },
        },
    },
}
_KEYS_AT = {
    (): set(SCHEMA["properties"]),
    ("defaults",): set(_FILE_KEYS),
    ("sources", "*"): set(SCHEMA["properties"]["sources"]["additionalProperties"]["properties"]),
    ("tables", "*"): {"source", "join", "history", "columns"},
    ("tables", "*", "join", "*"): set(_JOIN["properties"]),
    ("tables", "*", "history"): set(_HISTORY["properties"]),
    ("tables", "*", "columns", "*"): set(_COLUMN["oneOf"][1]["properties"]),
}


@dataclass
class Mapping:
    """A mapping file as read: ``data`` is the YAML as a dict, ``todos`` the undecided
    entries as ``(line, dotted path, text)``."""

    path: Path
    data: dict
    sha256: str
    lines: dict[tuple, int] = field(default_factory=dict)
    todos: list[tuple[int, str, str]] = field(default_factory=list)

    @property
    def name(self) -> str:
        return str(self.data.get("name") or self.path.stem)

    def line_of(self, path: tuple) -> int:
        """The line of the key at ``path`` (or of its nearest parent)."""
        path = tuple(path)
        while path and path not in self.lines:
            path = path[:-1]
        return self.lines.get(path, 1)

    def where(self, path: tuple) -> str:
        return f"{self.path.name}, line {self.line_of(path)}: {'.'.join(str(p) for p in path)}"


class _Loader(yaml.SafeLoader):
    """PyYAML reads YAML 1.1, where ``on``, ``off``, ``yes`` and ``no`` are booleans (a
    join's ``on:`` key would become ``True``) and a number may hold underscores, a leading
    zero or colons (``25_34`` is 2534, ``007`` is 7 in octal, ``1:30`` is 90). Here only
    ``true`` and ``false`` are booleans and only plain decimal numbers (``42``, ``-3``,
    ``1.5``, ``2e3``) are numbers; ``25_34``, ``007`` and ``1:30`` stay text."""


_NOT_HERE = {"tag:yaml.org,2002:bool", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"}
_Loader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag not in _NOT_HERE]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_Loader.add_implicit_resolver("tag:yaml.org,2002:int", re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$"), list("-+0123456789"))
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(
        r"^(?:[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?|[-+]?[0-9]+[eE][-+]?[0-9]+|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    ),
    list("-+0123456789."),
)


def yaml_loader() -> type[yaml.SafeLoader]:
    """The loader of mapping files (:class:`_Loader`), for ``map suggest`` to read a profile
    as ``load_mapping`` reads it."""
    return _Loader


def resolve_mapping_path(name_or_path: str | Path) -> Path:
    """A path to a YAML file, or a bare profile name (``teamtailor``) in ``mappings/``."""
    path = Path(name_or_path)
    if path.suffix.lower() in (".yaml", ".yml") or path.exists():
        return path
    return MAPPINGS_DIR / f"{name_or_path}.yaml"


def _index(node, path: tuple, lines: dict, errors: list[str], label: str) -> None:
    """The line of every key, and repeated keys (which PyYAML would silently merge)."""
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key, value in node.value:
            name = key.value
            line = key.start_mark.line + 1
            if name in seen:
                errors.append(f"{label}, line {line}: the key {name!r} is given twice (first on line {seen[name]})")
            seen[name] = line
            lines[(*path, name)] = line
            _index(value, (*path, name), lines, errors, label)
    elif isinstance(node, yaml.SequenceNode):
        for i, value in enumerate(node.value):
            lines[(*path, i)] = value.start_mark.line + 1
            _index(value, (*path, i), lines, errors, label)


def is_todo(value) -> bool:
    """Whether a key or value of a mapping is undecided: a text starting with ``TODO``."""
    return isinstance(value, str) and value.strip().upper().startswith("TODO")


def iter_todos(value, path: tuple = ()):
    """``(path, text)`` of every undecided entry of a mapping's data, keys and values, in
    file order (``load_mapping`` adds their lines; ``map suggest`` lists its draft's)."""
    if isinstance(value, dict):
        for key, item in value.items():
            if is_todo(key):
                yield (*path, key), key.strip()
            yield from iter_todos(item, (*path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from iter_todos(item, (*path, i))
    elif is_todo(value):
        yield path, value.strip()


def _pattern_keys(path: tuple) -> set[str] | None:
    for pattern, keys in _KEYS_AT.items():
        if len(pattern) == len(path) and all(p in ("*", q) for p, q in zip(pattern, path, strict=True)):
            return keys
    return None


def load_mapping(name_or_path: str | Path | Mapping) -> Mapping:
    """Read and check a mapping file; raises :class:`MappingError` (exit status 2) naming
    the file, line and key of the first problems found (all of them, one per line)."""
    if isinstance(name_or_path, Mapping):
        return name_or_path
    path = resolve_mapping_path(name_or_path)
    if not path.is_file():
        shipped = sorted(p.stem for p in MAPPINGS_DIR.glob("*.yaml")) if MAPPINGS_DIR.is_dir() else []
        raise MappingError(
            f"no mapping file {str(name_or_path)!r}"
            + (f"; the shipped profiles are {', '.join(shipped)}" if shipped else ""),
            file=path,
        )
    raw = path.read_bytes()
    label = path.name
    try:
        text = raw.decode("utf-8-sig")
        node = yaml.compose(text, Loader=_Loader)
        data = yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
    except UnicodeDecodeError as exc:
        raise MappingError("the mapping file is not UTF-8 text", file=path) from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f", line {mark.line + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise MappingError(f"{label}{where}: not valid YAML ({problem})", file=path) from exc
    if not isinstance(data, dict):
        raise MappingError(f"{label}, line 1: a mapping file is a YAML mapping (key: value lines)", file=path)
    mapping = Mapping(path=path, data=data, sha256=hashlib.sha256(raw).hexdigest())
    errors: list[str] = []
    _index(node, (), mapping.lines, errors, label)
    errors += _schema_errors(mapping)
    if not errors:
        errors += _meaning_errors(mapping)
    if errors:
        raise MappingError("the mapping file has errors:\n  " + "\n  ".join(errors), file=path)
    mapping.todos = sorted((mapping.line_of(p), ".".join(map(str, p)), text) for p, text in iter_todos(data))
    return mapping


def _schema_errors(mapping: Mapping) -> list[str]:
    import jsonschema

    out: list[str] = []
    validator = jsonschema.Draft202012Validator(SCHEMA)
    for error in sorted(validator.iter_errors(mapping.data), key=lambda e: list(map(str, e.absolute_path))):
        path = tuple(error.absolute_path)
        if error.validator == "additionalProperties":
            keys = _pattern_keys(path) or set()
            given = error.instance if isinstance(error.instance, dict) else {}
            for key in [k for k in given if k not in keys]:
                close = difflib.get_close_matches(str(key), sorted(keys), n=1)
                hint = f"; did you mean {close[0]!r}?" if close else f"; allowed here: {', '.join(sorted(keys))}"
                out.append(f"{mapping.where((*path, key))}: unknown key{hint}")
            continue
        if error.validator == "oneOf":
            message = "a column is a source column's name, or a mapping with from/constant/values/unknown/format"
            blank = [
                e for e in (error.context or []) if e.validator == "type" and e.instance is None and "values" in e.path
            ]
            if blank:  # `Label:` with nothing after it, or ~ / null
                for e in blank:
                    out.append(
                        f"{mapping.where((*path, *e.path))}: no target; to map this value to empty (the contract's "
                        'missing value) write ""'
                    )
                continue
            sub = [e for e in (error.context or []) if e.validator == "additionalProperties"]
            if sub and isinstance(error.instance, dict):
                keys = _pattern_keys(path) or set()
                for key in [k for k in error.instance if k not in keys]:
                    close = difflib.get_close_matches(str(key), sorted(keys), n=1)
                    hint = f"; did you mean {close[0]!r}?" if close else f"; allowed here: {', '.join(sorted(keys))}"
                    out.append(f"{mapping.where((*path, key))}: unknown key{hint}")
                continue
            out.append(f"{mapping.where(path)}: {message}")
            continue
        out.append(f"{mapping.where(path) if path else mapping.path.name + ', line 1'}: {error.message}")
    return out


def _meaning_errors(mapping: Mapping) -> list[str]:
    data, out = mapping.data, []
    sources = data.get("sources", {})
    for key in ("defaults", *(("sources", s) for s in sources)):
        path = (key,) if isinstance(key, str) else key
        block = data.get(path[0], {}) if len(path) == 1 else sources[path[1]]
        zone = (block or {}).get("timezone")
        if zone and not is_todo(zone):
            try:
                zoneinfo.ZoneInfo(zone)
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                out.append(f"{mapping.where((*path, 'timezone'))}: unknown time zone {zone!r} (e.g. Europe/Stockholm)")
    for table, spec in data.get("tables", {}).items():
        if table not in TABLES:
            close = difflib.get_close_matches(str(table), list(TABLES), n=1)
            out.append(
                f"{mapping.where(('tables', table))}: not a table of the contract"
                + (f"; did you mean {close[0]!r}?" if close else f" ({', '.join(TABLES)})")
            )
            continue
        source = spec.get("source")
        if not is_todo(source) and source not in sources:
            out.append(
                f"{mapping.where(('tables', table, 'source'))}: no source {source!r} under sources "
                f"({', '.join(sources) or 'none'})"
            )
        for i, join in enumerate(spec.get("join") or []):
            if join["source"] not in sources:
                out.append(f"{mapping.where(('tables', table, 'join', i, 'source'))}: no source {join['source']!r}")
        history = spec.get("history")
        if history:
            if history["source"] not in sources:
                out.append(f"{mapping.where(('tables', table, 'history', 'source'))}: no source {history['source']!r}")
            if table != "applications":
                out.append(f"{mapping.where(('tables', table, 'history'))}: a stage history belongs to applications")
            for label, target in history["values"].items():
                ok = is_todo(target) or str(target) in TERMINAL_EVENTS or fold(str(target)) in stage_lookup()
                if not ok:
                    out.append(
                        f"{mapping.where(('tables', table, 'history', 'values', label))}: {target!r} is neither a "
                        f"stage (0-7 or its name) nor an end event ({', '.join(TERMINAL_EVENTS)})"
                    )
        tspec = TABLES[table]
        for column, cspec in (spec.get("columns") or {}).items():
            path = ("tables", table, "columns", column)
            if column not in tspec.column_names:
                close = difflib.get_close_matches(str(column), tspec.column_names, n=1)
                out.append(
                    f"{mapping.where(path)}: not a column of {table}"
                    + (f"; did you mean {close[0]!r}?" if close else "")
                )
                continue
            if isinstance(cspec, dict):
                out += _column_errors(mapping, path, tspec.column(column), cspec)
                if cspec.get("derive") and (column not in DERIVABLE or not history):
                    out.append(
                        f"{mapping.where((*path, 'derive'))}: only {', '.join(DERIVABLE)} of applications can be "
                        "derived, and only with a history block"
                    )
    return out


def _allowed_values(col) -> dict[str, object] | None:
    if col.kind == "enum":
        return col.label_lookup()
    if col.kind == "stage":
        return stage_lookup()
    if col.kind == "bool":
        return {v: v for v in ("true", "false", "ja", "nej", "yes", "no")}
    return None


def _quote_hint(col, target) -> str:
    """For a number that is a contract value with its underscores read away (``2534`` for
    ``25_34``, as a YAML 1.1 reader reads it): how to write it."""
    if col.kind != "enum" or isinstance(target, bool) or not isinstance(target, (int, float)):
        return ""
    close = [v for v in col.values if v.replace("_", "") == str(target)]
    return f"; write it in quotes: '{close[0]}'" if close else ""


def _column_errors(mapping: Mapping, path: tuple, col, cspec: dict) -> list[str]:
    out = []
    given = [k for k in ("from", "constant", "derive", "from_file") if k in cspec]
    if len(given) != 1:
        out.append(f"{mapping.where(path)}: give exactly one of from, constant, from_file or derive")
    if "from_file" in cspec:
        try:
            if "value" not in re.compile(cspec["from_file"]).groupindex:
                out.append(f"{mapping.where((*path, 'from_file'))}: the pattern needs a group (?P<value>…)")
        except re.error as exc:
            out.append(f"{mapping.where((*path, 'from_file'))}: not a valid pattern ({exc})")
    allowed = _allowed_values(col)
    if "values" in cspec:
        if allowed is None:
            out.append(
                f"{mapping.where((*path, 'values'))}: {col.name} is a {col.kind} column, which takes no value map"
            )
        else:
            for source_value, target in cspec["values"].items():
                if target == "":  # empty: the contract's missing value, for a column that may be empty
                    if not col.nullable:
                        out.append(
                            f"{mapping.where((*path, 'values', source_value))}: {col.name} may not be empty, "
                            'so "" (empty) is no target here'
                        )
                    continue
                if is_todo(target) or fold(str(target).lower()) in allowed:
                    continue
                names = ", ".join(col.values) if col.kind == "enum" else "0-7 or a stage name"
                out.append(
                    f"{mapping.where((*path, 'values', source_value))}: {target!r} is not a value of "
                    f"{col.name} ({names}){_quote_hint(col, target)}"
                )
    unknown = cspec.get("unknown")
    policy = unknown is not None and unknown not in ("quarantine", "keep") and not is_todo(unknown)
    if policy and (allowed is None or fold(str(unknown)) not in allowed):
        names = ", ".join(col.values) if col.kind == "enum" else "0-7"
        out.append(f"{mapping.where((*path, 'unknown'))}: must be quarantine, keep or a value of {col.name} ({names})")
    if ("format" in cspec or "timezone" in cspec) and col.kind != "date":
        out.append(f"{mapping.where(path)}: format and timezone apply to date columns only ({col.name} is {col.kind})")
    zone = cspec.get("timezone")
    if zone and not is_todo(zone):
        try:
            zoneinfo.ZoneInfo(zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            out.append(f"{mapping.where((*path, 'timezone'))}: unknown time zone {zone!r}")
    return out
