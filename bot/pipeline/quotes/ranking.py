"""Choosing the quote that best represents an article's summary."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence

from bot.model import Quote
from bot.pipeline.quotes.lexicon import word_set
from bot.pipeline.quotes.shown import is_name, shown_speaker

_WORD = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?")
_STOP = word_set(
    """a an the and or but of to in on at for with by from as is are was were be been it its
    this that these those he she they we i you his her their our my not no do does did have has
    had will would can could should may might just so than then there here what which who"""
)
# Quotes this long (in words) read best in a summary; shorter or longer ones are discounted.
_IDEAL_WORDS = (8, 40)


def _bag(text: str) -> Counter[str]:
    return Counter(w for w in _WORD.findall(text.lower()) if w not in _STOP)


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
        return 1.0
    if shown_speaker(quote):
        return 0.8
    return 0.6 if quote.speaker else 0.3


def key_quote(quotes: Sequence[Quote], summary_sentences: Iterable[str]) -> Quote | None:
    """The quote most central to a summary: similar to it, by a named speaker, not too long."""
    if not quotes:
        return None
    summary = _bag(" ".join(summary_sentences))

    def score(quote: Quote) -> float:
        similarity = _cosine(_bag(quote.text), summary) + 0.1  # no overlap still ranks by kind
        return similarity * _length_factor(len(quote.text.split())) * _speaker_factor(quote)

    return max(quotes, key=score)
