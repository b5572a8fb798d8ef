//! Sharded cases (docs/spec.md §5.5, `generate --shards K`): records split into
//! `records-00000-of-0000K.csv` .. read as one table, the same world
//! whatever K, and problems of a shard named by file and line.

use crate::common::*;

fn generate_sharded(dir: &std::path::Path, records: u64, seed: u64, shards: usize) {
    generate_with(dir, records, seed, &["--shards", &shards.to_string()]);
}

fn scan_json(dir: &std::path::Path) -> String {
    let o = chiptrace_os(&["scan".as_ref(), dir.as_os_str(), "--format".as_ref(), "json".as_ref()]);
    assert_eq!(code(&o), 0, "scan failed: {}", stderr(&o));
    // The report names its case folder and fingerprints its files (a sharded
    // case has other files); everything else must be the same.
    let mut v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("scan JSON");
    let shards: u64 = v["dataset"]["files"]
        .as_array()
        .expect("dataset files")
        .iter()
        .filter(|f| f["path"].as_str().is_some_and(|p| p.starts_with("records")))
        .map(|f| f["rows"].as_u64().expect("rows of a records file"))
        .sum();
    assert_eq!(shards, v["stats"]["records"].as_u64().unwrap(), "rows of the records files add up");
    v["dataset"] = serde_json::Value::Null;
    v["case"] = serde_json::Value::Null;
    v.to_string()
}

#[test]
fn the_same_seed_gives_the_same_world_whatever_the_shard_count() {
    let t = TempDir::new("shards-world");
    let one = t.path().join("one");
    generate(&one, 3_000, 11);
    let whole = std::fs::read_to_string(one.join("records.csv")).unwrap();
    let reference = scan_json(&one);
    for k in [1, 2, 4, 7] {
        let dir = t.path().join(format!("k{k}"));
        generate_sharded(&dir, 3_000, 11, k);
        assert!(!dir.join("records.csv").exists(), "a sharded case has no records.csv");
        let mut joined = String::new();
        for i in 0..k {
            let shard = std::fs::read_to_string(dir.join(format!("records-{i:05}-of-{k:05}.csv")))
                .unwrap_or_else(|e| panic!("shard {i} of {k}: {e}"));
            let mut lines = shard.split_inclusive('\n');
            let header = lines.next().unwrap();
            if i == 0 {
                joined.push_str(header);
            } else {
                assert!(whole.starts_with(header), "every shard starts with the header");
            }
            joined.extend(lines);
        }
        assert_eq!(joined, whole, "the shards of {k} in order are records.csv");
        for f in ["entities.csv", "relations.csv", "truth.json"] {
            assert_eq!(std::fs::read(one.join(f)).unwrap(), std::fs::read(dir.join(f)).unwrap(), "{f} with {k} shards");
        }
        assert_eq!(scan_json(&dir), reference, "scan of the {k}-shard case");
    }
}

#[test]
fn more_shards_than_records_writes_empty_shards_that_read_as_none() {
    let t = TempDir::new("shards-empty");
    generate_sharded(t.path(), 2, 1, 4);
    for i in 0..4 {
        assert!(t.path().join(format!("records-{i:05}-of-00004.csv")).exists(), "shard {i}");
    }
    let o = chiptrace_os(&["validate".as_ref(), t.path().as_os_str()]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
}

#[test]
fn a_missing_shard_and_a_duplicate_across_shards_are_named_by_file_and_line() {
    let t = TempDir::new("shards-bad");
    t.write("entities.csv", "id,name,kind,country\nA,Alpha,distributor,US\nB,Beta,reseller,SG\n");
    let header = "id,date,kind,from,to,product,quantity\n";
    t.write("records-00000-of-00003.csv", format!("{header}R1,2024-01-01,sale,A,B,H100,5\n"));
    t.write(
        "records-00002-of-00003.csv",
        format!("{header}R2,2024-01-02,sale,A,B,H100,5\nR1,2024-01-03,sale,A,B,H100,1\n"),
    );
    let o = chiptrace_os(&["validate".as_ref(), t.path().as_os_str()]);
    let err = stderr(&o) + &stdout(&o);
    assert_eq!(code(&o), 2, "{err}");
    let shard = |i: usize| t.path().join(format!("records-{i:05}-of-00003.csv")).display().to_string();
    assert!(err.contains(&format!("{}:0: error: required file is missing", shard(1))), "{err}");
    assert!(
        err.contains(&format!("{}:3: error: field `id`: duplicate record id `R1` (first at {}:2)", shard(2), shard(0))),
        "{err}"
    );
    t.write("records.csv", header);
    let o = chiptrace_os(&["validate".as_ref(), t.path().as_os_str()]);
    assert!(
        stdout(&o).contains("both records.csv and record shards are present")
            || stderr(&o).contains("both records.csv and record shards are present"),
        "{}",
        stderr(&o)
    );
}
