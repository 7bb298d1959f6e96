#!/usr/bin/env bash
# Makes sure the system packages rnnsym needs are there.
#   ensure-deps.sh python [PYTHON]  - a Python >= 3.11 that can make a venv
#   ensure-deps.sh tex              - latexmk, pdflatex, the LaTeX packages
#                                     the templates use, pdftotext/pdftoppm
# Missing pieces are installed from Debian's packages when we run as root
# with apt-get; otherwise the exact command to run is printed.
set -euo pipefail

TEX_DEBS="latexmk texlive-latex-base texlive-latex-recommended texlive-fonts-recommended texlive-pictures lmodern poppler-utils"
PYTHON_DEBS="python3 python3-venv python3-pip"
TEX_TOOLS="latexmk pdflatex kpsewhich pdftotext pdftoppm"
TEX_FILES="lmodern.sty amsmath.sty amssymb.sty booktabs.sty longtable.sty array.sty graphicx.sty xcolor.sty geometry.sty tikz.sty"

install_or_explain() {  # $1: what is missing, $2: Debian packages
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "ensure-deps: $1 missing; installing: $2" >&2
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq >&2
        # shellcheck disable=SC2086
        apt-get install -y -qq --no-install-recommends $2 >&2
    else
        echo "ensure-deps: $1 missing. Install it with:" >&2
        echo "    sudo apt-get install $2" >&2
        exit 1
    fi
}

check_python() {
    local python=${1:-python3}
    if ! command -v "$python" >/dev/null 2>&1 \
        || ! "$python" -c 'import sys, venv, ensurepip; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
        install_or_explain "Python >= 3.11 with venv and pip ($python)" "$PYTHON_DEBS"
    fi
}

check_tex() {
    local missing=""
    for tool in $TEX_TOOLS; do
        command -v "$tool" >/dev/null 2>&1 || missing="$missing $tool"
    done
    if [ -z "$missing" ]; then
        for file in $TEX_FILES; do
            [ -n "$(kpsewhich "$file")" ] || missing="$missing $file"
        done
    fi
    if [ -n "$missing" ]; then
        install_or_explain "TeX Live pieces ($missing )" "$TEX_DEBS"
    fi
}

case "${1:-}" in
    python) check_python "${2:-python3}" ;;
    tex) check_tex ;;
    *) echo "usage: $0 python [PYTHON] | tex" >&2; exit 2 ;;
esac
