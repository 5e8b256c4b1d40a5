"""`precis`: our summarizer for news — lead-biased, topical, non-redundant, clean sentences.

Each sentence gets a relevance score: a position prior (news states its point first) times
how well it covers the article (TF-IDF cosine to the article's centroid, plus to the title when
there is one), times a quality factor that sinks captions, bylines and other page furniture,
fragments and run-ons. Sentences are then picked greedily by maximal marginal relevance, so a
sentence that repeats one already picked loses to one that makes a new point.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from bot.pipeline.summarizers.document import Document
from bot.pipeline.summarizers.language import Language

Array = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class PrecisParams:
    """The method's few knobs; the first two were chosen on the CNN/DM and XSum dev sets."""

    position_decay: float = 0.05  # prior = 1 / (1 + decay * position): sentence 20 counts half
    redundancy: float = 0.6  # MMR: weight of the similarity to what is already picked
    title_weight: float = 1.0  # a title counts as much as the whole article's centroid
    short_words: int = 6  # fewer words: a fragment, a heading or a caption stub
    long_words: int = 50  # more words: usually captions glued to a sentence


# Page furniture that sentence splitting leaves in the text.
BOILERPLATE = re.compile(
    r"scroll down for video|click here|^by \S.*\b(published|updated)\b|last updated at"
    r"|share this with|^(read more|see more|follow)\b|^published:|^updated:|all rights reserved",
    re.IGNORECASE,
)
SENTENCE_END = re.compile(r"[.!?…][\"'’”)\]]*$")
# Fixed, untuned discounts: furniture all but never, a fragment or an unfinished line rarely.
BOILERPLATE_QUALITY = 0.05
FRAGMENT_QUALITY = 0.3
UNFINISHED_QUALITY = 0.5


class PrecisSummarizer:
    """The `precis` method (see the module's docstring); `params` are its knobs."""

    def __init__(self, language: Language, params: PrecisParams | None = None) -> None:
        self._language = language
        self._params = params or PrecisParams()

    def __call__(self, document: Document, count: int) -> tuple[int, ...]:
        texts = [sentence.text for sentence in document.sentences]
        vectors, title = self._vectors(texts, document.title)
        relevance = self._relevance(vectors, title) * np.array([self._quality(t) for t in texts])
        return self._select(relevance, vectors @ vectors.T, count)

    def _vectors(self, texts: list[str], title: str) -> tuple[Array, Array | None]:
        """Unit-length TF-IDF rows for the sentences, and for the title if there is one.

        The title rides along as an extra last row over the sentences' vocabulary; words only
        it has cannot match any sentence, and it does not count towards document frequency.
        """
        bags = [self._language.terms(text) for text in texts]
        title_bag = self._language.terms(title)
        vocabulary: dict[str, int] = {}
        rows = [[vocabulary.setdefault(term, len(vocabulary)) for term in bag] for bag in bags]
        counts = np.zeros((len(texts) + 1, max(len(vocabulary), 1)))
        for row, columns in enumerate(rows):
            np.add.at(counts[row], columns, 1.0)
        np.add.at(counts[-1], [vocabulary[t] for t in title_bag if t in vocabulary], 1.0)
        document_frequency = (counts[:-1] > 0).sum(axis=0)
        idf = np.log((1 + len(texts)) / (1 + document_frequency)) + 1.0
        weighted = np.log1p(counts) * idf
        norms = np.linalg.norm(weighted, axis=1, keepdims=True)
        unit = np.divide(weighted, norms, out=np.zeros_like(weighted), where=norms > 0)
        return unit[:-1], (unit[-1] if norms[-1, 0] > 0 else None)

    def _relevance(self, vectors: Array, title: Array | None) -> Array:
        params = self._params
        coverage = vectors @ _unit(vectors.sum(axis=0))
        if title is not None:
            coverage += params.title_weight * (vectors @ title)
        prior = 1.0 / (1.0 + params.position_decay * np.arange(len(vectors)))
        return prior * (1.0 + coverage)

    def _quality(self, text: str) -> float:
        """1 for a clean sentence, less for page furniture, fragments and run-ons."""
        if BOILERPLATE.search(text):
            return BOILERPLATE_QUALITY
        params = self._params
        words = len(text.split())
        quality = 1.0
        if words < params.short_words:
            quality *= FRAGMENT_QUALITY
        if words > params.long_words:
            quality *= params.long_words / words
        if not SENTENCE_END.search(text):
            quality *= UNFINISHED_QUALITY
        return quality

    def _select(self, relevance: Array, similarity: Array, count: int) -> tuple[int, ...]:
        """Greedy maximal marginal relevance."""
        chosen: list[int] = []
        available = np.ones(len(relevance), dtype=bool)
        redundancy = np.zeros(len(relevance))
        for _ in range(min(count, len(relevance))):
            gain = np.where(available, relevance - self._params.redundancy * redundancy, -np.inf)
            best = int(np.argmax(gain))
            chosen.append(best)
            available[best] = False
            redundancy = np.maximum(redundancy, similarity[best])
        return tuple(sorted(chosen))


def _unit(vector: Array) -> Array:
    norm = np.linalg.norm(vector)
    return vector / norm if norm > 0 else vector
