"""Word lists for attribution: speech verbs, pronouns, honorifics and function words."""

from __future__ import annotations


def word_set(words: str) -> frozenset[str]:
    """A set of words written as one whitespace-separated string."""
    return frozenset(words.split())


BASE, THIRD, PAST, PARTICIPLE = "base", "third", "past", "participle"


def _forms(*stems: str) -> dict[str, str]:
    """Word form -> BASE/THIRD/PAST/PARTICIPLE, from stems written "say|says|said|saying"
    (or just the base for regular verbs); a past form that equals the base counts as past."""
    words: dict[str, str] = {}
    for stem in stems:
        parts = stem.split("|")
        if len(parts) == 1:
            base = parts[0]
            root = base[:-1] if base.endswith("e") else base
            parts = [base, base + "s", root + "ed", root + "ing"]
        base, third, past, participle = parts
        words.setdefault(base, BASE)
        words.setdefault(third, THIRD)
        words[past] = PAST
        words[participle] = PARTICIPLE
    return words


# Verbs that introduce what someone said or wrote.
SPEECH_VERBS = _forms(
    "say|says|said|saying",
    "tell|tells|told|telling",
    "write|writes|wrote|writing",
    "add",
    "tweet",
    "ask",
    "note",
    "explain",
    "continue",
    "state",
    "declare",
    "recall",
    "respond",
    "reply|replies|replied|replying",
    "argue",
    "claim",
    "insist",
    "warn",
    "acknowledge",
    "admit|admits|admitted|admitting",
    "announce",
    "conclude",
    "report",
    "suggest",
    "predict",
    "promise",
    "vow",
    "pledge",
    "joke",
    "quip|quips|quipped|quipping",
    "boast",
    "complain",
    "observe",
    "remark",
    "exclaim",
    "shout",
    "yell",
    "scream",
    "post",
    "testify|testifies|testified|testifying",
    "urge",
    "caution",
    "stress",
    "emphasize",
    "agree",
    "counter",
    "retort",
    "muse",
    "wonder",
    "lament",
    "charge",
    "allege",
    "contend",
    "maintain",
    "concede",
    "confirm",
    "reiterate",
    "repeat",
    "recount",
    "thunder",
    "demand",
    "assert",
    "proclaim",
    "describe",
    "call",
    "read|reads|read|reading",
    "chime",
    "snap|snaps|snapped|snapping",
    "sigh",
    "whisper",
    "cry|cries|cried|crying",
    "plead",
    "offer",
    "opine",
    "point",
    "tout",
    "hint",
    "accuse",
    "criticize",
    "blast",
    "mock",
    "deny|denies|denied|denying",
    "answer",
    "interject",
    "interrupt",
    "reason",
    "estimate",
    "believe",
    "think|thinks|thought|thinking",
    "feel|feels|felt|feeling",
    "recommend",
    "advise",
    "reflect",
    "marvel",
    "concur|concurs|concurred|concurring",
    "speculate",
    "worry|worries|worried|worrying",
    "fret|frets|fretted|fretting",
    "brag|brags|bragged|bragging",
    "summarize",
    "put|puts|put|putting",
    "dub|dubs|dubbed|dubbing",
    "label",
    "term",
    "characterize",
    "refer|refers|referred|referring",
    "ponder",
    "press",
    "praise",
    "propose",
    "assure",
    "shoot|shoots|shot|shooting",
    "fire",
    "hit|hits|hit|hitting",
    "slam|slams|slammed|slamming",
    "rip|rips|ripped|ripping",
    "decry|decries|decried|decrying",
    "question",
    "recognize",
    "laud",
    "condemn",
    "dismiss",
    "rate",
    "rule",
    "compare",
    "sing|sings|sang|singing",
    "attack",
    "quote",
    "cite",
    "chant",
    "applaud",
    "grouse",
    "coach",
    "groan",
    "scoff",
    "tease",
    "gush",
    "rail",
    "fume",
    "relay",
)

PERSONAL_PRONOUNS = frozenset({"he", "she", "they", "i", "we", "it", "you"})
RELATIVE_PRONOUNS = frozenset({"who", "which", "that"})
MALE = frozenset({"he", "him", "his", "himself"})

# Words between a subject and its verb: "Smith has also said".
AUXILIARIES = word_set(
    """has have had also later then once recently previously would will could might may
    earlier repeatedly reportedly publicly privately again simply just often frequently
    further finally quickly flatly bluntly angrily did does do already always never still
    even only quietly loudly memorably famously first"""
)

# Lower-case words that end a subject phrase when reading backwards from its verb.
CLAUSE_WORDS = word_set(
    """that and but which who whom whose when while because as if so although though where
    whereas since after before until unless than or nor yet what how why whether
    in on at during with by about to into from over under among without within against
    across through toward towards upon like per via"""
)

# Prepositions allowed inside a speaker phrase: "a spokesman for the ministry".
NP_PREPOSITIONS = frozenset({"of", "for", "at", "from"})

DETERMINERS = word_set(
    """a an the one another his her their its our my some two three several many
    this that these those other"""
)

HONORIFICS = word_set(
    """mr mrs ms miss mx dr prof sen senator rep representative gov governor pres president
    sec secretary gen general lt col sgt capt adm cmdr maj rev fr sir dame lord lady hon judge
    justice mayor speaker chairman chairwoman atty st"""
)
MALE_HONORIFICS = frozenset({"mr", "sir", "lord", "fr"})
FEMALE_HONORIFICS = frozenset({"mrs", "ms", "miss", "dame", "lady"})
