"""The translation catalogs: extracting the message ids and checking a catalog.

``python -m rnnsym.i18n_catalog update`` (``scripts/i18n.sh``) extracts every
message id afresh from the templates and the code (Babel, with the mapping of
``babel.cfg``, which ``pybabel extract -F babel.cfg`` reads too), merges them
into each language's ``.po`` (new ids untranslated, changed ones fuzzy, as
``pybabel update`` does) and lists what is left to translate;
``python -m rnnsym.i18n_catalog check`` only lists it (exit 1 if anything is).
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po, write_po

from rnnsym.i18n import DEFAULT_LANGUAGE, DOMAIN, LANGUAGES, catalog_path

ROOT = Path(__file__).resolve().parent.parent
MAPPING = ROOT / "babel.cfg"
# The functions whose literal first argument is a message id.
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}


def extract(root: Path = ROOT, mapping: Path = MAPPING) -> Catalog:
    """Every message id in the templates and code under ``root``, as Babel extracts it.

    Raises:
        jinja2.TemplateSyntaxError: a template cannot be parsed (``silent = false``).
    """
    with open(mapping, encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    catalog = Catalog(domain=DOMAIN, project="rnnsym", charset="utf-8")
    for filename, lineno, message, comments, context in extract_from_dir(
        str(root), method_map, options_map, keywords=KEYWORDS, strip_comment_tags=True
    ):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog


def read_catalog(language: str, path: Path | None = None) -> Catalog:
    """The ``.po`` catalog of ``language``."""
    with open(path or catalog_path(language), "rb") as handle:
        return read_po(handle, locale=language, domain=DOMAIN)


def problems(extracted: Catalog, translated: Catalog) -> list[str]:
    """What keeps ``translated`` from covering ``extracted``: one line per
    message id that is missing from it, untranslated or fuzzy."""
    found = []
    for message in extracted:
        if not message.id:
            continue
        where = ", ".join(f"{name}:{line}" for name, line in message.locations[:2])
        entry = translated.get(message.id, message.context)
        shown = message.id if isinstance(message.id, str) else message.id[0]
        if entry is None:
            found.append(f"missing ({where}): {shown!r}")
        elif entry.fuzzy:
            found.append(f"fuzzy ({where}): {shown!r}")
        elif not entry.string or (isinstance(entry.string, tuple) and not all(entry.string)):
            found.append(f"untranslated ({where}): {shown!r}")
    return found


def update(language: str) -> list[str]:
    """Merges freshly extracted ids into ``language``'s ``.po``; returns :func:`problems`."""
    extracted = extract()
    path = catalog_path(language)
    if path.exists():
        catalog = read_catalog(language)
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        catalog = Catalog(locale=language, domain=DOMAIN, project="rnnsym", charset="utf-8")
    # A fuzzy header would be skipped when the catalog is compiled, and with it the charset.
    catalog.fuzzy = False
    # update() copies the extraction's date into the header: keep the
    # catalog's, so that a run that finds nothing new changes no byte.
    extracted.creation_date = catalog.creation_date
    catalog.update(extracted, no_fuzzy_matching=False)
    partial = path.with_suffix(".po.partial")
    with open(partial, "wb") as handle:
        # No line numbers and no wrapping: an edit elsewhere in a file does not
        # touch the catalog, which keeps merges of parallel prose changes small.
        write_po(handle, catalog, width=0, sort_output=False, ignore_obsolete=True, include_lineno=False)
    partial.replace(path)
    return problems(extracted, read_catalog(language))


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "check"
    if command not in ("check", "update"):
        print("usage: python -m rnnsym.i18n_catalog [check|update]", file=sys.stderr)
        return 2
    status = 0
    for language in LANGUAGES:
        if language == DEFAULT_LANGUAGE:
            continue
        found = update(language) if command == "update" else problems(extract(), read_catalog(language))
        print(f"{catalog_path(language).relative_to(ROOT)}: {len(found)} message(s) to translate")
        for line in found:
            print("  " + line)
        status = max(status, 1 if found else 0)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
