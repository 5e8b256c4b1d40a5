"""People in an article: merging name variants and resolving pronoun speakers.

Without a named-entity model, a person is a run of two or more capitalised words outside
quotes that contains no organisation word ("Jake Sullivan"), or a capitalised word after an
honorific ("Mr. Sullivan"); a title before it ("Foreign Secretary") is kept apart, as the
person's role. A shorter mention ("Sullivan", "Lijian") joins the longest full name ending
with it. Gender comes from honorifics and from he/she agreeing with a lone
earlier name; a pronoun speaker goes to the nearest earlier person of its gender, preferring
the previous quote's speaker and the subjects of sentences.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import NamedTuple

from bot.pipeline.quotes.lexicon import (
    CLAUSE_WORDS,
    COURTESY_TITLES,
    DETERMINERS,
    EDGE_WORDS,
    FEMALE_HONORIFICS,
    FEMALE_NAMES,
    FIRST_NAMES,
    HONORIFIC_ABBREVIATIONS,
    HONORIFICS,
    JOINING_PARTICLES,
    MALE,
    MALE_HONORIFICS,
    MALE_NAMES,
    NP_PREPOSITIONS,
    PERSON_RELATIVES,
    PRONOUN_GENDERS,
    SENTENCE_OPENERS,
    SPEECH_AFTER_NAME,
    THING_WORDS,
    TITLE_WORDS,
)
from bot.pipeline.quotes.tokens import Attribution, is_possessive_word
from bot.pipeline.quotes.windows import MAX_NAME_WORDS, PRONOUN_REACH

_UPPER = "A-ZÀ-ÖØ-Þ"
_LOWER = "a-zß-öø-ÿ"
# A word of a name, capitalised: "Sullivan", "McCain", "O'Malley", "Kelleher-Vergantini",
# "J.J."; not a possessive 's. (The other word patterns of the package read lower-case
# words: `_LOWER_CASE_WORD` here, the tokens of tokens.py, the bag of words of ranking.py.)
_NAME_WORD = (
    rf"(?:(?:[{_UPPER}]\.)+|[{_UPPER}](?:[{_LOWER}{_UPPER}]|['’\-](?=[{_UPPER}{_LOWER}]{{2}}))*)"
)
_HONORIFIC = rf"(?:{'|'.join(sorted(HONORIFIC_ABBREVIATIONS))})\.?"
_PARTICLE = rf"(?:{'|'.join(sorted(JOINING_PARTICLES))})\b"
# A name stays on its line: "... in Images\n\nPaganini said" is two runs.
_NAME = re.compile(
    rf"(?:({_HONORIFIC})[^\S\n]+)?({_NAME_WORD}(?:[^\S\n]+(?:{_NAME_WORD}|{_PARTICLE}))*)"
)
_PRONOUN = re.compile(rf"\b({'|'.join(PRONOUN_GENDERS)})\b", re.IGNORECASE)

_FUNCTION_WORDS = CLAUSE_WORDS | SENTENCE_OPENERS | EDGE_WORDS
_LOWER_CASE_WORD = re.compile(r"\b[a-z][a-z'’-]*")
# Where a speaker phrase's head noun phrase ends: "a spokesman| for the ministry".
_PREPOSITION = "|".join(sorted(NP_PREPOSITIONS))
_HEAD_END = re.compile(rf"\s*(?:$|[,(]|(?:{_PREPOSITION})\b)")
# What ends the head of a speaker phrase when looking for its name: `Smith, a spokesman`,
# `a spokesman for Smith`.
_HEAD_SPLIT = re.compile(rf",| (?:{_PREPOSITION}) ")
# A speech verb after a name, past a short parenthetical: "Smith, a pollster, said".
_SPEECH_AFTER = re.compile(
    r"(?:,[^,.]{0,120},)?\s+(?:\w+ly\s+|also\s+|has\s+|had\s+)?"
    rf"(?:{'|'.join(sorted(SPEECH_AFTER_NAME))})\b"
)
# A rough sentence end for weighing how far back a mention is: a full stop not after a
# capital (an initial) nor after the seven most common honorifics, or a line break.
_SENTENCE_BREAK = re.compile(
    r"(?<![A-Z])(?<!Mr|Ms|Dr)(?<!Mrs|Sen|Rep|Gov)[.!?][”\"']*\s+(?=[A-Z“\"])|\n+"
)

# Votes for a person's gender: an honorific says most, a known first name less, and each
# he/she after a sentence that names them alone the least.
_HONORIFIC_VOTE, _FIRST_NAME_VOTE, _PRONOUN_VOTE = 3, 2, 1
# The cost of a candidate for a pronoun's person (lowest wins), beyond its rank among the
# mentions before the pronoun, nearest first: each sentence end between them costs, and a
# mention that is a sentence's subject, a speaker, or the previous quote's speaker gains;
# a possessive ("Trump's support") costs.
_SENTENCE_COST = 4
_SUBJECT_GAIN = 3
_SPEAKER_GAIN = 4
_PREVIOUS_SPEAKER_GAIN = 4
_POSSESSIVE_COST = 3


def speaker_key(name: str) -> str:
    """A normalised name for storage and search: "Mr. José Núñez" -> "jose nunez"."""
    folded = unicodedata.normalize("NFKD", name)
    plain = "".join(ch for ch in folded if not unicodedata.combining(ch)).casefold()
    words = [w.strip(".,'’") for w in plain.replace("’", "'").split()]
    while words and words[0] in HONORIFICS:
        words = words[1:]
    return " ".join(w for w in words if w)


@dataclass(frozen=True, slots=True)
class Mention:
    """A person's name where the article writes it, and how the sentence uses it."""

    start: int
    end: int
    name: str  # without honorific or title
    honorific: str | None
    title: str | None  # "Foreign Secretary" of "Foreign Secretary Dominic Raab"
    subject: bool  # opens its sentence or clause
    speaks: bool  # the subject of a speech verb: "Smith, a pollster, said"
    possessive: bool  # "Trump's support"


def _clean(words: list[str], common: frozenset[str]) -> list[str]:
    """Drop leading/trailing words that cannot belong to a name ("But Sullivan", "Both
    Johnson"), and a first word from `common`, the article's lower-case words."""
    while words and words[0].lower() in _FUNCTION_WORDS:
        words = words[1:]
    if words and _common_word(words[0], common):
        words = words[1:]
    while words and words[-1].lower() in _FUNCTION_WORDS:
        words = words[:-1]
    return words


def _common_word(word: str, common: frozenset[str]) -> bool:
    """A capitalised word only because it opens a sentence: the article also writes it in
    lower case ("Regular FIRE is"), or it is a lower-case compound ("Day-by-day Schiff")."""
    lower = word.lower()
    compound = "-" in word and word.split("-", 1)[1].islower()
    return lower not in FIRST_NAMES and (lower in common or compound)


def _split_title(words: list[str]) -> tuple[list[str], list[str]]:
    """(title, name): "Foreign Secretary" and "Dominic Raab"; capitals before a known
    first name and a surname are no part of the name either ("Singer-guitarists Tom
    Johnston"), but "Amelize Joseph" is one name."""
    titled = [k for k, word in enumerate(words[:-1]) if _is_title_word(word)]
    if titled:
        return words[: titled[-1] + 1], words[titled[-1] + 1 :]
    first = next((k for k, word in enumerate(words[:-1]) if word.lower() in FIRST_NAMES), 0)
    return [], words[first:]


def _is_title_word(word: str) -> bool:
    """A title or role written before a name: "Secretary", "Sen.", "CEO"."""
    return word.lower().rstrip(".") in TITLE_WORDS


def _personal(name: list[str]) -> bool:
    """Whether a run can name a person: short, not a title alone ("Former Secretary"), no
    date, place or organisation word, no acronym in capitals ("Regular FIRE"; "III" is
    a numeral)."""
    if not 0 < len(name) <= MAX_NAME_WORDS or _is_title_word(name[-1]):
        return False
    acronym = any(_is_acronym(word) for word in name)
    return not acronym and not any(word.lower() in THING_WORDS for word in name)


def _is_acronym(word: str) -> bool:
    return len(word) > 2 and word.isalpha() and word.isupper() and not set(word) <= set("IVX")


def _mentions(
    text: str, outside: list[tuple[int, int]], common: frozenset[str] = frozenset()
) -> list[Mention]:
    found = []
    for match in _NAME.finditer(text):
        if _inside(match.start(), outside):
            continue
        honorific = match.group(1)
        words = match.group(2).split()
        if not honorific:
            words = _clean(words, common if _opens(text, match.start()) else frozenset())
        title, name = _split_title(words)
        if not _personal(name):
            continue  # a Title Case headline, a date, a place or an organisation
        found.append(
            Mention(
                match.start(),
                match.end(),
                " ".join(name),
                honorific.rstrip(".").lower() if honorific else None,
                " ".join(title) or None,
                _is_subject(text, match.start(), match.end()),
                _SPEECH_AFTER.match(text, match.end()) is not None,
                text.startswith(("'s", "’s", "’", "'"), match.end()),
            )
        )
    return found


def _inside(offset: int, spans: list[tuple[int, int]]) -> bool:
    index = bisect_left(spans, (offset + 1,)) - 1
    return index >= 0 and spans[index][0] <= offset < spans[index][1]


def _opens(text: str, start: int) -> bool:
    """Whether text[start] opens a sentence or clause."""
    before = text[max(0, start - 3) : start].strip()
    return not before or before[-1] in '.!?\n"”:;' or before.endswith(("''", ","))


def _is_subject(text: str, start: int, end: int) -> bool:
    """A name opening a sentence or clause and followed by a lower-case word (its verb)."""
    after = text[end : end + 2].strip()
    return _opens(text, start) and (after[:1].islower() or after[:1] == ",")


class Resolved(NamedTuple):
    """The person behind a speaker phrase (or the phrase), and the role written with it."""

    name: str
    role: str | None


def _role(prefix: str) -> str | None:
    """The role in the words before a name ("company CEO", "Sen."); not a courtesy title,
    a possessive ("NASA's") or an adjective ("the 14th-ranked")."""
    words = prefix.split()
    while words and words[0].lower().rstrip(".") in COURTESY_TITLES:
        words = words[1:]
    if not words or is_possessive_word(words[-1]) or all(w.lower() in DETERMINERS for w in words):
        return None
    last = words[-1]
    return None if last.islower() and last.endswith("ed") else " ".join(words)


class _Namesakes:
    """The full names that one surname (or whole name) may stand for, in text order, with
    the longest spelling for each first name: lookups by bisection, not by a scan."""

    def __init__(self) -> None:
        self.starts: list[int] = []
        self.names: list[str] = []
        self.longest: dict[str, str] = {}

    def add(self, start: int, name: str) -> None:
        self.starts.append(start)
        self.names.append(name)
        first = name.split()[0]
        if len(name) > len(self.longest.get(first, "")):
            self.longest[first] = name


class People:
    """The people of one article, for resolving speakers to full names."""

    def __init__(self, text: str, quoted: list[tuple[int, int]]) -> None:
        self.text = text
        common = frozenset(_LOWER_CASE_WORD.findall(text))
        self.mentions = [m for m in _mentions(text, quoted, common) if m.name]
        self.full = self._full_names()
        self.titles = self._titles()
        self.starts = [m.start for m in self.mentions]
        self.gender = self._genders(quoted)

    def _full_names(self) -> dict[str, _Namesakes]:
        """Last word (and whole name) -> the multi-word mentions it may stand for, in order."""
        full: dict[str, _Namesakes] = {}
        for mention in self.mentions:
            words = mention.name.split()
            if len(words) >= 2:
                for key in {words[-1], mention.name}:
                    full.setdefault(key, _Namesakes()).add(mention.start, mention.name)
        return full

    def _titles(self) -> dict[str, str]:
        """Each person's title, as first written before the name."""
        titles: dict[str, str] = {}
        for mention in self.mentions:
            if mention.title:
                titles.setdefault(self.person(mention.name) or mention.name, mention.title)
        return titles

    def person(self, name: str, at: int | None = None) -> str | None:
        """The full name a mention at `at` refers to: with several people of one surname,
        the one named last before it; None if `name` is not a known person."""
        words = name.split()
        seen = self.full.get(name) or (self.full.get(words[-1]) if words else None)
        if not seen:
            return None
        before = len(seen.starts) if at is None else bisect_left(seen.starts, at)
        recent = seen.names[before - 1] if before else seen.names[0]
        # "Jake Sullivan" and "Jake J. Sullivan" are one person: take the longest spelling.
        return seen.longest[recent.split()[0]]

    def _genders(self, quoted: list[tuple[int, int]]) -> dict[str, str]:
        """Each person's gender, where the votes for one outweigh those for the other."""
        votes = self._name_votes()
        votes.update(self._pronoun_votes(quoted))
        genders: dict[str, str] = {}
        for person in {person for person, _ in votes}:
            male, female = votes[(person, "m")], votes[(person, "f")]
            if male != female:
                genders[person] = "m" if male > female else "f"
        return genders

    def _name_votes(self) -> Counter[tuple[str, str]]:
        """Votes for (person, gender) from honorifics ("Mrs.") and known first names."""
        votes: Counter[tuple[str, str]] = Counter()
        for mention in self.mentions:
            person = self.person(mention.name) or mention.name
            first = person.split()[0].lower()
            for gender, vote in (
                (
                    _gender_of(mention.honorific, MALE_HONORIFICS, FEMALE_HONORIFICS),
                    _HONORIFIC_VOTE,
                ),
                (_gender_of(first, MALE_NAMES, FEMALE_NAMES), _FIRST_NAME_VOTE),
            ):
                if gender is not None:
                    votes[(person, gender)] += vote
        return votes

    def _pronoun_votes(self, quoted: list[tuple[int, int]]) -> Counter[tuple[str, str]]:
        """Votes for (person, gender) from he/she after a sentence that names one person."""
        votes: Counter[tuple[str, str]] = Counter()
        for match in _PRONOUN.finditer(self.text):
            if _inside(match.start(), quoted):
                continue
            lone = self._lone_person_before(match.start())
            if lone is not None:
                gender = "m" if match.group(1).lower() in MALE else "f"
                votes[(lone, gender)] += _PRONOUN_VOTE
        return votes

    def _before(self, offset: int) -> Iterator[Mention]:
        """The mentions before `offset`, nearest first, without copying the list."""
        for index in range(bisect_left(self.starts, offset) - 1, -1, -1):
            yield self.mentions[index]

    def _lone_person_before(self, offset: int) -> str | None:
        """The one person named in the sentence before `offset`, if exactly one is."""
        lo = max(self.text.rfind(". ", 0, offset), self.text.rfind("\n", 0, offset))
        people = set()
        for mention in self._before(offset):
            if mention.start < lo:
                break
            people.add(self.person(mention.name) or mention.name)
        return people.pop() if len(people) == 1 else None

    def resolve(self, attribution: Attribution, previous: str | None) -> Resolved:
        """The person behind a speaker phrase, by full name without title, and the role
        written with it; `previous` is the last quote's speaker. A phrase that is not a
        person's name ("the People’s Daily", "The French foreign ministry") stays whole."""
        spoken = attribution.speaker
        lower = spoken.lower()
        if lower in PRONOUN_GENDERS or lower in PERSON_RELATIVES:
            return self._resolve_pronoun(attribution, previous)
        found = self._name_in(spoken)
        return Resolved(spoken, None) if found is None else self._resolve_name(attribution, *found)

    def _resolve_pronoun(self, attribution: Attribution, previous: str | None) -> Resolved:
        """he/she/who: the person it most likely stands for, with their title."""
        gender = PRONOUN_GENDERS.get(attribution.speaker.lower())
        person = self._antecedent(attribution.start, gender, previous if gender else None)
        if not person:
            return Resolved(attribution.speaker, None)
        return Resolved(person, self.titles.get(person))

    def _resolve_name(self, attribution: Attribution, name: str, at: int) -> Resolved:
        """The person named at `at` in a speaker phrase, unless the phrase is about
        something of theirs or a thing described ("The French foreign ministry")."""
        spoken = attribution.speaker
        full = self.person(name, attribution.start)
        if re.search(rf"{re.escape(name)}['’]", spoken):  # "Clinton's campaign" is not Clinton
            return Resolved(spoken.replace(name, full or name, 1), None)
        prefix = spoken[:at]
        heads = _HEAD_END.match(spoken, at + len(name)) is not None
        described = any(w.lower() in DETERMINERS or is_possessive_word(w) for w in prefix.split())
        if described and not (heads and full):  # "The French foreign ministry"
            return Resolved(spoken, None)
        person = full or name
        return Resolved(person, _role(prefix) or self.titles.get(person))

    def known(self, attribution: Attribution) -> bool:
        """Whether a speaker phrase is he/she or names a person met in the article."""
        if attribution.speaker.lower() in PRONOUN_GENDERS:
            return True
        found = self._name_in(attribution.speaker)
        return found is not None and self.person(found[0]) is not None

    def _name_in(self, phrase: str) -> tuple[str, int] | None:
        """The person's name in a speaker phrase, the last before "of"/"," in it, and
        where it starts."""
        head = _HEAD_SPLIT.split(phrase)[0]
        names = _mentions(head, [])
        if not names:
            return None
        last = names[-1]
        return last.name, phrase.find(last.name, last.start)

    def _sentence_breaks(self, offset: int) -> list[int]:
        """Where sentences end (outside abbreviations, roughly) in the window before `offset`.

        Read once per pronoun, not once per candidate: a break holds no letter, so none
        spans a mention's first letter, and the breaks after a mention are those a reading
        from the mention itself would find.
        """
        lo = max(0, offset - PRONOUN_REACH)
        return [match.start() for match in _SENTENCE_BREAK.finditer(self.text, lo, offset)]

    def _antecedent(self, offset: int, gender: str | None, previous: str | None) -> str | None:
        """The person a pronoun at `offset` most likely refers to."""
        candidates = []
        breaks = self._sentence_breaks(offset)
        for rank, mention in enumerate(self._before(offset)):
            if offset - mention.start > PRONOUN_REACH:
                break
            person = self._candidate(mention, gender)
            if person is not None:
                cost = rank + _cost(mention, breaks, person == previous)
                candidates.append((cost, rank, person))
        if not candidates:
            return None
        # "who": the name right before it
        return candidates[0][2] if gender is None else min(candidates)[2]

    def _candidate(self, mention: Mention, gender: str | None) -> str | None:
        """The person a mention names, when it may be the pronoun's: one met in full or
        with an honorific or a speech verb, and of no other gender."""
        person = self.person(mention.name, mention.start)
        if person is None and not (mention.honorific or mention.speaks):
            return None
        person = person or mention.name
        known = self.gender.get(person)
        if gender is not None and known is not None and known != gender:
            return None
        return person


def _cost(mention: Mention, breaks: list[int], previous_speaker: bool) -> int:
    """What a mention costs as a pronoun's person, beyond its rank: the sentence ends
    between them, less its weight as a subject or a speaker."""
    return (
        _SENTENCE_COST * (len(breaks) - bisect_left(breaks, mention.start))
        - _SUBJECT_GAIN * mention.subject
        - _SPEAKER_GAIN * mention.speaks
        - _PREVIOUS_SPEAKER_GAIN * previous_speaker
        + _POSSESSIVE_COST * mention.possessive
    )


def _gender_of(word: str | None, male: frozenset[str], female: frozenset[str]) -> str | None:
    """ "m" or "f" when `word` is in the list of male or female words, else None."""
    if word is None:
        return None
    if word in male:
        return "m"
    return "f" if word in female else None
