"""Noun phrases around a speech verb: where a subject starts and ends, read backwards from
its verb (`Smith has also said`), forwards after it (`said Jake Sullivan, the adviser`), or
from the start of its sentence (`The billionaire businessman began`).
"""

from __future__ import annotations

from bot.pipeline.quotes.lexicon import (
    AUXILIARIES,
    CLAUSE_WORDS,
    DASHES,
    DESCRIPTION_END,
    DETERMINERS,
    INTRO_WORDS,
    NP_PREPOSITIONS,
    OPENING_PREPOSITIONS,
    PERSONAL_PRONOUNS,
    RELATIVE_PRONOUNS,
    SENTENCE_ADVERBS,
    SPEECH_VERBS,
    TELL_FORMS,
    THING_RELATIVES,
    WEEKDAYS,
)
from bot.pipeline.quotes.tokens import (
    Attribution,
    Token,
    frame_start,
    is_word,
    make,
    phrase,
)
from bot.pipeline.quotes.windows import (
    MAX_ADDRESSEE,
    MAX_DATELINE,
    MAX_PARENTHESIS,
    MAX_ROLE_WORDS,
    MAX_SENTENCE_SUBJECT,
    MAX_SUBJECT,
)
from bot.pipeline.quotes.words import (
    is_adverb,
    is_contracted,
    is_introductory,
    is_reduced_relative,
    is_time_phrase,
    is_verb,
    is_verb_like,
)


def skip_auxiliaries(tokens: list[Token], i: int) -> int:
    """Index of the last token before `i` that is not an auxiliary or parenthetical."""
    i -= 1
    while i >= 0:
        if tokens[i].lower in AUXILIARIES or is_adverb(tokens[i]):
            i -= 1
        elif tokens[i].text == ")":
            i = matching_open(tokens, i) - 1
        elif i > 0 and tokens[i].lower in WEEKDAYS and tokens[i - 1].lower == "on":
            i -= 2  # `Sanders on Saturday criticized`
        else:
            break
    return i


def matching_open(tokens: list[Token], close: int) -> int:
    """The "(" that the ")" at tokens[close] closes, or `close` when none is near."""
    for k in range(close - 1, max(-1, close - MAX_PARENTHESIS), -1):
        if tokens[k].text == "(":
            return k
    return close


def subject_before(tokens: list[Token], verb: int) -> tuple[int, int] | None:
    """Token range of the subject ending just before `verb`, reading backwards."""
    i = skip_auxiliaries(tokens, verb)
    end = i + 1
    if i >= 0 and tokens[i].lower in THING_RELATIVES:
        return _antecedent(tokens, i)
    if i >= 0 and tokens[i].lower in PERSONAL_PRONOUNS | RELATIVE_PRONOUNS:
        return (i, end)
    start = skip_leading(tokens, _phrase_start(tokens, end), end)
    return (start, end) if start < end and is_nominal(tokens, start, end) else None


def _antecedent(tokens: list[Token], relative: int) -> tuple[int, int]:
    """`the Washington Post, which hits liberals:` speaks through its antecedent; the
    relative pronoun itself when none stands before it."""
    k = relative - 1 if relative > 0 and tokens[relative - 1].text == "," else relative
    antecedent = subject_before(tokens, k) if k > 0 else None
    return antecedent if antecedent is not None else (relative, relative + 1)


def _phrase_start(tokens: list[Token], end: int) -> int:
    """Where the noun phrase ending at `end` starts, reading back over its words and
    parentheses to punctuation or a clause word."""
    i = end - 1
    while i >= 0 and end - i <= MAX_SUBJECT:
        token = tokens[i]
        if token.text == ")":
            i = matching_open(tokens, i) - 1
            continue
        if (not is_word(token) and token.text not in "'’") or _ends_phrase(token):
            break
        i -= 1
    return i + 1


def _ends_phrase(token: Token) -> bool:
    """A lower-case clause word, which no noun phrase holds: `that`, `when`; the
    prepositions of NP_PREPOSITIONS are held (`a spokesman for the ministry`)."""
    lower = token.lower
    return lower in CLAUSE_WORDS and lower not in NP_PREPOSITIONS and not token.capitalized


def is_nominal(tokens: list[Token], start: int, end: int) -> bool:
    """Whether tokens[start:end] can be a speaker: a name, pronoun or determined noun; not
    a sentence word (`Here`, `That’s`)."""
    first = tokens[start].lower
    if is_contracted(tokens[start]) or (end - start == 1 and first in SENTENCE_ADVERBS):
        return False
    if first in DETERMINERS or first in PERSONAL_PRONOUNS or first in RELATIVE_PRONOUNS:
        return True
    return any(token.capitalized for token in tokens[start:end])


def skip_leading(tokens: list[Token], start: int, end: int) -> int:
    """Drop a sentence-initial phrase such as "In an interview Smith" -> "Smith"."""
    first = tokens[start].lower if start < end else ""
    if first in CLAUSE_WORDS or first in INTRO_WORDS:
        for k in range(start + 1, end):
            if tokens[k].capitalized or tokens[k].lower in DETERMINERS | PERSONAL_PRONOUNS:
                return k
        return end
    return start


def subject_after(tokens: list[Token], verb: int) -> tuple[int, int] | None:
    """Token range of an inverted subject: `said Jake Sullivan, the adviser`."""
    i = verb + 1
    while i < len(tokens) and tokens[i].lower in AUXILIARIES:
        i += 1
    start = i
    end = _inverted_end(tokens, start)
    if end == start or not is_nominal(tokens, start, end):
        return None
    return (start, end)


def _inverted_end(tokens: list[Token], start: int) -> int:
    """Where an inverted subject opening at tokens[start] ends: at a clause word, a second
    verb, or a participle telling about it (`says the letter signed by ...`)."""
    i = start
    while i < len(tokens) and i - start < MAX_SUBJECT and is_word(tokens[i]):
        if _ends_phrase(tokens[i]):
            break
        if i > start and (is_verb(tokens, i) or is_reduced_relative(tokens, start, i)):
            break
        i += 1
    return i


def subject_end(tokens: list[Token], start: int) -> int:
    """End of the noun phrase at tokens[start]: a name, or a determiner and its nouns
    ("The billionaire businessman began"), or a pronoun."""
    first = tokens[start].lower if start < len(tokens) else ""
    if first in PERSONAL_PRONOUNS:
        return start + 1
    determined = first in DETERMINERS
    end = start
    while _goes_on(tokens, start, end):
        if end > start and tokens[start].capitalized and not tokens[end].capitalized:
            # "Hillary Clinton’s right-hand woman": a possessive determines what follows.
            determined = determined or tokens[end - 1].text.endswith(("'s", "’s"))
            after = _past_lower_case(tokens, start, end, determined)
            if after is None:
                break
            end = after
        else:
            end += 1
    return end


def _goes_on(tokens: list[Token], start: int, k: int) -> bool:
    """Whether the subject opening at tokens[start] may hold tokens[k]: a word within
    reach, and no auxiliary, speech verb or clause word (its predicate)."""
    if k >= len(tokens) or k - start >= MAX_SENTENCE_SUBJECT or not is_word(tokens[k]):
        return False
    lower = tokens[k].lower
    return not (lower in AUXILIARIES or is_verb(tokens, k) or lower in CLAUSE_WORDS)


def _past_lower_case(tokens: list[Token], start: int, k: int, determined: bool) -> int | None:
    """Where a capitalised subject goes on after the lower-case word at tokens[k]: at the
    name after a title ("Republican presidential candidate Donald Trump"), or past a noun
    of a determined phrase; None when the word is its verb."""
    titled = title_before_name(tokens, k)
    if titled > k:
        return titled
    if not determined or is_verb_like(tokens[k], k - start, adjective=k == start + 1):
        return None
    return k + 1


def title_before_name(tokens: list[Token], k: int) -> int:
    """Index of the name after a lower-case title run at tokens[k] ("presidential candidate
    Donald Trump"), or k when no capitalised name follows within three words."""
    j = k
    while j < len(tokens) and j - k < MAX_ROLE_WORDS and _lower_case_word(tokens[j]):
        if not _title_word(tokens[j]):
            return k
        j += 1
    named = k < j < len(tokens) and tokens[j].capitalized and is_word(tokens[j])
    return j if named else k


def _lower_case_word(token: Token) -> bool:
    """A word that does not start with a capital."""
    return is_word(token) and not token.capitalized


def _title_word(token: Token) -> bool:
    """A lower-case word that may be part of a title: no auxiliary, clause word, verb or
    determiner."""
    lower = token.lower
    if lower in AUXILIARIES or lower in CLAUSE_WORDS or is_verb_like(token, 0):
        return False
    return lower not in SPEECH_VERBS and lower not in DETERMINERS


def clause_opens(tokens: list[Token], start: int) -> bool:
    """Whether a subject followed by a lower-case word (its verb) starts at tokens[start]."""
    if start >= len(tokens):
        return False
    first = tokens[start]
    if first.lower in PERSONAL_PRONOUNS:
        return True
    if not first.capitalized or first.lower in CLAUSE_WORDS:
        return False
    end = subject_end(tokens, start)
    return start < end < len(tokens) and tokens[end].text[:1].islower()


def past_dateline(tokens: list[Token], start: int) -> int:
    """Skip `WASHINGTON, Dec. 8 (UPI) —`, a dateline opening the sentence."""
    first = tokens[start] if start < len(tokens) else None
    if first is None or not (first.text.isupper() and len(first.text) > 2):
        return start
    for k in range(start + 1, min(len(tokens), start + MAX_DATELINE)):
        if tokens[k].text in DASHES:
            return k + 1
    return start


def opening_phrase_end(tokens: list[Token]) -> int:
    """Where a sentence-opening phrase ends (`In a Facebook message posted Friday,`,
    `However,`), so its words are not read as the speaker; 0 when the sentence has none."""
    lead = frame_start(tokens)
    if lead >= len(tokens):
        return 0
    opening = tokens[lead].lower
    participle = opening.endswith("ing") and opening != "according"
    if opening not in OPENING_PREPOSITIONS and not participle and not is_time_phrase(tokens, lead):
        return 0
    comma = next((k for k in range(lead, len(tokens)) if tokens[k].text == ","), len(tokens))
    return comma + 1 if comma < len(tokens) - 1 else 0


def sentence_subject(text: str, tokens: list[Token], cue: str) -> Attribution | None:
    """The noun phrase opening the sentence, for `Smith hit back, saying “...”`."""
    start = _subject_start(tokens)
    end = subject_end(tokens, start)
    if end == start or not is_nominal(tokens, start, end):
        return None
    return make(text, tokens, (start, end), cue)


def _subject_start(tokens: list[Token]) -> int:
    """Where a sentence's subject starts: past a dateline, a contraction (`Here’s Clinton:`,
    `That’s when ...`) and an opening phrase."""
    start = past_dateline(tokens, frame_start(tokens))
    if start < len(tokens) and is_contracted(tokens[start]):
        start += 1
    return _past_opening_phrase(tokens, start)


def _past_opening_phrase(tokens: list[Token], start: int) -> int:
    """Past `In an interview,` / `However,` opening the sentence at tokens[start]: after
    the comma before a clause (`Speaking in Salem, New Hampshire, Trump went after Bush`:
    the one that opens with a subject and its verb), else after the first comma."""
    if start >= len(tokens) or not (
        is_introductory(tokens[start]) or is_time_phrase(tokens, start)
    ):
        return start
    commas = [k for k in range(start, len(tokens)) if tokens[k].text == ","]
    opens = [k for k in commas if clause_opens(tokens, k + 1)]
    return (opens or commas)[0] + 1 if commas else len(tokens)


def description_after(text: str, tokens: list[Token], end: int) -> str | None:
    """`, the national security adviser,` following an inverted subject."""
    if end >= len(tokens) or tokens[end].text != ",":
        return None
    k = end + 1
    while k < len(tokens) and tokens[k].text not in DESCRIPTION_END:
        k += 1
    return phrase(text, tokens, end + 1, k) if k > end + 1 else None


def cue_at(text: str, tokens: list[Token], verb: int) -> str:
    """The verb, with the addressee for "told": `told the Washington Post`."""
    end = verb + 1
    if tokens[verb].lower in TELL_FORMS:
        while end < len(tokens) and is_word(tokens[end]) and end - verb < MAX_ADDRESSEE:
            if tokens[end].lower in CLAUSE_WORDS and not tokens[end].capitalized:
                break
            end += 1
    return phrase(text, tokens, verb, end)
