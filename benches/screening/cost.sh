#!/usr/bin/env bash
# Screening cost on crafted cases (issues 9 and 13): list names that share
# one distinctive word, identical generic names, and names of 10,000
# characters. Prints wall time, CPU time and peak memory of `chiptrace
# screen` on each, with the work counters it reports.
#
#   benches/screening/cost.sh            # the sizes of the issues
#   SMALL=1 benches/screening/cost.sh    # a tenth, for a quick look
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo build --release --quiet
bin=target/release/chiptrace
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
scale=${SMALL:+10}
scale=${scale:-1}

make_case() { # dir entities entries entity-pattern entry-pattern (python format strings of i)
  python3 - "$@" <<'PY'
import sys, os
d, ne, nl, pe, pl = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
os.makedirs(f"{d}/lists", exist_ok=True)
with open(f"{d}/entities.csv", "w") as f:
    f.write("id,name,kind,country\n")
    for i in range(ne):
        f.write(f"E{i},{pe.format(i=i, long='abcdefghij ' * 1000)},reseller,SG\n")
with open(f"{d}/records.csv", "w") as f:
    f.write("id,date,kind,from,to,product,quantity\n")
with open(f"{d}/lists/crafted.csv", "w") as f:
    f.write("name,list\n")
    for i in range(nl):
        f.write(f"{pl.format(i=i, long='abcdefghij ' * 1000)},crafted\n")
PY
}

run() { # label dir
  local out="$work/out.json" err="$work/err.txt"
  /usr/bin/time -f "%e %U %S %M" -o "$work/time" "$bin" screen "$2" --format json >"$out" 2>"$err"
  read -r wall user sys rss <"$work/time"
  python3 - "$1" "$wall" "$user" "$sys" "$rss" "$out" <<'PY'
import json, sys
label, wall, user, sys_, rss, out = sys.argv[1:]
s = json.load(open(out))["stats"]
m = len(json.load(open(out))["matches"])
common = ", ".join(f"{c['word']} ({c['list_names']})" for c in s["common_words"][:3]) or "none"
print(f"| {label} | {float(wall):.2f} | {float(user) + float(sys_):.2f} | {int(rss) / 1024:.0f} | {s['comparisons']} | {m} | {s['matches_not_kept']} | {s['long_names_cut']} | {common} |")
PY
}

echo "| case | wall s | CPU s | peak RSS MiB | comparisons | matches kept | not kept | long names cut | common words blocked |"
echo "|---|---|---|---|---|---|---|---|---|"
make_case "$work/shared" $((10000 / scale)) $((50000 / scale)) "Q{i}x Zetacorp Ltd" "W{i}y Zetacorp Trading"
run "$((50000 / scale)) entries x $((10000 / scale)) entities sharing one distinctive word" "$work/shared"
make_case "$work/generic" $((1500 / scale)) $((1500 / scale)) "Global Trading Co Ltd" "Global Trading Company Limited"
run "$((1500 / scale)) x $((1500 / scale)) identical generic names" "$work/generic"
make_case "$work/long" 10 10 "Sentinel{i} {long}" "Sentinel{i} {long}"
run "10 x 10 names of 10,000 characters" "$work/long"
