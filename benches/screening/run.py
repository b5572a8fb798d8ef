#!/usr/bin/env python3
"""Runs chiptrace and OpenSanctions' nomenklatura logic-v2 matcher side by
side on benches/screening/pairs.tsv and prints precision, recall and F1 of
each at its threshold (chiptrace: the policy's fuzzy_threshold, 0.88;
logic-v2: 0.70, yente's default match threshold), on all pairs and on the
held-out part, then recall per category (positives) and false matches per
category (negatives).

    python3 benches/screening/make_pairs.py
    /work/venv-screen/bin/python benches/screening/run.py [--show-misses tune] [--final]

Without --final only the tune part is scored (what tuning may look at);
--final adds all pairs and the held-out part.

Needs `pip install nomenklatura` in the Python that runs it and a release
build of the `screen_pairs` example (built here if missing).
"""
import csv
import os
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
CHIPTRACE_T = 0.88
NK_T = 0.70


def load():
    with (HERE / "pairs.tsv").open() as f:
        return list(csv.DictReader(f, delimiter="\t"))


def chiptrace_scores(pairs):
    # SCREEN_PAIRS_DEBUG=1 scores with the debug build (the same scores, faster to rebuild while tuning).
    debug = os.environ.get("SCREEN_PAIRS_DEBUG") == "1"
    flags = [] if debug else ["--release"]
    subprocess.run(["cargo", "build", *flags, "--quiet", "--example", "screen_pairs"], cwd=ROOT, check=True)
    exe = ROOT / "target" / ("debug" if debug else "release") / "examples" / "screen_pairs"
    text = "".join(f"{p['id']}\t{p['query']}\t{p['listed']}\n" for p in pairs)
    t = time.time()
    out = subprocess.run([str(exe)], input=text, capture_output=True, text=True, check=True).stdout
    dt = time.time() - t
    got = {}
    for line in out.splitlines():
        i, s, m = line.split("\t")
        got[i] = (float(s), m)
    return got, dt


def nk_scores(pairs):
    from followthemoney import model
    from nomenklatura.matching import LogicV2
    from nomenklatura.matching.types import ScoringConfig

    cfg = ScoringConfig.defaults()
    got = {}
    t = time.time()
    for p in pairs:
        schema = p["schema"] if p["schema"] in ("Person", "Company", "Organization", "Vessel") else "LegalEntity"
        q = model.get_proxy({"id": "q" + p["id"], "schema": schema, "properties": {"name": [p["query"]]}})
        r = model.get_proxy({"id": "r" + p["id"], "schema": schema, "properties": {"name": [p["listed"]]}})
        got[p["id"]] = (LogicV2.compare(q, r, cfg).score, "logic-v2")
    return got, time.time() - t


def prf(pairs, scores, t):
    tp = sum(1 for p in pairs if p["label"] == "1" and scores[p["id"]][0] >= t)
    fp = sum(1 for p in pairs if p["label"] == "0" and scores[p["id"]][0] >= t)
    pos = sum(1 for p in pairs if p["label"] == "1")
    prec = tp / (tp + fp) if tp + fp else 1.0
    rec = tp / pos if pos else 0.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    return prec, rec, f1, tp, fp, pos


def main():
    pairs = load()
    ct, ct_s = chiptrace_scores(pairs)
    nk, nk_s = nk_scores(pairs)
    print(f"{len(pairs)} pairs; chiptrace {ct_s:.2f} s, logic-v2 {nk_s:.2f} s\n")
    print("| part | matcher | threshold | precision | recall | F1 | TP | FP | positives |")
    print("|---|---|---|---|---|---|---|---|---|")
    parts = ["all", "tune", "held_out"] if "--final" in sys.argv else ["tune"]
    for part in parts:
        sub = [p for p in pairs if part == "all" or p["split"] == part]
        for name, sc, t in [("chiptrace", ct, CHIPTRACE_T), ("nomenklatura logic-v2", nk, NK_T)]:
            pr, rc, f1, tp, fp, pos = prf(sub, sc, t)
            print(f"| {part} | {name} | {t:.2f} | {pr:.3f} | {rc:.3f} | {f1:.3f} | {tp} | {fp} | {pos} |")
    print("\n| category | label | pairs | chiptrace | logic-v2 |")
    print("|---|---|---|---|---|")
    cats = defaultdict(list)
    for p in pairs:
        if "--final" in sys.argv or p["split"] == "tune":
            cats[(p["category"], p["label"])].append(p)
    for (c, lab), ps in sorted(cats.items(), key=lambda x: (-int(x[0][1]), x[0][0])):
        a = sum(1 for p in ps if ct[p["id"]][0] >= CHIPTRACE_T)
        b = sum(1 for p in ps if nk[p["id"]][0] >= NK_T)
        what = "matched" if lab == "1" else "false matches"
        print(f"| {c} | {lab} | {len(ps)} | {a} {what} | {b} {what} |")
    if "--show-misses" in sys.argv:
        part = sys.argv[sys.argv.index("--show-misses") + 1]
        for p in pairs:
            if p["split"] != part:
                continue
            s = ct[p["id"]][0]
            wrong = (p["label"] == "1") != (s >= CHIPTRACE_T)
            if wrong:
                print(f"{'MISS' if p['label'] == '1' else 'FALSE'}\t{p['category']}\t{s:.2f}\t{nk[p['id']][0]:.2f}\t{p['query']}\t|\t{p['listed']}")


if __name__ == "__main__":
    main()
