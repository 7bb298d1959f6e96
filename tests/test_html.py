"""The HTML edition without a browser: escaping, the preparation of the LaTeX
body for pandoc, one source of prose, and what a missing pandoc says."""

from __future__ import annotations

import html as html_module
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

from rnnsym import cli, html, latex_to_html, pipeline, plots, render, svg_figures
from rnnsym.errors import HtmlError, LatexError
from rnnsym.params import Meta, load_variant
from tests.conftest import skip_unless

HOSTILE = [
    "<script>alert(1)</script>",
    "</title><script>alert(2)</script>",
    "\\input{/etc/passwd}",
    "$x$ and \\(y\\)",
    "\u202eevil\u202c name \u2067RTL\u2069",
    "\" onmouseover=\"alert(3)",
    "&amp; &lt;b&gt;",
]


class Elements(HTMLParser):
    """Every start tag of a page, and the text of its <title>."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_title = tag == "title"

    def handle_endtag(self, tag):
        self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data


def parse(text: str) -> Elements:
    parser = Elements()
    parser.feed(text)
    return parser


def page_for(meta: Meta) -> str:
    return html.page(meta, '<h2 id="sec:1">One</h2><p>body</p>', "problems")


@pytest.mark.parametrize("hostile", HOSTILE)
@pytest.mark.parametrize("field", ["title", "course", "variant", "student", "student_id", "seed"])
def test_free_text_never_becomes_markup(field, hostile):
    plain = parse(page_for(Meta(course="c", student="s", student_id="i", seed="1")))
    text = page_for(Meta(**{**dict(course="c", student="s", student_id="i", seed="1"), field: hostile}))
    elements = parse(text)
    # The same elements with the same attributes: the text added none.
    assert [tag for tag, _ in elements.tags] == [tag for tag, _ in plain.tags]
    assert [sorted(attrs) for _, attrs in elements.tags] == [sorted(attrs) for _, attrs in plain.tags]
    assert hostile in html_module.unescape(text)  # shown literally
    if field in ("title", "variant"):
        assert hostile in elements.title
    # Inside the body, each insertion is isolated (<bdi>) against bidi overrides.
    assert text.count("<bdi>") == parse(text).tags.count(("bdi", {}))


def test_page_language_and_direction_are_parameters():
    text = html.page(Meta(), "<p>x</p>", "solutions", lang="fa", direction="rtl")
    assert '<html lang="fa" dir="rtl">' in text
    with pytest.raises(ValueError):
        html.page(Meta(), "", "solutions", lang='en" onload="x')
    with pytest.raises(ValueError):
        html.page(Meta(), "", "solutions", direction="up")


def test_every_picture_needs_its_alt_line():
    body = "a\n% alt: Two boxes.\n\\begin{tikzpicture}\\draw (0,0) -- (1,1);\\end{tikzpicture}\nb"
    prepared, pictures = latex_to_html.extract_pictures(body)
    assert pictures == [latex_to_html.Picture("\\begin{tikzpicture}\\draw (0,0) -- (1,1);\\end{tikzpicture}", "Two boxes.")]
    assert "tikzpicture" not in prepared and "RNNSYMFIGURE0000" in prepared
    with pytest.raises(HtmlError, match="alt"):
        latex_to_html.extract_pictures("\\begin{tikzpicture}\\draw (0,0) -- (1,1);\\end{tikzpicture}")


def test_tabbing_lines_keep_their_indentation():
    body = "\\begin{tabbing}\n\\quad\\=\\quad\\=\\kill\n\\textbf{for} $i$\\\\\n\\> $a$\\\\\n\\>\\> $b$\n\\end{tabbing}"
    prepared = latex_to_html.tabbing_to_blocks(body)
    assert re.findall(r"\\begin\{(rnnsymindent\w*)\}\n(.*)", prepared) == [
        ("rnnsymindent", "\\textbf{for} $i$"), ("rnnsymindenti", "$a$"), ("rnnsymindentii", "$b$")]
    assert "\\kill" not in prepared


def test_a_pdf_figure_becomes_the_same_svg_every_time(tmp_path):
    skip_unless(shutil.which("pdftocairo") is not None, "LATEX", "pdftocairo missing (make test installs it)")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots()
    axes.plot([0, 1], [1, 0], label="$h_t$")
    axes.legend()
    name = plots.save(figure, tmp_path / "f.pdf")
    svg_figures.pdf_to_svg(tmp_path / name, tmp_path / "a.svg")
    svg_figures.pdf_to_svg(tmp_path / name, tmp_path / "b.svg")
    svg = (tmp_path / "a.svg").read_text()
    assert svg.startswith("<?xml") and "<svg" in svg and "<path" in svg
    assert "href=\"http" not in svg and "xlink:href=\"file" not in svg  # nothing outside the file
    assert (tmp_path / "a.svg").read_bytes() == (tmp_path / "b.svg").read_bytes()
    with pytest.raises(LatexError, match="pdftocairo"):
        svg_figures.pdf_to_svg(tmp_path / "missing.pdf", tmp_path / "c.svg")


@pytest.fixture(scope="module")
def default_pages(tmp_path_factory):
    skip_unless(shutil.which("pandoc") is not None, "BROWSER", "pandoc missing (the HTML edition and its browser tests need it; make test installs it)")
    skip_unless(shutil.which("pdflatex") is not None, "LATEX", "pdflatex missing (make test installs it)")
    out = tmp_path_factory.mktemp("html")
    variant = load_variant(None)
    solved = pipeline.solve(variant)
    html.build_html(variant, out, solved=solved)
    return out / "html", render_sections_text(solved, tmp_path_factory.mktemp("figures"))


def render_sections_text(solved, directory: Path) -> dict[str, str]:
    sections = pipeline.report_sections(solved, directory)
    return {sheet: render.render_body(sections, sheet == "solutions") for sheet in ("solutions", "problems")}


def visible_text(page: str) -> str:
    """The page's prose: its main text outside formulas and code (where TeX is shown on purpose)."""
    main = page[page.index("<main>"):page.index("</main>")]
    main = re.sub(r'<span class="math (?:inline|display)">.*?</span>|<code>.*?</code>', " ", main, flags=re.DOTALL)
    return html_module.unescape(re.sub(r"<[^>]+>", " ", main))


@pytest.mark.parametrize("sheet", ["solutions", "problems"])
def test_the_pages_say_what_the_latex_says(default_pages, sheet):
    directory, bodies = default_pages
    page = (directory / f"{sheet}.html").read_text(encoding="utf-8")
    text = " ".join(visible_text(page).split())
    # No TeX command left over outside the formulas (a macro pandoc dropped or kept raw).
    assert re.findall(r"\\[A-Za-z]+", text) == []
    # Every section and subsection title of the LaTeX body is a heading of the page.
    titles = re.findall(r"\\(?:sub)?section\*?\{([^${}\\]+)\}", bodies[sheet])
    assert titles
    for title in titles:
        assert " ".join(title.split()) in text
    # Text escaped for LaTeX (apostrophes, bars) comes through.
    if sheet == "solutions":
        assert "PyTorch's" in text


def test_every_figure_has_a_file_and_alt_text(default_pages):
    directory, _ = default_pages
    for sheet in ("solutions", "problems"):
        elements = parse((directory / f"{sheet}.html").read_text(encoding="utf-8"))
        images = [attrs for tag, attrs in elements.tags if tag == "img"]
        if sheet == "solutions":
            assert len(images) == 8  # five matplotlib figures, three TikZ pictures
        for attrs in images:
            assert attrs["src"].endswith(".svg") and (directory / attrs["src"]).stat().st_size > 1000
            assert len(attrs["alt"]) > 20 and "\\" not in attrs["alt"]


def test_html_without_pandoc_says_what_to_install(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PATH", str(tmp_path))  # no pandoc on it
    status = cli.main(["report", "--format", "html", "--out", str(tmp_path / "out"), "--force"])
    assert status == 3
    assert "apt-get install pandoc" in capsys.readouterr().err
    assert not (tmp_path / "out" / "html").exists()


def test_both_editions_come_from_one_build(tmp_path, latex_available, capsys):
    skip_unless(shutil.which("pandoc") is not None, "BROWSER", "pandoc missing (the HTML edition and its browser tests need it; make test installs it)")
    out = tmp_path / "out"
    assert cli.main(["report", "--format", "both", "--out", str(out)]) == 0
    for name in ("solutions.pdf", "solutions.tex", "answers.json", "html/solutions.html", "html/problems.html",
                 "html/p1-cobweb-sigmoid.svg", "html/assets/katex/katex.min.js", "html/assets/rnnsym.css"):
        assert (out / name).is_file(), name
    assert not list(out.glob(".build*"))
    capsys.readouterr()
    assert cli.main(["report", "--format", "both", "--out", str(out)]) == 0
    assert "up to date" in capsys.readouterr().out
    # Another edition is another build, not "up to date".
    assert cli.main(["report", "--format", "html", "--out", str(out)]) == 0
    assert "wrote" in capsys.readouterr().out


def test_figure_references_name_the_figures_they_link_to(default_pages):
    directory, _ = default_pages
    page = (directory / "solutions.html").read_text(encoding="utf-8")
    references = dict(re.findall(r'<a href="#(fig:[^"]+)"[^>]*>(\d+)</a>', page))
    numbered = dict(re.findall(r'<figure id="(fig:[^"]+)"[^>]*>.*?Figure (\d+):</span>', page, flags=re.DOTALL))
    assert len(numbered) == 5 and references == numbered


def test_the_vendored_katex_is_the_pinned_version_whole():
    katex = html.ASSET_DIR / "katex"
    assert f'version:"{html.KATEX_VERSION}"' in (katex / "katex.min.js").read_text(encoding="utf-8")
    assert "MIT License" in (katex / "LICENSE").read_text(encoding="utf-8")
    assert html.KATEX_VERSION in (katex / "SOURCE.txt").read_text(encoding="utf-8")
    # Every woff2 font the stylesheet names is there (the browser asks for no other format).
    css = (katex / "katex.min.css").read_text(encoding="utf-8")
    fonts = set(re.findall(r"url\((fonts/[^)]+\.woff2)\)", css))
    assert len(fonts) == 20 and all((katex / font).is_file() for font in fonts)


def test_a_batch_in_the_html_edition_alone(tmp_path):
    skip_unless(shutil.which("pandoc") is not None, "BROWSER",
                "pandoc missing (the HTML edition and its browser tests need it; make test installs it)")
    from rnnsym import variants

    spec = variants.BatchSpec(11, 1, (variants.Student("Ada <b>Lovelace</b>", "1"),), {})
    outcomes = variants.run_batch(spec, tmp_path, jobs=1, formats=("html",))
    assert [o.error for o in outcomes] == [None]
    folder = tmp_path / outcomes[0].variant
    assert sorted(p.name for p in folder.iterdir()) == ["answers.json", "html", "params.toml"]
    sheet = (folder / "html" / "problems.html").read_text(encoding="utf-8")
    assert "Ada &lt;b&gt;Lovelace&lt;/b&gt;" in sheet and "<b>Lovelace" not in sheet
    assert (tmp_path / "index.csv").is_file() and not (tmp_path / "key.pdf").exists()
