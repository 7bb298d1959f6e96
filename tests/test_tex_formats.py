"""Precompiled preambles (rnnsym.latex) and the merged key compiled in parts."""

import re
import subprocess
from pathlib import Path

import pytest

from rnnsym import latex, merged_key, render
from rnnsym.params import Meta
from tests.conftest import write

pytestmark = [pytest.mark.latex, pytest.mark.usefixtures("latex_available")]

BODY = r"""\section{Fixed points}\label{sec:a}
See section~\ref{sec:a}: $h_{t+1} = \sigma(w h_t + b)$, \textcolor{red}{red} and
\begin{tikzpicture}\draw[->] (0,0) -- (1,0);\end{tikzpicture}
"""


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """A fresh format cache for this test (the formats are cached per process too)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv(latex.FORMATS_VARIABLE, "on")
    latex._format_directory.cache_clear()
    yield tmp_path / "cache" / "rnnsym" / "tex-formats"
    latex._format_directory.cache_clear()


def page_images(pdf: Path, stem: Path) -> list[bytes]:
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(pdf), str(stem)], check=True)
    return [p.read_bytes() for p in sorted(stem.parent.glob(stem.name + "*.png"))]


def build(directory: Path, source: str) -> Path:
    directory.mkdir(parents=True)
    return latex.compile_pdf(write(directory / "doc.tex", source))


def test_a_document_looks_the_same_with_and_without_its_precompiled_preamble(cache, tmp_path, monkeypatch):
    source = render.document(Meta(title="A & B", student="Zoë"), BODY).dumps() + "\n"
    assert latex.FORMAT_MARKER in source
    with_format = build(tmp_path / "on", source)
    formats = list(cache.glob("rnnsym-*.fmt"))
    assert len(formats) == 1, "the preamble was not precompiled"
    assert (tmp_path / "on" / formats[0].name).stat().st_ino != formats[0].stat().st_ino, \
        "the build directory must hold a copy, never a link to the cached format"
    monkeypatch.setenv(latex.FORMATS_VARIABLE, "off")
    without = build(tmp_path / "off", source)
    assert not list((tmp_path / "off").glob("*.fmt"))
    assert page_images(with_format, tmp_path / "on" / "page") == page_images(without, tmp_path / "off" / "page")


def test_the_format_is_built_once_and_a_changed_preamble_gets_its_own(cache, tmp_path):
    source = render.document(Meta(), BODY).dumps() + "\n"
    build(tmp_path / "first", source)
    (built,) = cache.glob("rnnsym-*.fmt")
    stamp = built.stat().st_mtime_ns
    build(tmp_path / "second", source.replace("Recurrent", "Other title"))  # after the marker: same format
    assert built.stat().st_mtime_ns == stamp and len(list(cache.glob("*.fmt"))) == 1
    head, tail = source.split(latex.FORMAT_MARKER)
    build(tmp_path / "third", head + "\\usepackage{bm}\n" + latex.FORMAT_MARKER + tail)
    assert len(list(cache.glob("*.fmt"))) == 2


def test_a_document_without_the_marker_is_compiled_as_it_is(cache, tmp_path):
    build(tmp_path / "plain", "\\documentclass{article}\\begin{document}x\\end{document}\n")
    assert not cache.exists() or not list(cache.glob("*.fmt"))


def test_the_merged_key_numbers_its_pages_on_across_parts(cache, tmp_path, monkeypatch):
    monkeypatch.setattr(merged_key, "VARIANTS_PER_PART", 2)
    parts = []
    for number, pages in enumerate((2, 1, 3, 1, 2), start=1):
        body = "\n\\clearpage\n".join(f"variant {number} page {p}" for p in range(1, pages + 1))
        pdf = build(tmp_path / f"v{number}", render.document(Meta(), body).dumps() + "\n")
        parts.append((pdf, f"v{number} (student {number})"))
    merged_key.write(parts, tmp_path / "key.pdf", jobs=2)
    text = subprocess.run(["pdftotext", str(tmp_path / "key.pdf"), "-"], capture_output=True, text=True,
                          check=True).stdout.split("\f")[:-1]
    assert len(text) == 9
    assert all(f"key page {n}" in page for n, page in enumerate(text, start=1))
    headers = [page.split("Key: ")[1].split()[0] for page in text]
    assert headers == ["v1", "v1", "v2", "v3", "v3", "v3", "v4", "v5", "v5"]
    assert all(f"variant {h[1:]} page" in page for h, page in zip(headers, text))


LABELLED = r"""\section{First}\label{sec:%s}
\section{Second}\label{sec:%s}
See section~\ref{sec:target}.
"""


@pytest.fixture
def passes(monkeypatch):
    """The pdflatex passes of each latexmk compile, in order (latexmk counts
    them aloud without -quiet), starting with no remembered .aux."""
    monkeypatch.setattr(latex, "_previous_aux", {})
    counts = []
    original = latex._run

    def counting(command, build_dir, timeout, *, untrusted):
        if "latexmk" not in command:
            return original(command, build_dir, timeout, untrusted=untrusted)
        result = original([c for c in command if c != "-quiet"], build_dir, timeout, untrusted=untrusted)
        counts.append(len(re.findall(r"Run number \d+ of rule '(?:pdf|xe)latex'", result.stdout + result.stderr)))
        return result

    monkeypatch.setattr(latex, "_run", counting)
    return counts


def test_the_next_compile_of_a_document_reuses_its_aux_and_makes_the_same_pdf(cache, tmp_path, passes):
    source = render.document(Meta(), LABELLED % ("target", "other")).dumps() + "\n"
    first, second = build(tmp_path / "a", source), build(tmp_path / "b", source)
    assert passes == [2, 1]
    assert first.read_bytes() == second.read_bytes()


def test_a_remembered_aux_that_is_wrong_costs_a_pass_not_a_wrong_reference(cache, tmp_path, passes):
    build(tmp_path / "a", render.document(Meta(), LABELLED % ("other", "target")).dumps() + "\n")
    moved = build(tmp_path / "b", render.document(Meta(), LABELLED % ("target", "other")).dumps() + "\n")
    assert passes == [2, 2]
    text = subprocess.run(["pdftotext", str(moved), "-"], capture_output=True, text=True, check=True).stdout
    assert "See section 1." in text


def test_a_document_with_students_text_neither_reuses_nor_leaves_an_aux(cache, tmp_path, passes):
    source = render.document(Meta(), LABELLED % ("target", "other")).dumps() + "\n"
    build(tmp_path / "a", source)
    remembered = dict(latex._previous_aux)
    (tmp_path / "b").mkdir()
    latex.compile_pdf(write(tmp_path / "b" / "doc.tex", source.replace("First", "Student's")), untrusted=True)
    assert passes == [2, 2]
    assert latex._previous_aux == remembered
