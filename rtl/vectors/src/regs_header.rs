//! Prints a C++ header with every offset, count and code of the control-register map
//! (`rsn::regs`), for the RTL testbench of rtl/top/rsn_ctrl_regs.sv (rtl/tb/tb_ctrl_regs.cpp).
//!
//! ```text
//! rsn-vectors regs-header > rsn_regs.h
//! ```
//! The SystemVerilog offsets are written by hand; the testbench reads and writes the device at the
//! offsets of this header, so an offset that drifts from regs.rs fails the test.

use std::fmt::Write as _;
use std::io::Write;

use crate::Error;

use rsn::isa::ISA_VERSION;
use rsn::regs::{self, ArgKind};
use rsn::topology::Fu;

fn header() -> String {
    let mut s = String::new();
    let mut c = |name: &str, value: u32| {
        let _ = writeln!(s, "constexpr uint32_t {name} = 0x{value:08x}u;");
    };
    c("REGMAP_VERSION", regs::REGMAP_VERSION);
    c("ISA_VERSION", ISA_VERSION);
    c("SPACE_BYTES", regs::SPACE_BYTES);
    c("AP_CTRL", regs::AP_CTRL);
    c("GIER", regs::GIER);
    c("IP_IER", regs::IP_IER);
    c("IP_ISR", regs::IP_ISR);
    c("ARG_INSTR", regs::ARG_INSTR);
    c("ARG_DDR0", regs::ARG_DDR0);
    c("ARG_DDR1", regs::ARG_DDR1);
    c("ARG_LPDDR0", regs::ARG_LPDDR0);
    c("ARG_INSTR_OFFSET", regs::ARG_INSTR_OFFSET);
    c("ARG_INSTR_WORDS", regs::ARG_INSTR_WORDS);
    c("ARG_BOUND_COUNT", regs::ARG_BOUND_COUNT);
    c("ARG_BOUND_LPDDR_MASK", regs::ARG_BOUND_LPDDR_MASK);
    c("ARG_WATCHDOG_CYCLES", regs::ARG_WATCHDOG_CYCLES);
    c("ARG_BOUND0", regs::ARG_BOUND0);
    c("MAX_BOUNDS", regs::MAX_BOUNDS as u32);
    c("MAGIC", regs::MAGIC);
    c("MAGIC_VALUE", regs::MAGIC_VALUE);
    c("VERSION", regs::VERSION);
    c("STATUS", regs::STATUS);
    c("STATUS_BUSY", regs::STATUS_BUSY);
    c("STATUS_DONE", regs::STATUS_DONE);
    c("STATUS_ERROR", regs::STATUS_ERROR);
    c("FAULT_CODE", regs::FAULT_CODE);
    c("FAULT_NONE", regs::FAULT_NONE);
    c("FAULT_ILLEGAL_INSTRUCTION", regs::FAULT_ILLEGAL_INSTRUCTION);
    c("FAULT_DMA_BOUNDS", regs::FAULT_DMA_BOUNDS);
    c("FAULT_DEADLOCK", regs::FAULT_DEADLOCK);
    c("FAULT_WATCHDOG", regs::FAULT_WATCHDOG);
    c("FAULT_ABORTED", regs::FAULT_ABORTED);
    c("FAULT_STREAM_RESIDUE", regs::FAULT_STREAM_RESIDUE);
    c("FAULT_BUS_ERROR", regs::FAULT_BUS_ERROR);
    // The largest code: the testbench checks it fits the block's 3-bit fault_code_i.
    let codes = [
        regs::FAULT_NONE,
        regs::FAULT_ILLEGAL_INSTRUCTION,
        regs::FAULT_DMA_BOUNDS,
        regs::FAULT_DEADLOCK,
        regs::FAULT_WATCHDOG,
        regs::FAULT_ABORTED,
        regs::FAULT_STREAM_RESIDUE,
        regs::FAULT_BUS_ERROR,
    ];
    c("FAULT_MAX", codes.into_iter().max().unwrap_or(0));
    c("FAULT_PACKET", regs::FAULT_PACKET);
    c("FAULT_MOP", regs::FAULT_MOP);
    c("FAULT_WORD", regs::FAULT_WORD);
    c("NO_POSITION", regs::NO_POSITION);
    c("FAULT_DETAIL", regs::FAULT_DETAIL);
    c("CYCLES", regs::CYCLES);
    c("ABORT", regs::ABORT);
    c("FU_COUNT", regs::FU_COUNT);
    c("FU_COUNT_VALUE", Fu::COUNT as u32);
    c("FU_BLOCK_BASE", regs::FU_BLOCK_BASE);
    c("FU_BLOCK_STRIDE", regs::FU_BLOCK_STRIDE);
    c("FU_BUSY", regs::FU_BUSY);
    c("FU_STALL_IN", regs::FU_STALL_IN);
    c("FU_STALL_OUT", regs::FU_STALL_OUT);
    c("FU_BYTES", regs::FU_BYTES);
    c("FU_UOPS", regs::FU_UOPS);
    c("FU_STATE", regs::FU_STATE);
    c("FU_CUR_MOP", regs::FU_CUR_MOP);
    c("FU_QUEUED", regs::FU_QUEUED);
    c("FU_STATE_IDLE", regs::FU_STATE_IDLE);
    c("FU_STATE_BUSY", regs::FU_STATE_BUSY);
    c("FU_STATE_WAIT_IN", regs::FU_STATE_WAIT_IN);
    c("FU_STATE_WAIT_OUT", regs::FU_STATE_WAIT_OUT);
    c("FU_STATE_DONE", regs::FU_STATE_DONE);

    let args = regs::kernel_args();
    let _ = writeln!(
        s,
        "\nstruct KernelArg {{\n  uint32_t index;\n  const char* name;\n  uint32_t offset;\n  uint32_t bytes;\n}};"
    );
    let _ = writeln!(s, "constexpr KernelArg KERNEL_ARGS[] = {{");
    for a in &args {
        let kind = match a.kind {
            ArgKind::Buffer { .. } => "buffer",
            ArgKind::U32 => "u32",
            ArgKind::U64 => "u64",
        };
        let _ = writeln!(s, "  {{{}, \"{}\", 0x{:03x}u, {}}},  // {kind}", a.index, a.name, a.offset, a.kind.bytes());
    }
    let _ = writeln!(s, "}};\nconstexpr uint32_t NUM_KERNEL_ARGS = {};", args.len());

    let fus = Fu::all();
    let _ = writeln!(s, "\n// FU f's block is at fu_block(f); names in rsn::topology::Fu::all() order.");
    let _ = writeln!(s, "constexpr uint32_t fu_block(uint32_t f) {{ return FU_BLOCK_BASE + FU_BLOCK_STRIDE * f; }}");
    let _ = writeln!(s, "constexpr const char* FU_NAMES[] = {{");
    for f in &fus {
        let _ = writeln!(s, "  \"{}\",", f.name());
    }
    let _ = writeln!(s, "}};");

    // The generated names must describe the register map the device implements: every named
    // status register, in the order regs.rs lists them.
    let _ = writeln!(s, "\nstruct NamedReg {{\n  const char* name;\n  uint32_t offset;\n  const char* access;\n}};");
    let _ = writeln!(s, "constexpr NamedReg STATUS_REGISTERS[] = {{");
    for (name, off, access) in regs::status_registers() {
        let _ = writeln!(s, "  {{\"{name}\", 0x{off:03x}u, \"{access}\"}},");
    }
    let _ = writeln!(s, "}};");
    s
}

pub fn run(args: &[String], out: &mut dyn Write) -> Result<(), Error> {
    if !args.is_empty() {
        return Err(Error::Usage("regs-header"));
    }
    if Fu::all().len() != Fu::COUNT {
        return Err(Error::Gen(format!("Fu::all() has {} entries, Fu::COUNT is {}", Fu::all().len(), Fu::COUNT)));
    }
    let mut text = String::new();
    text.push_str("// Generated by `rsn-vectors regs-header` from host/src/regs.rs. Do not edit.\n");
    text.push_str("#pragma once\n#include <cstdint>\n\nnamespace rsn_regs {\n\n");
    text.push_str(&header());
    text.push_str("\n}  // namespace rsn_regs\n");
    out.write_all(text.as_bytes())?;
    Ok(())
}
