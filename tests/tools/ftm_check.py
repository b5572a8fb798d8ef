"""Checks a chiptrace FollowTheMoney export with the followthemoney package's
own validation: every line parses into an entity of a known schema with
known properties (model.get_proxy with cleaned=False re-validates every
value, as `ftm validate` does), no value is dropped or changed by cleaning,
and every entity reference points at an entity in the file.

Usage: python ftm_check.py FILE.ftm.json   (exit 0 and a summary line, or 1)
"""
import json
import sys
from collections import Counter

from followthemoney import model
from followthemoney.exc import InvalidData
from followthemoney.types import registry


def main(path):
    problems = []
    ids = set()
    refs = []
    schemata = Counter()
    with open(path, encoding="utf-8") as fh:
        lines = [line for line in fh if line.strip()]
    for n, line in enumerate(lines, 1):
        data = json.loads(line)
        try:
            proxy = model.get_proxy(data, cleaned=False)
        except InvalidData as e:
            problems.append(f"line {n}: {e}")
            continue
        if proxy.id in ids:
            problems.append(f"line {n}: duplicate id {proxy.id}")
        ids.add(proxy.id)
        schemata[proxy.schema.name] += 1
        for prop, values in data["properties"].items():
            kept = proxy.get(prop)
            cleaned = [proxy.schema.properties[prop].type.clean(v) for v in values]
            if len(kept) != len(set(values)) or None in cleaned:
                problems.append(f"line {n}: {proxy.schema.name}.{prop} {values!r} cleaned to {kept!r}")
            if proxy.schema.properties[prop].type == registry.entity:
                refs.extend((n, prop, v) for v in values)
        if "name" in proxy.schema.properties and not proxy.schema.edge and not proxy.get("name"):
            problems.append(f"line {n}: {proxy.schema.name} without a name")
    for n, prop, ref in refs:
        if ref not in ids:
            problems.append(f"line {n}: {prop} points at {ref}, which is not in the file")
    if problems:
        print("\n".join(problems[:50]))
        return 1
    summary = ", ".join(f"{k} {v}" for k, v in sorted(schemata.items()))
    print(f"ok: {len(lines)} entities valid under followthemoney ({summary}); {len(refs)} references resolve")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
