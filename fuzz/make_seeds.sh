#!/usr/bin/env bash
# Seeds fuzz/corpus/<target>/ (not committed) for the lists, policy, names and scan targets
# from the repository's fixtures (the readers target uses fuzz/seeds itself).
# Run from the repository root: bash fuzz/make_seeds.sh
set -euo pipefail
S=fuzz/corpus
mkdir -p "$S/lists" "$S/policy" "$S/names" "$S/scan"
# lists: selector byte (0 csv, 1 tsv, 2 json, 3 jsonl) then the file
i=0
for f in fixtures/lists_real/*.csv fixtures/screen_lists/*/lists/*.csv fixtures/demo/lists/*.csv; do
  [ -f "$f" ] || continue; i=$((i+1)); { printf '\x00'; cat "$f"; } > "$S/lists/csv-$i"
done
for f in fixtures/lists_real/*.json fixtures/*/*/lists/*.json fixtures/*/*/lists/*.jsonl; do
  [ -f "$f" ] || continue; i=$((i+1))
  case "$f" in *.jsonl) sel='\x03';; *) sel='\x02';; esac
  { printf "$sel"; cat "$f"; } > "$S/lists/json-$i"
done
# policy: every policy.toml in the fixtures
i=0
for f in $(find fixtures -name 'policy*.toml'); do i=$((i+1)); cp "$f" "$S/policy/p-$i"; done
# names: pairs from the labelled screening pairs (name NUL name)
if [ -f benches/screening/pairs.tsv ]; then
  python3 - "$S/names" <<'PY'
import sys
out = sys.argv[1]
for i, line in enumerate(open("benches/screening/pairs.tsv", encoding="utf-8").read().splitlines()[1:200]):
    f = line.split("\t")
    open(f"{out}/n-{i:03d}", "wb").write(f[5].encode() + b"\0" + f[6].encode())
PY
fi
printf 'iFLYTEK Co., Ltd.\0ANHUI IFLYTEK CO LTD' > "$S/names/iflytek"
# scan: entities NUL records NUL relations NUL list NUL policy, from small cases
i=0
for d in fixtures/demo fixtures/rules/* fixtures/judgement/* fixtures/hostile/*; do
  [ -f "$d/entities.csv" ] && [ -f "$d/records.csv" ] || continue
  [ "$(cat "$d"/*.csv | wc -c)" -lt 8000 ] || continue
  i=$((i+1))
  { cat "$d/entities.csv"; printf '\0'; cat "$d/records.csv"; printf '\0'
    [ -f "$d/relations.csv" ] && cat "$d/relations.csv"; printf '\0'
    ls "$d"/lists/*.csv >/dev/null 2>&1 && cat "$(ls "$d"/lists/*.csv | head -1)"; printf '\0'
    [ -f "$d/policy.toml" ] && cat "$d/policy.toml"; } > "$S/scan/c-$i"
done
ls "$S"/lists "$S"/policy "$S"/names "$S"/scan | wc -l
