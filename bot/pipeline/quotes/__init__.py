"""Who said what: direct quotations in news text, with their speakers.

`extract_quotes(text)` finds quoted spans (marks.py), attributes each to a speaker from the
words around it by ordered lists of small rules (rules.py, after.py, before.py, applied by
reading.py; they read tokens.py, words.py, phrases.py, verbs.py and context.py), and resolves
names and pronouns to people (people.py). Every word list is in lexicon.py, every window in
windows.py.
`shown_speaker(quote)` is who a reader is shown as its speaker (shown.py).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import replace

from bot.model import Article, FiledQuote, Quote
from bot.pipeline.quotes.lexicon import SENTENCE_END, TITLE_SMALL_WORDS
from bot.pipeline.quotes.marks import Span, find_spans
from bot.pipeline.quotes.people import People, Resolved, speaker_key
from bot.pipeline.quotes.ranking import key_quote, named_speaker
from bot.pipeline.quotes.rules import RULEBOOK, Rulebook, attribute, is_long
from bot.pipeline.quotes.shown import shown_speaker
from bot.pipeline.quotes.tokens import Attribution
from bot.pipeline.quotes.windows import MAX_TITLE_CASE_WORDS
from bot.pipeline.sentences import sentence_spans

__all__ = [
    "extract_quotes",
    "filed_quotes",
    "key_quote",
    "named_speaker",
    "quotes_of",
    "shown_speaker",
    "speaker_key",
]


class _Sentences:
    """Sentence lookup by offset."""

    def __init__(self, text: str) -> None:
        self.spans = sentence_spans(text) or [(0, len(text))]
        self.starts = [start for start, _ in self.spans]

    def around(self, offset: int) -> tuple[int, int]:
        index = max(0, bisect_right(self.starts, offset) - 1)
        return self.spans[index]


def _is_quote(text: str, span: Span) -> bool:
    """Long enough, not markup (`tweet-date="..."`) and not a title."""
    if span.open_at > 0 and text[span.open_at - 1] == "=":
        return False
    return is_long(text, span) and not _is_title(text[span.start : span.end].split())


def _is_title(words: list[str]) -> bool:
    """Title Case without a sentence in it: a show, a book, a slogan, a date."""
    if len(words) > MAX_TITLE_CASE_WORDS or any(w[-1] in SENTENCE_END for w in words[:-1]):
        return False
    alphabetic = [w for w in words if w[:1].isalpha() and w.lower() not in TITLE_SMALL_WORDS]
    return bool(alphabetic) and all(w[:1].isupper() for w in alphabetic)


def extract_quotes(text: str, rules: Rulebook = RULEBOOK) -> list[Quote]:
    """Direct quotations in `text`, in order, with offsets into `text`; `rules` are the
    attribution rules (the benchmark leaves some out)."""
    spans = find_spans(text)
    if not spans:
        return []
    sentences = _Sentences(text)
    attributions = attribute(text, spans, rules)
    people = People(text, [(span.open_at, span.close_at) for span in spans])
    quotes: list[Quote] = []
    previous: str | None = None
    for span, attribution in zip(spans, attributions, strict=True):
        if not _is_quote(text, span):
            continue
        if attribution is not None and not attribution.cue and not people.known(attribution):
            attribution = None  # an inferred speaker must be a person of the article
        s_lo, s_hi = sentences.around(span.start)
        quote = Quote(
            text[span.start : span.end],
            span.start,
            span.end,
            None,
            None,
            None,
            None,
            text[s_lo:s_hi],
        )
        if attribution is not None:
            quote = _attributed(quote, attribution, people.resolve(attribution, previous))
            previous = quote.speaker_resolved
        quotes.append(quote)
    return quotes


def _attributed(quote: Quote, attribution: Attribution, resolved: Resolved) -> Quote:
    """The quote with its speaker phrase, the person it resolves to, their role and the cue."""
    return replace(
        quote,
        speaker=attribution.speaker,
        speaker_resolved=resolved.name,
        description=attribution.description or resolved.role,
        cue=attribution.cue or None,
    )


def quotes_of(article: Article) -> list[Quote]:
    """Quotes of an article, with offsets into `article.text`."""
    return extract_quotes(article.text)


def filed_quotes(quotes: Iterable[Quote]) -> list[FiledQuote]:
    """Each quote with the person it is filed under in storage: its named speaker and their
    `speaker_key`, or nobody."""
    filed = []
    for quote in quotes:
        name = named_speaker(quote)
        key = speaker_key(name) if name else None
        filed.append(FiledQuote(quote, name if key else None, key or None))
    return filed
