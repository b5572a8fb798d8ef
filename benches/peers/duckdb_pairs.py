"""The route query of BENCHMARKS.md in DuckDB: a recursive CTE over records.csv.

    python duckdb_pairs.py CASE SOURCES TERMINALS MAX_STEPS OUT.tsv

Loads records.csv into a table (entity ids dictionary-encoded as integers,
dates as timestamps), then walks from every source in one recursive CTE,
keeping per round only the earliest arrival at each (source, entity): a later
arrival after the same number of records can do nothing an earlier one
cannot. Writes `source<TAB>terminal` lines (unsorted) to OUT.tsv.
"""

import sys
import time

import duckdb


def main(case, sources, terminals, max_steps, out):
    max_steps = int(max_steps)
    con = duckdb.connect()
    t0 = time.perf_counter()
    con.execute(
        f"""
        CREATE TABLE raw AS
            SELECT "from" AS f, "to" AS t, CAST("date" AS TIMESTAMP) AS d
            FROM read_csv('{case}/records.csv', header = true, all_varchar = true);
        CREATE TABLE ent AS
            SELECT id, (row_number() OVER ())::INTEGER AS n
            FROM (SELECT f AS id FROM raw UNION SELECT t FROM raw);
        CREATE TABLE rec AS
            SELECT a.n AS src, b.n AS dst, raw.d
            FROM raw JOIN ent a ON raw.f = a.id JOIN ent b ON raw.t = b.id;
        DROP TABLE raw;
        CREATE TABLE sources AS
            SELECT DISTINCT ent.n FROM read_csv('{sources}', header = false, columns = {{'id': 'VARCHAR'}}) s
            JOIN ent ON ent.id = s.id;
        CREATE TABLE terminals AS
            SELECT DISTINCT ent.n FROM read_csv('{terminals}', header = false, columns = {{'id': 'VARCHAR'}}) s
            JOIN ent ON ent.id = s.id;
        """
    )
    t1 = time.perf_counter()
    con.execute(
        f"""
        COPY (
            WITH RECURSIVE walk(src, node, t, depth) AS (
                SELECT r.src, r.dst, min(r.d), 1
                FROM rec r JOIN sources s ON r.src = s.n
                GROUP BY r.src, r.dst
                UNION ALL
                SELECT w.src, r.dst, min(r.d), any_value(w.depth) + 1
                FROM walk w JOIN rec r ON r.src = w.node AND r.d >= w.t
                WHERE w.depth < {max_steps}
                GROUP BY w.src, r.dst
            ),
            pairs AS (
                SELECT DISTINCT w.src, w.node
                FROM walk w JOIN terminals x ON w.node = x.n
                WHERE w.src <> w.node
            )
            SELECT a.id, b.id FROM pairs JOIN ent a ON pairs.src = a.n JOIN ent b ON pairs.node = b.n
        ) TO '{out}' (FORMAT csv, DELIMITER '\t', HEADER false, QUOTE '')
        """
    )
    t2 = time.perf_counter()
    pairs = con.execute(f"SELECT count(*) FROM read_csv('{out}', header = false, delim = '\t')").fetchone()[0]
    print(
        f"duckdb {duckdb.__version__}: {pairs} pairs; load {t1 - t0:.3f} s, query {t2 - t1:.3f} s",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main(*sys.argv[1:6])
