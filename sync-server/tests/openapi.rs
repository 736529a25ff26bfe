//! The OpenAPI document lists every route the router serves (and nothing it does not).

use std::collections::BTreeSet;

#[test]
fn openapi_documents_every_route() {
    let http = include_str!("../src/http.rs");
    let spec = include_str!("../openapi.yaml");
    let routes: BTreeSet<&str> = http
        .split(".route(")
        .skip(1)
        .filter_map(|rest| rest.trim_start().strip_prefix('"')?.split('"').next())
        .collect();
    let documented: BTreeSet<String> = spec
        .lines()
        .filter_map(|l| l.strip_prefix("  /")?.strip_suffix(':'))
        .map(|p| format!("/{p}"))
        .collect();
    let routes: BTreeSet<String> = routes.into_iter().map(str::to_string).collect();
    assert!(routes.len() > 20, "found the routes: {routes:?}");
    assert_eq!(routes, documented, "routes and OpenAPI paths differ");
}
