"""English tokenizer, stemmer and stop words that work without any NLTK data."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, lru_cache

from nltk.tokenize import NLTKWordTokenizer
from sumy.nlp.stemmers import Stemmer
from sumy.nlp.tokenizers import Tokenizer
from sumy.utils import get_stop_words

from bot.pipeline.sentences import split_sentences

LANGUAGE = "english"
# A word as sumy's `Tokenizer._WORD_PATTERN` defines it: letters, with inner apostrophes or hyphens.
WORD = re.compile(r"[^\W\d_]+(?:['-][^\W\d_]+)*")


class _SentenceSplitter:
    """Our offline Punkt splitter behind the `tokenize` method sumy calls."""

    @staticmethod
    def tokenize(text: str) -> list[str]:
        return split_sentences(text)


class OfflineTokenizer(Tokenizer):
    """sumy's English tokenizer minus its need for downloaded Punkt data.

    sumy's own `Tokenizer("english")` loads `punkt_tab` and `nltk.word_tokenize` does too;
    `NLTKWordTokenizer` is the regex tokenizer underneath and needs no data.
    """

    def __init__(self) -> None:
        super().__init__(LANGUAGE)

    def _get_sentence_tokenizer(self, language: str) -> _SentenceSplitter:
        return _SentenceSplitter()

    def _get_word_tokenizer(self, language: str) -> NLTKWordTokenizer:
        return NLTKWordTokenizer()


@dataclass(frozen=True, slots=True)
class Language:
    """What the summarizers need of a language: sumy's tokenizer, a stemmer, stop words."""

    tokenizer: OfflineTokenizer
    stemmer: Callable[[str], str]
    stop_words: frozenset[str]

    def terms(self, text: str) -> list[str]:
        """Stemmed content words of `text`.

        A regex instead of `tokenizer.to_words`: the Treebank tokenizer's dozens of regex passes
        cost ten times more and only matter for punctuation, which is dropped here anyway.
        """
        words = WORD.findall(text.replace("’", "'").lower())
        return [self.stemmer(word) for word in words if word not in self.stop_words]


@cache
def english() -> Language:
    """English, made once (the stemmer cache is shared by every summary)."""
    # Articles repeat their words; the Snowball stemmer is the slow part of tokenising.
    stemmer = lru_cache(maxsize=65536)(Stemmer(LANGUAGE))
    return Language(OfflineTokenizer(), stemmer, frozenset(get_stop_words(LANGUAGE)))
