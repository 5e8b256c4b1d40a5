"""Every word list of the quotes package: speech verbs, pronouns, honorifics, function
words, names, and the punctuation the rules read."""

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

# Honorifics written abbreviated before a name ("Sen. Warren", "Mrs Clinton"): the person
# reader takes them as a name's honorific, and the tokenizer keeps their full stop.
HONORIFIC_ABBREVIATIONS = word_set("Mr Mrs Ms Dr Sen Rep Gov Gen Lt Col Prof Rev Sgt Capt Adm")
# Every honorific, lower-case and without its full stop, abbreviated or written out.
HONORIFICS = frozenset(word.lower() for word in HONORIFIC_ABBREVIATIONS) | word_set(
    """miss mx senator representative governor pres president sec secretary general cmdr
    maj fr sir dame lord lady hon judge justice mayor speaker chairman chairwoman atty st"""
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
FIRST_NAMES = MALE_NAMES | FEMALE_NAMES

# The plainest speech verbs: the only ones a capitalised word may be ("Said Smith"), and the
# ones an inverted subject follows ("“...,” said Smith").
SAYING_VERBS = word_set("said says say told tells added wrote asked")
# Verbs of assent that attribute the quote after them: `Bystrom agreed. “...”`.
AGREEING_VERBS = word_set("agreed agrees disagreed disagrees added adds noted")
# Speech verbs after a name in running text, for the person reader ("Smith, a pollster, said").
SPEECH_AFTER_NAME = word_set(
    "said says told tells added adds wrote writes asked explained argued noted"
)
# Subjects a base-form speech verb follows ("they say", "to argue").
BASE_SUBJECTS = word_set("i we you they who to")
# "told the Washington Post": the forms of "tell" that take their addressee into the cue.
TELL_FORMS = word_set("tell tells told telling")
# Verbs whose passive makes the subject the one spoken to: `was asked`, `were told`.
ASKING_VERBS = word_set("asked told pressed questioned challenged")
TO_BE = word_set("is are was were be been being get gets got")
# Irregular past forms and forms of "be": a lower-case word after a subject that is its verb.
IRREGULAR_PAST = word_set(
    """is was are were be began went took made gave came got led won lost ran saw spoke
    sought struck stood held kept left brought bought sent spent became"""
)

# What stands before a second verb or a participle that shares the sentence's subject:
# `Smith hit back, saying`, `and said`.
SUBJECT_SHARING = frozenset({",", "and", "but", "then"})
# Relative pronouns of a thing: `the Washington Post, which hits liberals:`.
THING_RELATIVES = word_set("which that")
# `what lawmakers called “`: the object of the naming verb, said by its subject.
OBJECT_RELATIVES = word_set("what which whom who that")
# Pronouns that stand for one person as a sentence's subject.
PERSON_SUBJECTS = word_set("he she")
# Relative pronouns that stand for the person named right before them.
PERSON_RELATIVES = word_set("who whom")
# Personal pronouns a speaker may be, with the gender of the person they stand for.
PRONOUN_GENDERS = {"he": "m", "him": "m", "his": "m", "she": "f", "her": "f"}

# Words that open a sentence before its subject: "But Smith said", "Later Smith".
INTRO_WORDS = word_set("but and so yet then now still also later ever")
# Prepositions that open a sentence-initial phrase: `In a Facebook message posted Friday,`.
OPENING_PREPOSITIONS = word_set(
    "in on at during after before following with from by under since despite amid among"
)
# Prepositions allowed inside a noun phrase that runs from a closing mark to its verb (`a
# message on the website reads`): NP_PREPOSITIONS and three of place.
NP_LINKS = NP_PREPOSITIONS | word_set("in on with")
# Words that open a time phrase before a sentence's subject: `However,`, `Tuesday night,`.
TIME_WORDS = word_set(
    """however meanwhile instead indeed still later earlier yesterday today tonight now
    monday tuesday wednesday thursday friday saturday sunday hours days weeks months years
    minutes moments afterward afterwards separately similarly likewise ultimately"""
)
# Words anywhere in a short opening phrase that make it one of time: `Eight years ago,`.
TIME_UNITS = word_set("ago week month year weeks months years days night morning evening")
WEEKDAYS = word_set("monday tuesday wednesday thursday friday saturday sunday")
IN_THE_WORDS_OF = ["in", "the", "words", "of"]

# Capitalised words that open sentences rather than names ("Although Scott's niece"):
# dropped from a name's edges.
EDGE_WORDS = word_set(
    """the a an in on at for and but or so if as by to of from with this that these those
    he she it they we i you his her their our my its there here when while after before"""
)
# Words that make a capitalised run a date, place or organisation rather than a person.
THING_WORDS = word_set(
    """january february march april june july august september october november december
    monday tuesday wednesday thursday friday saturday sunday
    house senate congress party department university college school court committee
    campaign news times post journal press network agency office council association
    foundation institute center centre church city county state states street world
    republican republicans democrat democrats democratic american americans united
    white black north south east west new national federal international union company
    group fox cnn nbc abc cbs msnbc gop isis god twitter facebook iowa day"""
)
# The particles that join capitalised words into one name where names are found in running
# text: NAME_PARTICLES without "la" and "le".
JOINING_PARTICLES = NAME_PARTICLES - {"la", "le"}

# Small words a Title Case title writes in lower case: "Gone with the Wind".
TITLE_SMALL_WORDS = word_set("a an the and or of in on at to for with by from as vs. is it")
# Words that tell nothing of what a quote is about, left out when quotes are compared.
STOP_WORDS = word_set(
    """a an the and or but of to in on at for with by from as is are was were be been it its
    this that these those he she they we i you his her their our my not no do does did have has
    had will would can could should may might just so than then there here what which who"""
)

# Abbreviations besides the honorifics that keep their full stop as tokens ("Inc.",
# "Sept."), so that a "." token always ends a sentence.
ABBREVIATIONS = HONORIFIC_ABBREVIATIONS | word_set(
    """Reps Sens Cmdr Maj Fr St Jr Sr Pres Sec Atty Supt Hon Del Mt Ft Inc Corp Co Ltd No Jan
    Feb Aug Sept Oct Nov Dec vs etc"""
)
# US state abbreviations, which keep their full stop before a comma: "Allentown, Pa., said".
STATE_ABBREVIATIONS = word_set(
    """Ala Ariz Ark Calif Colo Conn Del Fla Ga Ill Ind Kan Ky La Md Mass Mich Minn Miss Mo
    Mont Neb Nev Okla Ore Pa Tenn Tex Va Vt Wash Wis Wyo"""
)

# Punctuation, as tokens or characters.
SENTENCE_END = frozenset(".!?")
DASHES = frozenset("-—–―")
QUOTE_MARKS = frozenset('"“”')
# What may stand between a closing mark and its attribution ("'" is left of a "'''").
FRAME_LEADING = DASHES | frozenset(",(!?'’")
# What ends a description after an inverted subject: `said Smith, the adviser, ...`.
DESCRIPTION_END = frozenset(",;.()—–")
