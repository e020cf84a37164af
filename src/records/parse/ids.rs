//! Ids that arrive as JSON numbers (beyond 2^53 for zsxq topics) or strings.

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize};

/// An id as text, read exactly from a JSON integer or string. Floats are refused
/// (they have already lost digits).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct IdText(pub String);

impl<'de> Deserialize<'de> for IdText {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = IdText;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an integer or string id")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<IdText, E> {
                Ok(IdText(v.to_string()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<IdText, E> {
                Ok(IdText(v.to_string()))
            }
            fn visit_u128<E: de::Error>(self, v: u128) -> Result<IdText, E> {
                Ok(IdText(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<IdText, E> {
                Err(E::custom(format!("id {v} is a floating-point number; its digits are lost")))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<IdText, E> {
                Ok(IdText(v.to_string()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<IdText, E> {
                Ok(IdText(v))
            }
        }
        d.deserialize_any(V)
    }
}

impl IdText {
    /// The id, when it is not empty.
    pub fn nonempty(&self) -> Option<&str> {
        let t = self.0.trim();
        (!t.is_empty()).then_some(t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn big_integers_and_strings_are_exact() {
        let v: Vec<IdText> = serde_json::from_str(r#"[82811428128854112, "82811428128854112", 400000000001]"#).unwrap();
        assert_eq!(v[0].0, "82811428128854112");
        assert_eq!(v[1].0, "82811428128854112");
        assert_eq!(v[2].0, "400000000001");
        assert!(serde_json::from_str::<IdText>("8.28e16").is_err());
    }
}
