"""Shared fixtures. LaTeX, torch and browser tests skip only where TeX, torch
or chromium (with pandoc and Playwright) is missing and nothing requires
them: in CI (CI=true, as .ci/run is run) or with RNNSYM_REQUIRE_LATEX=1 /
RNNSYM_REQUIRE_TORCH=1 / RNNSYM_REQUIRE_BROWSER=1 a missing piece fails."""

from __future__ import annotations

import os
import shutil

import pytest
from hypothesis import settings

# In CI the property tests draw the same examples every run, so a red CI is
# reproducible; locally they explore new examples each time.
settings.register_profile("ci", derandomize=True)
if os.environ.get("CI") == "true":
    settings.load_profile("ci")

LATEX_TOOLS = ("latexmk", "pdflatex", "pdftotext", "bwrap")  # bwrap: TeX runs in its sandbox


def required(what: str) -> bool:
    """Must the ``what`` ("LATEX", "TORCH" or "BROWSER") tests run here rather than skip?"""
    return os.environ.get("CI") == "true" or os.environ.get(f"RNNSYM_REQUIRE_{what}") == "1"


def skip_unless(available: bool, what: str, message: str) -> None:
    """Skips a test whose tool is missing, or fails it where the tool is required."""
    if not available:
        if required(what):
            pytest.fail(f"{message}; required here (CI or RNNSYM_REQUIRE_{what}=1)")
        pytest.skip(message)


@pytest.fixture
def latex_available():
    missing = [tool for tool in LATEX_TOOLS if shutil.which(tool) is None]
    skip_unless(not missing, "LATEX", f"LaTeX tools missing: {', '.join(missing)} (make test installs them)")


@pytest.fixture
def persian_available(latex_available):
    """XeLaTeX, xepersian and the Persian font (scripts/ensure-deps.sh persian installs them)."""
    from rnnsym.latex import missing_persian

    missing = [what for what, _ in missing_persian()]
    skip_unless(not missing, "PERSIAN",
                f"Persian TeX missing: {', '.join(missing)} (make test installs them: scripts/ensure-deps.sh persian)")


def write(path, text):
    path.write_text(text, encoding="utf-8")
    return path
