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
    "brand",
    "liken",
    "find|finds|found|finding",
)

PERSONAL_PRONOUNS = frozenset({"he", "she", "they", "i", "we", "it", "you"})
RELATIVE_PRONOUNS = frozenset({"who", "which", "that"})
MALE = frozenset({"he", "him", "his", "himself"})
# Words that stand for a noun without naming anyone: a speaker phrase opening with one of
# them ("it is", "That’s", "they") names nobody.
STAND_INS = PERSONAL_PRONOUNS | RELATIVE_PRONOUNS | word_set("this these those there here what")

# Adverbs that open a sentence and are never its subject: "Here is how ...:".
SENTENCE_ADVERBS = word_set(
    "however meanwhile moreover instead indeed still also now then thus hence here there"
)
# Words that open a sentence and are never a name nor its first word: "Here", "One Home
# Depot refers to", "Both Johnson and Corbyn". Before a lower-case word they may open a
# description ("one user").
SENTENCE_OPENERS = SENTENCE_ADVERBS | word_set("both one each either neither every all")

# Verb forms that make a phrase a clause, not a name or a description.
FINITE_VERBS = word_set(
    """is are was were am has have had do does did will would can could shall should may might
    must said says told tells"""
)

# Verbs that give a name: passive (`HP is called “...”`) or after a noun (`a show called
# “...”`) the marks hold the name of a thing, which nobody is saying.
NAMING_VERBS = word_set(
    """call calls called dub dubs dubbed term terms termed label labels labeled labelled
    name names named nickname nicknamed title titled entitle entitled brand branded"""
)
# `refers to X as “...”` reports words; `refers to plans for a “...”` defines a term.
REFERRING_VERBS = word_set("refer refers referred referring")

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

# Lower-case words inside names: "Charles de Gaulle", "Osama bin Laden".
NAME_PARTICLES = word_set("de van von bin da del la le")

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
# Honorifics of courtesy, not a role: "Mr. Sullivan" is described by nothing.
COURTESY_TITLES = word_set("mr mrs ms miss mx dr")
# Titles and roles written before a name ("Foreign Secretary Dominic Raab", "CEO Andy
# Vesey"): the name is what follows the last of them.
TITLE_WORDS = HONORIFICS | word_set(
    """minister premier chancellor attorney administrator superintendent commissioner
    ambassador envoy director chair ceo cfo coo cto founder leader chief executive manager
    coach adviser advisor analyst professor editor correspondent spokesman spokeswoman
    spokesperson sheriff marshal deputy counsel inspector colonel lieutenant sergeant captain
    admiral commander officer"""
)
FEMALE_HONORIFICS = frozenset({"mrs", "ms", "miss", "dame", "lady"})

# Common English first names of clear gender, for he/she agreement (ambiguous names such
# as Chris, Pat, Jordan, Kelly or Jamie are left out).
MALE_NAMES = word_set(
    """aaron adam alan albert alex alexander andrew andy anthony arthur barack barry ben
    benjamin bernard bernie bill billy bob bobby brad bradley brandon brett brian bruce
    bryan carl carlos charles charlie chuck craig dan daniel danny darren dave david dennis
    derek dick don donald doug douglas drew duncan dwight earl ed eddie edward eric ernest
    eugene frank fred frederick gary gene george gerald glenn gordon graham greg gregory
    harold harry henry herbert howard hugh ian jack jacob jake james jason jeb jeff jeffrey
    jeremy jerry jim jimmy joe joel john johnny jon jonathan joseph josh joshua juan justin
    keith ken kenneth kevin larry lawrence lee leonard lindsey louis luke marco mark martin
    matt matthew max michael mike mitch mitt nathan neil newt nicholas nick norman oliver
    patrick paul peter phil philip ralph rand randy ray raymond reince richard rick rob
    robert roger ron ronald roy russell ryan sam samuel scott sean sergei stanley stephen
    steve steven stuart ted terrence thomas tim timothy todd tom tommy tony vladimir walter
    wayne william willie"""
)
FEMALE_NAMES = word_set(
    """abby alice alicia alison allison amanda amy andrea angela ann anna anne annie barbara
    betsy betty beth bonnie brenda carly carol caroline carolyn catherine cathy cecile
    charlotte cheryl christina christine claire cynthia deborah debbie debra denise diana
    diane donna doris dorothy elaine eleanor elizabeth ellen emily emma erin eva evelyn
    frances gloria grace hannah heather heidi helen hillary ivanka jane janet janice jean
    jennifer jessica jill joan joanne joyce judith judy julia julie karen kate katherine
    kathleen kathy katie kayleigh kellyanne kim kimberly laura lauren linda lisa lois loretta
    louise lucy lynn margaret maria marie marilyn marsha martha mary megan megyn melania
    melissa michele michelle nancy natalie nicole nikki olivia pamela patricia paula peggy
    rachel rebecca rose ruth sally samantha sandra sara sarah sharon shirley sophia stephanie
    susan suzanne tammy teresa theresa tina valerie victoria virginia wendy"""
)
