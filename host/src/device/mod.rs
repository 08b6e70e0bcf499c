//! The Device API: one host API over interchangeable backends chosen at run time.
//!
//! ```text
//!   Device (this module: safe, validated, typed buffers)
//!     └── dyn hal::Backend  ── model (pure-Rust functional + timing model)
//!                           ── sim   (Verilator co-simulation, sim/)
//!                           ── xrt   (VCK190 through XRT, feature `xrt`)
//! ```
//!
//! Callers never talk to a backend directly. The `Device` keeps the allocation table, validates
//! every program against it before submission (nothing harmful reaches a device), and turns every
//! wait into a bounded wait.
//!
//! A `Device` may be shared between threads: submissions are serialised (a submit waits, at most
//! [`OpenOptions::submit_wait`], while another thread's run is in flight), and a buffer dropped
//! while a run is in flight is freed only when that run has ended, so a run never sees its memory
//! handed to someone else. The types it shares with the backends live in [`crate::hal`] and are
//! re-exported here.

pub use crate::hal::{
    Allocation, BackendKind, DeviceError, DeviceStatus, FaultCode, FuCounters, FuState, Memory, OpenOptions, Result,
    RunReport, Span,
};
pub use crate::isa::Executable;

/// How long a submit waits, by default, for another thread's run to end.
pub const DEFAULT_SUBMIT_WAIT: Duration = Duration::from_secs(600);

use crate::bitstream::Bitstream;
use crate::hal::{Backend, Launch, RawRun};
use crate::isa;
use crate::validate::{self, Checked, ValidationError};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::ThreadId;
use std::time::{Duration, Instant};
use zerocopy::{FromBytes, Immutable, IntoBytes};

struct Shared {
    backend: Mutex<Box<dyn Backend>>,
    allocs: Mutex<Vec<Allocation>>,
    bitstream: Bitstream,
    kind: BackendKind,
    gate: Mutex<Gate>,
    idle: Condvar,
    submit_wait: Duration,
}

/// Who runs on the device now, and what waits to be freed when that run ends.
#[derive(Default)]
struct Gate {
    running: Option<ThreadId>,
    deferred_frees: Vec<u64>,
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
            shared: Arc::new(Shared {
                backend: Mutex::new(backend),
                allocs: Mutex::new(Vec::new()),
                bitstream,
                kind,
                gate: Mutex::new(Gate::default()),
                idle: Condvar::new(),
                submit_wait: opts.submit_wait.unwrap_or(DEFAULT_SUBMIT_WAIT),
            }),
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

    fn gate(&self) -> MutexGuard<'_, Gate> {
        self.shared.gate.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Allocate a buffer of `len` elements of `T` in `memory`, zero-initialised on both sides. A
    /// size the memory's window cannot hold, or the host cannot, is an error before anything is
    /// allocated.
    pub fn alloc<T: Element>(&self, memory: Memory, len: usize) -> Result<Buffer<T>> {
        self.alloc_with(memory, len, |b, bytes| b.alloc(memory, bytes))
    }

    /// Sizes checked, host view reserved, then `place` reserves the device range.
    fn alloc_with<T: Element>(
        &self,
        memory: Memory,
        len: usize,
        place: impl FnOnce(&mut dyn Backend, u64) -> Result<Allocation>,
    ) -> Result<Buffer<T>> {
        let elem = std::mem::size_of::<T>() as u64;
        let too_large =
            || DeviceError::TooLarge { memory, elements: len as u64, elem_bytes: elem, window: memory.window_bytes() };
        let bytes = (len as u64).checked_mul(elem).ok_or_else(too_large)?.max(isa::LINE_BYTES);
        if bytes > memory.window_bytes() {
            return Err(too_large());
        }
        let mut host = Vec::new();
        host.try_reserve_exact(len).map_err(|_| DeviceError::HostMemory { bytes })?;
        host.resize(len, T::new_zeroed());
        let turn = self.turn()?;
        let a = place(&mut **self.backend(), bytes)?;
        drop(turn);
        self.allocs().push(a);
        Ok(Buffer { device: self.clone(), alloc: a, host })
    }

    /// Allocate `len` elements of `T` at exactly byte `offset` of `memory` (a program file's recorded
    /// placement), zero-initialised on both sides. Fails with `PlacementUnavailable` when that range
    /// is taken, unaligned or outside the window.
    pub fn alloc_at<T: Element>(&self, memory: Memory, offset: u64, len: usize) -> Result<Buffer<T>> {
        self.alloc_with(memory, len, |b, bytes| b.alloc_at(memory, offset, bytes))
    }

    /// Allocate and fill from a slice (and sync it to the device).
    pub fn alloc_from<T: Element>(&self, memory: Memory, data: &[T]) -> Result<Buffer<T>> {
        let mut b = self.alloc(memory, data.len())?;
        b.as_mut_slice().copy_from_slice(data);
        b.sync_to_device()?;
        Ok(b)
    }

    fn free(&self, id: u64) {
        let mut gate = self.gate();
        if gate.running.is_some() {
            // The run in flight may still read or write it: free it when the run ends.
            gate.deferred_frees.push(id);
            return;
        }
        drop(gate);
        self.free_now(id);
    }

    fn free_now(&self, id: u64) {
        self.allocs().retain(|a| a.id != id);
        // Freeing cannot fail in a way the caller could act on during drop.
        let _ = self.backend().free(id);
    }

    /// Wait (at most the submit wait) while another thread's run is in flight; the gate is
    /// returned held. While this thread's own run is in flight the answer is `Busy`: that run
    /// must be waited for first (on some devices it only advances while waited for).
    fn turn(&self) -> Result<MutexGuard<'_, Gate>> {
        let me = std::thread::current().id();
        let deadline = Instant::now() + self.shared.submit_wait;
        let mut gate = self.gate();
        loop {
            match gate.running {
                None => return Ok(gate),
                Some(owner) if owner == me => return Err(DeviceError::Busy),
                Some(_) => {}
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(DeviceError::Busy);
            }
            gate = self.shared.idle.wait_timeout(gate, left).unwrap_or_else(|e| e.into_inner()).0;
        }
    }

    /// Take the device for a run from this thread.
    fn claim(&self) -> Result<()> {
        let mut gate = self.turn()?;
        gate.running = Some(std::thread::current().id());
        Ok(())
    }

    /// The run of this thread has ended: free what was dropped meanwhile, let the next one in.
    fn release(&self) {
        let frees = {
            let mut gate = self.gate();
            gate.running = None;
            std::mem::take(&mut gate.deferred_frees)
        };
        for id in frees {
            self.free_now(id);
        }
        self.shared.idle.notify_all();
    }

    /// Snapshot of the allocation table.
    pub fn allocations(&self) -> Vec<Allocation> {
        self.allocs().clone()
    }

    /// Check an executable against this device's allocations without running it.
    pub fn check(&self, exe: &Executable) -> Result<Checked> {
        Ok(validate::validate_words(&exe.words, &exe.rtp, &self.allocations())?)
    }

    /// Validate, load and start an executable. Returns a handle to wait on. The words are decoded
    /// once: the validated program goes to the backend with them.
    pub fn submit(&self, exe: &Executable) -> Result<Run> {
        let packets = isa::decode_with_positions(&exe.words).map_err(ValidationError::from)?;
        let checked = validate::validate(&packets, &exe.rtp, &self.allocations())?;
        self.start(exe, Some(Arc::new(packets)), Some(checked))
    }

    /// Start without host validation: for tests of the devices' own fault detection only.
    #[doc(hidden)]
    pub fn submit_unchecked(&self, exe: &Executable) -> Result<Run> {
        self.start(exe, None, None)
    }

    fn start(
        &self,
        exe: &Executable,
        validated: Option<Arc<Vec<(isa::Packet, isa::InstrPos)>>>,
        checked: Option<Checked>,
    ) -> Result<Run> {
        let words = u32::try_from(exe.words.len()).map_err(|_| DeviceError::TooLarge {
            memory: Memory::Instr,
            elements: exe.words.len() as u64,
            elem_bytes: 4,
            window: Memory::Instr.window_bytes(),
        })?;
        let instr = self.alloc_from(Memory::Instr, &exe.words)?;
        self.claim()?;
        let started = (|| {
            let bounds = self.allocations();
            let mut b = self.backend();
            b.write_engine_params(&exe.rtp)?;
            b.start(Launch { instr: instr.alloc.id, words, bounds: &bounds, validated })
        })();
        match started {
            Ok(raw) => Ok(Run { device: self.clone(), raw: Some(raw), checked, _instr: instr }),
            Err(e) => {
                self.release();
                Err(e)
            }
        }
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
    checked: Option<Checked>,
    _instr: Buffer<u32>,
}

impl Run {
    /// What the host's validation found (uOP counts, stream traffic); `None` for an unchecked run.
    pub fn checked(&self) -> Option<&Checked> {
        self.checked.as_ref()
    }

    /// Wait at most `timeout` for the run to finish.
    pub fn wait(mut self, timeout: Duration) -> Result<RunReport> {
        let raw = self.raw.take().ok_or(DeviceError::NotRunning)?;
        let r = self.device.backend().wait(raw, timeout);
        self.device.release();
        r
    }
}

impl Drop for Run {
    fn drop(&mut self) {
        if let Some(raw) = self.raw.take() {
            let _ = self.device.backend().wait(raw, Duration::from_secs(1));
            self.device.release();
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
    /// Copy the whole host view to the device (after another thread's run in flight has ended).
    pub fn sync_to_device(&self) -> Result<()> {
        let _turn = self.device.turn()?;
        self.device.backend().write(self.alloc.id, 0, self.host.as_bytes())
    }
    /// Copy the device contents into the host view (after another thread's run in flight has
    /// ended).
    pub fn sync_from_device(&mut self) -> Result<()> {
        let _turn = self.device.turn()?;
        self.device.backend().read(self.alloc.id, 0, self.host.as_mut_bytes())
    }
}

impl<T: Element> Drop for Buffer<T> {
    fn drop(&mut self) {
        self.device.free(self.alloc.id);
    }
}
