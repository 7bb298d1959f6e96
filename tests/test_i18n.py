"""The translations: the Persian catalog covers every message of the
templates and the code, the language switch, and escaping in right-to-left
documents. (Compiled Persian documents: tests/test_persian.py.)"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rnnsym import i18n, i18n_catalog, render, tex_text
from rnnsym.errors import InputError
from rnnsym.i18n import N_
from rnnsym.params import load_variant
from tests.conftest import write
from tests.test_tex_safety import ANY_CHARACTER, assert_inert

ROOT = Path(__file__).resolve().parent.parent


def test_the_persian_catalog_translates_every_message_of_the_templates_and_code():
    """Fresh extraction from the current templates and code; any id missing
    from the .po, untranslated or fuzzy is listed (run scripts/i18n.sh)."""
    problems = i18n_catalog.problems(i18n_catalog.extract(), i18n_catalog.read_catalog("fa"))
    assert problems == [], "run scripts/i18n.sh and translate:\n" + "\n".join(problems)


def _copy_sources(tmp_path: Path) -> Path:
    root = tmp_path / "src"
    for name in ("rnnsym", "derivations", "templates"):
        shutil.copytree(ROOT / name, root / name, symlinks=True,
                        ignore=shutil.ignore_patterns("__pycache__", "locale"))
    shutil.copy(ROOT / "babel.cfg", root / "babel.cfg")
    return root


@pytest.mark.parametrize("where, edit", [
    ("templates/p1_iterated_maps.tex.j2",
     lambda s: s.replace("\\subsection*{((( _('Solution') )))}",
                         "\\subsection*{((( _('Solution') )))}\n((* trans *))\nA new English sentence.\n((* endtrans *))")),
    ("templates/hand_in.tex.j2",
     lambda s: s.replace("((* endtrans *))", "A new English sentence.\n((* endtrans *))", 1)),
    ("derivations/p4_mdrnn.py",
     lambda s: s.replace('N_(r"an integer")', 'N_(r"A new English sentence.")', 1)),
])
def test_a_new_english_sentence_is_reported_until_it_is_translated(tmp_path, where, edit):
    """The completeness check can fail: a sentence added to a copy of a
    template (a new trans block, or an edit inside one) or of the code."""
    root = _copy_sources(tmp_path)
    path = root / where
    changed = edit(path.read_text(encoding="utf-8"))
    assert changed != path.read_text(encoding="utf-8")
    path.write_text(changed, encoding="utf-8")
    problems = i18n_catalog.problems(i18n_catalog.extract(root, root / "babel.cfg"), i18n_catalog.read_catalog("fa"))
    assert any("A new English sentence." in line and line.startswith("missing") for line in problems), problems


def test_fuzzy_and_untranslated_entries_are_reported(tmp_path):
    po = i18n.catalog_path("fa").read_text(encoding="utf-8")
    fuzzy = po.replace('msgid "Checks"\n', '#, fuzzy\nmsgid "Checks"\n', 1)
    untranslated = re.sub(r'(msgid "Answer key"\nmsgstr )"[^"\n]+"', r'\1""', po, count=1)
    assert untranslated != po
    extracted = i18n_catalog.extract()
    for text, expected in ((fuzzy, "fuzzy"), (untranslated, "untranslated")):
        path = write(tmp_path / f"{expected}.po", text)
        problems = i18n_catalog.problems(extracted, i18n_catalog.read_catalog("fa", path))
        assert [line.split(" ")[0] for line in problems] == [expected], problems


def test_every_translation_keeps_the_placeholders_of_its_message():
    catalog = i18n_catalog.read_catalog("fa")
    errors = [(message.id, [str(e) for e in errs]) for message, errs in catalog.check()]
    assert errors == []


def test_a_plain_text_message_gets_a_plain_text_translation():
    """A message of the code without TeX (a check's description, a diagnosis)
    is printed escaped: TeX in its translation would show as "$W$" on the page."""
    from babel.messages.pofile import read_po

    with open(i18n.catalog_path("fa"), "rb") as po:
        catalog = read_po(po, locale="fa")
    from_code = [m for m in catalog if m.id and m.locations and all(path.endswith(".py") for path, _ in m.locations)]
    marked = [(m.id, m.string) for m in from_code if not any(c in m.id for c in "$\\")
              and any(c in m.string for c in "$\\")]
    assert not marked, marked


def test_the_extraction_script_runs_and_finds_nothing_to_do():
    result = subprocess.run([str(ROOT / "scripts" / "i18n.sh"), "check"], capture_output=True, text=True,
                            env={"PYTHON": sys.executable, "PATH": "/usr/bin:/bin"}, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 message(s) to translate" in result.stdout


@pytest.mark.parametrize("value, accepted", [("en", True), ("fa", True), ("de", False), ("", False), (1, False)])
def test_meta_language_is_en_or_fa(tmp_path, value, accepted):
    text = f"[meta]\nlanguage = {value!r}\n".replace("'", '"')
    params = write(tmp_path / "params.toml", text)
    if accepted:
        assert load_variant(params).meta.language == value
    else:
        with pytest.raises(InputError, match=r"meta\.language"):
            load_variant(params)


def test_english_is_the_default_language():
    assert load_variant(None).meta.language == "en"


def test_the_persian_source_loads_xepersian_and_prints_the_translations(tmp_path):
    from tests.test_render import sections_for

    variant = load_variant(write(tmp_path / "p.toml", '[meta]\nlanguage = "fa"\nstudent = "علی Rezaei"\n'))
    with i18n.using("fa"):
        source = render.render_tex(variant.meta, sections_for(variant, tmp_path))
    assert r"\usepackage{xepersian}" in source and r"\usepackage[T1]{fontenc}" not in source
    for persian in ("کلید پاسخ‌ها", "حل", "نقطهٔ ثابت", "بررسی‌ها", "پاسخ‌های تحویلی", "علی \\rnnsymltr{Rezaei}"):
        assert persian in source, persian
    for english in ("Answer key", "Solution}", "Checks}", "The map has"):
        assert english not in source, english


def test_the_english_source_has_no_trace_of_the_persian_machinery(tmp_path):
    from tests.test_render import sections_for

    variant = load_variant(None)
    source = render.render_tex(variant.meta, sections_for(variant, tmp_path))
    assert "xepersian" not in source and tex_text.LTR_MACRO not in source


@pytest.mark.parametrize("text, source", [
    ("علی رضایی", "علی رضایی"),
    ("Ali Rezaei", r"\rnnsymltr{Ali Rezaei}"),
    ("پاسخ Ali Rezaei و 12", r"پاسخ \rnnsymltr{Ali Rezaei} و 12"),
    ("می\u200cشود", "می\u200cشود"),  # the zero-width non-joiner of Persian spelling stays
    ("r\u200cتایی", "\\rnnsymltr{r}\u200cتایی"),  # beside a Persian letter too
    ("a\u200cb", r"\rnnsymltr{a\textlangle{}U+200C\textrangle{}b}"),  # elsewhere it shows
    ("0, 1", r"\rnnsymltr{0, 1}"),
    ("بذر 2026 | دانشجو", r"بذر 2026 \textbar{} دانشجو"),
    ("x$_{1}", r"\rnnsymltr{x\$\_\{1\}}"),
    ("\u061c", r"\rnnsymltr{\textlangle{}U+061C\textrangle{}}"),
    # ": " and "; " beside Persian end a clause of the sentence: they stay in its right-to-left flow;
    # between Latin words they belong to the left-to-right run.
    ("مقدار 1: 0.2 به جای 1/8 - sqrt(73)", r"مقدار \rnnsymltr{1: 0.2} به جای \rnnsymltr{1/8 {-} sqrt(73)}"),
    ("Recurrent networks: dynamics and cost", r"\rnnsymltr{Recurrent networks: dynamics and cost}"),
    ("نقطه‌های ثابت ReLU: باقی‌مانده", r"نقطه‌های ثابت \rnnsymltr{ReLU}: باقی‌مانده"),
    # A decimal alone: Persian digits with the Arabic decimal separator (a "." would follow the digits).
    ("نسبت‌ها 0.2942", "نسبت‌ها 0\u066b2942"),
    ("متن (0.55) متن", "متن (0\u066b55) متن"),
    ("x < -0.9 یا", r"\rnnsymltr{x \textless{} {-}0.9} یا"),
    ("از -0.9 تا", r"از \rnnsymltr{{-}0.9} تا"),
    # A bracket that opens or closes outside a Latin run stays in the Persian flow (mirrored there).
    ("در برابر h + 1 (نسبت < 1)", r"در برابر \rnnsymltr{h + 1} (نسبت \textless{} 1)"),
    ("(h_t داخل)", r"(\rnnsymltr{h\_t} داخل)"),
    ("نسخهٔ s1-v001 | بذر 1", r"نسخهٔ \rnnsymltr{s1{-}v001} \textbar{} بذر 1"),
    ("واحد ReLU.", r"واحد \rnnsymltr{ReLU}."),
    ("Ali R.", r"\rnnsymltr{Ali R.}"),  # no Persian beside the period: it stays with the name
    ("علی، Ali R.", r"علی، \rnnsymltr{Ali R}."),
    ("داده شده است: W_3 دارد؛ x", r"داده شده است: \rnnsymltr{W\_3} دارد؛ \rnnsymltr{x}"),
    ("خطا: h_t; w_h", r"خطا: \rnnsymltr{h\_t; w\_h}"),
    ("x:y", r"\rnnsymltr{x:y}"),
    ("دقیق (Q: 1e-40)", r"دقیق \rnnsymltr{(Q: 1e{-}40)}"),
])
def test_escape_text_rtl_table(text, source):
    # (Spaces of a short left-to-right run are unbreakable: the next test.)
    assert tex_text.escape_text_rtl(text).replace(tex_text.NO_BREAK_SPACE, " ") == source


def test_a_short_left_to_right_run_stays_on_one_line_and_a_long_one_may_break():
    short = "این شکل بستهٔ h_(t+1) = ReLU(2 h_t - 1/2) است"
    assert tex_text.escape_text_rtl(short) == (
        "این شکل بستهٔ " + tex_text.LTR_MACRO + "{" + tex_text.NO_BREAK_SPACE.join(
            ["h\\_(t+1)", "=", "ReLU(2", "h\\_t", "{-}", "1/2)"]) + "} است")
    long = "اختلاف " + " + ".join(f"x_{k}" for k in range(12))
    assert tex_text.NO_BREAK_SPACE not in tex_text.escape_text_rtl(long)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.one_of(ANY_CHARACTER, st.characters(min_codepoint=0x600, max_codepoint=0x6FF))))
def test_no_text_becomes_a_command_in_a_persian_document(text):
    with i18n.using("fa"):
        source = str(render.escape_text(text))
    # The left-to-right runs are the only new command; what they hold is escape_text's.
    assert_inert(source.replace(tex_text.LTR_MACRO, ""))


def test_the_empty_string_is_not_translated_into_the_catalog_header():
    with i18n.using("fa"):
        assert i18n._("") == "" and render.translate("") == ""
        assert i18n._("Checks") != "Checks"


def test_a_message_made_with_numbers_is_english_text_and_translates_whole():
    import pickle

    text = i18n.message(i18n.N_("the limit of (W^T)^t against the exact power t = %(n)s"), n=200)
    assert text == "the limit of (W^T)^t against the exact power t = 200" and isinstance(text, str)
    assert pickle.loads(pickle.dumps(text)).values == {"n": 200}
    assert render.translate(text) == text
    with i18n.using("fa"):
        assert render.translate(text) == "حد (W^T)^t در برابر توان دقیق t = 200"


# --- messages sent by the grading worker (rnnsym.sandbox) -------------------------


def test_a_message_survives_the_trip_as_data_and_prints_in_persian():
    said = i18n.joined([i18n.message(N_("this is %(mistake)s"), mistake=i18n.message(N_("the MD-LSTM count"))),
                        i18n.message(N_("%(given)s instead of %(wanted)s"), given="3", wanted="4")])
    rebuilt = i18n.from_data(json.loads(json.dumps(i18n.to_data(said))))
    assert str(rebuilt) == str(said) == "this is the MD-LSTM count; 3 instead of 4"
    with i18n.using("fa"):
        assert i18n.translate(rebuilt) == "پاسخ شما برابر است با شمارِ MD-LSTM؛ 3 به جای 4"


def test_joined_parts_nest_as_deep_as_their_logarithm():
    def depth(text):
        inner = [depth(v) for v in getattr(text, "values", {}).values() if isinstance(v, i18n.Message)]
        return 1 + max(inner, default=0)

    parts = [i18n.message(N_("value %(index)s: %(difference)s"), index=k, difference="0") for k in range(100)]
    text = i18n.joined(parts)
    assert str(text) == "; ".join(f"value {k}: 0" for k in range(100))
    assert depth(text) <= 9


@pytest.mark.parametrize("data", [
    {"msgid": "%(x)s%(x)s", "values": {"x": "a"}},  # an id no catalog knows: a format string from outside
    {"msgid": "this is %(mistake)s", "values": {}},  # values that do not fill the id
    {"msgid": "this is %(mistake)s", "values": {"mistake": 3}},  # a value that is neither text nor a message
    {"msgid": "this is %(mistake)s", "values": {"mistake": "x"}, "more": 1},
    {"msgid": "this is %(mistake)s"},
    ["this is %(mistake)s"],
    None,
])
def test_data_that_is_not_a_known_message_is_refused(data):
    with pytest.raises(ValueError):
        i18n.from_data(data)


def test_a_message_that_would_double_at_every_level_is_refused():
    doubling = [msgid for msgid in i18n.known_ids()
                if any(msgid.count(f"%({name})s") > 1 for name in ("W", "first", "rest"))]
    assert doubling, "no known id names a value twice; this test needs one"
    msgid = doubling[0]
    name = next(n for n in ("W", "first", "rest") if msgid.count(f"%({n})s") > 1)
    data = "x" * 1000
    for _ in range(30):
        data = {"msgid": msgid, "values": {n: data for n in ("W", "first", "rest") if f"%({n})s" in msgid}}
    with pytest.raises(ValueError):
        i18n.from_data(data)
