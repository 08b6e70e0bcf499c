//! Errors: what the Device API and the backends report, and why the host refused a program.

use super::types::{BackendKind, FaultCode, FuState, Memory};
use crate::bitstream::BitstreamError;
use crate::isa::{DecodeError, InstrPos};
use std::time::Duration;

/// Why the host refused a program before it reached a device. Each names the instruction (packet,
/// mOP, word) and the field.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ValidationError {
    #[error("malformed program: {0}")]
    Decode(#[from] DecodeError),
    #[error("{pos}, {fu}, field `{field}`: {message}")]
    Field { pos: InstrPos, fu: String, field: &'static str, message: String },
    #[error("{pos}, {fu}: DRAM range {first:#x}..{end:#x} of {memory:?} is outside every allocated {memory:?} buffer{nearest}")]
    DmaRange { pos: InstrPos, fu: String, memory: Memory, first: u64, end: u64, nearest: String },
    #[error("unbalanced path on stream {stream}: {producer} sends {produced} floats but {consumer} takes {consumed}; the program would hang or leave data behind")]
    Unbalanced { stream: String, producer: String, consumer: String, produced: u128, consumed: u128 },
    #[error("engine MME{engine}: runtime parameter `blocks` = {blocks} but {what} {amount} blocks")]
    EngineMismatch { engine: usize, blocks: u32, what: &'static str, amount: u128 },
}

/// Everything the Device API can report.
#[derive(Debug, thiserror::Error)]
pub enum DeviceError {
    #[error("no {backend} device: {message}")]
    NoDevice { backend: BackendKind, message: String },
    #[error("{backend} backend: {call} failed: {message}")]
    Backend { backend: BackendKind, call: &'static str, message: String },
    #[error("the device is busy running a program (this thread's run has not been waited for, or another thread's did not end in time)")]
    Busy,
    #[error("no run is in flight")]
    NotRunning,
    #[error("out of {memory:?} memory: {requested} bytes requested, largest free range {largest_free} bytes")]
    OutOfMemory { memory: Memory, requested: u64, largest_free: u64 },
    #[error("{elements} elements of {elem_bytes} bytes do not fit the {memory:?} window ({window} bytes)")]
    TooLarge { memory: Memory, elements: u64, elem_bytes: u64, window: u64 },
    #[error("the host cannot hold a {bytes}-byte view of the buffer")]
    HostMemory { bytes: u64 },
    #[error("cannot place {bytes} bytes at offset {offset:#x} of {memory:?}: {reason}")]
    PlacementUnavailable { memory: Memory, offset: u64, bytes: u64, reason: String },
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
