"""Train the reader's amount model (``intake/extract/model.json``) on the training families.

    .venv/bin/python -m bench.train_reader                       # generate, train, write the model
    .venv/bin/python -m bench.train_reader --grammar /tmp/g --old /tmp/o   # reuse generated corpora

Training data: the grammar generator's families 0..TRAIN_FAMILIES-1 (``bench/corpus/grammar.py``)
and the first generator's documents with a training seed. Families from TRAIN_FAMILIES on are
never used here: ``bench/extract.py --grammar`` reports on them (leave-family-out).

Every amount candidate of a digital PDF is one example (label: it is the true amount); a
logistic regression (scikit-learn) learns the weights; an isotonic regression maps the winning
candidate's softmax share to the share of documents read right (the confidence). The model file
is plain JSON: weights per feature and the calibration points.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from intake.extract.amounts import format_amount  # noqa: E402
from intake.extract.choose import ABSTAIN, MODEL, Scored, sigmoid  # noqa: E402
from intake.extract.interpret import candidates_of  # noqa: E402
from intake.extract.limits import Limits  # noqa: E402
from intake.extract.pdf import read_pdf  # noqa: E402

TRAIN_FAMILIES = 32
TRAIN_SEED = 11
OLD_SEED = 7


def examples(folder: Path) -> list[tuple[str, list[Scored], str]]:
    """(family, candidates, true amount) for every digital PDF of a corpus folder."""
    documents = json.loads((folder / "manifest.json").read_text())["documents"]
    found = []
    for document in documents:
        if document["variant"] != "pdf" or document["amount"] is None:
            continue
        if document.get("family_index", 0) >= TRAIN_FAMILIES:
            continue  # never train on held-out families
        data = (folder / document["file"]).read_bytes()
        pages = read_pdf(data, Limits(), time.monotonic() + 60)
        kind, found_candidates = candidates_of(pages)
        if kind.value != document["kind"] or not found_candidates:
            continue
        group = document.get("family") or f"old-{document['kind']}-{document['layout']}"
        scored = [Scored(c.ore, c.features) for c in found_candidates]
        found.append((group, scored, document["amount"]))
    return found


def _fit(sets: list[tuple[str, list[Scored], str]], names: list[str]) -> dict[str, float]:
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    rows, labels = [], []
    for _, cands, truth in sets:
        for c in cands:
            rows.append([c.features.get(n, 0.0) for n in names])
            labels.append(format_amount(c.ore) == truth)
    model = LogisticRegression(C=2.0, max_iter=3000, class_weight="balanced", fit_intercept=False)
    model.fit(np.array(rows), np.array(labels))
    return {n: float(w) for n, w in zip(names, model.coef_[0], strict=True) if abs(w) > 1e-6}


def _winner(cands: list[Scored], weights: dict[str, float]) -> tuple[Scored | None, float]:
    scores = [sum(weights.get(n, 0.0) * v for n, v in c.features.items()) for c in cands]
    top = max(scores)
    exp = [math.exp(s - top) for s in scores]
    best = cands[scores.index(top)]
    if sigmoid(top) < ABSTAIN:
        return None, 0.0
    share = sum(e for c, e in zip(cands, exp, strict=True) if c.ore == best.ore) / sum(exp)
    return best, share * sigmoid(top)


def train(sets: list[tuple[str, list[Scored], str]], out: Path, folds: int = 4) -> None:
    from sklearn.isotonic import IsotonicRegression

    names = sorted({n for _, cands, _ in sets for c in cands for n in c.features})
    weights = _fit(sets, names)
    # Calibration on families each fold's model never saw (out of fold, grouped by family):
    # the winner's softmax share against whether it was right.
    groups = sorted({g for g, _, _ in sets})
    fold_of = {g: i % folds for i, g in enumerate(groups)}
    shares, right = [], []
    for fold in range(folds):
        fold_weights = _fit([e for e in sets if fold_of[e[0]] != fold], names)
        for group, cands, truth in sets:
            if fold_of[group] == fold:
                best, share = _winner(cands, fold_weights)
                shares.append(share)
                right.append(best is not None and format_amount(best.ore) == truth)
    iso = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip")
    iso.fit(shares, right)
    # A margin below the observed precision: 0.9 must mean fewer than 1 % wrong.
    xs = [float(v) for v in iso.X_thresholds_]
    ys = [max(0.0, float(v) - 0.03) for v in iso.y_thresholds_]
    accuracy = sum(right) / len(right)  # out of fold: on families the model did not see
    out.write_text(
        json.dumps(
            {
                "about": "amount model of intake/extract/choose.py; python -m bench.train_reader",
                "documents": len(sets),
                "out_of_fold_accuracy": round(accuracy, 4),
                "weights": {k: round(v, 4) for k, v in sorted(weights.items())},
                "calibration_x": [round(v, 4) for v in xs],
                "calibration_y": [round(v, 4) for v in ys],
            },
            indent=1,
        )
        + "\n"
    )
    print(f"{len(sets)} documents; out of fold (by family) the top pick is right on {accuracy:.1%}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--grammar", type=Path, help="a grammar corpus already generated")
    parser.add_argument("--old", type=Path, help="a first-generator corpus already generated")
    parser.add_argument("--per-family", type=int, default=2)
    parser.add_argument("--out", type=Path, default=MODEL)
    parser.add_argument(
        "--cache", type=Path, help="keep the examples' features here (JSON) and reuse them"
    )
    args = parser.parse_args()
    if args.cache and args.cache.exists():
        cached = json.loads(args.cache.read_text())
        train([(g, [Scored(o, f) for o, f in cands], t) for g, cands, t in cached], args.out)
        return
    folders = []
    if args.grammar:
        folders.append(args.grammar)
    else:
        from bench.corpus.grammar import generate

        folder = Path(tempfile.mkdtemp(prefix="grammar-train-"))
        generate(folder, TRAIN_SEED, TRAIN_FAMILIES, args.per_family)
        folders.append(folder)
    if args.old:
        folders.append(args.old)
    else:
        from bench.corpus.generate import generate as generate_old

        folder = Path(tempfile.mkdtemp(prefix="old-train-"))
        generate_old(folder, OLD_SEED, 10, 0, 0)
        folders.append(folder)
    sets = [e for folder in folders for e in examples(folder)]
    if args.cache:
        args.cache.write_text(
            json.dumps([(g, [(c.ore, c.features) for c in cands], t) for g, cands, t in sets])
        )
    train(sets, args.out)


if __name__ == "__main__":
    main()
