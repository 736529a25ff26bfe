//! Shared by the wire crate's tests (each test file includes it as `mod support;`) and by the
//! long-running fuzzer (`examples/fuzz_wire.rs`); not every user needs every helper.
#[allow(dead_code)]
pub mod checks;
#[allow(dead_code)]
pub mod mutate;
