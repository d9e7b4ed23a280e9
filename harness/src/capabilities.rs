//! Optional capabilities a participant may or may not implement, and its declaration of them.
//!
//! A certification run leaves out the scenarios of a capability the participant declares
//! absent (they carry `@capability:<name>`), but never silently: the suite then checks that
//! the system answers the capability's operations with a clear "not supported" (a
//! `not-supported` problem, HTTP 501) rather than doing something, or failing some other way.

use std::collections::BTreeMap;
use std::fmt;

use ovcert_reference::Cents;
use ovcert_reference::card::{CardKind, CardNumber};
use ovcert_reference::machine::IssueRequest;
use ovcert_reference::tap::ReaderRef;
use serde::Deserialize;

use crate::sut::{SutErrorKind, SutResult, SystemUnderTest};

/// A capability some participants implement and others do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Capability {
    /// TAP-08: readers that keep working off line and upload later.
    OfflineReaders,
    /// TAP-06: automatic reloading at the reader.
    AutoReload,
    /// TERM-01: cards issued for business use by a business-card provider.
    BusinessCards,
}

impl Capability {
    pub fn all() -> &'static [Capability] {
        &[
            Capability::OfflineReaders,
            Capability::AutoReload,
            Capability::BusinessCards,
        ]
    }

    /// The name used in declarations and in `@capability:<name>` tags.
    pub fn name(self) -> &'static str {
        match self {
            Capability::OfflineReaders => "offline-readers",
            Capability::AutoReload => "auto-reload",
            Capability::BusinessCards => "business-cards",
        }
    }

    pub fn description(self) -> &'static str {
        match self {
            Capability::OfflineReaders => {
                "readers keep working off line and upload their taps later (TAP-08)"
            }
            Capability::AutoReload => "automatic reloading at the reader (TAP-06)",
            Capability::BusinessCards => "cards issued for business use (TERM-01)",
        }
    }

    /// The scenario tag, without '@'.
    pub fn tag(self) -> String {
        format!("capability:{}", self.name())
    }

    /// The participant API operations that belong to the capability.
    pub fn operations(self) -> &'static [&'static str] {
        match self {
            Capability::OfflineReaders => &["SetReaderOnline", "ResendLastUpload"],
            Capability::AutoReload => &["SetAutoReload"],
            Capability::BusinessCards => &["IssueBusinessCard"],
        }
    }

    pub fn parse(text: &str) -> Result<Capability, String> {
        Capability::all()
            .iter()
            .copied()
            .find(|c| c.name() == text)
            .ok_or_else(|| {
                let names: Vec<&str> = Capability::all().iter().map(|c| c.name()).collect();
                format!(
                    "unknown capability `{text}`: the capabilities are {}",
                    names.join(", ")
                )
            })
    }

    /// Uses the capability once on `sut` (a system just reset) and says whether the system
    /// answered "not supported", as a system without the capability must.
    pub async fn probe(self, sut: &mut dyn SystemUnderTest) -> Probe {
        let answer: SutResult<()> = match self {
            Capability::OfflineReaders => sut
                .set_reader_online(&probe_reader(), false)
                .await
                .map(drop),
            Capability::AutoReload => match sut.issue_card(probe_card()).await {
                Ok(image) => sut
                    .set_auto_reload(&image, Some(Cents::new(2000)))
                    .await
                    .map(drop),
                Err(error) => Err(error),
            },
            Capability::BusinessCards => sut.issue_business_card(probe_card()).await.map(drop),
        };
        match answer {
            Err(error) if error.kind == SutErrorKind::NotSupported => Probe::NotSupported,
            Err(error) => Probe::Failed(error.to_string()),
            Ok(()) => Probe::Performed,
        }
    }
}

impl fmt::Display for Capability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What a system did when asked to use a capability.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Probe {
    /// It answered "not supported": right for a capability declared absent.
    NotSupported,
    /// It did it: the declaration is wrong.
    Performed,
    /// It failed otherwise, which a participant cannot be certified on.
    Failed(String),
}

fn probe_reader() -> ReaderRef {
    serde_json::from_value(serde_json::json!({
        "operator": "NS", "mode": "train", "station": "ut", "device": 9001, "device_kind": "pole"
    }))
    .expect("a reader of the embedded network")
}

fn probe_card() -> IssueRequest {
    IssueRequest {
        kind: CardKind::Anonymous,
        number: CardNumber::new(3528_0199_0000_0001).expect("16 digits"),
        uid: 0x0B00_0001,
        holder: None,
        travel_right: None,
    }
}

/// A participant's declaration of which optional capabilities its system implements.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Declaration {
    pub participant: String,
    pub capabilities: BTreeMap<Capability, bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DeclarationFile {
    participant: String,
    capabilities: BTreeMap<String, bool>,
}

impl Declaration {
    /// A system with every capability (the reference).
    pub fn everything(participant: &str) -> Declaration {
        Declaration {
            participant: participant.to_owned(),
            capabilities: Capability::all().iter().map(|c| (*c, true)).collect(),
        }
    }

    /// Parses a declaration (TOML); every capability must be declared, present or absent, so
    /// nothing is left out by omission.
    pub fn load_str(file: &str, text: &str) -> Result<Declaration, String> {
        let raw: DeclarationFile =
            toml::from_str(text).map_err(|e| format!("{file}: not a declaration: {e}"))?;
        let mut capabilities = BTreeMap::new();
        for (name, present) in raw.capabilities {
            let capability = Capability::parse(&name).map_err(|e| format!("{file}: {e}"))?;
            capabilities.insert(capability, present);
        }
        let missing: Vec<&str> = Capability::all()
            .iter()
            .filter(|c| !capabilities.contains_key(c))
            .map(|c| c.name())
            .collect();
        if !missing.is_empty() {
            return Err(format!(
                "{file}: declare every capability as true or false under [capabilities]; missing: {}",
                missing.join(", ")
            ));
        }
        if raw.participant.trim().is_empty() {
            return Err(format!("{file}: `participant` names no one"));
        }
        Ok(Declaration {
            participant: raw.participant,
            capabilities,
        })
    }

    /// The capabilities declared absent.
    pub fn absent(&self) -> Vec<Capability> {
        self.capabilities
            .iter()
            .filter(|(_, present)| !**present)
            .map(|(c, _)| *c)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_declaration_names_every_capability() {
        let text = "participant = \"Acme\"\n[capabilities]\noffline-readers = true\nauto-reload = false\nbusiness-cards = false\n";
        let declaration = Declaration::load_str("acme.toml", text).unwrap();
        assert_eq!(
            declaration.absent(),
            vec![Capability::AutoReload, Capability::BusinessCards]
        );
        let partial = "participant = \"Acme\"\n[capabilities]\nauto-reload = false\n";
        let error = Declaration::load_str("acme.toml", partial).unwrap_err();
        assert!(
            error.contains("missing: offline-readers, business-cards"),
            "{error}"
        );
        let unknown = "participant = \"Acme\"\n[capabilities]\nteleport = true\n";
        let error = Declaration::load_str("acme.toml", unknown).unwrap_err();
        assert!(error.contains("unknown capability `teleport`"), "{error}");
    }
}
