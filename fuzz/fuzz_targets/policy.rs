//! Arbitrary bytes as policy.toml: the policy reader must return a policy
//! and diagnostics, never panic, and a policy it accepts without an error
//! must hold only finite numbers within their ranges (issue 13: NaN and
//! infinities once slipped through and silently changed results).

#![no_main]

use chiptrace::diag::Diagnostics;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut diags = Diagnostics::default();
    let p = chiptrace::policy::load_bytes(data, "policy.toml", &mut diags);
    for d in &diags.0 {
        let line = d.to_string();
        assert!(!line.contains('\n'), "a diagnostic prints on one line");
    }
    if diags.errors() == 0 {
        for x in [p.fuzzy_threshold, p.severity_high, p.severity_medium, p.undeployed_ratio] {
            assert!((0.0..=1.0).contains(&x), "{x}");
        }
        for x in [p.rapid_resale_days, p.hub_dwell_days, p.shell_age_days, p.long_chain_window_days] {
            assert!(x.is_finite() && x >= 0.0, "{x}");
        }
        assert!(p.weights.values().all(|w| (0.0..=1.0).contains(w)));
        assert!((1..=chiptrace::policy::MAX_DEPTH_LIMIT).contains(&p.max_depth));
        assert!(p.affiliates_rule_suspended_from <= p.affiliates_rule_suspended_until);
    }
});
