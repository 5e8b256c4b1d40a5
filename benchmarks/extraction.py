"""Extraction quality and speed on the Zyte article-extraction benchmark.

Run from the repository root: `python -m benchmarks.extraction [--bench-dir ../shared/bench]`.
It scores precis's `extract_html` against plain `trafilatura.extract` in the same run, with the
benchmark's own metric: word 4-gram shingles, precision and recall averaged over pages.
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import trafilatura

from bot.pipeline.extract import ExtractionError, extract_html

TOKEN = re.compile(r"\w+")
SHINGLE_SIZE = 4
# precis reads a page with trafilatura and then cleans it: its median time is held to a
# multiple of plain trafilatura's, measured in the same run, never to a fixed number of ms.
MAX_TIME_RATIO = 2.0


@dataclass(frozen=True, slots=True)
class Page:
    id: str
    url: str
    html: str
    truth: str


@dataclass(frozen=True, slots=True)
class Score:
    precision: float
    recall: float
    median_ms: float
    p95_ms: float

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0


def shingles(text: str) -> Counter[tuple[str, ...]]:
    tokens = TOKEN.findall(text)
    return Counter(
        tuple(tokens[i : i + SHINGLE_SIZE]) for i in range(len(tokens) - SHINGLE_SIZE + 1)
    )


def page_counts(prediction: str, truth: str) -> tuple[int, int, int]:
    """(TP, FP, FN) shingle counts of one page."""
    predicted, expected = shingles(prediction), shingles(truth)
    tp = sum((predicted & expected).values())
    return tp, sum(predicted.values()) - tp, sum(expected.values()) - tp


def mean_ratio(pairs: Iterable[tuple[int, int]]) -> float:
    """Mean of hit/(hit+miss) over pages, leaving out those with nothing to divide by."""
    ratios = [hit / (hit + miss) for hit, miss in pairs if hit + miss]
    return statistics.fmean(ratios) if ratios else 0.0


def load_pages(bench_dir: Path) -> list[Page]:
    root = bench_dir / "extraction"
    truth = json.loads((root / "ground-truth.json").read_text(encoding="utf-8"))
    return [
        Page(
            page_id,
            entry["url"],
            gzip.decompress((root / "html" / f"{page_id}.html.gz").read_bytes()).decode("utf-8"),
            entry["articleBody"],
        )
        for page_id, entry in sorted(truth.items())
    ]


def pages_or_complaint(bench_dir: Path, benchmark: str) -> list[Page] | None:
    """The pages, or None after saying on stderr why they could not be read."""
    try:
        return load_pages(bench_dir)
    except (OSError, ValueError, KeyError) as exc:
        print(f"{benchmark} benchmark data missing or unreadable: {exc}", file=sys.stderr)
        return None


def precis_text(page: Page) -> str:
    try:
        return extract_html(page.html, page.url).text
    except ExtractionError:
        return ""


def trafilatura_text(page: Page) -> str:
    return trafilatura.extract(page.html) or ""


METHODS: dict[str, Callable[[Page], str]] = {
    "precis extract_html": precis_text,
    "trafilatura.extract (defaults)": trafilatura_text,
}


def run(pages: list[Page]) -> dict[str, Score]:
    """Score every method; methods alternate page by page so timings share conditions."""
    for method in METHODS.values():
        method(pages[0])  # warm-up: lazy imports and compiled patterns
    counts: dict[str, list[tuple[int, int, int]]] = {name: [] for name in METHODS}
    times: dict[str, list[float]] = {name: [] for name in METHODS}
    for page in pages:
        for name, method in METHODS.items():
            start = time.perf_counter()
            prediction = method(page)
            times[name].append((time.perf_counter() - start) * 1000)
            counts[name].append(page_counts(prediction, page.truth))
    return {
        name: Score(
            precision=mean_ratio((tp, fp) for tp, fp, _ in counts[name]),
            recall=mean_ratio((tp, fn) for tp, _, fn in counts[name]),
            median_ms=statistics.median(times[name]),
            p95_ms=statistics.quantiles(times[name], n=20)[-1],
        )
        for name in METHODS
    }


def report(scores: dict[str, Score], pages: int) -> tuple[str, bool]:
    """The Markdown report and whether every target is met."""
    lines = [
        f"Extraction on {pages} pages (Zyte article-extraction-benchmark, shingle metric)",
        "",
        "| method | precision | recall | F1 | median ms | p95 ms |",
        "|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {name} | {s.precision:.3f} | {s.recall:.3f} | {s.f1:.3f} "
        f"| {s.median_ms:.1f} | {s.p95_ms:.1f} |"
        for name, s in scores.items()
    ]
    ours, baseline = scores["precis extract_html"], scores["trafilatura.extract (defaults)"]
    ratio = ours.median_ms / baseline.median_ms
    checks = [
        (f"F1 {ours.f1:.3f} >= trafilatura's {baseline.f1:.3f}", ours.f1 >= baseline.f1),
        (
            f"median time {ratio:.2f}x trafilatura's <= {MAX_TIME_RATIO:g}x",
            ratio <= MAX_TIME_RATIO,
        ),
    ]
    lines.append("")
    lines += [f"- {'PASS' if ok else 'FAIL'}: {text}" for text, ok in checks]
    return "\n".join(lines), all(ok for _, ok in checks)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bench-dir", type=Path, default=Path("../shared/bench"))
    args = parser.parse_args(argv)
    pages = pages_or_complaint(args.bench_dir, "extraction")
    if pages is None:
        return 2
    logging.disable(logging.WARNING)  # trafilatura warns about every page it discards
    text, ok = report(run(pages), len(pages))
    print(text)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
