"""Reading the frame before an opening mark: `Smith said:`, `According to Smith,`, `Smith
acknowledged that it will “...”`, `Bystrom agreed. “...”`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cached_property

from bot.pipeline.quotes.lexicon import (
    AGREEING_VERBS,
    DASHES,
    SAYING_VERBS,
)
from bot.pipeline.quotes.phrases import opening_phrase_end, sentence_subject
from bot.pipeline.quotes.reading import Reading, Rule, first_reading
from bot.pipeline.quotes.tokens import (
    Attribution,
    Token,
    is_word,
    last_sentence,
    make,
    sentence_before,
    tokenize,
    tokens_after,
)
from bot.pipeline.quotes.verbs import at_verb
from bot.pipeline.quotes.windows import (
    MAX_COLON_NAME,
    MAX_COLON_TAIL,
    MAX_FRAME,
)
from bot.pipeline.quotes.words import is_verb


class BeforeFrame:
    """The unquoted tokens of the sentence before an opening mark, from the paragraph's
    start; `first` is where the quote's own frame starts (past an earlier quote)."""

    def __init__(self, text: str, sentence_lo: int, lo: int, hi: int) -> None:
        self.text = text
        self.tokens = sentence_before(text, sentence_lo, hi)
        self.first = next(
            (i for i, token in enumerate(self.tokens) if token.start >= lo), len(self.tokens)
        )

    @cached_property
    def readings(self) -> tuple[Attribution | None, Attribution | None]:
        """The first speaker found next to a speech verb of the frame, and the sentence
        subject that a participle or second verb before it shares, reading past an opening
        phrase (`In a Facebook message posted Friday,`)."""
        shared: Attribution | None = None
        for i in range(max(self.first, opening_phrase_end(self.tokens)), len(self.tokens)):
            found, direct = at_verb(self.text, self.tokens, i)
            if found is not None and direct:
                return found, shared
            shared = shared or found
        return None, shared

    @property
    def ends_in_colon(self) -> bool:
        """`Sullivan on Tuesday:`"""
        return bool(self.tokens) and self.tokens[-1].text == ":"


def verb_at_mark(frame: BeforeFrame) -> Reading:
    """`Trump boasted, “`, also after an earlier clause: `When Clinton noted that ...,
    Trump boasted, “`. A participle (`issued a statement saying, “`) shares its
    sentence's subject instead."""
    tokens = frame.tokens
    verb = len(tokens) - 2
    if verb < frame.first or tokens[-1].text not in {",", ":"}:
        return None
    if tokens[verb].lower.endswith("ing") or not is_verb(tokens, verb):
        return None
    found, direct = at_verb(frame.text, tokens, verb)
    return found if direct else None


def speaker_of_a_verb(frame: BeforeFrame) -> Reading:
    """`Smith acknowledged that it will “`, `According to Smith, “`: the speaker next to a
    speech verb of the sentence."""
    return frame.readings[0]


def shared_subject(frame: BeforeFrame) -> Reading:
    """`Smith hit back, saying “`: the sentence's subject, shared by a participle."""
    return frame.readings[1]


def name_before_colon(frame: BeforeFrame) -> Reading:
    """`Pollsters agree - Carl Bialik:` / `More from Smith and Jones:`: a name right
    before the colon, set off from what precedes it by a dash or "from"."""
    if not frame.ends_in_colon:
        return None
    tokens = frame.tokens
    end = len(tokens) - 1
    k = _name_start(tokens, end)
    return make(frame.text, tokens, (k, end), ":") if _set_off(tokens, k, end) else None


def _set_off(tokens: list[Token], k: int, end: int) -> bool:
    """Whether tokens[k:end] is a name set off by a dash or "from", not a headline in
    capitals."""
    if k == end or k == 0 or not tokens[k].capitalized or tokens[end - 1].lower == "and":
        return False
    if tokens[k - 1].text not in DASHES and tokens[k - 1].lower != "from":
        return False
    return not any(t.text.isupper() and len(t.text) > 1 for t in tokens[k:end])


def _name_start(tokens: list[Token], end: int) -> int:
    """Where a run of capitalised words (and "and") before tokens[end] starts."""
    k = end
    while k > 0 and end - k < MAX_COLON_NAME and _in_a_name_list(tokens[k - 1]):
        k -= 1
    return k


def _in_a_name_list(token: Token) -> bool:
    """A capitalised word or "and": `Smith and Jones`."""
    return (token.capitalized and is_word(token)) or token.lower == "and"


def colon_subject(frame: BeforeFrame) -> Reading:
    """`Sullivan on Tuesday:`, `Respondents are told:`."""
    return _colon_subject(frame.text, frame.tokens) if frame.ends_in_colon else None


BEFORE_RULES: tuple[Rule[BeforeFrame], ...] = (
    verb_at_mark,
    speaker_of_a_verb,
    shared_subject,
    name_before_colon,
    colon_subject,
)


def before_quote(
    text: str,
    sentence_lo: int,
    lo: int,
    hi: int,
    rules: Iterable[Rule[BeforeFrame]] = BEFORE_RULES,
) -> Attribution | None:
    """Attribution in text[lo:hi] preceding an opening mark: `Smith said:`, `According to X,`.

    `sentence_lo` is where the paragraph starts: the subject of a participle (`Smith hit
    back, saying “...”`) may stand before an earlier quote in the same sentence.
    """
    return first_reading(rules, BeforeFrame(text, sentence_lo, lo, hi))


def _colon_subject(text: str, tokens: list[Token]) -> Attribution | None:
    """The subject of a sentence ending in a colon; not a sentence that runs on to its
    colon from a word the article also writes in lower case (`Trust the process, keep the
    faith:`), unless a plural noun."""
    found = sentence_subject(text, tokens, ":")
    if found is None or " " in found.speaker or found.speaker.endswith("s"):
        return found
    tail = tokens_after(tokens, found)
    common = re.search(rf"\b{re.escape(found.speaker.lower())}\b", text)
    return None if common and len(tail) > MAX_COLON_TAIL else found


def previous_sentence(text: str, lo: int, hi: int) -> Attribution | None:
    """`Bystrom agreed. “Mainstream Republicans ...”`: a short attributing sentence before."""
    tokens = tokenize(text, lo, hi)
    if len(tokens) < 2 or tokens[-1].text not in {".", ":"}:
        return None
    tokens = last_sentence(tokens[:-1])
    if not tokens or len(tokens) > MAX_FRAME:
        return None
    verbs = [i for i in range(len(tokens)) if is_verb(tokens, i)]
    if not verbs or tokens[verbs[-1]].lower not in SAYING_VERBS | AGREEING_VERBS:
        return None
    found, direct = at_verb(text, tokens, verbs[-1])
    return found if direct else None
