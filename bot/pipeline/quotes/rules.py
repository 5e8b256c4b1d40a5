"""Who said each quote of a text: the quote rules in order, then the neighbour rules.

The first reading asks QUOTE_RULES of each quote: the first rule that names a speaker wins.
A quote left without one is then asked NEIGHBOUR_RULES, in order: the speaker of a joined
neighbour, of the sentence it stands in, of the quote before it, or of the paragraph before.
A Rulebook holds all the lists (the frame readers' too); the benchmark leaves a rule out of
it by name to measure what the rule adds.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cached_property

from bot.pipeline.quotes.after import AFTER_RULES, AfterFrame, after_quote
from bot.pipeline.quotes.before import BEFORE_RULES, BeforeFrame, before_quote, previous_sentence
from bot.pipeline.quotes.context import embedding_subject, paragraph_subject
from bot.pipeline.quotes.lexicon import DASHES, SENTENCE_END
from bot.pipeline.quotes.marks import Span, skip_blanks
from bot.pipeline.quotes.reading import Reading, Rule, first_reading
from bot.pipeline.quotes.tokens import Attribution
from bot.pipeline.quotes.windows import MAX_SHORT_AFTER_WORDS, MIN_QUOTE_WORDS

_TRANSCRIPT = re.compile(r"([A-Z][A-Z.'\- ]{2,30}[A-Z]):\s")
# `Jane Doe: ‘...’`: a headline quoting a person by name.
_HEADLINE = re.compile(
    r"((?:[A-Z][a-z]+(?:[-'’][A-Z]?[a-z]+)?\.? ){0,3}[A-Z][a-z]+(?:[-'’][A-Z]?[a-z]+)?):\s"
)
# Sentence punctuation that ends a sentence in running text: followed by a blank or the end.
_FULL_STOP = re.compile(rf"[{re.escape(''.join(sorted(SENTENCE_END)))}](?:\s|$)")


class Lines:
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

    def previous_line(self, line_start: int) -> tuple[int, int] | None:
        """Where the paragraph before the one at `line_start` starts and ends, if any."""
        if line_start < 2:
            return None
        end = self.previous_end(line_start)
        return self.start(end), end


def is_long(text: str, span: Span) -> bool:
    """Long enough to be a quotation, not a scare quote or a name."""
    return len(text[span.start : span.end].split()) >= MIN_QUOTE_WORDS


@dataclass(frozen=True)
class QuotedText:
    """A text, its lines, and its quoted spans in order."""

    lines: Lines
    spans: list[Span]

    @property
    def text(self) -> str:
        """The whole text."""
        return self.lines.text

    def paragraph_start(self, index: int) -> int:
        """Where the paragraph holding spans[index] starts."""
        return self.lines.start(self.spans[index].open_at)

    def opens_paragraph(self, index: int) -> bool:
        """Whether the quote's opening mark is the first thing in its paragraph."""
        return not self.text[self.paragraph_start(index) : self.spans[index].open_at].strip()

    def neighbour(self, index: int, step: int) -> Span | None:
        """The nearest span on the same line in direction `step` that is long enough to be
        a quote; a shorter one (`Marcia “Cia” Price`) is part of the frame."""
        spans = self.spans
        k = index + step
        while 0 <= k < len(spans) and spans[k].line == spans[index].line:
            if is_long(self.text, spans[k]):
                return spans[k]
            k += step
        return None


class QuoteFrame:
    """One quote and the unquoted text before and after it in its paragraph.

    Not cut at sentence ends: Punkt splits `“Why?” asked Smith` and `'' Mr. Smith`, so the
    frame readers stop at full stops themselves.
    """

    def __init__(self, quoted: QuotedText, index: int, book: Rulebook) -> None:
        self.quoted, self.index, self.book = quoted, index, book
        self.text, self.span = quoted.text, quoted.spans[index]
        prev, nxt = quoted.neighbour(index, -1), quoted.neighbour(index, 1)
        self.line_start = quoted.paragraph_start(index)
        self.before = (prev.close_at if prev else self.line_start, self.span.open_at)
        self.after = (
            self.span.close_at,
            nxt.open_at if nxt else quoted.lines.end(self.span.close_at),
        )

    @cached_property
    def closes_sentence(self) -> bool:
        """A full stop inside the closing mark: `“... missing.” Trump said.`"""
        return self.text[self.span.start : self.span.end].rstrip().endswith(".")

    def read_after(self, lo: int, hi: int) -> Attribution | None:
        """The speaker in text[lo:hi] read as the frame after a quote."""
        return after_quote(self.text, lo, hi, self.book.after)

    def read_before(self, paragraph_lo: int, lo: int, hi: int) -> Attribution | None:
        """The speaker in text[lo:hi] read as the frame before a quote."""
        return before_quote(self.text, paragraph_lo, lo, hi, self.book.before)


def transcript(frame: QuoteFrame) -> Reading:
    """`“PENCE: Well, ...”`: a speaker's name in capitals opening a quoted transcript."""
    span = frame.span
    match = _TRANSCRIPT.match(frame.text, span.start, span.end)
    if match is None:
        return None
    name = match.group(1)
    return Attribution(name, span.start, span.start + len(name), ":")


def frame_after(frame: QuoteFrame) -> Reading:
    """`“...,” he said`, `“...,” said Smith, a professor`; not after a quote that runs on
    into the next paragraph or closes its own sentence."""
    if frame.span.left_open or frame.closes_sentence:
        return None
    return frame.read_after(*frame.after)


def frame_before(frame: QuoteFrame) -> Reading:
    """`Smith said: “...”`, `According to Smith, “...”`, `Smith hit back, saying “...”`."""
    return frame.read_before(frame.line_start, *frame.before)


def attributing_sentence(frame: QuoteFrame) -> Reading:
    """`Bystrom agreed. “...”`: a short attributing sentence before the quote."""
    return previous_sentence(frame.text, *frame.before)


def introduced(frame: QuoteFrame) -> Reading:
    """`Cruz continued:` ending the paragraph before one that the quote opens."""
    previous = frame.quoted.lines.previous_line(frame.line_start)
    if not frame.quoted.opens_paragraph(frame.index) or previous is None:
        return None
    lo, hi = previous
    return frame.read_before(lo, lo, hi) if frame.text[hi - 1 : hi] == ":" else None


def signed_below(frame: QuoteFrame) -> Reading:
    """`“...”` then `- Jane Smith, Ohio.`: a quote paragraph signed in the next one."""
    text, (lo, hi) = frame.text, frame.after
    if frame.span.left_open or text[lo:hi].strip() or hi >= len(text):
        return None
    start = skip_blanks(text, hi)
    if text[start : start + 1] not in DASHES:
        return None
    return frame.read_after(start, frame.quoted.lines.end(start))


def short_after(frame: QuoteFrame) -> Reading:
    """`“... missing.” Trump said.` / `said Smith.` as a whole sentence right after a
    quote that closes its own, or a signature: `“...” ― Maria Lopez`."""
    if frame.span.left_open or not frame.closes_sentence:
        return None
    text, (lo, hi) = frame.text, frame.after
    if text[lo:hi].lstrip()[:1] in DASHES:
        return frame.read_after(lo, hi)
    end = _FULL_STOP.search(text, lo, hi)
    if end is None or len(text[lo : end.start()].split()) > MAX_SHORT_AFTER_WORDS:
        return None
    return frame.read_after(lo, end.end())


QUOTE_RULES: tuple[Rule[QuoteFrame], ...] = (
    transcript,
    frame_after,
    frame_before,
    attributing_sentence,
    introduced,
    signed_below,
    short_after,
)

Found = list[Attribution | None]


@dataclass(frozen=True)
class NeighbourRule:
    """A rule for a quote that the first reading left without a speaker, given what was
    found for the others. A `backward` rule goes from the last quote to the first, so that
    a speaker passes back along a run of quotes; the others go forward."""

    read: Callable[[QuotedText, Found, int], Attribution | None]
    backward: bool = False

    @property
    def name(self) -> str:
        """The rule's name, by which the benchmark leaves it out."""
        return self.read.__name__


def joined_quote(quoted: QuotedText, found: Found, index: int) -> Attribution | None:
    """`“X.” “Y,” he said.`, the rest of a multi-paragraph quote: the speaker of the next
    quote when the two share one sentence, or the next one continues it."""
    spans, text = quoted.spans, quoted.text
    if index + 1 >= len(spans):
        return None
    first, second = spans[index], spans[index + 1]
    if second.continues:  # unless a transcript's next turn: `"WALLACE: ...`
        joined = not _TRANSCRIPT.match(text, second.start, second.end)
    else:
        between = text[first.close_at : second.open_at]
        one_sentence = not between.strip() or not _FULL_STOP.search(between)
        joined = first.line == second.line and one_sentence
    return found[index + 1] if joined else None


def embedding_sentence(quoted: QuotedText, found: Found, index: int) -> Attribution | None:
    """`Cruz blamed it on “knuckleheaded politicians.”`: the named subject of the sentence a
    partial quote stands in."""
    span = quoted.spans[index]
    if span.continues:
        return None
    return embedding_subject(quoted.text, quoted.paragraph_start(index), span.open_at)


def quote_before(quoted: QuotedText, found: Found, index: int) -> Attribution | None:
    """A paragraph that goes on quoting: the speaker of the quote before, on the same line
    or the one before it."""
    spans = quoted.spans
    if index == 0 or spans[index].line - spans[index - 1].line > 1:
        return None
    return found[index - 1]


def paragraph_speaker(quoted: QuotedText, found: Found, index: int) -> Attribution | None:
    """A paragraph that is only a quote, after one about a person: `Viguerie is upbeat.`,
    or a headline naming them: `Jane Doe: ‘We Will Win’`."""
    text = quoted.text
    previous = quoted.lines.previous_line(quoted.paragraph_start(index))
    if quoted.spans[index].continues or not quoted.opens_paragraph(index) or previous is None:
        return None
    lo, hi = previous
    headline = _HEADLINE.match(text, lo, hi)
    if headline:
        name = headline.group(1)
        return Attribution(name, lo, lo + len(name), "")
    return paragraph_subject(text, lo, hi)


NEIGHBOUR_RULES = (
    NeighbourRule(joined_quote, backward=True),
    NeighbourRule(embedding_sentence),
    NeighbourRule(quote_before),
    NeighbourRule(paragraph_speaker),
)


@dataclass(frozen=True)
class Rulebook:
    """Every ordered list of attribution rules: of a quote, of the frames after and before
    it, and of the quotes left without a speaker."""

    quote: tuple[Rule[QuoteFrame], ...] = QUOTE_RULES
    after: tuple[Rule[AfterFrame], ...] = AFTER_RULES
    before: tuple[Rule[BeforeFrame], ...] = BEFORE_RULES
    neighbour: tuple[NeighbourRule, ...] = NEIGHBOUR_RULES

    def names(self) -> list[str]:
        """The names of all rules, list by list, each list in order."""
        functions = (*self.quote, *self.after, *self.before)
        return [rule.__name__ for rule in functions] + [rule.name for rule in self.neighbour]

    def without(self, name: str) -> Rulebook:
        """The same rules but the one called `name`."""
        if name not in self.names():
            raise KeyError(name)
        return replace(
            self,
            quote=tuple(rule for rule in self.quote if rule.__name__ != name),
            after=tuple(rule for rule in self.after if rule.__name__ != name),
            before=tuple(rule for rule in self.before if rule.__name__ != name),
            neighbour=tuple(rule for rule in self.neighbour if rule.name != name),
        )


RULEBOOK = Rulebook()


def attribute(text: str, spans: list[Span], book: Rulebook = RULEBOOK) -> Found:
    """The speaker of each span: by its own frame (`book.quote`), else by its neighbours
    and the sentences around it (`book.neighbour`)."""
    quoted = QuotedText(Lines(text), spans)
    found = [first_reading(book.quote, QuoteFrame(quoted, i, book)) for i in range(len(spans))]
    for rule in book.neighbour:
        order = range(len(spans) - 1, -1, -1) if rule.backward else range(len(spans))
        for i in order:
            if found[i] is None:
                found[i] = rule.read(quoted, found, i)
    return found
