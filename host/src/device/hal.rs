//! The backend seam. A backend implements these calls for one kind of device; the public
//! [`super::Device`] adds validation, allocation bookkeeping and typed buffers on top, so backends
//! never see an unchecked program from ordinary callers.
//!
//! Contract for implementors:
//! * No call may panic on anything the device or the caller supplies; report a `DeviceError`.
//! * `wait` must return within `timeout` (plus a small constant), with `DeviceError::Timeout`
//!   carrying each FU's state when the run has not finished.
//! * `alloc` returns byte offsets aligned to 4 KiB inside the memory's window.
//! * Buffer contents move only in `write` / `read` (explicit syncs).

use super::{Allocation, DeviceStatus, FuCounters, Memory, Result, RunReport};
use crate::isa::{EngineRtp, ENGINES};
use std::time::Duration;

/// A run started on a backend.
#[derive(Debug)]
pub struct RawRun {
    pub id: u64,
}

pub trait Backend: Send {
    /// One line: backend, device, image.
    fn describe(&self) -> String;
    /// Reserve `bytes` in `memory`.
    fn alloc(&mut self, memory: Memory, bytes: u64) -> Result<Allocation>;
    fn free(&mut self, id: u64) -> Result<()>;
    /// Host-to-device sync of `data` at byte `offset` of buffer `id`.
    fn write(&mut self, id: u64, offset: u64, data: &[u8]) -> Result<()>;
    /// Device-to-host sync into `out` from byte `offset` of buffer `id`.
    fn read(&mut self, id: u64, offset: u64, out: &mut [u8]) -> Result<()>;
    /// Write the engines' runtime parameters for the next run.
    fn write_engine_params(&mut self, rtp: &[EngineRtp; ENGINES]) -> Result<()>;
    /// Start the decoder on `words` instruction words in buffer `instr`. `bounds` are the buffers
    /// the DRAM units may touch (the device enforces them as well).
    fn start(&mut self, instr: u64, words: u32, bounds: &[Allocation]) -> Result<RawRun>;
    /// Wait for a run, at most `timeout`.
    fn wait(&mut self, run: RawRun, timeout: Duration) -> Result<RunReport>;
    fn status(&mut self) -> Result<DeviceStatus>;
    /// Counters of the last finished run.
    fn counters(&mut self) -> Result<Vec<FuCounters>>;
}
