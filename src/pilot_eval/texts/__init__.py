"""Every text a reader sees, in Swedish and English, and the language helpers.

The one home of the project's bilingual texts: each submodule holds the texts of one part
of the package (``labels`` the column and value names of tables, ``charts`` the charts',
``findings`` the plain-language findings, ``disclosure`` the disclosure notes, ``report``
the pages' and the runner's). A text is a ``(swedish, english)`` pair, kept in a
module-level dict (nested dicts allowed); code picks the language with :func:`pick`.
``tests/test_texts.py`` walks :func:`pairs` to find a missing or untranslated text, and
that its ``{placeholders}`` agree.

>>> pick("en", "dagar", "days")
'days'
>>> check_lang("de")
Traceback (most recent call last):
...
ValueError: lang must be 'sv' or 'en', not 'de'
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator, Mapping

__all__ = ["LANGUAGES", "check_lang", "index", "pairs", "pick"]

#: The report's languages: Swedish first (the default), then English.
LANGUAGES = ("sv", "en")


def check_lang(lang: str) -> str:
    """``lang`` if it is one of :data:`LANGUAGES`; otherwise a ValueError that says which."""
    if lang not in LANGUAGES:
        raise ValueError(f"lang must be 'sv' or 'en', not {lang!r}")
    return lang


def index(lang: str) -> int:
    """0 for Swedish, 1 for English: the position of ``lang`` in a text pair."""
    return LANGUAGES.index(check_lang(lang))


def pick(lang: str, sv: str, en: str) -> str:
    """The text in ``lang``."""
    return (sv, en)[index(lang)]


def _is_pair(value: object) -> bool:
    return isinstance(value, tuple) and len(value) == 2 and all(isinstance(v, str) for v in value)


def _walk(value: object, path: str) -> Iterator[tuple[str, str, str]]:
    if _is_pair(value):
        yield path, value[0], value[1]
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from _walk(item, f"{path}[{key!r}]")


def pairs() -> Iterator[tuple[str, str, str]]:
    """Every ``(where, swedish, english)`` text of the submodules: their module-level dicts
    of pairs, walked into nested dicts."""
    for info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{info.name}")
        for name, value in vars(module).items():
            if not name.startswith("__") and isinstance(value, Mapping):
                yield from _walk(value, f"{info.name}.{name}")
