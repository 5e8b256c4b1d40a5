"""The speaker a reader is shown: a person's name or a description of someone, never a
pronoun left unresolved nor a piece of a sentence that the frame parsers took for a subject."""

from __future__ import annotations

from bot.model import Quote
from bot.pipeline.quotes.lexicon import (
    DETERMINERS,
    FINITE_VERBS,
    NAME_PARTICLES,
    SENTENCE_OPENERS,
    STAND_INS,
)
from bot.pipeline.quotes.tokens import is_possessive_word


def shown_speaker(quote: Quote) -> str | None:
    """The resolved person, else the speaker phrase when it is a name or a description;
    None for an unresolved pronoun ("they") or anything else ("it is", "Here")."""
    for phrase in (quote.speaker_resolved, quote.speaker):
        if phrase and _presentable(phrase.split()):
            return phrase
    return None


def is_name(phrase: str) -> bool:
    """Capitalised words, not opened by a determiner: "Jake Sullivan", not "The president"."""
    words = phrase.split()
    if not words or words[0].lower() in DETERMINERS:
        return False
    return all(word[:1].isupper() or word in NAME_PARTICLES for word in words)


def _presentable(words: list[str]) -> bool:
    return bool(words) and not any(rule(words) for rule in _NOT_A_SPEAKER)


def _head(word: str) -> str:
    """The word without an 's or other clitic: "That’s" -> "that"."""
    return word.replace("’", "'").split("'")[0].lower()


def _names_nobody(words: list[str]) -> bool:
    """Opens with a pronoun or a demonstrative ("they", "it is", "That’s"); "US" is a name."""
    first = words[0]
    return _head(first) in STAND_INS and not (first.isupper() and len(first) > 1)


def _is_a_clause(words: list[str]) -> bool:
    """Holds a finite verb: "Pompeo said that", "the plan is"."""
    return any(word in FINITE_VERBS for word in words)


def _ends_possessive(words: list[str]) -> bool:
    """A possessive alone ("Bernie Sanders’s") owns something that is not said."""
    return is_possessive_word(words[-1])


def _opens_a_sentence(words: list[str]) -> bool:
    """A sentence word alone or before a capital ("Here", "Both Johnson"); "one user" is fine."""
    opens = words[0].lower() in SENTENCE_OPENERS
    return opens and (len(words) == 1 or words[1][:1].isupper())


_NOT_A_SPEAKER = (_names_nobody, _is_a_clause, _ends_possessive, _opens_a_sentence)
