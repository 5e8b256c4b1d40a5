"""The document a summarizer reads: an article's title and its sentences, in order."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from bot.model import Article
from bot.pipeline.sentences import sentence_spans


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence of the article, and where it stands."""

    text: str
    paragraph: int  # index of the paragraph it came from
    position: int  # index in the document's sentences


@dataclass(frozen=True, slots=True)
class Document:
    """An article as a summarizer reads it: its title and its sentences, in order."""

    title: str
    sentences: tuple[Sentence, ...]


class Summarizer(Protocol):
    """A summary method: picks sentences of a document (see `bot.pipeline.summarize`)."""

    def __call__(self, document: Document, count: int) -> tuple[int, ...]:
        """Positions of the `count` chosen sentences, in document order."""
        ...


def parse_document(article: Article) -> Document:
    """The article's title and non-empty sentences, split paragraph by paragraph."""
    texts = [
        (paragraph_index, paragraph[start:end].strip())
        for paragraph_index, paragraph in enumerate(article.paragraphs)
        for start, end in sentence_spans(paragraph)
    ]
    kept = [(paragraph_index, text) for paragraph_index, text in texts if text]
    sentences = tuple(
        Sentence(text, paragraph_index, position)
        for position, (paragraph_index, text) in enumerate(kept)
    )
    return Document(title=article.title.strip(), sentences=sentences)
