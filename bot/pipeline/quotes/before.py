"""Reading the frame before an opening mark: `Smith said:`, `According to Smith,`, `Smith
acknowledged that it will “...”`, `Bystrom agreed. “...”`.
"""

from __future__ import annotations

import re

from bot.pipeline.quotes.lexicon import (
    AGREEING_VERBS,
    DASHES,
    SAYING_VERBS,
)
from bot.pipeline.quotes.phrases import opening_phrase_end, sentence_subject
from bot.pipeline.quotes.tokens import (
    Attribution,
    Token,
    is_word,
    last_sentence,
    make,
    sentence_before,
    tokenize,
)
from bot.pipeline.quotes.verbs import at_verb
from bot.pipeline.quotes.windows import (
    MAX_COLON_TAIL,
    MAX_DESCRIPTION,
    MAX_SUBJECT,
)
from bot.pipeline.quotes.words import is_verb


def before_quote(text: str, sentence_lo: int, lo: int, hi: int) -> Attribution | None:
    """Attribution in text[lo:hi] preceding an opening mark: `Smith said:`, `According to X,`.

    `sentence_lo` is where the paragraph starts: the subject of a participle (`Smith hit
    back, saying “...”`) may stand before an earlier quote in the same sentence.
    """
    tokens = sentence_before(text, sentence_lo, hi)
    first = next((i for i, token in enumerate(tokens) if token.start >= lo), len(tokens))
    adjacent = _verb_at_mark(tokens)
    if adjacent >= first:  # `When Clinton noted that ..., Trump boasted, “`
        found, direct = at_verb(text, tokens, adjacent)
        if found is not None and direct:
            return found
    first = max(first, opening_phrase_end(tokens))
    shared: Attribution | None = None
    for i in range(first, len(tokens)):
        found, direct = at_verb(text, tokens, i)
        if found is not None and direct:
            return found
        shared = shared or found
    if shared is None and tokens and tokens[-1].text == ":":
        return _name_before_colon(text, tokens) or _colon_subject(text, tokens)
    return shared


def _verb_at_mark(tokens: list[Token]) -> int:
    """Index of a finite speech verb right before the opening mark (`Trump said, “`), or -1;
    a participle (`issued a statement saying, “`) shares its sentence's subject instead."""
    verb = len(tokens) - 2
    if verb < 0 or tokens[-1].text not in {",", ":"} or tokens[verb].lower.endswith("ing"):
        return -1
    return verb if is_verb(tokens, verb) else -1


def _name_before_colon(text: str, tokens: list[Token]) -> Attribution | None:
    """`Pollsters agree - Carl Bialik:` / `More from Smith and Jones:`: a name right
    before the colon, set off from what precedes it by a dash or "from"."""
    end = len(tokens) - 1
    k = end
    while (
        k > 0
        and end - k < 6
        and ((tokens[k - 1].capitalized and is_word(tokens[k - 1])) or tokens[k - 1].lower == "and")
    ):
        k -= 1
    if k == end or k == 0 or not tokens[k].capitalized or tokens[end - 1].lower == "and":
        return None
    if tokens[k - 1].text not in DASHES and tokens[k - 1].lower != "from":
        return None
    if any(t.text.isupper() and len(t.text) > 1 for t in tokens[k:end]):
        return None  # a headline in capitals
    return make(text, tokens, (k, end), ":")


def _colon_subject(text: str, tokens: list[Token]) -> Attribution | None:
    """`Sullivan on Tuesday:`, `Respondents are told:`; not a sentence that runs on to its
    colon from a word the article also writes in lower case (`Trust the process, keep the
    faith:`), unless a plural noun."""
    found = sentence_subject(text, tokens, ":")
    if found is None or " " in found.speaker or found.speaker.endswith("s"):
        return found
    tail = [token for token in tokens if token.start >= found.end]
    common = re.search(rf"\b{re.escape(found.speaker.lower())}\b", text)
    return None if common and len(tail) > MAX_COLON_TAIL else found


def previous_sentence(text: str, lo: int, hi: int) -> Attribution | None:
    """`Bystrom agreed. “Mainstream Republicans ...”`: a short attributing sentence before."""
    tokens = tokenize(text, lo, hi)
    if len(tokens) < 2 or tokens[-1].text not in {".", ":"}:
        return None
    tokens = last_sentence(tokens[:-1])
    if not tokens or len(tokens) > MAX_SUBJECT + MAX_DESCRIPTION:
        return None
    verbs = [i for i in range(len(tokens)) if is_verb(tokens, i)]
    if not verbs or tokens[verbs[-1]].lower not in SAYING_VERBS | AGREEING_VERBS:
        return None
    found, direct = at_verb(text, tokens, verbs[-1])
    return found if direct else None
