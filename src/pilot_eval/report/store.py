"""The plain-file codec of the report's saved estimates (:class:`pilot_eval.report.stages.ReportEstimates`):
JSON with tagged values, parquet for frames, no pickles.

JSON holds None, bools, ints, strings, lists and dicts with text keys as they are; a float
that is not finite, a tuple, a set, a dict with other keys, a numpy array or scalar, a
timestamp, a frame or series (a parquet file beside the JSON) and an instance of one of
this package's classes (its attributes) are objects with one "__tag__" key. Arrays are
lists with their dtype and shape (NaN as null). Only classes of pilot_eval are rebuilt.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import importlib
import json
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd


def _name(hint: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", hint).strip("_")[:120] or "table"


class _Writer:
    def __init__(self, folder: Path):
        self.folder = folder
        self.used: set[str] = set()

    def _file(self, hint: str) -> str:
        base = _name(hint)
        name, n = base, 1
        while name in self.used:
            n += 1
            name = f"{base}-{n}"
        self.used.add(name)
        (self.folder / "tables").mkdir(exist_ok=True)
        return f"tables/{name}.parquet"

    def encode(self, x, hint: str):  # noqa: C901 - one branch per kind of value, in one place
        if x is None or isinstance(x, (bool, str)):
            return x
        if isinstance(x, int) and type(x) is int:
            return x
        if isinstance(x, float) and type(x) is float:
            return x if math.isfinite(x) else {"__float__": repr(x)}
        if isinstance(x, np.ndarray):
            return self._array(x, hint)
        if isinstance(x, np.generic):
            return {"__numpy__": self._array(np.asarray(x), hint), "dtype": x.dtype.str}
        if isinstance(x, pd.DataFrame):
            return self._frame(x, hint)
        if isinstance(x, pd.Series):
            frame = x.to_frame(name="values")
            return {"__series__": self._frame(frame, hint), "name": self.encode(x.name, hint)}
        if x is pd.NaT:
            return {"__timestamp__": None}
        if isinstance(x, pd.Timestamp):
            return {"__timestamp__": x.isoformat(), "tz": str(x.tz) if x.tz else None}
        if isinstance(x, (dt.date, dt.datetime)):
            return {"__date__": x.isoformat(), "kind": type(x).__name__}
        if isinstance(x, list):
            return [self.encode(v, f"{hint}-{i}") for i, v in enumerate(x)]
        if isinstance(x, tuple):
            return {"__tuple__": [self.encode(v, f"{hint}-{i}") for i, v in enumerate(x)]}
        if isinstance(x, (set, frozenset)):
            kind = "__frozenset__" if isinstance(x, frozenset) else "__set__"
            return {kind: [self.encode(v, hint) for v in sorted(x, key=repr)]}
        if isinstance(x, dict):
            if all(isinstance(k, str) and not k.startswith("__") for k in x):
                return {k: self.encode(v, f"{hint}-{k}") for k, v in x.items()}
            return {"__dict__": [[self.encode(k, hint), self.encode(v, f"{hint}-{k}")] for k, v in x.items()]}
        cls = type(x)
        if cls.__module__.split(".")[0] == "pilot_eval":
            state = x.__getstate__() if hasattr(x, "__getstate__") else vars(x)
            if dataclasses.is_dataclass(x) and not isinstance(state, dict):
                state = {f.name: getattr(x, f.name) for f in dataclasses.fields(x)}
            return {"__object__": f"{cls.__module__}:{cls.__qualname__}", "state": self.encode(dict(state), hint)}
        raise TypeError(f"cannot save a {cls.__module__}.{cls.__qualname__} ({hint}) as plain files")

    def _array(self, a: np.ndarray, hint: str) -> dict:
        if a.dtype.kind in "biu":
            values = a.ravel().tolist()
        elif a.dtype.kind == "f":  # NaN as null, infinities tagged
            values = [v if math.isfinite(v) else None if v != v else {"__float__": repr(v)} for v in a.ravel().tolist()]
        elif a.dtype.kind in "mM":
            values = a.ravel().view("i8").tolist()
        elif a.dtype.kind in "US":
            values = a.ravel().tolist()
        elif a.dtype.kind == "O":
            values = [self.encode(v, hint) for v in a.ravel()]
        else:
            raise TypeError(f"cannot save an array of dtype {a.dtype} ({hint})")
        return {"__ndarray__": values, "dtype": a.dtype.str, "shape": list(a.shape)}

    def _frame(self, frame: pd.DataFrame, hint: str) -> dict:
        out = frame.copy(deep=False)
        meta: dict = {}
        if isinstance(out.columns, pd.MultiIndex) or not all(isinstance(c, str) for c in out.columns):
            meta["columns"] = self.encode(list(out.columns), hint)
            out.columns = [f"c{i}" for i in range(out.shape[1])]
        json_columns = []
        for column in out.columns:
            values = out[column]
            if values.dtype == object and not all(v is None or isinstance(v, str) for v in values):
                # anything else than text in an object column (tuples, bools beside NaN):
                # each cell as its JSON, so that it comes back as it was
                out[column] = [json.dumps(self.encode(v, hint), allow_nan=False) for v in values]
                json_columns.append(column)
        path = self._file(hint)
        out.to_parquet(self.folder / path, engine="pyarrow")
        return {"__frame__": path, **meta, **({"json_columns": json_columns} if json_columns else {})}


class _Reader:
    def __init__(self, folder: Path):
        self.folder = folder

    def decode(self, x):  # noqa: C901 - one branch per tag of _Writer.encode
        if isinstance(x, list):
            return [self.decode(v) for v in x]
        if not isinstance(x, dict):
            return x
        if len(x) == 0 or not next(iter(x)).startswith("__"):
            return {k: self.decode(v) for k, v in x.items()}
        tag = next(iter(x))
        value = x[tag]
        if tag == "__float__":
            return float(value)
        if tag == "__ndarray__":
            return self._array(x)
        if tag == "__numpy__":
            return self._array(value)[()]
        if tag == "__frame__":
            return self._frame(x)
        if tag == "__series__":
            series = self._frame(value)["values"]
            series.name = self.decode(x["name"])
            return series
        if tag == "__timestamp__":
            return pd.NaT if value is None else pd.Timestamp(value)
        if tag == "__date__":
            return (dt.datetime if x["kind"] == "datetime" else dt.date).fromisoformat(value)
        if tag == "__tuple__":
            return tuple(self.decode(v) for v in value)
        if tag == "__frozenset__":
            return frozenset(self.decode(v) for v in value)
        if tag == "__set__":
            return {self.decode(v) for v in value}
        if tag == "__dict__":
            return {self.decode(k): self.decode(v) for k, v in value}
        if tag == "__object__":
            return self._object(value, self.decode(x["state"]))
        raise ValueError(f"unknown tag {tag!r} in saved estimates")

    def _array(self, x: dict) -> np.ndarray:
        dtype = np.dtype(x["dtype"])
        values = x["__ndarray__"]
        if dtype.kind == "f":
            values = [np.nan if v is None else self.decode(v) for v in values]
            a = np.array(values, dtype=dtype)
        elif dtype.kind in "mM":
            a = np.array(values, dtype="i8").view(dtype)
        elif dtype.kind == "O":
            a = np.empty(len(values), dtype=object)
            a[:] = [self.decode(v) for v in values]
        else:
            a = np.array(values, dtype=dtype)
        return a.reshape(x["shape"])

    def _frame(self, x: dict) -> pd.DataFrame:
        frame = pd.read_parquet(self.folder / x["__frame__"], engine="pyarrow")
        for column in x.get("json_columns", []):
            frame[column] = pd.Series(
                [self.decode(json.loads(v)) for v in frame[column]], index=frame.index, dtype=object
            )
        if "columns" in x:
            columns = self.decode(x["columns"])
            frame.columns = pd.MultiIndex.from_tuples(columns) if columns and isinstance(columns[0], tuple) else columns
        return frame

    @staticmethod
    def _object(name: str, state: dict):
        module, _, qualname = name.partition(":")
        if module.split(".")[0] != "pilot_eval":
            raise ValueError(f"saved estimates name a class outside pilot_eval: {name}")
        cls = importlib.import_module(module)
        for part in qualname.split("."):
            cls = getattr(cls, part)
        obj = cls.__new__(cls)
        setstate = getattr(obj, "__setstate__", None)
        if setstate is not None:
            setstate(state)
        else:
            obj.__dict__.update(state)
        return obj
