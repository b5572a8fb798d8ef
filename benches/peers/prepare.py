"""Writes the shared inputs of the route query (BENCHMARKS.md, "The route query").

    python prepare.py CASE SCREEN_JSON OUT_DIR

sources.txt   every entity of kind manufacturer or distributor
terminals.txt every entity in a country of concern (chiptrace's built-in policy,
              docs/spec.md section 4) or matched by `chiptrace screen CASE --format json`

One entity id a line, sorted, so every tool reads the same two sets.
"""

import csv
import json
import sys

# docs/spec.md section 4: China, Hong Kong, Macau and the other D:5 countries.
COUNTRIES_OF_CONCERN = set(
    "CN HK MO AF BY CD CF CU ER HT IQ IR KP LB LY MM NI RU SD SO SS SY VE ZW".split()
)
SOURCE_KINDS = {"manufacturer", "distributor"}


def main(case, screen_json, out_dir):
    sources, terminals = set(), set()
    with open(f"{case}/entities.csv", newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["kind"].strip() in SOURCE_KINDS:
                sources.add(row["id"])
            if row["country"].strip().upper() in COUNTRIES_OF_CONCERN:
                terminals.add(row["id"])
    with open(screen_json, encoding="utf-8") as f:
        listed = {m["entity"] for m in json.load(f)["matches"]}
    terminals |= listed
    for name, ids in (("sources.txt", sources), ("terminals.txt", terminals)):
        with open(f"{out_dir}/{name}", "w", encoding="utf-8") as f:
            f.writelines(f"{i}\n" for i in sorted(ids))
    print(
        f"prepare: {len(sources)} sources, {len(terminals)} terminals "
        f"({len(listed)} from screening)",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main(*sys.argv[1:4])
