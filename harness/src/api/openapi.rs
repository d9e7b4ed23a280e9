//! The OpenAPI 3.1 document of the participant API, generated from the operation
//! declarations and the JSON Schemas of their types. The committed copy
//! (`harness/openapi.json`) is checked against it by a test, and the server serves it.

use schemars::generate::SchemaSettings;
use schemars::{JsonSchema, SchemaGenerator};
use serde_json::{Map, Value, json};

use super::access::{ApiRole, allowed_roles};
use super::operations::{ServiceLookup, visit_all};
use super::problem::ProblemKind;
use super::{OPENAPI_PATH, Operation, Problem, READY_PATH, Visitor};

/// Where the committed copy lives, relative to the repository root.
pub const COMMITTED_PATH: &str = "harness/openapi.json";

/// The name of the API-key scheme in `components.securitySchemes`.
const SECURITY_SCHEME: &str = "apiKey";

/// The document as pretty JSON with a final newline (the committed form).
pub fn document_text() -> String {
    let mut text = serde_json::to_string_pretty(&document()).expect("JSON values serialize");
    text.push('\n');
    text
}

/// The OpenAPI document.
pub fn document() -> Value {
    let mut settings = SchemaSettings::draft2020_12();
    settings.definitions_path = "/components/schemas".into();
    settings.meta_schema = None;
    settings.transforms.push(Box::new(ExplicitIntegerRanges));
    let mut paths = Paths {
        generator: settings.into_generator(),
        paths: Map::new(),
    };
    visit_all(&mut paths);
    paths.add_plain_gets();
    let schemas = paths.generator.take_definitions(true);
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "ovcert participant API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "The operations a system under test offers to the ovcert conformance suite: \
                cards, readers, back office, OVpay payments and risk, card-holder terms and fees. \
                Every operation is a POST of a JSON object answering 200 with JSON; failures are RFC 9457 \
                problem details. Operations under /test/v1/ are test controls (clock, bank simulator, \
                reset) and observations; a server offers them only when started with --test-controls. \
                Every operation needs a participant's API key (`Authorization: Bearer <key>`, 401 without \
                a known one); its role and operator decide what it may call and read (403), listed per \
                operation as `x-ovcert-roles`. Failed service lookups are rate-limited (429 with \
                Retry-After); request headers are limited (431) and bodies too (413).",
            "license": { "name": "EUPL-1.2" }
        },
        "security": [{ SECURITY_SCHEME: [] }],
        "paths": paths.paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                SECURITY_SCHEME: {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A participant's API key (`ovcert api-key`), bound to a role and, for a service provider, an operator. A local test lab without keys (`ovcert serve --test-controls` on loopback) needs none."
                }
            }
        },
    })
}

/// Spells out the range of every fixed-width integer (`"format": "uint32"` and the like) as
/// `minimum`/`maximum`: a format is only an annotation to a validator, so without the bounds
/// the schema admits numbers the server must refuse.
#[derive(Debug, Clone)]
struct ExplicitIntegerRanges;

impl schemars::transform::Transform for ExplicitIntegerRanges {
    fn transform(&mut self, schema: &mut schemars::Schema) {
        let range = match schema.get("format").and_then(Value::as_str) {
            Some("uint8") => Some((json!(0), json!(u8::MAX))),
            Some("uint16") => Some((json!(0), json!(u16::MAX))),
            Some("uint32") => Some((json!(0), json!(u32::MAX))),
            Some("uint64" | "uint") => Some((json!(0), json!(u64::MAX))),
            Some("int8") => Some((json!(i8::MIN), json!(i8::MAX))),
            Some("int16") => Some((json!(i16::MIN), json!(i16::MAX))),
            Some("int32") => Some((json!(i32::MIN), json!(i32::MAX))),
            Some("int64" | "int") => Some((json!(i64::MIN), json!(i64::MAX))),
            _ => None,
        };
        if let Some((minimum, maximum)) = range {
            schema.insert("minimum".into(), minimum);
            schema.insert("maximum".into(), maximum);
        }
        schemars::transform::transform_subschemas(self, schema);
    }
}

struct Paths {
    generator: SchemaGenerator,
    paths: Map<String, Value>,
}

impl Paths {
    fn schema<T: JsonSchema>(&mut self) -> Value {
        self.generator.subschema_for::<T>().into()
    }

    /// One response per status; kinds sharing a status (403) share its description.
    fn problems(&mut self, kinds: &[ProblemKind]) -> Map<String, Value> {
        let problem = self.schema::<Problem>();
        let mut by_status: std::collections::BTreeMap<u16, Vec<&str>> = Default::default();
        for kind in kinds {
            by_status
                .entry(kind.status())
                .or_default()
                .push(kind.title());
        }
        by_status
            .into_iter()
            .map(|(status, titles)| {
                let mut response = json!({
                    "description": titles.join("; "),
                    "content": { "application/problem+json": { "schema": problem } }
                });
                if status == ProblemKind::TooManyRequests.status() {
                    response["headers"] = json!({ "Retry-After": {
                        "description": "Seconds until the next attempt is accepted.",
                        "schema": { "type": "integer", "minimum": 1 }
                    }});
                }
                (status.to_string(), response)
            })
            .collect()
    }

    /// The two GET resources besides the operations.
    fn add_plain_gets(&mut self) {
        self.paths.insert(
            READY_PATH.into(),
            json!({ "get": {
                "operationId": "Ready",
                "security": [],
                "summary": "Answers 200 once the system takes requests.",
                "tags": ["service"],
                "responses": {
                    "200": {
                        "description": "Ready",
                        "content": { "application/json": { "schema": {
                            "type": "object",
                            "required": ["status", "system"],
                            "properties": {
                                "status": { "const": "ready" },
                                "system": { "type": "string", "description": "What the system is (name, rule set, injected faults)." },
                                "test_controls": { "type": "boolean" }
                            }
                        } } }
                    }
                }
            }}),
        );
        self.paths.insert(
            OPENAPI_PATH.into(),
            json!({ "get": {
                "operationId": "OpenApi",
                "security": [],
                "summary": "This document.",
                "tags": ["service"],
                "responses": {
                    "200": {
                        "description": "The OpenAPI document",
                        "content": { "application/json": { "schema": { "type": "object" } } }
                    }
                }
            }}),
        );
    }
}

impl Visitor for Paths {
    fn visit<O: Operation>(&mut self) {
        let request = self.schema::<O>();
        let answer = self.schema::<O::Answer>();
        let mut kinds = vec![
            ProblemKind::MalformedRequest,
            ProblemKind::PayloadTooLarge,
            ProblemKind::UnsupportedMediaType,
            ProblemKind::Refused,
            ProblemKind::Internal,
            ProblemKind::Unauthorized,
            ProblemKind::Forbidden,
            ProblemKind::HeaderFieldsTooLarge,
        ];
        if O::is_test_control() {
            kinds.push(ProblemKind::TestControlsOff);
        }
        if O::NAME == ServiceLookup::NAME {
            kinds.push(ProblemKind::TooManyRequests);
        }
        let roles: Vec<&str> = allowed_roles(O::NAME)
            .unwrap_or_default()
            .iter()
            .chain(&[ApiRole::TestLab])
            .map(|role| role.id())
            .collect();
        let mut responses = self.problems(&kinds);
        responses.insert(
            "200".into(),
            json!({
                "description": "Done",
                "content": { "application/json": { "schema": answer } }
            }),
        );
        let description = O::DESCRIPTION.trim();
        let summary = description.lines().next().unwrap_or_default().trim();
        let tag = if O::is_test_control() {
            "test-controls"
        } else {
            O::PATH.split('/').nth(2).unwrap_or("other")
        };
        self.paths.insert(
            O::PATH.into(),
            json!({ "post": {
                "operationId": O::NAME,
                "summary": summary,
                "description": description.lines().map(str::trim).collect::<Vec<_>>().join(" "),
                "tags": [tag],
                "x-ovcert-roles": roles,
                "requestBody": {
                    "required": true,
                    "content": { "application/json": { "schema": request } }
                },
                "responses": responses,
            }}),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The committed document is the generated one: code and file cannot drift.
    #[test]
    fn committed_document_is_current() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi.json");
        let committed = std::fs::read_to_string(path).unwrap_or_default();
        let generated = document_text();
        assert!(
            committed == generated,
            "{COMMITTED_PATH} differs from the API the code declares; regenerate it with \
             `cargo run -p ovcert -- openapi > {COMMITTED_PATH}` and review the change"
        );
    }

    /// Every `$ref` points at a schema the document defines.
    #[test]
    fn every_reference_resolves() {
        let document = document();
        let schemas = document["components"]["schemas"].as_object().unwrap();
        let mut refs = Vec::new();
        collect_refs(&document, &mut refs);
        assert!(refs.len() > 50, "the operations refer to their schemas");
        for reference in refs {
            let name = reference
                .strip_prefix("#/components/schemas/")
                .unwrap_or_else(|| panic!("unexpected reference {reference}"));
            assert!(schemas.contains_key(name), "{reference} is not defined");
        }
    }

    fn collect_refs(value: &Value, out: &mut Vec<String>) {
        match value {
            Value::Object(map) => {
                for (key, value) in map {
                    match (key.as_str(), value) {
                        ("$ref", Value::String(target)) => out.push(target.clone()),
                        _ => collect_refs(value, out),
                    }
                }
            }
            Value::Array(items) => items.iter().for_each(|v| collect_refs(v, out)),
            _ => {}
        }
    }
}
