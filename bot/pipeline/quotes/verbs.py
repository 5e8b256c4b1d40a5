"""The speaker of a speech verb: its subject, inverted subject, appositive (`Smith, 67, a
professor at MIT, said`), described name (`the spokesman, Josh Earnest, said`), the asker of a
passive (`was asked by host Bill Maher`), or the sentence's subject for a participle.
"""

from __future__ import annotations

from dataclasses import replace

from bot.pipeline.quotes.lexicon import (
    CLAUSE_WORDS,
    DETERMINERS,
    SAYING_VERBS,
    SUBJECT_SHARING,
)
from bot.pipeline.quotes.phrases import (
    cue_at,
    description_after,
    opening_phrase_end,
    sentence_subject,
    skip_auxiliaries,
    subject_after,
    subject_before,
)
from bot.pipeline.quotes.tokens import (
    Attribution,
    Token,
    is_named,
    is_word,
    make,
    phrase,
    tokens_after,
)
from bot.pipeline.quotes.windows import MAX_COMMA_NAME, MAX_DESCRIPTION
from bot.pipeline.quotes.words import (
    in_the_words_of,
    is_bare_name,
    is_capitalized_description,
    is_passive,
    is_verb,
    names_a_thing,
    opens_description,
)


def inverted_subject(text: str, tokens: list[Token], verb: int, cue: str) -> Attribution | None:
    """The subject after the verb at tokens[verb], with its description: `said Jake
    Sullivan, the national security adviser,`."""
    span = subject_after(tokens, verb)
    if span is None:
        return None
    found = make(text, tokens, span, cue)
    return replace(found, description=description_after(text, tokens, span[1]))


def according_to(text: str, tokens: list[Token], at: int) -> Attribution | None:
    """`according to the ministry`, from the "according" at tokens[at]."""
    if at + 2 >= len(tokens) or tokens[at + 1].lower != "to":
        return None
    return inverted_subject(text, tokens, at + 1, phrase(text, tokens, at, at + 2))


def appositive_subject(text: str, tokens: list[Token], verb: int) -> Attribution | None:
    """`Smith, 67, a professor at MIT, said`: a name before a comma-enclosed description;
    also `the White House spokesman, Josh Earnest, said` (a description, then the name)
    and `Steve Cohen, Democrat of Tennessee, said` (a capitalised description)."""
    i = skip_auxiliaries(tokens, verb)
    if i < 0 or tokens[i].text != "," or tokens[verb].lower.endswith("ing"):
        return None  # `Trump went after Bush, calling him`: a participle, no appositive
    cue = cue_at(text, tokens, verb)
    named_last = described_name(text, tokens, i, cue)
    if named_last is not None:
        return named_last
    # The comma closing `However,` or `In a statement Friday,` opens no description.
    lo = max(0, i - MAX_DESCRIPTION, opening_phrase_end(tokens))
    for k in range(lo, i - 1):
        span = _described_subject(tokens, k, i) if tokens[k].text == "," else None
        if span is not None:
            found = make(text, tokens, span, cue)
            return replace(found, description=phrase(text, tokens, k + 1, i))
    return None


def _described_subject(tokens: list[Token], comma: int, end: int) -> tuple[int, int] | None:
    """The named subject before `comma` when tokens[comma + 1 : end] describes it."""
    plain = opens_description(tokens, comma + 1)
    if not plain and not is_capitalized_description(tokens, comma + 1, end):
        return None
    span = subject_before(tokens, comma)
    if span is None or not any(t.capitalized for t in tokens[span[0] : span[1]]):
        return None
    if not plain and span[0] > 0 and tokens[span[0] - 1].lower in CLAUSE_WORDS:
        return None  # "In Iowa, Smith, ..." is no "Iowa"
    return span


def described_name(text: str, tokens: list[Token], comma: int, cue: str) -> Attribution | None:
    """`the White House spokesman, Josh Earnest, said`: the name closing the subject."""
    k = _opening_comma(tokens, comma)
    if k < 1 or not is_bare_name(tokens[k + 1 : comma]):
        return None
    described = subject_before(tokens, k)
    if described is None or not _describes_someone(tokens[described[0] : k]):
        return None  # "Smith, Jones, said" lists two names
    found = make(text, tokens, (k + 1, comma), cue)
    return replace(found, description=phrase(text, tokens, described[0], k))


def _opening_comma(tokens: list[Token], comma: int) -> int:
    """The comma that opens a short phrase closed by the comma at tokens[comma], or -1."""
    k = comma - 1
    while k >= 0 and tokens[k].text != "," and comma - k <= MAX_COMMA_NAME:
        k -= 1
    return k if k >= 0 and tokens[k].text == "," else -1


def _describes_someone(words: list[Token]) -> bool:
    """A description, not a name: opened by a determiner or holding a lower-case word."""
    return words[0].lower in DETERMINERS or any(is_word(t) and not t.capitalized for t in words)


def before_verb(text: str, tokens: list[Token], verb: int) -> Attribution | None:
    """The subject preceding a speech verb, possibly with an appositive description."""
    if is_passive(tokens, verb):  # `Trump was asked by host Bill Maher,`: the asker speaks
        by = verb + 1
        if by < len(tokens) and tokens[by].lower == "by":
            return inverted_subject(text, tokens, by, cue_at(text, tokens, verb))
        return None
    appositive = appositive_subject(text, tokens, verb)
    if appositive is not None:
        return appositive
    span = subject_before(tokens, verb)
    return None if span is None else make(text, tokens, span, cue_at(text, tokens, verb))


def at_verb(text: str, tokens: list[Token], i: int) -> tuple[Attribution | None, bool]:
    """The speaker of the verb at tokens[i], and whether it stands next to the verb
    (rather than being the sentence's subject, shared by a participle or second verb)."""
    token = tokens[i]
    if token.lower == "according":
        return according_to(text, tokens, i), True
    if token.lower == "words" and in_the_words_of(tokens, i):
        return inverted_subject(text, tokens, i + 1, phrase(text, tokens, i - 2, i + 2)), True
    if not is_verb(tokens, i) or names_a_thing(tokens, i):
        return None, False
    return _at_speech_verb(text, tokens, i)


def _at_speech_verb(text: str, tokens: list[Token], i: int) -> tuple[Attribution | None, bool]:
    """`at_verb` for a speech verb: an inverted name (`said Smith,`), the subject before
    it, or the sentence's subject shared by a participle or a second verb."""
    cue = cue_at(text, tokens, i)
    found = _said_inverted(text, tokens, i, cue) or before_verb(text, tokens, i)
    if found is not None:
        return found, True
    prev = tokens[i - 1].lower if i > 0 else ""
    if tokens[i].lower.endswith("ing") or prev in SUBJECT_SHARING:
        return sentence_subject(text, tokens, cue), False
    return None, False


def _said_inverted(text: str, tokens: list[Token], i: int, cue: str) -> Attribution | None:
    """`said Smith, “`: a saying verb opening the frame or a clause, its name closing it."""
    if not (i == 0 or tokens[i - 1].text == ",") or tokens[i].lower not in SAYING_VERBS:
        return None
    inverted = inverted_subject(text, tokens, i, cue)
    return inverted if inverted is not None and closes_frame(tokens, inverted) else None


def closes_frame(tokens: list[Token], found: Attribution) -> bool:
    """An inverted subject before a quote is a name ending at a comma or colon."""
    rest = tokens_after(tokens, found)
    return is_named(tokens, found) and bool(rest) and rest[0].text in {",", ":"}
