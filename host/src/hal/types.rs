//! The values every layer above the hardware speaks: memories and allocations, which backend,
//! how a run ended and what each FU was doing, its counters and timeline.

use crate::bitstream::Bitstream;
use crate::isa::InstrPos;
use serde::Serialize;

/// The named memories of the device.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
pub enum Memory {
    /// DDR4: activations (DDR unit).
    Ddr,
    /// LPDDR4: weights and biases (LPDDR unit).
    Lpddr,
    /// The instruction buffer the decoder fetches from.
    Instr,
}

impl Memory {
    /// Size of the memory window the DRAM units can address (line offsets are 32-bit).
    pub const fn window_bytes(self) -> u64 {
        match self {
            Memory::Ddr | Memory::Lpddr => 8 << 30,
            Memory::Instr => 256 << 20,
        }
    }
}

/// One live allocation: `len` bytes at byte `offset` of `memory`'s window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Allocation {
    pub id: u64,
    pub memory: Memory,
    pub offset: u64,
    pub len: u64,
}

/// Which backend to open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum BackendKind {
    /// Pure-Rust functional + cycle-approximate model.
    Model,
    /// Verilator co-simulation of rtl/.
    Sim,
    /// The VCK190 through XRT.
    Xrt,
}

impl BackendKind {
    pub const ALL: [BackendKind; 3] = [BackendKind::Model, BackendKind::Sim, BackendKind::Xrt];

    pub const fn name(self) -> &'static str {
        match self {
            BackendKind::Model => "model",
            BackendKind::Sim => "sim",
            BackendKind::Xrt => "xrt",
        }
    }
}

impl std::str::FromStr for BackendKind {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<BackendKind, String> {
        BackendKind::ALL
            .into_iter()
            .find(|k| k.name() == s)
            .ok_or_else(|| format!("unknown backend `{s}` (known: {})", BackendKind::ALL.map(|k| k.name()).join(", ")))
    }
}

impl std::fmt::Display for BackendKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Options for [`Device::open`].
#[derive(Debug, Clone, Default)]
pub struct OpenOptions {
    /// Bitstream description; the compiled-in one when `None`.
    pub bitstream: Option<Bitstream>,
    /// The device image (xclbin) for the `xrt` backend.
    pub xclbin: Option<std::path::PathBuf>,
    /// Device index (xrt).
    pub index: u32,
    /// Write an FST waveform (sim).
    pub wave: Option<std::path::PathBuf>,
    /// How long a submit waits for another thread's run to end (default
    /// `device::DEFAULT_SUBMIT_WAIT`).
    pub submit_wait: Option<std::time::Duration>,
}

/// Why a device stopped with an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum FaultCode {
    /// The decoder met a word it cannot decode or a field out of range.
    IllegalInstruction,
    /// A DRAM access outside the programmed bounds.
    DmaBounds,
    /// No FU made progress (a stream waits forever).
    Deadlock,
    /// Every FU finished but data was left on a stream (an unbalanced path).
    StreamResidue,
    /// The backend's own watchdog (cycles without progress) fired.
    Watchdog,
    /// The host stopped the run (its wait timed out).
    Aborted,
}

/// What an FU was doing when a run stopped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FuState {
    pub fu: String,
    /// "idle", "done", or what it waits on.
    pub state: String,
    /// The mOP it was executing.
    pub at: Option<InstrPos>,
    /// mOPs still queued.
    pub queued: usize,
}

/// Per-FU counters, in PL cycles and bytes.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct FuCounters {
    pub fu: String,
    /// Cycles doing useful work.
    pub busy_cycles: u64,
    /// Cycles an active mOP waited for input data.
    pub stall_in_cycles: u64,
    /// Cycles an active mOP waited for space downstream (back-pressure).
    pub stall_out_cycles: u64,
    /// Bytes moved out of the FU (into streams or DRAM).
    pub bytes: u64,
    /// uOPs executed.
    pub uops: u64,
}

/// One busy interval of an FU (an mOP, or an engine block), in PL cycles.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Span {
    /// Index into `RunReport::counters` (the FU).
    pub fu: u16,
    pub start: f64,
    pub end: f64,
    /// Packet of the mOP (engines: the block number).
    pub packet: u32,
}

/// The result of a finished run.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct RunReport {
    /// PL clock cycles from start to done.
    pub cycles: u64,
    /// Device time in milliseconds at the PL clock.
    pub device_ms: f64,
    pub counters: Vec<FuCounters>,
    /// Busy intervals per FU, when the backend records them (the model does).
    #[serde(skip)]
    pub timeline: Vec<Span>,
}

impl RunReport {
    /// Write the timeline as a Chrome trace (open in Perfetto or chrome://tracing), at the PL clock.
    pub fn write_chrome_trace(&self, path: &std::path::Path, pl_mhz: f64) -> std::io::Result<()> {
        use std::io::Write;
        let mut f = std::io::BufWriter::new(std::fs::File::create(path)?);
        write!(f, "{{\"displayTimeUnit\":\"ns\",\"traceEvents\":[")?;
        for (i, c) in self.counters.iter().enumerate() {
            let sep = if i == 0 { "" } else { "," };
            write!(
                f,
                "{sep}{{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":0,\"tid\":{i},\"args\":{{\"name\":\"{}\"}}}}",
                c.fu
            )?;
        }
        for s in &self.timeline {
            let us = |cycles: f64| cycles / pl_mhz;
            write!(
                f,
                ",{{\"name\":\"p{}\",\"ph\":\"X\",\"pid\":0,\"tid\":{},\"ts\":{:.4},\"dur\":{:.4}}}",
                s.packet,
                s.fu,
                us(s.start),
                us(s.end - s.start)
            )?;
        }
        writeln!(f, "]}}")?;
        f.flush()
    }
}

/// Device status register view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum DeviceStatus {
    Idle,
    Busy,
    Done,
    Error { code: FaultCode, at: Option<InstrPos> },
}
