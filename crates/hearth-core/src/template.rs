//! Custom-field templates: a small, checked subset of JSON Schema.
//!
//! A template is `{"type": "object", "properties": {<field>: {"type": ..., "enum"?: [...],
//! "format"?: "date", "minimum"?, "maximum"?}}, "required"?: [...]}` with property types
//! `string`, `number`, `integer` and `boolean`. That is all a household template needs, and
//! keeping to it means every schema Hearth accepts is one it can fully enforce.

use serde_json::{Map, Value};

use crate::CoreError;
use crate::model::Template;

/// The templates Hearth ships with (seed 002's "industry templates").
pub fn builtin_templates() -> Vec<Template> {
    let wealth = serde_json::json!({
        "type": "object",
        "properties": {
            "risk_tolerance": {"type": "string", "enum": ["conservative", "moderate", "growth", "aggressive"]},
            "investment_objective": {"type": "string"},
            "time_horizon_years": {"type": "integer", "minimum": 0},
            "ips_signed": {"type": "string", "format": "date"},
            "annual_review_month": {"type": "integer", "minimum": 1, "maximum": 12}
        }
    });
    let insurance = serde_json::json!({
        "type": "object",
        "properties": {
            "policy_number": {"type": "string"},
            "carrier": {"type": "string"},
            "policy_type": {"type": "string", "enum": ["term_life", "whole_life", "universal_life", "disability", "long_term_care", "annuity"]},
            "face_amount": {"type": "number", "minimum": 0},
            "annual_premium": {"type": "number", "minimum": 0},
            "renewal_date": {"type": "string", "format": "date"},
            "smoker": {"type": "boolean"}
        }
    });
    vec![
        Template {
            name: "wealth".to_string(),
            schema: wealth.to_string(),
        },
        Template {
            name: "insurance".to_string(),
            schema: insurance.to_string(),
        },
    ]
}

fn err(msg: impl Into<String>) -> CoreError {
    CoreError::Template(msg.into())
}

/// Parses a template schema and checks it uses only what Hearth can enforce.
pub fn parse_schema(schema: &str) -> Result<Map<String, Value>, CoreError> {
    let root: Value =
        serde_json::from_str(schema).map_err(|e| err(format!("schema is not valid JSON: {e}")))?;
    if root.get("type").and_then(Value::as_str) != Some("object") {
        return Err(err("schema must be {\"type\": \"object\", ...}"));
    }
    let props = root
        .get("properties")
        .and_then(Value::as_object)
        .ok_or_else(|| err("schema needs a \"properties\" object"))?;
    for (name, prop) in props {
        match prop.get("type").and_then(Value::as_str) {
            Some("string" | "number" | "integer" | "boolean") => {}
            other => {
                return Err(err(format!(
                    "field '{name}' has type {other:?}; use string, number, integer or boolean"
                )));
            }
        }
    }
    Ok(props.clone())
}

/// Checks that `value` may be stored in custom field `field` under `template`.
pub fn validate_custom_value(
    template: &Template,
    field: &str,
    value: &Value,
) -> Result<(), CoreError> {
    let props = parse_schema(&template.schema)?;
    let prop = props.get(field).ok_or_else(|| {
        err(format!(
            "template '{}' has no field '{field}'; its fields are: {}",
            template.name,
            props.keys().cloned().collect::<Vec<_>>().join(", ")
        ))
    })?;
    let kind = prop.get("type").and_then(Value::as_str).unwrap_or_default();
    let type_ok = match kind {
        "string" => value.is_string(),
        "number" => value.is_number(),
        "integer" => value.is_i64() || value.is_u64(),
        "boolean" => value.is_boolean(),
        _ => false,
    };
    if !type_ok {
        return Err(err(format!(
            "field '{field}' must be a {kind}, not {value}"
        )));
    }
    if let Some(allowed) = prop.get("enum").and_then(Value::as_array)
        && !allowed.contains(value)
    {
        return Err(err(format!(
            "field '{field}' must be one of {}",
            Value::Array(allowed.clone())
        )));
    }
    if prop.get("format").and_then(Value::as_str) == Some("date")
        && let Some(s) = value.as_str()
    {
        crate::household::check_date(s)?;
    }
    if let Some(n) = value.as_f64() {
        if let Some(min) = prop.get("minimum").and_then(Value::as_f64)
            && n < min
        {
            return Err(err(format!("field '{field}' must be at least {min}")));
        }
        if let Some(max) = prop.get("maximum").and_then(Value::as_f64)
            && n > max
        {
            return Err(err(format!("field '{field}' must be at most {max}")));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn insurance() -> Template {
        builtin_templates()
            .into_iter()
            .find(|t| t.name == "insurance")
            .unwrap()
    }

    #[test]
    fn builtin_templates_parse() {
        for t in builtin_templates() {
            parse_schema(&t.schema).unwrap();
        }
    }

    #[test]
    fn accepts_fitting_values_and_rejects_the_rest() {
        let t = insurance();
        validate_custom_value(&t, "carrier", &json!("Acme Life")).unwrap();
        validate_custom_value(&t, "face_amount", &json!(500000)).unwrap();
        validate_custom_value(&t, "renewal_date", &json!("2027-03-01")).unwrap();
        assert!(validate_custom_value(&t, "face_amount", &json!("lots")).is_err());
        assert!(validate_custom_value(&t, "face_amount", &json!(-1)).is_err());
        assert!(validate_custom_value(&t, "policy_type", &json!("pet")).is_err());
        assert!(validate_custom_value(&t, "renewal_date", &json!("next year")).is_err());
        assert!(validate_custom_value(&t, "shoe_size", &json!(9)).is_err());
    }

    #[test]
    fn rejects_schemas_it_cannot_enforce() {
        assert!(parse_schema("not json").is_err());
        assert!(parse_schema(r#"{"type":"array"}"#).is_err());
        assert!(parse_schema(r#"{"type":"object","properties":{"x":{"type":"object"}}}"#).is_err());
    }
}
