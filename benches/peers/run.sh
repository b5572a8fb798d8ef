#!/usr/bin/env bash
# chiptrace against DuckDB and NetworkX on one generated world (BENCHMARKS.md).
#
#   benches/peers/run.sh [RECORDS [CHECK_RECORDS]]      defaults: 1000000 100000
#
# Runs one after another, each under /usr/bin/time -v (wall time, peak RSS) and
# nice -n 10 (the machine is shared):
#   1. chiptrace scan WORLD --format json > /dev/null   (full scan, all rules;
#      it does not answer the route query, so it is reported on its own)
#   2. the route query in chiptrace (examples/route_pairs)
#   3. the route query in DuckDB, bitset formulation (per-record source
#      BITSTRINGs, running bit_or per receiver, ASOF JOIN; duckdb_pairs.py)
#   4. the route query in DuckDB, global earliest-arrival dedupe (duckdb_pairs.py)
#   5. the route query in NetworkX (bounded time-respecting BFS)
# then prints the ratios of route_pairs to the best DuckDB formulation (and
# of the full scan, as what it is) and checks that every peer that finished
# returned the same (source, terminal) pairs as chiptrace. A peer cut by its time limit is
# reported as a lower bound ("> N s"); its pairs are then compared on a world
# of CHECK_RECORDS records, where the peers run again. Exit 1 when a set of
# pairs differs, 2 on a usage or setup error.
#
# Environment: WORK (default /tmp/bench-peers: worlds, outputs), VENV (default
# WORK/venv; made with duckdb and networkx when missing), DUCK_MEMORY (DuckDB's
# memory_limit, default 5GB), NX_LIMIT and DUCK_LIMIT (seconds, default 600
# and 1200), SEED (default 1),
# MAX_STEPS (default 6), SKIP_BUILD=1 to use the binaries already in WORK/bin.
set -euo pipefail

RECORDS=${1:-1000000}
CHECK=${2:-100000}
WORK=${WORK:-/tmp/bench-peers}
NX_LIMIT=${NX_LIMIT:-600}
DUCK_LIMIT=${DUCK_LIMIT:-1200}
SEED=${SEED:-1}
MAX_STEPS=${MAX_STEPS:-6}
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)

mkdir -p "$WORK/bin"
if [[ ${SKIP_BUILD:-0} != 1 ]]; then
    # Others may be editing the tree: a failed build falls back to the last binaries built.
    (cd "$REPO" && cargo build --release --bin chiptrace --example route_pairs) ||
        echo "build failed; using the last release binaries" >&2
    # Copies, so that others rebuilding the shared target folder do not swap binaries mid-run.
    cp "$REPO/target/release/chiptrace" "$WORK/bin/chiptrace"
    cp "$REPO/target/release/examples/route_pairs" "$WORK/bin/route_pairs"
fi
CT=$WORK/bin/chiptrace
RP=$WORK/bin/route_pairs
[[ -x $CT && -x $RP ]] || { echo "no binaries in $WORK/bin (run without SKIP_BUILD)" >&2; exit 2; }

VENV=${VENV:-$WORK/venv}
if [[ ! -x $VENV/bin/python ]] || ! "$VENV/bin/python" -c 'import duckdb, networkx' 2>/dev/null; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet duckdb networkx
fi
PY=$VENV/bin/python

# measure NAME LIMIT CMD...: runs CMD under /usr/bin/time -v and a time limit;
# stdout goes to $OUT/NAME.out (to /dev/null for NAME scan). Sets WALL, RSS_KB, CUT.
measure() {
    local name=$1 limit=$2
    shift 2
    local rc=0 out=$OUT/$name.out
    [[ $name != scan ]] || out=/dev/null
    /usr/bin/time -v -o "$OUT/$name.time" nice -n 10 timeout "$limit" "$@" >"$out" 2>"$OUT/$name.err" || rc=$?
    CUT=0
    if [[ $rc == 124 ]]; then
        CUT=1
    elif [[ $rc != 0 ]]; then
        echo "$name failed (exit $rc):" >&2
        tail -5 "$OUT/$name.err" >&2
        exit 2
    fi
    WALL=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s }' "$OUT/$name.time")
    RSS_KB=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$OUT/$name.time")
    tail -1 "$OUT/$name.err" | sed "s/^/  $name: /" >&2
    printf '%-10s %s %10.2f s %8.0f MiB\n' "$name" "$([[ $CUT == 1 ]] && echo '>' || echo ' ')" "$WALL" "$((RSS_KB / 1024))" >&2
}

# world N: generates a world of N records, its screening matches, sources.txt and terminals.txt.
world() {
    local n=$1
    W=$WORK/world-$n
    OUT=$WORK/out-$n
    rm -rf "$W" "$OUT"
    mkdir -p "$OUT"
    "$CT" generate --force --out "$W" --records "$n" --seed "$SEED" >"$OUT/generate.err" 2>&1
    "$CT" screen "$W" --format json >"$OUT/screen.json" 2>"$OUT/screen.err"
    "$PY" "$HERE/prepare.py" "$W" "$OUT/screen.json" "$OUT"
}

pairs() { # the route query in every tool, on the world set by `world`
    measure pairs 600 "$RP" "$W" --max-steps "$MAX_STEPS" --sources "$OUT/sources.txt" --terminals "$OUT/terminals.txt"
    P_WALL=$WALL P_RSS=$RSS_KB
    sort "$OUT/pairs.out" >"$OUT/pairs.sorted"
    measure bitset "$DUCK_LIMIT" "$PY" "$HERE/duckdb_pairs.py" "$W" "$OUT/sources.txt" "$OUT/terminals.txt" "$MAX_STEPS" "$OUT/bitset.tsv" bitset
    B_WALL=$WALL B_RSS=$RSS_KB B_CUT=$CUT
    measure dedupe "$DUCK_LIMIT" "$PY" "$HERE/duckdb_pairs.py" "$W" "$OUT/sources.txt" "$OUT/terminals.txt" "$MAX_STEPS" "$OUT/dedupe.tsv" dedupe
    D_WALL=$WALL D_RSS=$RSS_KB D_CUT=$CUT
    measure networkx "$NX_LIMIT" "$PY" "$HERE/networkx_pairs.py" "$W" "$OUT/sources.txt" "$OUT/terminals.txt" "$MAX_STEPS" "$OUT/networkx.tsv"
    N_WALL=$WALL N_RSS=$RSS_KB N_CUT=$CUT
}

# same TOOL CUT: compares TOOL's pairs with chiptrace's (a subset check when cut short).
FAILED=0
same() {
    local tool=$1 cut=$2
    [[ -f $OUT/$tool.tsv ]] || { echo "  $tool: no output" >&2; FAILED=1; return; }
    sort "$OUT/$tool.tsv" >"$OUT/$tool.sorted"
    local got want extra
    got=$(wc -l <"$OUT/$tool.sorted")
    want=$(wc -l <"$OUT/pairs.sorted")
    if [[ $cut == 1 ]]; then
        extra=$(comm -23 "$OUT/$tool.sorted" "$OUT/pairs.sorted" | wc -l)
        echo "  $tool (cut short): $got pairs so far, $extra not in chiptrace's $want" >&2
        [[ $extra == 0 ]] || FAILED=1
    elif cmp -s "$OUT/$tool.sorted" "$OUT/pairs.sorted"; then
        echo "  $tool: same $got pairs as chiptrace" >&2
    else
        echo "  $tool: DIFFERENT: $got pairs, chiptrace $want; first differences:" >&2
        diff "$OUT/$tool.sorted" "$OUT/pairs.sorted" | head -5 >&2
        FAILED=1
    fi
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", a / b }'; }
mark() { [[ $1 == 1 ]] && echo '>' || echo ''; }

VERSION="$(cd "$REPO" && git rev-parse --short HEAD)$(cd "$REPO" && git diff --quiet HEAD -- src || echo '+uncommitted')"
echo "== world of $RECORDS records (seed $SEED), chiptrace $VERSION, $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ), load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
world "$RECORDS"
BIG=$OUT
measure scan 1800 "$CT" scan "$W" --format json
S_WALL=$WALL S_RSS=$RSS_KB
pairs
same bitset "$B_CUT"
same dedupe "$D_CUT"
same networkx "$N_CUT"
NPAIRS=$(wc -l <"$OUT/pairs.sorted")
BP=($P_WALL $P_RSS $B_WALL $B_RSS $B_CUT $D_WALL $D_RSS $D_CUT $N_WALL $N_RSS $N_CUT)
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)

CHECK_LINE=""
if [[ $B_CUT == 1 || $D_CUT == 1 || $N_CUT == 1 ]] && [[ $CHECK != "$RECORDS" ]]; then
    echo "== a peer was cut short: the pairs are compared again on $CHECK records" >&2
    world "$CHECK"
    pairs
    same bitset "$B_CUT"
    same dedupe "$D_CUT"
    same networkx "$N_CUT"
    CHECK_LINE="Pairs checked again at $CHECK records: chiptrace route_pairs $P_WALL s, DuckDB bitset $(mark "$B_CUT")$B_WALL s, DuckDB dedupe $(mark "$D_CUT")$D_WALL s, NetworkX $(mark "$N_CUT")$N_WALL s ($(wc -l <"$OUT/pairs.sorted") pairs, $([[ $FAILED == 0 ]] && echo same || echo DIFFERENT))."
fi
read -r P_WALL P_RSS B_WALL B_RSS B_CUT D_WALL D_RSS D_CUT N_WALL N_RSS N_CUT <<<"${BP[*]}"
# The best DuckDB formulation is the faster one that finished.
BEST=$B_WALL BEST_NAME=bitset
if [[ $B_CUT == 1 ]] || { [[ $D_CUT == 0 ]] && awk -v d="$D_WALL" -v b="$B_WALL" 'BEGIN { exit !(d < b) }'; }; then
    BEST=$D_WALL BEST_NAME=dedupe
fi

{
    echo "chiptrace $VERSION, DuckDB $("$PY" -c 'import duckdb; print(duckdb.__version__)'), NetworkX $("$PY" -c 'import networkx; print(networkx.__version__)'), $(date -u +%Y-%m-%dT%H:%MZ), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores, load average at the end of the 1st world $LOAD_END."
    echo "World: $RECORDS records, seed $SEED, $(wc -l <"$BIG/sources.txt") sources, $(wc -l <"$BIG/terminals.txt") terminals, max $MAX_STEPS records a route; $NPAIRS pairs."
    echo
    echo "| run | wall | peak RSS |"
    echo "|---|---:|---:|"
    echo "| chiptrace route_pairs | $P_WALL s | $((P_RSS / 1024)) MiB |"
    echo "| DuckDB bitset + ASOF JOIN | $(mark "$B_CUT")$B_WALL s | $((B_RSS / 1024)) MiB |"
    echo "| DuckDB global dedupe | $(mark "$D_CUT")$D_WALL s | $((D_RSS / 1024)) MiB |"
    echo "| NetworkX BFS | $(mark "$N_CUT")$N_WALL s | $((N_RSS / 1024)) MiB |"
    echo "| chiptrace scan (full scan, all rules; not the same query) | $S_WALL s | $((S_RSS / 1024)) MiB |"
    echo
    echo "Ratios (wall / chiptrace wall), on the same query:"
    echo "- best DuckDB ($BEST_NAME) / chiptrace route_pairs: $(ratio "$BEST" "$P_WALL")x; NetworkX / route_pairs: $(mark "$N_CUT")$(ratio "$N_WALL" "$P_WALL")x"
    echo "- the full scan answers another, larger question; best DuckDB / full scan: $(ratio "$BEST" "$S_WALL")x"
    [[ -z $CHECK_LINE ]] || echo "- $CHECK_LINE"
    echo "- Pairs: $([[ $FAILED == 0 ]] && echo 'every peer returned the same set as chiptrace' || echo 'MISMATCH, see above')"
} | tee "$WORK/summary.md"
exit "$FAILED"
