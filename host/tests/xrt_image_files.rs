//! The checked-in files of bitstreams/vck190/ agree with the host's definitions (feature `xrt`;
//! `make -C bitstreams/vck190 check` runs the same comparison without the feature).
#![cfg(feature = "xrt")]

use rsn::bitstream::Bitstream;
use rsn::xrt::regs;
use rsn::xrt::vck190::{self, Manifest};
use std::path::PathBuf;

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../bitstreams/vck190")
}

fn read(name: &str) -> String {
    std::fs::read_to_string(dir().join(name)).unwrap_or_else(|e| panic!("bitstreams/vck190/{name}: {e}"))
}

#[test]
fn generated_files_are_current() {
    let stale = "is stale: run `make -C bitstreams/vck190 generate`";
    assert!(read("manifest.json") == Manifest::for_host(&Bitstream::builtin()).to_json(), "manifest.json {stale}");
    assert!(
        read("connectivity.cfg") == vck190::connectivity_cfg(vck190::DEFAULT_DDR_TAG, vck190::DEFAULT_LPDDR_TAG),
        "connectivity.cfg {stale}"
    );
    assert!(read("kernel_args.tcl") == vck190::kernel_tcl(), "kernel_args.tcl {stale}");
    let m = Manifest::load(&dir().join("manifest.json")).unwrap();
    assert!(m.mismatch(&Bitstream::builtin()).is_none());
}

#[test]
fn regs_md_documents_the_register_map() {
    let md = read("regs.md");
    for (name, offset, _) in regs::status_registers() {
        let row = format!("| {offset:#05x} | {name} |");
        assert!(md.contains(&row), "regs.md lacks the row `{row}`");
    }
    for a in regs::kernel_args().iter().take(regs::ARG_BOUND0 as usize) {
        let row = format!("| {} | {} | {:#05x} | {} |", a.index, a.name, a.offset, a.kind.bytes());
        assert!(md.contains(&row), "regs.md lacks the row `{row}`");
    }
    assert!(md.contains(&format!("`{:#x} + {:#x} * f`", regs::FU_BLOCK_BASE, regs::FU_BLOCK_STRIDE)));
}
