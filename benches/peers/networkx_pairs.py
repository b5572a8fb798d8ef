"""The route query of BENCHMARKS.md in NetworkX: a bounded time-respecting BFS.

    python networkx_pairs.py CASE SOURCES TERMINALS MAX_STEPS OUT.tsv

Builds a MultiDiGraph with one edge a record (attribute `date`, a day
ordinal, or seconds for date-times), then from every source runs a BFS of at
most MAX_STEPS rounds that keeps, per round, only the earliest arrival at each
entity (a later arrival after as many records can do nothing an earlier one
cannot). Writes `source<TAB>terminal` lines to OUT.tsv as each source is
done, so a run cut short by a time limit leaves what it finished.
"""

import csv
import datetime
import sys
import time

import networkx as nx


def when(text):
    text = text.strip()
    if len(text) == 10:
        return datetime.date.fromisoformat(text).toordinal() * 86400
    stamp = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=datetime.timezone.utc)
    return int(stamp.timestamp()) + datetime.date(1970, 1, 1).toordinal() * 86400


def main(case, sources, terminals, max_steps, out):
    max_steps = int(max_steps)
    t0 = time.perf_counter()
    g = nx.MultiDiGraph()
    with open(f"{case}/records.csv", newline="", encoding="utf-8") as f:
        g.add_edges_from((r["from"], r["to"], {"date": when(r["date"])}) for r in csv.DictReader(f))
    with open(sources, encoding="utf-8") as f:
        sources = [line.strip() for line in f if line.strip()]
    with open(terminals, encoding="utf-8") as f:
        terminals = {line.strip() for line in f if line.strip()}
    t1 = time.perf_counter()
    pairs = 0
    with open(out, "w", encoding="utf-8") as o:
        for s in sources:
            if s not in g:
                continue
            frontier = {s: float("-inf")}
            reached = set()
            for _ in range(max_steps):
                nxt = {}
                for u, t in frontier.items():
                    for _, v, d in g.out_edges(u, data="date"):
                        if d >= t and d < nxt.get(v, float("inf")):
                            nxt[v] = d
                if not nxt:
                    break
                reached.update(nxt)
                frontier = nxt
            found = sorted((reached & terminals) - {s})
            o.writelines(f"{s}\t{x}\n" for x in found)
            o.flush()
            pairs += len(found)
    t2 = time.perf_counter()
    print(
        f"networkx {nx.__version__}: {pairs} pairs; load {t1 - t0:.3f} s, query {t2 - t1:.3f} s",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main(*sys.argv[1:6])
