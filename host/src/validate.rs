//! Host-side validation: nothing reaches a device before these checks pass.
//!
//! * every field in range for the FU instance it addresses (geometry, routing, enums, hazards);
//! * every DRAM access range inside one allocated buffer of the right memory;
//! * every stream balanced: what its producer sends equals what its consumer takes, and each
//!   engine's block count matches what the meshes deliver and MemC receives.
//!
//! Each failure names the instruction (packet, mOP, word) and the field.

use crate::device::{Allocation, Memory};
use crate::isa::{
    self, expand, DecodeError, Drain, DramPort, EngineRtp, InstrPos, LoadMode, Opcode, Packet, Payload, PostOp,
    ENGINES, LINE_BYTES,
};
use crate::numerics::BLOCK_ELEMS;
use crate::topology::{self, Dir, Stream};

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

/// Semantic checks of one payload for one FU instance. Returns the offending field and why.
pub fn check_payload(opcode: Opcode, inst: u32, p: &Payload) -> Result<(), (&'static str, String)> {
    let range = |field: &'static str, v: u32, lo: u32, hi: u32| {
        if v < lo || v > hi {
            Err((field, format!("{v} is outside {lo}..={hi}")))
        } else {
            Ok(())
        }
    };
    match (opcode, p) {
        (Opcode::Decoder, Payload::Decoder(d)) => range("kind", d.kind, 0, 1),
        (Opcode::Ddr | Opcode::Lpddr, Payload::Dram(d)) => {
            range("chunk_lines", d.chunk_lines, 1, 0xffff)?;
            range("chunk_count", d.chunk_count, 1, 0xffff)?;
            let port =
                DramPort::from_bits(d.port).ok_or(("port", format!("{} is not a port code (0..=11)", d.port)))?;
            if opcode == Opcode::Lpddr {
                if d.store == 1 {
                    return Err(("store", "the LPDDR unit only loads".into()));
                }
                if !matches!(port, DramPort::MemB(0) | DramPort::MemB(1)) {
                    return Err(("port", format!("LPDDR feeds MemB0/MemB1 only, not {port:?}")));
                }
                if d.fence == 1 {
                    return Err(("fence", "fences order DDR loads after DDR stores; LPDDR has none".into()));
                }
            } else if d.store == 1 {
                if !matches!(port, DramPort::MemC(_)) {
                    return Err(("port", format!("stores come from MemC0-5, not {port:?}")));
                }
                if d.fence == 1 {
                    return Err(("fence", "only loads wait on a fence".into()));
                }
            }
            Ok(())
        }
        (Opcode::MemA, Payload::MemA(m)) => {
            if m.load_en == 0 && m.send_en == 0 {
                return Err(("load_en", "neither load nor send is enabled".into()));
            }
            if m.load_en == 1 {
                range("rows", m.rows, 1, isa::MEMA_ROWS)?;
                range("cols", m.cols, 1, isa::MEMA_COLS)?;
            }
            if m.send_en == 1 {
                range("send_rb", m.send_rb, 1, isa::MEMA_ROWS / 128)?;
                range("send_cb", m.send_cb, 1, 255)?;
                if m.load_en == 1 && m.load_bank == m.send_bank {
                    return Err(("send_bank", "sending the bank being loaded".into()));
                }
            }
            Ok(())
        }
        (Opcode::MemB, Payload::MemB(m)) => {
            let b2 = inst == 2;
            let (rmax, cmax) = if b2 { (isa::MEMB2_ROWS, isa::MEMB2_COLS) } else { (isa::MEMB_ROWS, isa::MEMB_COLS) };
            if m.load_en == 0 && m.send_en == 0 {
                return Err(("load_en", "neither load nor send is enabled".into()));
            }
            if m.load_en == 1 {
                range("rows", m.rows, 1, rmax)?;
                range("cols", m.cols, 1, cmax)?;
                if b2 && m.load_src == 1 {
                    return Err(("load_src", "MemB2 is fed from DDR only".into()));
                }
            }
            if m.send_en == 1 {
                range("send_kb", m.send_kb, 1, rmax.div_ceil(128))?;
                range("send_cb", m.send_cb, 1, cmax.div_ceil(128))?;
                range("send_reps", m.send_reps, 1, 255)?;
                if m.load_en == 1 && m.load_bank == m.send_bank {
                    return Err(("send_bank", "sending the bank being loaded".into()));
                }
            }
            Ok(())
        }
        (Opcode::MemC, Payload::MemC(m)) => {
            let mode = LoadMode::from_bits(m.load_mode)
                .ok_or(("load_mode", format!("{} is not a load mode (0..=4)", m.load_mode)))?;
            let drain =
                Drain::from_bits(m.drain).ok_or(("drain", format!("{} is not a drain kind (0..=2)", m.drain)))?;
            let post =
                PostOp::from_bits(m.post_op).ok_or(("post_op", format!("{} is not a post-op (0..=3)", m.post_op)))?;
            let fill = mode != LoadMode::None || m.recv_en == 1;
            if !fill && drain == Drain::None {
                return Err(("drain", "the mOP neither fills nor drains".into()));
            }
            range("rows", m.rows, 1, isa::MEMC_ROWS)?;
            range("cols", m.cols, 1, isa::MEMC_COLS)?;
            if m.recv_en == 1 {
                range("recv_rb", m.recv_rb, 1, isa::MEMC_ROWS / 128)?;
                range("recv_cb", m.recv_cb, 1, isa::MEMC_COLS / 128)?;
                range("recv_kb", m.recv_kb, 1, 4)?;
                range("k_iters", m.k_iters, 1, 0xffff)?;
            }
            if m.acc == 1 && m.recv_en == 0 {
                return Err(("acc", "accumulate is set without a receive".into()));
            }
            if drain == Drain::Mesh {
                if inst >= isa::MEMC_WITH_MESH {
                    return Err(("drain", format!("MemC{inst} has no MeshA path (MemC0-3 only)")));
                }
                range("send_rb", m.send_rb, 1, isa::MEMC_ROWS / 128)?;
                range("send_cb", m.send_cb, 1, 255)?;
                range("send_kb", m.send_kb, 1, isa::MEMC_COLS / 128)?;
            }
            if post != PostOp::None && drain == Drain::None {
                return Err(("post_op", "a post-op needs a drain".into()));
            }
            if post == PostOp::Softmax && inst >= isa::MEMC_WITH_MESH {
                return Err(("post_op", format!("MemC{inst} has no softmax unit (MemC0-3 only)")));
            }
            if post == PostOp::LayerNorm {
                let eps = f32::from_bits(m.eps);
                if !(eps.is_finite() && eps >= 0.0) {
                    return Err(("eps", format!("LayerNorm epsilon {eps} must be finite and >= 0")));
                }
            }
            if m.ln_pair == 1 {
                if post != PostOp::LayerNorm || drain != Drain::Store {
                    return Err(("ln_pair", "a split LayerNorm needs post_op LayerNorm on a store drain".into()));
                }
                if m.ln_total <= m.cols || m.ln_total > 2 * isa::MEMC_COLS {
                    return Err((
                        "ln_total",
                        format!(
                            "{} must exceed this half's {} columns and be at most {}",
                            m.ln_total,
                            m.cols,
                            2 * isa::MEMC_COLS
                        ),
                    ));
                }
            } else if m.ln_total != 0 {
                return Err(("ln_total", "only meaningful with ln_pair".into()));
            }
            if fill && drain != Drain::None && m.fill_bank == m.drain_bank {
                return Err(("drain_bank", "draining the bank being filled".into()));
            }
            Ok(())
        }
        (Opcode::MeshA, Payload::MeshA(m)) => {
            range("blocks", m.blocks, 1, 0xffff)?;
            let sel = topology::mesha_selects(m);
            check_routes(&sel, &isa::MESHA_ROUTES, &["src0", "src1", "src2", "src3", "src4", "src5"], true)
        }
        (Opcode::MeshB, Payload::MeshB(m)) => {
            range("blocks", m.blocks, 1, 0xffff)?;
            let sel = topology::meshb_selects(m);
            check_routes(&sel, &isa::MESHB_ROUTES, &["src0", "src1", "src2", "src3", "src4", "src5"], false)
        }
        _ => Err(("opcode", format!("payload {p:?} does not belong to {opcode:?}"))),
    }
}

fn check_routes(
    sel: &[u32; ENGINES],
    allowed: &[&[u32]; ENGINES],
    names: &[&'static str; ENGINES],
    mesh_a: bool,
) -> Result<(), (&'static str, String)> {
    if sel.iter().all(|&s| s == 0) {
        return Err(("src0", "no engine selects a source".into()));
    }
    for e in 0..ENGINES {
        if sel[e] != 0 && !allowed[e].contains(&sel[e]) {
            return Err((
                names[e],
                format!(
                    "MME{e} is not wired to {} (allowed: {})",
                    topology::source_name(mesh_a, sel[e]),
                    allowed[e].iter().map(|c| topology::source_name(mesh_a, *c)).collect::<Vec<_>>().join(", ")
                ),
            ));
        }
    }
    Ok(())
}

/// Which memory window a DRAM unit addresses.
fn dram_memory(op: Opcode) -> Memory {
    if op == Opcode::Lpddr {
        Memory::Lpddr
    } else {
        Memory::Ddr
    }
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
    // Offsets are unsigned, so the first chunk of iteration 0 starts lowest and the last chunk of
    // the last iteration ends highest; every chunk lies in between.
    let first = d.start as u64 * LINE_BYTES;
    let last_line = d.start as u64
        + (repeat as u64 - 1) * d.iter_offset as u64
        + (d.chunk_count as u64 - 1) * d.chunk_stride as u64
        + d.chunk_lines as u64;
    let end = last_line * LINE_BYTES;
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
                check_payload(p.opcode, inst, w).map_err(|(field, msg)| ferr(mpos, fu.clone(), field, msg))?;
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
