"""Finding a person among the speakers quoted in a server, from what a member typed."""

from __future__ import annotations

from collections.abc import Sequence
from difflib import SequenceMatcher

from bot.news.quotes import speaker_key
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
