//! mOP -> uOP expansion, as executable semantics shared by every backend and the validator.
//!
//! ```text
//! for iter in 0..packet.repeat:            // each selected instance, independently
//!     for mop in packet.window:
//!         execute(mop, iter)
//! execute(DramOp d, iter):
//!     for c in 0..d.chunk_count:
//!         line = d.start + iter*d.iter_offset + c*d.chunk_stride
//!         move d.chunk_lines lines at `line` (64 bytes each)
//! execute(Mem op with toggle, iter): banks are bank ^ (iter & 1)
//! ```

use super::{DramOp, Packet, Payload, LINE_BYTES, LINE_FLOATS};

/// One DRAM chunk: a contiguous run of lines in a unit's memory window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Chunk {
    /// First line (64-byte unit).
    pub line: u64,
    /// Number of lines.
    pub lines: u64,
}

impl Chunk {
    pub fn byte_offset(&self) -> u64 {
        self.line * LINE_BYTES
    }
    pub fn bytes(&self) -> u64 {
        self.lines * LINE_BYTES
    }
    pub fn floats(&self) -> u64 {
        self.lines * LINE_FLOATS
    }
}

/// The chunks of DRAM mOP `d` at window iteration `iter`, in order. Computed in u64, so a program
/// cannot wrap addresses around.
pub fn dram_chunks(d: &DramOp, iter: u32) -> impl Iterator<Item = Chunk> + '_ {
    (0..d.chunk_count).map(move |c| dram_chunk(d, iter, c))
}

/// Chunk `c` of DRAM mOP `d` at window iteration `iter`.
pub fn dram_chunk(d: &DramOp, iter: u32, c: u32) -> Chunk {
    let line = d.start as u64 + iter as u64 * d.iter_offset as u64 + c as u64 * d.chunk_stride as u64;
    Chunk { line, lines: d.chunk_lines as u64 }
}

/// Total f32 elements a DRAM mOP moves per iteration.
pub fn dram_floats(d: &DramOp) -> u64 {
    d.chunk_count as u64 * d.chunk_lines as u64 * LINE_FLOATS
}

/// Effective bank of a memory FU at iteration `iter`.
pub fn bank(bank: u32, toggle: u32, iter: u32) -> usize {
    ((bank ^ (toggle & iter)) & 1) as usize
}

/// The executions of one packet for one instance: `(iter, mop index in window, payload)`.
pub fn executions(p: &Packet) -> impl Iterator<Item = (u32, usize, &Payload)> + '_ {
    (0..p.repeat).flat_map(move |iter| p.window.iter().enumerate().map(move |(i, w)| (iter, i, w)))
}
