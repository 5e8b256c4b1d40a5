"""Topic queries: which articles a channel's subscription wants.

A topic is a small query matched against an article's title and text, case- and
accent-folded and stemmed with the English Snowball stemmer. Compatibility forms are read as
their plain ones (NFKC: `＂ＮＨＫ＂` is `"NHK"`), and what is stored is the topic's canonical
`text`, which always parses back to the same topic:

    nasa launch            both words (any form: "launches" matches "launch")
    "space station"        a phrase: consecutive words
    nasa OR esa launch     OR binds tighter than the implicit AND: (nasa OR esa) AND launch
    -rumour  -"hot take"   exclude a word or a phrase
    site:bbc.co.uk         the article's host or any subdomain of it
    feed:"BBC News"        the feed's title, ignoring case
    *                      every article

The poller matches each new article against thousands of topics, so the work is
split: `MatchDocument.from_article` tokenises and stems an article once, and
`Topic.matches` only does set look-ups and, for phrases, a scan of the stem sequence.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Generic, Protocol, TypeVar
from urllib.parse import urlsplit

from sumy.nlp.stemmers import Stemmer

from bot.errors import UserError
from bot.model import Article

MAX_TOPIC_LENGTH = 200
T = TypeVar("T")
MATCH_ALL = "*"
OR = "OR"

# Words with inner apostrophes stay whole so Snowball can drop a possessive ("nasa's" -> "nasa").
_WORD = re.compile(r"\w+(?:'\w+)*")
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'"})
# Phones type curly quotes, CJK keyboards full-width ones (which NFKC makes straight) or
# double-prime ones; the query language only knows the straight one.
_QUOTE_MARKS = "\u201c\u201d\u201e\u201f\u00ab\u00bb\u301d\u301e\u301f"
_QUOTES = str.maketrans(dict.fromkeys(_QUOTE_MARKS, '"'))
_HOST = re.compile(r"[\w-]+(?:\.[\w-]+)*")
# Separates the title and paragraphs in the stem sequence so a phrase never spans two of them.
_BOUNDARY = ""


class TopicError(UserError, ValueError):
    """A topic that cannot be parsed; the message says what is wrong and where."""

    def __init__(self, message: str, position: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.position = position


# --- Text normalisation -------------------------------------------------------------------


def fold(text: str) -> str:
    """Case-fold and strip accents: "Café" -> "cafe", "ＮＨＫ" -> "nhk".

    Folding twice changes nothing (so a stored topic reads back the same), and the result is
    composed again (NFC), so a Korean syllable stays one character rather than two or three."""
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", text).casefold())
    bare = "".join(c for c in decomposed.translate(_APOSTROPHES) if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", bare)


def tokenize(text: str) -> list[str]:
    """The words of `text`, folded (see `fold`)."""
    return _WORD.findall(fold(text))


@cache
def _stemmer() -> Stemmer:
    return Stemmer("english")


@lru_cache(maxsize=200_000)
def stem(token: str) -> str:
    """The English stem of a folded token, so that `election` matches `elections`."""
    stemmed: str = _stemmer()(token)
    return stemmed


def _host(url: str | None) -> str | None:
    """The lower-case host of a URL, or of a bare `host/path`; None if there is none."""
    if not url:
        return None
    try:
        host = urlsplit(url if "//" in url else f"//{url}").hostname
    except ValueError:  # e.g. a malformed IPv6 literal
        return None
    return host.rstrip(".") if host else None


def _collapse(text: str) -> str:
    return " ".join(fold(text).split())


# --- The document side --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MatchDocument:
    """An article tokenised and stemmed once, ready to be matched against many topics."""

    stems: frozenset[str]
    sequence: tuple[str, ...]
    host: str | None = None
    feed_title: str | None = None

    @classmethod
    def from_texts(
        cls, texts: Iterable[str], url: str | None = None, feed_title: str | None = None
    ) -> MatchDocument:
        """A document of these texts (a title, paragraphs), none of its phrases running from
        one text into the next; `url` and `feed_title` serve `site:` and `feed:` terms."""
        sequence: list[str] = []
        for text in texts:
            sequence.extend(stem(token) for token in tokenize(text))
            sequence.append(_BOUNDARY)
        return cls(
            stems=frozenset(sequence) - {_BOUNDARY},
            sequence=tuple(sequence),
            host=_host(url),
            feed_title=_collapse(feed_title) if feed_title else None,
        )

    @classmethod
    def from_article(cls, article: Article, feed_title: str | None = None) -> MatchDocument:
        """The article's title and paragraphs, under its URL."""
        return cls.from_texts((article.title, *article.paragraphs), article.url, feed_title)


# --- The query side -----------------------------------------------------------------------


class Term(Protocol):
    """One part of a topic."""

    @property
    def text(self) -> str:
        """The term as a topic spells it, which parses back to the same term."""
        ...

    def matches(self, doc: MatchDocument) -> bool:
        """Whether the document has it."""
        ...


@dataclass(frozen=True, slots=True)
class Word:
    """A word, matched by its stem anywhere in the article."""

    text: str
    stem: str

    def matches(self, doc: MatchDocument) -> bool:
        """See `Term.matches`."""
        return self.stem in doc.stems


@dataclass(frozen=True, slots=True)
class Phrase:
    """Quoted words, matched by their stems in a row within one text of the article."""

    words: tuple[str, ...]
    stems: tuple[str, ...]

    @property
    def text(self) -> str:
        """See `Term.text`."""
        return '"' + " ".join(self.words) + '"'

    def matches(self, doc: MatchDocument) -> bool:
        """See `Term.matches`."""
        if not doc.stems.issuperset(self.stems):
            return False
        sequence, first, size = doc.sequence, self.stems[0], len(self.stems)
        start = -1
        while True:
            try:
                start = sequence.index(first, start + 1)
            except ValueError:
                return False
            if sequence[start : start + size] == self.stems:
                return True


@dataclass(frozen=True, slots=True)
class Site:
    """`site:host`: articles from this host or one of its subdomains."""

    host: str

    @property
    def text(self) -> str:
        """See `Term.text`."""
        return f"site:{self.host}"

    def matches(self, doc: MatchDocument) -> bool:
        """See `Term.matches`."""
        host = doc.host
        return host is not None and (host == self.host or host.endswith("." + self.host))


@dataclass(frozen=True, slots=True)
class Feed:
    """`feed:title`: articles from a feed of this title (folded, spaces collapsed)."""

    title: str

    @property
    def text(self) -> str:
        """See `Term.text`."""
        return f'feed:"{self.title}"' if " " in self.title else f"feed:{self.title}"

    def matches(self, doc: MatchDocument) -> bool:
        """See `Term.matches`."""
        return doc.feed_title == self.title


@dataclass(frozen=True, slots=True)
class Topic:
    """All clauses must match (each clause is terms joined by OR) and no exclusion may.

    No clauses at all is `*`, which matches every article.
    """

    clauses: tuple[tuple[Term, ...], ...]
    excluded: tuple[Term, ...] = ()

    def matches(self, doc: MatchDocument) -> bool:
        """Whether the article is one for this topic."""
        for clause in self.clauses:
            if not any(term.matches(doc) for term in clause):
                return False
        return not any(term.matches(doc) for term in self.excluded)

    @property
    def anchors(self) -> frozenset[str] | None:
        """Stems one of which any matching article must contain (from the first clause made
        only of words and phrases), or None when no such clause exists (`*`, `site:`...)."""
        for clause in self.clauses:
            anchors = {
                term.stem if isinstance(term, Word) else term.stems[0]
                for term in clause
                if isinstance(term, Word | Phrase)
            }
            if len(anchors) == len(clause):  # (a phrase's first stem stands for it)
                return frozenset(anchors)
        return None

    @property
    def text(self) -> str:
        """The canonical text stored for the topic; it parses back to the same topic."""
        if not self.clauses:
            return MATCH_ALL
        parts = [f" {OR} ".join(term.text for term in clause) for clause in self.clauses]
        parts.extend(f"-{term.text}" for term in self.excluded)
        return " ".join(parts)

    def __str__(self) -> str:
        return self.text


class TopicIndex(Generic[T]):
    """Many topics, each with a value, matched against a document without trying them all:
    a topic is tried only when the document holds one of its anchor stems."""

    def __init__(self, entries: Iterable[tuple[Topic, T]]) -> None:
        self._entries = list(entries)
        self._by_stem: dict[str, list[int]] = defaultdict(list)
        self._always: list[int] = []
        for position, (topic, _) in enumerate(self._entries):
            anchors = topic.anchors
            if anchors is None:
                self._always.append(position)
            for stem in anchors or ():
                self._by_stem[stem].append(position)

    def __len__(self) -> int:
        return len(self._entries)

    def matching(self, doc: MatchDocument) -> list[T]:
        """The values of the topics that match, in the order they were given."""
        stems = doc.stems & self._by_stem.keys()
        candidates = set(self._always).union(*(self._by_stem[stem] for stem in stems))
        return [
            self._entries[position][1]
            for position in sorted(candidates)
            if self._entries[position][0].matches(doc)
        ]


# --- Parsing ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Token:
    """One piece of the query, with where it was: a term (maybe excluded), or `OR` or `*`."""

    item: Term | str
    start: int
    end: int
    excluded: bool = False


class _Lexer:
    def __init__(self, query: str) -> None:
        self.query = query
        self.pos = 0

    def error(self, problem: str, start: int, end: int | None = None) -> TopicError:
        return TopicError(f"{problem}: `{_excerpt(self.query, start, end or start + 1)}`", start)

    def tokens(self) -> list[_Token]:
        found = []
        while (start := self._skip_space()) < len(self.query):
            found.append(self._token(start))
        return found

    def _skip_space(self) -> int:
        while self.pos < len(self.query) and self.query[self.pos].isspace():
            self.pos += 1
        return self.pos

    def _token(self, start: int) -> _Token:
        excluded = self.query[start] == "-"
        if excluded:
            self.pos += 1
            if self.pos == len(self.query) or self.query[self.pos].isspace():
                raise self.error("`-` needs a word or phrase right after it", start)
        if self.query[self.pos] == '"':
            phrase = self._quoted()
            return _Token(self._words(phrase, start), start, self.pos, excluded)
        word = self._bare()
        if word == MATCH_ALL or (word == OR and not excluded):
            return _Token(word, start, self.pos, excluded)
        return _Token(self._term(word, start), start, self.pos, excluded)

    def _bare(self) -> str:
        start = self.pos
        while self.pos < len(self.query) and not (
            self.query[self.pos].isspace() or self.query[self.pos] == '"'
        ):
            self.pos += 1
        return self.query[start : self.pos]

    def _quoted(self) -> str:
        start = self.pos
        end = self.query.find('"', start + 1)
        if end < 0:
            raise self.error('This quote is never closed; add a `"` after the phrase', start)
        self.pos = end + 1
        return self.query[start + 1 : end]

    def _term(self, word: str, start: int) -> Term:
        prefix, colon, value = word.partition(":")
        if colon and prefix.lower() == "site":
            return self._site(value, start)
        if colon and prefix.lower() == "feed":
            return self._feed(value, start)
        return self._words(word, start)

    def _site(self, value: str, start: int) -> Site:
        host = _host(value)
        if not host or not _HOST.fullmatch(host):
            raise self.error("`site:` needs a host, like `site:bbc.co.uk`", start, self.pos)
        # `site:www.bbc.co.uk` (often a pasted URL) means the whole site, not just `www.`.
        while host.startswith("www.") and host.count(".") > 1:
            host = host.removeprefix("www.")
        return Site(host)

    def _feed(self, value: str, start: int) -> Feed:
        if not value and self.pos < len(self.query) and self.query[self.pos] == '"':
            value = self._quoted()
        title = _collapse(value)
        if not title:
            raise self.error('`feed:` needs a feed title, like `feed:"BBC News"`', start, self.pos)
        return Feed(title)

    def _words(self, text: str, start: int) -> Term:
        """A word, or a phrase when the text holds several words (quoted, or like `covid-19`)."""
        words = tokenize(text)
        if not words:
            raise self.error("This has no letters or digits to match", start, self.pos)
        if len(words) == 1:
            return Word(words[0], stem(words[0]))
        return Phrase(tuple(words), tuple(stem(word) for word in words))


def _excerpt(query: str, start: int, end: int, margin: int = 20) -> str:
    left, right = max(0, start - margin), min(len(query), end + margin)
    snippet = query[left:right].strip()
    return ("…" if left else "") + snippet + ("…" if right < len(query) else "")


def parse_topic(text: str) -> Topic:
    """Parse a topic query; raises TopicError with a message fit to show the user.

    The topic's `text` is the form to store: at most MAX_TOPIC_LENGTH characters, and parsed
    again it is the same topic, however the query was typed (full-width, ligatures...)."""
    topic = _parse(text)
    stored = topic.text
    if len(stored) > MAX_TOPIC_LENGTH:
        grown = " once written out the way I store it" if len(stored) > len(text.strip()) else ""
        raise TopicError(
            f"The topic is too long: {len(stored)} characters{grown}, at most {MAX_TOPIC_LENGTH}"
        )
    if not _reads_back(stored, topic):  # a last resort: stored, it would break or mislead
        raise TopicError(f"I can't store this topic as typed; try plainer words: `{stored}`")
    return topic


def _reads_back(stored: str, topic: Topic) -> bool:
    try:
        return _parse(stored) == topic
    except TopicError:
        return False


def _parse(text: str) -> Topic:
    # NFKC first: the syntax (`"`, `-`, `:`, `OR`) may be typed in full-width forms.
    query = unicodedata.normalize("NFKC", text).translate(_QUOTES).strip()
    if not query:
        raise TopicError("The topic is empty: give some words to match, or `*` for everything")
    lexer = _Lexer(query)
    tokens = lexer.tokens()
    if len(tokens) == 1 and tokens[0].item == MATCH_ALL and not tokens[0].excluded:
        return Topic(clauses=())
    for token in tokens:
        if token.item == MATCH_ALL:
            raise lexer.error("`*` matches everything and must be the whole topic", token.start)
    return _combine(tokens, lexer)


def _combine(tokens: list[_Token], lexer: _Lexer) -> Topic:
    clauses: list[list[Term]] = []
    excluded: list[Term] = []
    for index, token in enumerate(tokens):
        if isinstance(token.item, str):  # `OR`: `*` was dealt with already
            _check_or(tokens, index, lexer)
        elif token.excluded:
            excluded.append(token.item)
        elif index and tokens[index - 1].item == OR:
            clauses[-1].append(token.item)
        else:
            clauses.append([token.item])
    if not clauses:
        raise TopicError(
            "A topic can't be only exclusions: add a word, phrase, `site:` or `feed:` to match: "
            f"`{_excerpt(lexer.query, 0, 0)}`"
        )
    return Topic(tuple(tuple(clause) for clause in clauses), tuple(excluded))


def _check_or(tokens: list[_Token], index: int, lexer: _Lexer) -> None:
    """`OR` joins two terms to match: neither side may be missing, another `OR`, or excluded."""
    operator = tokens[index]
    left = tokens[index - 1] if index > 0 else None
    right = tokens[index + 1] if index + 1 < len(tokens) else None
    for side in (left, right):
        if side is None or side.item == OR:
            raise lexer.error("`OR` needs a term on both sides", operator.start, operator.end)
        if side.excluded:
            start, end = min(side.start, operator.start), max(side.end, operator.end)
            raise lexer.error("An exclusion can't be part of `OR`", start, end)
