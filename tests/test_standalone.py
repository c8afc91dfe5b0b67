"""The repository stands alone (issue 19 item 6): a fresh clone has everything it names.

Over every file git tracks (``git ls-files``, run from the repository that holds this test):

1. no text names a document outside the repository (the parent folder's ``shared``
   directory) or an absolute path of one machine (a home, root's home, a ``/work`` or
   ``/tmp/<name>`` folder, a Windows user folder); a reproducible instruction uses a
   relative path instead (e.g. ``python -m venv .refvenv-x``);
2. every relative link of a Markdown file (and of a notebook's Markdown cells) points to a
   tracked file or folder inside the repository;
3. no test module skips because a file is missing, unless that file is provably under
   ``tests/`` (so in the clone): the reference data live in ``tests/data/``.

The detectors are tested on planted lines first, so that a pass means something.
"""

from __future__ import annotations

import ast
import json
import re
import subprocess
from pathlib import Path, PurePosixPath

import pytest

HERE = Path(__file__).resolve().parent


def _repo_root() -> Path:
    out = subprocess.run(["git", "rev-parse", "--show-toplevel"], cwd=HERE, capture_output=True, text=True, check=True)
    return Path(out.stdout.strip()).resolve()


REPO = _repo_root()


def _tracked() -> list[str]:
    out = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True)
    return [name for name in out.stdout.decode("utf-8").split("\0") if name]


TRACKED = _tracked()
TRACKED_SET = set(TRACKED)
TRACKED_DIRS = {str(parent) for name in TRACKED for parent in PurePosixPath(name).parents if str(parent) != "."}

# ---- 1. names of things outside the repository -----------------------------------------

#: A path into the parent folder's shared directory ("..", "/", "shared").
OUTSIDE = re.compile(r"\.\./(?:\.\./)*shared\b")
#: An absolute path of one machine. The look-behind keeps URLs (``https://host/home/x``) and
#: relative paths (``data/raw/x``) out: the slash must start the path.
MACHINE_PATH = re.compile(
    r"(?<![\w.~/:-])/(?:work|home|root|Users)/[\w.-]+"
    r"|(?<![\w.~/:-])/tmp/[\w.-]+"
    r"|\b[A-Za-z]:\\\\?Users\\"
)

#: (file, exact text) pairs that match MACHINE_PATH but are not machine paths, each with why.
ALLOWED: dict[tuple[str, str], str] = {}


def path_problems(text: str) -> list[str]:
    """Each name of a place outside the repository in ``text``, as ``line N: match``."""
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        for pattern in (OUTSIDE, MACHINE_PATH):
            found += [f"line {number}: {m.group(0)}" for m in pattern.finditer(line)]
    return found


def _text(name: str) -> str | None:
    data = (REPO / name).read_bytes()
    if b"\0" in data:
        return None  # binary (images, Stata files)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")  # e.g. the Card & Krueger code book (code page 437)


def test_the_path_detector_finds_planted_lines():
    # (the planted names are built from pieces, so that this file passes its own test)
    shared, home, tmp, users = "..{}shared".format("/"), "/" + "home/anna", "/" + "tmp/csd", "c:" + "\\Users\\"
    planted = f"ok line\nsee [design]({shared}/DESIGN.md)\nread {home}/x.csv and `{tmp}/bin/pip`\n"
    assert path_problems(planted) == [f"line 2: {shared}", f"line 3: {home}", f"line 3: {tmp}"]
    assert path_problems(users + "anna\\data.xlsx") == [f"line 1: {users}"]
    # not machine paths: URLs, relative paths, tmp_path, a bare "/tmp/" in an assertion
    clean = (
        "https://example.org/home/x https://github.com/a/b/tree/work/y data/raw/2025Q4 tmp_path / 'x'\n"
        "assert '/" + "tmp/' not in out  # tests/data/sicily.csv .refvenv-x/bin/pip\n"
    )
    assert path_problems(clean) == []


def test_no_tracked_file_names_a_place_outside_the_repository():
    problems = []
    for name in TRACKED:
        text = _text(name)
        if text is None:
            continue
        for problem in path_problems(text):
            match = problem.split(": ", 1)[1]
            if (name, match) not in ALLOWED:
                problems.append(f"{name} {problem}")
    assert not problems, "names outside the repository (use a relative path):\n" + "\n".join(problems)


def test_the_allow_list_is_still_needed():
    for (name, match), reason in ALLOWED.items():
        assert reason, (name, match)
        assert name in TRACKED_SET and match in (_text(name) or ""), f"stale allow-list entry {name}: {match}"


# ---- 2. Markdown links ------------------------------------------------------------------

LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+[\"'][^)]*[\"'])?\s*\)")
REFERENCE_LINK = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)", re.MULTILINE)
SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
FENCE = re.compile(r"^(\s*)(`{3,}|~{3,}).*?^\1\2[^\n]*$", re.MULTILINE | re.DOTALL)
CODE_SPAN = re.compile(r"(`+)(?!`).*?(?<!`)\1(?!`)", re.DOTALL)


def markdown_links(text: str) -> list[str]:
    """The link targets of Markdown ``text``, code blocks and code spans left out."""
    text = CODE_SPAN.sub("", FENCE.sub("", text))
    return LINK.findall(text) + REFERENCE_LINK.findall(text)


def link_problem(source: str, target: str) -> str | None:
    """Why the link ``target`` in tracked file ``source`` breaks in a fresh clone, or None."""
    if SCHEME.match(target) or target.startswith("#"):
        return None  # a URL, a mailto or an anchor on the same page
    path = target.split("#", 1)[0].split("?", 1)[0]
    if path.startswith("/"):
        return f"{target}: an absolute path"
    parts: list[str] = list(PurePosixPath(source).parent.parts)
    for part in PurePosixPath(path).parts:
        if part == "..":
            if not parts:
                return f"{target}: leaves the repository"
            parts.pop()
        elif part != ".":
            parts.append(part)
    resolved = "/".join(parts)
    if resolved and resolved not in TRACKED_SET and resolved not in TRACKED_DIRS:
        return f"{target}: {resolved} is not in the repository"
    return None


def _markdown_of(name: str) -> str | None:
    if name.endswith(".md"):
        return _text(name)
    if name.endswith(".ipynb"):
        cells = json.loads((REPO / name).read_text(encoding="utf-8")).get("cells", [])
        return "\n\n".join("".join(c["source"]) for c in cells if c.get("cell_type") == "markdown")
    return None


def test_the_link_checker_finds_planted_links():
    text = (
        "[ok](docs/ingest.md) [anchor](#quick-start) [web](https://example.org/x) [dir](docs/)\n"
        "[gone](docs/nowhere.md) [out](../elsewhere/DESIGN.md) [abs](/etc/passwd)\n"
        "```\n[in code](missing.md)\n```\n`[span](missing2.md)`\n[ref]: tests/data/missing.csv\n"
    )
    problems = [p for p in (link_problem("README.md", t) for t in markdown_links(text)) if p]
    assert problems == [
        "docs/nowhere.md: docs/nowhere.md is not in the repository",
        "../elsewhere/DESIGN.md: leaves the repository",
        "/etc/passwd: an absolute path",
        "tests/data/missing.csv: tests/data/missing.csv is not in the repository",
    ]
    assert link_problem("data/raw/README.md", "../../docs/ingest.md#pipeline") is None
    outside = "../../.." + "/shared/DESIGN.md"
    assert link_problem("data/raw/README.md", outside) == f"{outside}: leaves the repository"


def test_markdown_links_stay_inside_the_repository():
    problems = []
    for name in TRACKED:
        text = _markdown_of(name)
        if text is None:
            continue
        problems += [f"{name}: {p}" for p in (link_problem(name, t) for t in markdown_links(text)) if p]
    assert not problems, "broken or outside links:\n" + "\n".join(problems)


#: Documents of the workspace this project grew in, which a clone does not have, and a
#: section of its design document cited without the suffix ("DESIGN §4").
WORKSPACE_DOCUMENTS = re.compile(r"\b(?:DESIGN|STYLE)\.md\b|\bDESIGN\s*§")


def workspace_citations(text: str, basenames: set[str]) -> list[str]:
    """Each citation of a workspace document in ``text`` (one the repository does not
    hold), as ``line N: match``."""
    return [
        f"line {number}: {m.group(0)}"
        for number, line in enumerate(text.splitlines(), start=1)
        for m in WORKSPACE_DOCUMENTS.finditer(line)
        if m.group(0) not in basenames
    ]


def test_the_citation_detector_finds_planted_citations():
    design, style = "DESIGN" + ".md", "STYLE" + ".md"  # built from pieces: this file passes its own test
    planted = f'"""The contract of {design} §4."""\n# house style ({style})\nx = 1  # DESIGN §6\n'
    assert workspace_citations(planted, set()) == [f"line 1: {design}", f"line 2: {style}", "line 3: DESIGN §"]
    assert workspace_citations("see docs/contract.md and docs/estimation.md\n", set()) == []
    assert workspace_citations(f"the {design} of this repo\n", {design}) == []  # one the clone has


def test_the_documentation_cites_no_document_the_clone_lacks():
    """Every Markdown file (README, data/raw/README, docs/, params/) and the notebooks'
    text cite in-repo documents only."""
    basenames = {PurePosixPath(name).name for name in TRACKED}
    problems = []
    for name in TRACKED:
        text = _markdown_of(name)
        if text is None:
            continue
        problems += [f"{name} {p}" for p in workspace_citations(text, basenames)]
    assert not problems, "documents outside the repository:\n" + "\n".join(problems)


def test_the_code_cites_no_document_the_clone_lacks():
    """Docstrings and comments of src/, tests/ and benchmarks/ cite in-repo documents
    (docs/contract.md, docs/estimation.md …), not a section of the workspace's design
    document ("DESIGN.md §4"); nor does what the code writes (the parquet metadata)."""
    basenames = {PurePosixPath(name).name for name in TRACKED}
    this = PurePosixPath(__file__).name
    problems = []
    for name in TRACKED:
        path = PurePosixPath(name)
        if path.suffix != ".py" or path.parts[0] not in ("src", "tests", "benchmarks") or path.name == this:
            continue
        problems += [f"{name} {p}" for p in workspace_citations(_text(name) or "", basenames)]
    assert not problems, "documents outside the repository (cite one in docs/):\n" + "\n".join(problems)


# ---- 3. no skip for a missing file outside tests/ ---------------------------------------

SKIPS = {"skip", "skipif", "skipIf", "skipUnless"}
FILE_CHECKS = {"exists", "is_file", "is_dir", "isfile", "isdir", "glob", "rglob", "iterdir", "lexists"}
MISSING_FILE_ERRORS = {"FileNotFoundError", "OSError", "IOError", "NotADirectoryError"}


class _Unknown(Exception):
    pass


def _eval_path(node: ast.AST, env: dict[str, ast.AST], module: Path, depth: int = 0) -> Path:
    """The path that ``node`` denotes, evaluated without running the module; _Unknown if
    that cannot be decided (a loop variable, a function's argument, an absolute literal is
    fine: it is returned and then judged). An environment lookup in ``os.environ.get(k) or
    default`` is an override by the person running the tests; the default is what counts."""
    if depth > 20:
        raise _Unknown("too deep")
    rec = lambda n: _eval_path(n, env, module, depth + 1)  # noqa: E731
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        if not node.value.startswith("/"):
            raise _Unknown(f"relative to the working directory: {node.value!r}")
        return Path(node.value)
    if isinstance(node, ast.Name):
        if node.id == "__file__":
            return module
        if node.id in env:
            return rec(env[node.id])
        raise _Unknown(f"name {node.id}")
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
        left = rec(node.left)
        right = node.right
        if isinstance(right, ast.Constant) and isinstance(right.value, str):
            return left / right.value
        return left / rec(right)
    if isinstance(node, ast.Attribute) and node.attr == "parent":
        return rec(node.value).parent
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Attribute) and node.value.attr == "parents":
        index = node.slice
        if isinstance(index, ast.Constant) and isinstance(index.value, int):
            return rec(node.value.value).parents[index.value]
    if isinstance(node, ast.Call):
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr in {"resolve", "absolute"} and not node.args:
            return rec(func.value)
        if isinstance(func, ast.Name) and func.id in {"Path", "PurePath"} and len(node.args) == 1:
            return rec(node.args[0])
        if isinstance(func, ast.Attribute) and func.attr == "joinpath":
            out = rec(func.value)
            for arg in node.args:
                out = out / (arg.value if isinstance(arg, ast.Constant) else rec(arg))
            return out
    if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or):
        plain = [v for v in node.values if "environ" not in ast.unparse(v)]
        if plain:
            return rec(plain[-1])
    raise _Unknown(ast.unparse(node))


def _assignments(body: ast.AST) -> dict[str, ast.AST]:
    env = {}
    for node in ast.walk(body):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    env[target.id] = node.value
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
            env[node.target.id] = node.value
    return env


def skip_problems(source: str, module: Path, tests_dir: Path) -> list[str]:
    """Each skip in a test module's ``source`` that may be taken because a file is missing,
    where that file is not provably under ``tests_dir``."""
    tree = ast.parse(source)
    parents = {child: parent for parent in ast.walk(tree) for child in ast.iter_child_nodes(parent)}
    module_env = _assignments(ast.Module(body=[n for n in tree.body if not isinstance(n, ast.FunctionDef)]))
    functions = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)}

    def enclosing_function(node):
        while node in parents:
            node = parents[node]
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                return node
        return None

    problems = []
    for site in ast.walk(tree):
        if not (isinstance(site, ast.Call) and getattr(site.func, "attr", getattr(site.func, "id", None)) in SKIPS):
            continue
        where = f"line {site.lineno}"
        # a skip in an except clause for a missing file
        node = site
        while node in parents:
            node = parents[node]
            if isinstance(node, ast.ExceptHandler) and node.type is not None:
                caught = {getattr(n, "id", getattr(n, "attr", "")) for n in ast.walk(node.type)}
                if caught & MISSING_FILE_ERRORS:
                    problems.append(f"{where}: skips when {ast.unparse(node.type)} is raised")
        # everything the skip's condition can reach: its arguments (skipif) or its function
        # (skip), and, through names, the module-level values and functions they use
        start = enclosing_function(site) if getattr(site.func, "attr", "") == "skip" else None
        work: list[ast.AST] = [start] if start is not None else [*site.args, *site.keywords]
        seen: set[int] = set()
        while work:
            node = work.pop()
            if id(node) in seen:
                continue
            seen.add(id(node))
            for sub in ast.walk(node):
                if isinstance(sub, ast.Name) and sub.id in module_env:
                    work.append(module_env[sub.id])
                if isinstance(sub, ast.Name) and sub.id in functions:
                    work.append(functions[sub.id])
                if not (isinstance(sub, ast.Call) and isinstance(sub.func, ast.Attribute)):
                    continue
                if sub.func.attr not in FILE_CHECKS:
                    continue
                receiver = sub.func.value
                if isinstance(receiver, ast.Attribute) and receiver.attr == "path" and sub.args:
                    receiver = sub.args[0]  # os.path.exists(x)
                function = enclosing_function(sub)
                env = {**module_env, **(_assignments(function) if function is not None else {})}
                try:
                    path = _eval_path(receiver, env, module)
                except _Unknown as why:
                    problems.append(f"{where}: may skip on {ast.unparse(sub)} (cannot tell where: {why})")
                    continue
                if not path.resolve().is_relative_to(tests_dir):
                    problems.append(f"{where}: may skip on {ast.unparse(sub)}, a file outside tests/ ({path})")
    return sorted(problems, key=lambda p: int(p.split()[1].rstrip(":")))


OLD_STYLE = """
from pathlib import Path
import pytest
REFERENCE_DATA = Path(__file__).resolve().parents[2] / "shared" / "reference-data"

def _reference_dir():
    for candidate in (REFERENCE_DATA, Path("/elsewhere/reference-data")):
        if (candidate / "collapsed.dta").exists():
            return candidate
    pytest.skip("collapsed.dta is not available")

OUTSIDE = Path(__file__).resolve().parents[1] / "data" / "x.csv"
needs_outside = pytest.mark.skipif(not OUTSIDE.is_file(), reason="no x.csv")

def load():
    try:
        return open(OUTSIDE).read()
    except FileNotFoundError:
        pytest.skip("no file")
"""

INSIDE_STYLE = """
import os, shutil
from pathlib import Path
import pytest
TOOL = Path(os.environ.get("TOOL_JS") or Path(__file__).resolve().parent / "browser/tool.js")
DATA = Path(__file__).resolve().parent / "data" / "x.csv"
def _missing():
    if shutil.which("chromium") is None:
        return "no chromium"
    if not TOOL.is_file():
        return "no tool"
MISSING = _missing()
pytestmark = pytest.mark.skipif(MISSING is not None, reason=str(MISSING))
later = pytest.mark.skipif(not DATA.exists(), reason="no data")
"""


def test_the_skip_detector_finds_planted_skips(tmp_path):
    tests_dir = tmp_path / "repo" / "tests"
    module = tests_dir / "test_x.py"
    problems = skip_problems(OLD_STYLE, module, tests_dir)
    assert len(problems) == 3, problems
    assert "cannot tell where: name candidate" in problems[0]
    assert "a file outside tests/" in problems[1] and "OUTSIDE.is_file()" in problems[1]
    assert "skips when FileNotFoundError is raised" in problems[2]
    assert skip_problems(INSIDE_STYLE, module, tests_dir) == []


def test_no_test_skips_for_a_file_outside_tests():
    tests_dir = REPO / "tests"
    problems = []
    for name in TRACKED:
        if not (name.startswith("tests/") and name.endswith(".py")):
            continue
        path = REPO / name
        problems += [f"{name} {p}" for p in skip_problems(path.read_text(encoding="utf-8"), path, tests_dir)]
    assert not problems, "skips for want of a file outside tests/:\n" + "\n".join(problems)


@pytest.mark.parametrize("name", ["ck_public.dat", "ck_codebook.txt", "collapsed.dta", "sicily.csv", "mpdta.csv"])
def test_the_reference_data_are_vendored_and_described(name):
    assert f"tests/data/{name}" in TRACKED_SET
    assert f"`{name}`" in (REPO / "tests" / "data" / "README.md").read_text(encoding="utf-8")
