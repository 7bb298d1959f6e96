"""The grader's merged key: every variant's solutions in one PDF.

Each variant's solutions begin with its answer table; the merged key adds a
header to every page naming the variant (and the student) with a running
page number, so a printed stack can be sorted and referred to. LaTeX's
pdfpages includes the variants' PDFs, compiled like every other document
(no shell escape, confined to its build directory).

A class's key runs to thousands of pages, so it is compiled in parts, in
parallel, each part's page numbers starting where the previous part's
end; poppler's ``pdfunite`` joins the parts.
"""

from __future__ import annotations

import concurrent.futures
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Sequence

from pylatex import Document, NoEscape, Package

from rnnsym import latex, render
from rnnsym.errors import LatexError

# Variants per part: small enough to share the work between the cores,
# large enough that a part's TeX start-up is a small share of its time.
VARIANTS_PER_PART = 25


def key_source(labels: Sequence[str], files: Sequence[str], first_page: int = 1) -> str:
    """The .tex of (part of) the merged key: ``files[i]`` (a PDF beside it)
    under header ``labels[i]``, its pages numbered from ``first_page``."""
    doc = Document(documentclass="article", document_options=["a4paper"], lmodern=True, textcomp=True,
                   page_numbers=False, geometry_options={"margin": "1.5cm", "headheight": "14pt"})
    doc.packages.append(Package("pdfpages"))
    doc.packages.append(Package("fancyhdr"))
    doc.preamble.append(NoEscape(r"\pdftrailerid{}"))
    # Labels are escaped by render's escaping, which may mark transliterated names.
    doc.preamble.append(NoEscape(render.TRANSLITERATION_DEFINITION))
    doc.preamble.append(NoEscape(
        r"\fancypagestyle{keypage}{\fancyhf{}\renewcommand{\headrulewidth}{0.4pt}"
        r"\fancyhead[L]{\small Key: \variantlabel}\fancyhead[R]{\small key page \thepage}}"
        r"\newcommand{\variantlabel}{}"))
    body = render.environment().get_template("merged_key.tex.j2").render(
        parts=list(zip(labels, files)), first_page=first_page)
    doc.append(NoEscape(body))
    return doc.dumps() + "\n"


def page_count(pdf: Path) -> int:
    """The number of pages of a PDF rnnsym wrote (poppler's ``pdfinfo``)."""
    try:
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, timeout=60, check=True,
                              stdin=subprocess.DEVNULL).stdout
    except (OSError, subprocess.SubprocessError) as error:
        raise LatexError(f"pdfinfo could not read {pdf.name} (install poppler-utils): {error}") from None
    match = re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE)
    if not match:
        raise LatexError(f"pdfinfo found no page count in {pdf.name}")
    return int(match.group(1))


def _compile_part(work: Path, number: int, labels: list[str], files: list[str], first_page: int) -> Path:
    part = work / f"part{number:04d}"
    part.mkdir()
    for name in files:
        os.replace(work / name, part / name)
    tex_file = part / "key.tex"
    tex_file.write_text(key_source(labels, files, first_page), encoding="utf-8")
    # pdfpages and fancyhdr refer to nothing: one pdflatex pass.
    return latex.compile_pdf(tex_file, single_pass=True)


def write(parts: Sequence[tuple[Path, str]], target: Path, jobs: int | None = None) -> None:
    """Writes the merged key of ``parts`` ((solutions PDF, header label) pairs)
    atomically to ``target``, compiling ``jobs`` parts at a time."""
    target = Path(target)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".key-") as scratch:
        work = Path(scratch)
        files, pages = [], []
        for number, (pdf, _) in enumerate(parts, start=1):
            # Plain local names: no path from a variant folder reaches TeX.
            name = f"variant{number:05d}.pdf"
            shutil.copyfile(pdf, work / name)
            files.append(name)
            pages.append(page_count(work / name))
        labels = [label for _, label in parts]
        chunks = [range(start, min(start + VARIANTS_PER_PART, len(files)))
                  for start in range(0, len(files), VARIANTS_PER_PART)]
        workers = max(1, min(len(chunks), jobs or os.cpu_count() or 1))
        with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
            futures = [pool.submit(_compile_part, work, number, [labels[i] for i in chunk],
                                   [files[i] for i in chunk], 1 + sum(pages[:chunk.start]))
                       for number, chunk in enumerate(chunks)]
            pdfs = [future.result() for future in futures]
        if len(pdfs) == 1:
            os.replace(pdfs[0], target)
            return
        joined = work / "key.pdf"
        _unite(pdfs, joined)
        os.replace(joined, target)


def _unite(pdfs: Sequence[Path], target: Path) -> None:
    """Joins PDFs with poppler's ``pdfunite`` (poppler-utils, in the install list)."""
    try:
        subprocess.run(["pdfunite", *map(str, pdfs), str(target)], capture_output=True, text=True, timeout=600,
                       check=True, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.SubprocessError) as error:
        detail = getattr(error, "stderr", "") or error
        raise LatexError(f"pdfunite could not join the merged key's parts (install poppler-utils): {detail}") from None
