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

#[test]
fn rtl_configuration_package_is_current() {
    let bs = rsn::bitstream::Bitstream::builtin();
    check(rsn::bitstream::gen::SV_CONFIG_PATH, rsn::bitstream::gen::sv_config_package(&bs));
}

#[test]
fn harness_header_is_current() {
    let bs = rsn::bitstream::Bitstream::builtin();
    check(rsn::bitstream::gen::HARNESS_HEADER_PATH, rsn::bitstream::gen::harness_header(&bs));
}

#[test]
fn kernel_wrapper_is_current() {
    let bs = rsn::bitstream::Bitstream::builtin();
    check(rsn::bitstream::gen::KERNEL_WRAPPER_PATH, rsn::bitstream::gen::kernel_wrapper(&bs));
}

#[test]
fn kernel_wrapper_names_every_argument_and_plio() {
    let bs = rsn::bitstream::Bitstream::builtin();
    let sv = rsn::bitstream::gen::kernel_wrapper(&bs);
    assert!(sv.contains(&format!("module {} (", rsn::regs::KERNEL_NAME)));
    for a in rsn::regs::kernel_args() {
        if let rsn::regs::ArgKind::Buffer { port, .. } = a.kind {
            assert!(sv.contains(&format!(" {port}_")), "no interface {port} for argument {}", a.name);
        }
    }
    for e in 0..rsn::isa::ENGINES {
        for (p, _) in rsn::isa::plio_ports(e) {
            assert!(sv.contains(&format!("logic [63:0] {p}_tdata")), "{p}");
        }
    }
    // The PLIO width follows the description (with a beat as wide as the graph's 16 ports) ...
    let text = rsn::bitstream::DEFAULT_TOML
        .replace("plio_bits = 64 ", "plio_bits = 128 ")
        .replace("send_floats_per_cycle = 32.0", "send_floats_per_cycle = 64.0");
    let wide = rsn::bitstream::gen::kernel_wrapper(&rsn::bitstream::Bitstream::parse(&text, "test").unwrap());
    assert!(wide.contains("logic [127:0] mme0_a_r0_k0_tdata") && wide.contains("a_tdata[128 +: 128]"));
    // ... and a description whose beat does not split into one word per graph port is refused.
    let text = rsn::bitstream::DEFAULT_TOML.replace("plio_bits = 64 ", "plio_bits = 128 ");
    let bs = rsn::bitstream::Bitstream::parse(&text, "test").unwrap();
    assert!(std::panic::catch_unwind(|| rsn::bitstream::gen::kernel_wrapper(&bs)).is_err());
}

#[test]
fn generated_configuration_follows_the_description() {
    // The derivations, checked on a description that differs from the built-in one.
    let text = rsn::bitstream::DEFAULT_TOML
        .replace("stream_floats = 32768", "stream_floats = 65536")
        .replace("exp_units = 4 ", "exp_units = 2 ")
        .replace("queue_mops = 64 ", "queue_mops = 100 ");
    let bs = rsn::bitstream::Bitstream::parse(&text, "test").unwrap();
    let sv = rsn::bitstream::gen::sv_config_package(&bs);
    for want in ["LineFifoDepth = 4096;", "BlockFifoDepth = 2048;", "PostExpUnits = 2;", "QueueDepthPw2 = 512;"] {
        assert!(sv.contains(want), "{want} missing in\n{sv}");
    }
}
