"""Finding a person among the speakers quoted in a server, from what a member typed."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from difflib import SequenceMatcher

from bot.news.quotes import Quote, named_speaker, speaker_key
from bot.storage import SpeakerCount

FUZZY_THRESHOLD = 0.72


def _tier(typed: str, key: str) -> int | None:
    """How well `key` matches: 0 exact, 1 prefix, 2 a word's prefix, 3 inside, 4 close
    spelling (typos: "sulivan"), None not at all."""
    if key == typed:
        return 0
    if key.startswith(typed):
        return 1
    words = key.split()
    if any(word.startswith(typed) for word in words):
        return 2
    if typed in key:
        return 3
    candidates = [key, *words]
    if max(SequenceMatcher(None, typed, c).ratio() for c in candidates) >= FUZZY_THRESHOLD:
        return 4
    return None


def match_speakers(
    typed: str, speakers: Sequence[SpeakerCount], limit: int = 25
) -> list[SpeakerCount]:
    """The speakers that match `typed` best, most quoted first within a tier; all of the most
    quoted when nothing was typed."""
    wanted = speaker_key(typed)
    if not wanted:
        return list(speakers[:limit])
    ranked = []
    for speaker in speakers:
        tier = _tier(wanted, speaker.key)
        if tier is not None:
            ranked.append((tier, -speaker.quotes, speaker.name, speaker))
    ranked.sort(key=lambda entry: entry[:3])
    return [entry[3] for entry in ranked[:limit]]


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
