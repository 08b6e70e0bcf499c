//! The hardware abstraction layer: the types the Device API and every backend share, and the
//! backend trait. It sits below both, so a backend imports this layer and the ISA, never the
//! front end ([`crate::device`]) that chooses it.
//!
//! Contract for implementors of [`Backend`]:
//! * No call may panic on anything the device or the caller supplies; report a `DeviceError`.
//! * `wait` must return within `timeout` (plus a small constant), with `DeviceError::Timeout`
//!   carrying each FU's state when the run has not finished.
//! * `alloc` returns byte offsets aligned to 4 KiB inside the memory's window.
//! * Buffer contents move only in `write` / `read` (explicit syncs).

mod alloc;
mod error;
pub mod regmap;
mod types;

pub use alloc::{check_fixed, RangeAllocator};
pub use error::{DeviceError, Result, ValidationError};
pub use types::{
    Allocation, BackendKind, DeviceStatus, FaultCode, FuCounters, FuState, Memory, OpenOptions, RunReport, Span,
};

use crate::isa::{EngineRtp, InstrPos, Packet, ENGINES};
use std::sync::Arc;
use std::time::Duration;

/// A run started on a backend.
#[derive(Debug)]
pub struct RawRun {
    pub id: u64,
}

/// What [`Backend::start`] runs.
#[derive(Debug, Clone)]
pub struct Launch<'a> {
    /// The buffer holding the instruction words.
    pub instr: u64,
    pub words: u32,
    /// The buffers the DRAM units may touch (the device enforces them as well).
    pub bounds: &'a [Allocation],
    /// The program as the host decoded and validated it, when it did. A backend that would decode
    /// the words on the host anyway (the model) uses it instead; a device reads its instruction
    /// buffer whatever is here.
    pub validated: Option<Arc<Vec<(Packet, InstrPos)>>>,
}

impl Launch<'_> {
    /// Each packet's position, for fault reports: from the validated program, or by decoding the
    /// words `read` returns (an unchecked program keeps its words, to place a decoder fault in a
    /// program that does not decode).
    pub fn positions(&self, read: impl FnOnce() -> Result<Vec<u32>>) -> Result<Positions> {
        if let Some(v) = &self.validated {
            return Ok(Positions { packets: v.iter().map(|(_, p)| *p).collect(), words: None });
        }
        let words = read()?;
        let packets = crate::isa::decode_with_positions(&words)
            .map(|v| v.into_iter().map(|(_, p)| p).collect())
            .unwrap_or_default();
        Ok(Positions { packets, words: Some(Arc::new(words)) })
    }
}

/// Where each packet of a running program starts, and for a program the host did not validate its
/// words too.
#[derive(Debug, Clone, Default)]
pub struct Positions {
    packets: Vec<InstrPos>,
    words: Option<Arc<Vec<u32>>>,
}

impl std::ops::Deref for Positions {
    type Target = [InstrPos];
    fn deref(&self) -> &[InstrPos] {
        &self.packets
    }
}

impl Positions {
    /// The position of a word a decoder fault names, as the model reports it
    /// ([`crate::isa::locate_word`]).
    pub fn locate_word(&self, word: usize) -> Option<InstrPos> {
        if let Some(words) = &self.words {
            return crate::isa::locate_word(words, word);
        }
        if word < crate::isa::STREAM_HEADER_WORDS {
            return None;
        }
        let i = self.packets.partition_point(|p| p.word <= word);
        let p = self.packets.get(i.checked_sub(1)?)?;
        Some(InstrPos { word, ..*p })
    }
}

pub trait Backend: Send {
    /// One line: backend, device, image.
    fn describe(&self) -> String;
    /// Reserve `bytes` in `memory`.
    fn alloc(&mut self, memory: Memory, bytes: u64) -> Result<Allocation>;
    /// Reserve exactly `bytes` at byte `offset` of `memory` (4 KiB aligned, zeroed like `alloc`),
    /// or `DeviceError::PlacementUnavailable` when that range is not free.
    fn alloc_at(&mut self, memory: Memory, offset: u64, bytes: u64) -> Result<Allocation>;
    fn free(&mut self, id: u64) -> Result<()>;
    /// Host-to-device sync of `data` at byte `offset` of buffer `id`.
    fn write(&mut self, id: u64, offset: u64, data: &[u8]) -> Result<()>;
    /// Device-to-host sync into `out` from byte `offset` of buffer `id`.
    fn read(&mut self, id: u64, offset: u64, out: &mut [u8]) -> Result<()>;
    /// Write the engines' runtime parameters for the next run.
    fn write_engine_params(&mut self, rtp: &[EngineRtp; ENGINES]) -> Result<()>;
    /// Start the decoder on the program.
    fn start(&mut self, launch: Launch<'_>) -> Result<RawRun>;
    /// Wait for a run, at most `timeout`.
    fn wait(&mut self, run: RawRun, timeout: Duration) -> Result<RunReport>;
    fn status(&mut self) -> Result<DeviceStatus>;
    /// Counters of the last finished run.
    fn counters(&mut self) -> Result<Vec<FuCounters>>;
}
