"""Summaries of small hand-written articles: every method, the API's contract and precis's taste."""

from __future__ import annotations

import random
import tracemalloc
from concurrent.futures import ThreadPoolExecutor

import nltk
import pytest
from sumy.summarizers.kl import KLSummarizer

import bot.pipeline.summarize as summarize_module
from bot.model import Article
from bot.pipeline.summarize import (
    DEFAULT_METHOD,
    MAX_CHARACTERS,
    MAX_SENTENCES,
    METHODS,
    parse_document,
    summarize,
)
from bot.pipeline.summarizers.language import english
from bot.pipeline.summarizers.sumy_methods import FirstPicksKLSummarizer, to_sumy_document
from tests.growth import growth

HARBOUR = Article(
    title="Storm closes Port Ellery harbour",
    paragraphs=(
        "A winter storm closed the harbour at Port Ellery on Tuesday, stranding the fishing fleet"
        " for a third day. Harbour master Ruth Okafor said the waves had damaged the northern"
        " breakwater.",
        "Crews will inspect the breakwater once the wind drops below gale force. The town council"
        " has opened the school hall to families who lost power.",
        "Fishermen say every day in port costs them their catch. The fleet usually lands cod and"
        " haddock at the quay each morning. Forecasters expect the storm to ease by Friday.",
        "Repairs to the breakwater could take months, the council warned. Local shops have started"
        " collecting food for the stranded crews.",
    ),
)


def sentences_of(article: Article) -> list[str]:
    return [sentence.text for sentence in parse_document(article).sentences]


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("count", [1, 3])
def test_every_method_picks_sentences_of_the_input_in_order(method: str, count: int) -> None:
    summary = summarize(HARBOUR, method, count)
    source = sentences_of(HARBOUR)
    assert summary.method == method
    assert summary.total_sentences == len(source) == 9
    assert len(summary.sentences) == count
    positions = [source.index(sentence) for sentence in summary.sentences]
    assert positions == sorted(positions)


def test_document_keeps_paragraphs_and_positions_and_skips_empty_ones() -> None:
    article = Article(title=" A title ", paragraphs=("One here. Two here.", "", "Three here."))
    document = parse_document(article)
    assert document.title == "A title"
    assert [(s.text, s.paragraph, s.position) for s in document.sentences] == [
        ("One here.", 0, 0),
        ("Two here.", 0, 1),
        ("Three here.", 2, 2),
    ]


def test_unknown_method_names_the_valid_ones() -> None:
    with pytest.raises(ValueError, match="precis, lead, lexrank"):
        summarize(HARBOUR, "bogus")


def test_short_text_comes_back_whole() -> None:
    article = Article(title="", paragraphs=("Only one sentence here.", "And a second one."))
    for method in METHODS:
        summary = summarize(article, method, count=3)
        assert summary.sentences == ("Only one sentence here.", "And a second one.")
        assert summary.total_sentences == 2


def test_default_method_is_precis() -> None:
    assert DEFAULT_METHOD == "precis"
    assert summarize(HARBOUR).method == "precis"


def test_precis_prefers_the_real_lead_to_captions_and_run_ons() -> None:
    run_on = (
        "The storm which had been building over the western sea for most of the week and which"
        " forecasters had watched with growing concern as it gathered strength over the warm"
        " water finally reached the harbour late on Monday night where it tore at the moorings"
        " and the breakwater and the fishing boats and the sheds along the quay until dawn."
    )
    article = Article(
        title="",
        paragraphs=(
            "Scroll down for video",
            "Waves crash over the breakwater at Port Ellery on Tuesday",
            run_on,
            *HARBOUR.paragraphs,
        ),
    )
    summary = summarize(article, "precis", count=2)
    assert summary.sentences == (
        "A winter storm closed the harbour at Port Ellery on Tuesday, stranding the fishing fleet"
        " for a third day.",
        "Harbour master Ruth Okafor said the waves had damaged the northern breakwater.",
    )


def test_precis_does_not_pick_two_near_duplicates() -> None:
    lead = "A winter storm closed the harbour at Port Ellery on Tuesday, stranding the fleet."
    echo = "A winter storm closed the harbour at Port Ellery on Tuesday and stranded the fleet."
    article = Article(title="", paragraphs=(lead, echo, *HARBOUR.paragraphs[1:]))
    summary = summarize(article, "precis", count=3)
    assert lead in summary.sentences
    assert echo not in summary.sentences


def test_precis_uses_the_title() -> None:
    article = Article(title="Breakwater repairs could take months", paragraphs=HARBOUR.paragraphs)
    summary = summarize(article, "precis", count=1)
    assert "breakwater" in summary.sentences[0]


def test_needs_no_nltk_data() -> None:
    for resource in ("tokenizers/punkt", "tokenizers/punkt_tab"):
        with pytest.raises(LookupError):
            nltk.data.find(resource)
    assert summarize(HARBOUR, "lexrank", count=2).sentences


def test_threads_get_the_same_summaries() -> None:
    expected = {method: summarize(HARBOUR, method, 2) for method in METHODS}
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda method: summarize(HARBOUR, method, 2), METHODS * 4))
    assert results == [expected[method] for method in METHODS * 4]


VOCABULARY = (
    "harbour storm fleet council crews breakwater repairs families power shops food wind"
    " forecast quay catch boats town school hall waves months morning cod haddock ferry"
    " pier road bridge flood river rain warning police rescue lifeboat coast cliff beach"
    " sailors engines nets market prices ice snow"
)


def long_article(sentences: int, seed: int = 7) -> Article:
    """An article of `sentences` plain sentences over a small vocabulary, five a paragraph."""
    words = VOCABULARY.split()
    pick = random.Random(seed).sample
    lines = [" ".join(pick(words, 9)).capitalize() + "." for _ in range(sentences)]
    paragraphs = tuple(" ".join(lines[i : i + 5]) for i in range(0, sentences, 5))
    return Article(title="Storm closes the harbour", paragraphs=paragraphs)


@pytest.mark.parametrize("method", METHODS)
def test_every_method_takes_linear_time_past_its_limit(
    method: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Small limits keep the test fast; the real ones are only larger constants.
    monkeypatch.setattr(summarize_module, "MAX_SENTENCES", 30, raising=False)
    monkeypatch.setattr(summarize_module, "MAX_CHARACTERS", 3_000, raising=False)
    small, large = long_article(60), long_article(480)
    # Eight times the text: at most about 8x the time (the sentence splitting), where
    # comparing pairs of sentences would take 64x.
    assert growth(lambda article: summarize(article, method, 3), small, large) < 20


def test_a_long_text_is_read_from_its_opening_and_the_summary_says_so() -> None:
    article = long_article(MAX_SENTENCES + 50)
    opening = sentences_of(article)[:MAX_SENTENCES]
    for method in METHODS:
        summary = summarize(article, method, 3)
        assert summary.total_sentences == MAX_SENTENCES + 50
        assert set(summary.sentences) <= set(opening)
        assert summary.cut == (method != "lead")
    assert not summarize(HARBOUR, "kl", 3).cut


def test_a_text_longer_than_the_character_limit_is_cut_too() -> None:
    sentence = "The harbour stayed closed for a third day as the storm went on. "
    article = Article(title="", paragraphs=(sentence * (MAX_CHARACTERS // len(sentence) + 5),))
    assert summarize(article, "lexrank", 3).cut
    assert not summarize(article, "lexrank", 1000).cut  # fewer sentences than asked: whole


def test_precis_memory_does_not_grow_with_the_text() -> None:
    article = long_article(3_000)
    tracemalloc.start()
    try:
        summarize(article, "precis", 3)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 40_000_000  # the whole text's dense matrices took hundreds of megabytes


@pytest.mark.parametrize("count", [1, 3, 5])
def test_kl_picks_what_sumys_kl_picks(count: int) -> None:
    language = english()
    ours, sumys = FirstPicksKLSummarizer(language.stemmer), KLSummarizer(language.stemmer)
    ours.stop_words = sumys.stop_words = language.stop_words
    for article in (HARBOUR, long_article(40, seed=3)):
        model, _ = to_sumy_document(parse_document(article), language)
        assert set(ours(model, count)) == set(sumys(model, count))
