//! `chiptrace trace` and `validate` on the demo case, through the real binary:
//! snapshots of the reports, and the facts an investigator would check by hand
//! (who ends up holding or renting the units of a lot, and where a lessee's
//! units came from).

use crate::common::{TempDir, chiptrace, chiptrace_os, code, fixture, stderr, stdout};
use serde_json::Value;

/// Runs a trace on the demo case as JSON and parses it.
fn trace_json(args: &[&str]) -> Value {
    let mut all = vec!["trace", "fixtures/demo"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--format", "json"]);
    let out = chiptrace(&all);
    assert_eq!(code(&out), 0, "{all:?}: {}", stderr(&out));
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{all:?}: not JSON ({e}):\n{}", stdout(&out)))
}

/// The holder row of `id`, or a panic naming the holders there are.
fn holder<'a>(t: &'a Value, id: &str) -> &'a Value {
    let holders = t["holders"].as_array().expect("holders is an array");
    holders.iter().find(|h| h["entity"] == id).unwrap_or_else(|| {
        let ids: Vec<&str> = holders.iter().filter_map(|h| h["entity"].as_str()).collect();
        panic!("{id} is not among the holders {ids:?}")
    })
}

fn units(h: &Value, field: &str) -> i64 {
    h[field].as_i64().unwrap_or_else(|| panic!("holder {} has no `{field}`: {h}", h["entity"]))
}

/// The (from, to) pairs of the steps, in order.
fn hops(t: &Value) -> Vec<(String, String)> {
    t["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["from"].as_str().unwrap().to_string(), s["to"].as_str().unwrap().to_string()))
        .collect()
}

fn records(t: &Value) -> Vec<&str> {
    t["steps"].as_array().unwrap().iter().map(|s| s["record"].as_str().unwrap()).collect()
}

#[test]
fn snapshot_validate_demo() {
    let out = chiptrace(&["validate", "fixtures/demo"]);
    assert_eq!(code(&out), 0);
    insta::assert_snapshot!("validate_demo", stdout(&out));
}

#[test]
fn snapshot_trace_json_demo() {
    for (name, args) in [
        ("trace_lot_l100_forward", &["--lot", "L-100"][..]),
        ("trace_lot_l100a_backward", &["--lot", "L-100-A", "--backward"]),
        ("trace_entity_lxt_backward", &["--entity", "LXT", "--backward"]),
        ("trace_entity_zyc_backward", &["--entity", "ZYC", "--backward"]),
        ("trace_entity_aed_forward", &["--entity", "AED"]),
    ] {
        let t = trace_json(args);
        insta::assert_snapshot!(name, serde_json::to_string_pretty(&t).unwrap());
    }
}

#[test]
fn snapshot_trace_table_demo() {
    let out = chiptrace(&["trace", "fixtures/demo", "--lot", "L-100"]);
    assert_eq!(code(&out), 0);
    insta::assert_snapshot!("trace_lot_l100_table", stdout(&out));
}

/// L-100 (1000 H100) is split into L-100-A/B/C; forward, every last holder
/// and every lessee is reached with its units.
#[test]
fn forward_trace_of_a_split_lot_reaches_every_holder_and_lessee() {
    let t = trace_json(&["--lot", "L-100"]);
    assert_eq!(t["direction"], "forward");
    assert_eq!(t["root"], "L-100");
    let mut recs = records(&t);
    recs.sort();
    assert_eq!(recs, ["R01", "R02", "R03", "R04", "R05", "R06", "R07", "R08", "R09", "R10", "R11", "R28"]);
    // The university keeps the 100 units of L-100-B.
    assert_eq!(units(holder(&t, "NFU"), "held"), 100);
    // The Malaysian site physically holds the 600 units of L-100-A shipped there
    // for HCS, 200 of which HCS installed.
    let kcp = holder(&t, "KCP");
    assert_eq!((units(kcp, "received"), units(kcp, "held"), units(kcp, "hosted")), (600, 600, 200));
    // HCS shipped its units to the site (so holds none in hand) and leased 300 of them out.
    let hcs = holder(&t, "HCS");
    assert_eq!((units(hcs, "received"), units(hcs, "shipped"), units(hcs, "held")), (600, 600, 0));
    assert_eq!((units(hcs, "installed"), units(hcs, "leased")), (200, 300));
    // The listed end user rents 300 units in two leases.
    assert_eq!(units(holder(&t, "ZYC"), "leased_in"), 300);
    // The Japanese cloud holds its 300, installed them, and leased 100 to TRK.
    let skc = holder(&t, "SKC");
    assert_eq!((units(skc, "held"), units(skc, "installed"), units(skc, "leased")), (300, 300, 100));
    assert_eq!(units(holder(&t, "TRK"), "leased_in"), 100);
    // Units are conserved: what the maker sent out is held by the last holders.
    let vs = holder(&t, "VS");
    assert_eq!(vs["origin"], true);
    assert_eq!(units(vs, "sent"), 1000);
    let held: i64 =
        t["holders"].as_array().unwrap().iter().filter(|h| h["origin"] != true).map(|h| units(h, "held")).sum();
    assert_eq!(held, 1000);
    assert_eq!(t["out_of_order"].as_array().unwrap().len(), 0);
}

#[test]
fn backward_trace_from_a_lessee_reaches_the_maker() {
    let t = trace_json(&["--entity", "LXT", "--backward"]);
    assert_eq!(t["direction"], "backward");
    assert_eq!(records(&t), ["R12", "R13", "R15"]);
    assert_eq!(hops(&t)[0], ("VS".to_string(), "AED".to_string()));
    assert_eq!(holder(&t, "VS")["origin"], true);
    assert_eq!(units(holder(&t, "LXT"), "leased_in"), 300);
}

#[test]
fn backward_trace_from_an_entity_goes_through_every_intermediary() {
    let t = trace_json(&["--entity", "ZYC", "--backward"]);
    let h = hops(&t);
    for (from, to) in [("VS", "AED"), ("AED", "PRC"), ("PRC", "HCS"), ("HCS", "ZYC")] {
        assert!(h.contains(&(from.to_string(), to.to_string())), "no step {from} -> {to} in {h:?}");
    }
    assert_eq!(holder(&t, "VS")["origin"], true);
    // Time order: each step on the VS -> ZYC chain comes after the one before.
    let recs = records(&t);
    let pos = |r: &str| recs.iter().position(|x| *x == r).unwrap_or_else(|| panic!("{r} not in {recs:?}"));
    assert!(pos("R01") < pos("R02") && pos("R02") < pos("R04") && pos("R04") < pos("R08"));
    // Sales that went elsewhere are not on the way to ZYC.
    for other in ["R03", "R09", "R13", "R17"] {
        assert!(!recs.contains(&other), "{other} does not lead to ZYC: {recs:?}");
    }
}

#[test]
fn forward_trace_from_an_entity_follows_products_and_lots() {
    let t = trace_json(&["--entity", "PRC"]);
    let recs = records(&t);
    // H100 through HCS to the site and the leases; H200 through the shells to JHC.
    for r in ["R04", "R05", "R06", "R07", "R08", "R28", "R18", "R19", "R20"] {
        assert!(recs.contains(&r), "{r} missing from {recs:?}");
    }
    // GBT's lot-less H100 sale to ZYC (R25) is not H200 from PRC.
    assert!(!recs.contains(&"R25"), "{recs:?}");
    assert_eq!(units(holder(&t, "JHC"), "held"), 200);
}

#[test]
fn unknown_lot_or_entity_is_bad_input() {
    let out = chiptrace(&["trace", "fixtures/demo", "--lot", "L-999"]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("no record carries lot `L-999`"), "{}", stderr(&out));
    let out = chiptrace(&["trace", "fixtures/demo", "--entity", "NOPE"]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("no entity with id `NOPE`"), "{}", stderr(&out));
    let out = chiptrace(&["trace", "fixtures/demo"]);
    assert_eq!(code(&out), 2, "neither --lot nor --entity");
}

#[test]
fn trace_refuses_a_case_with_errors() {
    let out = chiptrace(&["trace", "fixtures/bad/quantity_not_positive", "--entity", "VS"]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("records.csv:2: error: field `quantity`"), "{}", stderr(&out));
    assert!(stdout(&out).is_empty());
}

/// Regression: a lot named only as a `parent_lot` (customs data rarely
/// records the original lot itself) can still be traced to its splits.
#[test]
fn a_parent_lot_without_records_of_its_own_traces_forward() {
    let dir = TempDir::new("parent-only");
    std::fs::copy(fixture("demo/entities.csv"), dir.path().join("entities.csv")).unwrap();
    dir.write(
        "records.csv",
        "id,date,kind,from,to,product,quantity,lot,parent_lot\n\
         R1,2024-01-10,sale,AED,PRC,H100,60,P-1-A,P-1\n\
         R2,2024-01-11,sale,AED,NFU,H100,40,P-1-B,P-1\n\
         R3,2024-01-20,sale,PRC,HCS,H100,60,P-1-A,\n",
    );
    let out = chiptrace_os(&[
        "trace".as_ref(),
        dir.path().as_os_str(),
        "--lot".as_ref(),
        "P-1".as_ref(),
        "--format".as_ref(),
        "json".as_ref(),
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let t: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(records(&t), ["R1", "R2", "R3"], "{t}");
    assert_eq!(units(holder(&t, "HCS"), "held"), 60);
    assert_eq!(units(holder(&t, "NFU"), "held"), 40);
    assert_eq!(holder(&t, "AED")["origin"], true);
    assert_eq!(t["out_of_order"].as_array().unwrap().len(), 0);
}

/// Units sent on before the sender held the lot are listed as out of order,
/// not silently followed.
#[test]
fn a_lot_sent_before_it_arrived_is_out_of_order() {
    let dir = TempDir::new("out-of-order");
    std::fs::copy(fixture("demo/entities.csv"), dir.path().join("entities.csv")).unwrap();
    dir.write(
        "records.csv",
        "id,date,kind,from,to,product,quantity,lot\n\
         R1,2024-01-10,sale,VS,AED,H100,10,L-1\n\
         R2,2024-01-05,sale,PRC,HCS,H100,10,L-1\n\
         R3,2024-01-20,sale,AED,PRC,H100,10,L-1\n",
    );
    let out = chiptrace_os(&[
        "trace".as_ref(),
        dir.path().as_os_str(),
        "--lot".as_ref(),
        "L-1".as_ref(),
        "--format".as_ref(),
        "json".as_ref(),
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let t: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(records(&t), ["R1", "R3"]);
    let bad: Vec<&str> = t["out_of_order"].as_array().unwrap().iter().map(|s| s["record"].as_str().unwrap()).collect();
    assert_eq!(bad, ["R2"]);
}

/// Regression: a backward lot trace listed its steps newest first while a
/// backward entity trace lists them in time order; both are in time order now.
#[test]
fn backward_traces_list_steps_in_time_order() {
    for args in [&["--lot", "L-100-A", "--backward"][..], &["--entity", "ZYC", "--backward"]] {
        let t = trace_json(args);
        let dates: Vec<&str> = t["steps"].as_array().unwrap().iter().map(|s| s["date"].as_str().unwrap()).collect();
        let mut sorted = dates.clone();
        sorted.sort();
        assert_eq!(dates, sorted, "{args:?}");
    }
    let t = trace_json(&["--lot", "L-100-A", "--backward"]);
    assert_eq!(records(&t), ["R01", "R02", "R04", "R05", "R06", "R07", "R08", "R28"]);
}

/// One move in a random history of a lot: who sends, how many of what they
/// hold, to whom, and whether it is a lease (nothing moves) instead of a sale.
#[derive(Clone, Debug)]
struct Move {
    holder: prop::sample::Index,
    share: prop::sample::Index,
    to: usize,
    lease: bool,
}

use proptest::prelude::*;

fn move_strategy() -> impl Strategy<Value = Move> {
    (any::<prop::sample::Index>(), any::<prop::sample::Index>(), 1usize..=6, prop::bool::weighted(0.2))
        .prop_map(|(holder, share, to, lease)| Move { holder, share, to, lease })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Units are conserved along a lot's forward trace: for any history of
    /// sales, splits (a part sold on under a child lot) and leases, the trace
    /// follows every record, each holder's `held` is what it really holds,
    /// every lessee is reached, and `validate` finds nothing that does not add up.
    #[test]
    fn forward_lot_trace_conserves_units(qty in 1u32..=1000, moves in prop::collection::vec(move_strategy(), 0..25)) {
        use chiptrace::analysis::inventory::Inventory;
        use chiptrace::analysis::trace::{Direction, TraceRoot, trace};
        use chiptrace::graph::Lots;
        use std::collections::BTreeMap;

        let mut entities = String::from("id,name,kind,country\nVS,Veridian,manufacturer,US\n");
        for i in 1..=6 {
            entities.push_str(&format!("E{i},Entity {i},distributor,SG\n"));
        }
        let mut records = String::from("id,date,kind,from,to,product,quantity,lot,parent_lot,end_date\n");
        let day = |n: usize| {
            let d = chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap() + chrono::Days::new(n as u64);
            d.format("%Y-%m-%d").to_string()
        };
        records.push_str(&format!("R000,{},sale,VS,E1,H100,{qty},L,,\n", day(0)));
        // (entity, lot) -> units held, in a stable order.
        let mut held: BTreeMap<(usize, String), u32> = BTreeMap::from([((1, "L".to_string()), qty)]);
        let mut leased_in: BTreeMap<usize, u32> = BTreeMap::new();
        for (k, m) in moves.iter().enumerate() {
            let stock: Vec<((usize, String), u32)> = held.iter().filter(|(_, q)| **q > 0).map(|(k, q)| (k.clone(), *q)).collect();
            let ((from, lot), have) = stock[m.holder.index(stock.len())].clone();
            let to = if m.to == from { m.to % 6 + 1 } else { m.to };
            let n = m.share.index(have as usize) as u32 + 1;
            let id = format!("R{:03}", k + 1);
            if m.lease {
                records.push_str(&format!("{id},{},lease,E{from},E{to},H100,{n},{lot},,{}\n", day(k + 1), day(k + 400)));
                *leased_in.entry(to).or_default() += n;
                continue;
            }
            let (sent_lot, parent) = if n == have { (lot.clone(), String::new()) } else { (format!("{lot}.{k}"), lot.clone()) };
            records.push_str(&format!("{id},{},sale,E{from},E{to},H100,{n},{sent_lot},{parent},\n", day(k + 1)));
            *held.get_mut(&(from, lot)).unwrap() -= n;
            *held.entry((to, sent_lot)).or_default() += n;
        }
        let loaded = chiptrace::read::read_case_from_files(&[("entities.csv", entities.as_bytes()), ("records.csv", records.as_bytes())]);
        let msgs: Vec<String> = loaded.diags.0.iter().map(|d| d.to_string()).collect();
        prop_assert!(msgs.is_empty(), "{:?}\n{}", msgs, records);
        let case = &loaded.case;
        let inv = Inventory::build(case);
        let lots = Lots::build(case, &inv.order);
        let t = trace(case, &lots, &inv.order, &TraceRoot::Lot(case.sym("L").unwrap()), Direction::Forward, 64);
        prop_assert_eq!(t.steps.len(), case.records.len(), "{}", records);
        prop_assert!(t.out_of_order.is_empty());
        let mut want: BTreeMap<String, i64> = BTreeMap::new();
        for ((e, _), q) in &held {
            *want.entry(format!("E{e}")).or_default() += *q as i64;
        }
        for h in &t.holders {
            let id = &case.entity(h.entity).id;
            if id == "VS" {
                prop_assert!(h.origin);
                prop_assert_eq!(h.units.held(), -(qty as i64));
                continue;
            }
            prop_assert_eq!(h.units.held(), want.get(id).copied().unwrap_or(0), "{} in\n{}", id, records);
            let rented = leased_in.get(&id[1..].parse::<usize>().unwrap()).copied().unwrap_or(0);
            prop_assert_eq!(h.units.leased_in, rented as u64, "{}", id);
        }
        let total: i64 = t.holders.iter().filter(|h| !h.origin).map(|h| h.units.held()).sum();
        prop_assert_eq!(total, qty as i64);
    }
}
