//! `hearth import-csv` on realistic Wealthbox and Redtail contact exports: preview writes
//! nothing, import creates households with members, tags, addresses and notes, re-import
//! duplicates no one, and column mappings can be overridden.

use std::path::PathBuf;

use hearth_e2e::Hearth;

fn fixture(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/crm")
        .join(name)
        .display()
        .to_string()
}

#[test]
fn wealthbox_export_preview_then_import() {
    let dir = tempfile::tempdir().unwrap();
    let h = Hearth::init(&dir.path().join("p"), "Avery Advisor", "pw");
    let file = fixture("wealthbox-contacts.csv");

    let plan = h.json(&["import-csv", &file, "--format", "wealthbox", "--preview"]);
    let households = plan["households"].as_array().unwrap();
    assert_eq!(households.len(), 2, "{plan}");
    assert_eq!(households[0]["name"], "The Henderson Family");
    assert_eq!(households[0]["status"], "client");
    assert_eq!(households[0]["members"].as_array().unwrap().len(), 3);
    assert_eq!(households[1]["name"], "Raman Household");
    let warnings = plan["warnings"].as_array().unwrap();
    assert!(
        warnings
            .iter()
            .any(|w| w.as_str().unwrap().contains("line 6: skipped, no name")),
        "{warnings:?}"
    );
    assert!(
        h.json(&["household", "list"])
            .as_array()
            .unwrap()
            .is_empty(),
        "preview wrote nothing"
    );
    let text = h.ok(&["import-csv", &file, "--format", "wealthbox", "--preview"]);
    assert!(
        text.contains("create The Henderson Family (client, 3 members)"),
        "{text}"
    );

    let done = h.json(&["import-csv", &file, "--format", "wealthbox"]);
    assert_eq!(done["created"].as_array().unwrap().len(), 2);
    let list = h.json(&["household", "list"]);
    let henderson = list
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "The Henderson Family")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let data = h.json(&["household", "show", &henderson]);
    let members: Vec<_> = data["members"].as_object().unwrap().values().collect();
    let robert = members
        .iter()
        .find(|m| m["name"] == "Robert J Henderson" || m["name"] == "Robert Henderson")
        .unwrap();
    assert_eq!(robert["role"], "Head");
    assert_eq!(robert["birth_year"], 1958);
    assert_eq!(robert["contact"]["email"], "rob.henderson@example.com");
    assert!(members.iter().any(|m| m["name"] == "Carol Henderson"
        && m["role"] == "Spouse"
        && m["birth_year"] == 1960));
    assert!(
        members
            .iter()
            .any(|m| m["name"] == "Emily Henderson" && m["role"] == "Child")
    );
    assert_eq!(data["tags"], serde_json::json!(["Retiree", "RMD"]));
    assert_eq!(data["address"]["city"], "Chicago");
    assert_eq!(data["address"]["postal_code"], "60614");
    // Background information became a searchable note.
    let hits = h.json(&["search", "morning calls"]);
    assert_eq!(hits[0]["household_id"], henderson.as_str());

    // Running it again duplicates no one.
    let again = h.json(&["import-csv", &file, "--format", "wealthbox"]);
    assert!(again["created"].as_array().unwrap().is_empty());
    assert_eq!(again["skipped"].as_array().unwrap().len(), 2);
    assert_eq!(h.json(&["household", "list"]).as_array().unwrap().len(), 2);
}

#[test]
fn redtail_export_with_an_overridden_column() {
    let dir = tempfile::tempdir().unwrap();
    let h = Hearth::init(&dir.path().join("p"), "Avery Advisor", "pw");
    let file = fixture("redtail-contacts.csv");
    // Redtail's "Name" column is "Last, First"; use the separate columns instead.
    let done = h.json(&[
        "import-csv",
        &file,
        "--format",
        "redtail",
        "--map",
        "Name=ignore",
    ]);
    let created = done["created"].as_array().unwrap();
    assert_eq!(created.len(), 2, "{done}");
    let okafor = created
        .iter()
        .find(|c| c["name"] == "Okafor Household")
        .unwrap();
    assert_eq!(okafor["members"], 2);
    let data = h.json(&["household", "show", okafor["id"].as_str().unwrap()]);
    assert_eq!(data["status"], "client");
    assert_eq!(
        data["tags"],
        serde_json::json!(["529 Plans", "Grandparents"])
    );
    let names: Vec<_> = data["members"]
        .as_object()
        .unwrap()
        .values()
        .map(|m| m["name"].as_str().unwrap().to_string())
        .collect();
    assert!(names.contains(&"Chinedu Okafor".to_string()), "{names:?}");
    let stevens = created
        .iter()
        .find(|c| c["name"] == "Stevens Household")
        .unwrap();
    assert_eq!(
        h.json(&["household", "show", stevens["id"].as_str().unwrap()])["status"],
        "prospect"
    );

    assert!(
        h.fails(&["import-csv", &file, "--format", "salesforce"])
            .contains("wealthbox or redtail")
    );
    assert!(
        h.fails(&[
            "import-csv",
            &file,
            "--format",
            "redtail",
            "--map",
            "DOB=birthday"
        ])
        .contains("not a field")
    );
    let no_names = dir.path().join("bad.csv");
    std::fs::write(&no_names, "Foo,Bar\n1,2\n").unwrap();
    let err = h.fails(&[
        "import-csv",
        no_names.to_str().unwrap(),
        "--format",
        "redtail",
    ]);
    assert!(err.contains("no name column"), "{err}");
}
