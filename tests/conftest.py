"""Shared fixtures. LaTeX tests skip only where TeX is missing and CI does not
require it; with RNNSYM_REQUIRE_LATEX=1 (set by .ci/run) a missing TeX fails."""

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

LATEX_TOOLS = ("latexmk", "pdflatex", "pdftotext")


@pytest.fixture
def latex_available():
    missing = [tool for tool in LATEX_TOOLS if shutil.which(tool) is None]
    if missing:
        message = f"LaTeX tools missing: {', '.join(missing)} (make test installs them)"
        if os.environ.get("RNNSYM_REQUIRE_LATEX") == "1":
            pytest.fail(message)
        pytest.skip(message)


def write(path, text):
    path.write_text(text, encoding="utf-8")
    return path
