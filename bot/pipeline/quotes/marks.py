"""Finding quoted spans: pairing quotation marks paragraph by paragraph.

Handles curly “ ”, straight " and typewriter ''...'' / ``...'' marks, inch marks (a 55" TV)
and stray marks. A quote left open at the end of a paragraph counts only when the next
paragraph opens a quote again, the convention for a quote that runs over paragraphs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from bot.pipeline.quotes.lexicon import SENTENCE_END

_MARK = re.compile(r"“|”|„|``|''|\"")
_OPENERS = frozenset({"“", "„", "``"})
_CLOSERS = frozenset({"”"})
# Characters after which an ambiguous mark opens rather than closes.
_OPEN_CONTEXT = frozenset(" \t([{—–-/")
# What a quotation ends with, right before its closing mark.
_QUOTE_END = SENTENCE_END | {","}
_INCH = re.compile(r"\d[\"”] ?[a-z]")
_OPENING_AT_START = re.compile(r"\s*(“|„|``|''|\")")


@dataclass(frozen=True, slots=True)
class Span:
    """Quoted content [start, end) between an opening mark at `open_at` and its closing mark."""

    start: int
    end: int
    open_at: int
    close_at: int  # offset just past the closing mark (== end when left open)
    line: int  # index of the paragraph (line) holding it
    left_open: bool  # no closing mark: continues in the next paragraph
    continues: bool  # opens a paragraph that continues the previous paragraph's quote


def _is_opening(text: str, at: int, mark: str, inside: bool) -> bool:
    """Whether an ambiguous straight/typewriter mark opens a quote, from what touches it."""
    before = text[at - 1] if at > 0 else " "
    after_at = at + len(mark)
    after = text[after_at] if after_at < len(text) else " "
    opens_left = before in _OPEN_CONTEXT or before == "\n"
    closes_right = after.isspace() or after in ",.;:!?)]}—–-"
    if opens_left and not closes_right:
        return True
    if closes_right and not opens_left:
        return False
    return not inside


def _typo_closer(text: str, at: int) -> bool:
    """An opening mark right after `,.!?` and before a space closes the open quote."""
    after = text[at + 1 : at + 2]
    return at > 0 and text[at - 1] in _QUOTE_END and (not after or after.isspace())


def _line_spans(text: str, lo: int, hi: int, line: int) -> tuple[list[Span], int | None]:
    """Paired spans within text[lo:hi], plus where a quote left open there opens."""
    spans: list[Span] = []
    open_at: int | None = None
    open_len = 0
    for match in _MARK.finditer(text, lo, hi):
        at, mark = match.start(), match.group()
        if mark == '"' and at > 0 and _INCH.match(text, at - 1):
            continue
        if _opens(text, at, mark, open_at is not None):
            open_at, open_len = at, len(mark)
        elif open_at is not None:
            spans.append(Span(open_at + open_len, at, open_at, match.end(), line, False, False))
            open_at = None
        elif spans:
            reopened = _reopened(text, spans[-1], at)
            if reopened is not None:
                spans.append(Span(reopened, at, reopened, match.end(), line, False, False))
    return spans, open_at


def _opens(text: str, at: int, mark: str, inside: bool) -> bool:
    """Whether the mark at `at` opens a quote; `inside` when one is open."""
    if mark in _OPENERS:
        # A typo'd `“It's unusual,“ said Noble`: an opener that can only close.
        return not inside or not _typo_closer(text, at)
    if mark in _CLOSERS:
        return False
    return _is_opening(text, at, mark, inside)


def _reopened(text: str, previous: Span, close_at: int) -> int | None:
    """Where a quote starts whose opening mark was left out (`“...talks.” It is ...,” he
    said`): a closing mark like the previous quote's, after that quote ended a sentence,
    closing a capitalised sentence that ends in punctuation, as a quote does."""
    start = skip_blanks(text, previous.close_at)
    same_mark = text.startswith(text[previous.end : previous.close_at], close_at)
    ends_sentence = text[previous.end - 1 : previous.end] in SENTENCE_END
    if (
        not (same_mark and ends_sentence)
        or start >= close_at
        or text[close_at - 1] not in _QUOTE_END
    ):
        return None
    return start if text[start].isupper() else None


def skip_blanks(text: str, at: int) -> int:
    """The first offset from `at` on that is not white space, or the end of the text; no
    copy of the rest of the text as `lstrip` makes."""
    while at < len(text) and text[at].isspace():
        at += 1
    return at


def _opening_mark(text: str, at: int) -> re.Match[str] | None:
    """The opening mark that starts the paragraph at `at`, if any."""
    return _OPENING_AT_START.match(text, at)


def _left_open(text: str, open_at: int, hi: int, line: int) -> Span:
    """The span of a quote opened at `open_at` and left open at the line's end `hi`."""
    mark = _MARK.match(text, open_at)
    start = open_at + (len(mark.group()) if mark else 1)
    end = hi
    while end > start and text[end - 1].isspace():
        end -= 1
    return Span(start, end, open_at, end, line, True, False)


def _next_line_opens(text: str, lines: list[tuple[int, int]], index: int) -> bool:
    """Whether the line after lines[index] starts with an opening mark."""
    return index + 1 < len(lines) and _opening_mark(text, lines[index + 1][0]) is not None


def _continued(text: str, lo: int, span: Span) -> Span:
    """The first span of a line after one left open: it continues that quote when its
    opening mark starts the line."""
    first = _opening_mark(text, lo)
    if first is not None and span.open_at == first.start(1):
        return replace(span, continues=True)
    return span


def find_spans(text: str) -> list[Span]:
    """All quoted spans in `text`, in order; never raises on unbalanced marks."""
    lines = [(m.start(), m.end()) for m in re.finditer(r"[^\n]+", text)]
    spans: list[Span] = []
    continuing = False
    for index, (lo, hi) in enumerate(lines):
        found, open_at = _line_spans(text, lo, hi, index)
        next_opens = _next_line_opens(text, lines, index)
        if open_at is not None and next_opens:
            found.append(_left_open(text, open_at, hi, index))
        if continuing and found:
            found[0] = _continued(text, lo, found[0])
        continuing = open_at is not None and next_opens
        spans.extend(span for span in found if span.end > span.start)
    return spans
