"""Choosing the quote that best represents an article's summary."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence

from bot.model import Quote
from bot.pipeline.quotes.lexicon import STOP_WORDS
from bot.pipeline.quotes.shown import is_name, shown_speaker

# A word of the bag of words that quotes and summaries are compared by, lower-cased text:
# letters and digits, with a clitic ("don't"); names need no capital here.
_BAG_WORD = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?")
# Quotes this long (in words) read best in a summary; shorter or longer ones are discounted.
_IDEAL_WORDS = (8, 40)
# Added to every quote's similarity to the summary, so that with no word in common the
# speaker and the length still rank the quotes.
_SIMILARITY_FLOOR = 0.1
# How a quote's speaker weighs: a person by name, a description ("a spokesman"), a pronoun
# left unresolved, nobody.
_NAMED, _DESCRIBED, _PRONOUN, _NOBODY = 1.0, 0.8, 0.6, 0.3


def _bag(text: str) -> Counter[str]:
    return Counter(w for w in _BAG_WORD.findall(text.lower()) if w not in STOP_WORDS)


def _cosine(a: Counter[str], b: Counter[str]) -> float:
    dot = sum(count * b[word] for word, count in a.items())
    norm = math.sqrt(sum(v * v for v in a.values()) * sum(v * v for v in b.values()))
    return dot / norm if norm else 0.0


def _length_factor(words: int) -> float:
    low, high = _IDEAL_WORDS
    if words < low:
        return words / low
    return 1.0 if words <= high else high / words


def named_speaker(quote: Quote) -> str | None:
    """The person a quote is attributed to, by name: its shown speaker when that is a name;
    None for nobody, a pronoun left unresolved, or a description ("a spokesman")."""
    shown = shown_speaker(quote)
    return shown if shown and is_name(shown) else None


def _speaker_factor(quote: Quote) -> float:
    """Named speakers first, then descriptions, then pronouns left unresolved, then nobody."""
    if named_speaker(quote):
        return _NAMED
    if shown_speaker(quote):
        return _DESCRIBED
    return _PRONOUN if quote.speaker else _NOBODY


def key_quote(quotes: Sequence[Quote], summary_sentences: Iterable[str]) -> Quote | None:
    """The quote most central to a summary: similar to it, by a named speaker, not too long."""
    if not quotes:
        return None
    summary = _bag(" ".join(summary_sentences))

    def score(quote: Quote) -> float:
        similarity = _cosine(_bag(quote.text), summary) + _SIMILARITY_FLOOR
        return similarity * _length_factor(len(quote.text.split())) * _speaker_factor(quote)

    return max(quotes, key=score)
