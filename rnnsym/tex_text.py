"""Any Unicode text as pdfLaTeX source that prints it and cannot command TeX.

Every character of the input becomes one of:

* printable ASCII, with TeX's special characters (and the ligatures T1
  would form: ``--``, ``,,``, ``<<``, curly quotes) spelt as text commands;
* a non-ASCII character that the preamble's T1/TS1 fonts with utf8 input
  print (:data:`NATIVE`: Latin-1, Latin Extended-A, some of B, punctuation,
  currency), passed through for inputenc;
* a letter with combining accents (NFD) that T1's accent commands draw,
  e.g. Vietnamese ễ as ``\\~{\\^{e}}``;
* a Greek letter or one of a few mathematical symbols, in math mode;
* white space, as a plain space;
* a control, format, private-use or unassigned code point, as a visible
  ``<U+XXXX>``;
* anything else (Cyrillic, Arabic, CJK, emoji, ...): in free text, each word
  holding such a character is transliterated to ASCII (``anyascii``) and
  marked ``\\rnnsymtranslit{...}``, which :func:`rnnsym.render.document`
  defines and explains; in code (a student's answer) the character is shown
  as ``<U+XXXX>``, which is exact.

Nothing from the input reaches TeX as a backslash, a brace or any other
character with a special category code: those only ever come from the tables
below.
"""

from __future__ import annotations

import re
import unicodedata

from anyascii import anyascii

# The macro that marks transliterated text; render.document() defines it.
TRANSLITERATION_MACRO = r"\rnnsymtranslit"

# Non-ASCII code points that LaTeX's utf8 input with the T1 and TS1 encodings
# (t1enc.dfu, ts1enc.dfu, ot1enc.dfu, omsenc.dfu, utf8.def of TeX Live 2022)
# maps to a glyph that Latin Modern has in roman, bold and typewriter.
# Left out: the format characters declared there (soft hyphen, ZWNJ, BOM),
# the no-break space (a space here), and U+0132, U+0133, U+1E9E, U+2031,
# U+2120, U+2122, which lmtt lacks or pdftotext cannot read back.
_NATIVE_RANGES = """
00A1-00AC 00AE-0125 0128-0131 0134-0137 0139-013E 0141-0148 014A-0165 0168-017E 0192 01C4-01D4 01E2-01E3
01E6-01EB 01F0 01F4-01F5 0218-021B 0232-0233 0237 02C6-02C7 02D8-02D9 02DB-02DD 0E3F 1E02-1E03 1E0D 1E1E-1E21
1E25 1E30-1E31 1E37 1E43 1E45 1E47 1E5B 1E63 1E6D 1E8E-1E91 1EF2-1EF3 2010-2016 2018-201A 201C-201E 2020-2022
2026 2030 2039-203B 203D 2044 204E 2052 20A1 20A4 20A6 20A9 20AB-20AC 20B1 2103 2116-2117 211E 2126-2127 212E
2190-2193 2329-232A 2422-2423 25E6 25EF 266A 27E8-27E9 3008-3009 FB00-FB06
"""


def _code_points(ranges: str) -> frozenset[str]:
    points = set()
    for item in ranges.split():
        first, _, last = item.partition("-")
        points.update(chr(code) for code in range(int(first, 16), int(last or first, 16) + 1))
    return frozenset(points)


NATIVE = _code_points(_NATIVE_RANGES)

# ASCII characters that TeX would read as commands or that T1 fonts would
# join into another glyph (-- en dash, ,, low quotes, << guillemets, '' and
# `` curly quotes, [ as an optional argument after a command; ,, below).
ASCII_SPECIAL = {
    "\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&", "#": r"\#",
    "^": r"\textasciicircum{}", "_": r"\_", "%": r"\%", "~": r"\textasciitilde{}",
    "'": r"\textquotesingle{}", "`": r"\textasciigrave{}", '"': r"\textquotedbl{}",
    "<": r"\textless{}", ">": r"\textgreater{}", "|": r"\textbar{}",
    "-": "{-}", "[": "{[}", "]": "{]}",
}
# ",," is one glyph (a low double quote) in T1: an empty group keeps two commas.
_DOUBLE_COMMA = re.compile(",(?=,)")

# Combining marks (after NFD) that T1's text accent commands draw.
ACCENTS = {
    "\u0300": "\\`", "\u0301": "\\'", "\u0302": "\\^", "\u0303": "\\~", "\u0304": "\\=",
    "\u0306": "\\u", "\u0307": "\\.", "\u0308": '\\"', "\u030a": "\\r", "\u030b": "\\H",
    "\u030c": "\\v", "\u0323": "\\d", "\u0327": "\\c", "\u0328": "\\k", "\u0331": "\\b",
}
_ACCENTS_ABOVE = frozenset("\u0300\u0301\u0302\u0303\u0304\u0306\u0307\u0308\u030a\u030b\u030c")

# Greek letters: math mode has the ones that differ from Latin capitals.
# U+03B5 and U+03C6 are drawn as TeX's \\varepsilon and \\varphi; U+03F5 and
# U+03D5 as \\epsilon and \\phi.
_GREEK_LOWER = ("alpha beta gamma delta varepsilon zeta eta theta iota kappa lambda mu nu xi o pi rho varsigma "
                "sigma tau upsilon varphi chi psi omega").split()
_GREEK_UPPER = "A B Gamma Delta E Z H Theta I K Lambda M N Xi O Pi P - Sigma T Upsilon Phi X Psi Omega".split()
MATH = {
    **{chr(0x3B1 + i): ("o" if name == "o" else "\\" + name) for i, name in enumerate(_GREEK_LOWER)},
    **{chr(0x391 + i): (("\\" + name) if len(name) > 1 else rf"\mathrm{{{name}}}")
       for i, name in enumerate(_GREEK_UPPER) if name != "-"},
    "\u03d1": r"\vartheta", "\u03d5": r"\phi", "\u03d6": r"\varpi", "\u03f5": r"\epsilon", "\u03f1": r"\varrho",
    "\u2212": "-", "\u2264": r"\leq", "\u2265": r"\geq", "\u2260": r"\neq", "\u2248": r"\approx",
    "\u221e": r"\infty", "\u221a": r"\surd", "\u2202": r"\partial", "\u2211": r"\sum", "\u220f": r"\prod",
    "\u222b": r"\int", "\u2192": r"\to", "\u22c5": r"\cdot", "\u2217": r"\ast", "\u2218": r"\circ",
    "\u2032": r"\prime", "\u2208": r"\in", "\u2207": r"\nabla", "\u2206": r"\Delta", "\u2299": r"\odot",
    "\u2297": r"\otimes", "\u2295": r"\oplus", "\u221d": r"\propto", "\u223c": r"\sim", "\u2261": r"\equiv",
    "\u2113": r"\ell",
}
# More marks than this on one letter show as code points (TeX nests groups only so deep).
MAX_ACCENTS = 3

# Categories shown as a code point: controls (but white space), format
# characters (zero-width, bidi overrides), surrogates, private use, unassigned.
_INVISIBLE = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})
_SPACE = frozenset({"Zs", "Zl", "Zp"})
_MARK = frozenset({"Mn", "Mc", "Me"})


def code_point(character: str) -> str:
    """A visible stand-in for a character that cannot or should not print."""
    return r"\textlangle{}" + " ".join(f"U+{ord(c):04X}" for c in character) + r"\textrangle{}"


def _clusters(text: str) -> list[str]:
    """The text cut into characters with their combining marks."""
    clusters: list[str] = []
    for character in text:
        if clusters and unicodedata.category(character) in _MARK and not _is_space(clusters[-1]) \
                and unicodedata.category(clusters[-1][0]) not in _INVISIBLE:
            clusters[-1] += character
        else:
            clusters.append(character)
    return clusters


def _is_space(cluster: str) -> bool:
    return len(cluster) == 1 and (cluster in "\t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85" or
                                  unicodedata.category(cluster) in _SPACE)


def _single(character: str) -> str | None:
    """TeX for one character without marks, or None if pdfLaTeX cannot print it."""
    if " " < character < "\x7f":
        return ASCII_SPECIAL.get(character, character)
    if character in NATIVE:
        return character
    if character in MATH:
        return rf"\ensuremath{{{MATH[character]}}}"
    return None


def _printable(cluster: str) -> str | None:
    """TeX that prints ``cluster`` exactly, or None."""
    composed = unicodedata.normalize("NFC", cluster)
    if len(composed) == 1 and _single(composed) is not None:
        return _single(composed)
    decomposed = unicodedata.normalize("NFD", cluster)
    base, marks = decomposed[0], decomposed[1:]
    if not marks or len(marks) > MAX_ACCENTS or not all(mark in ACCENTS for mark in marks):
        return None
    source = _single(base)
    if source is None:
        return None
    if base in "ij" and marks[0] in _ACCENTS_ABOVE:
        source = "\\" + base + "{}"  # dotless, so that the accent replaces the dot
    for mark in marks:
        source = f"{ACCENTS[mark]}{{{source}}}"
    return source


def _kind(cluster: str) -> tuple[str, str]:
    """(kind, TeX): kind is "space", "print", "code" (a code point) or "foreign"."""
    if _is_space(cluster):
        return "space", " "
    if unicodedata.category(cluster[0]) in _INVISIBLE or unicodedata.category(cluster[0]) in _MARK:
        return "code", code_point(cluster)
    printed = _printable(cluster)
    return ("print", printed) if printed is not None else ("foreign", "")


def transliterate(text: str) -> str:
    """ASCII letters for ``text``; Chinese characters and Hangul syllables become separate words."""
    words = []
    for character in text:
        if unicodedata.category(character) in _MARK | _INVISIBLE:
            continue  # accents fold into their letter's transliteration
        latin = anyascii(character)
        if not latin.isprintable() or not latin.isascii():
            latin = ""
        name = unicodedata.name(character, "")
        if name.startswith(("CJK UNIFIED IDEOGRAPH", "CJK COMPATIBILITY IDEOGRAPH", "HANGUL SYLLABLE")):
            latin = f" {latin} "
        words.append(latin if latin.strip() or character.isspace() else (latin or f"U+{ord(character):04X}"))
    return " ".join("".join(words).split())


def escape_text(text: str) -> str:
    """Free text (a name, a title, a diagnosis) as LaTeX that prints it.

    Words with characters pdfLaTeX cannot print are transliterated and marked
    with :data:`TRANSLITERATION_MACRO`.
    """
    units = [(cluster, *_kind(cluster)) for cluster in _clusters(str(text))]
    # Words: maximal runs of non-space clusters.
    words: list[list[tuple[str, str, str]]] = []
    for unit in units:
        if unit[1] == "space" or not words or words[-1][-1][1] == "space":
            words.append([unit])
        else:
            words[-1].append(unit)
    output: list[str] = []
    pending: list[str] = []  # the original text of consecutive foreign words (and the spaces between)
    for word in words:
        if word[0][1] == "space":
            if pending:
                pending.append(" ")
            else:
                output.append(" ")
            continue
        if any(kind == "foreign" for _, kind, _ in word):
            pending.append("".join(cluster for cluster, kind, _ in word if kind != "code"))
            continue
        _flush(pending, output)
        output.append("".join(tex for _, _, tex in word))
    _flush(pending, output)
    return _DOUBLE_COMMA.sub(",{}", "".join(output))


def _flush(pending: list[str], output: list[str]) -> None:
    if not pending:
        return
    trailing = pending and pending[-1] == " "
    latin = transliterate("".join(pending))
    output.append(TRANSLITERATION_MACRO + "{" + "".join(ASCII_SPECIAL.get(c, c) for c in latin) + "}")
    if trailing:
        output.append(" ")
    pending.clear()


# After these a line may break at no cost; elsewhere in code at a small one.
_BREAK_AFTER = frozenset("+-*/=,;)]}^ ")


def escape_code(text: str) -> str:
    """A student's answer as LaTeX that prints it character for character.

    Characters pdfLaTeX cannot print show as ``<U+XXXX>``. A line may break
    after an operator, and if need be anywhere, so a long answer wraps in a
    table cell. Put it in ``\\texttt{...}``.
    """
    output = []
    for cluster in _clusters(str(text)):
        kind, tex = _kind(cluster)
        if kind == "foreign":
            tex = code_point(cluster)
        output.append(tex)
        output.append(r"\allowbreak{}" if cluster in _BREAK_AFTER or kind == "space" else r"\penalty200{}")
    return "".join(output[:-1])


# Right-to-left documents (XeLaTeX with xepersian): Arabic-script letters,
# digits and punctuation print as written (the Persian font has them), and
# so do the zero-width (non-)joiners next to a Persian letter, which Persian
# spelling needs (U+200C in "می‌شود"). Arabic format characters (U+0600..0605,
# U+061C, U+06DD) stay visible code points.
_ARABIC_RANGES = "0600-06FF 0750-077F 08A0-08FF FB50-FDFF FE70-FEFF"
ARABIC = _code_points(_ARABIC_RANGES) - frozenset("\u0600\u0601\u0602\u0603\u0604\u0605\u061c\u06dd")
_JOINERS = frozenset("\u200c\u200d")
# A left-to-right run inside right-to-left text: xepersian's \lr in text;
# in maths (a value printed inside $...$) the run as it is, maths being left
# to right already. rnnsym.render defines it in the Persian preamble.
LTR_MACRO = r"\rnnsymltr"


_OPENING, _CLOSING = "([{", ")]}"
# Punctuation at the edge of a Latin run belongs to the Persian sentence
# around it ("نسخهٔ s1-v001 | بذر 1", "داده شده است: W_3", "... ReLU."); inside
# the run it stays ("Recurrent networks: dynamics", "1: 0.2", "(Q: 1e-40)").
_EDGE_PUNCTUATION = frozenset("|,.;:!?")
# A number alone in Persian text: digits, and a decimal point between digits.
_PLAIN_NUMBER = re.compile(r"\d+(?:\.\d+)?")
# The Arabic decimal separator, as Persian writes 0.5 (with Persian digits: ۰٫۵).
PERSIAN_DECIMAL_SEPARATOR = "\u066b"


def _unmatched_edges(clusters: list[str], persian_before: bool = True,
                     persian_after: bool = True) -> tuple[list[str], list[str], list[str]]:
    """A left-to-right run split into what at its edges belongs to the
    sentence around it (spaces, punctuation, brackets that open or close
    outside the run) and the rest: in "در برابر h + 1 (نسبت"
    the "(" opens a Persian parenthesis, so it belongs to the right-to-left
    flow, where it is mirrored; "(Q: 1e-40)" keeps both of its brackets.
    Punctuation goes to the sentence only on a side where Persian text is
    (a name "Ali R." in a Persian document keeps its period)."""
    unmatched, open_at = set(), []
    for position, cluster in enumerate(clusters):
        if cluster in _OPENING:
            open_at.append(position)
        elif cluster in _CLOSING:
            if open_at and _OPENING.index(clusters[open_at[-1]]) == _CLOSING.index(cluster):
                open_at.pop()
            else:
                unmatched.add(position)
    unmatched.update(open_at)

    def outside(position: int, persian_beside: bool) -> bool:
        return position in unmatched or _is_space(clusters[position]) or (
            persian_beside and clusters[position] in _EDGE_PUNCTUATION)

    start, end = 0, len(clusters)
    while start < end and outside(start, persian_before):
        start += 1
    while end > start and outside(end - 1, persian_after):
        end -= 1
    return clusters[:start], clusters[start:end], clusters[end:]


def _ltr_or_number(clusters: list[str]) -> str:
    """A run of Latin text, numbers and signs, escaped for a right-to-left document.

    A number alone (``7``, ``0.25``, possibly with brackets or signs that are
    not its own, as in "< 1") keeps to the Persian text: xepersian prints its
    digits as Persian digits, with the Arabic decimal separator (``۰٫۲۵``; a
    "." there would be laid out after the digits). A run with letters, a list
    of numbers ("0, 1"), or a number with a sign, a slash or an exponent
    (``-0.9``, ``1/8``) is set left to right, in the order written, with Latin
    digits.
    """
    run = "".join(clusters)
    if not run:
        return ""
    numbers = [token for token in re.split(r"[\s,]+", run) if any(c.isdigit() for c in token)]
    letters = any(c.isalpha() or unicodedata.category(c[0]) in _INVISIBLE for c in clusters)
    if not letters and not numbers:
        return escape_text(run)
    if not letters and len(numbers) == 1:
        number = _PLAIN_NUMBER.search(run)
        if number and number.group(0) == numbers[0].strip("()[]{}<>=|"):
            whole, _, fraction = number.group(0).partition(".")
            digits = escape_text(whole) + (PERSIAN_DECIMAL_SEPARATOR + escape_text(fraction) if fraction else "")
            return escape_text(run[:number.start()]) + digits + escape_text(run[number.end():])
    if len(run) <= UNBROKEN_LTR_CHARACTERS:
        # A short formula or name on one line: a break inside a left-to-right
        # run in right-to-left text sends its second half to the far side of
        # the next line ("ReLU(2" ... "h_t - 1/2)").
        return LTR_MACRO + "{" + NO_BREAK_SPACE.join(escape_text(word) for word in run.split(" ")) + "}"
    return LTR_MACRO + "{" + escape_text(run) + "}"


# Left-to-right runs up to this long are kept on one line (their spaces
# unbreakable: LaTeX's ~, spelt as the command it stands for).
UNBROKEN_LTR_CHARACTERS = 28
NO_BREAK_SPACE = r"\nobreakspace{}"


def _arabic(cluster: str) -> bool:
    return cluster[0] in ARABIC


def escape_text_rtl(text: str) -> str:
    """Free text as LaTeX for a right-to-left XeLaTeX document.

    Words in Arabic script (Persian) pass as written; every other run of
    words (Latin, numbers, transliterated scripts), with the spaces between
    them, is escaped as :func:`escape_text` escapes it and set left to right
    in ``\\lr{...}``, so that "Ali Rezaei" keeps its order inside Persian text.
    """
    clusters = _clusters(str(text))
    output: list[str] = []
    latin: list[str] = []  # the current left-to-right run, not yet escaped
    spaces: list[str] = []  # spaces after it, which belong to it only if more Latin follows

    seen_persian = False  # whether Persian text came before the current run

    def flush_latin(persian_after: bool) -> None:
        if latin:
            lead, core, trail = _unmatched_edges(latin, seen_persian, persian_after)
            output.append(escape_text("".join(lead)))
            output.append(_ltr_or_number(core))
            output.append(escape_text("".join(trail)))
            latin.clear()

    for index, cluster in enumerate(clusters):
        # A joiner beside a Persian letter is Persian spelling ("می‌شود", "n‌بعدی").
        joiner_in_word = cluster in _JOINERS and (
            (index > 0 and _arabic(clusters[index - 1])) or (index < len(clusters) - 1 and _arabic(clusters[index + 1])))
        if _is_space(cluster):
            (spaces if latin else output).append(" ")
        elif _arabic(cluster) or joiner_in_word:
            flush_latin(persian_after=True)
            seen_persian = True
            output.extend(spaces)
            spaces.clear()
            if unicodedata.category(cluster[0]) in _INVISIBLE and not joiner_in_word:
                output.append(LTR_MACRO + "{" + code_point(cluster) + "}")
            else:
                output.append(cluster)
        else:
            latin.extend(spaces)
            spaces.clear()
            latin.append(cluster)
    # At the end of a Persian sentence, a period after a Latin word ends the sentence.
    flush_latin(persian_after=seen_persian)
    output.extend(spaces)
    return "".join(output)
