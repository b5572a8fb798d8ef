"""Reads a chiptrace GEXF export with networkx's own reader and prints what a
user of networkx would see, as one JSON object: the graph mode, the counts,
every node's spells and every edge's start and end (each checked to be an
ISO date, start not after end), and the Python type of a few attributes.

Usage: python gexf_check.py FILE.gexf   (exit 0 and the JSON, or 1 and the problems)
"""
import json
import sys
from datetime import date

import networkx as nx


def main(path):
    g = nx.read_gexf(path)
    problems = []

    def check(where, start, end):
        try:
            a = date.fromisoformat(start)
            b = date.fromisoformat(end) if end is not None else a
        except (TypeError, ValueError) as e:
            problems.append(f"{where}: not an ISO date: {start!r}..{end!r} ({e})")
            return
        if b < a:
            problems.append(f"{where}: ends before it starts: {start}..{end}")

    spells = {}
    for n, d in g.nodes(data=True):
        for s, e in d.get("spells", []):
            check(f"node {d.get('entity', n)}", s, e)
        spells[d.get("entity", n)] = [list(x) for x in d.get("spells", [])]
    edges = {}
    types = {}
    for _, _, d in g.edges(data=True):
        if "start" in d:
            check(f"edge {d.get('label')}", d["start"], d.get("end"))
        if d.get("edge_type") == "record":
            edges[d["record"]] = [d.get("start"), d.get("end")]
            for k in ("quantity", "on_route", "value_usd", "date"):
                if k in d:
                    types[k] = type(d[k]).__name__
    if problems:
        print("\n".join(problems))
        return 1
    print(json.dumps({
        "mode": g.graph.get("mode"),
        "nodes": g.number_of_nodes(),
        "edges": g.number_of_edges(),
        "spells": spells,
        "records": edges,
        "types": types,
    }, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
