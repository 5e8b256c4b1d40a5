"""Remove what a reader would not call the article: ads, share bars, datelines, bylines.

Every rule looks at one whole line and is narrow: a dateline must be made of nothing but date
words, a share bar of nothing but share words, a byline of capitalised names, and a link line
("Read more: ...") must be short. Prose does not match any of them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from bot.pipeline.sentences import split_sentences

SENTENCE_END = ".!?…。！？\"'”’)」"


def word_set(words: str) -> frozenset[str]:
    """The space-separated words of a literal, as a set (for the word lists below)."""
    return frozenset(words.split())


# Whole lines that are page furniture, not prose.
FURNITURE = re.compile(
    r"(?:advertisement|advertising|sponsored(?: content)?|ad feedback"
    r"|story continues below(?: advertisement)?|continue reading(?: below)?"
    r"|scroll (?:down|up) for (?:the )?(?:video|videos|comments)"
    r"|(?:related|recommended)(?: articles| stories| coverage| content)?"
    r"|don['’]?t miss|(?:also )?read(?: also)?:.*|(?:read|see) more\b.*|click here\b.*"
    r"|more on this(?: story)?\b.*|(?:copyright )?©.*|copyright \d{4}\b.*|all rights reserved"
    r"|(?:related|recommended|see also|more)\s*:.*|popular on\b.*|trending(?: now| stories)?"
    r"|most (?:read|popular|viewed|shared|watched|commented)\b.*"
    r"|(?:tags?|filed under|categor(?:y|ies|ia)|posted in)\s*:.*"
    r"|(?:reading time|read time|tempo de leitura|tiempo de lectura|temps de lecture|lesezeit)"
    r"\s*:.*)"
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
# The same in the languages of pages seen so far (Portuguese, Spanish, French, Italian, German).
FOREIGN_MONTHS = word_set(
    "janeiro fevereiro março abril maio junho julho agosto setembro outubro novembro dezembro "
    "enero febrero marzo mayo junio julio septiembre octubre noviembre diciembre "
    "janvier février mars avril mai juin juillet août septembre octobre novembre décembre "
    "gennaio febbraio aprile maggio giugno luglio settembre ottobre dicembre "
    "januar februar märz juni juli oktober dezember"
)
FOREIGN_WEEKDAYS = word_set(
    "segunda terça quarta quinta sexta feira sábado domingo lunes martes miércoles jueves "
    "viernes lundi mardi mercredi jeudi vendredi samedi dimanche lunedì martedì mercoledì "
    "giovedì venerdì montag dienstag mittwoch donnerstag freitag samstag sonntag"
)
DATE_ANCHORS = MONTHS | WEEKDAYS | FOREIGN_MONTHS | FOREIGN_WEEKDAYS | {"ago", "today", "yesterday"}
# Everything else a bare timestamp is made of: ordinals, clock words, time zones, labels.
DATE_WORDS = DATE_ANCHORS | word_set(
    "st nd rd th am pm a m p t z gmt utc bst est edt cst cdt mst mdt pst pdt et ct pt cet "
    "cest ist aest published updated last modified posted first on at and date time hour "
    "hours minute minutes min mins de às em el del le à il alle am um uhr publicado atualizado "
    "publié publiée mis jour pubblicato aggiornato veröffentlicht aktualisiert"
)
DATE_TOKEN = re.compile(r"[^\W\d_]+|\d+")
# A clock time or a numeric date (`11/19/2019`, `2019-11-19`): either anchors a timestamp.
CLOCK = re.compile(r"\d{1,2}:\d{2}|\d{1,4}[/.-]\d{1,2}[/.-]\d{2,4}")

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
    """The line's words, lower-cased, without punctuation."""
    return re.findall(r"\w+", line.lower())


def is_sentence(line: str) -> bool:
    """Prose worth protecting: several words ending in sentence punctuation."""
    return line.rstrip().endswith(tuple(SENTENCE_END)) and (
        len(line.split()) > SENTENCE_MIN_WORDS or len(line) >= SENTENCE_MIN_CHARS
    )


def is_furniture(line: str) -> bool:
    """A short line that is only page furniture: `Advertisement`, `Continue reading`."""
    return len(line.split()) <= FURNITURE_MAX_WORDS and FURNITURE.fullmatch(line) is not None


def is_share_bar(line: str) -> bool:
    """A row of share buttons: a share word, and nothing but share words and counts."""
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


# A page's line of facts about the article: `By Ann Smith | Published 10:30 a.m. | Updated ...`,
# `05/10/2018 - Publicado por: Clarissa Borba - Categoria: Saúde`.
META_SEPARATOR = re.compile(r"\s+[|–—·•-]\s+|\s*\|\s*$|\s+(?=by\s)", re.IGNORECASE)
LABEL = re.compile(r"[^\W\d][\w ]{0,30}:\s*(?:\S+(?:\s+\S+){0,3})?")


def is_meta_line(line: str) -> bool:
    """A line of facts about the article between separators: datelines, bylines, labels."""
    parts = [part for part in META_SEPARATOR.split(line) if part.strip()]
    return len(parts) >= 2 and all(
        is_dateline(part) or is_byline(part) or LABEL.fullmatch(part.strip()) for part in parts
    )


# An invitation to do something other than read: sign up, follow, listen, buy, order copies.
CALL_TO_ACTION = re.compile(
    r"(?:sign up|subscribe|follow|like us|download|get (?:the|our|access)|listen|watch|join|"
    r"click|tap|become a|support (?:us|our)|want more|don['’]t miss|never miss|start your day|"
    r"stay (?:on top|up to date|informed)|you can (?:view|read|listen|watch|follow|find|sign)|"
    r"reach (?:the|me|us|him|her)|e-?mail (?:the|me|us|him|her)|write to|have a (?:news )?tip|"
    r"if you (?:enjoyed|liked|buy|value)|for more|to order|this copy is|distribution and use|"
    r"tell us|send us|share your)\b",
    re.IGNORECASE,
)
# Where a call to action sends the reader: a newsletter, a social network, a link.
CHANNEL = re.compile(
    r"newsletter|inbox|e-?mail|twitter|facebook|instagram|youtube|tiktok|linkedin|podcast|"
    r"\bapp\b|subscri|member|@\w|https?://|www\.|\.com\b|\bhere\b|channel|coverage|thread|"
    r"letterbox|reprint|copies|non-commercial|\btip\b|share of the sale|proposition",
    re.IGNORECASE,
)
# A promotion takes a few sentences at most; a longer paragraph that ends in one is prose.
PROMOTION_MAX_SENTENCES = 3


def is_promotion(line: str) -> bool:
    """A short paragraph with a call to action in it: `Sign up for our newsletter.`"""
    if CHANNEL.search(line) is None:  # most lines: no need to split them into sentences
        return False
    sentences = split_sentences(line)
    return len(sentences) <= PROMOTION_MAX_SENTENCES and any(
        CALL_TO_ACTION.match(sentence) and CHANNEL.search(sentence) for sentence in sentences
    )


# Who wrote, reported or photographed it: credits, not the article.
CREDIT = re.compile(
    r"\(?(?:additional |with )?(?:reporting|writing|editing|research|contributing|compiled)"
    r"(?: by|:)\s.*"
    r"|.{1,80}\bcontributed (?:to )?(?:this|the) (?:report|story|article|reporting)\.?"
    r"|with (?:\w+ )?wires?\.?|source\s*:.{1,60}"
    r"|(?:photo|photograph|image|picture|video)s?(?: credit)?\s*:.{1,80}",
    re.IGNORECASE,
)
# A caption ends with its credit: `(AP Photo/Jane Roe)`, `Photo: John Doe/Getty Images`, or an
# agency glued to the last word (`...in New York.Reuters`).
CAPTION_CREDIT = re.compile(
    r"(?:\((?:[\w.]+ )?photo(?:graph)?\s*(?:/|by|:)[^)]*\)"
    r"|(?<=[a-z)])\.(?:Reuters|Getty Images|AP|AFP|EPA|Shutterstock|Bloomberg))\s*$",
    re.IGNORECASE,
)
CREDIT_MAX_WORDS = 40


def is_credit(line: str) -> bool:
    """Who wrote, reported or photographed it (`Reporting by ...`), or a caption's credit."""
    if len(line.split()) > CREDIT_MAX_WORDS:
        return False
    return CREDIT.fullmatch(line) is not None or CAPTION_CREDIT.search(line) is not None


# A teaser of another story, tagged as such: `Macron's jibe [INSIGHT]|`, `Review: ... [Video]`.
# A bracket alone (`[CNET]`) names the source of an excerpt in a round-up: it stays.
LINK_TEASER = re.compile(r".{5,150}\[[A-Za-z ]{2,15}\]\s*\|?")
# `Comments are moderated`, `ATENÇÃO: Comentários ... não serão aprovados pelo moderador.`
COMMENT_POLICY = re.compile(
    r"(?:[^\W\d]+:\s*)?(?:comments?|comentários?|comentarios?|commentaires?|kommentare?)\b"
    r".{0,300}\b(?:moderat|aprovad|approv|policy|guidelines|respect|respeit)",
    re.IGNORECASE,
)


# The page telling who paid for it: `This shop has been compensated by ...`, affiliate links.
DISCLOSURE = re.compile(
    r"this (?:shop|post|article|story|content|page|review)\b.{0,40}"
    r"\b(?:compensated|sponsored|paid for|affiliate links?)\b"
    r"|.{0,80}\bwe (?:may )?(?:earn|receive|get) (?:a )?(?:small )?(?:commission|share)\b",
    re.IGNORECASE,
)


def is_notice(line: str) -> bool:
    """A tagged teaser of another story, a comment policy, or who paid for the page."""
    return (
        LINK_TEASER.fullmatch(line) is not None
        or COMMENT_POLICY.match(line) is not None
        or DISCLOSURE.match(line) is not None
    )


RULES = (
    is_furniture,
    is_share_bar,
    is_repetition,
    is_dateline,
    is_byline,
    is_meta_line,
    is_promotion,
    is_credit,
    is_notice,
)


def is_boilerplate(line: str) -> bool:
    """Not prose: a line with no letter or digit, or one that a rule of `RULES` catches."""
    stripped = line.strip()
    if not stripped or not any(ch.isalnum() for ch in stripped):
        return True
    return any(rule(stripped) for rule in RULES)


def same_text(a: str, b: str) -> bool:
    """The same words, whatever the case, punctuation and spacing."""
    return words(a) == words(b)


# What separates a headline from the section or site name a page's title adds to it:
# `Opinion | Is Football Violence a Crime?`, `Harbour vote - The Coastal Courier`.
TITLE_SEPARATORS = re.compile(r"\s+[|–—-]\s+")


def is_headline(line: str, title: str) -> bool:
    """Whether `line` is the headline: the title, or the title without its affixes."""
    if not title:
        return False
    return any(same_text(line, part) for part in (title, *TITLE_SEPARATORS.split(title)))


def looks_like_headline(line: str) -> bool:
    """Short, capitalised, and not ending like a sentence or a clause."""
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
        if is_headline(paragraph, title):
            lead = index + 1
        elif not is_label(paragraph) or is_sentence(paragraph):
            break
    return list(paragraphs[lead:])


# The place (and agency) an article opens with: `WASHINGTON (Reuters) -`, `BUFFALO, N.Y. —`,
# `ST. JOSEPH, Mich. (AP) —`, `NEW DELHI:`; the agency alone: `(CNN)`, `(Reuters) —`; or a place
# in Title Case before a news agency: `Hong Kong (CNN Business)`.
AGENCY = r"\((?:[A-Z][\w.&' -]{0,30})\)"
NEWS_AGENCY = (
    r"\((?:CNN|AP|AFP|Reuters|UPI|dpa|DPA|Bloomberg|CNBC|BBC|Xinhua|PTI|ANI|IANS|EFE|ANSA"
    r"|Kyodo|Yonhap|TASS)\b[^)]{0,20}\)"
)
# A hyphen ends a dateline only after a space: `US-China talks` opens no dateline.
DATELINE_END = r"(?:\s*(?:--|[—:])|\s+[-–])"
PLACE_REGION = r"(?:, [A-Z][\w.' ]{1,20}?)?"
DATELINE_OPENING = re.compile(
    rf"(?:(?:[A-Z][A-Z.'’-]+ ){{0,3}}[A-Z][A-Z.'’-]+{PLACE_REGION}(?: {AGENCY})?{DATELINE_END}"
    rf"|{AGENCY}{DATELINE_END}?"
    rf"|[A-Z][\w.'’-]*(?: [A-Z][\w.'’-]*){{0,3}}{PLACE_REGION} {NEWS_AGENCY}{DATELINE_END}?)"
    rf"\s*(?=[\"“‘A-Z])"
)


def strip_dateline(paragraph: str) -> str:
    """The paragraph without the dateline at its front; the sentence itself stays."""
    match = DATELINE_OPENING.match(paragraph)
    if match is None or not re.search(r"[A-Z]{2}|\(", match.group()):  # a place in capitals
        return paragraph
    rest = paragraph[match.end() :]
    return rest if is_sentence(rest) else paragraph


def clean_paragraphs(paragraphs: Iterable[str], title: str = "") -> list[str]:
    """Paragraphs without boilerplate lines, without the headline repeated at the top, and
    without the dateline that opens the first sentence of the body."""
    kept = [" ".join(p.split()) for p in paragraphs if not is_boilerplate(p)]
    body = drop_lead_repeats(kept, title)
    first_prose = next((i for i, p in enumerate(body[:LEAD_LINES]) if is_sentence(p)), None)
    if first_prose is not None:
        body[first_prose] = strip_dateline(body[first_prose])
    return body


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
