"""Tokens of a frame, the attribution record, and reading the sentence before a mark.

Abbreviations keep their full stop ("Sen.", "Pa.,"), so that a "." token always ends a
sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise

from bot.pipeline.quotes.lexicon import (
    ABBREVIATIONS,
    FRAME_LEADING,
    QUOTE_MARKS,
    SENTENCE_END,
    STATE_ABBREVIATIONS,
)
from bot.pipeline.quotes.windows import SENTENCE_REACH, SENTENCE_REACH_MAX

_ABBREVIATION = "|".join(sorted(ABBREVIATIONS))
_STATE = "|".join(sorted(STATE_ABBREVIATIONS))
_TOKEN = re.compile(
    rf"(?:[A-Za-z]\.){{2,}}|[A-Z]\.(?= [A-Z])|(?:{_ABBREVIATION})\."
    r"|[DRI]-[A-Z][a-z]{1,4}\.(?=,)"  # party tags: "McConnell, R-Ky., said"
    rf"|(?:{_STATE})\.(?=,)"  # "a teacher in Allentown, Pa., said"
    r"|\w+(?:['’.\-&/]\w+)*(?:\.(?=\)))?"  # words; "(D-Mo.)" keeps its full stop
    r"|[^\w\s]"
)


@dataclass(frozen=True, slots=True)
class Token:
    """A token of the text, with its offsets into it."""

    text: str
    start: int
    end: int

    @property
    def lower(self) -> str:
        """Lower-cased, without a final period (`Sen.` is `sen`)."""
        return self.text.lower().rstrip(".")

    @property
    def capitalized(self) -> bool:
        """Whether it starts with a capital."""
        return self.text[:1].isupper()


@dataclass(frozen=True, slots=True)
class Attribution:
    """A speaker phrase as written, with its offsets, the cue and any description."""

    speaker: str
    start: int
    end: int
    cue: str
    description: str | None = None


def tokenize(text: str, lo: int, hi: int) -> list[Token]:
    """The tokens of `text[lo:hi]`, with offsets into `text`."""
    return [Token(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(text, lo, hi)]


def phrase(text: str, tokens: list[Token], i: int, j: int) -> str:
    """The text of tokens[i:j], as written."""
    return text[tokens[i].start : tokens[j - 1].end]


def is_word(token: Token) -> bool:
    """A word or number, not punctuation."""
    return token.text[:1].isalnum()


def make(text: str, tokens: list[Token], span: tuple[int, int], cue: str) -> Attribution:
    """The attribution of the speaker phrase tokens[start:end], with its cue."""
    start, end = span
    speaker = phrase(text, tokens, start, end)
    return Attribution(speaker, tokens[start].start, tokens[end - 1].end, cue)


def tokens_after(tokens: list[Token], found: Attribution) -> list[Token]:
    """The tokens that follow a speaker phrase."""
    return [token for token in tokens if token.start >= found.end]


def is_named(tokens: list[Token], found: Attribution) -> bool:
    """Whether a speaker phrase holds a capitalised word."""
    return any(token.capitalized for token in tokens if found.start <= token.start < found.end)


def is_possessive_word(word: str) -> bool:
    """`Smith's`, `Smith’s`, `Sanders'`."""
    return word.replace("’", "'").endswith(("'s", "s'"))


def is_possessive(token: Token) -> bool:
    """`Smith's`, or the apostrophe after `Sanders` (a token of its own)."""
    return is_possessive_word(token.text) or token.text in {"'", "’"}


def frame_start(tokens: list[Token]) -> int:
    """The index of the first token past the commas, dashes and brackets that open a frame."""
    lead = 0
    while lead < len(tokens) and tokens[lead].text in FRAME_LEADING:
        lead += 1
    return lead


def last_sentence(tokens: list[Token]) -> list[Token]:
    """The tokens after the last sentence end."""
    ends = [i for i, token in enumerate(tokens) if token.text in SENTENCE_END]
    return tokens[ends[-1] + 1 :] if ends else tokens


_BLANK = re.compile(r"\s")


def sentence_before(text: str, paragraph_lo: int, hi: int) -> list[Token]:
    """The unquoted tokens of the last sentence in text[paragraph_lo:hi], read back from
    `hi` in growing windows rather than from the paragraph's start: one long paragraph
    with many quotes would otherwise be tokenized whole for each of them.

    The same as `last_sentence(unquoted(tokenize(text, paragraph_lo, hi)))`: a window
    starts at white space, which no token holds, so its tokens are the paragraph's; whether
    a token is quoted depends only on the marks around it, so it is known from the window's
    first mark on, and a sentence end found there is the paragraph's last one.
    """
    reach = SENTENCE_REACH
    while True:
        lo = _window_start(text, paragraph_lo, hi, reach)
        tokens = unquoted(tokenize(text, lo, hi))
        if lo == paragraph_lo or reach >= SENTENCE_REACH_MAX or _ends_a_sentence(tokens, lo):
            return last_sentence(tokens)
        reach *= 4


def _window_start(text: str, paragraph_lo: int, hi: int, reach: int) -> int:
    """The first blank within `reach` characters before `hi`, or the paragraph's start."""
    if hi - reach <= paragraph_lo:
        return paragraph_lo
    blank = _BLANK.search(text, hi - reach, hi)
    return blank.start() if blank else hi


def _ends_a_sentence(tokens: list[Token], lo: int) -> bool:
    """Whether the window's tokens, read from `lo`, hold a sentence end known to be
    unquoted: one after the window's first quote mark."""
    marks = [token.start for token in tokens if token.text in QUOTE_MARKS]
    known_from = marks[0] if marks else lo
    ends = [k for k, token in enumerate(tokens) if token.text in SENTENCE_END]
    return bool(ends) and tokens[ends[-1]].start >= known_from


def unquoted(tokens: list[Token]) -> list[Token]:
    """The tokens outside quote marks, the marks kept: the words of an earlier quote in the
    paragraph are no subject (`“He could have ...,” Smith, her husband, said, “`). A full
    stop ending a quote is kept: it ends the sentence too."""
    marks = [k for k, token in enumerate(tokens) if token.text in QUOTE_MARKS]
    quoted: set[int] = set()
    for opening, closing in pairwise(marks):
        if tokens[opening].text != "”" and tokens[closing].text != "“" and opening not in quoted:
            last = closing - 1 if tokens[closing - 1].text in SENTENCE_END else closing
            quoted.update(range(opening + 1, last))
    return [token for k, token in enumerate(tokens) if k not in quoted]
