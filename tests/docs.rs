//! Docs that are generated from the code and kept in step by a test:
//! docs/policy.md is the table of every policy key with its default and the
//! reason for it, built from `src/policy.rs` (the doc comment of each field)
//! and `Policy::default()`. Run `UPDATE_DOCS=1 cargo test docs::` after
//! changing the policy to rewrite it. Also: no doc points at a SPEC.md that
//! is not in the repository.

use chiptrace::policy::Policy;
use std::path::Path;

/// (key, reason) for every field of `struct Policy`, in source order. A field
/// without its own comment shares the reason of the field above it.
fn fields(src: &str) -> Vec<(String, String)> {
    let body = &src[src.find("pub struct Policy {").expect("struct Policy")..];
    let body = &body[..body.find("\n}\n").expect("end of struct Policy")];
    let mut out: Vec<(String, String)> = Vec::new();
    let (mut doc, mut skip) = (Vec::<String>::new(), false);
    for line in body.lines().skip(1) {
        let l = line.trim();
        if let Some(d) = l.strip_prefix("///") {
            doc.push(d.trim().to_string());
        } else if l.starts_with("#[serde(skip)") {
            skip = true;
        } else if let Some(rest) = l.strip_prefix("pub ") {
            let name = rest.split(':').next().unwrap().trim().to_string();
            let reason =
                if doc.is_empty() { out.last().map(|f| f.1.clone()).unwrap_or_default() } else { doc.join(" ") };
            if !skip {
                out.push((name, reason));
            }
            doc.clear();
            skip = false;
        }
    }
    out
}

fn render(v: &toml::Value) -> String {
    match v {
        toml::Value::Array(a) if a.is_empty() => "empty".to_string(),
        toml::Value::Array(a) if a.iter().all(|x| x.is_str()) => {
            a.iter().map(|x| x.as_str().unwrap().to_string()).collect::<Vec<_>>().join(", ")
        }
        toml::Value::Array(a) => format!("{} built-in entries (src/model/product.rs)", a.len()),
        toml::Value::Table(t) => t.iter().map(|(k, v)| format!("{k} {}", render(v))).collect::<Vec<_>>().join(", "),
        toml::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn policy_table() -> String {
    let src = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/policy.rs")).unwrap();
    let defaults: toml::Table = toml::from_str(&toml::to_string(&Policy::default()).unwrap()).unwrap();
    let mut s = String::from(
        "# Policy keys\n\n<!-- Generated from src/policy.rs and Policy::default() by tests/docs.rs; \
         rewrite with `UPDATE_DOCS=1 cargo test docs::`. -->\n\n\
         Every key can be set in a case's `policy.toml` (or `--policy FILE`); a key not given keeps its \
         default. Lists of countries are ISO alpha-2 codes. The contract is [spec.md](spec.md) §4.\n\n\
         | key | default | why |\n|---|---|---|\n",
    );
    for (key, reason) in fields(&src) {
        let default = defaults.get(&key).map(render).unwrap_or_else(|| "none".to_string());
        let cell = |t: &str| t.replace('|', "\\|");
        s.push_str(&format!("| `{key}` | {} | {} |\n", cell(&default), cell(&reason)));
    }
    s
}

#[test]
fn policy_doc_lists_every_key_with_its_default_and_reason() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/policy.md");
    let want = policy_table();
    if std::env::var("UPDATE_DOCS").is_ok() {
        std::fs::write(&path, &want).unwrap();
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(have == want, "docs/policy.md is out of date with src/policy.rs; run `UPDATE_DOCS=1 cargo test docs::`");
    for key in ["rapid_resale_days", "fuzzy_threshold", "weights", "countries_of_concern"] {
        assert!(want.contains(&format!("| `{key}` |")), "{key} missing");
    }
    assert!(!want.contains("|  |"), "every key has a default and a reason");
}

#[test]
fn docs_point_at_the_contract_in_the_repository() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    assert!(root.join("docs/spec.md").exists());
    let mut bad = Vec::new();
    let mut stack =
        vec![root.join("src"), root.join("docs"), root.join("tests"), root.join("examples"), root.join("fixtures")];
    let mut files: Vec<std::path::PathBuf> =
        ["README.md", "ARCHITECTURE.md", "CHANGELOG.md", "BENCHMARKS.md", "Cargo.toml"]
            .iter()
            .map(|f| root.join(f))
            .collect();
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "rs" || x == "md" || x == "toml")
                && !p.ends_with("docs/spec.md")
            {
                files.push(p);
            }
        }
    }
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap_or_default();
        for (i, line) in text.lines().enumerate() {
            // This test names the patterns it looks for.
            if f.ends_with("tests/docs.rs") {
                continue;
            }
            if line.contains("SPEC.md") || line.contains("SPEC §") {
                bad.push(format!("{}:{}: {}", f.strip_prefix(root).unwrap().display(), i + 1, line.trim()));
            }
        }
    }
    assert!(
        bad.is_empty(),
        "references to a SPEC that is not in the repository (use docs/spec.md):\n{}",
        bad.join("\n")
    );
}

/// The built-in policy's lists are the contract's (docs/spec.md §4): a
/// country added to a default list changes every user's findings, so it goes
/// into a case's policy.toml instead.
#[test]
fn built_in_country_lists_are_the_contracts() {
    let spec = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/spec.md")).unwrap();
    let codes = |after: &str| -> Vec<String> {
        let at = spec.find(after).unwrap_or_else(|| panic!("docs/spec.md has no `{after}`"));
        let text = &spec[at + after.len()..];
        let text = &text[..text.find("any named in the policy").expect("end of the list")];
        text.split(|c: char| !c.is_ascii_uppercase()).filter(|w| w.len() == 2).map(str::to_string).collect()
    };
    let policy = Policy::default();
    let hubs: Vec<String> = policy.hub_countries.iter().map(|c| c.to_string()).collect();
    assert_eq!(hubs, codes("- hub countries:"));
}
