"""Extractive summaries of an article: our own `precis` method, Lead-N and sumy's methods.

Every method is a small summarizer class (see `bot.pipeline.summarizers`) that takes a parsed
`Document` and a sentence count and returns the positions it chose; this module picks one.

Every method but Lead-N costs more than linear time or memory in the text it reads (pairs of
sentences, dense term matrices), so on a long text they read its opening only: the first
`MAX_SENTENCES` sentences within its first `MAX_CHARACTERS` characters. News puts its point
first, and the benchmarks' longest articles (69 sentences, 5,800 characters) are far below.
"""

from __future__ import annotations

from dataclasses import replace
from functools import cache

from sumy.summarizers.lex_rank import LexRankSummarizer
from sumy.summarizers.lsa import LsaSummarizer
from sumy.summarizers.luhn import LuhnSummarizer
from sumy.summarizers.sum_basic import SumBasicSummarizer
from sumy.summarizers.text_rank import TextRankSummarizer

from bot.model import (
    DEFAULT_SUMMARY_METHOD,
    SUMMARY_MAX_CHARACTERS,
    SUMMARY_MAX_SENTENCES,
    SUMMARY_METHODS,
    Article,
    Summary,
)
from bot.pipeline.summarizers.document import Document, Summarizer, parse_document
from bot.pipeline.summarizers.language import english
from bot.pipeline.summarizers.lead import LeadSummarizer
from bot.pipeline.summarizers.precis import PrecisSummarizer
from bot.pipeline.summarizers.sumy_methods import FirstPicksKLSummarizer, SumySummarizer

__all__ = [
    "DEFAULT_METHOD",
    "MAX_CHARACTERS",
    "MAX_SENTENCES",
    "METHODS",
    "Document",
    "parse_document",
    "summarize",
]

_SUMY_CLASSES = {
    "lexrank": LexRankSummarizer,
    "textrank": TextRankSummarizer,
    "lsa": LsaSummarizer,
    "luhn": LuhnSummarizer,
    "kl": FirstPicksKLSummarizer,
    "sumbasic": SumBasicSummarizer,
}
METHODS = SUMMARY_METHODS
DEFAULT_METHOD = DEFAULT_SUMMARY_METHOD
# The model names the methods for those that must not load them (settings); this module has
# exactly those.
if set(METHODS) != {"precis", "lead", *_SUMY_CLASSES}:
    raise ImportError("bot.model.SUMMARY_METHODS does not name the summarizers of this module")
MAX_SENTENCES = SUMMARY_MAX_SENTENCES
MAX_CHARACTERS = SUMMARY_MAX_CHARACTERS
_UNCAPPED = frozenset({"lead"})  # reads `count` sentences whatever the length


@cache
def _summarizers() -> dict[str, Summarizer]:
    # Built once: the stemmer cache and stop words are shared, and none holds per-call state.
    language = english()
    sumy_methods = {name: SumySummarizer(cls, language) for name, cls in _SUMY_CLASSES.items()}
    return {"precis": PrecisSummarizer(language), "lead": LeadSummarizer(), **sumy_methods}


def summarize(article: Article, method: str = DEFAULT_METHOD, count: int = 3) -> Summary:
    """The `count` best sentences of `article` by `method`; all of them if it has no more."""
    if method not in METHODS:
        raise ValueError(f"unknown summary method {method!r}; choose one of {', '.join(METHODS)}")
    if count < 1:
        raise ValueError(f"a summary needs at least one sentence, not {count}")
    document = parse_document(article)
    sentences = document.sentences
    cut = is_cut(article, method, len(sentences), count)
    read = _opening(document) if cut else document
    positions = (
        range(len(read.sentences))
        if len(read.sentences) <= count
        else _summarizers()[method](read, count)
    )
    return Summary(method, tuple(sentences[i].text for i in positions), len(sentences), cut)


def is_cut(article: Article, method: str, total_sentences: int, count: int) -> bool:
    """Whether `method` reads only the opening of `article` (of `total_sentences`) to pick
    `count` sentences; a text of no more than `count` comes back whole."""
    if method in _UNCAPPED or total_sentences <= count:
        return False
    characters = sum(len(paragraph) for paragraph in article.paragraphs)
    return total_sentences > MAX_SENTENCES or characters > MAX_CHARACTERS


def with_cut(summary: Summary, article: Article) -> Summary:
    """`summary` marked as cut or not: a stored summary does not keep the mark."""
    count = len(summary.sentences)
    return replace(summary, cut=is_cut(article, summary.method, summary.total_sentences, count))


def _opening(document: Document) -> Document:
    """The first sentences within both limits, and at least the first sentence."""
    kept, characters = 0, 0
    for sentence in document.sentences[:MAX_SENTENCES]:
        characters += len(sentence.text)
        if kept and characters > MAX_CHARACTERS:
            break
        kept += 1
    return replace(document, sentences=document.sentences[:kept])
