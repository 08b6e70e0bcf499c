//! Host-side validation: nothing reaches a device before these checks pass.
//!
//! * every field in range for the FU instance it addresses (geometry, routing, enums, hazards);
//! * every DRAM access range inside one allocated buffer of the right memory;
//! * every stream balanced: what its producer sends equals what its consumer takes, and each
//!   engine's block count matches what the meshes deliver and MemC receives.
//!
//! Each failure names the instruction (packet, mOP, word) and the field.

pub use crate::hal::ValidationError;
use crate::hal::{Allocation, Memory};
use crate::isa::{self, expand, EngineRtp, InstrPos, Opcode, Packet, Payload, ENGINES, LINE_BYTES};
use crate::numerics::BLOCK_ELEMS;
use crate::topology::{self, Dir, Stream};

/// Summary of a valid program.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Checked {
    /// mOP executions per FU instance after window replay (the uOP count before DRAM chunking).
    pub mop_executions: u128,
    /// uOPs after DRAM chunk expansion.
    pub uops: u128,
    /// Floats moved per stream (index = `Stream::index`).
    pub stream_floats: Vec<u128>,
}

fn ferr(pos: InstrPos, fu: String, field: &'static str, message: impl Into<String>) -> ValidationError {
    ValidationError::Field { pos, fu, field, message: message.into() }
}

/// Which memory window a DRAM unit addresses.
pub(crate) fn dram_memory(op: Opcode) -> Memory {
    if op == Opcode::Lpddr {
        Memory::Lpddr
    } else {
        Memory::Ddr
    }
}

/// A DRAM mOP's whole byte range `[first, end)` in its memory window, over all iterations and
/// chunks. Offsets are unsigned, so the first chunk of iteration 0 starts lowest and the last
/// chunk of the last iteration ends highest; every chunk lies in between. `repeat` and
/// `chunk_count` are at least 1 (the header and field checks come first).
pub(crate) fn dram_range(d: &isa::DramOp, repeat: u32) -> (u64, u64) {
    let first = d.start as u64 * LINE_BYTES;
    let last_line = d.start as u64
        + (repeat as u64).saturating_sub(1) * d.iter_offset as u64
        + (d.chunk_count as u64).saturating_sub(1) * d.chunk_stride as u64
        + d.chunk_lines as u64;
    (first, last_line * LINE_BYTES)
}

/// Check a DRAM mOP's whole address range (all iterations and chunks) against the allocations.
fn check_dram_range(
    pos: InstrPos,
    fu: &str,
    op: Opcode,
    d: &isa::DramOp,
    repeat: u32,
    allocs: &[Allocation],
) -> Result<(), ValidationError> {
    let (first, end) = dram_range(d, repeat);
    let mem = dram_memory(op);
    if allocs.iter().any(|a| a.memory == mem && a.offset <= first && end <= a.offset + a.len) {
        return Ok(());
    }
    let nearest = allocs
        .iter()
        .filter(|a| a.memory == mem)
        .min_by_key(|a| a.offset.abs_diff(first))
        .map(|a| format!(" (nearest buffer: {:#x}..{:#x})", a.offset, a.offset + a.len))
        .unwrap_or_else(|| format!(" (no {mem:?} buffer is allocated)"));
    Err(ValidationError::DmaRange { pos, fu: fu.into(), memory: mem, first, end, nearest })
}

/// Validate a decoded program (with positions) against the engines' parameters and the
/// allocations it may address.
pub fn validate(
    packets: &[(Packet, InstrPos)],
    rtp: &[EngineRtp; ENGINES],
    allocs: &[Allocation],
) -> Result<Checked, ValidationError> {
    let mut produced = vec![0u128; Stream::COUNT];
    let mut consumed = vec![0u128; Stream::COUNT];
    let mut out = Checked::default();
    for (p, pos) in packets {
        for inst in p.instances() {
            let fu = p.opcode.instance_name(inst);
            for (m, w) in p.window.iter().enumerate() {
                let mpos = InstrPos { mop: pos.mop + m, ..*pos };
                isa::check::check_payload(p.opcode, inst, w)
                    .map_err(|(field, msg)| ferr(mpos, fu.clone(), field, msg))?;
                if let Payload::Dram(d) = w {
                    check_dram_range(mpos, &fu, p.opcode, d, p.repeat, allocs)?;
                    out.uops += d.chunk_count as u128 * p.repeat as u128;
                } else {
                    out.uops += p.repeat as u128;
                }
                out.mop_executions += p.repeat as u128;
                for (s, dir, n) in topology::traffic(p.opcode, inst as u8, w) {
                    let t = match dir {
                        Dir::Produce => &mut produced,
                        Dir::Consume => &mut consumed,
                    };
                    t[s.index()] += n as u128 * p.repeat as u128;
                }
            }
        }
    }
    let blk = BLOCK_ELEMS as u128;
    for e in 0..ENGINES {
        let b = rtp[e].blocks as u128;
        let checks = [
            ("MeshA delivers", produced[Stream::MeshAToMme(e as u8).index()]),
            ("MeshB delivers", produced[Stream::MeshBToMme(e as u8).index()]),
            ("MemC receives", consumed[Stream::MmeToMemC(e as u8).index()]),
        ];
        for (what, floats) in checks {
            if floats != b * blk {
                return Err(ValidationError::EngineMismatch {
                    engine: e,
                    blocks: rtp[e].blocks,
                    what,
                    amount: floats / blk,
                });
            }
        }
        consumed[Stream::MeshAToMme(e as u8).index()] = b * blk;
        consumed[Stream::MeshBToMme(e as u8).index()] = b * blk;
        produced[Stream::MmeToMemC(e as u8).index()] = b * blk;
    }
    for s in Stream::all() {
        let (pr, co) = (produced[s.index()], consumed[s.index()]);
        if pr != co {
            let (producer, consumer) = endpoints(s);
            return Err(ValidationError::Unbalanced {
                stream: s.name(),
                producer,
                consumer,
                produced: pr,
                consumed: co,
            });
        }
    }
    out.stream_floats = produced;
    Ok(out)
}

fn endpoints(s: Stream) -> (String, String) {
    let n = s.name();
    let mut it = n.split("->");
    (it.next().unwrap_or("?").to_string(), it.next().unwrap_or("?").to_string())
}

/// Decode and validate a word stream in one go.
pub fn validate_words(
    words: &[u32],
    rtp: &[EngineRtp; ENGINES],
    allocs: &[Allocation],
) -> Result<Checked, ValidationError> {
    let packets = isa::decode_with_positions(words)?;
    validate(&packets, rtp, allocs)
}

/// Used by the DRAM expansion in backends: the byte range of one chunk.
pub fn chunk_bytes(c: &expand::Chunk) -> (u64, u64) {
    (c.byte_offset(), c.byte_offset() + c.bytes())
}
