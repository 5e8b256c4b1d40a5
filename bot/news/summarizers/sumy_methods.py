"""sumy's summarizers, fed our sentence boundaries through sumy's object document model."""

from __future__ import annotations

from sumy.models.dom import ObjectDocumentModel, Paragraph
from sumy.models.dom import Sentence as SumySentence
from sumy.summarizers._summarizer import AbstractSummarizer

from bot.news.summarizers.document import Document
from bot.news.summarizers.language import Language


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
