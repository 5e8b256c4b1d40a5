"""Reading the frame after a closing mark: `, he said`, `, said Smith, a professor at MIT`,
`, according to the ministry`, `― Maria Lopez`.
"""

from __future__ import annotations

from dataclasses import replace

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
from bot.pipeline.quotes.tokens import (
    Attribution,
    Token,
    frame_start,
    is_word,
    make,
    tokenize,
)
from bot.pipeline.quotes.verbs import (
    according_to,
    before_verb,
    inverted_subject,
)
from bot.pipeline.quotes.windows import MAX_DESCRIPTION, MAX_SUBJECT
from bot.pipeline.quotes.words import is_verb


def after_quote(text: str, lo: int, hi: int) -> Attribution | None:
    """Attribution in the frame text[lo:hi] following a closing mark: `, he said`."""
    tokens = tokenize(text, lo, hi)
    lead = frame_start(tokens)
    if lead and tokens[lead - 1].text in DASHES:
        return _signature(text, tokens[lead - 1], tokens[lead:])
    tokens = tokens[lead:]
    if not tokens or tokens[0].lower in THING_RELATIVES:
        return None  # `“...” that recognized`: a clause about the quote itself
    if tokens[0].lower == "according":
        return according_to(text, tokens, 0)
    if is_verb(tokens, 0) and SPEECH_VERBS[tokens[0].lower] != PARTICIPLE:
        return inverted_subject(
            text, tokens, 0, cue_at(text, tokens, 0)
        )  # not `, saying he trusted`
    for i in range(1, min(len(tokens), MAX_SUBJECT + MAX_DESCRIPTION)):
        if tokens[i].text in SENTENCE_END or tokens[i].text in {";", ":"}:
            break
        if is_verb(tokens, i):
            found = before_verb(text, tokens, i)
            if found is not None and found.start != tokens[0].start:
                found = _whole_phrase(text, tokens, i) or found
            # The speaker must start the frame (`, Trump said`, `, as the memo put it`, not
            # `, and Trump vowed`) or end the sentence after a comma (`..., Trump said.`).
            if found is not None and (
                found.start == tokens[0].start
                or (tokens[0].lower == "as" and found.start == tokens[1].start)
                or text.startswith(found.description or "\0", tokens[0].start)
                or _ends_sentence(tokens, i, found)
            ):
                return found
            if found is not None and found.speaker.lower() in RELATIVE_PRONOUNS:
                continue  # `, Cruz, who has proposed ..., said`: read on to the main verb
            # `“...” in the 2008 primary, said Paul Beck.`: a quote inside the sentence.
            return _late_inverted(text, tokens, i)
    return _any_verb(text, tokens)


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
    if found is None or not any(
        t.capitalized for t in tokens if found.start <= t.start < found.end
    ):
        return None
    rest = [t for t in tokens if t.start >= found.end]
    return found if not rest or rest[0].text in {",", ".", ";"} else None


def _ends_sentence(tokens: list[Token], verb: int, found: Attribution) -> bool:
    starts = [k for k, token in enumerate(tokens) if token.start == found.start]
    rest = tokens[verb + 1 : verb + 4]
    closes = any(token.text in SENTENCE_END for token in rest) or len(rest) < 3
    return bool(starts) and starts[0] > 0 and tokens[starts[0] - 1].text == "," and closes


def _signature(text: str, dash: Token, tokens: list[Token]) -> Attribution | None:
    """`“...” ― Maria Lopez, 34`: a name signed after a dash, ending the paragraph."""
    end = 0
    while end < len(tokens) and end < 5 and tokens[end].capitalized:
        end += 1
    rest = tokens[end:]
    if end == 0 or (rest and rest[0].text not in {",", "."}):
        return None
    found = make(text, tokens, (0, end), dash.text)
    return replace(found, description=description_after(text, tokens, end))


def _any_verb(text: str, tokens: list[Token]) -> Attribution | None:
    """`, Hannity pressed`: a name and a past-tense verb we do not list, right after a quote."""
    first = tokens[0]
    if not first.capitalized and first.lower.endswith("ed") and len(first.text) > 3:
        # `“...” beamed Donald Hartley of Madison,`: an inverted name after the verb.
        end = 1
        while end < len(tokens) and end < 5 and tokens[end].capitalized:
            end += 1
        rest = tokens[end].text if end < len(tokens) else "."
        if end > 2 and rest in {",", ".", "of"}:
            return make(text, tokens, (1, end), first.text)
        return None
    for i in range(1, min(len(tokens), 5)):
        token = tokens[i]
        if not token.capitalized and token.lower.endswith("ed") and len(token.text) > 3:
            span = subject_before(tokens, i)
            if span == (0, i) and (i == 1 or all(t.capitalized for t in tokens[:i])):
                return make(text, tokens, span, token.text)
            return None
        if not (is_word(token) and token.capitalized):
            return None
    return None
