"""sumy's summarizers, fed our sentence boundaries through sumy's object document model."""

from __future__ import annotations

from sumy.models.dom import ObjectDocumentModel, Paragraph
from sumy.models.dom import Sentence as SumySentence
from sumy.summarizers._summarizer import AbstractSummarizer
from sumy.summarizers.kl import KLSummarizer

from bot.pipeline.summarizers.document import Document
from bot.pipeline.summarizers.language import Language


def to_sumy_document(
    document: Document, language: Language
) -> tuple[ObjectDocumentModel, dict[int, int]]:
    """sumy's model of `document`, plus a map from each sumy sentence's id to its position."""
    by_paragraph: dict[int, list[SumySentence]] = {}
    positions: dict[int, int] = {}
    for sentence in document.sentences:
        sumy_sentence = SumySentence(sentence.text, language.tokenizer)
        by_paragraph.setdefault(sentence.paragraph, []).append(sumy_sentence)
        positions[id(sumy_sentence)] = sentence.position
    model = ObjectDocumentModel(Paragraph(sentences) for sentences in by_paragraph.values())
    return model, positions


class SumySummarizer:
    """One of sumy's summarizers, set up once with our stemmer and stop words."""

    def __init__(self, summarizer_class: type[AbstractSummarizer], language: Language) -> None:
        self._summarizer = summarizer_class(language.stemmer)
        self._summarizer.stop_words = language.stop_words
        self._language = language

    def __call__(self, document: Document, count: int) -> tuple[int, ...]:
        model, positions = to_sumy_document(document, self._language)
        chosen = self._summarizer(model, count)
        return tuple(sorted(positions[id(sentence)] for sentence in chosen))


class FirstPicksKLSummarizer(KLSummarizer):
    """sumy's KL-Sum, stopping at the sentences asked for.

    sumy ranks every sentence by greedy picks, each pass over all that are left (cubic time:
    40 s for a 40 KB page), then keeps the first `sentences_count` picks; the picks are the
    same when the passes stop there.
    """

    def __call__(
        self, document: ObjectDocumentModel, sentences_count: int
    ) -> tuple[SumySentence, ...]:
        sentences = document.sentences
        word_freq = self.compute_tf(sentences)
        left = list(sentences)
        left_words = [self._get_content_words_in_sentence(s) for s in sentences]
        summary: list[SumySentence] = []
        for _ in range(min(sentences_count, len(left))):
            summary_words = self._get_all_words_in_doc(summary)
            divergences = [
                self._kl_divergence(self._joint_freq(words, summary_words), word_freq)
                for words in left_words
            ]
            best = self._find_index_of_best_sentence(divergences)
            summary.append(left.pop(best))
            del left_words[best]
        return tuple(summary)
