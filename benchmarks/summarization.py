"""Summarization benchmark: ROUGE and speed of every method on CNN/DM and XSum dev samples.

Run from the repo root: `python -m benchmarks.summarization [--bench-dir DIR] [--limit N]`.
Reads `summarization/{cnndm,xsum}_dev.jsonl` (lines of `{id, text, references, ...}`), prints
a Markdown table per dataset and PASS/FAIL lines for precis's targets. It is a report: it exits
0 whatever the scores, and 2 only when the data is missing.

Then long texts: the CNN/DM articles one after another up to 100 KB, 1 MB and 5 MB, each in a
process of its own (so that its peak RSS is its own), with the seconds a pasted text takes to be
read (cleaning and quotes) and summarised by each method, and the process's peak memory.
"""

from __future__ import annotations

import argparse
import gc
import json
import multiprocessing
import resource
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from rouge_score import rouge_scorer

from bot.model import Article, Summary
from bot.pipeline.extract import extract_text
from bot.pipeline.quotes import quotes_of
from bot.pipeline.summarize import METHODS, summarize

REPO_ROOT = Path(__file__).resolve().parents[1]
DATASETS = (("cnndm_dev", 3), ("xsum_dev", 1))  # (file stem, sentences per summary)
ROUGE_TYPES = ("rouge1", "rouge2", "rougeLsum")
LONG_SIZES = (100_000, 1_000_000, 5_000_000)  # characters
LONG_TARGET_SECONDS = 60.0  # 5 MB read and summarised by precis, in one process
LONG_TARGET_MB = 1024.0


@dataclass(frozen=True, slots=True)
class Sample:
    article: Article
    references: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Result:
    method: str
    rouge: dict[str, float]  # mean F1 x 100 by rouge type
    words: float
    milliseconds: tuple[float, ...]

    @property
    def median_ms(self) -> float:
        return statistics.median(self.milliseconds)

    @property
    def p95_ms(self) -> float:
        ordered = sorted(self.milliseconds)
        return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def to_article(text: str, title: str = "") -> Article:
    """Paragraphs split on blank lines, or on single newlines if the text has no blank lines."""
    separator = "\n\n" if "\n\n" in text else "\n"
    paragraphs = tuple(p.strip() for p in text.split(separator) if p.strip())
    return Article(title=title, paragraphs=paragraphs)


def load(path: Path, limit: int | None) -> list[Sample]:
    with path.open(encoding="utf-8") as lines:
        rows = [json.loads(line) for line in lines if line.strip()]
    return [
        Sample(to_article(row["text"], row.get("title") or ""), tuple(row["references"]))
        for row in rows[:limit]
    ]


def timed(article: Article, method: str, count: int) -> tuple[Summary, float]:
    """The summary and its milliseconds, with garbage collection off as `timeit` does."""
    gc.disable()
    try:
        start = time.perf_counter()
        summary = summarize(article, method, count)
        return summary, (time.perf_counter() - start) * 1000
    finally:
        gc.enable()


def evaluate(samples: Sequence[Sample], count: int) -> list[Result]:
    """Every method on every sample, all in one run.

    Methods take turns on each article so they share the machine's noise, and the one going first
    rotates: it pays for stemming the article's new words, which the shared cache then holds.
    """
    scorer = rouge_scorer.RougeScorer(list(ROUGE_TYPES), use_stemmer=True)
    for method in METHODS:  # warm the shared caches before timing
        summarize(samples[0].article, method, count)
    scores: dict[str, list[dict[str, float]]] = {method: [] for method in METHODS}
    words: dict[str, list[int]] = {method: [] for method in METHODS}
    times: dict[str, list[float]] = {method: [] for method in METHODS}
    for turn, sample in enumerate(samples):
        first = turn % len(METHODS)
        for method in METHODS[first:] + METHODS[:first]:
            summary, milliseconds = timed(sample.article, method, count)
            times[method].append(milliseconds)
            prediction = "\n".join(summary.sentences)
            best = scorer.score_multi(list(sample.references), prediction)
            scores[method].append({kind: best[kind].fmeasure for kind in ROUGE_TYPES})
            words[method].append(len(prediction.split()))
    return [
        Result(
            method,
            {kind: 100 * statistics.fmean(s[kind] for s in scores[method]) for kind in ROUGE_TYPES},
            statistics.fmean(words[method]),
            tuple(times[method]),
        )
        for method in METHODS
    ]


def table(name: str, count: int, size: int, results: Sequence[Result]) -> str:
    lines = [
        f"### {name} ({size} articles, {count} sentence{'s' if count > 1 else ''})",
        "",
        "| method | R-1 | R-2 | R-Lsum | words | median ms | p95 ms |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {r.method} | {r.rouge['rouge1']:.2f} | {r.rouge['rouge2']:.2f} "
        f"| {r.rouge['rougeLsum']:.2f} | {r.words:.1f} | {r.median_ms:.2f} | {r.p95_ms:.2f} |"
        for r in results
    ]
    return "\n".join(lines)


def checks(name: str, results: Sequence[Result]) -> list[tuple[bool, str]]:
    by_method = {r.method: r for r in results}
    precis, lead, lexrank = by_method["precis"], by_method["lead"], by_method["lexrank"]
    # Times are compared with sumy LexRank's in the same run, never with a fixed number of
    # milliseconds: a busy machine slows both alike.
    ratio = precis.median_ms / lexrank.median_ms
    slowest = max(precis.milliseconds) / max(lexrank.milliseconds)
    outcome = [
        (ratio <= 1, f"{name}: precis median time is {ratio:.2f}x sumy LexRank's (target <= 1)"),
        (
            slowest <= 1,
            f"{name}: precis slowest article takes {slowest:.2f}x LexRank's slowest (target <= 1)",
        ),
    ]
    if name.startswith("cnndm"):
        outcome += [
            (
                precis.rouge[kind] > lead.rouge[kind],
                f"{name}: precis {kind} {precis.rouge[kind]:.2f} vs Lead-3 {lead.rouge[kind]:.2f}",
            )
            for kind in ROUGE_TYPES
        ]
    return outcome


@dataclass(frozen=True, slots=True)
class LongRun:
    characters: int
    read_seconds: float  # cleaning and quote finding, as for a pasted text
    seconds: dict[str, float]  # summary time by method
    peak_mb: float


def long_text(samples: Sequence[Sample], characters: int) -> str:
    """The samples' articles one after another, repeated, cut to `characters`."""
    articles = ["\n\n".join(sample.article.paragraphs) for sample in samples]
    repeats = characters // sum(len(text) + 2 for text in articles) + 1
    return "\n\n".join(articles * repeats)[:characters]


def measure_long(text: str) -> LongRun:
    """Run in a process of its own: its peak RSS is this text's."""
    start = time.perf_counter()
    article = extract_text(text)
    quotes_of(article)
    read_seconds = time.perf_counter() - start
    seconds = {}
    for method in METHODS:
        start = time.perf_counter()
        summarize(article, method, 3)
        seconds[method] = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    return LongRun(len(text), read_seconds, seconds, peak_mb)


def long_runs(samples: Sequence[Sample]) -> list[LongRun]:
    runs = []
    for characters in LONG_SIZES:
        with multiprocessing.get_context("spawn").Pool(1) as pool:
            runs.append(pool.apply(measure_long, (long_text(samples, characters),)))
    return runs


def size_label(characters: int) -> str:
    return f"{characters / 1e6:g} MB" if characters >= 1e6 else f"{characters / 1e3:g} KB"


def long_table(runs: Sequence[LongRun]) -> str:
    lines = [
        "### Long texts (CNN/DM articles one after another; seconds, 3 sentences)",
        "",
        f"| text | read s | {' | '.join(METHODS)} | peak RSS MB |",
        f"|---|---:|{'---:|' * len(METHODS)}---:|",
    ]
    lines += [
        f"| {size_label(run.characters)} | {run.read_seconds:.2f} | "
        + " | ".join(f"{run.seconds[method]:.2f}" for method in METHODS)
        + f" | {run.peak_mb:.0f} |"
        for run in runs
    ]
    return "\n".join(lines)


def long_checks(runs: Sequence[LongRun]) -> list[tuple[bool, str]]:
    largest = max(runs, key=lambda run: run.characters)
    seconds = largest.read_seconds + largest.seconds["precis"]
    size = size_label(largest.characters)
    return [
        (
            seconds < LONG_TARGET_SECONDS,
            f"{size}: read and summarised by precis in {seconds:.1f} s"
            f" (target < {LONG_TARGET_SECONDS:g})",
        ),
        (
            largest.peak_mb < LONG_TARGET_MB,
            f"{size}: peak RSS {largest.peak_mb:.0f} MB, every method"
            f" (target < {LONG_TARGET_MB:g})",
        ),
    ]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bench-dir", type=Path, default=Path("../shared/bench"))
    parser.add_argument("--limit", type=int, default=None, help="articles per dataset")
    args = parser.parse_args(argv)
    directory = REPO_ROOT / args.bench_dir / "summarization"
    paths = {name: directory / f"{name}.jsonl" for name, _ in DATASETS}
    missing = [str(path) for path in paths.values() if not path.is_file()]
    if missing:
        print(f"benchmark data missing: {', '.join(missing)}", file=sys.stderr)
        return 2
    outcome: list[tuple[bool, str]] = []
    for name, count in DATASETS:
        samples = load(paths[name], args.limit)
        results = evaluate(samples, count)
        print(table(name, count, len(samples), results), end="\n\n")
        outcome += checks(name, results)
    runs = long_runs(load(paths[DATASETS[0][0]], args.limit))
    print(long_table(runs), end="\n\n")
    outcome += long_checks(runs)
    for passed, message in outcome:
        print(f"{'PASS' if passed else 'FAIL'} {message}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
