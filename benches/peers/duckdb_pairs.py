"""The route query of BENCHMARKS.md in DuckDB, written as a DuckDB expert would.

    python duckdb_pairs.py CASE SOURCES TERMINALS MAX_STEPS OUT.tsv [dedupe|bitset]

Two formulations of the same query, both after the same pruning pass:

dedupe  Earliest arrival per (source, entity), deduplicated globally: a round
        expands only the (source, entity) pairs whose earliest arrival it
        improved, and an arrival that does not beat the best one so far (after
        any number of records) is dropped. One table per round.
bitset  chiptrace's own idea in SQL: every record carries the set of sources
        that reach it as a BITSTRING (one bit a source). A round takes, per
        receiver, a running `bit_or` window over its incoming records in time
        order, and gives each record leaving that entity the running set as of
        its date through an ASOF JOIN. After MAX_STEPS rounds, the sets on the
        records into each terminal are the pairs.

Pruning (both): two one-number-per-entity passes, forward the earliest arrival
from any source after k records, backward the latest departure towards any
terminal within k records, give each record the fewest records of a route from
a source ending with it (f) and to a terminal starting with it (b); a record
with f + b - 1 > MAX_STEPS lies on no route and is dropped, as in chiptrace.

What was done to make DuckDB fast (see BENCHMARKS.md): the CSV is read once
with only the three columns the query needs; entity ids are dictionary-encoded
as INTEGER and dates turned into BIGINT epoch seconds, so every join and
window runs on fixed-width integers; insertion order is not preserved (it only
costs); the records table is ordered by (receiver, date), the order of the
windows and the ASOF JOIN; `threads` is every core the machine has and
`memory_limit` is set (DUCK_MEMORY, default 5GB, so the run stays under 6 GiB
and spills instead of failing); each round is materialised as a table, so the
optimiser sees its real size. Writes `source<TAB>terminal` lines (unsorted) to
OUT.tsv and the stage times to stderr.
"""

import os
import sys
import time

import duckdb


def connect():
    con = duckdb.connect()
    con.execute(f"SET threads = {os.cpu_count()}")
    con.execute(f"SET memory_limit = '{os.environ.get('DUCK_MEMORY', '5GB')}'")
    con.execute("SET preserve_insertion_order = false")
    con.execute("SET TimeZone = 'UTC'")
    return con


def load(con, case, sources, terminals):
    """rec(src, dst, d), ent(id, n), sources(n, bit), terminals(n); returns the number of sources."""
    con.execute(
        f"""
        CREATE TABLE raw AS
            SELECT "from" AS f, "to" AS t, epoch(CAST("date" AS TIMESTAMP))::BIGINT AS d
            FROM read_csv('{case}/records.csv', header = true, all_varchar = true);
        CREATE TABLE ent AS
            SELECT id, (row_number() OVER ())::INTEGER AS n
            FROM (SELECT f AS id FROM raw UNION SELECT t FROM raw);
        CREATE TABLE rec0 AS
            SELECT (row_number() OVER ())::INTEGER AS id, a.n AS src, b.n AS dst, raw.d
            FROM raw JOIN ent a ON raw.f = a.id JOIN ent b ON raw.t = b.id;
        DROP TABLE raw;
        CREATE TABLE sources AS
            SELECT n, (row_number() OVER (ORDER BY n) - 1)::INTEGER AS bit FROM (
                SELECT DISTINCT ent.n FROM read_csv('{sources}', header = false, columns = {{'id': 'VARCHAR'}}) s
                JOIN ent ON ent.id = s.id);
        CREATE TABLE terminals AS
            SELECT DISTINCT ent.n FROM read_csv('{terminals}', header = false, columns = {{'id': 'VARCHAR'}}) s
            JOIN ent ON ent.id = s.id;
        """
    )
    return con.execute("SELECT count(*) FROM sources").fetchone()[0]


def prune(con, steps):
    """rec: the records of rec0 that lie on some route of at most `steps` records."""
    # ea{k}(v): earliest arrival at v from a source after at most k records (sources: any time).
    con.execute("CREATE TABLE ea0 AS SELECT n AS v, -9223372036854775807::BIGINT AS t FROM sources")
    # la{k}(v): latest departure from v that reaches a terminal within k records (terminals: any time).
    con.execute("CREATE TABLE la0 AS SELECT n AS v, 9223372036854775807::BIGINT AS t FROM terminals")
    for k in range(1, steps):
        con.execute(
            f"""
            CREATE TABLE ea{k} AS SELECT v, min(t) AS t FROM (
                SELECT v, t FROM ea{k - 1}
                UNION ALL
                SELECT r.dst, r.d FROM rec0 r JOIN ea{k - 1} e ON r.src = e.v AND r.d >= e.t
            ) GROUP BY v;
            CREATE TABLE la{k} AS SELECT v, max(t) AS t FROM (
                SELECT v, t FROM la{k - 1}
                UNION ALL
                SELECT r.src, r.d FROM rec0 r JOIN la{k - 1} e ON r.dst = e.v AND r.d <= e.t
            ) GROUP BY v;
            """
        )
    # f: fewest records of a route from a source ending with the record; b: to a terminal starting with it.
    fwd = " UNION ALL ".join(
        f"SELECT r.id, {k + 1} AS k FROM rec0 r JOIN ea{k} e ON r.src = e.v AND r.d >= e.t" for k in range(steps)
    )
    bwd = " UNION ALL ".join(
        f"SELECT r.id, {k + 1} AS k FROM rec0 r JOIN la{k} e ON r.dst = e.v AND r.d <= e.t" for k in range(steps)
    )
    con.execute(
        f"""
        CREATE TABLE rec AS
            SELECT r.src, r.dst, r.d FROM rec0 r
            JOIN (SELECT id, min(k) AS f FROM ({fwd}) GROUP BY id) f USING (id)
            JOIN (SELECT id, min(k) AS b FROM ({bwd}) GROUP BY id) b USING (id)
            WHERE f.f + b.b - 1 <= {steps}
            ORDER BY r.dst, r.d
        """
    )
    for k in range(steps):
        con.execute(f"DROP TABLE IF EXISTS ea{k}; DROP TABLE IF EXISTS la{k}")
    con.execute("DROP TABLE rec0")
    return con.execute("SELECT count(*) FROM rec").fetchone()[0]


def dedupe(con, steps):
    """Global earliest-arrival dedupe; leaves pairs(s, t) as entity numbers."""
    con.execute(
        """
        CREATE TABLE frontier AS
            SELECT r.src AS s, r.dst AS v, min(r.d) AS t FROM rec r JOIN sources x ON r.src = x.n GROUP BY ALL;
        CREATE TABLE best AS SELECT * FROM frontier;
        """
    )
    for _ in range(1, steps):
        con.execute(
            """
            CREATE TABLE cand AS
                SELECT f.s, r.dst AS v, min(r.d) AS t FROM frontier f JOIN rec r ON r.src = f.v AND r.d >= f.t
                GROUP BY ALL;
            DROP TABLE frontier;
            CREATE TABLE frontier AS
                SELECT c.s, c.v, c.t FROM cand c LEFT JOIN best b ON b.s = c.s AND b.v = c.v
                WHERE b.t IS NULL OR c.t < b.t;
            DROP TABLE cand;
            CREATE TABLE best2 AS
                SELECT s, v, min(t) AS t FROM (SELECT * FROM best UNION ALL SELECT * FROM frontier) GROUP BY ALL;
            DROP TABLE best;
            ALTER TABLE best2 RENAME TO best;
            """
        )
        if con.execute("SELECT count(*) FROM frontier").fetchone()[0] == 0:
            break
    con.execute(
        """
        CREATE TABLE pairs AS
            SELECT DISTINCT b.s, b.v AS t FROM best b JOIN terminals x ON b.v = x.n WHERE b.s <> b.v
        """
    )


def bitset(con, steps, nsources):
    """Per-record source sets as BITSTRING, a running bit_or per receiver and an ASOF JOIN; leaves pairs(s, t)."""
    # lab: the sources that reach each record by a route of at most k records ending with it (NULL: none).
    con.execute(
        f"""
        CREATE TABLE seed AS SELECT n, bitstring_agg(bit, 0, {nsources - 1}) AS b FROM sources GROUP BY n;
        CREATE TABLE lab AS SELECT r.src, r.dst, r.d, s.b FROM rec r LEFT JOIN seed s ON r.src = s.n;
        """
    )
    for _ in range(1, steps):
        con.execute(
            """
            CREATE TABLE cum AS
                SELECT dst AS v, d, bit_or(b) OVER (PARTITION BY dst ORDER BY d) AS b
                FROM (SELECT dst, d, bit_or(b) AS b FROM lab WHERE b IS NOT NULL GROUP BY dst, d);
            DROP TABLE lab;
            CREATE TABLE lab AS
                SELECT r.src, r.dst, r.d,
                    CASE WHEN s.b IS NULL THEN c.b WHEN c.b IS NULL THEN s.b ELSE s.b | c.b END AS b
                FROM rec r
                LEFT JOIN seed s ON r.src = s.n
                ASOF LEFT JOIN cum c ON r.src = c.v AND r.d >= c.d;
            DROP TABLE cum;
            """
        )
    con.execute(
        f"""
        CREATE TABLE reached AS
            SELECT l.dst AS t, bit_or(l.b) AS b FROM lab l JOIN terminals x ON l.dst = x.n
            WHERE l.b IS NOT NULL GROUP BY l.dst;
        CREATE TABLE pairs AS
            SELECT s.n AS s, r.t FROM reached r, range({nsources}) i(bit) JOIN sources s ON s.bit = i.bit
            WHERE get_bit(r.b, i.bit::INTEGER) = 1 AND s.n <> r.t;
        """
    )


def main(case, sources, terminals, max_steps, out, method="bitset"):
    steps = max(int(max_steps), 1)
    con = connect()
    t0 = time.perf_counter()
    nsources = load(con, case, sources, terminals)
    t1 = time.perf_counter()
    kept = prune(con, steps)
    t2 = time.perf_counter()
    if method == "dedupe":
        dedupe(con, steps)
    elif method == "bitset":
        bitset(con, steps, max(nsources, 1))
    else:
        sys.exit(f"unknown method {method!r} (expected dedupe or bitset)")
    con.execute(
        f"""
        COPY (SELECT a.id, b.id FROM pairs JOIN ent a ON pairs.s = a.n JOIN ent b ON pairs.t = b.n)
        TO '{out}' (FORMAT csv, DELIMITER '\t', HEADER false, QUOTE '')
        """
    )
    t3 = time.perf_counter()
    pairs = con.execute("SELECT count(*) FROM pairs").fetchone()[0]
    print(
        f"duckdb {duckdb.__version__} {method}: {pairs} pairs, {kept} records kept; "
        f"load {t1 - t0:.3f} s, prune {t2 - t1:.3f} s, query {t3 - t2:.3f} s",
        file=sys.stderr,
    )


if __name__ == "__main__":
    if len(sys.argv) not in (6, 7):
        sys.exit(__doc__)
    main(*sys.argv[1:7])
