//! Product descriptions and HS codes as `import` meets them ("NVIDIA H100
//! 80GB HBM3 SXM5", "HGX H100 8-GPU server", HS 8473.30), recognised as a
//! model and the GPUs one declared unit holds, through the product table of
//! [`crate::model::product`] (the same table the reader and the rules use).
//!
//! An HS code never names a model (8471.50 holds every server, 8473.30 every
//! computer part), so it does not decide the product; it only says whether a
//! description that names no model is computing hardware worth a second look.

pub use crate::model::product::Normalised as Recognised;

/// Recognises a description against the built-in product table.
pub fn recognise(description: &str, hs_code: Option<&str>) -> Option<Recognised> {
    let _ = hs_code;
    crate::model::product::normalise(description)
}

pub use crate::model::product::computing_heading;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invoice_text_names_a_model_and_servers_count_their_gpus() {
        let r = recognise("NVIDIA H100 80GB HBM3 SXM5", None).unwrap();
        assert_eq!((r.model.as_str(), r.gpus_per_unit), ("H100", 1));
        let r = recognise("NVIDIA HGX H100 8-GPU SERVER", Some("8471.50")).unwrap();
        assert_eq!((r.model.as_str(), r.gpus_per_unit), ("H100", 8));
        assert_eq!(recognise("ETHERNET SWITCH 400G 64-PORT", Some("8517.62")), None);
        assert!(computing_heading("8473.30.1100") && computing_heading("847150") && !computing_heading("8517.62"));
    }
}
