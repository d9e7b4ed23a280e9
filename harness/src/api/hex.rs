//! Card images on the wire: a lowercase hex string (8192 characters for a 4096-byte chip)
//! instead of a JSON array of 4096 numbers.

use std::borrow::Cow;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The bytes of a card's chip, as hex.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardImage(pub Vec<u8>);

impl CardImage {
    pub fn into_bytes(self) -> Vec<u8> {
        self.0
    }
}

impl From<&[u8]> for CardImage {
    fn from(bytes: &[u8]) -> CardImage {
        CardImage(bytes.to_vec())
    }
}

impl Serialize for CardImage {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&encode(&self.0))
    }
}

impl<'de> Deserialize<'de> for CardImage {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<CardImage, D::Error> {
        let text = Cow::<str>::deserialize(deserializer)?;
        decode(&text)
            .map(CardImage)
            .map_err(serde::de::Error::custom)
    }
}

impl JsonSchema for CardImage {
    fn schema_name() -> Cow<'static, str> {
        "CardImage".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "The bytes of a card's chip as lowercase or uppercase hex, two digits per byte.",
            "type": "string",
            "pattern": "^([0-9a-fA-F]{2})*$",
        })
    }
}

fn encode(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut text = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        text.push(char::from(DIGITS[usize::from(byte >> 4)]));
        text.push(char::from(DIGITS[usize::from(byte & 0x0f)]));
    }
    text
}

fn decode(text: &str) -> Result<Vec<u8>, String> {
    if !text.len().is_multiple_of(2) {
        return Err(format!(
            "a card image needs two hex digits per byte; got {} characters",
            text.len()
        ));
    }
    let digit = |position: usize, c: u8| {
        char::from(c).to_digit(16).map(|d| d as u8).ok_or_else(|| {
            format!("a card image is hex: the character at position {position} is not a hex digit")
        })
    };
    text.as_bytes()
        .chunks_exact(2)
        .enumerate()
        .map(|(i, pair)| Ok(digit(2 * i, pair[0])? << 4 | digit(2 * i + 1, pair[1])?))
        .collect()
}

/// `#[serde(with = "crate::api::hex::bytes")]` for a `Vec<u8>` field.
pub mod bytes {
    use super::*;

    pub fn serialize<S: Serializer>(bytes: &[u8], serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&encode(bytes))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<u8>, D::Error> {
        CardImage::deserialize(deserializer).map(CardImage::into_bytes)
    }
}

/// `#[serde(with = "crate::api::hex::option")]` for an `Option<Vec<u8>>` field.
pub mod option {
    use super::*;

    pub fn serialize<S: Serializer>(
        bytes: &Option<Vec<u8>>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        bytes
            .as_deref()
            .map(|b| CardImage(b.to_vec()))
            .serialize(serializer)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Vec<u8>>, D::Error> {
        Ok(Option::<CardImage>::deserialize(deserializer)?.map(CardImage::into_bytes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_every_byte() {
        let all: Vec<u8> = (0..=255).collect();
        let text = serde_json::to_string(&CardImage(all.clone())).unwrap();
        assert!(text.starts_with("\"000102"), "{text}");
        let back: CardImage = serde_json::from_str(&text).unwrap();
        assert_eq!(back.0, all);
        let upper: CardImage = serde_json::from_str("\"0AfF\"").unwrap();
        assert_eq!(upper.0, vec![0x0a, 0xff]);
    }

    #[test]
    fn says_what_is_wrong() {
        let odd = serde_json::from_str::<CardImage>("\"abc\"").unwrap_err();
        assert!(odd.to_string().contains("two hex digits per byte"), "{odd}");
        let bad = serde_json::from_str::<CardImage>("\"00zz\"").unwrap_err();
        assert!(bad.to_string().contains("position 2"), "{bad}");
    }
}
