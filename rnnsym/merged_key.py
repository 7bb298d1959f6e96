"""The grader's merged key: every variant's solutions in one PDF.

Each variant's solutions begin with its answer table; the merged key adds a
header to every page naming the variant (and the student) with a running
page number, so a printed stack can be sorted and referred to. LaTeX's
pdfpages includes the variants' PDFs, compiled like every other document
(no shell escape, confined to its build directory).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Sequence

from pylatex import Document, NoEscape, Package

from rnnsym import latex, render


def key_source(labels: Sequence[str], files: Sequence[str]) -> str:
    """The .tex of the merged key: ``files[i]`` (a PDF beside it) under header ``labels[i]``."""
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
    body = render.environment().get_template("merged_key.tex.j2").render(parts=list(zip(labels, files)))
    doc.append(NoEscape(body))
    return doc.dumps() + "\n"


def write(parts: Sequence[tuple[Path, str]], target: Path) -> None:
    """Writes the merged key of ``parts`` ((solutions PDF, header label) pairs) atomically to ``target``."""
    target = Path(target)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".key-") as scratch:
        work = Path(scratch)
        files = []
        for number, (pdf, _) in enumerate(parts, start=1):
            # Plain local names: no path from a variant folder reaches TeX.
            name = f"variant{number:05d}.pdf"
            shutil.copyfile(pdf, work / name)
            files.append(name)
        tex_file = work / "key.tex"
        tex_file.write_text(key_source([label for _, label in parts], files), encoding="utf-8")
        os.replace(latex.compile_pdf(tex_file), target)
