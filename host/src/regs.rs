//! Control-register map of the `rsn_xnn_kernel` PL kernel (AXI4-Lite `s_axi_control`, 4 KiB).
//! bitstreams/vck190/regs.md is the prose version; the kernel packaging script
//! (bitstreams/vck190/kernel_args.tcl) is generated from [`kernel_args`], so the hardware's
//! argument offsets and the host's cannot drift apart.
//!
//! Arguments are written by XRT (`xrtRunSetArg`) before each start; status and counters are read
//! with `xrtKernelReadRegister` after the run.

/// Version of this register map; the device reports it in [`VERSION`]. Version 2 dropped the
/// second LPDDR argument (`lpddr1`, which no AXI4 master served), so every later argument moved
/// down one index; offset 0x030 is reserved.
pub const REGMAP_VERSION: u32 = 2;
/// Name of the PL kernel in the xclbin: the generated packaging wrapper `rtl/top/rsn_xnn_kernel.sv`
/// (Vitis names an RTL kernel after its top module).
pub const KERNEL_NAME: &str = "rsn_xnn_kernel";
/// Size of the control register space.
pub const SPACE_BYTES: u32 = 0x1000;

/// Bit 0 ap_start, bit 1 ap_done, bit 2 ap_idle, bit 3 ap_ready (the Vitis ap_ctrl_hs protocol).
pub const AP_CTRL: u32 = 0x000;
pub const AP_START: u32 = 1;
pub const AP_DONE: u32 = 2;
pub const AP_IDLE: u32 = 4;
/// Global interrupt enable (bit 0).
pub const GIER: u32 = 0x004;
/// Interrupt enable: bit 0 ap_done.
pub const IP_IER: u32 = 0x008;
/// Interrupt status: bit 0 ap_done; writing a 1 toggles it (clears it once set).
pub const IP_ISR: u32 = 0x00c;

/// Which AXI4 channels a kernel's memory master has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// AR and R only (instruction fetch, DDR and LPDDR loads).
    Read,
    /// AW, W and B only (DDR stores).
    Write,
}

/// Kernel argument kinds: what XRT writes and how the variadic setter reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArgKind {
    /// A buffer: XRT writes its 64-bit device address. `port` is the AXI4 master that uses it (the
    /// master adds this address to every access), `access` the channels that master has.
    Buffer {
        port: &'static str,
        access: Access,
    },
    U32,
    U64,
}

impl ArgKind {
    pub const fn bytes(self) -> u32 {
        match self {
            ArgKind::U32 => 4,
            ArgKind::Buffer { .. } | ArgKind::U64 => 8,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KernelArg {
    pub index: u32,
    pub name: String,
    pub offset: u32,
    pub kind: ArgKind,
}

/// The instruction window (read by `m_axi_instr`).
pub const ARG_INSTR: u32 = 0;
/// The DDR window as DDR loads see it (`m_axi_ddr0`, read only).
pub const ARG_DDR0: u32 = 1;
/// The DDR window as DDR stores see it (`m_axi_ddr1`, write only); the host passes the same buffer.
pub const ARG_DDR1: u32 = 2;
/// The LPDDR window (`m_axi_lpddr0`, read only). There is one LPDDR master: the LPDDR unit moves
/// one 512-bit line per PL cycle (`mem.line_floats_per_cycle`), which one master carries.
pub const ARG_LPDDR0: u32 = 3;
/// Byte offset of the program inside the instruction window.
pub const ARG_INSTR_OFFSET: u32 = 4;
/// Program length in 32-bit words.
pub const ARG_INSTR_WORDS: u32 = 5;
/// Number of valid bound pairs (0..=[`MAX_BOUNDS`]).
pub const ARG_BOUND_COUNT: u32 = 6;
/// Bit i set: bound pair i is in the LPDDR window, else in the DDR window.
pub const ARG_BOUND_LPDDR_MASK: u32 = 7;
/// PL cycles without progress of any FU before the device stops with a watchdog fault (0: off).
pub const ARG_WATCHDOG_CYCLES: u32 = 8;
/// Argument index of bound pair i's first byte (`ARG_BOUND0 + 2i`) and end (`+ 2i + 1`, exclusive),
/// both byte offsets inside the window.
pub const ARG_BOUND0: u32 = 9;
pub const MAX_BOUNDS: usize = 16;

const BOUND_BASE: u32 = 0x080;

/// Every kernel argument in index order.
pub fn kernel_args() -> Vec<KernelArg> {
    let mut v = Vec::new();
    let mut push = |name: String, offset: u32, kind: ArgKind| {
        v.push(KernelArg { index: v.len() as u32, name, offset, kind });
    };
    push("instr".into(), 0x010, ArgKind::Buffer { port: "m_axi_instr", access: Access::Read });
    push("ddr0".into(), 0x018, ArgKind::Buffer { port: "m_axi_ddr0", access: Access::Read });
    push("ddr1".into(), 0x020, ArgKind::Buffer { port: "m_axi_ddr1", access: Access::Write });
    push("lpddr0".into(), 0x028, ArgKind::Buffer { port: "m_axi_lpddr0", access: Access::Read });
    // 0x030..0x037: reserved (register map v1's lpddr1).
    push("instr_offset".into(), 0x038, ArgKind::U64);
    push("instr_words".into(), 0x040, ArgKind::U32);
    push("bound_count".into(), 0x044, ArgKind::U32);
    push("bound_lpddr_mask".into(), 0x048, ArgKind::U32);
    push("watchdog_cycles".into(), 0x04c, ArgKind::U32);
    for i in 0..MAX_BOUNDS as u32 {
        push(format!("bound{i}_lo"), BOUND_BASE + 16 * i, ArgKind::U64);
        push(format!("bound{i}_hi"), BOUND_BASE + 16 * i + 8, ArgKind::U64);
    }
    v
}

/// Read-only "RSNX": identifies the kernel.
pub const MAGIC: u32 = 0x200;
pub const MAGIC_VALUE: u32 = u32::from_le_bytes(*b"RSNX");
/// Read-only: bits 15:0 ISA version, bits 31:16 register-map version.
pub const VERSION: u32 = 0x204;
/// Read-only: bit 0 busy, bit 1 done (last run finished), bit 2 error (last run faulted).
pub const STATUS: u32 = 0x208;
pub const STATUS_BUSY: u32 = 1;
pub const STATUS_DONE: u32 = 2;
pub const STATUS_ERROR: u32 = 4;
/// Read-only: fault code of the last run ([`FAULT_NONE`] ...).
pub const FAULT_CODE: u32 = 0x20c;
pub const FAULT_NONE: u32 = 0;
pub const FAULT_ILLEGAL_INSTRUCTION: u32 = 1;
pub const FAULT_DMA_BOUNDS: u32 = 2;
pub const FAULT_DEADLOCK: u32 = 3;
pub const FAULT_WATCHDOG: u32 = 4;
pub const FAULT_ABORTED: u32 = 5;
/// Every FU finished but data was left on a stream (an unbalanced path); FAULT_DETAIL bit i: stream i
/// (index = [`crate::topology::Stream::index`], first 64 streams) held data.
pub const FAULT_STREAM_RESIDUE: u32 = 6;
/// A DRAM access got an AXI error response; FAULT_DETAIL = the window byte offset of the burst.
pub const FAULT_BUS_ERROR: u32 = 7;
/// Read-only: packet index, mOP index and word index of the faulting instruction
/// ([`NO_POSITION`] when the fault has none).
pub const FAULT_PACKET: u32 = 0x210;
pub const FAULT_MOP: u32 = 0x214;
pub const FAULT_WORD: u32 = 0x218;
pub const NO_POSITION: u32 = u32::MAX;
/// Read-only, 64-bit: the offending byte offset (DMA bounds) or instruction word (illegal).
pub const FAULT_DETAIL: u32 = 0x21c;
/// Read-only, 64-bit: PL cycles from start to done of the last run.
pub const CYCLES: u32 = 0x228;
/// Write-only: writing 1 makes every FU drop its work; the kernel then completes with
/// [`FAULT_ABORTED`].
pub const ABORT: u32 = 0x230;
/// Read-only: number of per-FU blocks ([`crate::topology::Fu::COUNT`]).
pub const FU_COUNT: u32 = 0x240;

/// Per-FU block of FU `i` (index = [`crate::topology::Fu::index`]).
pub const FU_BLOCK_BASE: u32 = 0x400;
pub const FU_BLOCK_STRIDE: u32 = 0x40;
/// 64-bit counters inside a block.
pub const FU_BUSY: u32 = 0x00;
pub const FU_STALL_IN: u32 = 0x08;
pub const FU_STALL_OUT: u32 = 0x10;
pub const FU_BYTES: u32 = 0x18;
pub const FU_UOPS: u32 = 0x20;
/// 32-bit: [`FU_STATE_IDLE`] ...
pub const FU_STATE: u32 = 0x28;
/// 32-bit: mOP index (stream order) being executed, [`NO_POSITION`] when none.
pub const FU_CUR_MOP: u32 = 0x2c;
/// 32-bit: mOPs queued behind the current one.
pub const FU_QUEUED: u32 = 0x30;

pub const FU_STATE_IDLE: u32 = 0;
pub const FU_STATE_BUSY: u32 = 1;
pub const FU_STATE_WAIT_IN: u32 = 2;
pub const FU_STATE_WAIT_OUT: u32 = 3;
pub const FU_STATE_DONE: u32 = 4;

pub const fn fu_block(fu: usize) -> u32 {
    FU_BLOCK_BASE + FU_BLOCK_STRIDE * fu as u32
}

/// Every named register for documentation and consistency checks: (name, offset, access).
pub fn status_registers() -> Vec<(&'static str, u32, &'static str)> {
    vec![
        ("CTRL", AP_CTRL, "rw"),
        ("GIER", GIER, "rw"),
        ("IP_IER", IP_IER, "rw"),
        ("IP_ISR", IP_ISR, "rw"),
        ("MAGIC", MAGIC, "ro"),
        ("VERSION", VERSION, "ro"),
        ("STATUS", STATUS, "ro"),
        ("FAULT_CODE", FAULT_CODE, "ro"),
        ("FAULT_PACKET", FAULT_PACKET, "ro"),
        ("FAULT_MOP", FAULT_MOP, "ro"),
        ("FAULT_WORD", FAULT_WORD, "ro"),
        ("FAULT_DETAIL", FAULT_DETAIL, "ro"),
        ("CYCLES", CYCLES, "ro"),
        ("ABORT", ABORT, "wo"),
        ("FU_COUNT", FU_COUNT, "ro"),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn args_are_aligned_disjoint_and_below_status() {
        let args = kernel_args();
        assert_eq!(args.len() as u32, ARG_BOUND0 + 2 * MAX_BOUNDS as u32);
        assert_eq!(args[ARG_WATCHDOG_CYCLES as usize].name, "watchdog_cycles");
        assert_eq!(args[(ARG_BOUND0 + 1) as usize].name, "bound0_hi");
        let mut end = 0x10;
        for a in &args {
            assert_eq!(a.offset % a.kind.bytes(), 0, "{} misaligned", a.name);
            assert!(a.offset >= end, "{} overlaps the previous argument", a.name);
            end = a.offset + a.kind.bytes();
        }
        assert!(end <= MAGIC);
        // The indices the backends use (XRT's arg_group, xrtRunSetArg) name exactly the buffer
        // arguments, each served by its own m_axi port.
        let buffers: Vec<(u32, &str, &str)> = args
            .iter()
            .filter_map(|a| match a.kind {
                ArgKind::Buffer { port, .. } => Some((a.index, a.name.as_str(), port)),
                _ => None,
            })
            .collect();
        assert_eq!(
            buffers,
            vec![
                (ARG_INSTR, "instr", "m_axi_instr"),
                (ARG_DDR0, "ddr0", "m_axi_ddr0"),
                (ARG_DDR1, "ddr1", "m_axi_ddr1"),
                (ARG_LPDDR0, "lpddr0", "m_axi_lpddr0")
            ]
        );
        assert_eq!(args[ARG_INSTR_OFFSET as usize].name, "instr_offset");
        assert_eq!(args[ARG_BOUND_LPDDR_MASK as usize].name, "bound_lpddr_mask");
        assert!(fu_block(crate::topology::Fu::COUNT) <= SPACE_BYTES);
        assert_eq!(MAGIC_VALUE, 0x584e_5352);
    }
}
