//! The Device API: one host API over interchangeable backends chosen at run time.
//!
//! ```text
//!   Device (this module: safe, validated, typed buffers)
//!     └── dyn Backend (hal.rs)  ── model (pure-Rust functional + timing model)
//!                               ── sim   (Verilator co-simulation, sim/)
//!                               ── xrt   (VCK190 through XRT, feature `xrt`)
//! ```
//!
//! Callers never talk to a backend directly. The `Device` keeps the allocation table, validates
//! every program against it before submission (nothing harmful reaches a device), and turns every
//! wait into a bounded wait.

mod alloc;
mod hal;
pub mod regmap;

pub use alloc::RangeAllocator;
pub use hal::{Backend, RawRun};

use crate::bitstream::{Bitstream, BitstreamError};
use crate::isa::{self, EngineRtp, InstrPos, ENGINES};
use crate::validate::{self, Checked, ValidationError};
use serde::Serialize;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use zerocopy::{FromBytes, Immutable, IntoBytes};

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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, clap::ValueEnum)]
pub enum BackendKind {
    /// Pure-Rust functional + cycle-approximate model.
    Model,
    /// Verilator co-simulation of rtl/.
    Sim,
    /// The VCK190 through XRT.
    Xrt,
}

impl std::fmt::Display for BackendKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            BackendKind::Model => "model",
            BackendKind::Sim => "sim",
            BackendKind::Xrt => "xrt",
        })
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

/// Everything the Device API can report.
#[derive(Debug, thiserror::Error)]
pub enum DeviceError {
    #[error("no {backend} device: {message}")]
    NoDevice { backend: BackendKind, message: String },
    #[error("{backend} backend: {call} failed: {message}")]
    Backend { backend: BackendKind, call: &'static str, message: String },
    #[error("the device is busy running a program")]
    Busy,
    #[error("no run is in flight")]
    NotRunning,
    #[error("out of {memory:?} memory: {requested} bytes requested, largest free range {largest_free} bytes")]
    OutOfMemory { memory: Memory, requested: u64, largest_free: u64 },
    #[error("buffer {id} is not allocated on this device")]
    UnknownBuffer { id: u64 },
    #[error("access of {len} bytes at offset {offset} is outside buffer {id} ({size} bytes)")]
    OutOfBounds { id: u64, offset: u64, len: u64, size: u64 },
    #[error("program rejected before submission: {0}")]
    Invalid(#[from] ValidationError),
    #[error("bitstream: {0}")]
    Bitstream(#[from] BitstreamError),
    #[error("device image fingerprint {found} does not match this host's {expected}: rebuild the image or the host from the same ISA and bitstream description")]
    FingerprintMismatch { found: String, expected: String },
    #[error("run did not finish within {timeout:?}{}", states_suffix(states))]
    Timeout { timeout: Duration, states: Vec<FuState> },
    #[error("device fault {code:?}{}: {message}{}", at.map(|p| format!(" at {p}")).unwrap_or_default(), states_suffix(states))]
    Fault { code: FaultCode, at: Option<InstrPos>, message: String, states: Vec<FuState> },
    #[error("{0}")]
    Unsupported(String),
}

fn states_suffix(states: &[FuState]) -> String {
    if states.is_empty() {
        return String::new();
    }
    let mut s = String::from("\nFU states:");
    for st in states {
        s.push_str(&format!("\n  {:<8} {}", st.fu, st.state));
        if let Some(at) = st.at {
            s.push_str(&format!(" [at {at}]"));
        }
        if st.queued > 0 {
            s.push_str(&format!(" (+{} queued mOPs)", st.queued));
        }
    }
    s
}

pub type Result<T, E = DeviceError> = std::result::Result<T, E>;

struct Shared {
    backend: Mutex<Box<dyn Backend>>,
    allocs: Mutex<Vec<Allocation>>,
    bitstream: Bitstream,
    kind: BackendKind,
}

/// An open device. Cheap to clone (shared handle); buffers keep it alive.
#[derive(Clone)]
pub struct Device {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for Device {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Device").field("backend", &self.shared.kind).finish()
    }
}

/// A program ready to submit: the instruction words and the engines' runtime parameters.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Executable {
    pub words: Vec<u32>,
    pub rtp: [EngineRtp; ENGINES],
}

impl Device {
    /// Open a backend and load the bitstream description into it.
    pub fn open(kind: BackendKind, opts: &OpenOptions) -> Result<Device> {
        let bitstream = opts.bitstream.clone().unwrap_or_else(Bitstream::builtin);
        if opts.wave.is_some() && kind != BackendKind::Sim {
            return Err(DeviceError::Unsupported(format!(
                "waveforms (--wave) come from the co-simulation only, not from the {kind:?} backend"
            )));
        }
        let backend: Box<dyn Backend> = match kind {
            BackendKind::Model => Box::new(crate::model::ModelBackend::new(bitstream.clone())),
            BackendKind::Sim => open_sim(&bitstream, opts)?,
            BackendKind::Xrt => open_xrt(&bitstream, opts)?,
        };
        Ok(Device {
            shared: Arc::new(Shared { backend: Mutex::new(backend), allocs: Mutex::new(Vec::new()), bitstream, kind }),
        })
    }

    pub fn kind(&self) -> BackendKind {
        self.shared.kind
    }

    pub fn bitstream(&self) -> &Bitstream {
        &self.shared.bitstream
    }

    /// One-line description of the backend.
    pub fn describe(&self) -> String {
        self.backend().describe()
    }

    fn backend(&self) -> MutexGuard<'_, Box<dyn Backend>> {
        // A panic while holding the lock cannot leave the backend in a state worse than the error
        // it was reporting; keep serving.
        self.shared.backend.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn allocs(&self) -> MutexGuard<'_, Vec<Allocation>> {
        self.shared.allocs.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Allocate a buffer of `len` elements of `T` in `memory`, zero-initialised on both sides.
    pub fn alloc<T: Element>(&self, memory: Memory, len: usize) -> Result<Buffer<T>> {
        let bytes = (len * std::mem::size_of::<T>()).max(isa::LINE_BYTES as usize) as u64;
        let a = self.backend().alloc(memory, bytes)?;
        self.allocs().push(a);
        Ok(Buffer { device: self.clone(), alloc: a, host: vec![T::new_zeroed(); len] })
    }

    /// Allocate and fill from a slice (and sync it to the device).
    pub fn alloc_from<T: Element>(&self, memory: Memory, data: &[T]) -> Result<Buffer<T>> {
        let mut b = self.alloc(memory, data.len())?;
        b.as_mut_slice().copy_from_slice(data);
        b.sync_to_device()?;
        Ok(b)
    }

    fn free(&self, id: u64) {
        self.allocs().retain(|a| a.id != id);
        // Freeing cannot fail in a way the caller could act on during drop.
        let _ = self.backend().free(id);
    }

    /// Snapshot of the allocation table.
    pub fn allocations(&self) -> Vec<Allocation> {
        self.allocs().clone()
    }

    /// Check an executable against this device's allocations without running it.
    pub fn check(&self, exe: &Executable) -> Result<Checked> {
        Ok(validate::validate_words(&exe.words, &exe.rtp, &self.allocations())?)
    }

    /// Validate, load and start an executable. Returns a handle to wait on.
    pub fn submit(&self, exe: &Executable) -> Result<Run> {
        self.check(exe)?;
        self.submit_unchecked(exe)
    }

    /// Start without host validation: for tests of the devices' own fault detection only.
    #[doc(hidden)]
    pub fn submit_unchecked(&self, exe: &Executable) -> Result<Run> {
        let instr = self.alloc_from(Memory::Instr, &exe.words)?;
        let mut b = self.backend();
        b.write_engine_params(&exe.rtp)?;
        let raw = b.start(instr.alloc.id, exe.words.len() as u32, &self.allocations())?;
        drop(b);
        Ok(Run { device: self.clone(), raw: Some(raw), _instr: instr })
    }

    /// Submit and wait.
    pub fn run(&self, exe: &Executable, timeout: Duration) -> Result<RunReport> {
        self.submit(exe)?.wait(timeout)
    }

    /// Current status register.
    pub fn status(&self) -> Result<DeviceStatus> {
        self.backend().status()
    }

    /// Counters of the last finished run.
    pub fn counters(&self) -> Result<Vec<FuCounters>> {
        self.backend().counters()
    }
}

#[cfg(feature = "xrt")]
fn open_xrt(bitstream: &Bitstream, opts: &OpenOptions) -> Result<Box<dyn Backend>> {
    crate::xrt::XrtBackend::open(bitstream, opts).map(|b| Box::new(b) as Box<dyn Backend>)
}

#[cfg(feature = "sim")]
fn open_sim(bitstream: &Bitstream, opts: &OpenOptions) -> Result<Box<dyn Backend>> {
    crate::sim::SimBackend::open(bitstream, opts).map(|b| Box::new(b) as Box<dyn Backend>)
}

#[cfg(not(feature = "sim"))]
fn open_sim(_: &Bitstream, _: &OpenOptions) -> Result<Box<dyn Backend>> {
    Err(DeviceError::NoDevice {
        backend: BackendKind::Sim,
        message: "this rsn was built without the `sim` feature (cargo build --features sim; needs verilator)".into(),
    })
}

#[cfg(not(feature = "xrt"))]
fn open_xrt(_: &Bitstream, _: &OpenOptions) -> Result<Box<dyn Backend>> {
    Err(DeviceError::NoDevice {
        backend: BackendKind::Xrt,
        message: "this rsn was built without the `xrt` feature (cargo build --features xrt)".into(),
    })
}

/// A submitted run. Dropping it without waiting waits briefly and discards the result.
pub struct Run {
    device: Device,
    raw: Option<RawRun>,
    _instr: Buffer<u32>,
}

impl Run {
    /// Wait at most `timeout` for the run to finish.
    pub fn wait(mut self, timeout: Duration) -> Result<RunReport> {
        let raw = self.raw.take().ok_or(DeviceError::NotRunning)?;
        let r = self.device.backend().wait(raw, timeout);
        r
    }
}

impl Drop for Run {
    fn drop(&mut self) {
        if let Some(raw) = self.raw.take() {
            let _ = self.device.backend().wait(raw, Duration::from_secs(1));
        }
    }
}

/// Element types a buffer can hold.
pub trait Element: FromBytes + IntoBytes + Immutable + Copy + Send + 'static {}
impl<T: FromBytes + IntoBytes + Immutable + Copy + Send + 'static> Element for T {}

/// A device buffer with a typed host view. Changes move between host and device only on explicit
/// sync, as with XRT buffer objects.
pub struct Buffer<T: Element> {
    device: Device,
    alloc: Allocation,
    host: Vec<T>,
}

impl<T: Element> Buffer<T> {
    pub fn as_slice(&self) -> &[T] {
        &self.host
    }
    pub fn as_mut_slice(&mut self) -> &mut [T] {
        &mut self.host
    }
    pub fn len(&self) -> usize {
        self.host.len()
    }
    pub fn is_empty(&self) -> bool {
        self.host.is_empty()
    }
    pub fn memory(&self) -> Memory {
        self.alloc.memory
    }
    /// Byte offset of the buffer in its memory window (what programs address).
    pub fn device_offset(&self) -> u64 {
        self.alloc.offset
    }
    /// First 64-byte line of the buffer (what DRAM mOPs address).
    pub fn line(&self) -> u64 {
        self.alloc.offset / isa::LINE_BYTES
    }
    pub fn allocation(&self) -> Allocation {
        self.alloc
    }
    /// Copy the whole host view to the device.
    pub fn sync_to_device(&self) -> Result<()> {
        self.device.backend().write(self.alloc.id, 0, self.host.as_bytes())
    }
    /// Copy the device contents into the host view.
    pub fn sync_from_device(&mut self) -> Result<()> {
        self.device.backend().read(self.alloc.id, 0, self.host.as_mut_bytes())
    }
}

impl<T: Element> Drop for Buffer<T> {
    fn drop(&mut self) {
        self.device.free(self.alloc.id);
    }
}
