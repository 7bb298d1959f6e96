"""TeX and untrusted text: escaping in any script, and a TeX run confined to its build directory."""

import re
import secrets
import subprocess
import sys
import unicodedata
import zlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rnnsym import latex, render, tex_text
from rnnsym.errors import LatexError
from rnnsym.params import Meta
from tests.conftest import write

# --- helpers ------------------------------------------------------------------------


def pdf_bytes_expanded(pdf: Path) -> bytes:
    """The PDF's bytes with every Flate stream inflated beside its raw form."""
    data = pdf.read_bytes()
    parts = [data]
    for match in re.finditer(rb"stream\r?\n(.*?)endstream", data, re.S):
        try:
            parts.append(zlib.decompressobj().decompress(match.group(1)))
        except zlib.error:
            pass
    return b"\n".join(parts)


def pdf_text(pdf: Path) -> str:
    return subprocess.run(["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True, check=True).stdout


def compile_body(directory: Path, body: str, meta: Meta | None = None) -> Path:
    """A document built by render.document around ``body``, compiled; returns the PDF."""
    directory.mkdir(parents=True, exist_ok=True)
    source = render.document(meta or Meta(), body).dumps() + "\n"
    tex_file = write(directory / "doc.tex", source)
    return latex.compile_pdf(tex_file)


# Whatever escape_text and escape_code produce is made of these pieces (the
# tables of rnnsym.tex_text), characters with ordinary category codes, and
# the braces of their groups.
_PIECES = sorted(
    {*tex_text.ASCII_SPECIAL.values(), *tex_text.ACCENTS.values(), *re.findall(r"\\[A-Za-z]+", "".join(tex_text.MATH.values())),
     r"\ensuremath", r"\mathrm", r"\textlangle{}", r"\textrangle{}", r"\allowbreak{}", r"\penalty200{}",
     tex_text.TRANSLITERATION_MACRO, r"\i{}", r"\j{}", tex_text.NO_BREAK_SPACE},
    key=len, reverse=True,
)
SAFE_PIECES = re.compile("|".join(re.escape(piece) for piece in _PIECES if piece.startswith("\\")))
# Any character, surrogates and unassigned code points included, and TeX's own specials often.
ANY_CHARACTER = st.one_of(st.characters(exclude_categories=()), st.sampled_from(list("\\{}$&#^_%~'`,-<>\n\t\x00")))


def assert_inert(source: str) -> None:
    """No character of ``source`` outside the safe commands can start a TeX command or change modes."""
    rest = SAFE_PIECES.sub("", source)
    assert "\\" not in rest, rest
    assert not set(rest) & set("$&#^_%~\x7f"), rest
    assert all(ord(c) >= 0x20 or c == " " for c in rest), rest
    depth = 0
    for character in rest:
        depth += {"{": 1, "}": -1}.get(character, 0)
        assert depth >= 0, source
    assert depth == 0, source


# --- escaping, without TeX ------------------------------------------------------------


@pytest.mark.parametrize(
    "text, source",
    [
        ("a_b", r"a\_b"),
        (r"\input{/etc/passwd}", r"\textbackslash{}input\{/etc/passwd\}"),
        ("$x$ & #1 ^ % ~", r"\$x\$ \& \#1 \textasciicircum{} \% \textasciitilde{}"),
        ("a -- b ,, c << d", r"a {-}{-} b ,{}, c \textless{}\textless{} d"),
        ("it's ``q''", r"it\textquotesingle{}s \textasciigrave{}\textasciigrave{}q\textquotesingle{}\textquotesingle{}"),
        ("line\nbreak\ttab\r", "line break tab "),
        ("nul\x00 del\x7f esc\x1b", r"nul\textlangle{}U+0000\textrangle{} del\textlangle{}U+007F\textrangle{} "
                                    r"esc\textlangle{}U+001B\textrangle{}"),
        ("a\u202eb\u200bc", r"a\textlangle{}U+202E\textrangle{}b\textlangle{}U+200B\textrangle{}c"),
        ("\ud800", r"\textlangle{}U+D800\textrangle{}"),
        ("Zoë Ærø", "Zoë Ærø"),
        ("Nguyễn Văn An", r"Nguy\~{\^{e}}n Văn An"),
        ("e\u0301", "é"),
        ("σ(h_t) − 1", r"\ensuremath{\sigma}(h\_t) \ensuremath{-} 1"),
        ("王小明", r"\rnnsymtranslit{Wang Xiao Ming}"),
        ("Дмитрий Иванов, 2", r"\rnnsymtranslit{Dmitriy Ivanov,} 2"),
        ("Trương Văn", r"\rnnsymtranslit{Truong} Văn"),
    ],
)
def test_escape_text_table(text, source):
    assert render.escape_text(text) == source


@pytest.mark.parametrize(
    "text, shown",
    [
        ("σ", r"\ensuremath{\sigma}"),
        ("王", r"\textlangle{}U+738B\textrangle{}"),
        ("a+b", r"a\penalty200{}+\allowbreak{}b"),
    ],
)
def test_escape_code_shows_every_character(text, shown):
    assert tex_text.escape_code(text) == shown


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=ANY_CHARACTER))
def test_no_text_becomes_a_command(text):
    assert_inert(render.escape_text(text))
    assert_inert(tex_text.escape_code(text))


def test_the_native_table_is_what_it_says():
    for character in tex_text.NATIVE:
        assert ord(character) > 0x7F and unicodedata.category(character)[0] not in "CZM", hex(ord(character))


# --- escaping, compiled -------------------------------------------------------------------

latex_only = [pytest.mark.latex, pytest.mark.usefixtures("latex_available")]

PRINTABLE_ASCII = "".join(chr(code) for code in range(0x20, 0x7F))
NO_HYPHENATION = r"\hyphenpenalty=10000 \exhyphenpenalty=10000 "


def between_markers(text: str) -> str:
    found = re.search(r"QQSTART(.*?)QQEND", " ".join(text.split()), re.S)
    assert found, text
    return found.group(1).strip()


@pytest.mark.latex
@pytest.mark.usefixtures("latex_available")
def test_every_printable_ascii_character_prints_as_itself(tmp_path):
    # Words short enough for a line: TeX does not break inside a word here.
    words = " ".join(PRINTABLE_ASCII[i : i + 16] for i in range(0, len(PRINTABLE_ASCII), 16))
    body = (NO_HYPHENATION + "QQSTART " + render.escape_text(words) + " QQEND\n\n"
            + "QQSTART " + render.escape_code(PRINTABLE_ASCII) + " QQEND\n")
    text = " ".join(pdf_text(compile_body(tmp_path, body)).split())
    as_text, as_code = re.findall(r"QQSTART (.*?) QQEND", text)
    assert as_text == words.strip()
    # Code wraps anywhere (and keeps its spaces): compare without white space.
    assert as_code.replace(" ", "") == PRINTABLE_ASCII.replace(" ", "")


@pytest.mark.latex
@pytest.mark.usefixtures("latex_available")
@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), min_size=1, max_size=30))
def test_printable_ascii_prints_exactly(tmp_path, text):
    body = NO_HYPHENATION + "QQSTART " + render.escape_text(text) + " QQEND\n"
    directory = tmp_path / secrets.token_hex(4)
    assert between_markers(pdf_text(compile_body(directory, body))) == " ".join(text.split())


@pytest.mark.latex
@pytest.mark.usefixtures("latex_available")
@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(alphabet=ANY_CHARACTER, max_size=80))
def test_any_unicode_text_compiles(tmp_path, text):
    meta = Meta(title=text, course=text, student=text, student_id=text)
    body = "QQSTART " + render.escape_text(text) + " " + render.escape_code(text) + " QQEND\n"
    assert compile_body(tmp_path / secrets.token_hex(4), body, meta).exists()


@pytest.mark.latex
@pytest.mark.usefixtures("latex_available")
def test_every_character_of_the_tables_prints_in_roman_bold_and_typewriter(tmp_path):
    characters = sorted(tex_text.NATIVE | set(tex_text.MATH))
    accented = ["Nguyễn", "ệ", "ǖ", "ḯ", "ả", "ḑ", "Ελένη"]
    line = " ".join(render.escape_text(c) for c in characters + accented)
    body = f"{line}\n\n\\textbf{{{line}}}\n\n\\texttt{{{line}}}\n"
    pdf = compile_body(tmp_path, r"\tracinglostchars=2 " + body)
    log = (tmp_path / "doc.log").read_text(errors="replace")
    assert "Missing character" not in log
    assert pdf.exists()


# --- the sandbox -----------------------------------------------------------------------------


def passwd_line() -> str:
    return Path("/etc/passwd").read_text().splitlines()[0]


ATTACKS = {
    "pdfobj stream file": r"\immediate\pdfobj stream file{SECRET_PATH}\pdfrefobj\pdflastobj",
    "pdfobj of /etc/passwd": r"\immediate\pdfobj stream file{/etc/passwd}\pdfrefobj\pdflastobj",
    "input": r"\input{SECRET_PATH}",
    "openin and read": r"\newread\secretfile\openin\secretfile=SECRET_PATH \read\secretfile to\secretline\secretline",
    "pdffiledump": r"\pdffiledump length 100 {SECRET_PATH}",
}


@pytest.mark.latex
@pytest.mark.usefixtures("latex_available")
@pytest.mark.parametrize("attack", ATTACKS.values(), ids=ATTACKS.keys())
def test_tex_reads_nothing_outside_its_build_directory(tmp_path, attack):
    """pdfTeX's \\pdfobj and \\pdffiledump ignore openin_any: only the sandbox keeps a file out."""
    secret = "SECRET" + secrets.token_hex(8)
    secret_file = write(tmp_path / "secret.txt", secret + "\n")
    build = tmp_path / "build"
    build.mkdir()
    source = (r"\documentclass{article}\begin{document}QQSTART " + attack.replace("SECRET_PATH", str(secret_file))
              + r" QQEND\end{document}" + "\n")
    tex_file = write(build / "attack.tex", source)
    try:
        pdf = latex.compile_pdf(tex_file, untrusted=True)
        message = ""
    except LatexError as error:
        pdf, message = tex_file.with_suffix(".pdf"), str(error)
    # \pdffiledump would print the file in hexadecimal.
    for leaked in (secret, secret.encode().hex().upper(), passwd_line()):
        assert leaked not in message
        assert leaked not in (build / "attack.log").read_text(errors="replace")
        if pdf.exists():
            assert leaked.encode() not in pdf_bytes_expanded(pdf)


@pytest.mark.latex
@pytest.mark.usefixtures("latex_available")
def test_tex_writes_nothing_outside_its_build_directory(tmp_path):
    build = tmp_path / "build"
    build.mkdir()
    target = tmp_path / "written.tex"
    source = (r"\documentclass{article}\begin{document}\newwrite\out\immediate\openout\out=" + str(target)
              + r" \immediate\write\out{pwned}\immediate\closeout\out x\end{document}" + "\n")
    try:
        latex.compile_pdf(write(build / "attack.tex", source), untrusted=True)
    except LatexError:
        pass
    assert not target.exists()


def test_the_sandbox_binds_only_the_system_tex_and_the_build_directory(tmp_path):
    arguments = latex.sandbox_arguments(tmp_path)
    writable = [arguments[i + 2] for i, a in enumerate(arguments) if a == "--bind"]
    assert writable == [str(tmp_path.resolve())]
    mounted = {arguments[i + 2] for i, a in enumerate(arguments) if a in ("--ro-bind", "--bind", "--ro-bind-try")}
    for private in ("/", "/home", "/root", "/tmp", "/etc", "/etc/passwd", "/proc", "/work"):
        assert private not in mounted
    assert "--unshare-all" in arguments and "--die-with-parent" in arguments and "--share-net" not in arguments


@pytest.mark.usefixtures("latex_available")
def test_a_missing_sandbox_fails_closed_and_says_what_to_install(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(latex, "_bwrap", lambda: None)
    monkeypatch.delenv(latex.SANDBOX_VARIABLE, raising=False)
    with pytest.raises(LatexError, match=r"apt-get install bubblewrap.*RNNSYM_TEX_SANDBOX=off"):
        latex.require_latex(untrusted=True)
    monkeypatch.setenv(latex.SANDBOX_VARIABLE, "on")
    with pytest.raises(LatexError, match=r"apt-get install bubblewrap"):
        latex.require_latex()


@pytest.mark.usefixtures("latex_available")
def test_a_sandbox_that_cannot_start_fails_closed(tmp_path, monkeypatch):
    fake = write(tmp_path / "bwrap", "#!/bin/sh\necho 'bwrap: No permissions to create new namespace' >&2\nexit 1\n")
    fake.chmod(0o755)
    monkeypatch.setattr(latex, "_bwrap", lambda: str(fake))
    monkeypatch.delenv(latex.SANDBOX_VARIABLE, raising=False)
    with pytest.raises(LatexError, match=r"cannot make a sandbox here \(bwrap: No permissions.*user namespaces"):
        latex.require_latex(untrusted=True)
    with pytest.raises(LatexError, match=r"cannot make a sandbox here"):
        latex.compile_pdf(write(tmp_path / "doc.tex", "\\documentclass{article}\\begin{document}x\\end{document}\n"),
                          untrusted=True)


@pytest.mark.latex
@pytest.mark.usefixtures("latex_available")
def test_the_instructors_documents_compile_without_a_sandbox_that_cannot_start(tmp_path, monkeypatch, capsys):
    """A first `make report` in a container that forbids user namespaces: built, with a warning."""
    fake = write(tmp_path / "bwrap", "#!/bin/sh\necho 'bwrap: No permissions to create new namespace' >&2\nexit 1\n")
    fake.chmod(0o755)
    monkeypatch.setattr(latex, "_bwrap", lambda: str(fake))
    monkeypatch.delenv(latex.SANDBOX_VARIABLE, raising=False)
    latex._sandbox_failure.cache_clear()
    latex._warn_no_sandbox.cache_clear()
    assert compile_body(tmp_path, "trusted").exists()
    assert "TeX runs without its sandbox here" in capsys.readouterr().err


@pytest.mark.latex
@pytest.mark.usefixtures("latex_available")
def test_the_sandbox_can_be_turned_off_explicitly_with_a_warning(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(latex, "_bwrap", lambda: None)
    monkeypatch.setenv(latex.SANDBOX_VARIABLE, "off")
    latex._warn_unconfined.cache_clear()
    assert compile_body(tmp_path, "unconfined").exists()
    assert "runs without its sandbox" in capsys.readouterr().err


# --- findings of issue 11 ----------------------------------------------------------------------------------


def rnnsym(*args):
    return subprocess.run([sys.executable, "-m", "rnnsym", *map(str, args)], capture_output=True, text=True)


# A made-up function whose name is pdfTeX primitives: old main printed it
# through SymPy's LaTeX printer, and the feedback PDF embedded /etc/passwd.
PDFOBJ_ANSWER = ("Max.__new__.__globals__['__builtins__']['__import__']('sympy').Function("
                 "'%cimmediate%cpdfobj stream file%c/etc/passwd%c%cpdfrefobj%cpdflastobj' % (92,92,123,125,92,92))"
                 ".__call__(h_t)")


@pytest.mark.latex
@pytest.mark.usefixtures("latex_available")
def test_feedback_shows_a_made_up_function_name_literally_and_embeds_no_file(tmp_path):
    answers = write(tmp_path / "answers.toml", '"1b.derivative" = ' + _toml_string(PDFOBJ_ANSWER) + "\n")
    result = rnnsym("check", answers, "--pdf", tmp_path / "feedback.pdf")
    assert result.returncode == 0, result.stderr
    pdf = tmp_path / "feedback.pdf"
    assert passwd_line().encode() not in pdf_bytes_expanded(pdf)
    # The answer wraps anywhere in its cell: compare without white space.
    assert re.sub(r"\s", "", PDFOBJ_ANSWER) in re.sub(r"\s", "", pdf_text(pdf))


@pytest.mark.latex
@pytest.mark.usefixtures("latex_available")
def test_feedback_prints_sigma_and_any_script_in_answers_and_names(tmp_path):
    params = write(tmp_path / "params.toml", '[meta]\nstudent = "王小明"\nstudent_id = "Ελένη-7"\n')
    answers = write(tmp_path / "answers.toml", '"1a.fixed_points" = "σ"\n'
                    '"1b.derivative" = "2 σ(2h_t − 1.88)(1 − σ(2h_t − 1.88))"\n'
                    '"1c.kinds" = ["Дмитрий", "مریم"]\n')
    result = rnnsym("check", "--params", params, answers, "--pdf", tmp_path / "feedback.pdf")
    assert result.returncode == 0, result.stderr
    text = pdf_text(tmp_path / "feedback.pdf")
    assert "Wang Xiao Ming" in text and "transliterated" in text
    assert "σ" in text and "λ" in text
    assert "U+0414" in text  # an answer shows code points, exactly, where the font has no glyph


ROSTER_NAMES = ["王小明", "Nguyễn Văn An", "Ελένη", "Дмитрий", "Zoë O'Brien", "مریم"]


@pytest.mark.latex
@pytest.mark.usefixtures("latex_available")
def test_roster_names_in_any_script_build_their_sheets(tmp_path):
    roster = write(tmp_path / "roster.csv", "name,id\n" + "".join(f'"{name}",s{i}\n' for i, name in
                                                                 enumerate(ROSTER_NAMES)))
    out = tmp_path / "variants"
    result = rnnsym("variants", "--seed", 1, "--roster", roster, "--out", out, "--jobs", 2)
    assert result.returncode == 0, result.stderr
    shown = {}
    for folder in sorted(out.glob("s1-v*")):
        params = (folder / "params.toml").read_text(encoding="utf-8")
        name = next(n for n in ROSTER_NAMES if f"student = {_toml_string(n)}" in params)  # the original, kept
        shown[name] = " ".join(pdf_text(folder / "problems.pdf").split())
    assert set(shown) == set(ROSTER_NAMES)
    assert "student: \u2329Wang Xiao Ming\u232a" in shown["王小明"] and "\u2329Dmitriy\u232a" in shown["Дмитрий"]
    assert "transliterated" in shown["مریم"] and "transliterated" not in shown["Zoë O'Brien"]
    assert "Zoë O'Brien" in shown["Zoë O'Brien"] and "Văn An" in shown["Nguyễn Văn An"]
    assert all(name in (out / "index.csv").read_text(encoding="utf-8") for name in ROSTER_NAMES)


def _toml_string(text: str) -> str:
    import json

    return json.dumps(text, ensure_ascii=False)
