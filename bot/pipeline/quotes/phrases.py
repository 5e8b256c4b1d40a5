"""Noun phrases around a speech verb: where a subject starts and ends, read backwards from
its verb (`Smith has also said`), forwards after it (`said Jake Sullivan, the adviser`), or
from the start of its sentence (`The billionaire businessman began`).
"""

from __future__ import annotations

from bot.pipeline.quotes.lexicon import (
    AUXILIARIES,
    CLAUSE_WORDS,
    DASHES,
    DETERMINERS,
    INTRO_WORDS,
    NP_PREPOSITIONS,
    OPENING_PREPOSITIONS,
    PERSONAL_PRONOUNS,
    RELATIVE_PRONOUNS,
    SENTENCE_ADVERBS,
    SPEECH_VERBS,
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
from bot.pipeline.quotes.windows import MAX_SUBJECT
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
    for k in range(close - 1, max(-1, close - 12), -1):
        if tokens[k].text == "(":
            return k
    return close


def subject_before(tokens: list[Token], verb: int) -> tuple[int, int] | None:
    """Token range of the subject ending just before `verb`, reading backwards."""
    i = skip_auxiliaries(tokens, verb)
    end = i + 1
    if i >= 0 and tokens[i].lower in THING_RELATIVES:
        # `the Washington Post, which hits liberals:` speaks through its antecedent.
        k = i - 1 if i > 0 and tokens[i - 1].text == "," else i
        antecedent = subject_before(tokens, k) if k > 0 else None
        return antecedent if antecedent is not None else (i, end)
    if i >= 0 and tokens[i].lower in PERSONAL_PRONOUNS | RELATIVE_PRONOUNS:
        return (i, end)
    while i >= 0 and end - i <= MAX_SUBJECT:
        token = tokens[i]
        if token.text == ")":
            i = matching_open(tokens, i) - 1
            continue
        if not is_word(token) and token.text not in "'’":
            break
        lower = token.lower
        if lower in CLAUSE_WORDS and lower not in NP_PREPOSITIONS and not token.capitalized:
            break
        i -= 1
    start = skip_leading(tokens, i + 1, end)
    return (start, end) if start < end and is_nominal(tokens, start, end) else None


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
    while i < len(tokens) and i - start < MAX_SUBJECT and is_word(tokens[i]):
        lower = tokens[i].lower
        if lower in CLAUSE_WORDS and lower not in NP_PREPOSITIONS and not tokens[i].capitalized:
            break
        if i > start and (is_verb(tokens, i) or is_reduced_relative(tokens, start, i)):
            break
        i += 1
    if i == start or not is_nominal(tokens, start, i):
        return None
    return (start, i)


def subject_end(tokens: list[Token], start: int) -> int:
    """End of the noun phrase at tokens[start]: a name, or a determiner and its nouns
    ("The billionaire businessman began"), or a pronoun."""
    if start < len(tokens) and tokens[start].lower in PERSONAL_PRONOUNS:
        return start + 1
    determined = start < len(tokens) and tokens[start].lower in DETERMINERS
    end = start
    while end < len(tokens) and end - start < 8 and is_word(tokens[end]):
        token = tokens[end]
        if token.lower in AUXILIARIES or is_verb(tokens, end) or token.lower in CLAUSE_WORDS:
            break
        if end > start and not token.capitalized and tokens[start].capitalized:
            # "Hillary Clinton’s right-hand woman": a possessive determines what follows.
            determined = determined or tokens[end - 1].text.endswith(("'s", "’s"))
            titled = title_before_name(tokens, end)
            if titled > end:  # "Republican presidential candidate Donald Trump"
                end = titled
                continue
            if not determined or is_verb_like(token, end - start, adjective=end == start + 1):
                break
        end += 1
    return end


def title_before_name(tokens: list[Token], k: int) -> int:
    """Index of the name after a lower-case title run at tokens[k] ("presidential candidate
    Donald Trump"), or k when no capitalised name follows within three words."""
    j = k
    while j < len(tokens) and j - k < 3 and is_word(tokens[j]) and not tokens[j].capitalized:
        lower = tokens[j].lower
        if lower in AUXILIARIES or lower in CLAUSE_WORDS or is_verb_like(tokens[j], 0):
            return k
        if lower in SPEECH_VERBS or lower in DETERMINERS:
            return k
        j += 1
    if j == k or j >= len(tokens) or not tokens[j].capitalized or not is_word(tokens[j]):
        return k
    return j


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
    for k in range(start + 1, min(len(tokens), start + 12)):
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
    start = past_dateline(tokens, frame_start(tokens))
    if start < len(tokens) and is_contracted(tokens[start]):
        start += 1  # `Here’s Clinton:`, `That’s when ...`
    if start < len(tokens) and (is_introductory(tokens[start]) or is_time_phrase(tokens, start)):
        commas = [k for k in range(start, len(tokens)) if tokens[k].text == ","]
        # `Speaking in Salem, New Hampshire, Trump went after Bush`: the clause after the
        # comma that opens with a subject and its verb.
        opens = [k for k in commas if clause_opens(tokens, k + 1)]
        start = (opens or commas)[0] + 1 if commas else len(tokens)
    end = subject_end(tokens, start)
    if end == start or not is_nominal(tokens, start, end):
        return None
    return make(text, tokens, (start, end), cue)


def description_after(text: str, tokens: list[Token], end: int) -> str | None:
    """`, the national security adviser,` following an inverted subject."""
    if end >= len(tokens) or tokens[end].text != ",":
        return None
    k = end + 1
    while k < len(tokens) and tokens[k].text not in {",", ";", ".", "(", ")", "—", "–"}:
        k += 1
    return phrase(text, tokens, end + 1, k) if k > end + 1 else None


def cue_at(text: str, tokens: list[Token], verb: int) -> str:
    """The verb, with the addressee for "told": `told the Washington Post`."""
    end = verb + 1
    if tokens[verb].lower in {"told", "tell", "tells", "telling"}:
        while end < len(tokens) and is_word(tokens[end]) and end - verb < 6:
            if tokens[end].lower in CLAUSE_WORDS and not tokens[end].capitalized:
                break
            end += 1
    return phrase(text, tokens, verb, end)
