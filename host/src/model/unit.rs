//! What every FU of the model shares: the run's context (streams, device memory, rates, buffer
//! pools), its accounts, and the answer a step gives the scheduler.

use super::fifo::{BusCalendar, Chunk, Fifo};
use super::memory::DramMemory;
use super::timing::Rates;
use crate::hal::{Allocation, DeviceError, FaultCode, Span};
use crate::isa::{InstrPos, Packet};
use crate::numerics::BLOCK_ELEMS;
use crate::topology::Fu;
use std::collections::VecDeque;

/// Largest piece a DRAM channel or a drain moves per step (keeps every step below a FIFO's
/// capacity). A granularity of the model's bookkeeping, not of the hardware.
pub(super) const PIECE: usize = 4096;

pub(super) type EResult<T> = Result<T, DeviceError>;

pub(super) fn fault(code: FaultCode, at: Option<InstrPos>, message: String) -> DeviceError {
    DeviceError::Fault { code, at, message, states: Vec::new() }
}

/// Busy, stall and traffic totals of one FU, in PL cycles and bytes.
#[derive(Default)]
pub(super) struct Acct {
    pub busy: f64,
    pub stall_in: f64,
    pub stall_out: f64,
    pub bytes: u64,
    pub uops: u64,
}

impl Acct {
    /// Account a step that could start at `free` but started at `start` (waiting on input or output)
    /// and ran for `dur`.
    pub fn step(&mut self, free: f64, start: f64, dur: f64, waited_on_input: bool) {
        let wait = (start - free).max(0.0);
        if waited_on_input {
            self.stall_in += wait;
        } else {
            self.stall_out += wait;
        }
        self.busy += dur;
    }
}

/// A packet in an FU's queue.
pub(super) struct Queued {
    pub packet: Packet,
    pub pos: InstrPos,
    /// When the decoder handed it over.
    pub avail: f64,
    /// DDR loads: store mOP executions dispatched by earlier packets (for `fence`).
    pub stores_before: u64,
}

/// What every queued FU (all but the decoder and the engines) keeps besides its own state: its
/// mOP queue, where it is in the current packet, its time and its accounts.
pub(super) struct FuQueue {
    pub fu: Fu,
    pub inst: u8,
    pub queue: VecDeque<Queued>,
    pub iter: u32,
    pub idx: usize,
    /// Time the FU is free for its next mOP.
    pub t: f64,
    pub queued_mops: usize,
    /// When the queue last freed room.
    pub last_pop: f64,
    pub acct: Acct,
    pub blocked: String,
    pub active: bool,
    pub mop_start: f64,
}

impl FuQueue {
    pub fn new(fu: Fu, inst: u8) -> FuQueue {
        FuQueue {
            fu,
            inst,
            queue: VecDeque::new(),
            iter: 0,
            idx: 0,
            t: 0.0,
            queued_mops: 0,
            last_pop: 0.0,
            acct: Acct::default(),
            blocked: String::new(),
            active: false,
            mop_start: 0.0,
        }
    }
}

/// The FUs that have a decoder queue (all but the decoder and the engines), in queue order.
pub(super) fn queued_fus() -> Vec<Fu> {
    Fu::all().into_iter().filter(|f| !matches!(f, Fu::Decoder | Fu::Mme(_))).collect()
}

/// Index of an FU's queue in [`queued_fus`] order: the queued FUs follow the decoder in `Fu` order.
pub(super) fn queue_index(fu: Fu) -> usize {
    debug_assert!(!matches!(fu, Fu::Decoder | Fu::Mme(_)), "{fu:?} has no decoder queue");
    fu.index() - 1
}

/// What one step of an FU's current mOP did.
pub(super) enum Step {
    /// Made progress; call again.
    Progress,
    /// Cannot proceed; the string says on what.
    Blocked(String),
    /// The current mOP finished at this time.
    Done(f64),
}

/// The state every FU of a run reaches: streams, memory, the buses, the rates and the pools.
pub(super) struct Ctx<'a> {
    pub mem: &'a mut DramMemory,
    /// The buffers the DRAM units may touch.
    pub bounds: &'a [Allocation],
    pub fifos: Vec<Fifo>,
    pub rates: Rates,
    /// DDR reads and writes share one bus; LPDDR has its own.
    pub ddr_bus: BusCalendar,
    pub lpddr_bus: BusCalendar,
    /// Completion time of each DDR store mOP, in dispatch order (for fences).
    pub store_done: Vec<f64>,
    pub timeline: Vec<Span>,
    /// Recycled block buffers: engine outputs and memory sends reuse the blocks consumers are done
    /// with, so the hot path neither allocates nor clears 64 KiB per block.
    pub pool: Vec<Vec<f32>>,
    /// Free store-piece buffers (capacity PIECE): a drain cuts its pieces from them and the DDR
    /// write hands them back.
    pub pieces: Vec<Vec<f32>>,
    /// Per engine, the operands of the products it has sent to MemC, in stream order.
    pub products: Vec<VecDeque<(Chunk, Chunk)>>,
}

/// Keep a used-up store piece for the next drain once no stream holds it any more (DRAM pages
/// stay with the memory: they are shared, so they never come back here).
pub(super) fn give_piece(pieces: &mut Vec<Vec<f32>>, c: Chunk) {
    if let Ok(mut v) = std::sync::Arc::try_unwrap(c) {
        if v.capacity() >= PIECE && pieces.len() < 512 {
            v.clear();
            pieces.push(v);
        }
    }
}

/// A block buffer from the pool (its contents are overwritten by the caller).
pub(super) fn take_block(pool: &mut Vec<Vec<f32>>) -> Vec<f32> {
    pool.pop().unwrap_or_else(|| vec![0.0f32; BLOCK_ELEMS])
}

/// Return a block to the pool once no stream holds it any more.
pub(super) fn give_block(pool: &mut Vec<Vec<f32>>, c: Chunk) {
    if let Ok(v) = std::sync::Arc::try_unwrap(c) {
        if v.len() == BLOCK_ELEMS && pool.len() < 256 {
            pool.push(v);
        }
    }
}
