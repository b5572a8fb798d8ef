#!/bin/bash
# Cluster scan figures at 1M records: one process, then --local-cluster 1, 2, 4 (1 worker each).
set -u
D=${WORK:-/tmp/chiptrace-cluster}; mkdir -p $D
B=${CHIPTRACE:-target/release/chiptrace}; B=$(realpath $B); W=$D/w1m
cd $D
[ -d $W ] || $B generate --out $W --records 1000000 --seed 1 --shards 4 > gen.log 2>&1
echo "== $(date -u +%H:%M:%S) load: $(cut -d' ' -f1-3 /proc/loadavg)"
/usr/bin/time -f "single: %e s wall, %U s user, %M KB maxrss" $B scan $W --format json --timings > single.json 2> single.err
tail -1 single.err
for n in 1 2 4; do
  echo "== $(date -u +%H:%M:%S) load: $(cut -d' ' -f1-3 /proc/loadavg)"
  /usr/bin/time -f "local-cluster $n: %e s wall (launcher)" $B scan $W --format json --timings --local-cluster $n > c$n.json 2> c$n.err
  tail -1 c$n.err; grep "^cluster rank" c$n.err
  cmp single.json c$n.json && echo "c$n: byte-identical to single"
done
echo "== done $(date -u +%H:%M:%S)"
