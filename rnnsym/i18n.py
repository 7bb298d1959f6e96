"""Translations of the documents' prose: gettext catalogs, one per language.

English is the source: every sentence of the templates (``((* trans *))``
blocks, ``_()``) and every prose string of the code that reaches a document
(marked :func:`N_` where it is defined, translated where it is printed) is a
gettext message id. ``rnnsym/locale/<language>/LC_MESSAGES/rnnsym.po`` holds
the translations; ``scripts/i18n.sh`` re-extracts the ids (pybabel extract,
update) and ``tests/test_i18n.py`` fails on any id that a catalog lacks,
leaves untranslated or marks fuzzy.

The ``.po`` file is the only file committed: it is compiled in memory (with
Babel, a dependency anyway) when a document in its language is first built,
so a compiled ``.mo`` can never be older than its ``.po``.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import gettext as gettext_module
import io
from pathlib import Path
from typing import Callable, Iterator

# The documents' languages: English (the source) and Persian (right to left).
LANGUAGES = ("en", "fa")
DEFAULT_LANGUAGE = "en"
RIGHT_TO_LEFT = frozenset({"fa"})
DOMAIN = "rnnsym"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"


def N_(message: str) -> str:
    """Marks ``message`` for extraction; it is translated where it is printed."""
    return message


def catalog_path(language: str) -> Path:
    """The ``.po`` file of ``language``."""
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


@functools.lru_cache(maxsize=None)
def translations(language: str) -> gettext_module.NullTranslations:
    """The translations into ``language`` (English: none, the ids are English)."""
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}; expected one of {', '.join(LANGUAGES)}")
    if language == DEFAULT_LANGUAGE:
        return gettext_module.NullTranslations()
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with open(catalog_path(language), "rb") as po:
        catalog = read_po(po, locale=language, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)  # a fuzzy translation is no translation
    buffer.seek(0)
    return gettext_module.GNUTranslations(buffer)


def gettext_for(language: str) -> Callable[[str], str]:
    """``_`` for ``language``: a message id -> its translation (the id if there is none)."""
    return translations(language).gettext


# The language of the document being built: escaping, translation and figures
# follow it (English unless a build sets another with :func:`using`).
_CURRENT = contextvars.ContextVar("rnnsym_language", default=DEFAULT_LANGUAGE)


def current() -> str:
    """The language of the document being built."""
    return _CURRENT.get()


@contextlib.contextmanager
def using(language: str) -> Iterator[None]:
    """Builds what runs inside in ``language``."""
    translations(language)  # an unknown language or a broken catalog fails here
    token = _CURRENT.set(language)
    try:
        yield
    finally:
        _CURRENT.reset(token)


def _(message: str) -> str:
    """``message`` in the current document's language (``""`` stays ``""``,
    not the catalog's header)."""
    return translations(current()).gettext(message) if message else message


class Message(str):
    """English text made from a message id and values (a check's description
    with a number in it): it is the English text wherever a string is
    expected (answers.json, the terminal), and remembers how it was made, so
    that a document prints it in its own language (:func:`translate`)."""

    def __new__(cls, msgid: str, values: dict):
        text = super().__new__(cls, msgid % values)
        text.msgid, text.values = msgid, dict(values)
        return text

    def __reduce__(self):  # pickled as what it is made of (worker processes)
        return (Message, (self.msgid, self.values))


def message(msgid: str, **values) -> Message:
    """``msgid % values`` as a :class:`Message`; mark ``msgid`` with :func:`N_`."""
    return Message(msgid, values)


def joined(parts) -> str:
    """Parts of one sentence (a diagnosis naming several mistakes) joined by
    "; ", as a :class:`Message`, so that a document joins them the way its
    language does; "" for no parts, the part itself for one."""
    parts = [part for part in parts if part]
    if len(parts) <= 1:
        return parts[0] if parts else ""
    # Halves, not a chain: as deep as log2 of the parts (a matrix's 100 wrong entries: 7).
    middle = len(parts) // 2
    return message(N_("%(first)s; %(rest)s"), first=joined(parts[:middle]), rest=joined(parts[middle:]))


def to_data(text: str) -> str | dict:
    """``text`` as JSON data that keeps a :class:`Message`'s structure (the
    grader's worker process sends its diagnoses so, see :func:`from_data`)."""
    if isinstance(text, Message):
        return {"msgid": text.msgid, "values": {name: to_data(value) if isinstance(value, Message) else str(value)
                                                for name, value in text.values.items()}}
    return str(text)


# The longest text :func:`from_data` rebuilds.
MAX_REBUILT_CHARS = 100_000


@functools.lru_cache(maxsize=None)
def known_ids() -> frozenset[str]:
    """Every message id the catalogs know (the source's marked English strings)."""
    ids: set[str] = set()
    for language in LANGUAGES:
        if language != DEFAULT_LANGUAGE:
            ids.update(key for key in translations(language)._catalog if isinstance(key, str) and key)
    return frozenset(ids)


def from_data(data, depth: int = 0) -> str:
    """The text :func:`to_data` made, rebuilt as a :class:`Message`.

    The data comes from a process that compared a student's answer, so it is
    not trusted: a message id must be one the catalogs know (a format string
    never comes from outside), values are strings or such messages, and the
    values must fill the id.

    Raises:
        ValueError: ``data`` is not such data.
    """
    if isinstance(data, str):
        return data
    if depth > 40 or not isinstance(data, dict) or set(data) != {"msgid", "values"}:
        raise ValueError("not a message")
    msgid, values = data["msgid"], data["values"]
    if not isinstance(msgid, str) or msgid not in known_ids() or not isinstance(values, dict):
        raise ValueError("not a known message")
    rebuilt = {str(name): from_data(value, depth + 1) for name, value in values.items()}
    try:
        text = Message(msgid, rebuilt)
    except (KeyError, TypeError, ValueError):
        raise ValueError("the values do not fill the message") from None
    # An id that names a value twice would double the text at every level.
    if len(text) > MAX_REBUILT_CHARS:
        raise ValueError("the message is too long")
    return text


def translate(text: str) -> str:
    """``text`` in the current document's language: a :class:`Message` is
    rebuilt from its translated id, other text is looked up as it is."""
    if isinstance(text, Message):
        return _(text.msgid) % {name: translate(value) if isinstance(value, Message) else value
                                for name, value in text.values.items()}
    return _(text)


def is_rtl(language: str) -> bool:
    """Whether ``language`` is written right to left."""
    return language in RIGHT_TO_LEFT


# Persian digits (U+06F0..U+06F9): prose and tables of a Persian document print
# these; formulas keep Latin digits, as Persian textbooks print them.
PERSIAN_DIGITS = str.maketrans("0123456789", "\u06f0\u06f1\u06f2\u06f3\u06f4\u06f5\u06f6\u06f7\u06f8\u06f9")


def digits(text: str, language: str) -> str:
    """``text`` with its digits in the script of ``language``."""
    return text.translate(PERSIAN_DIGITS) if language == "fa" else text
