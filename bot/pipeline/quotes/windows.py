"""How far the quote rules look: every window, in tokens unless it says otherwise.

The frame parsers read a few words around a verb or a mark, never a whole sentence of
any length: each bound below keeps a rule to the phrase it is about (a subject, a name, a
description) and stops it before it reads into the next clause.
"""

from __future__ import annotations

# A subject phrase: `a spokesman for the French foreign ministry` is well under it.
MAX_SUBJECT = 14
# An appositive description between commas: `Smith, 67, a professor of law at MIT, said`.
MAX_DESCRIPTION = 28
# A frame after a quote is read up to its first verb within a subject and a description.
MAX_FRAME = MAX_SUBJECT + MAX_DESCRIPTION
# A parenthesis skipped between a subject and its verb: `Smith (D-Mo.) said`.
MAX_PARENTHESIS = 12
# A name set off by commas after its description: `the spokesman, Josh Earnest, said`.
MAX_COMMA_NAME = 6
# The addressee of "told": `told the Washington Post`.
MAX_ADDRESSEE = 6
# A bare name (`James B. Comey`): words, at least and at most.
MIN_NAME_WORDS, MAX_NAME_WORDS = 2, 5
# A name signed after a dash (`― Maria Lopez`) or after an unlisted verb (`beamed Donald
# Hartley`), in capitalised words.
MAX_SIGNED_NAME = 5
# How far into a frame an unlisted past-tense verb is looked for: `, Hannity pressed`.
MAX_UNLISTED_VERB = 5
# A name before a colon: `Pollsters agree - Carl Bialik:`.
MAX_COLON_NAME = 6
# The subject at the start of a sentence: `The billionaire businessman`.
MAX_SENTENCE_SUBJECT = 8
# A lower-case title (a role) before a name: `presidential candidate Donald Trump`.
MAX_ROLE_WORDS = 3
# A time phrase opening a sentence: `Eight years ago,`, counted after its first word.
MAX_TIME_PHRASE = 3
# A dateline opening a sentence: `WASHINGTON, Dec. 8 (UPI) —`.
MAX_DATELINE = 12
# How far back a relative pronoun makes a naming verb's object said: `what lawmakers called`.
MAX_RELATIVE_REACH = 6
# Words after the subject of a colon sentence: `Sullivan on Tuesday:`.
MAX_COLON_TAIL = 4
# A whole short attributing sentence after a quote: `Trump said.`, in words.
MAX_SHORT_AFTER_WORDS = 4
# A speaker read from the sentence around a quote is a short name: `Ted Cruz`, in words.
MAX_CONTEXT_NAME_WORDS = 4
# A sentence that a partial quote stands in: a subject, a verb and more, in tokens.
MIN_EMBEDDING_SENTENCE = 3
# Tokens after a verb within which the sentence must end for `..., Trump said.`.
SENTENCE_END_REACH = 3
# How far back (characters) the sentence before a mark is looked for: first, and at most.
# Straight quotes can hide every full stop of a paragraph (the text between two quotes
# counts as quoted), so a "sentence" may run back far; past the limit it is read from there.
SENTENCE_REACH = 400
SENTENCE_REACH_MAX = 1600
# A quoted span this short (in words) is a scare quote or a name, not a quotation.
MIN_QUOTE_WORDS = 3
# A Title Case span this long (in words) or shorter may be a title (a show, a book, a slogan).
MAX_TITLE_CASE_WORDS = 10
# How far back (characters) a pronoun looks for its person.
PRONOUN_REACH = 1500
