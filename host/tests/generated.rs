//! The SystemVerilog package and the ISA reference are generated from the Rust ISA definition; this
//! fails when a committed copy is stale (run `cargo run -p rsn -- gen`).

use rsn::isa::gen;
use std::path::Path;

fn check(rel: &str, want: String) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(rel);
    let have = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (run `cargo run -p rsn -- gen`)", path.display()));
    assert!(have == want, "{rel} is stale: run `cargo run -p rsn -- gen` and commit the result");
}

#[test]
fn sv_package_is_current() {
    check(gen::SV_PACKAGE_PATH, gen::sv_package());
}

#[test]
fn isa_doc_is_current() {
    check(gen::ISA_DOC_PATH, gen::isa_doc());
}

#[test]
fn sv_package_declares_every_field() {
    let sv = gen::sv_package();
    for gen::PayloadTable { name, words, fields, .. } in gen::payload_tables() {
        for w in 0..words {
            assert!(sv.contains(&format!("}} {name}_w{w}_t;")), "{name} word {w}");
        }
        for f in fields {
            assert!(
                sv.contains(&format!("{}; //", if f.name == "repeat" { "repeat_n" } else { f.name })),
                "{}",
                f.name
            );
        }
    }
}
