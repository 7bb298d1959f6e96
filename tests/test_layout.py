"""Layout: no line into the margin. Real builds of the default and of the
held-out-like cases, solutions and problem sheet; the TeX log of each must
report no overfull box wider (or higher) than 1 pt."""

from __future__ import annotations

import re

import pytest

from rnnsym import pipeline
from rnnsym.params import load_variant
from tests.conftest import write
from tests.test_persian import pdf_line

pytestmark = [pytest.mark.latex, pytest.mark.usefixtures("latex_available")]

# TeX's own tolerance is 0 pt; 1 pt is invisible on paper.
ALLOWED_POINTS = 1.0

# The cases that exercise the branches of the templates: the default, three
# fixed points in 1c, a defective W, a reflection W (orthogonal, period 2),
# a non-symmetric W3 and a W3 whose powers have no limit.
CASES = {
    "default": "",
    "three_fixed_points": '[p1]\nw = 6\nb = "-3"\n',
    "defective_W": "[p3]\nW = [[1, 1], [0, 1]]\n",
    "reflection_W": '[p3]\nW = [["3/5", "4/5"], ["4/5", "-3/5"]]\n',
    "non_symmetric_W3": '[p3]\nW3 = [["1/2", "1/4", 0], [0, 1, 0], ["1/4", 0, "1/3"]]\n',
    "no_limit_W3": '[p3]\nW3 = [[1, 0, 0], [0, -1, 0], [0, 0, "1/2"]]\n',
}


def test_overfull_boxes_are_read_from_a_log():
    log = (
        "Overfull \\hbox (37.12pt too wide) detected at line 80\n"
        "Underfull \\hbox (badness 10000) in paragraph at lines 3--4\n"
        "Overfull \\vbox (2.0pt too high) has occurred while \\output is active\n"
        "Overfull \\hbox (0.5pt too wide) in paragraph at lines 9--10\n"
    )
    assert [points for points, _ in pipeline.overfull_boxes(log)] == [37.12, 2.0, 0.5]


@pytest.fixture(scope="module")
def case_builds(tmp_path_factory):
    """Each case built once (solutions and problem sheet), on first use."""
    built = {}

    def build(case):
        if case not in built:
            folder = tmp_path_factory.mktemp(case)
            params = write(folder / "params.toml", CASES[case]) if CASES[case] else None
            built[case] = pipeline.build_report(load_variant(params), folder / "out", problem_sheet=True)
        return built[case]

    return build


@pytest.mark.parametrize("case", sorted(CASES))
def test_no_line_runs_into_the_margin(case, case_builds):
    result = case_builds(case)
    assert set(result.overfull) == {"solutions", "problems"}
    too_wide = {sheet: [line for points, line in boxes if points > ALLOWED_POINTS or "vbox" in line]
                for sheet, boxes in result.overfull.items()}
    assert too_wide == {"solutions": [], "problems": []}


@pytest.mark.parametrize("case", sorted(CASES))
def test_no_heading_at_a_page_foot_and_no_nearly_empty_page(case, case_builds):
    outputs = case_builds(case).outputs
    for sheet in ("solutions", "problems"):
        tex = outputs[f"{sheet}.tex"].read_text(encoding="utf-8")
        assert page_break_problems(tex, pdf_pages(outputs[f"{sheet}.pdf"])) == [], sheet


# --- The stress batch: every variant's solutions and sheet in one document ----
#
# Compiling 50 variants one by one takes about 50 x 3.5 s. A section's layout
# does not depend on its neighbours except through page breaks, so the
# variants of a batch are typeset into ONE document per kind of sheet, each
# variant after a \clearpage with its page, section, figure and table counters
# and its title reset, and compiled once; every overfull box the log reports
# is mapped back to its variant by the line numbers TeX gives.

BATCH_SEED = 1
BATCH_COUNT = 50
VARIANT_MARK = "% rnnsym-layout-variant "
BODY_PLACEHOLDER = "%RNNSYM-LAYOUT-BODY%"

# \maketitle destroys itself, \title, \author and \date once used; these copies
# bring them back before each variant's title.
TITLE_RESET = r"""\makeatletter
\let\rnnsymLmaketitle\maketitle \let\rnnsymLinnermaketitle\@maketitle
\let\rnnsymLtitle\title \let\rnnsymLauthor\author \let\rnnsymLdate\date \let\rnnsymLthanks\thanks
\newcommand{\rnnsymlayoutreset}{\clearpage
  \global\let\maketitle\rnnsymLmaketitle \global\let\@maketitle\rnnsymLinnermaketitle
  \global\let\title\rnnsymLtitle \global\let\author\rnnsymLauthor \global\let\date\rnnsymLdate
  \global\let\thanks\rnnsymLthanks
  \setcounter{page}{1}\setcounter{section}{0}\setcounter{figure}{0}\setcounter{table}{0}\setcounter{footnote}{0}}
\makeatother
"""


def _variant_bodies(job):
    """(variant id, solutions chunk, problem-sheet chunk) of one variant; run in
    a worker process. Figures go to a folder of the variant's own."""
    from rnnsym import render
    from rnnsym.pipeline import report_sections, solve

    from rnnsym import i18n

    variant, build_dir = job
    with i18n.using(variant.meta.language):
        return _variant_bodies_here(variant, build_dir)


def _variant_bodies_here(variant, build_dir):
    from rnnsym import i18n, render
    from rnnsym.pipeline import report_sections, solve

    folder = build_dir / variant.meta.variant
    folder.mkdir()
    sections = report_sections(solve(variant), folder, variant)
    for section in sections:
        section["figures"] = {name: f"{variant.meta.variant}/{file}" for name, file in section["figures"].items()}
    chunks = []
    for show_solutions in (True, False):
        # The default title is a message id, translated as render.document translates it.
        title = [render.escape_text(i18n._(variant.meta.title)), render.escape_text(variant.meta.course),
                 render.escape_text(render.identification(variant.meta, show_solutions))]
        chunks.append(
            f"{VARIANT_MARK}{variant.meta.variant}\n\\rnnsymlayoutreset\n"
            f"\\title{{{title[0]}}}\\author{{{title[1]}}}\\date{{{title[2]}}}\\maketitle\n"
            + render.render_body(sections, show_solutions))
    return variant.meta.variant, chunks[0], chunks[1]


def batch_documents(variants, build_dir, jobs=2) -> dict:
    """The .tex of every kind of sheet ({"solutions": path, "problems": path}),
    each holding every variant of ``variants``, written into ``build_dir``."""
    import multiprocessing

    from rnnsym import render

    with multiprocessing.get_context("fork").Pool(jobs) as pool:
        bodies = pool.map(_variant_bodies, [(variant, build_dir) for variant in variants])
    paths = {}
    for position, sheet in ((1, "solutions"), (2, "problems")):
        shell = render.document(variants[0].meta, BODY_PLACEHOLDER, show_solutions=(sheet == "solutions")).dumps()
        # PyLaTeX ends lines with "%": "\\maketitle%\n%RNNSYM-LAYOUT-BODY%%".
        shell, replaced = re.subn(r"\\maketitle%?\n" + re.escape(BODY_PLACEHOLDER) + "%*",
                                  lambda _: "\n".join(body[position] for body in bodies), shell)
        assert replaced == 1
        shell = shell.replace("\\begin{document}", TITLE_RESET + "\\begin{document}", 1)
        paths[sheet] = build_dir / f"{sheet}.tex"
        paths[sheet].write_text(shell + "\n", encoding="utf-8")
    return paths


_LOG_LINE = re.compile(r"at lines? (\d+)")


def overfull_by_variant(tex: str, log: str) -> dict:
    """Every overfull box of ``log`` over the allowed points, by the variant whose
    lines of ``tex`` it names ("?" when the log names no line)."""
    starts = [(number, line[len(VARIANT_MARK):].strip()) for number, line in enumerate(tex.splitlines(), start=1)
              if line.startswith(VARIANT_MARK)]
    found: dict = {}
    for points, line in pipeline.overfull_boxes(log):
        if points <= ALLOWED_POINTS and "vbox" not in line:
            continue
        where = _LOG_LINE.search(line)
        owner = "?"
        if where:
            owners = [variant for start, variant in starts if start <= int(where.group(1))]
            owner = owners[-1] if owners else "preamble"
        found.setdefault(owner, []).append(line)
    return found


def compile_batch(paths: dict, engine: str = "pdflatex") -> dict:
    """Compiles each sheet's document (two at once) and returns {sheet: log text}."""
    from concurrent.futures import ThreadPoolExecutor

    from rnnsym import latex

    with ThreadPoolExecutor(max_workers=len(paths)) as pool:
        list(pool.map(lambda path: latex.compile_pdf(path, engine=engine), paths.values()))
    return {sheet: path.with_suffix(".log").read_text(errors="replace") for sheet, path in paths.items()}


# --- Page breaks: no heading stranded at a page foot, no nearly empty page ----

# A page holding fewer lines of text than this (its page number not counted)
# is "nearly empty": a table's last row or the last line of a paragraph
# pushed over on its own. A page that ends a problem's solution is held to the
# same rule.
FEW_LINES = 4
# A heading must be followed on its page by at least this many lines (the
# heading's own line not counted): the last lines of a page are never a heading.
LINES_AFTER_HEADING = 2

_HEADING = re.compile(r"\\(section|subsection|subsubsection|paragraph)\*?\{")
# "3 Backpropagation ...", "A.2 Iterated maps", "1a. ..." keeps its label.
_SECTION_NUMBER = re.compile(r"^(?:[A-Z]|\d+)(?:\.\d+)*\s+")


def _braced(text: str, start: int) -> str:
    """The contents of the brace group opening at ``text[start]``."""
    depth = 0
    for index in range(start, len(text)):
        depth += {"{": 1, "}": -1}.get(text[index], 0)
        if depth == 0:
            return text[start + 1:index]
    return text[start + 1:]


def headings(tex: str) -> dict:
    """The text each heading of ``tex`` begins with as pdftotext prints it (up
    to its first maths or command), mapped to whether it is a run-in heading
    (\\paragraph, followed by text on the same line)."""
    found = {}
    for match in _HEADING.finditer(tex):
        plain = re.split(r"[$\\]", _braced(tex, match.end() - 1))[0]
        plain = " ".join(plain.replace("~", " ").replace("{", "").replace("}", "").split())
        if plain:
            found[plain] = found.get(plain, False) or match.group(1) == "paragraph"
    return found


def _is_heading(line: str, known: dict) -> bool:
    for bare in {line, _SECTION_NUMBER.sub("", line)}:
        for text, run_in in known.items():
            if bare == text or (bare.startswith(text) and (run_in or len(text) >= 12)):
                return True
    return False


def pdf_pages(pdf) -> list:
    """The lines of text of every page of ``pdf`` (pdftotext; the page number dropped)."""
    import subprocess

    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    pages = []
    for page in text.split("\f")[:-1] if text.endswith("\f") else text.split("\f"):
        lines = [" ".join(line.split()) for line in page.splitlines() if line.strip()]
        if lines and re.fullmatch(r"\d+", lines[-1]):
            lines = lines[:-1]
        pages.append(lines)
    return pages


def page_break_problems(tex: str, pages: list, normalize=lambda line: line) -> list:
    """(page, what is wrong) for every page that ends with a heading or holds
    fewer than FEW_LINES lines; pages numbered from 1 through the PDF.
    ``normalize``: applied to the headings and the lines before they are
    compared (Persian: pdftotext's presentation forms to letters)."""
    known = {normalize(text): run_in for text, run_in in headings(tex).items()}
    pages = [[normalize(line) for line in lines] for lines in pages]
    problems = []
    for number, lines in enumerate(pages, start=1):
        if len(lines) < FEW_LINES:
            problems.append((number, f"only {len(lines)} line(s): {lines}"))
        stranded = [line for line in lines[-LINES_AFTER_HEADING:] if _is_heading(line, known)]
        if stranded:
            problems.append((number, f"a heading at the page foot: {stranded[0]!r}"))
    return problems


@pytest.mark.parametrize(
    "pages, found",
    [
        ([["Some text"] * 40, ["Some text"] * 40], []),
        # A table's last row alone on a page.
        ([["Some text"] * 40, ["last row of the table"]], [(2, "only 1 line(s): ['last row of the table']")]),
        ([["Some text"] * 38 + ["1d. The ReLU unit"], ["Some text"] * 40],
         [(1, "a heading at the page foot: '1d. The ReLU unit'")]),
        ([["Some text"] * 38 + ["A.4 Multi-dimensional RNNs", "What was checked Numbers"], ["Some text"] * 40],
         [(1, "a heading at the page foot: 'A.4 Multi-dimensional RNNs'")]),
        # A run-in heading followed by its first words, at the foot.
        ([["Some text"] * 38 + ["Parameters (input size D, hidden size H)"], ["Some text"] * 40],
         [(1, "a heading at the page foot: 'Parameters (input size D, hidden size H)'")]),
        # A heading with two lines below it on its page is not stranded.
        ([["1d. The ReLU unit", "Now h_t+1 = ...", "for h0 >= 0."] + ["Some text"] * 3], []),
    ],
)
def test_page_break_problems_are_found(pages, found):
    tex = "\\subsection*{1d. The ReLU unit}\\subsection{Multi{-}dimensional RNNs}\\paragraph{Parameters} x"
    assert page_break_problems(tex, pages) == found


def test_a_heading_above_a_longtable_is_kept_off_the_page_foot(tmp_path):
    """A subsection followed by a longtable, as in the appendix of checks, placed
    1 to 7 lines above the foot of a page: without the preamble's
    HEADINGS_KEEP_LINES some of them are stranded there (so the test can see
    one), with it none is."""
    from rnnsym import latex, render
    from rnnsym.params import Meta

    rows = "".join(f"row {i} & some numbers {i} \\\\\n" for i in range(30))
    stranded = {True: [], False: []}
    for lines_left in range(1, 8):
        body = ("Filler text.\\par\n" * 6
                + "\\penalty0\\vspace*{\\dimexpr\\pagegoal-\\pagetotal-%d\\baselineskip\\relax}\n" % lines_left
                + "\\subsection*{A stranded heading}\n"
                + "\\begin{longtable}{ll}\\toprule What & Numbers \\\\ \\midrule\\endhead\n" + rows
                + "\\bottomrule\\end{longtable}\n")
        for keep in (True, False):
            source = render.document(Meta(), body).dumps()
            if not keep:
                source = source.replace(render.HEADINGS_KEEP_LINES, "")
            folder = tmp_path / f"{lines_left}-{keep}"
            folder.mkdir()
            tex_file = folder / "page.tex"
            tex_file.write_text(source, encoding="utf-8")
            if page_break_problems(source, pdf_pages(latex.compile_pdf(tex_file))):
                stranded[keep].append(lines_left)
    assert stranded[True] == [] and stranded[False] != []


def _draw(count: int):
    from rnnsym.variants import BatchSpec, draw_batch

    return draw_batch(BatchSpec(seed=BATCH_SEED, count=count,
                                options={"p1_fixed_points": "mixed", "p3_regime": "mixed"}))


@pytest.fixture(scope="module")
def stress_batch(tmp_path_factory):
    """The 50 variants of the stress batch, solutions and sheets, in two documents
    compiled once: ({sheet: .tex path}, {sheet: log text}, variant ids)."""
    variants = _draw(BATCH_COUNT)
    paths = batch_documents(variants, tmp_path_factory.mktemp("batch"))
    return paths, compile_batch(paths), [v.meta.variant for v in variants]


def test_the_stress_batch_documents_hold_every_variant(stress_batch):
    paths, _, ids = stress_batch
    assert len(set(ids)) == BATCH_COUNT
    for sheet, path in paths.items():
        text = "\n".join(line for page in pdf_pages(path.with_suffix(".pdf")) for line in page)
        titles = re.findall(r"variant (s\d+-v\d+) \| seed", text)
        assert titles == ids, sheet


def test_no_line_of_the_stress_batch_runs_into_the_margin(stress_batch):
    paths, logs, _ = stress_batch
    found = {sheet: overfull_by_variant(paths[sheet].read_text(encoding="utf-8"), logs[sheet]) for sheet in paths}
    assert found == {"solutions": {}, "problems": {}}


def test_no_heading_at_a_page_foot_in_the_stress_batch(stress_batch):
    paths, _, _ = stress_batch
    for sheet, path in paths.items():
        tex = path.read_text(encoding="utf-8")
        assert page_break_problems(tex, pdf_pages(path.with_suffix(".pdf"))) == [], sheet


# The Persian edition of the same draws (XeLaTeX: about 20 s for 50 variants).
PERSIAN_BATCH_COUNT = BATCH_COUNT


@pytest.fixture(scope="module")
def persian_stress_batch(tmp_path_factory):
    """The stress batch in Persian, solutions and sheets, two documents
    compiled once by XeLaTeX."""
    import dataclasses

    from rnnsym import i18n, latex
    from tests.conftest import skip_unless

    missing = [what for what, _ in latex.missing_persian()]
    skip_unless(not missing, "PERSIAN", f"Persian TeX missing: {', '.join(missing)} (scripts/ensure-deps.sh persian)")
    variants = [dataclasses.replace(v, meta=dataclasses.replace(v.meta, language="fa"))
                for v in _draw(PERSIAN_BATCH_COUNT)]
    with i18n.using("fa"):
        paths = batch_documents(variants, tmp_path_factory.mktemp("batch-fa"))
    return paths, compile_batch(paths, engine="xelatex"), [v.meta.variant for v in variants]


def test_the_persian_stress_batch_documents_hold_every_variant(persian_stress_batch):
    paths, _, ids = persian_stress_batch
    for sheet, path in paths.items():
        text = "\n".join(line for page in pdf_pages(path.with_suffix(".pdf")) for line in page)
        found = re.findall(r"s\d+-v\d+", text)
        titles = [variant for index, variant in enumerate(found) if index == 0 or variant != found[index - 1]]
        assert titles == ids, sheet


def test_no_line_of_the_persian_stress_batch_runs_into_the_margin(persian_stress_batch):
    paths, logs, _ = persian_stress_batch
    found = {sheet: overfull_by_variant(paths[sheet].read_text(encoding="utf-8"), logs[sheet]) for sheet in paths}
    assert found == {"solutions": {}, "problems": {}}


def test_no_heading_at_a_page_foot_in_the_persian_stress_batch(persian_stress_batch):
    paths, _, _ = persian_stress_batch
    for sheet, path in paths.items():
        tex = path.read_text(encoding="utf-8")
        pages = pdf_pages(path.with_suffix(".pdf"))
        assert page_break_problems(tex, pages, pdf_line) == [], sheet
        # The Persian headings are found on the pages (so a stranded one would be).
        known = {pdf_line(text): run_in for text, run_in in headings(tex).items()}
        found = sum(_is_heading(pdf_line(line), known) for page in pages for line in page)
        assert found >= PERSIAN_BATCH_COUNT * 3, (sheet, found)


def test_a_too_wide_display_is_traced_to_its_variant(tmp_path):
    """The batch check fails, naming the variant, when one variant's line runs
    into the margin (a display 1.3 text widths wide injected into the second)."""
    variants = _draw(2)
    paths = batch_documents(variants, tmp_path)
    second = variants[1].meta.variant
    source = paths["solutions"].read_text(encoding="utf-8")
    at = source.index(f"{VARIANT_MARK}{second}")
    at = source.index("\\section{", at)
    source = source[:at] + "\\[ \\rule{1.3\\textwidth}{1pt} \\]\n" + source[at:]
    paths["solutions"].write_text(source, encoding="utf-8")
    found = overfull_by_variant(source, compile_batch({"solutions": paths["solutions"]})["solutions"])
    assert list(found) == [second] and len(found[second]) == 1
    assert "too wide" in found[second][0]
