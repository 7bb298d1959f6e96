"""``rnnsym export moodle``: the must-show batch, the elements of Moodle's and
STACK's own files, escaping, stable ids, tolerances, and the prose as HTML."""

from __future__ import annotations

import dataclasses
import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import sympy

from rnnsym import cli, moodle, moodle_questions, moodle_stack, pipeline, variants
from rnnsym.errors import InputError
from rnnsym.moodle_text import to_html
from rnnsym.params import load_variant
from rnnsym.problem import AnswerSpec, KeyEntry
from rnnsym.registry import PROBLEMS

ANSWER_IDS = [spec.id for problem in PROBLEMS.values() for spec in problem.answer_specs]

# --- the elements each question type may have --------------------------------------------
# Derived from Moodle's and STACK's own files (read, not copied):
#   category:    moodle/moodle question/format/xml/tests/fixtures/nested_categories_with_questions.xml
#                and category_with_description.xml (category, info, idnumber);
#   numerical:   moodle/moodle question/format/xml/tests/xmlformat_test.php, test_export_numerical;
#   shortanswer: the same file, test_export_shortanswer;
#   multichoice: moodle/moodle question/format/xml/tests/fixtures/multichoice.xml;
#   stack:       maths/moodle-qtype_stack samplequestions/Calculus-Refresher/CR_Diff_04/CR-Diff-04-product-1-a.xml.
# Each entry: child tag -> (its attributes, its own children when it has a schema of its own).
TEXT = ({"format"}, {"text": (set(), None)})
PLAIN_TEXT = (set(), {"text": (set(), None)})
LEAF = (set(), None)
COMMON = {"name": PLAIN_TEXT, "questiontext": TEXT, "generalfeedback": TEXT, "defaultgrade": LEAF,
          "penalty": LEAF, "hidden": LEAF, "idnumber": LEAF}
FEEDBACK = {"feedback": TEXT}
SCHEMA = {
    "category": {"category": PLAIN_TEXT, "info": TEXT, "idnumber": LEAF},
    "numerical": {**COMMON, "answer": ({"fraction", "format"},
                                       {"text": LEAF, **FEEDBACK, "tolerance": LEAF})},
    "shortanswer": {**COMMON, "usecase": LEAF, "answer": ({"fraction", "format"}, {"text": LEAF, **FEEDBACK}),
                    "hint": TEXT},
    "multichoice": {**COMMON, "single": LEAF, "shuffleanswers": LEAF, "answernumbering": LEAF,
                    "correctfeedback": TEXT, "partiallycorrectfeedback": TEXT, "incorrectfeedback": TEXT,
                    "answer": ({"fraction", "format"}, {"text": LEAF, **FEEDBACK})},
    "stack": {**COMMON, "stackversion": PLAIN_TEXT, "questionvariables": PLAIN_TEXT, "specificfeedback": TEXT,
              "questionnote": TEXT, "questiondescription": TEXT, "questionsimplify": LEAF,
              "assumepositive": LEAF, "assumereal": LEAF, "prtcorrect": TEXT, "prtpartiallycorrect": TEXT,
              "prtincorrect": TEXT, "decimals": LEAF, "scientificnotation": LEAF, "multiplicationsign": LEAF,
              "sqrtsign": LEAF, "complexno": LEAF, "inversetrig": LEAF, "logicsymbol": LEAF,
              "matrixparens": LEAF, "variantsselectionseed": LEAF,
              "input": (set(), {tag: LEAF for tag in (
                  "name", "type", "tans", "boxsize", "strictsyntax", "insertstars", "syntaxhint",
                  "syntaxattribute", "forbidwords", "allowwords", "forbidfloat", "requirelowestterms",
                  "checkanswertype", "mustverify", "showvalidation", "options")}),
              "prt": (set(), {"name": LEAF, "value": LEAF, "autosimplify": LEAF, "feedbackstyle": LEAF,
                              "feedbackvariables": PLAIN_TEXT,
                              "node": (set(), {**{tag: LEAF for tag in (
                                  "name", "description", "answertest", "sans", "tans", "testoptions", "quiet",
                                  "truescoremode", "truescore", "truepenalty", "truenextnode", "trueanswernote",
                                  "falsescoremode", "falsescore", "falsepenalty", "falsenextnode",
                                  "falseanswernote")}, "truefeedback": TEXT, "falsefeedback": TEXT})}),
              "qtest": (set(), {"testcase": LEAF, "description": LEAF,
                                "testinput": (set(), {"name": LEAF, "value": LEAF}),
                                "expected": (set(), {tag: LEAF for tag in (
                                    "name", "expectedscore", "expectedpenalty", "expectedanswernote")})})},
}
# What each type must have (the sample's elements that rnnsym always writes).
REQUIRED = {kind: set(SCHEMA[kind]) - {"hint"} for kind in SCHEMA}


def schema_problems(element: ET.Element, schema: dict, where: str) -> list[str]:
    """Every child of ``element`` that the schema does not allow, with its path."""
    problems = []
    for child in element:
        if child.tag not in schema:
            problems.append(f"{where}/{child.tag}: not in the fixture's elements")
            continue
        attributes, children = schema[child.tag]
        if set(child.attrib) - attributes:
            problems.append(f"{where}/{child.tag}: attributes {sorted(set(child.attrib) - attributes)}")
        if children is None:
            if len(child):
                problems.append(f"{where}/{child.tag}: has child elements")
        else:
            problems += schema_problems(child, children, f"{where}/{child.tag}")
    return problems


def check_schema(quiz: ET.Element) -> list[str]:
    problems = []
    for question in quiz.findall("question"):
        kind = question.get("type")
        if kind not in SCHEMA:
            problems.append(f"question type {kind!r} has no fixture")
            continue
        problems += schema_problems(question, SCHEMA[kind], kind)
        missing = REQUIRED[kind] - {child.tag for child in question}
        if missing:
            problems.append(f"{kind}: missing {sorted(missing)}")
    return problems


# --- folders without LaTeX, for the fast tests ---------------------------------------------


def write_variant_folder(directory: Path, variant) -> Path:
    """What `rnnsym variants` writes and the export reads: params.toml, answers.json."""
    folder = directory / "folder"
    folder.mkdir(parents=True)
    (folder / "params.toml").write_text(variants.params_toml(variant), encoding="utf-8")
    document = pipeline.answers_document(variant, pipeline.solve(variant))
    (folder / "answers.json").write_text(pipeline.answers_json(document), encoding="utf-8")
    return folder


HOSTILE_VARIANT = 'v]]><script>alert("x")</script>&amp;<!-- {@ta@} [[input:ans1]] \ufffe'
HOSTILE_COURSE = "<b>Deep & Learning</b> ]]> {#x#} --"


@pytest.fixture(scope="module")
def hostile_folder(tmp_path_factory):
    default = load_variant(None)
    meta = dataclasses.replace(default.meta, variant=HOSTILE_VARIANT, course=HOSTILE_COURSE)
    return write_variant_folder(tmp_path_factory.mktemp("hostile"), dataclasses.replace(default, meta=meta))


def test_hostile_ids_and_course_round_trip_as_text(hostile_folder, tmp_path):
    target = tmp_path / "bank.xml"
    result = moodle.export(hostile_folder.parent, target, jobs=1)
    assert not result.failures
    quiz = ET.fromstring(target.read_bytes())  # well-formed, whatever the free text held
    questions = [q for q in quiz.findall("question") if q.get("type") != "category"]
    assert len(questions) == len(ANSWER_IDS)
    shown_variant = HOSTILE_VARIANT.replace("\ufffe", "<U+FFFE>")  # not an XML character: shown, not dropped
    for question, answer_id in zip(questions, ANSWER_IDS):
        assert question.findtext("name/text") == f"{answer_id} {shown_variant}"
        text = question.findtext("questiontext/text")
        assert "<b>" not in text and "<script>" not in text
        assert "&lt;b&gt;Deep &amp; Learning&lt;/b&gt;" in text
        if question.get("type") == "stack":
            # The free text cannot open a CAS block or a second input in STACK's CAS text.
            assert text.count("[[input:ans1]]") == 1 and "{@" not in text and "{#" not in text
    assert check_schema(quiz) == []


def test_an_answers_file_that_differs_from_the_derivation_is_refused(hostile_folder, tmp_path):
    folder = tmp_path / "v1"
    shutil.copytree(hostile_folder, folder)
    document = json.loads((folder / "answers.json").read_text(encoding="utf-8"))
    document["answers"]["4c.sequential_steps"] += 1
    (folder / "answers.json").write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(InputError, match="answers.json differs"):
        moodle.variant_questions(folder)
    result = moodle.export(tmp_path, tmp_path / "bank.xml", jobs=1)
    assert result.failures and not (tmp_path / "bank.xml").exists()


def test_no_variant_folder_is_bad_input(tmp_path):
    with pytest.raises(InputError, match="no variant folder"):
        moodle.export(tmp_path, tmp_path / "bank.xml")


# --- tolerances, choices, ids ---------------------------------------------------------------


@pytest.mark.parametrize("kind, value, expected", [
    ("number", 1.25, ("1.25", "0.00625")),  # 0.005 * 1.25: the checker's relative tolerance, made absolute
    ("number", -3.5, ("-3.5", "0.0175")),
    ("number", 0.0, ("0.0", "1e-12")),  # the checker's floor for a key of 0
    ("number", sympy.Rational(1, 4), ("0.25", "0.00125")),
    ("integer", 13, ("13", "0")),  # an integer takes no decimal
])
def test_numerical_tolerance_is_the_checkers_converted_per_value(kind, value, expected):
    assert moodle_questions.numerical_answer(KeyEntry("x", kind, value)) == expected


KINDS = AnswerSpec("1c.kinds", "kinds", "words", "a list", choices=("sink", "source", "non-hyperbolic"))


@pytest.mark.parametrize("key", [["sink"], ["sink", "source"], ["sink", "source", "sink"], ["source"] * 4, []])
def test_word_lists_offer_the_key_once_and_its_neighbours(key):
    lists = moodle_questions.choice_lists(KINDS, key)
    assert lists.count(key) == 1
    assert len({tuple(option) for option in lists}) == len(lists)
    if key:
        assert all(len(option) == len(key) for option in lists)
        assert all(sum(a != b for a, b in zip(option, key)) <= 1 for option in lists) or len(lists) <= 9
    assert 2 <= len(lists) <= 1 + 2 * max(len(key), 1) or len(lists) <= 9


def test_every_word_answer_declares_its_choices_and_the_keys_use_them():
    spec = variants.BatchSpec(3, 8, options={"p1_fixed_points": "mixed", "p3_regime": "mixed"})
    declared = {s.id: s for p in PROBLEMS.values() for s in p.answer_specs}
    for variant in [load_variant(None)] + variants.draw_batch(spec):
        document = pipeline.answers_document(variant, moodle.derive_variant(variant))["answers"]
        for answer_id, spec_ in declared.items():
            if spec_.kind in ("word", "words"):
                words = document[answer_id] if isinstance(document[answer_id], list) else [document[answer_id]]
                assert spec_.choices and set(words) <= set(spec_.choices), answer_id


def test_long_variant_ids_keep_short_stable_idnumbers():
    long_id = "x" * 100
    first = moodle_questions.question_idnumber(long_id, "2b.params_torch.total")
    assert len(first) <= 100 and first == moodle_questions.question_idnumber(long_id, "2b.params_torch.total")
    assert first != moodle_questions.question_idnumber("y" * 100, "2b.params_torch.total")
    assert moodle_questions.question_idnumber("s1-v001", "1a.fixed_points") == "s1-v001/1a.fixed_points"


# --- the prose ----------------------------------------------------------------------------


@pytest.mark.parametrize("latex, html", [
    (r"an expression in $h_t$ (\texttt{h\_t})", r"an expression in \(h_t\) (<code>h_t</code>)"),
    (r"$a < b \& c$", r"\(a &lt; b \&amp; c\)"),
    (r"x1, \dots, xT", "x1, \u2026, xT"),
    ("\\subsection*{Problem}\nText", "Text"),
    ("\\begin{enumerate}\\item[1a.] A\\item[1b.] B\\end{enumerate}",
     '<ul class="rnnsym-parts" style="list-style: none; padding-left: 0"><li><strong>1a.</strong> A</li>'
     "<li><strong>1b.</strong> B</li></ul>"),
    ("<b>&</b>", "&lt;b&gt;&amp;&lt;/b&gt;"),
])
def test_prose_to_html(latex, html):
    assert to_html(latex) == html


@pytest.mark.parametrize("latex", [r"\includegraphics{x}", r"\textit{x}", r"$x", r"\texttt{x", r"\item[1a.] x"])
def test_prose_outside_the_subset_is_refused(latex):
    with pytest.raises(ValueError):
        to_html(latex)


# --- the must-show batch: `rnnsym variants` then `rnnsym export moodle` -----------------------


@pytest.fixture(scope="module")
def batch(tmp_path_factory, latex_available_module):
    out = tmp_path_factory.mktemp("batch") / "variants"
    assert cli.main(["variants", "--count", "6", "--seed", "13", "--out", str(out), "--jobs", "2"]) == 0
    return out


@pytest.fixture(scope="module")
def latex_available_module():
    from tests.conftest import LATEX_TOOLS, skip_unless

    missing = [tool for tool in LATEX_TOOLS if shutil.which(tool) is None]
    skip_unless(not missing, "LATEX", f"LaTeX tools missing: {', '.join(missing)} (make test installs them)")


@pytest.mark.latex
def test_a_six_variant_batch_gives_a_category_per_answer_id_with_six_questions(batch, tmp_path, capsys):
    target = tmp_path / "bank.xml"
    assert cli.main(["export", "moodle", "--variants", str(batch), "--out", str(target)]) == 0
    assert "162 questions in 27 categories (6 variants)" in capsys.readouterr().out
    quiz = ET.fromstring(target.read_bytes())
    assert quiz.tag == "quiz"
    categories, current = {}, None
    for question in quiz.findall("question"):
        if question.get("type") == "category":
            current = question.findtext("category/text")
            categories[current] = []
        else:
            categories[current].append(question)
    assert list(categories) == [f"$course$/rnnsym/{answer_id}" for answer_id in ANSWER_IDS]
    folders = [p.name for p in moodle.variant_folders(batch)]
    assert len(folders) == 6
    for answer_id, questions in zip(ANSWER_IDS, categories.values()):
        assert [q.findtext("idnumber") for q in questions] == [f"{v}/{answer_id}" for v in folders]
        assert [q.findtext("name/text") for q in questions] == [f"{answer_id} {v}" for v in folders]
    assert check_schema(quiz) == []
    kinds = {q.findtext("name/text").split()[0]: q.get("type") for qs in categories.values() for q in qs}
    assert kinds["1a.fixed_points"] == "stack" and kinds["1c.kinds"] == "multichoice"
    assert kinds["3c.spectral_radius"] == "numerical" and kinds["4c.sequential_steps"] == "numerical"
    assert kinds["1b.derivative"] == "stack" and kinds["3c.regime"] == "multichoice"
    # The same batch exported again: the same bytes (stable names, ids and order).
    again = tmp_path / "again.xml"
    assert cli.main(["export", "moodle", "--variants", str(batch), "--out", str(again), "--jobs", "1"]) == 0
    assert again.read_bytes() == target.read_bytes()


@pytest.mark.latex
def test_stack_questions_grade_with_the_key_and_its_nearby_answers(batch, tmp_path):
    folder = moodle.variant_folders(batch)[0]
    questions = {q.answer_id: ET.fromstring(q.xml) for q in moodle.variant_questions(folder)}
    derivative = questions["1d.closed_form"]
    nodes = derivative.findall("prt/node")
    assert nodes[0].findtext("answertest") == "AlgEquiv" and nodes[0].findtext("tans") == "ta"
    assert nodes[0].findtext("truescore") == "1.0000000"
    feedback = [n.findtext("truefeedback/text") for n in nodes[1:]]
    # The declared mistakes of 1d: a nearby recurrence's closed form, the form without the ReLU.
    assert any("nearby recurrence" in text for text in feedback) and any("without the ReLU" in text for text in feedback)
    assert [n.findtext("falsenextnode") for n in nodes] == [str(i) for i in range(1, len(nodes))] + ["-1"]
    tests = derivative.findall("qtest")
    assert len(tests) == len(nodes)  # the key, and each nearby answer at its node
    numbers = questions["1a.fixed_points"]
    assert numbers.findtext("prt/node/answertest") == "NumRelative"
    assert numbers.findtext("prt/node/testoptions") == "0.005"
    assert numbers.findtext("prt/node/sans") == "ans1"  # STACK's numerical tests read the input itself


def test_nearby_answers_equal_to_the_key_or_to_each_other_are_left_out():
    h = sympy.Symbol("h", integer=True, positive=True)
    entry = KeyEntry("x", "expression", h**2 + h, {"h": h},
                     nearby=(("the same, expanded otherwise", h * (h + 1)), ("one more", h**2 + h + 1),
                             ("one more, again", 1 + h + h**2), ("two more", h**2 + h + 2)))
    grading = moodle_stack.stack_grading(entry)
    assert [description for description, _ in grading["nearby"]] == ["one more", "two more"]
    assert grading["question_variables"].splitlines() == ["ta: h^2 + h;", "nb1: h^2 + h + 1;", "nb2: h^2 + h + 2;"]


def test_a_refused_folder_is_exit_2_and_writes_nothing(hostile_folder, tmp_path, capsys):
    folder = tmp_path / "variants" / "v1"
    shutil.copytree(hostile_folder, folder)
    (folder / "answers.json").write_text("{}", encoding="utf-8")
    target = tmp_path / "bank.xml"
    assert cli.main(["export", "moodle", "--variants", str(folder.parent), "--out", str(target)]) == 2
    assert "could not be exported" in capsys.readouterr().err and not target.exists()


def test_a_key_maxima_cannot_take_is_exit_1_naming_the_answer(monkeypatch, hostile_folder, tmp_path, capsys):
    def refuse(expr):
        raise ValueError("the symbol 'e' has no safe Maxima name")

    monkeypatch.setattr(moodle_stack, "maxima", refuse)
    target = tmp_path / "bank.xml"
    assert cli.main(["export", "moodle", "--variants", str(hostile_folder.parent), "--out", str(target),
                     "--jobs", "1"]) == 1
    err = capsys.readouterr().err
    assert "1a.fixed_points: cannot be exported: the symbol 'e'" in err and not target.exists()


@pytest.mark.parametrize("kind, value, text", [("word", "bounded", "bounded"),
                                               ("words", ["sink", "source"], "sink, source")])
def test_words_without_declared_choices_are_short_answers(kind, value, text):
    spec = AnswerSpec("9z.word", "a word", kind, "a word")
    question = moodle.question_element(spec, KeyEntry("9z.word", kind, value), load_variant(None), "")
    assert question.get("type") == "shortanswer"
    assert question.findtext("usecase") == "0"  # the checker compares words without case
    assert [a.findtext("text") for a in question.findall("answer")] == [text]
    quiz = ET.Element("quiz")
    quiz.append(question)
    assert check_schema(quiz) == []


def test_a_limit_that_does_not_exist_is_the_word_none():
    spec = next(s for p in PROBLEMS.values() for s in p.answer_specs if s.kind == "matrix")
    question = moodle.question_element(spec, KeyEntry(spec.id, "matrix", None), load_variant(None), "")
    assert question.get("type") == "stack"
    assert question.findtext("questionvariables/text") == "ta: none;"
    assert question.findtext("input/checkanswertype") == "0"  # a list of rows may be typed all the same
    assert "does not exist" in question.findtext("generalfeedback/text")


def test_an_empty_list_of_kinds_offers_the_empty_list_and_single_words():
    spec = next(s for p in PROBLEMS.values() for s in p.answer_specs if s.kind == "words")
    question = moodle.question_element(spec, KeyEntry(spec.id, "words", []), load_variant(None), "")
    answers = {a.findtext("text"): a.get("fraction") for a in question.findall("answer")}
    assert answers == {"<p>(an empty list)</p>": "100", **{f"<p>{w}</p>": "0" for w in spec.choices}}


@pytest.mark.latex
def test_the_questions_stored_by_the_build_are_the_ones_the_export_derives(batch, tmp_path):
    """`rnnsym variants` stores each variant's questions; the export uses them only while
    they match the folder, and gives the same file as when it derives every variant again."""
    folders = moodle.variant_folders(batch)
    assert all((folder / moodle.QUESTIONS_FILE).is_file() for folder in folders)
    with_stored = tmp_path / "stored.xml"
    moodle.export(batch, with_stored, jobs=1)
    copy = tmp_path / "copy"
    shutil.copytree(batch, copy)
    for folder in moodle.variant_folders(copy):
        (folder / moodle.QUESTIONS_FILE).unlink()
    derived = tmp_path / "derived.xml"
    moodle.export(copy, derived, jobs=1)
    assert with_stored.read_bytes() == derived.read_bytes()
    # A stored file that no longer matches its folder is not used.
    first = moodle.variant_folders(copy)[0]
    shutil.copyfile(folders[0] / moodle.QUESTIONS_FILE, first / moodle.QUESTIONS_FILE)
    stored = json.loads((first / moodle.QUESTIONS_FILE).read_text(encoding="utf-8"))
    stored["questions"][0]["xml"] = "<question>planted</question>"
    (first / moodle.QUESTIONS_FILE).write_text(json.dumps(stored), encoding="utf-8")
    (first / "params.toml").write_text((first / "params.toml").read_text(encoding="utf-8") + "\n", encoding="utf-8")
    again = tmp_path / "again.xml"
    moodle.export(copy, again, jobs=1)
    assert again.read_bytes() == derived.read_bytes()
