#!/usr/bin/env bash
# The figures of BENCHMARKS.md other than the peers table, one world per size.
#
#   benches/measure.sh [SIZES]          default: "10000 100000 1000000"
#
# For each size, on a world generated with seed 1 under WORK (default
# /tmp/bench-measure): generate's wall time and peak RSS; `cat records.csv`
# against the read stage of the scan (warm page cache both); the full scan
# (`--format json > /dev/null`, all threads) with its stage timings and peak
# RSS; the scan with --threads 1 and --threads 2; eval's precision and recall.
# Sizes above EVAL_MAX (default 1000000) skip eval, and above THREADS_MAX
# (default 1000000) skip the thread runs, to fit a two-core machine.
# Prints one markdown row per size and per measure to stdout; details to stderr.
set -euo pipefail

SIZES=${1:-"10000 100000 1000000"}
WORK=${WORK:-/tmp/bench-measure}
EVAL_MAX=${EVAL_MAX:-1000000}
THREADS_MAX=${THREADS_MAX:-1000000}
REPO=$(cd "$(dirname "$0")/.." && pwd)

mkdir -p "$WORK"
if [[ ${SKIP_BUILD:-0} != 1 ]]; then
    # Others may be editing the tree: a failed build falls back to the last binary built.
    (cd "$REPO" && cargo build --release --bin chiptrace) || echo "build failed; using the last release binary" >&2
    cp "$REPO/target/release/chiptrace" "$WORK/chiptrace"
fi
CT=$WORK/chiptrace

# timed FILE STDOUT STDERR CMD...: CMD under /usr/bin/time -v (report into
# FILE), its output into STDOUT and STDERR; prints "WALL_S RSS_KB".
timed() {
    local file=$1 out=$2 err=$3
    shift 3
    /usr/bin/time -v -o "$file" "$@" >"$out" 2>"$err"
    awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; w = s }
                /Maximum resident set size/ { r = $2 } END { print w, r }' "$file"
}
stage() { awk -v s="$1" '$1 == "timing" && $2 == s { print $3 }' "$2"; }

echo "chiptrace $(cd "$REPO" && git rev-parse --short HEAD)$(cd "$REPO" && git diff --quiet HEAD -- src || echo '+uncommitted'), $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ)" >&2
echo "| records | generate | gen RSS | records.csv | cat | read stage | read MB/s | cat MB/s | scan wall | scan RSS | B/record | index | routes+rules | finish | threads 1 | threads 2 | precision | recall |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for n in $SIZES; do
    w=$WORK/world-$n
    rm -rf "$w"
    read -r g_wall g_rss < <(timed "$WORK/gen-$n.time" /dev/null /dev/null "$CT" generate --force --out "$w" --records "$n" --seed 1)
    bytes=$(stat -c %s "$w/records.csv")
    cat "$w/records.csv" >/dev/null
    c0=$(date +%s.%N)
    cat "$w/records.csv" >/dev/null
    c1=$(date +%s.%N)
    cat_s=$(awk -v a="$c0" -v b="$c1" 'BEGIN { printf "%.3f", b - a }')
    read -r s_wall s_rss < <(timed "$WORK/scan-$n.time" /dev/null "$WORK/scan-$n.err" "$CT" scan "$w" --format json --timings)
    read_s=$(stage read "$WORK/scan-$n.err")
    t1=- t2=-
    if ((n <= THREADS_MAX)); then
        read -r t1 _ < <(timed "$WORK/t1-$n.time" /dev/null /dev/null "$CT" scan "$w" --format json --threads 1)
        read -r t2 _ < <(timed "$WORK/t2-$n.time" /dev/null /dev/null "$CT" scan "$w" --format json --threads 2)
    fi
    p=- r=-
    if ((n <= EVAL_MAX)); then
        "$CT" eval "$w" --truth "$w/truth.json" --format json >"$WORK/eval-$n.json" 2>/dev/null
        read -r p r < <(python3 -c 'import json, sys; e = json.load(open(sys.argv[1])); print(round(e["precision"], 3), round(e["recall"], 3))' "$WORK/eval-$n.json")
    fi
    awk -v n="$n" -v gw="$g_wall" -v gr="$g_rss" -v b="$bytes" -v c="$cat_s" -v rd="$read_s" -v sw="$s_wall" -v sr="$s_rss" \
        -v ix="$(stage index "$WORK/scan-$n.err")" -v ro="$(stage routes+rules "$WORK/scan-$n.err")" -v ru="$(stage finish "$WORK/scan-$n.err")" \
        -v t1="$t1" -v t2="$t2" -v p="$p" -v r="$r" 'BEGIN {
        printf "| %d | %.2f s | %.0f MiB | %.0f MB | %.3f s | %.2f s | %.0f | %.0f | %.2f s | %.0f MiB | %.0f | %s s | %s s | %s s | %s | %s | %s | %s |\n",
            n, gw, gr / 1024, b / 1e6, c, rd, b / 1e6 / rd, b / 1e6 / (c > 0 ? c : 1e-3), sw, sr / 1024, sr * 1024 / n, ix, ro, ru,
            (t1 == "-" ? "-" : t1 " s"), (t2 == "-" ? "-" : t2 " s"), p, r }'
done
