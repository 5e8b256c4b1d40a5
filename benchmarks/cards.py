"""Cards on real pages: how much of what a reader sees is junk.

    python -m benchmarks.cards [--bench-dir ../shared/bench] [--json FILE]

Each of the Zyte benchmark's real news pages goes the way of a card: `extract_html`, the
default summary (3 sentences), the quotes and the key quote. Then it counts:

- pages that give no card (no article text, or no summary sentence);
- junk summary sentences: under half of the sentence's word 4-grams occur in the page's true
  article text, or the sentence opens with a dateline (`WASHINGTON (Reuters) -`, `(CNN)`);
- junk speakers, among the speakers a reader is shown (`/quote` lines and the key quote): an
  unresolved pronoun, a sentence word ("However", "Here"), a run-on fragment with a verb in it,
  a common word passed off as a name, or words that are not in the article at all.

Every junk item is listed, so a reader can check the judge as well as the pipeline. The junk
rules here are the benchmark's own and are written apart from the pipeline's filters; a
speaker judged fine is still only as good as these rules, which is why every shown speaker can
be printed with `--json`. Exits 1 when a target is missed, 2 when the data is missing.
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import statistics
import sys
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from itertools import pairwise
from pathlib import Path

from benchmarks.extraction import Page, pages_or_complaint
from bot.pipeline.extract import ExtractionError, extract_html
from bot.pipeline.quotes import key_quote, quotes_of, shown_speaker
from bot.pipeline.quotes.lexicon import FEMALE_NAMES, MALE_NAMES, word_set
from bot.pipeline.summarize import DEFAULT_METHOD, summarize

SUMMARY_SENTENCES = 3
SHINGLE = 4
MIN_SHARED = 0.5
TARGETS = {"pages without a card": 0.0, "junk summary sentences %": 2.0, "junk speakers %": 1.0}

# `WASHINGTON (Reuters) -`, `BUFFALO, N.Y. —`, `(CNN)`, `LONDON:`: a place in capitals, maybe an
# agency in brackets, then a dash or colon; an agency in brackets alone; or any place before a
# news agency's name in brackets (`Hong Kong (CNN Business)`).
DATELINE = re.compile(
    r"^(?:\((?:CNN|AP|AFP|Reuters|UPI|dpa)[^)]{0,20}\)"
    r"|[A-Z][A-Z.'’\- ]{2,40}(?:,\s*[A-Za-z.' ]{2,25})?\s*(?:\([^)]{1,40}\)\s*)?[-—–:]"
    r"|[A-Z][\w.,'’ -]{1,40}\((?:CNN|AP|AFP|Reuters|UPI|dpa|Bloomberg|BBC)[^)]{0,20}\))"
)
PRONOUNS = word_set(
    "he she it they we i you him her them us me who whom which that this these those"
)
# Words that open a sentence or clause and never a name or a description of a person.
SENTENCE_WORDS = word_set(
    """however but and or so yet still also instead here there now then both one two three
    meanwhile moreover though although while when after before if because as since until
    in on at for with by from to of into about over under asked said says later earlier
    today yesterday tonight indeed perhaps maybe even just only not no yes well why how what
    where thus hence otherwise besides furthermore regardless nevertheless nonetheless"""
)
# Finite verbs: a speaker phrase holding one is a run-on fragment, not a description.
FINITE_VERBS = word_set(
    """is was are were be been being am has have had do does did will would can could shall
    should may might must released said says told added wrote asked announced reported
    made makes took takes gave gives went goes came comes got gets"""
)
DETERMINERS = word_set("a an the his her their its our my your another some several")
NAME_PARTICLES = word_set("de da del della di van von der den bin al la le du of the and")
FIRST_NAMES = MALE_NAMES | FEMALE_NAMES


@dataclass
class Card:
    page: str
    url: str
    error: str | None = None
    sentences: list[str] = field(default_factory=list)
    junk_sentences: list[tuple[str, str]] = field(default_factory=list)
    speakers: list[str] = field(default_factory=list)  # shown speaker of each attributed quote
    junk_speakers: list[tuple[str, str]] = field(default_factory=list)
    key_speaker: str | None = None
    ms: float = 0.0


# Scripts written without spaces: each character is a token, so that a sentence's 4-grams
# are found in the true text however the two split it (`\w+` makes a clause one token).
UNSPACED = "\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff\uac00-\ud7af\uff66-\uff9f"
JUDGE_TOKEN = re.compile(rf"[{UNSPACED}]|[^\W{UNSPACED}]+")


def tokens(text: str) -> list[str]:
    return JUDGE_TOKEN.findall(text)


def shingles(tokens: list[str]) -> list[tuple[str, ...]]:
    if len(tokens) < SHINGLE:
        return [tuple(tokens)] if tokens else []
    return [tuple(tokens[i : i + SHINGLE]) for i in range(len(tokens) - SHINGLE + 1)]


def sentence_junk(sentence: str, truth_grams: set[tuple[str, ...]], truth: str) -> str | None:
    """Why a summary sentence is junk, or None."""
    if DATELINE.match(sentence):
        return "dateline"
    grams = shingles(tokens(sentence))
    if len(grams[0]) < SHINGLE:  # a sentence under four words: it must occur as a whole
        found = " ".join(grams[0]) in " ".join(tokens(truth))
        return None if found else "not in the article"
    shared = sum(gram in truth_grams for gram in grams) / len(grams)
    return None if shared >= MIN_SHARED else f"{shared:.0%} of its 4-grams in the article"


def lowercase_words(text: str) -> set[str]:
    """Words the article writes in lower case after a lower-case word: common words."""
    words = re.findall(r"[\w'’-]+", text)
    return {b for a, b in pairwise(words) if a.islower() and b.islower()}


def speaker_junk(speaker: str, text: str, common: set[str]) -> str | None:
    """Why a shown speaker is junk, or None. `text` is the extracted article text."""
    words = [w.strip(",.") for w in speaker.replace("’", "'").split()]
    first = words[0]
    head = first.lower().split("'")[0]
    if head in PRONOUNS and not (first.isupper() and len(first) > 1):  # "US", not "us"
        return "pronoun"
    if head in SENTENCE_WORDS and not (len(words) > 1 and words[1].islower()):  # "one user"
        return "sentence word"
    if any(w in FINITE_VERBS for w in words) or any(
        # "... General released": an -ed word right after a name is its verb
        w.endswith("ed") and w.islower() and "-" not in w and prev[:1].isupper()
        for prev, w in pairwise(words)
    ):
        return "fragment with a verb"
    if words[-1].endswith("'s") or words[-1].endswith("s'"):
        return "possessive alone"
    missing = [w for w in words if w.strip("'") not in text.replace("’", "'")]
    if missing:
        return f"not in the article: {' '.join(missing)}"
    if head in DETERMINERS or any(w.islower() for w in words):
        return None  # a description: "a company spokesperson", "Russia's foreign ministry"
    if len(words) == 1 and first.lower().endswith("s"):
        return None  # a plural noun opening its sentence: "Prosecutors", "Officials"
    if first.lower() not in FIRST_NAMES and first.lower() in common:
        return f"common word as a name: {first}"
    return None


def make_card(page: Page) -> Card:
    card = Card(page.id, page.url)
    start = time.perf_counter()
    try:
        article = extract_html(page.html, page.url)
    except ExtractionError as error:
        card.error = str(error)
        return card
    summary = summarize(article, DEFAULT_METHOD, SUMMARY_SENTENCES)
    quotes = quotes_of(article)
    key = key_quote(quotes, summary.sentences)
    card.ms = (time.perf_counter() - start) * 1000
    card.sentences = list(summary.sentences)
    if not card.sentences:
        card.error = "no summary sentence"
    truth_grams = set(shingles(tokens(page.truth)))
    for sentence in card.sentences:
        why = sentence_junk(sentence, truth_grams, page.truth)
        if why:
            card.junk_sentences.append((sentence, why))
    text = article.text
    common = lowercase_words(text)
    for quote in quotes:
        speaker = shown_speaker(quote)
        if speaker:
            card.speakers.append(speaker)
            why = speaker_junk(speaker, text, common)
            if why:
                card.junk_speakers.append((speaker, why))
    card.key_speaker = shown_speaker(key) if key else None
    return card


def percent(part: int, whole: int) -> float:
    return 100 * part / whole if whole else 0.0


def figures(cards: list[Card]) -> dict[str, float]:
    sentences = sum(len(c.sentences) for c in cards)
    speakers = sum(len(c.speakers) for c in cards)
    key_speakers = [c for c in cards if c.key_speaker]
    junk_keys = sum(any(c.key_speaker == s for s, _ in c.junk_speakers) for c in key_speakers)
    timings = [c.ms for c in cards if not c.error]
    return {
        "pages": len(cards),
        "pages without a card": sum(c.error is not None for c in cards),
        "summary sentences": sentences,
        "junk summary sentences": sum(len(c.junk_sentences) for c in cards),
        "junk summary sentences %": percent(sum(len(c.junk_sentences) for c in cards), sentences),
        "shown speakers": speakers,
        "junk speakers": sum(len(c.junk_speakers) for c in cards),
        "junk speakers %": percent(sum(len(c.junk_speakers) for c in cards), speakers),
        "key-quote speakers": len(key_speakers),
        "junk key-quote speakers": junk_keys,
        "median ms per card": statistics.median(timings) if timings else 0.0,
    }


def report(cards: list[Card]) -> tuple[str, bool]:
    numbers = figures(cards)
    lines = [f"Cards on {numbers['pages']:.0f} real pages (extract, summary of 3, quotes)", ""]
    lines += ["| figure | value |", "|---|---:|"]
    lines += [
        f"| {name} | {value:.1f} |"
        if isinstance(value, float) and not value.is_integer()
        else f"| {name} | {value:.0f} |"
        for name, value in numbers.items()
    ]
    lines += ["", "Pages without a card:"]
    lines += [f"- {c.page} {c.url}: {c.error}" for c in cards if c.error] or ["- none"]
    lines += ["", "Junk summary sentences:"]
    lines += [
        f"- {c.page}: {why}: {shorten(sentence)}"
        for c in cards
        for sentence, why in c.junk_sentences
    ] or ["- none"]
    lines += ["", "Junk speakers:"]
    lines += [f"- {c.page}: {why}: {speaker!r}" for c in cards for speaker, why in c.junk_speakers]
    lines += [""] if any(c.junk_speakers for c in cards) else ["- none", ""]
    ok = True
    for name, target in TARGETS.items():
        passed = numbers[name] <= target
        ok &= passed
        lines.append(f"- {'PASS' if passed else 'FAIL'}: {name} {numbers[name]:.1f} <= {target:g}")
    return "\n".join(lines), ok


def shorten(text: str, limit: int = 160) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def run(pages: Iterable[Page]) -> list[Card]:
    return [make_card(page) for page in pages]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bench-dir", type=Path, default=Path("../shared/bench"))
    parser.add_argument("--json", type=Path, help="also write every card's details here")
    args = parser.parse_args(argv)
    pages = pages_or_complaint(args.bench_dir, "card")
    if pages is None:
        return 2
    logging.disable(logging.WARNING)  # trafilatura warns about every page it discards
    cards = run(pages)
    if args.json:
        args.json.write_text(
            "\n".join(json.dumps(asdict(card), ensure_ascii=False) for card in cards) + "\n",
            encoding="utf-8",
        )
    text, ok = report(cards)
    print(text)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
