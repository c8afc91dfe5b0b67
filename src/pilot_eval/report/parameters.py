"""The report's parameters, defined once.

:data:`DEFINITION` lists every parameter a report notebook takes: its name, default,
kind and meaning. Everything else is derived from it:

- :data:`PARAMETERS`, the names and their defaults (``pilot_eval.report.PARAMETERS``);
- :func:`notebook_parameters` and :func:`with_defaults`, which
  :func:`~pilot_eval.report.context.open_period` takes its keyword arguments through;
- :func:`parse_param` and :func:`resolve_parameters`, the validation of ``pilot-eval
  report``'s ``params/<period>.yaml`` and ``--param key=value``;
- :func:`parameters_cell`, the source of every notebook's ``parameters`` cell, and
  :func:`readme_table`, the tables of ``params/README.md`` and ``notebooks/README.md``.

After a change here, rewrite the notebooks' cells and the READMEs' tables (the tests
compare them)::

    python -m pilot_eval.report.parameters --write-notebooks notebooks/
    python -m pilot_eval.report.parameters --readme params/README.md notebooks/README.md

>>> PARAMETERS["seed"], PARAMETERS["lang"]
(2023, 'sv')
>>> with_defaults({"period": "2024Q1", "bootstrap": 9}, "open_period")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
ValueError: open_period: unknown parameter 'bootstrap'; the parameters are period, processed_dir, ...
"""

from __future__ import annotations

import argparse
import ast
import datetime as dt
import inspect
import json
import re
import sys
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from .. import paths, texts
from ..disclosure.rules import FLOORS, below_floor

__all__ = [
    "DEFINITION",
    "PARAMETERS",
    "PARAMS_DIR",
    "Parameter",
    "check_floors",
    "check_notebook_floors",
    "main",
    "notebook_parameters",
    "parameters_cell",
    "parse_param",
    "readme_table",
    "readme_tables",
    "resolve_parameters",
    "signature",
    "with_defaults",
    "write_notebooks",
    "write_readme",
]

if getattr(sys, "argv", [])[:1] == ["-m"]:
    # `python -m pilot_eval.report.parameters`: the package imports this module (through
    # context) before runpy runs it as __main__, and runpy warns of the second copy. Both
    # copies hold the same definition, so the warning says nothing.
    warnings.filterwarnings("ignore", r"'pilot_eval\.report\.parameters' found in sys\.modules", RuntimeWarning)

#: What a parameter holds: a whole number is an int, the others text; a language must be
#: one of :data:`pilot_eval.texts.LANGUAGES`.
KINDS = ("period", "path", "date", "language", "whole number")


@dataclass(frozen=True)
class Parameter:
    """One report parameter.

    Attributes
    ----------
    name, default
        The notebook variable and its value when nothing sets it (``""`` = derive).
    kind
        One of :data:`KINDS`: a ``"whole number"`` is an int, everything else text.
    meaning
        One line in English for analysts: the comment in the notebooks' parameters cell.
    readme
        The meaning in ``params/README.md``, for those who write a params file, if it
        differs; consecutive parameters with the same text share one row of its table.
    readme_default
        The default as ``params/README.md`` states it, where it is not the literal.
    floor
        For a disclosure threshold, the least value allowed (from
        :data:`pilot_eval.disclosure.rules.FLOORS`): a lower value, from the command line,
        a params file or a notebook's parameters cell, is refused (:func:`check_floors`,
        :func:`check_notebook_floors`). None for every other parameter.
    """

    name: str
    default: str | int
    kind: str
    meaning: str
    readme: str = ""
    readme_default: str = ""
    floor: int | None = None

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"parameter {self.name!r}: kind {self.kind!r} is not one of {', '.join(KINDS)}")
        if type(self.default) is not self.type:
            raise TypeError(f"parameter {self.name!r}: default {self.default!r} is not a {self.type.__name__}")
        if self.floor is not None and not (self.type is int and self.default >= self.floor):
            raise ValueError(f"parameter {self.name!r}: default {self.default!r} is below its floor {self.floor}")

    @property
    def type(self) -> type:
        """``int`` for a whole number, ``str`` for everything else."""
        return int if self.kind == "whole number" else str

    @property
    def literal(self) -> str:
        """The default as the parameters cell writes it (double quotes, as ruff formats)."""
        return json.dumps(self.default, ensure_ascii=False)


_THRESHOLDS = "disclosure thresholds ([docs/disclosure.md](../docs/disclosure.md))"

# fmt: off
#: Every report parameter, in the order of the notebooks' parameters cell.
DEFINITION: tuple[Parameter, ...] = (
    Parameter(
        "period", "2025Q4", "period", "report period: 2025Q4, 2025H2, 2025-12 or 2025",
        readme="may be left out; if present it must equal `--period`", readme_default="the `--period` given",
    ),
    Parameter(
        "processed_dir", "", "path", 'processed tables; "" = the demo data of the period (made on first run)',
        readme='processed tables; `""` = `data/processed/<period>` (`data/processed/demo/<period>` with `--demo`)',
    ),
    Parameter(
        "raw_dir", "", "path", "a raw export to ingest when processed_dir holds no data yet",
        readme="a raw export to ingest when `--raw` is not given",
    ),
    Parameter(
        "results_dir", "", "path", 'the report\'s saved estimates; "" = compute them in the notebook',
        readme='the report\'s saved estimates; `""` = compute them in the notebook',
    ),
    Parameter(
        "cut_date", "", "date", 'data cut date; "" = the last day of the period',
        readme="data cut date, `YYYY-MM-DD`", readme_default="last day of the period",
    ),
    Parameter(
        "window_start", "2021-01-01", "date", "first publication date analysed",
        readme="publication dates analysed (the window ends before the 2026-03-01 law change)",
    ),
    Parameter(
        "window_end", "2026-02-28", "date", "last publication date analysed (the law change of 2026-03-01)",
        readme="publication dates analysed (the window ends before the 2026-03-01 law change)",
    ),
    Parameter("lang", "sv", "language", '"sv" or "en"', readme="`sv` or `en`"),
    Parameter(
        "min_count", 5, "whole number", 'counts 1-4 are shown as "<5"', readme=_THRESHOLDS,
        floor=FLOORS["min_count"],
    ),
    Parameter(
        "min_denominator", 10, "whole number", "rates need a denominator of at least 10", readme=_THRESHOLDS,
        floor=FLOORS["min_denominator"],
    ),
    Parameter(
        "min_n", 10, "whole number", "durations need at least 10 observations", readme=_THRESHOLDS,
        floor=FLOORS["min_duration_n"],
    ),
    Parameter("bootstrap_reps", 999, "whole number", "wild cluster bootstrap draws"),
    Parameter(
        "seed", 2023, "whole number", "random seed (bootstrap, demo data)",
        readme="random seed (bootstrap and demo data)",
    ),
)
# fmt: on

#: The parameters of every report notebook, with their defaults (literals only; "" = derive).
PARAMETERS: dict[str, object] = {p.name: p.default for p in DEFINITION}
_BY_NAME = {p.name: p for p in DEFINITION}

#: ``params/<period>.yaml``: a period's parameters, read when present.
PARAMS_DIR = paths.PROJECT_ROOT / "params"

#: The first line of every notebook's parameters cell.
CELL_COMMENT = "# Parameters (papermill injects the report's values after this cell). Literals only."


# ------------------------------------------------------------------------ in the notebooks


def notebook_parameters(namespace: Mapping) -> dict:
    """The :data:`PARAMETERS` as a notebook's parameters cell set them (``globals()``);
    a name the cell does not set keeps its default.

    >>> notebook_parameters({"period": "2024Q1", "x": 1})["period"], notebook_parameters({})["min_n"]
    ('2024Q1', 10)
    """
    return {k: namespace.get(k, v) for k, v in PARAMETERS.items()}


def with_defaults(values: Mapping[str, object], where: str) -> dict:
    """Every parameter, in :data:`DEFINITION`'s order: ``values`` where given, else the
    default. A name that is not a parameter is a ValueError that lists the valid ones.

    >>> with_defaults({"lang": "en"}, "open_period")["lang"], len(with_defaults({}, "here")) == len(DEFINITION)
    ('en', True)
    """
    _check_names(values, where)
    return {k: values.get(k, v) for k, v in PARAMETERS.items()}


def _as_number(value: object) -> float | None:
    """``value`` as a number if it is one or a text that reads as one, else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return value
    try:
        return float(str(value).strip())
    except ValueError:
        return None


def check_floors(values: Mapping[str, object], where: str) -> None:
    """Refuse a disclosure threshold (a parameter with a ``floor``) below its floor: a
    ValueError that names ``where``, the parameter and its floor. A higher value is
    allowed; a value that is no number is left to the parameter's type check.

    >>> check_floors({"min_count": 6, "min_n": 10, "seed": 1}, "--param")
    >>> check_floors({"min_count": 1}, "--param")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: --param: min_count=1 is below its floor of 5 (docs/disclosure.md §3): disclosure thresholds may be ...
    """
    for p in DEFINITION:
        if p.floor is None or p.name not in values:
            continue
        number = _as_number(values[p.name])
        if number is not None and not number >= p.floor:
            raise ValueError(f"{where}: {below_floor(p.name, values[p.name], p.floor)}")


def _literal_defaults(source: str, names: set[str]) -> dict[str, object]:
    """The literal values that top-level assignments (``x = 1``, ``x: int = 1``) of
    ``source`` give to ``names``; a value that is no literal is left out."""
    defaults = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets = [node.target]
        else:
            continue
        for target in targets:
            if isinstance(target, ast.Name) and target.id in names:
                try:
                    defaults[target.id] = ast.literal_eval(node.value)
                except (ValueError, TypeError, SyntaxError, RecursionError):
                    continue
    return defaults


def check_notebook_floors(path: str | Path) -> None:
    """Refuse a notebook whose ``parameters`` cell sets a disclosure threshold below its
    floor (``min_count = 1``): the report's values, injected after that cell, would
    override it, but the notebook is wrong all the same, and opened alone in JupyterLab
    it would fail on it. A ValueError naming the notebook, the parameter and its floor.
    Only literal assignments at the cell's top level are read (the cell holds literals
    only); :func:`~pilot_eval.report.context.open_period` checks whatever the notebook
    passes it when it runs. A notebook without such a cell, or whose cell does not
    parse, is left to papermill."""
    path = Path(path)
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path} is not a readable notebook: {exc}") from None
    floored = {p.name for p in DEFINITION if p.floor is not None}
    for cell in nb.get("cells", []) if isinstance(nb, dict) else []:
        if not _is_parameters_cell(cell):
            continue
        source = cell.get("source", "")
        try:
            defaults = _literal_defaults("".join(source) if isinstance(source, list) else str(source), floored)
        except SyntaxError:
            continue
        check_floors(defaults, f"{path}, parameters cell")


def signature(first: str = "period", return_annotation: object = inspect.Signature.empty) -> inspect.Signature:
    """A signature of the parameters with their defaults (``first`` positional or keyword,
    the others keyword-only), for a function that takes them as ``**params``: what
    ``help()`` and Jupyter show."""
    kinds = {True: inspect.Parameter.POSITIONAL_OR_KEYWORD, False: inspect.Parameter.KEYWORD_ONLY}
    return inspect.Signature(
        [
            inspect.Parameter(p.name, kinds[p.name == first], default=p.default, annotation=p.type.__name__)
            for p in sorted(DEFINITION, key=lambda p: p.name != first)
        ],
        return_annotation=return_annotation,
    )


def parameters_cell() -> str:
    """The source of every notebook's ``parameters`` cell: :data:`CELL_COMMENT`, then one
    ``name = literal  # meaning`` per parameter, as ``ruff format`` writes it (the notebooks
    are formatted like the rest of the code, so the cell must be a fixed point of it).

    >>> print(parameters_cell().splitlines()[1])
    period = "2025Q4"  # report period: 2025Q4, 2025H2, 2025-12 or 2025
    """
    lines = [f"{p.name} = {p.literal}  # {p.meaning}" for p in DEFINITION]
    return "\n".join([CELL_COMMENT, *lines])


def _is_parameters_cell(cell: dict) -> bool:
    return cell.get("cell_type") == "code" and "parameters" in cell.get("metadata", {}).get("tags", [])


def write_notebooks(folder: str | Path) -> list[Path]:
    """Write :func:`parameters_cell` into the cell tagged ``parameters`` of every
    ``*.ipynb`` directly in ``folder`` (the cell keeps its id and metadata; a notebook
    without such a cell is left alone). Returns the notebooks that changed."""
    changed = []
    source = parameters_cell().splitlines(keepends=True)
    for path in sorted(Path(folder).glob("*.ipynb")):
        text = path.read_text(encoding="utf-8")
        nb = json.loads(text)
        cells = [c for c in nb.get("cells", []) if _is_parameters_cell(c)]
        if len(cells) > 1:
            raise ValueError(f"{path}: {len(cells)} cells are tagged 'parameters'; a notebook has one")
        for cell in cells:
            cell["source"] = source
        # as Jupyter and nbformat write a notebook, so that only the cell's lines differ
        new = json.dumps(nb, indent=1, ensure_ascii=False) + "\n"
        if new != text:
            path.write_text(new, encoding="utf-8")
            changed.append(path)
    return changed


# ------------------------------------------------------------------------ the READMEs' tables

#: The tables :func:`readme_table` makes: for ``params/README.md`` (how a params file or
#: ``--param`` sets them) and for ``notebooks/README.md`` (the parameters cell).
TABLES = ("params", "notebooks")
_BEGIN = re.compile(r"^<!-- parameters table: (\w+)[^>]*-->\n", re.M)
_END = "<!-- end of parameters table -->"


def _cell(text: str) -> str:
    return text.replace("|", r"\|")


def _readme_default(p: Parameter) -> str:
    if p.readme_default:
        return p.readme_default
    if p.type is int:
        return str(p.default)
    return f"`{p.default}`" if p.default else '`""`'


def _floor_note(group: list[Parameter]) -> str:
    """What the READMEs' tables say of the floors of ``group`` ("" if it has none)."""
    floors = [p.floor for p in group if p.floor is not None]
    if not floors:
        return ""
    what = "floor" if len(floors) == 1 else "floors"
    return f"; {what} {', '.join(map(str, floors))}: may be raised, never lowered (a lower value is refused)"


def readme_table(table: str = "params") -> str:
    """The Markdown table of the parameters in ``params/README.md`` (``table="params"``)
    or ``notebooks/README.md`` (``"notebooks"``).

    >>> print(readme_table("notebooks").splitlines()[2])
    | `period` | `"2025Q4"` | report period: 2025Q4, 2025H2, 2025-12 or 2025 |
    """
    if table == "notebooks":
        rows = [
            (f"`{p.name}`", f"`{p.literal}`" if p.type is str else p.literal, p.meaning + _floor_note([p]))
            for p in DEFINITION
        ]
        head = "| name | default | meaning |"
    elif table == "params":
        groups: list[list[Parameter]] = []
        for p in DEFINITION:
            if groups and p.readme and groups[-1][-1].readme == p.readme:
                groups[-1].append(p)
            else:
                groups.append([p])
        rows = [
            (
                ", ".join(f"`{p.name}`" for p in group),
                ", ".join(_readme_default(p) for p in group),
                (group[0].readme or group[0].meaning) + _floor_note(group),
            )
            for group in groups
        ]
        head = "| parameter | default | meaning |"
    else:
        raise ValueError(f"table {table!r} is not one of {', '.join(TABLES)}")
    lines = [head, "|---|---|---|", *("| " + " | ".join(map(_cell, row)) + " |" for row in rows)]
    return "\n".join(lines) + "\n"


def write_readme(path: str | Path) -> bool:
    """Rewrite the tables of ``path`` between a line ``<!-- parameters table: NAME -->``
    (NAME one of :data:`TABLES`) and the next ``<!-- end of parameters table -->``.
    Returns whether the file changed."""
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    new = _with_tables(text, str(path))
    if new != text:
        path.write_text(new, encoding="utf-8")
    return new != text


def _with_tables(text: str, where: str) -> str:
    parts, pos = [], 0
    for begin in _BEGIN.finditer(text):
        if begin.start() < pos:
            raise ValueError(f"{where}: a parameters table starts inside another")
        end = text.find(_END, begin.end())
        if end < 0:
            raise ValueError(f"{where}: the parameters table {begin[1]!r} has no line {_END!r}")
        parts += [text[pos : begin.end()], readme_table(begin[1])]
        pos = end
    if not parts:
        raise ValueError(f"{where}: no line '<!-- parameters table: NAME -->' (NAME one of {', '.join(TABLES)})")
    return "".join(parts) + text[pos:]


def readme_tables(text: str) -> list[tuple[str, str]]:
    """The ``(NAME, table)`` pairs that ``text`` holds between the markers (for the tests)."""
    out = []
    for begin in _BEGIN.finditer(text):
        end = text.find(_END, begin.end())
        out.append((begin[1], text[begin.end() : end if end >= 0 else len(text)]))
    return out


# ------------------------------------------------------------------------ pilot-eval report


def parse_param(text: str) -> tuple[str, str]:
    """Split a command-line ``key=value``.

    >>> parse_param("bootstrap_reps=199")
    ('bootstrap_reps', '199')
    >>> parse_param("seed")
    Traceback (most recent call last):
    ...
    ValueError: --param 'seed' is not key=value (e.g. --param bootstrap_reps=199)
    """
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise ValueError(f"--param {text!r} is not key=value (e.g. --param bootstrap_reps=199)")
    return key.strip(), value.strip()


def _typed(key: str, value: object, where: str) -> object:
    """``value`` as the parameter's type (int or str)."""
    if _BY_NAME[key].type is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        try:
            return int(str(value).strip())
        except ValueError:
            raise ValueError(f"{where}: parameter {key!r} must be a whole number, not {value!r}") from None
    if isinstance(value, dt.date):  # YAML reads 2025-12-31 as a date
        return value.isoformat()
    if isinstance(value, (dict, list, bool)) or value is None:
        raise ValueError(f"{where}: parameter {key!r} must be a text value, not {value!r}")
    return str(value)


def _check_names(keys: Iterable[str], where: str) -> None:
    unknown = [k for k in keys if k not in PARAMETERS]
    if unknown:
        raise ValueError(f"{where}: unknown parameter {unknown[0]!r}; the parameters are {', '.join(PARAMETERS)}")


def resolve_parameters(
    period: str,
    *,
    params_file: str | Path | None = None,
    overrides: Mapping[str, object] | None = None,
    lang: str | None = None,
    params_dir: str | Path | None = None,
) -> dict:
    """The notebook parameters of a report: defaults < params file < command line.

    Parameters
    ----------
    period
        The report period (``2025Q4``, ``2025H2``, ``2025-12``, ``2025``).
    params_file
        A YAML mapping of parameter names to values. Default ``<params_dir>/<period>.yaml``
        if it exists.
    overrides
        Parameters from the command line (``--param key=value``); text is converted to a
        whole number where the parameter is one.
    lang
        ``--lang``, applied last.
    params_dir
        Default :data:`PARAMS_DIR` (``params/``).

    Returns
    -------
    dict
        Every name of :data:`PARAMETERS`, with ``period`` set and ``cut_date`` the last
        day of the period unless given.

    Raises
    ------
    ValueError
        An unknown parameter name (the message lists the valid ones), a value of the wrong
        type, a disclosure threshold below its floor (:func:`check_floors`), a params file
        that is not a mapping or names another period, a bad period, language or cut date.

    Examples
    --------
    >>> p = resolve_parameters("2025Q4", params_file=None, overrides={"seed": "7"}, lang="en")
    >>> p["period"], p["cut_date"], p["seed"], p["lang"]
    ('2025Q4', '2025-12-31', 7, 'en')
    """
    # here, not at the top: notebooks import this module (through report.context), and
    # only the report's runner needs YAML
    import yaml

    from .. import periods

    _, last = periods.bounds(period)
    params = dict(PARAMETERS, period=period)
    path = Path(params_file) if params_file else Path(params_dir or PARAMS_DIR) / f"{period}.yaml"
    if params_file and not path.is_file():
        raise ValueError(f"params file {path} does not exist")
    if path.is_file():
        try:
            loaded = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            raise ValueError(f"{path} is not valid YAML: {exc}") from None
        if not isinstance(loaded, dict):
            raise ValueError(f"{path} must be a mapping of parameter names to values (name: value per line)")
        _check_names(loaded, str(path))
        if "period" in loaded and str(loaded["period"]) != period:
            raise ValueError(
                f"{path} sets period {loaded['period']}, but the report is for {period}: "
                "remove the line or use that period's file"
            )
        from_file = {k: _typed(k, v, str(path)) for k, v in loaded.items()}
        check_floors(from_file, str(path))
        params.update(from_file)
    overrides = dict(overrides or {})
    _check_names(overrides, "--param")
    if "period" in overrides and str(overrides["period"]) != period:
        raise ValueError("give the period with --period, not --param period=…")
    from_command_line = {k: _typed(k, v, "--param") for k, v in overrides.items()}
    check_floors(from_command_line, "--param")
    params.update(from_command_line)
    if lang is not None:
        params["lang"] = lang
    for p in DEFINITION:
        if p.kind == "language" and params[p.name] not in texts.LANGUAGES:
            raise ValueError(f"{p.name} must be one of {', '.join(texts.LANGUAGES)}, not {params[p.name]!r}")
    # only cut_date: its "" is derived here; the window's dates are read by the notebooks
    if params["cut_date"]:
        try:
            params["cut_date"] = dt.date.fromisoformat(str(params["cut_date"])).isoformat()
        except ValueError:
            raise ValueError(f"cut_date {params['cut_date']!r} is not a date (YYYY-MM-DD)") from None
    else:
        params["cut_date"] = last.date().isoformat()
    return params


# ------------------------------------------------------------------------ command line


def main(argv: list[str] | None = None) -> int:
    """``python -m pilot_eval.report.parameters``: print or write what derives from
    :data:`DEFINITION`."""
    parser = argparse.ArgumentParser(
        prog="python -m pilot_eval.report.parameters",
        description="The report parameters' notebook cell and README tables, made from their one definition.",
    )
    parser.add_argument(
        "--write-notebooks",
        metavar="FOLDER",
        type=Path,
        action="append",
        default=[],
        help="rewrite the parameters cell of every notebook in FOLDER (repeatable)",
    )
    parser.add_argument(
        "--readme",
        metavar="FILE",
        type=Path,
        nargs="*",
        default=None,
        help="without FILE print params/README.md's table; with FILEs rewrite their tables between "
        "'<!-- parameters table: params|notebooks -->' and '<!-- end of parameters table -->'",
    )
    parser.add_argument("--cell", action="store_true", help="print the notebooks' parameters cell")
    args = parser.parse_args(argv)
    if not (args.write_notebooks or args.readme is not None or args.cell):
        parser.error("give --write-notebooks FOLDER, --readme [FILE ...] or --cell")
    try:
        for folder in args.write_notebooks:
            for path in write_notebooks(folder):
                print(f"wrote {path}")
        if args.readme is not None and not args.readme:
            sys.stdout.write(readme_table("params"))
        for path in args.readme or []:
            if write_readme(path):
                print(f"wrote {path}")
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.cell:
        print(parameters_cell())
    return 0


if __name__ == "__main__":
    sys.exit(main())
