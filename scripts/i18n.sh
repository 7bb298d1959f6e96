#!/usr/bin/env bash
# Re-extracts the message ids of the documents' prose (templates and code,
# with babel.cfg) and merges them into every translation catalog,
# rnnsym/locale/<language>/LC_MESSAGES/rnnsym.po: new ids arrive untranslated,
# changed ones fuzzy (with the old translation as a suggestion). It then lists
# every id still to translate; tests/test_i18n.py fails until there is none.
#   scripts/i18n.sh          - extract and update (the same as pybabel
#                              extract -F babel.cfg + pybabel update)
#   scripts/i18n.sh check    - only list what is missing, untranslated or fuzzy
set -euo pipefail
cd "$(dirname "$0")/.."
exec "${PYTHON:-.venv/bin/python}" -m rnnsym.i18n_catalog "${1:-update}"
