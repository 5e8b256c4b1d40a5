"""Reading the frame after a closing mark: `, he said`, `, said Smith, a professor at MIT`,
`, according to the ministry`, `― Maria Lopez`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from functools import cached_property

from bot.pipeline.quotes.lexicon import (
    CLAUSE_WORDS,
    DASHES,
    DETERMINERS,
    NP_LINKS,
    PARTICIPLE,
    RELATIVE_PRONOUNS,
    SAYING_VERBS,
    SENTENCE_END,
    SPEECH_VERBS,
    THING_RELATIVES,
)
from bot.pipeline.quotes.phrases import (
    cue_at,
    description_after,
    skip_auxiliaries,
    subject_before,
)
from bot.pipeline.quotes.reading import NOBODY, Reading, Rule, first_reading
from bot.pipeline.quotes.tokens import (
    Attribution,
    Token,
    frame_start,
    is_named,
    is_word,
    make,
    tokenize,
    tokens_after,
)
from bot.pipeline.quotes.verbs import (
    according_to,
    before_verb,
    inverted_subject,
)
from bot.pipeline.quotes.windows import (
    MAX_FRAME,
    MAX_SIGNED_NAME,
    MAX_UNLISTED_VERB,
    MIN_NAME_WORDS,
    SENTENCE_END_REACH,
)
from bot.pipeline.quotes.words import is_verb


class AfterFrame:
    """The tokens after a closing mark, up to the next quote or the paragraph's end: the
    dash that opens a signature apart, and the leading commas and brackets left out."""

    def __init__(self, text: str, lo: int, hi: int) -> None:
        tokens = tokenize(text, lo, hi)
        lead = frame_start(tokens)
        self.text = text
        self.dash = tokens[lead - 1] if lead and tokens[lead - 1].text in DASHES else None
        self.tokens = tokens[lead:]

    @cached_property
    def main_verb(self) -> tuple[int, Attribution | None] | None:
        """The first speech verb of the frame's clause whose subject is not a relative
        pronoun (`, Cruz, who has proposed ..., said`: read on to the main verb), with its
        subject when that stands for the quote's speaker (`, Trump said`), else None."""
        tokens = self.tokens
        for i in range(1, min(len(tokens), MAX_FRAME)):
            if tokens[i].text in SENTENCE_END or tokens[i].text in {";", ":"}:
                return None
            if not is_verb(tokens, i):
                continue
            found = self._subject(i)
            if found is not None and self._speaks_here(i, found):
                return i, found
            if found is None or found.speaker.lower() not in RELATIVE_PRONOUNS:
                return i, None
        return None

    def _subject(self, verb: int) -> Attribution | None:
        """The subject of the verb at tokens[verb]; from the mark on when it is one noun
        phrase (`a message on the website reads`)."""
        found = before_verb(self.text, self.tokens, verb)
        if found is not None and found.start != self.tokens[0].start:
            found = _whole_phrase(self.text, self.tokens, verb) or found
        return found

    def _speaks_here(self, verb: int, found: Attribution) -> bool:
        """The speaker must start the frame (`, Trump said`, `, as the memo put it`, not
        `, and Trump vowed`) or end the sentence after a comma (`..., Trump said.`)."""
        first = self.tokens[0]
        return (
            found.start == first.start
            or (first.lower == "as" and found.start == self.tokens[1].start)
            or self.text.startswith(found.description or "\0", first.start)
            or _ends_sentence(self.tokens, verb, found)
        )


def signature(frame: AfterFrame) -> Reading:
    """`“...” ― Maria Lopez, 34`: a name signed after a dash, ending the paragraph."""
    if frame.dash is None:
        return None
    tokens = frame.tokens
    end = 0
    while end < len(tokens) and end < MAX_SIGNED_NAME and tokens[end].capitalized:
        end += 1
    rest = tokens[end:]
    if end == 0 or (rest and rest[0].text not in {",", "."}):
        return NOBODY
    found = make(frame.text, tokens, (0, end), frame.dash.text)
    return replace(found, description=description_after(frame.text, tokens, end))


def clause_about_the_quote(frame: AfterFrame) -> Reading:
    """`“...” that recognized`: a clause about the quote itself, which nobody speaks."""
    return NOBODY if frame.tokens[0].lower in THING_RELATIVES else None


def according_to_after(frame: AfterFrame) -> Reading:
    """`“...,” according to the ministry`."""
    if frame.tokens[0].lower != "according":
        return None
    return according_to(frame.text, frame.tokens, 0) or NOBODY


def said_name(frame: AfterFrame) -> Reading:
    """`“...,” said Jake Sullivan, the national security adviser`; not `, saying he trusted`."""
    tokens = frame.tokens
    if not is_verb(tokens, 0) or SPEECH_VERBS[tokens[0].lower] == PARTICIPLE:
        return None
    return inverted_subject(frame.text, tokens, 0, cue_at(frame.text, tokens, 0)) or NOBODY


def name_said(frame: AfterFrame) -> Reading:
    """`“...,” Trump said`, `“...,” as the memo put it`, `“...” in 2008, Trump said.`."""
    verb = frame.main_verb
    return verb[1] if verb is not None else None


def late_said_name(frame: AfterFrame) -> Reading:
    """`“...” in the 2008 primary, said Paul Beck.`: a quote inside the sentence, whose
    speaker closes it."""
    verb = frame.main_verb
    if verb is None:
        return None
    return _late_inverted(frame.text, frame.tokens, verb[0]) or NOBODY


def unlisted_verb_name(frame: AfterFrame) -> Reading:
    """`“...” beamed Donald Hartley of Madison,`: a past-tense verb we do not list, then
    a name."""
    tokens = frame.tokens
    first = tokens[0]
    if first.capitalized or not _past_form(first):
        return None
    end = 1
    while end < len(tokens) and end < MAX_SIGNED_NAME and tokens[end].capitalized:
        end += 1
    rest = tokens[end].text if end < len(tokens) else "."
    if end - 1 >= MIN_NAME_WORDS and rest in {",", ".", "of"}:
        return make(frame.text, tokens, (1, end), first.text)
    return NOBODY


def name_unlisted_verb(frame: AfterFrame) -> Reading:
    """`“...,” Hannity pressed`: a name, then a past-tense verb we do not list."""
    tokens = frame.tokens
    for i in range(1, min(len(tokens), MAX_UNLISTED_VERB)):
        token = tokens[i]
        if not token.capitalized and _past_form(token):
            span = subject_before(tokens, i)
            if span == (0, i) and (i == 1 or all(t.capitalized for t in tokens[:i])):
                return make(frame.text, tokens, span, token.text)
            return None
        if not (is_word(token) and token.capitalized):
            return None
    return None


def _past_form(token: Token) -> bool:
    """An -ed word of four letters or more: `pressed`, `beamed`; not `led`."""
    return token.lower.endswith("ed") and len(token.text) > 3


AFTER_RULES: tuple[Rule[AfterFrame], ...] = (
    signature,
    clause_about_the_quote,
    according_to_after,
    said_name,
    name_said,
    late_said_name,
    unlisted_verb_name,
    name_unlisted_verb,
)


def after_quote(
    text: str, lo: int, hi: int, rules: Iterable[Rule[AfterFrame]] = AFTER_RULES
) -> Attribution | None:
    """Attribution in the frame text[lo:hi] following a closing mark: `, he said`."""
    frame = AfterFrame(text, lo, hi)
    return first_reading(rules, frame) if frame.tokens else None


def _whole_phrase(text: str, tokens: list[Token], verb: int) -> Attribution | None:
    """`“...” a message on the website reads`: a determiner's noun phrase, with its
    prepositional phrases, from the closing mark to the verb."""
    end = skip_auxiliaries(tokens, verb) + 1
    if end < 2 or tokens[0].lower not in DETERMINERS:
        return None
    words = tokens[:end]
    if any(not is_word(t) or is_verb(tokens, k) for k, t in enumerate(words)):
        return None
    if any(t.lower in CLAUSE_WORDS and t.lower not in NP_LINKS for t in words):
        return None
    return make(text, tokens, (0, end), cue_at(text, tokens, verb))


def _late_inverted(text: str, tokens: list[Token], verb: int) -> Attribution | None:
    """`..., said Paul Beck.` closing a sentence that holds the quote."""
    if tokens[verb - 1].text != "," or tokens[verb].lower not in SAYING_VERBS:
        return None
    found = inverted_subject(text, tokens, verb, cue_at(text, tokens, verb))
    if found is None or not is_named(tokens, found):
        return None
    rest = tokens_after(tokens, found)
    return found if not rest or rest[0].text in {",", ".", ";"} else None


def _ends_sentence(tokens: list[Token], verb: int, found: Attribution) -> bool:
    """`..., Trump said.`: the speaker follows a comma and the sentence ends soon after
    the verb."""
    starts = [k for k, token in enumerate(tokens) if token.start == found.start]
    rest = tokens[verb + 1 : verb + 1 + SENTENCE_END_REACH]
    closes = any(token.text in SENTENCE_END for token in rest) or len(rest) < SENTENCE_END_REACH
    return bool(starts) and starts[0] > 0 and tokens[starts[0] - 1].text == "," and closes
