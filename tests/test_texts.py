"""The reader's texts (pilot_eval.texts): complete, translated, and kept in one place."""

from __future__ import annotations

import ast
import fnmatch
import re
import string
from pathlib import Path

import pytest

import pilot_eval
from pilot_eval import texts

PACKAGE = Path(pilot_eval.__file__).parent
SWEDISH = re.compile("[åäöÅÄÖ]")

#: Texts that are the same in Swedish and English: words spelled alike in both. Texts
#: without letters ("25–34") are the same in every language and need no entry.
SAME_IN_BOTH = {"Period", "Status", "Term", "Under 25", "Data"}

#: Modules outside texts/ that still hold Swedish string literals, as fnmatch patterns of
#: their path in the package. Each entry is a debt to pay by moving its texts to
#: pilot_eval.texts; the list only shrinks (test_the_allow_list_has_no_stale_entries).
ALLOW = {
    # the period names of periods.label ("första halvåret")
    "periods.py",
    # the export's own Swedish names and the spellings that ingest accepts
    "contract.py",
    # not texts: a regex character class of Latin letters (readers.py)
    "readers.py",
    # the data request for HR: a document of its own (Swedish and English side by side), not a page text
    "data_request.py",
    # the names HR systems use in their own exports (headers and labels), which map suggest matches
    "mapping/vocabulary.py",
    "mapping/suggest.py",
}

#: Modules whose texts were moved to pilot_eval.texts: they must never be allowed again.
MOVED = ("labels.py", "report/findings.py", "report/plots/__init__.py", "disclosure/__init__.py", "report/sections.py")


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def _swedish_literals(path: Path) -> list[tuple[int, str]]:
    """(line, text) of the str constants with å, ä or ö, docstrings (and other bare
    string statements) left out; f-strings' literal parts count."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    bare = {id(node.value) for node in ast.walk(tree) if isinstance(node, ast.Expr)}
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in bare
        and SWEDISH.search(node.value)
    ]


def _modules() -> list[str]:
    return sorted(
        p.relative_to(PACKAGE).as_posix() for p in PACKAGE.rglob("*.py") if p.relative_to(PACKAGE).parts[0] != "texts"
    )


def _allowed(module: str) -> bool:
    return any(fnmatch.fnmatch(module, pattern) for pattern in ALLOW)


# --------------------------------------------------------------------------- the pairs

PAIRS = list(texts.pairs())


def test_pairs_cover_the_text_modules():
    where = {w.split(".", 1)[0] for w, _, _ in PAIRS}
    assert {"labels", "findings"} <= where
    assert len(PAIRS) > 300


@pytest.mark.parametrize("where, sv, en", PAIRS, ids=[w for w, _, _ in PAIRS])
def test_every_text_is_in_both_languages_with_the_same_placeholders(where, sv, en):
    assert sv.strip() and en.strip(), f"{where}: a language is empty: {(sv, en)!r}"
    assert _fields(sv) == _fields(en), f"{where}: placeholders differ: {(sv, en)!r}"
    # a text that joins others (" eller ", ". Den …") has the same edges in both
    assert (sv[:1].isspace(), sv[-1:].isspace()) == (en[:1].isspace(), en[-1:].isspace()), where
    if sv == en:
        assert sv in SAME_IN_BOTH or not re.search(r"[^\W\d_]", sv), f"{where}: not translated: {sv!r}"


def test_the_placeholder_check_sees_named_fields():
    assert _fields("{when} {clause} i {x}.") == {"when", "clause", "x"}
    assert _fields("inga") == set()


# --------------------------------------------------------------------------- no Swedish elsewhere


def test_no_module_outside_texts_holds_swedish_literals():
    offenders = {m: hits for m in _modules() if not _allowed(m) and (hits := _swedish_literals(PACKAGE / m))}
    assert not offenders, "Swedish string literals outside pilot_eval.texts (move them there): " + "; ".join(
        f"{m}:{line} {text[:40]!r}" for m, hits in offenders.items() for line, text in hits[:3]
    )


def test_moved_modules_are_not_on_the_allow_list():
    assert not [m for m in MOVED if _allowed(m)]
    assert all((PACKAGE / m).exists() for m in MOVED)


def test_the_allow_list_has_no_stale_entries():
    swedish = [m for m in _modules() if _swedish_literals(PACKAGE / m)]
    stale = sorted(p for p in ALLOW if not any(fnmatch.fnmatch(m, p) for m in swedish))
    assert not stale, f"these modules hold no Swedish literals any more; remove them from ALLOW: {stale}"


def test_the_finder_sees_f_strings_and_skips_docstrings(tmp_path):
    module = tmp_path / "m.py"
    module.write_text(
        '"""Modulens dokumentation."""\n\ndef f(n):\n    """Räknar."""\n    return f"{n} sökande", "plain"\n',
        encoding="utf-8",
    )
    assert _swedish_literals(module) == [(5, " sökande")]


# --------------------------------------------------------------------------- language helpers


def test_language_helpers():
    assert texts.index("sv") == 0 and texts.index("en") == 1
    assert texts.pick("sv", "dagar", "days") == "dagar"
    assert texts.check_lang("en") == "en"
    for bad in ("de", "SV", ""):
        with pytest.raises(ValueError, match="lang must be"):
            texts.index(bad)
