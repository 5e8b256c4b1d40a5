"""Quote extraction benchmark: PolNeAR-derived quotes scored by the shared score.py.

    python -m benchmarks.quotes [--bench-dir ../shared/bench] [--split dev]

Prints score.py's figures, milliseconds per article, the accuracy of `speaker_resolved` on two
hand-labelled samples of he/she quotes from the train split, PASS/FAIL lines for the targets,
and each attribution rule's contribution: the target figures with that rule left out
(`--no-contributions` skips it). Exits 2 if the data is missing. The samples:
pronoun_sample.jsonl, labelled while the resolver was being written (so its misses were seen),
and pronoun_heldout.jsonl, labelled from other articles after it was frozen.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bot.model import Quote
from bot.pipeline.quotes import extract_quotes, speaker_key
from bot.pipeline.quotes.rules import RULEBOOK, Rulebook

SAMPLES = (
    (
        "pronoun sample (train, hand-labelled, seen)",
        Path(__file__).with_name("pronoun_sample.jsonl"),
    ),
    (
        "pronoun sample (train, hand-labelled, held out)",
        Path(__file__).with_name("pronoun_heldout.jsonl"),
    ),
)
TARGETS = (
    ("end-to-end quote+speaker F1", ("end_to_end_quote+speaker_surface", "F1"), 85.0),
    ("quote span F1", ("span_lenient_iou50", "F1"), 90.0),
    ("named-speaker accuracy (resolved)", ("speaker_acc_named_gold_resolved",), 92.0),
)


def _articles(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            yield json.loads(line)


def _prediction(quote: Quote) -> dict[str, Any]:
    return {
        "quote": quote.text,
        "start": quote.start,
        "end": quote.end,
        "speaker": quote.speaker,
        "speaker_resolved": quote.speaker_resolved,
    }


def _predict(gold: Path, out: Path, rules: Rulebook = RULEBOOK) -> list[float]:
    """Write predictions for every article; return milliseconds per article."""
    timings = []
    with out.open("w", encoding="utf-8") as sink:
        for article in _articles(gold):
            began = time.perf_counter()
            quotes = extract_quotes(article["text"], rules)
            timings.append(1000 * (time.perf_counter() - began))
            record = {"id": article["id"], "quotes": [_prediction(q) for q in quotes]}
            sink.write(json.dumps(record) + "\n")
    return timings


def _score(score_py: Path, gold: Path, pred: Path) -> dict[str, Any]:
    command = [sys.executable, str(score_py), str(gold), str(pred), "--json"]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def _overlaps(quote: Quote, start: int, end: int) -> bool:
    inter = min(quote.end, end) - max(quote.start, start)
    return inter > 0.5 * min(quote.end - quote.start, end - start)


def _same_person(resolved: str | None, person: str) -> bool:
    """Every word of the labelled name appears in the resolved one ("Trump" ~ "Donald Trump")."""
    if not resolved:
        return False
    return set(speaker_key(person).split()) <= set(speaker_key(resolved).split())


def pronoun_accuracy(train: Path, sample: Path, rules: Rulebook = RULEBOOK) -> tuple[int, int]:
    """(right, total) for `speaker_resolved` on the hand-labelled pronoun quotes."""
    labels: dict[str, list[dict[str, Any]]] = {}
    for label in _articles(sample):
        labels.setdefault(label["id"], []).append(label)
    right = total = 0
    for article in _articles(train):
        if article["id"] not in labels:
            continue
        quotes = extract_quotes(article["text"], rules)
        for label in labels[article["id"]]:
            total += 1
            found = [q for q in quotes if _overlaps(q, label["start"], label["end"])]
            right += bool(found) and _same_person(found[0].speaker_resolved, label["person"])
    return right, total


def _figure(result: dict[str, Any], path: tuple[str, ...]) -> float:
    value: Any = result
    for key in path:
        value = value[key]
    return float(value)


def _targets(score_py: Path, gold: Path, rules: Rulebook) -> list[float]:
    """The target figures of the predictions made with `rules`."""
    with tempfile.TemporaryDirectory() as tmp:
        pred = Path(tmp) / "pred.jsonl"
        _predict(gold, pred, rules)
        result = _score(score_py, gold, pred)
    return [_figure(result, path) for _, path, _ in TARGETS]


def print_contributions(score_py: Path, gold: Path, train: Path) -> None:
    """Each rule's contribution: the target figures and the held-out pronoun accuracy with
    the rule left out, and the change from all rules (a negative change: the rule helps)."""
    sample = SAMPLES[1][1]
    right, total = pronoun_accuracy(train, sample)
    full = [*_targets(score_py, gold, RULEBOOK), 100 * right / total]
    print("rule contributions (figures without the rule, change from all rules):")
    print(f"{'rule':<24} {'end-to-end':>15} {'span':>15} {'named':>15} {'pronoun':>15}")
    print(f"{'(all rules)':<24}" + "".join(f" {value:>15.1f}" for value in full))
    for name in RULEBOOK.names():
        rules = RULEBOOK.without(name)
        right, total = pronoun_accuracy(train, sample, rules)
        figures = [*_targets(score_py, gold, rules), 100 * right / total]
        cells = (
            f"{value:.1f} ({value - base:+.1f})" for value, base in zip(figures, full, strict=True)
        )
        print(f"{name:<24}" + "".join(f" {cell:>15}" for cell in cells))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bench-dir", type=Path, default=Path("../shared/bench"))
    parser.add_argument("--split", default="dev")
    parser.add_argument(
        "--no-contributions",
        action="store_true",
        help="skip the figures with each attribution rule left out",
    )
    args = parser.parse_args(argv)
    folder = args.bench_dir / "quotes"
    gold, train = folder / f"polnear_dq_{args.split}.jsonl", folder / "polnear_dq_train.jsonl"
    score_py = folder / "score.py"
    missing = [p for p in (gold, train, score_py) if not p.is_file()]
    if missing:
        print(f"benchmark data missing: {', '.join(map(str, missing))}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        pred = Path(tmp) / "pred.jsonl"
        timings = _predict(gold, pred)
        result = _score(score_py, gold, pred)
    print(f"split: {args.split} ({len(timings)} articles)")
    print(json.dumps(result, indent=1))
    p95 = statistics.quantiles(timings, n=20)[-1] if len(timings) > 1 else timings[0]
    print(f"ms per article: median {statistics.median(timings):.2f}, p95 {p95:.2f}")
    for name, sample in SAMPLES:
        right, total = pronoun_accuracy(train, sample)
        print(f"{name}: {right}/{total} = {100 * right / total:.1f}%")
    for name, path, target in TARGETS:
        value = _figure(result, path)
        print(f"{'PASS' if value >= target else 'FAIL'} {name}: {value:.1f} (target {target:.0f})")
    if not args.no_contributions:
        began = time.perf_counter()
        print_contributions(score_py, gold, train)
        print(f"contributions took {time.perf_counter() - began:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
