"""Speakers read from the sentences around a quote that no speech verb frames: the subject
of the sentence a partial quote stands in, or of the paragraph before a quote paragraph.
"""

from __future__ import annotations

from bot.pipeline.quotes.lexicon import (
    DETERMINERS,
    QUOTE_MARKS,
    SENTENCE_END,
)
from bot.pipeline.quotes.phrases import sentence_subject
from bot.pipeline.quotes.tokens import (
    Attribution,
    last_sentence,
    tokenize,
)
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
    if found is None:
        return None
    lower = found.speaker.lower()
    words = found.speaker.split()
    named = all(w[:1].isupper() for w in words) and lower.split()[0] not in DETERMINERS
    return found if lower in {"he", "she"} or (named and len(words) <= 4) else None


def embedding_subject(text: str, line_start: int, open_at: int) -> Attribution | None:
    """`Cruz blamed the law on “knuckleheaded politicians.”`: the named subject of the
    sentence a partial quote stands in, when no speech verb frames it."""
    tokens = last_sentence(tokenize(text, line_start, open_at))
    if len(tokens) < 3 or any(t.text in QUOTE_MARKS for t in tokens):
        return None
    if any(is_passive(tokens, k) or names_a_thing(tokens, k) for k in range(len(tokens))):
        return None  # `Smith was asked, “...”`: someone else speaks; `a show called “...”`
    found = sentence_subject(text, tokens, "")
    if found is None:
        return None
    after = next((k for k, t in enumerate(tokens) if t.start >= found.end), len(tokens))
    verb = tokens[after] if after < len(tokens) else None
    if verb is None or not (verb.text[:1].islower() or verb.text == ","):
        return None
    lower = found.speaker.lower()
    words = found.speaker.split()
    named = all(w[:1].isupper() for w in words) and lower.split()[0] not in DETERMINERS
    return found if lower in {"he", "she"} or (named and len(words) <= 4) else None
