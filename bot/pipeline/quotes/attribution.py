"""Who said a quote: reading the speaker and cue from the words around its marks.

A frame is the unquoted text next to a quote within its sentence. After a quote the speaker
comes as `, he said` / `, said Smith, a professor at MIT` / `, according to the ministry`;
before it as `Smith said:` / `According to Smith,` / `Smith acknowledged that it will “...”`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from itertools import pairwise

from bot.pipeline.quotes.lexicon import (
    AUXILIARIES,
    BASE,
    CLAUSE_WORDS,
    DETERMINERS,
    NAME_PARTICLES,
    NAMING_VERBS,
    NP_PREPOSITIONS,
    PARTICIPLE,
    PERSONAL_PRONOUNS,
    REFERRING_VERBS,
    RELATIVE_PRONOUNS,
    SENTENCE_ADVERBS,
    SPEECH_VERBS,
    STAND_INS,
    word_set,
)

# Abbreviations keep their full stop so that a "." token always ends a sentence.
_ABBREVIATIONS = (
    "Mr|Mrs|Ms|Dr|Sen|Rep|Reps|Sens|Gov|Gen|Lt|Col|Sgt|Capt|Adm|Cmdr|Maj|Rev|Fr|St|Jr|Sr|Prof"
    "|Pres|Sec|Atty|Supt|Hon|Del|Mt|Ft|Inc|Corp|Co|Ltd|No|Jan|Feb|Aug|Sept|Oct|Nov|Dec|vs|etc"
)
_STATES = (
    "Ala|Ariz|Ark|Calif|Colo|Conn|Del|Fla|Ga|Ill|Ind|Kan|Ky|La|Md|Mass|Mich|Minn|Miss|Mo"
    "|Mont|Neb|Nev|Okla|Ore|Pa|Tenn|Tex|Va|Vt|Wash|Wis|Wyo"
)
_TOKEN = re.compile(
    rf"(?:[A-Za-z]\.){{2,}}|[A-Z]\.(?= [A-Z])|(?:{_ABBREVIATIONS})\."
    r"|[DRI]-[A-Z][a-z]{1,4}\.(?=,)"  # party tags: "McConnell, R-Ky., said"
    rf"|(?:{_STATES})\.(?=,)"  # "a teacher in Allentown, Pa., said"
    r"|\w+(?:['’.\-&/]\w+)*(?:\.(?=\)))?"  # words; "(D-Mo.)" keeps its full stop
    r"|[^\w\s]"
)
_SENTENCE_END = frozenset({".", "!", "?"})
_MAX_SUBJECT = 14
_MAX_DESCRIPTION = 28
_PUNCT_STOP = frozenset(",;:()[]—–-.!?\"“”'‘’")


@dataclass(frozen=True, slots=True)
class Token:
    """A token of the text, with its offsets into it."""

    text: str
    start: int
    end: int

    @property
    def lower(self) -> str:
        """Lower-cased, without a final period (`Sen.` is `sen`)."""
        return self.text.lower().rstrip(".")

    @property
    def capitalized(self) -> bool:
        """Whether it starts with a capital."""
        return self.text[:1].isupper()


@dataclass(frozen=True, slots=True)
class Attribution:
    """A speaker phrase as written, with its offsets, the cue and any description."""

    speaker: str
    start: int
    end: int
    cue: str
    description: str | None = None


def tokenize(text: str, lo: int, hi: int) -> list[Token]:
    """The tokens of `text[lo:hi]`, with offsets into `text`."""
    return [Token(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(text, lo, hi)]


def _is_verb(tokens: list[Token], i: int) -> bool:
    """Whether tokens[i] is a speech verb here, not a noun ("the report", "one point")."""
    token = tokens[i]
    form = SPEECH_VERBS.get(token.lower)
    if form is None or (token.capitalized and token.lower not in _SAY):
        return False
    prev = tokens[i - 1].lower if i > 0 else ""
    if prev in DETERMINERS or prev == "of":
        return False
    if form == PARTICIPLE and i > 0 and _possessive(tokens[i - 1]):
        return False  # a gerund: `from Smith’s declaring an end to`
    if form == BASE:  # "they say", "will argue", "Democrats claim"; not "a claim"
        return prev in _BASE_SUBJECTS or prev in AUXILIARIES or prev.endswith("s")
    return True


_SAY = frozenset({"said", "says", "say", "told", "tells", "added", "wrote", "asked"})
_BASE_SUBJECTS = frozenset({"i", "we", "you", "they", "who", "to"})


def _phrase(text: str, tokens: list[Token], i: int, j: int) -> str:
    return text[tokens[i].start : tokens[j - 1].end]


def _is_word(token: Token) -> bool:
    return token.text[:1].isalnum()


def _skip_auxiliaries(tokens: list[Token], i: int) -> int:
    """Index of the last token before `i` that is not an auxiliary or parenthetical."""
    i -= 1
    while i >= 0:
        if tokens[i].lower in AUXILIARIES or _is_adverb(tokens[i]):
            i -= 1
        elif tokens[i].text == ")":
            i = _matching_open(tokens, i) - 1
        elif i > 0 and tokens[i].lower in _WEEKDAYS and tokens[i - 1].lower == "on":
            i -= 2  # `Sanders on Saturday criticized`
        else:
            break
    return i


_WEEKDAYS = word_set("monday tuesday wednesday thursday friday saturday sunday")


def _is_adverb(token: Token) -> bool:
    return token.text.endswith("ly") and token.text.islower() and len(token.text) > 4


def _matching_open(tokens: list[Token], close: int) -> int:
    for k in range(close - 1, max(-1, close - 12), -1):
        if tokens[k].text == "(":
            return k
    return close


def _subject_before(tokens: list[Token], verb: int) -> tuple[int, int] | None:
    """Token range of the subject ending just before `verb`, reading backwards."""
    i = _skip_auxiliaries(tokens, verb)
    end = i + 1
    if i >= 0 and tokens[i].lower in _THING_RELATIVES:
        # `the Washington Post, which hits liberals:` speaks through its antecedent.
        k = i - 1 if i > 0 and tokens[i - 1].text == "," else i
        antecedent = _subject_before(tokens, k) if k > 0 else None
        return antecedent if antecedent is not None else (i, end)
    if i >= 0 and tokens[i].lower in PERSONAL_PRONOUNS | RELATIVE_PRONOUNS:
        return (i, end)
    while i >= 0 and end - i <= _MAX_SUBJECT:
        token = tokens[i]
        if token.text == ")":
            i = _matching_open(tokens, i) - 1
            continue
        if not _is_word(token) and token.text not in "'’":
            break
        lower = token.lower
        if lower in CLAUSE_WORDS and lower not in NP_PREPOSITIONS and not token.capitalized:
            break
        i -= 1
    start = _skip_leading(tokens, i + 1, end)
    return (start, end) if start < end and _nominal(tokens, start, end) else None


_THING_RELATIVES = frozenset({"which", "that"})


def _nominal(tokens: list[Token], start: int, end: int) -> bool:
    """Whether tokens[start:end] can be a speaker: a name, pronoun or determined noun; not
    a sentence word (`Here`, `That’s`)."""
    first = tokens[start].lower
    if _contracted(tokens[start]) or (end - start == 1 and first in SENTENCE_ADVERBS):
        return False
    if first in DETERMINERS or first in PERSONAL_PRONOUNS or first in RELATIVE_PRONOUNS:
        return True
    return any(token.capitalized for token in tokens[start:end])


def _contracted(token: Token) -> bool:
    """`That’s`, `it's`, `There’s`: a pronoun or sentence word with its verb."""
    head, _, clitic = token.lower.replace("’", "'").partition("'")
    return bool(clitic) and head in STAND_INS


def _possessive(token: Token) -> bool:
    return token.text.endswith(("'s", "’s", "s'", "s’")) or token.text in {"'", "’"}


def _skip_leading(tokens: list[Token], start: int, end: int) -> int:
    """Drop a sentence-initial phrase such as "In an interview Smith" -> "Smith"."""
    first = tokens[start].lower if start < end else ""
    if first in CLAUSE_WORDS or first in _INTRO_WORDS:
        for k in range(start + 1, end):
            if tokens[k].capitalized or tokens[k].lower in DETERMINERS | PERSONAL_PRONOUNS:
                return k
        return end
    return start


_INTRO_WORDS = word_set("but and so yet then now still also later ever")


def _appositive_subject(text: str, tokens: list[Token], verb: int) -> Attribution | None:
    """`Smith, 67, a professor at MIT, said`: a name before a comma-enclosed description;
    also `the White House spokesman, Josh Earnest, said` (a description, then the name)
    and `Steve Cohen, Democrat of Tennessee, said` (a capitalised description)."""
    i = _skip_auxiliaries(tokens, verb)
    if i < 0 or tokens[i].text != "," or tokens[verb].lower.endswith("ing"):
        return None  # `Trump went after Bush, calling him`: a participle, no appositive
    cue = _cue(text, tokens, verb)
    named_last = _described_name(text, tokens, i, cue)
    if named_last is not None:
        return named_last
    # The comma closing `However,` or `In a statement Friday,` opens no description.
    lo = max(0, i - _MAX_DESCRIPTION, _opening_phrase_end(tokens))
    for k in range(lo, i - 1):
        if tokens[k].text != ",":
            continue
        plain = _describes(tokens, k + 1)
        if not plain and not _capitalized_description(tokens, k + 1, i):
            continue
        span = _subject_before(tokens, k)
        if span is None or not any(t.capitalized for t in tokens[span[0] : span[1]]):
            continue
        if not plain and (span[0] > 0 and tokens[span[0] - 1].lower in CLAUSE_WORDS):
            continue  # "In Iowa, Smith, ..." is no "Iowa"
        found = _make(text, tokens, span, cue)
        return replace(found, description=_phrase(text, tokens, k + 1, i))
    return None


def _describes(tokens: list[Token], k: int) -> bool:
    """Whether a description may open at tokens[k]: "a professor", "67", "Sanders' aide"."""
    token = tokens[k]
    possessive = token.text.endswith(("'s", "’s")) or (
        k + 1 < len(tokens) and tokens[k + 1].text in {"'", "’"}
    )
    return not token.capitalized or token.lower in DETERMINERS or possessive


_PARTY_TAG = re.compile(r"^[DRI]-[A-Z][A-Za-z.]*$")


def _capitalized_description(tokens: list[Token], lo: int, hi: int) -> bool:
    """`Democrat of Tennessee`, `R-Ky.`, `Mr. Obama's deputy adviser`: a description that
    opens with a capital but is no bare name (it holds a lower-case word or a party tag)."""
    words = tokens[lo:hi]
    if words and words[-1].text == ".":  # "R-Ky." ends in a full stop token
        words = words[:-1]
    if not words or any(t.text in _SENTENCE_END for t in words):
        return False
    if len(words) == 1 and _PARTY_TAG.match(words[0].text):
        return True
    lower = [k for k, t in enumerate(words) if _is_word(t) and not t.capitalized]
    if not lower:
        return False
    # "Democrat of Tennessee", "Mr. Obama's deputy adviser", "Sanders' campaign manager";
    # not a clause such as "Trump returned the compliment".
    first = lower[0]
    possessive = any(
        t.text.endswith(("'s", "’s")) or t.text in {"'", "’"} for t in words[: first + 1]
    )
    return possessive or words[first].lower in NP_PREPOSITIONS


def _is_name(tokens: list[Token]) -> bool:
    """A short run of capitalised words (and initials) such as "James B. Comey"."""
    if not 2 <= len(tokens) <= 5:
        return False
    if any(not (t.capitalized or t.lower in NAME_PARTICLES) for t in tokens):
        return False
    return not any(t.lower in DETERMINERS or _PARTY_TAG.match(t.text) for t in tokens)


def _described_name(text: str, tokens: list[Token], comma: int, cue: str) -> Attribution | None:
    """`the White House spokesman, Josh Earnest, said`: the name closing the subject."""
    k = comma - 1
    while k >= 0 and tokens[k].text != "," and comma - k <= 6:
        k -= 1
    if k < 1 or tokens[k].text != "," or not _is_name(tokens[k + 1 : comma]):
        return None
    described = _subject_before(tokens, k)
    if described is None:
        return None
    words = tokens[described[0] : k]
    if words[0].lower not in DETERMINERS and not any(
        _is_word(t) and not t.capitalized for t in words
    ):
        return None  # "Smith, Jones, said" lists two names
    found = _make(text, tokens, (k + 1, comma), cue)
    return replace(found, description=_phrase(text, tokens, described[0], k))


def _subject_after(tokens: list[Token], verb: int) -> tuple[int, int] | None:
    """Token range of an inverted subject: `said Jake Sullivan, the adviser`."""
    i = verb + 1
    while i < len(tokens) and tokens[i].lower in AUXILIARIES:
        i += 1
    start = i
    while i < len(tokens) and i - start < _MAX_SUBJECT and _is_word(tokens[i]):
        lower = tokens[i].lower
        if lower in CLAUSE_WORDS and lower not in NP_PREPOSITIONS and not tokens[i].capitalized:
            break
        if i > start and (_is_verb(tokens, i) or _reduced_relative(tokens, start, i)):
            break
        i += 1
    if i == start or not _nominal(tokens, start, i):
        return None
    return (start, i)


def _reduced_relative(tokens: list[Token], start: int, i: int) -> bool:
    """`says the letter signed by ...`: an -ed word after a determined noun tells about it;
    `the retired neurosurgeon`, `a spokesman for the embattled firm` keep theirs."""
    token, before = tokens[i], tokens[i - 1]
    if tokens[start].lower not in DETERMINERS or i < start + 2:
        return False
    if not (token.text.islower() and token.lower.endswith("ed")):
        return False
    noun = before.text.islower() and not before.lower.endswith("ly")
    return noun and before.lower not in DETERMINERS and before.lower not in NP_PREPOSITIONS


def _description_after(text: str, tokens: list[Token], end: int) -> str | None:
    """`, the national security adviser,` following an inverted subject."""
    if end >= len(tokens) or tokens[end].text != ",":
        return None
    k = end + 1
    while k < len(tokens) and tokens[k].text not in {",", ";", ".", "(", ")", "—", "–"}:
        k += 1
    return _phrase(text, tokens, end + 1, k) if k > end + 1 else None


def _cue(text: str, tokens: list[Token], verb: int) -> str:
    """The verb, with the addressee for "told": `told the Washington Post`."""
    end = verb + 1
    if tokens[verb].lower in {"told", "tell", "tells", "telling"}:
        while end < len(tokens) and _is_word(tokens[end]) and end - verb < 6:
            if tokens[end].lower in CLAUSE_WORDS and not tokens[end].capitalized:
                break
            end += 1
    return _phrase(text, tokens, verb, end)


def _make(text: str, tokens: list[Token], span: tuple[int, int], cue: str) -> Attribution:
    start, end = span
    speaker = _phrase(text, tokens, start, end)
    return Attribution(speaker, tokens[start].start, tokens[end - 1].end, cue)


def _inverted(text: str, tokens: list[Token], verb: int, cue: str) -> Attribution | None:
    span = _subject_after(tokens, verb)
    if span is None:
        return None
    found = _make(text, tokens, span, cue)
    return replace(found, description=_description_after(text, tokens, span[1]))


def _according_to(text: str, tokens: list[Token], at: int) -> Attribution | None:
    if at + 2 >= len(tokens) or tokens[at + 1].lower != "to":
        return None
    return _inverted(text, tokens, at + 1, _phrase(text, tokens, at, at + 2))


def _before_verb(text: str, tokens: list[Token], verb: int) -> Attribution | None:
    """The subject preceding a speech verb, possibly with an appositive description."""
    if _passive(tokens, verb):  # `Trump was asked by host Bill Maher,`: the asker speaks
        by = verb + 1
        if by < len(tokens) and tokens[by].lower == "by":
            return _inverted(text, tokens, by, _cue(text, tokens, verb))
        return None
    appositive = _appositive_subject(text, tokens, verb)
    if appositive is not None:
        return appositive
    span = _subject_before(tokens, verb)
    return None if span is None else _make(text, tokens, span, _cue(text, tokens, verb))


_ASKED = word_set("asked told pressed questioned challenged")
_TO_BE = word_set("is are was were be been being get gets got")


def _passive(tokens: list[Token], verb: int) -> bool:
    """`was asked`, `were told`: the subject is who was spoken to."""
    return verb > 0 and tokens[verb].lower in _ASKED and tokens[verb - 1].lower in _TO_BE


def _names_a_thing(tokens: list[Token], verb: int) -> bool:
    """`HP is called “`, `a radio show called “`, `refers to plans for a “`: the marks
    hold a name or a term, and the subject is not saying it. `tokens` end at the mark."""
    lower = tokens[verb].lower
    if lower in REFERRING_VERBS:
        return all(token.lower != "as" for token in tokens[verb + 1 :])
    if lower not in NAMING_VERBS or verb == 0:
        return False
    before = tokens[verb - 1]
    if before.lower in _TO_BE or before.text.endswith(("'s", "’s")):
        return True  # passive: `it is called`, `what’s called`
    at_mark = [token.lower for token in tokens[verb + 1 :]] in ([], ["as"])
    relative = any(token.lower in _OBJECT_RELATIVES for token in tokens[max(0, verb - 6) : verb])
    common_noun = before.text.isalpha() and before.text.islower()
    subject = before.lower in PERSONAL_PRONOUNS or before.lower in AUXILIARIES  # `he has dubbed`
    return at_mark and common_noun and not subject and not relative


# `what lawmakers called “`: the object of the naming verb, said by its subject.
_OBJECT_RELATIVES = word_set("what which whom who that")


# What may stand between a closing mark and the attribution ("'" is left of a "'''").
_LEADING = frozenset({",", "—", "―", "–", "-", "(", "!", "?", "'", "’"})


def _lead(tokens: list[Token]) -> int:
    lead = 0
    while lead < len(tokens) and tokens[lead].text in _LEADING:
        lead += 1
    return lead


def after_quote(text: str, lo: int, hi: int) -> Attribution | None:
    """Attribution in the frame text[lo:hi] following a closing mark: `, he said`."""
    tokens = tokenize(text, lo, hi)
    lead = _lead(tokens)
    if lead and tokens[lead - 1].text in _DASHES:
        return _signature(text, tokens[lead - 1], tokens[lead:])
    tokens = tokens[lead:]
    if not tokens or tokens[0].lower in _THING_RELATIVES:
        return None  # `“...” that recognized`: a clause about the quote itself
    if tokens[0].lower == "according":
        return _according_to(text, tokens, 0)
    if _is_verb(tokens, 0) and SPEECH_VERBS[tokens[0].lower] != PARTICIPLE:
        return _inverted(text, tokens, 0, _cue(text, tokens, 0))  # not `, saying he trusted`
    for i in range(1, min(len(tokens), _MAX_SUBJECT + _MAX_DESCRIPTION)):
        if tokens[i].text in _SENTENCE_END or tokens[i].text in {";", ":"}:
            break
        if _is_verb(tokens, i):
            found = _before_verb(text, tokens, i)
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
    end = _skip_auxiliaries(tokens, verb) + 1
    if end < 2 or tokens[0].lower not in DETERMINERS:
        return None
    words = tokens[:end]
    if any(not _is_word(t) or _is_verb(tokens, k) for k, t in enumerate(words)):
        return None
    if any(t.lower in CLAUSE_WORDS and t.lower not in _NP_LINKS for t in words):
        return None
    return _make(text, tokens, (0, end), _cue(text, tokens, verb))


_NP_LINKS = frozenset({"of", "for", "at", "from", "in", "on", "with"})


def _late_inverted(text: str, tokens: list[Token], verb: int) -> Attribution | None:
    """`..., said Paul Beck.` closing a sentence that holds the quote."""
    if tokens[verb - 1].text != "," or tokens[verb].lower not in _SAY:
        return None
    found = _inverted(text, tokens, verb, _cue(text, tokens, verb))
    if found is None or not any(
        t.capitalized for t in tokens if found.start <= t.start < found.end
    ):
        return None
    rest = [t for t in tokens if t.start >= found.end]
    return found if not rest or rest[0].text in {",", ".", ";"} else None


def _ends_sentence(tokens: list[Token], verb: int, found: Attribution) -> bool:
    starts = [k for k, token in enumerate(tokens) if token.start == found.start]
    rest = tokens[verb + 1 : verb + 4]
    closes = any(token.text in _SENTENCE_END for token in rest) or len(rest) < 3
    return bool(starts) and starts[0] > 0 and tokens[starts[0] - 1].text == "," and closes


_DASHES = frozenset({"—", "―", "–", "-"})


def _signature(text: str, dash: Token, tokens: list[Token]) -> Attribution | None:
    """`“...” ― Maria Lopez, 34`: a name signed after a dash, ending the paragraph."""
    end = 0
    while end < len(tokens) and end < 5 and tokens[end].capitalized:
        end += 1
    rest = tokens[end:]
    if end == 0 or (rest and rest[0].text not in {",", "."}):
        return None
    found = _make(text, tokens, (0, end), dash.text)
    return replace(found, description=_description_after(text, tokens, end))


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
            return _make(text, tokens, (1, end), first.text)
        return None
    for i in range(1, min(len(tokens), 5)):
        token = tokens[i]
        if not token.capitalized and token.lower.endswith("ed") and len(token.text) > 3:
            span = _subject_before(tokens, i)
            if span == (0, i) and (i == 1 or all(t.capitalized for t in tokens[:i])):
                return _make(text, tokens, span, token.text)
            return None
        if not (_is_word(token) and token.capitalized):
            return None
    return None


def before_quote(text: str, sentence_lo: int, lo: int, hi: int) -> Attribution | None:
    """Attribution in text[lo:hi] preceding an opening mark: `Smith said:`, `According to X,`.

    `sentence_lo` is where the paragraph starts: the subject of a participle (`Smith hit
    back, saying “...”`) may stand before an earlier quote in the same sentence.
    """
    tokens = _sentence_before(text, sentence_lo, hi)
    first = next((i for i, token in enumerate(tokens) if token.start >= lo), len(tokens))
    adjacent = _verb_at_mark(tokens)
    if adjacent >= first:  # `When Clinton noted that ..., Trump boasted, “`
        found, direct = _at_verb(text, tokens, adjacent)
        if found is not None and direct:
            return found
    first = max(first, _opening_phrase_end(tokens))
    shared: Attribution | None = None
    for i in range(first, len(tokens)):
        found, direct = _at_verb(text, tokens, i)
        if found is not None and direct:
            return found
        shared = shared or found
    if shared is None and tokens and tokens[-1].text == ":":
        return _name_before_colon(text, tokens) or _colon_subject(text, tokens)
    return shared


# How far back (characters) the sentence before a mark is looked for: first, and at most.
# Straight quotes can hide every full stop of a paragraph (the text between two quotes
# counts as quoted), so a "sentence" may run back far; past the limit it is read from there.
_SENTENCE_REACH = 400
_SENTENCE_REACH_MAX = 1600
_BLANK = re.compile(r"\s")


def _sentence_before(text: str, paragraph_lo: int, hi: int) -> list[Token]:
    """The unquoted tokens of the last sentence in text[paragraph_lo:hi], read back from
    `hi` in growing windows rather than from the paragraph's start: one long paragraph
    with many quotes would otherwise be tokenized whole for each of them.

    The same as `_last_sentence(_unquoted(tokenize(text, paragraph_lo, hi)))`: a window
    starts at white space, which no token holds, so its tokens are the paragraph's; whether
    a token is quoted depends only on the marks around it, so it is known from the window's
    first mark on, and a sentence end found there is the paragraph's last one.
    """
    reach = _SENTENCE_REACH
    while True:
        lo = paragraph_lo
        if hi - reach > paragraph_lo:
            blank = _BLANK.search(text, hi - reach, hi)
            lo = blank.start() if blank else hi
        tokens = _unquoted(tokenize(text, lo, hi))
        marks = [token.start for token in tokens if token.text in _QUOTE_MARKS]
        known_from = marks[0] if marks else lo
        ends = [k for k, token in enumerate(tokens) if token.text in _SENTENCE_END]
        found = bool(ends) and tokens[ends[-1]].start >= known_from
        if found or lo == paragraph_lo or reach >= _SENTENCE_REACH_MAX:
            return tokens[ends[-1] + 1 :] if ends else tokens
        reach *= 4


def _unquoted(tokens: list[Token]) -> list[Token]:
    """The tokens outside quote marks, the marks kept: the words of an earlier quote in the
    paragraph are no subject (`“He could have ...,” Smith, her husband, said, “`). A full
    stop ending a quote is kept: it ends the sentence too."""
    marks = [k for k, token in enumerate(tokens) if token.text in _QUOTE_MARKS]
    quoted: set[int] = set()
    for opening, closing in pairwise(marks):
        if tokens[opening].text != "”" and tokens[closing].text != "“" and opening not in quoted:
            last = closing - 1 if tokens[closing - 1].text in _SENTENCE_END else closing
            quoted.update(range(opening + 1, last))
    return [token for k, token in enumerate(tokens) if k not in quoted]


# `Sullivan on Tuesday:` has a few words after its subject.
_COLON_TAIL = 4


def _colon_subject(text: str, tokens: list[Token]) -> Attribution | None:
    """`Sullivan on Tuesday:`, `Respondents are told:`; not a sentence that runs on to its
    colon from a word the article also writes in lower case (`Trust the process, keep the
    faith:`), unless a plural noun."""
    found = _sentence_subject(text, tokens, ":")
    if found is None or " " in found.speaker or found.speaker.endswith("s"):
        return found
    tail = [token for token in tokens if token.start >= found.end]
    common = re.search(rf"\b{re.escape(found.speaker.lower())}\b", text)
    return None if common and len(tail) > _COLON_TAIL else found


def _verb_at_mark(tokens: list[Token]) -> int:
    """Index of a finite speech verb right before the opening mark (`Trump said, “`), or -1;
    a participle (`issued a statement saying, “`) shares its sentence's subject instead."""
    verb = len(tokens) - 2
    if verb < 0 or tokens[-1].text not in {",", ":"} or tokens[verb].lower.endswith("ing"):
        return -1
    return verb if _is_verb(tokens, verb) else -1


_OPENING_PREPOSITIONS = word_set(
    "in on at during after before following with from by under since despite amid among"
)


def _opening_phrase_end(tokens: list[Token]) -> int:
    """Where a sentence-opening phrase ends (`In a Facebook message posted Friday,`,
    `However,`), so its words are not read as the speaker; 0 when the sentence has none."""
    lead = _lead(tokens)
    if lead >= len(tokens):
        return 0
    opening = tokens[lead].lower
    participle = opening.endswith("ing") and opening != "according"
    if opening not in _OPENING_PREPOSITIONS and not participle and not _time_phrase(tokens, lead):
        return 0
    comma = next((k for k in range(lead, len(tokens)) if tokens[k].text == ","), len(tokens))
    return comma + 1 if comma < len(tokens) - 1 else 0


def _name_before_colon(text: str, tokens: list[Token]) -> Attribution | None:
    """`Pollsters agree - Carl Bialik:` / `More from Smith and Jones:`: a name right
    before the colon, set off from what precedes it by a dash or "from"."""
    end = len(tokens) - 1
    k = end
    while (
        k > 0
        and end - k < 6
        and (
            (tokens[k - 1].capitalized and _is_word(tokens[k - 1])) or tokens[k - 1].lower == "and"
        )
    ):
        k -= 1
    if k == end or k == 0 or not tokens[k].capitalized or tokens[end - 1].lower == "and":
        return None
    if tokens[k - 1].text not in _DASHES and tokens[k - 1].lower != "from":
        return None
    if any(t.text.isupper() and len(t.text) > 1 for t in tokens[k:end]):
        return None  # a headline in capitals
    return _make(text, tokens, (k, end), ":")


def _last_sentence(tokens: list[Token]) -> list[Token]:
    ends = [i for i, token in enumerate(tokens) if token.text in _SENTENCE_END]
    return tokens[ends[-1] + 1 :] if ends else tokens


def previous_sentence(text: str, lo: int, hi: int) -> Attribution | None:
    """`Bystrom agreed. “Mainstream Republicans ...”`: a short attributing sentence before."""
    tokens = tokenize(text, lo, hi)
    if len(tokens) < 2 or tokens[-1].text not in {".", ":"}:
        return None
    tokens = _last_sentence(tokens[:-1])
    if not tokens or len(tokens) > _MAX_SUBJECT + _MAX_DESCRIPTION:
        return None
    verbs = [i for i in range(len(tokens)) if _is_verb(tokens, i)]
    if not verbs or tokens[verbs[-1]].lower not in _SAY | _AGREE:
        return None
    found, direct = _at_verb(text, tokens, verbs[-1])
    return found if direct else None


_AGREE = frozenset({"agreed", "agrees", "disagreed", "disagrees", "added", "adds", "noted"})


def _at_verb(text: str, tokens: list[Token], i: int) -> tuple[Attribution | None, bool]:
    """The speaker of the verb at tokens[i], and whether it stands next to the verb
    (rather than being the sentence's subject, shared by a participle or second verb)."""
    token = tokens[i]
    if token.lower == "according":
        return _according_to(text, tokens, i), True
    if token.lower == "words" and _in_the_words_of(tokens, i):
        return _inverted(text, tokens, i + 1, _phrase(text, tokens, i - 2, i + 2)), True
    if not _is_verb(tokens, i) or _names_a_thing(tokens, i):
        return None, False
    cue = _cue(text, tokens, i)
    if (i == 0 or tokens[i - 1].text == ",") and token.lower in _SAY:
        inverted = _inverted(text, tokens, i, cue)
        if inverted is not None and _closes_frame(tokens, inverted):
            return inverted, True
    found = _before_verb(text, tokens, i)
    if found is not None:
        return found, True
    prev = tokens[i - 1].lower if i > 0 else ""
    if token.lower.endswith("ing") or prev in {",", "and", "but", "then"}:
        return _sentence_subject(text, tokens, cue), False
    return None, False


def _in_the_words_of(tokens: list[Token], at: int) -> bool:
    """`in the words of the patient:` names whose words follow, as `according to` does."""
    return [token.lower for token in tokens[max(0, at - 2) : at + 2]] == _IN_THE_WORDS_OF


_IN_THE_WORDS_OF = ["in", "the", "words", "of"]


def _closes_frame(tokens: list[Token], found: Attribution) -> bool:
    """An inverted subject before a quote is a name ending at a comma or colon."""
    rest = [t for t in tokens if t.start >= found.end]
    named = any(t.capitalized for t in tokens if found.start <= t.start < found.end)
    return named and bool(rest) and rest[0].text in {",", ":"}


def _sentence_subject(text: str, tokens: list[Token], cue: str) -> Attribution | None:
    """The noun phrase opening the sentence, for `Smith hit back, saying “...”`."""
    start = _past_dateline(tokens, _lead(tokens))
    if start < len(tokens) and _contracted(tokens[start]):
        start += 1  # `Here’s Clinton:`, `That’s when ...`
    if start < len(tokens) and (_introductory(tokens[start]) or _time_phrase(tokens, start)):
        commas = [k for k in range(start, len(tokens)) if tokens[k].text == ","]
        # `Speaking in Salem, New Hampshire, Trump went after Bush`: the clause after the
        # comma that opens with a subject and its verb.
        opens = [k for k in commas if _clause_opens(tokens, k + 1)]
        start = (opens or commas)[0] + 1 if commas else len(tokens)
    end = _subject_end(tokens, start)
    if end == start or not _nominal(tokens, start, end):
        return None
    return _make(text, tokens, (start, end), cue)


def _subject_end(tokens: list[Token], start: int) -> int:
    """End of the noun phrase at tokens[start]: a name, or a determiner and its nouns
    ("The billionaire businessman began"), or a pronoun."""
    if start < len(tokens) and tokens[start].lower in PERSONAL_PRONOUNS:
        return start + 1
    determined = start < len(tokens) and tokens[start].lower in DETERMINERS
    end = start
    while end < len(tokens) and end - start < 8 and _is_word(tokens[end]):
        token = tokens[end]
        if token.lower in AUXILIARIES or _is_verb(tokens, end) or token.lower in CLAUSE_WORDS:
            break
        if end > start and not token.capitalized and tokens[start].capitalized:
            # "Hillary Clinton’s right-hand woman": a possessive determines what follows.
            determined = determined or tokens[end - 1].text.endswith(("'s", "’s"))
            titled = _title_before_name(tokens, end)
            if titled > end:  # "Republican presidential candidate Donald Trump"
                end = titled
                continue
            if not determined or _verb_like(token, end - start, adjective=end == start + 1):
                break
        end += 1
    return end


def _title_before_name(tokens: list[Token], k: int) -> int:
    """Index of the name after a lower-case title run at tokens[k] ("presidential candidate
    Donald Trump"), or k when no capitalised name follows within three words."""
    j = k
    while j < len(tokens) and j - k < 3 and _is_word(tokens[j]) and not tokens[j].capitalized:
        lower = tokens[j].lower
        if lower in AUXILIARIES or lower in CLAUSE_WORDS or _verb_like(tokens[j], 0):
            return k
        if lower in SPEECH_VERBS or lower in DETERMINERS:
            return k
        j += 1
    if j == k or j >= len(tokens) or not tokens[j].capitalized or not _is_word(tokens[j]):
        return k
    return j


_IRREGULAR_PAST = word_set(
    """is was are were be began went took made gave came got led won lost ran saw spoke
    sought struck stood held kept left brought bought sent spent became"""
)


def _verb_like(token: Token, position: int, adjective: bool = False) -> bool:
    """Whether a lower-case word after a determiner's nouns is the verb, not a noun; an -ed
    word may be an `adjective` right after the determiner ("The retired neurosurgeon")."""
    lower = token.lower
    if lower in _IRREGULAR_PAST or (lower.endswith("ed") and len(lower) > 3 and not adjective):
        return True
    return position >= 2 and lower.endswith("s") and not lower.endswith(("ss", "'s", "’s"))


def _clause_opens(tokens: list[Token], start: int) -> bool:
    """Whether a subject followed by a lower-case word (its verb) starts at tokens[start]."""
    if start >= len(tokens):
        return False
    first = tokens[start]
    if first.lower in PERSONAL_PRONOUNS:
        return True
    if not first.capitalized or first.lower in CLAUSE_WORDS:
        return False
    end = _subject_end(tokens, start)
    return start < end < len(tokens) and tokens[end].text[:1].islower()


_TIME_WORDS = word_set(
    """however meanwhile instead indeed still later earlier yesterday today tonight now
    monday tuesday wednesday thursday friday saturday sunday hours days weeks months years
    minutes moments afterward afterwards separately similarly likewise ultimately"""
)


def _time_phrase(tokens: list[Token], start: int) -> bool:
    """`However,` / `Hours later,` / `Tuesday night,` / `Eight years ago,` opening a sentence
    before its subject."""
    k = start + 1
    while k < len(tokens) and k - start <= 3 and tokens[k].text != ",":
        k += 1
    if k >= len(tokens) or tokens[k].text != ",":
        return False
    words = {token.lower for token in tokens[start:k]}
    return tokens[start].lower in _TIME_WORDS or bool(words & _TIME_UNITS)


_TIME_UNITS = word_set("ago week month year weeks months years days night morning evening")


def _past_dateline(tokens: list[Token], start: int) -> int:
    """Skip `WASHINGTON, Dec. 8 (UPI) —`, a dateline opening the sentence."""
    first = tokens[start] if start < len(tokens) else None
    if first is None or not (first.text.isupper() and len(first.text) > 2):
        return start
    for k in range(start + 1, min(len(tokens), start + 12)):
        if tokens[k].text in _DASHES:
            return k + 1
    return start


def _introductory(token: Token) -> bool:
    """A sentence opening that is not its subject: "In an interview,", "Asked about it,"."""
    lower = token.lower
    return lower in CLAUSE_WORDS or lower in _INTRO_WORDS or lower.endswith(("ing", "ed", "ly"))


def paragraph_subject(text: str, lo: int, hi: int) -> Attribution | None:
    """The subject of the last sentence of text[lo:hi] when it is a name or he/she:
    `Viguerie is upbeat about Cruz.` before a paragraph that is only a quote."""
    tokens = tokenize(text, lo, hi)
    if tokens and tokens[-1].text in _SENTENCE_END:
        tokens = tokens[:-1]
    tokens = _last_sentence(tokens)
    if not tokens or tokens[-1].text == ":" or any(t.text in _QUOTE_MARKS for t in tokens):
        return None
    found = _sentence_subject(text, tokens, "")
    if found is None:
        return None
    lower = found.speaker.lower()
    words = found.speaker.split()
    named = all(w[:1].isupper() for w in words) and lower.split()[0] not in DETERMINERS
    return found if lower in {"he", "she"} or (named and len(words) <= 4) else None


_QUOTE_MARKS = frozenset({'"', "“", "”"})


def embedding_subject(text: str, line_start: int, open_at: int) -> Attribution | None:
    """`Cruz blamed the law on “knuckleheaded politicians.”`: the named subject of the
    sentence a partial quote stands in, when no speech verb frames it."""
    tokens = _last_sentence(tokenize(text, line_start, open_at))
    if len(tokens) < 3 or any(t.text in _QUOTE_MARKS for t in tokens):
        return None
    if any(_passive(tokens, k) or _names_a_thing(tokens, k) for k in range(len(tokens))):
        return None  # `Smith was asked, “...”`: someone else speaks; `a show called “...”`
    found = _sentence_subject(text, tokens, "")
    if found is None:
        return None
    after = next((k for k, t in enumerate(tokens) if t.start >= found.end), len(tokens))
    verb = tokens[after] if after < len(tokens) else None
    if verb is None or not (verb.text[:1].islower() or verb.text == ","):
        return None
    lower = found.speaker.lower()
    words = found.speaker.split()
    named = all(w[:1].isupper() for w in words) and lower.split()[0] not in DETERMINERS
    return found if lower in {"he", "she"} or (named and len(words) <= 4) else None
