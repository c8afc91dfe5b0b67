"""environment.yml (for analysts with conda) stays in step with pyproject.toml."""

from __future__ import annotations

import re
import tomllib

import yaml

from pilot_eval.paths import PROJECT_ROOT


def _name(req: str) -> str:
    return re.split(r"[<>=!~ ;\[]", req, maxsplit=1)[0].strip().lower().replace("_", "-")


def _spec(req: str) -> str:
    return req[len(re.split(r"[<>=!~ ;\[]", req, maxsplit=1)[0]) :].replace(" ", "")


def test_environment_yml_matches_pyproject():
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]
    wanted = {_name(r): _spec(r) for r in project["dependencies"] + project["optional-dependencies"]["test"]}
    env = yaml.safe_load((PROJECT_ROOT / "environment.yml").read_text())
    conda = [d for d in env["dependencies"] if isinstance(d, str)]
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    # the developer tools (ruff, import-linter) come from PyPI, as in the venv the tests run in
    got = {_name(d): _spec(d) for d in conda + [p for p in pip if p != "-e ."] if _name(d) not in ("python", "pip")}
    assert got == wanted, "environment.yml and pyproject.toml disagree: update both"
    assert {_name(p) for p in pip if p != "-e ."} == {"ruff", "import-linter"}
    python = next(d for d in conda if _name(d) == "python")
    assert python == "python=3.11" and project["requires-python"].startswith(">=3.11")
    assert "-e ." in pip
    assert env["channels"] == ["conda-forge"]


def test_every_dependency_is_pinned_to_a_range():
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]
    for req in project["dependencies"] + project["optional-dependencies"]["test"]:
        assert ">=" in req and "<" in req.replace("<=", ""), f"{req} needs a tested range"
    gx = next(r for r in project["dependencies"] if r.startswith("great-expectations"))
    lo, hi = re.findall(r"\d+\.\d+", gx)
    assert lo.split(".")[0] == hi.split(".")[0] and int(hi.split(".")[1]) == int(lo.split(".")[1]) + 1, (
        "GX is pinned to one minor version"
    )


def _bounds(req: str) -> tuple[str, str]:
    lower = re.search(r">=\s*([\d.]+)", req).group(1)
    upper = re.search(r"<\s*([\d.]+)", req).group(1)
    return lower, upper


def _release(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.match(r"[\d.]+", version).group(0).rstrip(".").split("."))


def test_pins_claim_no_more_than_was_tested():
    """Each range is one minor version (or one major where the project has no minors,
    pyarrow 26.x) and holds the version installed in the environment the tests run in."""
    from importlib.metadata import version

    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]
    for req in project["dependencies"] + project["optional-dependencies"]["test"]:
        lower, upper = _bounds(req)
        lo, hi = _release(lower), _release(upper)
        assert len(hi) >= min(len(lo), 2) and hi == lo[: len(hi) - 1] + (lo[len(hi) - 1] + 1,), (
            f"{req}: wider than the one version tested"
        )
        installed = _release(version(_name(req)))
        assert lo <= installed[: len(lo)] and installed[: len(hi)] < hi, f"{req}: {version(_name(req))} installed"
