#!/usr/bin/env python3
# Hub skew of a case: each entity's share of the record endpoints (from and to)
# over its records files.   python3 benches/hubs.py WORLD
import csv, glob, sys, collections
w = sys.argv[1]
c = collections.Counter(); n = 0
for f in sorted(glob.glob(w + '/records*.csv')):
    for r in csv.DictReader(open(f, newline='')):
        c[r['from']] += 1; c[r['to']] += 1; n += 1
tot = 2 * n
print(f"records {n}, endpoints {tot}, entities with records {len(c)}")
for e, k in c.most_common(8):
    print(f"  {e}: {k} endpoints, {100*k/tot:.2f}%")
top = sum(k for _, k in c.most_common(10))
print(f"top 10 entities: {100*top/tot:.1f}% of endpoints")
