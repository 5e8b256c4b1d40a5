"""Extractive summaries of an article: our own `precis` method, Lead-N and sumy's methods.

Every method is a small summarizer class (see `bot.news.summarizers`) that takes a parsed
`Document` and a sentence count and returns the positions it chose; this module picks one.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from sumy.summarizers.kl import KLSummarizer
from sumy.summarizers.lex_rank import LexRankSummarizer
from sumy.summarizers.lsa import LsaSummarizer
from sumy.summarizers.luhn import LuhnSummarizer
from sumy.summarizers.sum_basic import SumBasicSummarizer
from sumy.summarizers.text_rank import TextRankSummarizer

from bot.news.article import Article
from bot.news.summarizers.document import Document, Summarizer, parse_document
from bot.news.summarizers.language import english
from bot.news.summarizers.lead import LeadSummarizer
from bot.news.summarizers.precis import PrecisSummarizer
from bot.news.summarizers.sumy_methods import SumySummarizer

__all__ = ["DEFAULT_METHOD", "METHODS", "Document", "Summary", "parse_document", "summarize"]

_SUMY_CLASSES = {
    "lexrank": LexRankSummarizer,
    "textrank": TextRankSummarizer,
    "lsa": LsaSummarizer,
    "luhn": LuhnSummarizer,
    "kl": KLSummarizer,
    "sumbasic": SumBasicSummarizer,
}
METHODS: tuple[str, ...] = ("precis", "lead", *_SUMY_CLASSES)
DEFAULT_METHOD = "precis"


@dataclass(frozen=True, slots=True)
class Summary:
    method: str
    sentences: tuple[str, ...]  # in document order
    total_sentences: int


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
    positions = (
        range(len(sentences))
        if len(sentences) <= count
        else _summarizers()[method](document, count)
    )
    return Summary(method, tuple(sentences[i].text for i in positions), len(sentences))
