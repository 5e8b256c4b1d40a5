"""Who said what: direct quotations in news text, with their speakers.

`extract_quotes(text)` finds quoted spans (marks.py), attributes each to a speaker from the
words around it (the frame readers before.py and after.py, on tokens.py, words.py, phrases.py
and verbs.py; context.py), and resolves names and pronouns to people (people.py). Every word
list is in lexicon.py, every window in windows.py.
`shown_speaker(quote)` is who a reader is shown as its speaker (shown.py).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable

from bot.model import Article, FiledQuote, Quote
from bot.pipeline.quotes.after import after_quote
from bot.pipeline.quotes.before import before_quote, previous_sentence
from bot.pipeline.quotes.context import embedding_subject, paragraph_subject
from bot.pipeline.quotes.lexicon import word_set
from bot.pipeline.quotes.marks import Span, find_spans, skip_blanks
from bot.pipeline.quotes.people import People, speaker_key
from bot.pipeline.quotes.ranking import key_quote, named_speaker
from bot.pipeline.quotes.shown import shown_speaker
from bot.pipeline.quotes.tokens import Attribution
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

_TRANSCRIPT = re.compile(r"([A-Z][A-Z.'\- ]{2,30}[A-Z]):\s")
# `Jane Doe: ‘...’`: a headline quoting a person by name.
_HEADLINE = re.compile(
    r"((?:[A-Z][a-z]+(?:[-'’][A-Z]?[a-z]+)?\.? ){0,3}[A-Z][a-z]+(?:[-'’][A-Z]?[a-z]+)?):\s"
)
_DASHES = frozenset("-—–―")
_SENTENCE_END = re.compile(r"[.!?](?:\s|$)")
# Quoted spans this short are scare quotes or names, not quotations, even with a cue.
_MIN_WORDS = 3
_MAX_TITLE_WORDS = 10
_TITLE_SMALL_WORDS = word_set("a an the and or of in on at to for with by from as vs. is it")


class _Lines:
    """Where the line (paragraph) around an offset starts and ends, found by bisection: in a
    text that is one long line, `rfind("\n")` for each quote would read the whole text."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.newlines = [match.start() for match in re.finditer("\n", text)]

    def start(self, offset: int) -> int:
        """Just past the last newline before `offset`: `text.rfind("\n", 0, offset) + 1`."""
        index = bisect_left(self.newlines, offset)
        return self.newlines[index - 1] + 1 if index else 0

    def end(self, offset: int) -> int:
        """The first newline at or after `offset`, or the end of the text."""
        index = bisect_left(self.newlines, offset)
        return self.newlines[index] if index < len(self.newlines) else len(self.text)

    def previous_end(self, line_start: int) -> int:
        """Where the text before `line_start` ends, trailing blanks left out."""
        end = line_start
        while end > 0 and self.text[end - 1].isspace():
            end -= 1
        return end


class _Sentences:
    """Sentence lookup by offset."""

    def __init__(self, text: str) -> None:
        self.spans = sentence_spans(text) or [(0, len(text))]
        self.starts = [start for start, _ in self.spans]

    def around(self, offset: int) -> tuple[int, int]:
        index = max(0, bisect_right(self.starts, offset) - 1)
        return self.spans[index]


def _frames(
    lines: _Lines, spans: list[Span], index: int
) -> tuple[tuple[int, int], tuple[int, int]]:
    """The unquoted text before and after spans[index] in its paragraph.

    Not cut at sentence ends: Punkt splits `“Why?” asked Smith` and `'' Mr. Smith`, so the
    frame parsers stop at full stops themselves.
    """
    span, text = spans[index], lines.text
    prev, nxt = _neighbour(text, spans, index, -1), _neighbour(text, spans, index, 1)
    before_lo = prev.close_at if prev else lines.start(span.open_at)
    after_hi = nxt.open_at if nxt else lines.end(span.close_at)
    return (before_lo, span.open_at), (span.close_at, after_hi)


def _neighbour(text: str, spans: list[Span], index: int, step: int) -> Span | None:
    """The nearest span on the same line in direction `step` that is long enough to be a
    quote; a shorter one (`Marcia “Cia” Price`) is part of the frame."""
    k = index + step
    while 0 <= k < len(spans) and spans[k].line == spans[index].line:
        if _long(text, spans[k]):
            return spans[k]
        k += step
    return None


def _long(text: str, span: Span) -> bool:
    return len(text[span.start : span.end].split()) >= _MIN_WORDS


def _attribute(lines: _Lines, spans: list[Span], index: int) -> Attribution | None:
    span, text = spans[index], lines.text
    transcript = _TRANSCRIPT.match(text, span.start, span.end)
    if transcript:  # "PENCE: Well, ..." in a quoted interview transcript
        name = transcript.group(1)
        return Attribution(name, span.start, span.start + len(name), ":")
    (b_lo, b_hi), (a_lo, a_hi) = _frames(lines, spans, index)
    line_start = lines.start(span.open_at)
    before = (
        before_quote(text, line_start, b_lo, b_hi)
        or previous_sentence(text, b_lo, b_hi)
        or _introduced(lines, line_start, b_hi)
    )
    if span.left_open:
        return before
    if not before and not text[a_lo:a_hi].strip():
        signed = _signed_below(lines, a_hi)
        if signed is not None:
            return signed
    if text[span.start : span.end].rstrip().endswith("."):
        # `“... missing.” Trump said.`: a full stop inside the marks, and nothing before.
        return before or _short_after(text, a_lo, a_hi)
    return after_quote(text, a_lo, a_hi) or before


def _signed_below(lines: _Lines, end: int) -> Attribution | None:
    """A quote paragraph signed in the next one: `“...”` then `- Jane Smith, Ohio.`"""
    text = lines.text
    if end >= len(text):
        return None
    lo = skip_blanks(text, end)
    if text[lo : lo + 1] not in _DASHES:
        return None
    return after_quote(text, lo, lines.end(lo))


def _short_after(text: str, lo: int, hi: int) -> Attribution | None:
    """`Trump said.` / `said Smith.` as a whole sentence right after a closed quote, or a
    signature: `“...” ― Maria Lopez`."""
    if text[lo:hi].lstrip()[:1] in _DASHES:
        return after_quote(text, lo, hi)
    end = _SENTENCE_END.search(text, lo, hi)
    if end is None or len(text[lo : end.start()].split()) > 4:
        return None
    return after_quote(text, lo, end.end())


def _introduced(lines: _Lines, line_start: int, open_at: int) -> Attribution | None:
    """A quote opening its paragraph after one ending in a colon: `Cruz continued:`."""
    text = lines.text
    if text[line_start:open_at].strip() or line_start < 2:
        return None
    prev_end = lines.previous_end(line_start)
    if text[prev_end - 1 : prev_end] != ":":
        return None
    prev_start = lines.start(prev_end)
    return before_quote(text, prev_start, prev_start, prev_end)


def _attributions(lines: _Lines, spans: list[Span]) -> list[Attribution | None]:
    text = lines.text
    found = [_attribute(lines, spans, i) for i in range(len(spans))]
    # A quote with no frame of its own belongs to its neighbour: the rest of a
    # multi-paragraph quote, "“X.” “Y,” he said.", or a paragraph that goes on quoting.
    for i in range(len(spans) - 1, -1, -1):
        if found[i] is None and i + 1 < len(spans) and _joined(text, spans[i], spans[i + 1]):
            found[i] = found[i + 1]
    # A partial quote inside a sentence about a person: `Cruz blamed it on “...”`.
    for i, span in enumerate(spans):
        if found[i] is None and not span.continues:
            found[i] = embedding_subject(text, lines.start(span.open_at), span.open_at)
    for i in range(1, len(spans)):
        if found[i] is None and spans[i].line - spans[i - 1].line <= 1:
            found[i] = found[i - 1]
    # A paragraph that is only a quote, after one about a person: `Viguerie is upbeat.`
    for i, span in enumerate(spans):
        if found[i] is None and not span.continues:
            found[i] = _paragraph_speaker(lines, span)
    return found


def _paragraph_speaker(lines: _Lines, span: Span) -> Attribution | None:
    text = lines.text
    line_start = lines.start(span.open_at)
    if text[line_start : span.open_at].strip() or line_start < 2:
        return None
    prev_end = lines.previous_end(line_start)
    prev_start = lines.start(prev_end)
    headline = _HEADLINE.match(text, prev_start, prev_end)
    if headline:  # `Jane Doe: ‘We Will Win’` heading the quote
        name = headline.group(1)
        return Attribution(name, prev_start, prev_start + len(name), "")
    return paragraph_subject(text, prev_start, prev_end)


def _joined(text: str, first: Span, second: Span) -> bool:
    """Whether two spans share a speaker: one sentence, adjacent, or a continued quote."""
    if second.continues:  # unless a transcript's next turn: `"WALLACE: ...`
        return not _TRANSCRIPT.match(text, second.start, second.end)
    between = text[first.close_at : second.open_at]
    return first.line == second.line and (not between.strip() or not _SENTENCE_END.search(between))


def _is_quote(text: str, span: Span) -> bool:
    content = text[span.start : span.end]
    if span.open_at > 0 and text[span.open_at - 1] == "=":  # markup: tweet-date="..."
        return False
    return _long(text, span) and not _is_title(content.split())


def _is_title(words: list[str]) -> bool:
    """Title Case without a sentence in it: a show, a book, a slogan, a date."""
    if len(words) > _MAX_TITLE_WORDS or any(w[-1] in ".!?" for w in words[:-1]):
        return False
    alphabetic = [w for w in words if w[:1].isalpha() and w.lower() not in _TITLE_SMALL_WORDS]
    return bool(alphabetic) and all(w[:1].isupper() for w in alphabetic)


def extract_quotes(text: str) -> list[Quote]:
    """Direct quotations in `text`, in order, with offsets into `text`."""
    spans = find_spans(text)
    if not spans:
        return []
    sentences = _Sentences(text)
    attributions = _attributions(_Lines(text), spans)
    people = People(text, [(span.open_at, span.close_at) for span in spans])
    quotes: list[Quote] = []
    previous: str | None = None
    for span, attribution in zip(spans, attributions, strict=True):
        if not _is_quote(text, span):
            continue
        if attribution is not None and not attribution.cue and not people.known(attribution):
            attribution = None  # an inferred speaker must be a person of the article
        resolved = people.resolve(attribution, previous) if attribution else None
        previous = resolved.name if resolved else previous
        s_lo, s_hi = sentences.around(span.start)
        quotes.append(
            Quote(
                text=text[span.start : span.end],
                start=span.start,
                end=span.end,
                speaker=attribution.speaker if attribution else None,
                speaker_resolved=resolved.name if resolved else None,
                description=(
                    (attribution.description or resolved.role) if attribution and resolved else None
                ),
                cue=(attribution.cue or None) if attribution else None,
                sentence=text[s_lo:s_hi],
            )
        )
    return quotes


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
