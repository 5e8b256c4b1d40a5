"""What a word is in its place: a speech verb or a noun, a passive, a name, a description.

Each test reads one token (and its neighbours) of a frame; none finds a phrase's extent.
"""

from __future__ import annotations

import re

from bot.pipeline.quotes.lexicon import (
    ASKING_VERBS,
    AUXILIARIES,
    BASE,
    BASE_SUBJECTS,
    CLAUSE_WORDS,
    DETERMINERS,
    IN_THE_WORDS_OF,
    INTRO_WORDS,
    IRREGULAR_PAST,
    NAME_PARTICLES,
    NAMING_VERBS,
    NP_PREPOSITIONS,
    OBJECT_RELATIVES,
    PARTICIPLE,
    PERSONAL_PRONOUNS,
    REFERRING_VERBS,
    SAYING_VERBS,
    SENTENCE_END,
    SPEECH_VERBS,
    STAND_INS,
    TIME_UNITS,
    TIME_WORDS,
    TO_BE,
)
from bot.pipeline.quotes.tokens import (
    Token,
    is_possessive,
    is_word,
)
from bot.pipeline.quotes.windows import (
    MAX_NAME_WORDS,
    MAX_RELATIVE_REACH,
    MAX_TIME_PHRASE,
    MIN_NAME_WORDS,
)


def is_verb(tokens: list[Token], i: int) -> bool:
    """Whether tokens[i] is a speech verb here, not a noun ("the report", "one point")."""
    token = tokens[i]
    form = SPEECH_VERBS.get(token.lower)
    if form is None or (token.capitalized and token.lower not in SAYING_VERBS):
        return False
    return _fits_form(form, tokens[i - 1] if i > 0 else None)


def _fits_form(form: str, before: Token | None) -> bool:
    """Whether a speech verb of this form may follow the token `before` (None at the start)."""
    prev = before.lower if before is not None else ""
    if prev in DETERMINERS or prev == "of":
        return False
    if form == PARTICIPLE and before is not None and is_possessive(before):
        return False  # a gerund: `from Smith’s declaring an end to`
    if form == BASE:  # "they say", "will argue", "Democrats claim"; not "a claim"
        return prev in BASE_SUBJECTS or prev in AUXILIARIES or prev.endswith("s")
    return True


def is_adverb(token: Token) -> bool:
    """A lower-case -ly word of five letters or more: `repeatedly`, not `rely` or `Italy`."""
    return token.text.endswith("ly") and token.text.islower() and len(token.text) > 4


def is_contracted(token: Token) -> bool:
    """`That’s`, `it's`, `There’s`: a pronoun or sentence word with its verb."""
    head, _, clitic = token.lower.replace("’", "'").partition("'")
    return bool(clitic) and head in STAND_INS


def is_passive(tokens: list[Token], verb: int) -> bool:
    """`was asked`, `were told`: the subject is who was spoken to."""
    return verb > 0 and tokens[verb].lower in ASKING_VERBS and tokens[verb - 1].lower in TO_BE


def names_a_thing(tokens: list[Token], verb: int) -> bool:
    """`HP is called “`, `a radio show called “`, `refers to plans for a “`: the marks
    hold a name or a term, and the subject is not saying it. `tokens` end at the mark."""
    lower = tokens[verb].lower
    if lower in REFERRING_VERBS:
        return all(token.lower != "as" for token in tokens[verb + 1 :])
    return lower in NAMING_VERBS and verb > 0 and _gives_the_name(tokens, verb)


def _gives_the_name(tokens: list[Token], verb: int) -> bool:
    """Whether the naming verb at tokens[verb] is passive or follows the noun it names."""
    before = tokens[verb - 1]
    if before.lower in TO_BE or before.text.endswith(("'s", "’s")):
        return True  # passive: `it is called`, `what’s called`
    at_mark = [token.lower for token in tokens[verb + 1 :]] in ([], ["as"])
    reach = tokens[max(0, verb - MAX_RELATIVE_REACH) : verb]
    relative = any(token.lower in OBJECT_RELATIVES for token in reach)
    common_noun = before.text.isalpha() and before.text.islower()
    subject = before.lower in PERSONAL_PRONOUNS or before.lower in AUXILIARIES  # `he has dubbed`
    return at_mark and common_noun and not subject and not relative


def is_verb_like(token: Token, position: int, adjective: bool = False) -> bool:
    """Whether a lower-case word after a determiner's nouns is the verb, not a noun; an -ed
    word may be an `adjective` right after the determiner ("The retired neurosurgeon")."""
    lower = token.lower
    if lower in IRREGULAR_PAST or (lower.endswith("ed") and len(lower) > 3 and not adjective):
        return True
    return position >= 2 and lower.endswith("s") and not lower.endswith(("ss", "'s", "’s"))


def is_time_phrase(tokens: list[Token], start: int) -> bool:
    """`However,` / `Hours later,` / `Tuesday night,` / `Eight years ago,` opening a sentence
    before its subject."""
    k = start + 1
    while k < len(tokens) and k - start <= MAX_TIME_PHRASE and tokens[k].text != ",":
        k += 1
    if k >= len(tokens) or tokens[k].text != ",":
        return False
    words = {token.lower for token in tokens[start:k]}
    return tokens[start].lower in TIME_WORDS or bool(words & TIME_UNITS)


def is_introductory(token: Token) -> bool:
    """A sentence opening that is not its subject: "In an interview,", "Asked about it,"."""
    lower = token.lower
    return lower in CLAUSE_WORDS or lower in INTRO_WORDS or lower.endswith(("ing", "ed", "ly"))


PARTY_TAG = re.compile(r"^[DRI]-[A-Z][A-Za-z.]*$")


def is_bare_name(tokens: list[Token]) -> bool:
    """A short run of capitalised words (and initials) such as "James B. Comey"."""
    if not MIN_NAME_WORDS <= len(tokens) <= MAX_NAME_WORDS:
        return False
    if any(not (t.capitalized or t.lower in NAME_PARTICLES) for t in tokens):
        return False
    return not any(t.lower in DETERMINERS or PARTY_TAG.match(t.text) for t in tokens)


def opens_description(tokens: list[Token], k: int) -> bool:
    """Whether a description may open at tokens[k]: "a professor", "67", "Sanders' aide"."""
    token = tokens[k]
    possessive = token.text.endswith(("'s", "’s")) or (
        k + 1 < len(tokens) and tokens[k + 1].text in {"'", "’"}
    )
    return not token.capitalized or token.lower in DETERMINERS or possessive


def is_capitalized_description(tokens: list[Token], lo: int, hi: int) -> bool:
    """`Democrat of Tennessee`, `R-Ky.`, `Mr. Obama's deputy adviser`: a description that
    opens with a capital but is no bare name (it holds a lower-case word or a party tag)."""
    words = tokens[lo:hi]
    if words and words[-1].text == ".":  # "R-Ky." ends in a full stop token
        words = words[:-1]
    if not words or any(t.text in SENTENCE_END for t in words):
        return False
    if len(words) == 1 and PARTY_TAG.match(words[0].text):
        return True
    return _describes_in_lower_case(words)


def _describes_in_lower_case(words: list[Token]) -> bool:
    """ "Democrat of Tennessee", "Mr. Obama's deputy adviser", "Sanders' campaign manager":
    a preposition or a possessive by the first lower-case word; not a clause such as "Trump
    returned the compliment"."""
    lower = [k for k, t in enumerate(words) if is_word(t) and not t.capitalized]
    if not lower:
        return False
    first = lower[0]
    possessive = any(is_possessive(t) for t in words[: first + 1])
    return possessive or words[first].lower in NP_PREPOSITIONS


def is_reduced_relative(tokens: list[Token], start: int, i: int) -> bool:
    """`says the letter signed by ...`: an -ed word after a determined noun tells about it;
    `the retired neurosurgeon`, `a spokesman for the embattled firm` keep theirs."""
    token, before = tokens[i], tokens[i - 1]
    if tokens[start].lower not in DETERMINERS or i < start + 2:
        return False
    if not (token.text.islower() and token.lower.endswith("ed")):
        return False
    noun = before.text.islower() and not before.lower.endswith("ly")
    return noun and before.lower not in DETERMINERS and before.lower not in NP_PREPOSITIONS


def in_the_words_of(tokens: list[Token], at: int) -> bool:
    """`in the words of the patient:` names whose words follow, as `according to` does."""
    return [token.lower for token in tokens[max(0, at - 2) : at + 2]] == IN_THE_WORDS_OF
