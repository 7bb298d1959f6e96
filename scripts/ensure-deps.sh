#!/usr/bin/env bash
# Makes sure the system packages rnnsym needs are there.
#   ensure-deps.sh python [PYTHON]  - a Python >= 3.11 that can make a venv
#   ensure-deps.sh tex              - latexmk, pdflatex, the LaTeX packages
#                                     the documents load, poppler's tools
#   ensure-deps.sh persian          - XeLaTeX, xepersian and the Nazli font of
#                                     the Persian edition ([meta] language = "fa")
#   ensure-deps.sh maxima           - Maxima, which the tests run on the
#                                     Moodle export's STACK keys
#   ensure-deps.sh html             - pandoc, for the HTML edition
#                                     (rnnsym report --format html)
#   ensure-deps.sh browser          - pandoc and Debian's chromium, for the
#                                     browser tests of the HTML edition
# Missing pieces are installed from Debian's packages when we run as root
# with apt-get; otherwise the exact command to run is printed. After an
# install everything is checked again: what is still missing is named and
# the script fails, never a silent pass.
#
# TEX_DEBS is derived from what the build loads: tests/test_install_list.py
# compiles every kind of document with latexmk's recorder, maps each file TeX
# read to its Debian package (dpkg -S) and fails when one is neither listed
# here nor a dependency of a listed package. The README's apt-get line and
# rnnsym.latex.TEX_PACKAGES name the same packages (the test compares them).
set -euo pipefail

TEX_DEBS="latexmk texlive-latex-base texlive-latex-recommended texlive-pictures lmodern poppler-utils bubblewrap"
PYTHON_DEBS="python3 python3-venv python3-pip"
# One or more sentinels for every package of TEX_DEBS (the test checks that
# each package has one): the tools the build runs and the files it loads.
TEX_TOOLS="latexmk pdflatex kpsewhich pdftotext pdftoppm bwrap"
TEX_FILES="article.cls amsmath.sty amssymb.sty booktabs.sty longtable.sty array.sty graphicx.sty xcolor.sty geometry.sty textcomp.sty lmodern.sty tikz.sty"

# The Persian edition, installed only where a Persian document is built
# (make test; make report with a Persian PARAMS file). Derived the same way:
# tests/test_install_list.py records a Persian build's files; rnnsym.latex.
# PERSIAN_PACKAGES names the same packages.
PERSIAN_DEBS="texlive-xetex texlive-lang-arabic fonts-farsiweb"
PERSIAN_TOOLS="xelatex"
PERSIAN_TEX_FILES="xepersian.sty bidi.sty fontspec.sty"
PERSIAN_FONT_FILES="/usr/share/fonts/truetype/farsiweb/nazli.ttf /usr/share/fonts/truetype/farsiweb/nazlib.ttf"

# The Moodle export's tests have Maxima evaluate the keys it prints for STACK.
MAXIMA_DEBS="maxima"
MAXIMA_TOOLS="maxima"

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

# The HTML edition converts the LaTeX body with pandoc; the browser tests open
# its pages in Debian's chromium (driven by Playwright from PyPI, which cannot
# download its own browser here). One sentinel per package.
HTML_DEBS="pandoc"
HTML_TOOLS="pandoc"
# libatomic1: the node that Playwright's wheel carries to drive the browser
# needs libatomic.so.1, which a minimal Debian lacks (seen on a fresh
# debootstrap: "error while loading shared libraries: libatomic.so.1").
BROWSER_DEBS="chromium pandoc libatomic1"
BROWSER_TOOLS="/usr/bin/chromium pandoc"
BROWSER_LIBRARIES="libatomic.so.1"

missing_tools() {  # $@: commands or absolute paths; prints the missing ones
    local missing="" tool
    for tool in "$@"; do
        command -v "$tool" >/dev/null 2>&1 || missing="$missing $tool"
    done
    echo "$missing"
}

check_group() {  # $1: what it is for, $2: Debian packages, $3...: the command printing what is missing
    local what=$1 debs=$2 missing
    shift 2
    missing=$("$@")
    if [ -n "$missing" ]; then
        install_or_explain "$what ($missing )" "$debs"
        missing=$("$@")
        if [ -n "$missing" ]; then
            echo "ensure-deps: still missing after installing $debs:$missing" >&2
            exit 1
        fi
    fi
}

missing_browser() {  # the browser tests' tools and the shared libraries their driver loads
    local missing library
    # shellcheck disable=SC2086
    missing=$(missing_tools $BROWSER_TOOLS)
    for library in $BROWSER_LIBRARIES; do
        ldconfig -p 2>/dev/null | grep -qF "$library " || missing="$missing $library"
    done
    echo "$missing"
}

check_tools() {  # $1: what they are for, $2: Debian packages, $3...: sentinels
    local what=$1 debs=$2
    shift 2
    check_group "$what" "$debs" missing_tools "$@"
}

python_ok() {
    command -v "$1" >/dev/null 2>&1 \
        && "$1" -c 'import sys, venv, ensurepip; sys.exit(sys.version_info < (3, 11))' 2>/dev/null
}

check_python() {
    local python=${1:-python3}
    if ! python_ok "$python"; then
        install_or_explain "Python >= 3.11 with venv and pip ($python)" "$PYTHON_DEBS"
        if ! python_ok "$python"; then
            echo "ensure-deps: still missing after installing $PYTHON_DEBS: Python >= 3.11 with venv and pip ($python)" >&2
            exit 1
        fi
    fi
}

missing_tex() {  # prints what is missing, space-separated
    local missing="" tool file
    for tool in $TEX_TOOLS; do
        command -v "$tool" >/dev/null 2>&1 || missing="$missing $tool"
    done
    if command -v kpsewhich >/dev/null 2>&1; then
        for file in $TEX_FILES; do
            [ -n "$(kpsewhich "$file")" ] || missing="$missing $file"
        done
    else
        missing="$missing $TEX_FILES"
    fi
    echo "$missing"
}

check_tex() {
    check_group "TeX Live pieces" "$TEX_DEBS" missing_tex
}

missing_persian() {  # prints what is missing, space-separated
    local missing="" tool file
    for tool in $PERSIAN_TOOLS; do
        command -v "$tool" >/dev/null 2>&1 || missing="$missing $tool"
    done
    for file in $PERSIAN_TEX_FILES; do
        if ! command -v kpsewhich >/dev/null 2>&1 || [ -z "$(kpsewhich "$file")" ]; then
            missing="$missing $file"
        fi
    done
    for file in $PERSIAN_FONT_FILES; do
        [ -f "$file" ] || missing="$missing $file"
    done
    echo "$missing"
}

check_persian() {
    check_group "the Persian edition's TeX pieces" "$PERSIAN_DEBS" missing_persian
}

case "${1:-}" in
    python) check_python "${2:-python3}" ;;
    tex) check_tex ;;
    persian) check_tex; check_persian ;;
    # shellcheck disable=SC2086
    maxima) check_tools "Maxima" "$MAXIMA_DEBS" $MAXIMA_TOOLS ;;
    # shellcheck disable=SC2086
    html) check_tools "pandoc for the HTML edition" "$HTML_DEBS" $HTML_TOOLS ;;
    browser) check_group "the browser tests' pandoc, chromium and libatomic" "$BROWSER_DEBS" missing_browser ;;
    *) echo "usage: $0 python [PYTHON] | tex | persian | maxima | html | browser" >&2; exit 2 ;;
esac
