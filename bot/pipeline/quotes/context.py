"""Speakers read from the sentences around a quote that no speech verb frames: the subject
of the sentence a partial quote stands in, or of the paragraph before a quote paragraph.
"""

from __future__ import annotations

from bot.pipeline.quotes.lexicon import (
    DETERMINERS,
    PERSON_SUBJECTS,
    QUOTE_MARKS,
    SENTENCE_END,
)
from bot.pipeline.quotes.phrases import sentence_subject
from bot.pipeline.quotes.tokens import (
    Attribution,
    Token,
    last_sentence,
    tokenize,
    tokens_after,
)
from bot.pipeline.quotes.windows import MAX_CONTEXT_NAME_WORDS, MIN_EMBEDDING_SENTENCE
from bot.pipeline.quotes.words import is_passive, names_a_thing


def paragraph_subject(text: str, lo: int, hi: int) -> Attribution | None:
    """The subject of the last sentence of text[lo:hi] when it is a name or he/she:
    `Viguerie is upbeat about Cruz.` before a paragraph that is only a quote."""
    tokens = tokenize(text, lo, hi)
    if tokens and tokens[-1].text in SENTENCE_END:
        tokens = tokens[:-1]
    tokens = last_sentence(tokens)
    if not tokens or tokens[-1].text == ":" or any(t.text in QUOTE_MARKS for t in tokens):
        return None
    found = sentence_subject(text, tokens, "")
    return found if found is not None and _names_a_person(found) else None


def embedding_subject(text: str, line_start: int, open_at: int) -> Attribution | None:
    """`Cruz blamed the law on “knuckleheaded politicians.”`: the named subject of the
    sentence a partial quote stands in, when no speech verb frames it."""
    tokens = last_sentence(tokenize(text, line_start, open_at))
    if (
        len(tokens) < MIN_EMBEDDING_SENTENCE
        or any(t.text in QUOTE_MARKS for t in tokens)
        or _not_said(tokens)
    ):
        return None
    found = sentence_subject(text, tokens, "")
    if found is None or not _names_a_person(found):
        return None
    rest = tokens_after(tokens, found)
    return found if rest and (rest[0].text[:1].islower() or rest[0].text == ",") else None


def _not_said(tokens: list[Token]) -> bool:
    """`Smith was asked, “...”`: someone else speaks; `a show called “...”`: a name."""
    return any(is_passive(tokens, k) or names_a_thing(tokens, k) for k in range(len(tokens)))


def _names_a_person(found: Attribution) -> bool:
    """He or she, or a short name: `Ted Cruz`, not `The senator`."""
    lower = found.speaker.lower()
    words = found.speaker.split()
    named = all(w[:1].isupper() for w in words) and lower.split()[0] not in DETERMINERS
    return lower in PERSON_SUBJECTS or (named and len(words) <= MAX_CONTEXT_NAME_WORDS)
