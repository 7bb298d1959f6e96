"""The Debian install list is derived from what the build loads.

Every kind of document rnnsym compiles (solutions, problem sheet, feedback
PDF, the merged key of a batch) is compiled here
with latexmk's ``-recorder`` file list. Each file TeX read from the TeX trees
is mapped to the Debian package that owns it (``dpkg -S``), and that package
must be in the install list of ``scripts/ensure-deps.sh`` or a dependency of
one in it. The same list is named in the README's ``sudo apt-get install``
line and in the error message of :func:`rnnsym.latex.require_latex`.
"""

from __future__ import annotations

import dataclasses
import functools
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from rnnsym import checker, latex, merged_key, pipeline
from rnnsym.params import load_variant

ROOT = Path(__file__).resolve().parent.parent
ENSURE_DEPS = ROOT / "scripts" / "ensure-deps.sh"
README = ROOT / "README.md"

# Where TeX Live reads its inputs on Debian. /var/lib/texmf holds files that
# tex-common's triggers generate (formats, ls-R, font maps), and so is
# /etc/texmf/web2c/texmf.cnf (update-texmf): no package owns them.
TEX_TREES = ("/usr/share/texlive/", "/usr/share/texmf/", "/usr/share/fonts/", "/etc/texmf/")
GENERATED_TREES = ("/var/lib/texmf/", "/etc/texmf/web2c/texmf.cnf")
# Files TeX reads only when some package happens to ship them, and does
# without otherwise: kpathsea's font-name map texfonts.map (texlive-plain-generic,
# which e.g. texlive-xetex brings). The build cannot depend on them.
OPTIONAL_INPUTS = ("/fonts/map/fontname/texfonts.map",)


def shell_list(name: str) -> list[str]:
    """A ``NAME="a b c"`` list of scripts/ensure-deps.sh."""
    match = re.search(rf'^{name}="([^"]*)"', ENSURE_DEPS.read_text(), re.MULTILINE)
    assert match, f"{name} not found in {ENSURE_DEPS}"
    return match.group(1).split()


def readme_install_line() -> list[str]:
    """The packages of the README's `sudo apt-get install` command (with its continuation lines)."""
    text = README.read_text()
    match = re.search(r"sudo apt-get install ((?:[^\n]*\\\n)*[^\n]*)", text)
    assert match, "the README names no `sudo apt-get install` command"
    return match.group(1).replace("\\\n", " ").split()


def recorded_inputs(fls_text: str) -> set[str]:
    """The absolute paths of a latexmk ``.fls`` file's INPUT lines."""
    return {line[len("INPUT "):].strip() for line in fls_text.splitlines()
            if line.startswith("INPUT /")}


def owning_package(path: str) -> str | None:
    """The Debian package that ships ``path`` (following links), or None for generated files."""
    if path.startswith(GENERATED_TREES):
        return None
    # Merged /usr: PATH may find /bin/x, which dpkg knows as /usr/bin/x.
    usr = "/usr" + path if path.startswith(("/bin/", "/sbin/")) else path
    for candidate in dict.fromkeys((path, usr, str(Path(path).resolve()))):
        result = subprocess.run(["dpkg", "-S", candidate], capture_output=True, text=True)
        if result.returncode == 0:
            # "pkg:arch, other: /path" - diversions aside, the first owner.
            return result.stdout.split(":")[0].split(",")[0].strip()
    return "(no package)"


@functools.lru_cache(maxsize=None)
def _depends(package: str) -> tuple[str, ...]:
    result = subprocess.run(["dpkg-query", "-W", "-f", "${Pre-Depends}, ${Depends}", package],
                            capture_output=True, text=True)
    names = []
    for clause in result.stdout.split(","):
        # Alternatives "a | b": any of them may be what is installed.
        for alternative in clause.split("|"):
            name = alternative.strip().split(" ")[0].split(":")[0]
            if name:
                names.append(name)
    return tuple(names)


def dependency_closure(packages) -> set[str]:
    """The packages and everything they depend on, recursively (installed ones)."""
    seen, pending = set(), list(packages)
    while pending:
        package = pending.pop()
        if package not in seen:
            seen.add(package)
            pending.extend(_depends(package))
    return seen


def uncovered(owners: dict[str, str | None], install_list) -> dict[str, list[str]]:
    """Packages owning recorded inputs that the install list does not bring, with their files."""
    covered = dependency_closure(install_list)
    missing: dict[str, list[str]] = {}
    for path, package in sorted(owners.items()):
        if package is not None and package not in covered:
            missing.setdefault(package, []).append(path)
    return missing


def test_the_three_lists_agree():
    tex = shell_list("TEX_DEBS")
    assert sorted(readme_install_line()) == sorted(tex), "README's apt-get line differs from ensure-deps.sh"
    assert sorted(latex.TEX_PACKAGES.split()) == sorted(tex), "rnnsym.latex.TEX_PACKAGES differs from ensure-deps.sh"


def test_uncovered_names_a_package_outside_the_list(monkeypatch):
    """The check itself can fail: a file from a package that the list does not bring is reported."""
    depends = {"texlive-latex-base": ("texlive-base",), "texlive-base": (), "texlive-latex-extra": ()}
    monkeypatch.setattr(sys.modules[__name__], "_depends", lambda package: depends.get(package, ()))
    owners = {"/usr/share/texlive/texmf-dist/tex/latex/base/article.cls": "texlive-latex-base",
              "/usr/share/texlive/texmf-dist/tex/latex/lastpage/lastpage.sty": "texlive-latex-extra",
              "/var/lib/texmf/web2c/pdftex/pdflatex.fmt": None}
    assert uncovered(owners, ["texlive-latex-base"]) == {
        "texlive-latex-extra": ["/usr/share/texlive/texmf-dist/tex/latex/lastpage/lastpage.sty"]}
    assert uncovered(owners, ["texlive-latex-base", "texlive-latex-extra"]) == {}


def test_recorded_inputs_reads_absolute_input_lines():
    fls = "PWD /tmp/x\nINPUT /usr/share/texlive/a.sty\nINPUT ./local.tex\nOUTPUT x.pdf\nINPUT /usr/share/texlive/a.sty\n"
    assert recorded_inputs(fls) == {"/usr/share/texlive/a.sty"}


def _compile_recording(monkeypatch, tmp_path) -> list[str]:
    """Replaces latex.compile_pdf by one that keeps each compile's .fls file."""
    recordings: list[str] = []
    compile_pdf = latex.compile_pdf
    # Every package loaded in the recorded run itself, not from a precompiled preamble.
    monkeypatch.setenv(latex.FORMATS_VARIABLE, "off")

    def recording(tex_file, *args, **kwargs):
        pdf = compile_pdf(tex_file, *args, **kwargs)
        fls = Path(tex_file).with_suffix(".fls")
        assert fls.exists(), "latexmk wrote no .fls file (-recorder)"
        recordings.append(fls.read_text(errors="replace"))
        return pdf

    monkeypatch.setattr(latex, "compile_pdf", recording)
    return recordings


@pytest.mark.latex
@pytest.mark.usefixtures("latex_available")
def test_every_tex_input_comes_from_the_install_list(monkeypatch, tmp_path):
    if shutil.which("dpkg") is None:
        pytest.skip("not a Debian system: no dpkg to map files to packages")
    recordings = _compile_recording(monkeypatch, tmp_path)
    variant = load_variant(None)
    # The solutions and the problem sheet (a variant folder builds both).
    pipeline.build_report(variant, tmp_path / "variant", problem_sheet=True)
    # The feedback PDF, with an answer of every verdict.
    solved = pipeline.solve(variant)
    result = checker.check_answers(variant, solved, {"1b.derivative": "w*h_next*(1-h_next)", "1c.kinds": ["x"]})
    checker.write_feedback_pdf(variant, result, tmp_path / "feedback.pdf")
    # The merged key of a batch (pdfpages and fancyhdr around the solutions).
    merged_key.write([(tmp_path / "variant" / "solutions.pdf", "default (O'Brien & Zoë)")], tmp_path / "key.pdf")
    assert len(recordings) == 4
    inputs = set().union(*map(recorded_inputs, recordings))
    tex_inputs = {p for p in inputs if p.startswith(TEX_TREES + GENERATED_TREES) and not p.endswith(OPTIONAL_INPUTS)}
    assert any(p.endswith("article.cls") for p in tex_inputs), "the recorder saw no class file"
    owners = {path: owning_package(path) for path in tex_inputs}
    assert "(no package)" not in owners.values(), [p for p, o in owners.items() if o == "(no package)"]
    missing = uncovered(owners, shell_list("TEX_DEBS"))
    assert not missing, ("TeX files from Debian packages that scripts/ensure-deps.sh does not install: "
                         + "; ".join(f"{package} ({', '.join(files[:3])})" for package, files in missing.items()))


@pytest.mark.latex
@pytest.mark.usefixtures("persian_available")
def test_every_tex_input_of_a_persian_build_comes_from_the_persian_list(monkeypatch, tmp_path):
    """The Persian edition (XeLaTeX): solutions, problem sheet and feedback,
    recorded the same way, against the base list plus PERSIAN_DEBS."""
    if shutil.which("dpkg") is None:
        pytest.skip("not a Debian system: no dpkg to map files to packages")
    recordings = _compile_recording(monkeypatch, tmp_path)
    variant = load_variant(None)
    variant = dataclasses.replace(variant, meta=dataclasses.replace(variant.meta, language="fa"))
    pipeline.build_report(variant, tmp_path / "variant", problem_sheet=True)
    solved = pipeline.solve(variant)
    result = checker.check_answers(variant, solved, {"1b.derivative": "w*h_next*(1-h_next)", "1c.kinds": ["x"]})
    checker.write_feedback_pdf(variant, result, tmp_path / "feedback.pdf")
    assert len(recordings) == 3
    inputs = set().union(*map(recorded_inputs, recordings))
    tex_inputs = {p for p in inputs if p.startswith(TEX_TREES + GENERATED_TREES)}
    assert any(p.endswith("xepersian.sty") for p in tex_inputs), "the recorder saw no xepersian"
    # XeTeX opens the Persian font by its path (render.PERSIAN_FONT_DIR), which the recorder may not list.
    from rnnsym.render import PERSIAN_FONT_DIR
    tex_inputs |= {PERSIAN_FONT_DIR + name for name in ("nazli.ttf", "nazlib.ttf")}
    owners = {path: owning_package(path) for path in tex_inputs}
    assert "(no package)" not in owners.values(), [p for p, o in owners.items() if o == "(no package)"]
    missing = uncovered(owners, shell_list("TEX_DEBS") + shell_list("PERSIAN_DEBS"))
    assert not missing, ("TeX files of a Persian build from Debian packages that ensure-deps.sh persian does not "
                         "install: " + "; ".join(f"{package} ({', '.join(files[:3])})" for package, files in missing.items()))
    # And the Persian list holds nothing more than the build reads or runs
    # (texlive-xetex: the xelatex command; xetex itself is texlive-binaries').
    used = set(owners.values()) | {owning_package(shutil.which("xelatex"))}
    assert set(shell_list("PERSIAN_DEBS")) <= used, (set(shell_list("PERSIAN_DEBS")) - used, shutil.which("xelatex"))


def test_the_persian_lists_agree():
    assert sorted(latex.PERSIAN_PACKAGES.split()) == sorted(shell_list("PERSIAN_DEBS"))
    assert {package for _, _, package in latex.PERSIAN_NEEDS} <= set(shell_list("PERSIAN_DEBS"))


def test_ensure_deps_has_a_sentinel_for_every_persian_package():
    if shutil.which("dpkg") is None or shutil.which("xelatex") is None:
        pytest.skip("not a Debian system with the Persian TeX installed")
    # The command itself: /usr/bin/xelatex is texlive-xetex's (a link to texlive-binaries' xetex).
    owners = {owning_package(shutil.which(tool)) for tool in shell_list("PERSIAN_TOOLS")}
    for name in shell_list("PERSIAN_TEX_FILES"):
        found = subprocess.run(["kpsewhich", name], capture_output=True, text=True).stdout.strip()
        assert found, f"{name} is checked by ensure-deps.sh but not installed"
        owners.add(owning_package(found))
    owners |= {owning_package(path) for path in shell_list("PERSIAN_FONT_FILES")}
    assert set(shell_list("PERSIAN_DEBS")) <= owners, set(shell_list("PERSIAN_DEBS")) - owners


def test_every_tool_the_build_runs_is_in_the_list():
    """latexmk, pdflatex and poppler's tools (the merged key and the tests use them) come from listed packages."""
    if shutil.which("dpkg") is None:
        pytest.skip("not a Debian system")
    covered = dependency_closure(shell_list("TEX_DEBS"))
    for tool in ("latexmk", "pdflatex", "pdftotext", "pdftoppm", "pdfinfo", "pdfunite", "bwrap"):
        path = shutil.which(tool)
        if path is None:
            continue
        package = owning_package(str(Path(path).resolve()))
        assert package in covered, f"{tool} ({path}) comes from {package}, not in the install list"


def test_ensure_deps_has_a_sentinel_for_every_listed_package():
    """ensure-deps.sh notices any listed package that is missing: a tool or a
    file it checks belongs to each one (so its check after installing is real)."""
    if shutil.which("dpkg") is None or shutil.which("kpsewhich") is None:
        pytest.skip("not a Debian system with TeX Live")
    owners = set()
    for tool in shell_list("TEX_TOOLS"):
        owners.add(owning_package(str(Path(shutil.which(tool)).resolve())))
    for name in shell_list("TEX_FILES"):
        found = subprocess.run(["kpsewhich", name], capture_output=True, text=True).stdout.strip()
        assert found, f"{name} is checked by ensure-deps.sh but not installed"
        owners.add(owning_package(found))
    # texlive-binaries comes with texlive-latex-base; texlive-base with several.
    assert set(shell_list("TEX_DEBS")) <= owners, set(shell_list("TEX_DEBS")) - owners


def test_ensure_deps_fails_naming_what_is_still_missing(tmp_path):
    """A TeX file that no install brings: the script names it after installing, never a silent pass."""
    fake_bin = tmp_path / "bin"
    fake_bin.mkdir()
    # Every tool "exists"; kpsewhich finds nothing; apt-get "installs" without effect; not root: id says 0.
    for tool in shell_list("TEX_TOOLS") + ["apt-get"]:
        (fake_bin / tool).write_text("#!/bin/sh\nexit 0\n")
        (fake_bin / tool).chmod(0o755)
    (fake_bin / "id").write_text("#!/bin/sh\necho 0\n")
    (fake_bin / "id").chmod(0o755)
    env = {"PATH": f"{fake_bin}:/usr/bin:/bin"}
    result = subprocess.run(["bash", str(ENSURE_DEPS), "tex"], capture_output=True, text=True, env=env)
    assert result.returncode == 1
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("ensure-deps: still missing after installing " + " ".join(shell_list("TEX_DEBS")))
    assert "tikz.sty" in last and "article.cls" in last
