"""Finding a person among the speakers quoted in a server, from what a member typed."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from difflib import SequenceMatcher

from bot.model import Quote, SpeakerCount
from bot.pipeline.quotes import named_speaker, speaker_key

FUZZY_THRESHOLD = 0.72
# What a member types is read up to Discord's limit for an autocomplete value; a longer
# name is no one's, and matching it would only cost time.
MAX_TYPED = 100


def _tier(typed: str, key: str) -> int | None:
    """How well `key` matches, short of a close spelling: 0 exact, 1 prefix, 2 a word's
    prefix, 3 inside, None not at all."""
    if key == typed:
        return 0
    if key.startswith(typed):
        return 1
    if any(word.startswith(typed) for word in key.split()):
        return 2
    if typed in key:
        return 3
    return None


def _closeness(typed: SequenceMatcher[str], key: str, known: dict[str, float]) -> float:
    """How close `key` or one of its words is spelled to the typed text (typos: "sulivan"),
    0 when under the threshold. `known` holds the closeness of each word already tried: many
    people share a first name or a surname."""
    best = 0.0
    for candidate in (key, *key.split()):
        closeness = known.get(candidate)
        if closeness is None:
            closeness = known[candidate] = _spelled_close(typed, candidate)
        best = max(best, closeness)
    return best


def _spelled_close(typed: SequenceMatcher[str], candidate: str) -> float:
    """The similarity of `candidate` to the typed text, 0 under the threshold; the cheap upper
    bounds rule most candidates out first."""
    typed.set_seq1(candidate)
    if (
        typed.real_quick_ratio() >= FUZZY_THRESHOLD
        and typed.quick_ratio() >= FUZZY_THRESHOLD
        and (ratio := typed.ratio()) >= FUZZY_THRESHOLD
    ):
        return ratio
    return 0.0


def match_speakers(
    typed: str, speakers: Sequence[SpeakerCount], limit: int = 25
) -> list[SpeakerCount]:
    """The speakers that match `typed` best: exact, then prefix, word prefix, inside, then
    close spellings, closest first; most quoted first within a tier. All of the most quoted
    when nothing was typed."""
    wanted = speaker_key(typed[:MAX_TYPED])
    if not wanted:
        return list(speakers[:limit])
    ranked: list[tuple[int, float, int, str, SpeakerCount]] = []
    unmatched = []
    for speaker in speakers:
        tier = _tier(wanted, speaker.key)
        if tier is None:
            unmatched.append(speaker)
        else:
            ranked.append((tier, 0.0, -speaker.quotes, speaker.name, speaker))
    if len(ranked) < limit:  # else close spellings could not make the list
        matcher = SequenceMatcher(None, b=wanted, autojunk=False)
        known: dict[str, float] = {}
        for speaker in unmatched:
            if closeness := _closeness(matcher, speaker.key, known):
                ranked.append((4, -closeness, -speaker.quotes, speaker.name, speaker))
    ranked.sort(key=lambda entry: entry[:4])
    return [entry[4] for entry in ranked[:limit]]


def lone_surnames(quotes: Sequence[Quote]) -> set[str]:
    """The keys of speakers named by one word only ("Novak"), whom the article never names
    in full: the server's known speakers may say who they are."""
    keys = (speaker_key(name) for quote in quotes if (name := named_speaker(quote)))
    return {key for key in keys if key and " " not in key}


def join_surnames(quotes: Sequence[Quote], known: Sequence[SpeakerCount]) -> list[Quote]:
    """Quotes whose lone surname belongs to exactly one known person, given that person."""
    people: dict[str, list[str]] = {}
    for speaker in known:
        people.setdefault(speaker.key.split()[-1], []).append(speaker.name)
    joined = []
    for quote in quotes:
        name = named_speaker(quote)
        matches = people.get(speaker_key(name), []) if name else []
        if len(matches) == 1:
            quote = dataclasses.replace(quote, speaker_resolved=matches[0])
        joined.append(quote)
    return joined
