#!/bin/bash
# Cluster memory per process: the one-process scan, then N = 1 2 4 ranks on
# 127.0.0.1, one command per rank as a team starts them, each under
# /usr/bin/time -v (peak RSS per process); rank 0's report compared with the
# one-process scan byte for byte.
#   benches/cluster_ranks.sh [WORLD]   (default: generate 1M records, 4 shards)
#   NS="2" benches/cluster_ranks.sh W  (only 2 ranks; SINGLE=0 skips the one-process scan)
set -u
D=${WORK:-/tmp/chiptrace-cluster}; mkdir -p $D
B=${CHIPTRACE:-target/release/chiptrace}; B=$(realpath $B)
W=${1:-$D/w1m}
[ -d $W ] || $B generate --out $W --records 1000000 --seed 1 --shards 4 > $D/gen.log 2>&1
load() { cut -d' ' -f1-3 /proc/loadavg; }
if [ "${SINGLE:-1}" = 1 ]; then
  echo "== single $(date -u +%H:%M:%S) load: $(load)"
  nice -n 10 /usr/bin/time -v $B scan $W --format json --timings > $D/single.json 2> $D/single.err
  grep -E "Maximum resident|Elapsed|User time" $D/single.err
fi
for n in ${NS:-1 2 4}; do
  O=$D/p$n; mkdir -p $O; base=$((20000 + RANDOM % 20000)); : > $O/hosts
  for i in $(seq 0 $((n-1))); do echo "127.0.0.1:$((base+i))" >> $O/hosts; done
  echo "== $n processes $(date -u +%H:%M:%S) load: $(load)"
  for i in $(seq 0 $((n-1))); do
    nice -n 10 /usr/bin/time -v $B scan $W --format json --timings --workers 1 --cluster $O/hosts --rank $i \
      > $O/r$i.json 2> $O/r$i.err &
  done
  wait
  echo "== end $(date -u +%H:%M:%S) load: $(load)"
  for i in $(seq 0 $((n-1))); do
    echo "rank $i: $(grep 'Maximum resident' $O/r$i.err | tr -s ' \t' ' ') $(grep 'Elapsed' $O/r$i.err | tr -s ' \t' ' ')"
  done
  grep -h "records indexed\|search rounds" $O/r0.err
  [ -f $D/single.json ] && cmp $D/single.json $O/r0.json && echo "$n processes: rank 0 byte-identical to the one-process scan"
done
