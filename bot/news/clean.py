"""Remove what a reader would not call the article: ads, share bars, datelines, bylines.

Every rule looks at one whole line and is narrow: a dateline must be made of nothing but date
words, a share bar of nothing but share words, a byline of capitalised names, and a link line
("Read more: ...") must be short. Prose does not match any of them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

SENTENCE_END = ".!?…。！？\"'”’)」"


def word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


# Whole lines that are page furniture, not prose.
FURNITURE = re.compile(
    r"(?:advertisement|advertising|sponsored(?: content)?|ad feedback"
    r"|story continues below(?: advertisement)?|continue reading(?: below)?"
    r"|scroll (?:down|up) for (?:the )?(?:video|videos|comments)"
    r"|(?:related|recommended)(?: articles| stories| coverage| content)?"
    r"|don['’]?t miss|(?:also )?read(?: also)?:.*|(?:read|see) more\b.*|click here\b.*"
    r"|more on this(?: story)?\b.*|(?:copyright )?©.*|copyright \d{4}\b.*|all rights reserved)"
    r"[\s:.!>»›-]*",
    re.IGNORECASE,
)
# Link lines ("Read more: ...") are short; a long line that starts this way is prose.
FURNITURE_MAX_WORDS = 16

SHARE_WORDS = word_set(
    "share shares shared sharing facebook twitter x email e mail whatsapp linkedin "
    "pinterest reddit tumblr telegram messenger flipboard sms print copy link tweet pin "
    "comment comments this article story page or on via the to with your friends"
)
SHARE_ANCHORS = word_set(
    "share facebook twitter email whatsapp linkedin pinterest reddit tweet messenger"
)

MONTHS = word_set(
    "january february march april may june july august september october november "
    "december jan feb mar apr jun jul aug sep sept oct nov dec"
)
WEEKDAYS = word_set(
    "monday tuesday wednesday thursday friday saturday sunday mon tue tues wed thu thurs "
    "fri sat sun"
)
DATE_ANCHORS = MONTHS | WEEKDAYS | {"ago", "today", "yesterday"}
# Everything else a bare timestamp is made of: ordinals, clock words, time zones, labels.
DATE_WORDS = DATE_ANCHORS | word_set(
    "st nd rd th am pm a m p t z gmt utc bst est edt cst cdt mst mdt pst pdt et ct pt cet "
    "cest ist aest published updated last modified posted first on at and date time hour "
    "hours minute minutes min mins"
)
DATE_TOKEN = re.compile(r"[^\W\d_]+|\d+")
CLOCK = re.compile(r"\d{1,2}:\d{2}")

BYLINE_CONNECTORS = word_set("and for in of the at with")
BYLINE_PUNCTUATION = ",|&–—-()\"'“‘"
BYLINE_MAX_WORDS = 12

REPEAT_SPLIT = re.compile(r"\s*[|•·/,;]\s*")
HEADLINE_MAX_WORDS = 25
# Scripts without spaces between words (Japanese, Chinese) are measured in characters.
SENTENCE_MIN_WORDS = 3
SENTENCE_MIN_CHARS = 20
LABEL_MAX_WORDS = 4
LABEL_MAX_CHARS = 30
# How far down the headline may be repeated: kicker, headline, image label, headline.
LEAD_LINES = 4


def words(line: str) -> list[str]:
    return re.findall(r"\w+", line.lower())


def is_sentence(line: str) -> bool:
    """Prose worth protecting: several words ending in sentence punctuation."""
    return line.rstrip().endswith(tuple(SENTENCE_END)) and (
        len(line.split()) > SENTENCE_MIN_WORDS or len(line) >= SENTENCE_MIN_CHARS
    )


def is_furniture(line: str) -> bool:
    return len(line.split()) <= FURNITURE_MAX_WORDS and FURNITURE.fullmatch(line) is not None


def is_share_bar(line: str) -> bool:
    tokens = {token for token in words(line) if not token.isdigit()}
    return bool(tokens & SHARE_ANCHORS) and tokens <= SHARE_WORDS


def is_repetition(line: str) -> bool:
    """`Google Ads | Google Ads | Google Ads`: one item repeated, nothing else."""
    items = [item.casefold() for item in REPEAT_SPLIT.split(line.strip()) if item]
    if len(items) >= 2 and len(set(items)) == 1:
        return True
    # A sequence is a repetition exactly when it occurs inside itself doubled, past the start.
    unit = " ".join(words(line)) + " "
    return (unit + unit).find(unit, 1) < len(unit)


def is_dateline(line: str) -> bool:
    """A bare timestamp: `Published: 10:32 EST, 3 March 2015 | Updated: ...`, `Tue, 21-Oct-2025`."""
    tokens = [t.lower() for t in DATE_TOKEN.findall(line)]
    has_number = any(t.isdigit() for t in tokens)
    has_anchor = bool(CLOCK.search(line)) or any(t in DATE_ANCHORS for t in tokens)
    return has_number and has_anchor and all(t.isdigit() or t in DATE_WORDS for t in tokens)


def is_byline(line: str) -> bool:
    """`By Jane Doe`, `By Jane Doe and John Roe For Dailymail.com`, `By JANE DOE | Reuters`."""
    parts = line.split()
    if not 2 <= len(parts) <= BYLINE_MAX_WORDS or parts[0].lower() != "by":
        return False
    if line.rstrip().endswith(("!", "?", ":")) or re.search(r"\w{3,}\.$", line.rstrip()):
        return False
    names = (part.strip(BYLINE_PUNCTUATION) for part in parts[1:])
    return all(
        not name or name.lower() in BYLINE_CONNECTORS or name[:1].isupper() for name in names
    )


RULES = (is_furniture, is_share_bar, is_repetition, is_dateline, is_byline)


def is_boilerplate(line: str) -> bool:
    stripped = line.strip()
    if not stripped or not any(ch.isalnum() for ch in stripped):
        return True
    return any(rule(stripped) for rule in RULES)


def same_text(a: str, b: str) -> bool:
    return words(a) == words(b)


def looks_like_headline(line: str) -> bool:
    stripped = line.strip()
    return (
        0 < len(stripped.split()) <= HEADLINE_MAX_WORDS
        and not stripped.endswith((".", ",", ";", ":"))
        and stripped[:1].isupper()
    )


def is_label(line: str) -> bool:
    """A kicker or image label such as `Putin` or `World news`: a few words, not a sentence."""
    return len(line) <= LABEL_MAX_CHARS and len(line.split()) <= LABEL_MAX_WORDS


def drop_lead_repeats(paragraphs: Sequence[str], title: str) -> list[str]:
    """Drop the headline repeated at the top of the body, with the labels pages put around it.

    Labels go only when the headline follows them, so a short first paragraph stays.
    """
    lead = 0
    for index, paragraph in enumerate(paragraphs[:LEAD_LINES]):
        if same_text(paragraph, title):
            lead = index + 1
        elif not is_label(paragraph) or is_sentence(paragraph):
            break
    return list(paragraphs[lead:])


def clean_paragraphs(paragraphs: Iterable[str], title: str = "") -> list[str]:
    """Paragraphs without boilerplate lines and without the headline repeated at the top."""
    kept = [" ".join(p.split()) for p in paragraphs if not is_boilerplate(p)]
    return drop_lead_repeats(kept, title)


def join_wrapped(lines: Iterable[str]) -> list[str]:
    """Paragraphs from text lines: a blank line ends a paragraph, and so does a line that
    ends a sentence; a line starting in lower case continues a hard-wrapped one."""
    paragraphs: list[str] = []
    continues = False
    for line in lines:
        stripped = line.strip()
        if not stripped:
            continues = False
            continue
        if continues and stripped[:1].islower():
            paragraphs[-1] = f"{paragraphs[-1]} {stripped}"
        else:
            paragraphs.append(stripped)
        continues = not stripped.endswith(tuple(SENTENCE_END))
    return paragraphs


def clean_text(text: str, title: str | None = None) -> tuple[str, list[str]]:
    """(title, paragraphs) of a plain-text article.

    Without a given title, a first line that looks like a headline (short, no final period)
    becomes the title, as long as there is body text after it.
    """
    paragraphs = clean_paragraphs(join_wrapped(text.splitlines()))
    if title is None:
        headline = len(paragraphs) > 1 and looks_like_headline(paragraphs[0])
        title = paragraphs.pop(0) if headline else ""
    return title, drop_lead_repeats(paragraphs, title)
