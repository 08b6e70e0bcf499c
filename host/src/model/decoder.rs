//! The decoder: reads the instruction stream (checking it as the hardware does when the host has
//! not) and hands each packet's window to the queues of the FUs it selects, the DDR unit's loads
//! and stores to its read and write channels. A barrier waits until every FU has drained.
//!
//! The functional kernel is [`targets`]: which queues get what share of a packet.

use super::unit::{fault, queue_index, Acct, EResult, FuQueue, Queued};
use crate::hal::{Allocation, FaultCode};
use crate::isa::{self, InstrPos, Opcode, Packet, Payload};
use crate::topology::Fu;
use std::sync::Arc;

/// Decode and check words as the hardware decoder does: a word it cannot decode, or a field out of
/// range, is an illegal-instruction fault at its position; a DRAM mOP whose whole range no buffer
/// bound holds is a DMA-bounds fault at its payload. The first fault in stream order is the one
/// reported ([`first_fault`]), at the word the RTL decoder names, placed with
/// [`isa::locate_word`] so that every backend names the same packet and mOP.
pub(super) fn decode_checked(words: &[u32], bounds: &[Allocation]) -> EResult<Vec<(Packet, InstrPos)>> {
    if let Some((word, code, message)) = first_fault(words, bounds) {
        return Err(fault(code, isa::locate_word(words, word), message));
    }
    isa::decode_with_positions(words).map_err(|e| {
        // Unreachable: first_fault reports every decode error.
        fault(FaultCode::IllegalInstruction, isa::locate_word(words, e.word(words)), e.to_string())
    })
}

/// The first fault the streaming decoder meets, and the word it reports (rtl/decoder/README.md).
/// The hardware reads the stream header, then packet by packet the header, each payload (its
/// reserved bits word by word, then at its last word its fields for every selected instance,
/// [`isa::check::check_payload`], and a DRAM mOP's whole range against the bounds), and at the
/// packet's end `last` and the packet count. The host's
/// whole-program decoder checks the declared length first; the hardware can only find a
/// disagreement where the stream stops. So a field fault comes first when its payload ends before
/// the word at which the hardware meets the structural fault.
pub(super) fn first_fault(words: &[u32], bounds: &[Allocation]) -> Option<(usize, FaultCode, String)> {
    let structural = isa::decode_with_positions(words).err().map(|e| in_stream_order(words, e));
    let stop = match &structural {
        None => usize::MAX,
        Some(e) => match e {
            isa::DecodeError::TooShort(_) | isa::DecodeError::BadMagic { .. } | isa::DecodeError::BadVersion { .. } => {
                0
            }
            isa::DecodeError::LengthMismatch { declared, actual } => (*declared as usize).min(*actual) - 1,
            isa::DecodeError::Header { word, .. }
            | isa::DecodeError::Truncated { word, .. }
            | isa::DecodeError::Payload { word, .. } => *word,
            isa::DecodeError::EarlyLast { .. }
            | isa::DecodeError::PacketCount { .. }
            | isa::DecodeError::MissingLast => usize::MAX,
        },
    };
    // The hardware holds the bounds as the coalesced pairs the host programs, not per buffer.
    first_field_fault(words, stop, &crate::hal::regmap::bound_pairs(bounds))
        .or_else(|| structural.map(|e| (e.word(words), FaultCode::IllegalInstruction, e.to_string())))
}

/// The first payload, in stream order, that ends before word `stop` and that an FU refuses or
/// whose DRAM range lies outside the bounds, with its first word.
fn first_field_fault(
    words: &[u32],
    stop: usize,
    pairs: &[(crate::hal::Memory, u64, u64)],
) -> Option<(usize, FaultCode, String)> {
    let (mut at, mut packet) = (isa::STREAM_HEADER_WORDS, 0usize);
    while at < words.len().min(stop) {
        // A header the decoder refuses ends the walk: that is the structural fault.
        let h = isa::decode_header(words, at, packet).ok()?;
        let pw = h.opcode.payload_words();
        let instances: Vec<u32> = (0..h.opcode.instances()).filter(|i| h.mask >> i & 1 == 1).collect();
        for m in 0..h.window as usize {
            let w0 = at + 1 + m * pw;
            if w0 + pw > words.len().min(stop) {
                return None;
            }
            let payload = Payload::decode(h.opcode, &words[w0..w0 + pw]).ok()?;
            for &inst in &instances {
                if let Err((field, msg)) = isa::check::check_payload(h.opcode, inst, &payload) {
                    let msg = format!("{}, field `{field}`: {msg}", h.opcode.instance_name(inst));
                    return Some((w0, FaultCode::IllegalInstruction, msg));
                }
            }
            if let Payload::Dram(d) = &payload {
                let mem = crate::validate::dram_memory(h.opcode);
                let (first, end) = crate::validate::dram_range(d, h.repeat);
                if !pairs.iter().any(|&(m, lo, hi)| m == mem && lo <= first && end <= hi) {
                    let msg = format!(
                        "{}: its {mem:?} range {first:#x}..{end:#x} is outside the programmed buffer bounds \
                         (no one bound pair holds it; checked by the decoder before dispatch)",
                        h.opcode.instance_name(instances[0])
                    );
                    return Some((w0, FaultCode::DmaBounds, msg));
                }
            }
        }
        at += 1 + h.window as usize * pw;
        packet += 1;
    }
    None
}

/// The error the streaming decoder meets first. The host's decoder checks the declared length
/// against the program before anything else; the hardware reads packets until the stream ends or
/// passes the declared count (rtl/decoder/README.md), so a packet error before that point comes
/// first.
fn in_stream_order(words: &[u32], e: isa::DecodeError) -> isa::DecodeError {
    let isa::DecodeError::LengthMismatch { declared, actual } = e else { return e };
    let seen = (declared as usize).min(actual);
    if seen <= isa::STREAM_HEADER_WORDS {
        return e;
    }
    let mut prefix = words[..seen].to_vec();
    prefix[2] = seen as u32;
    match isa::decode_with_positions(&prefix) {
        Err(
            first @ (isa::DecodeError::Header { .. }
            | isa::DecodeError::Payload { .. }
            | isa::DecodeError::EarlyLast { .. }),
        ) => first,
        _ => e,
    }
}

/// The FU queues a (non-decoder) packet goes to and each one's share: a DDR packet's loads to the
/// read channel and its stores to the write channel, every other packet whole to each selected
/// instance.
pub fn targets(p: &Packet) -> Vec<(Fu, Packet)> {
    let mut out = Vec::new();
    match p.opcode {
        Opcode::Ddr => {
            let (loads, stores): (Vec<Payload>, Vec<Payload>) =
                p.window.iter().partition(|w| !matches!(w, Payload::Dram(d) if d.store == 1));
            if !loads.is_empty() {
                out.push((Fu::DdrRead, Packet::new(p.opcode, 1, p.repeat, loads)));
            }
            if !stores.is_empty() {
                out.push((Fu::DdrWrite, Packet::new(p.opcode, 1, p.repeat, stores)));
            }
        }
        _ => {
            for inst in p.instances() {
                let fu = match p.opcode {
                    Opcode::Lpddr => Fu::Lpddr,
                    Opcode::MemA => Fu::MemA(inst as u8),
                    Opcode::MemB => Fu::MemB(inst as u8),
                    Opcode::MemC => Fu::MemC(inst as u8),
                    Opcode::MeshA => Fu::MeshA,
                    _ => Fu::MeshB,
                };
                out.push((fu, p.clone()));
            }
        }
    }
    out
}

/// The decoder's progress through a program.
pub(super) struct Decoder {
    pub packets: Arc<Vec<(Packet, InstrPos)>>,
    pub next_packet: usize,
    pub t: f64,
    pub acct: Acct,
    pub blocked: String,
    stores_dispatched: u64,
}

impl Decoder {
    pub fn new(packets: Arc<Vec<(Packet, InstrPos)>>, fetch_latency: f64) -> Decoder {
        Decoder {
            packets,
            next_packet: 0,
            t: fetch_latency,
            acct: Acct::default(),
            blocked: String::new(),
            stores_dispatched: 0,
        }
    }

    pub fn done(&self) -> bool {
        self.next_packet == self.packets.len()
    }

    /// Hand out packets while the target queues have room, at `fetch` words per cycle and at most
    /// `queue_mops` mOPs per queue.
    pub fn dispatch(&mut self, queues: &mut [FuQueue], fetch: f64, queue_mops: usize) -> EResult<bool> {
        let mut progress = false;
        while self.next_packet < self.packets.len() {
            let (p, pos) = &self.packets[self.next_packet];
            let words = 1 + p.window.len() * p.opcode.payload_words();
            let cost = words as f64 / fetch;
            if p.opcode == Opcode::Decoder {
                let barrier = p.window.iter().any(|w| matches!(w, Payload::Decoder(d) if d.kind == 1));
                if barrier {
                    let busy: Vec<String> =
                        queues.iter().filter(|u| u.active || !u.queue.is_empty()).map(|u| u.fu.name()).collect();
                    if !busy.is_empty() {
                        self.blocked = format!("barrier at {pos}: waiting for {} to drain", busy.join(", "));
                        return Ok(progress);
                    }
                    let t = queues.iter().map(|u| u.t).fold(self.t, f64::max);
                    self.acct.stall_in += t - self.t;
                    self.t = t;
                }
                self.t += cost;
                self.acct.busy += cost;
                self.acct.uops += p.window.len() as u64 * p.repeat as u64;
                self.next_packet += 1;
                progress = true;
                continue;
            }
            let targets: Vec<(usize, Packet)> = targets(p).into_iter().map(|(fu, tp)| (queue_index(fu), tp)).collect();
            if let Some((u, _)) = targets.iter().find(|(u, tp)| queues[*u].queued_mops + tp.window.len() > queue_mops) {
                self.blocked = format!("queue of {} full ({} mOPs)", queues[*u].fu.name(), queues[*u].queued_mops);
                return Ok(progress);
            }
            let space_t = targets.iter().map(|(u, _)| queues[*u].last_pop).fold(0.0, f64::max);
            let start = self.t.max(space_t);
            self.acct.stall_out += start - self.t;
            self.t = start + cost;
            self.acct.busy += cost;
            let stores_before = self.stores_dispatched;
            for (u, tp) in targets {
                let n_stores =
                    tp.window.iter().filter(|w| matches!(w, Payload::Dram(d) if d.store == 1)).count() as u64;
                self.stores_dispatched += n_stores * tp.repeat as u64;
                let unit = &mut queues[u];
                unit.queued_mops += tp.window.len();
                unit.queue.push_back(Queued { packet: tp, pos: *pos, avail: self.t, stores_before });
            }
            self.acct.uops += 1;
            self.blocked.clear();
            self.next_packet += 1;
            progress = true;
        }
        Ok(progress)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hal::Memory;
    use crate::isa::{DramOp, MemAOp, MeshAOp, MeshBOp, Program};

    /// Bounds that hold every range the tests' programs address.
    const ALL: &[Allocation] = &[
        Allocation { id: 0, memory: Memory::Ddr, offset: 0, len: 1 << 40 },
        Allocation { id: 0, memory: Memory::Lpddr, offset: 0, len: 1 << 40 },
    ];

    /// A small valid program (the model's tests do not reach up to the compiler): a MemA load, a
    /// MeshA route and a MeshB route.
    fn program() -> Vec<u32> {
        let a = MemAOp { load_en: 1, send_bank: 1, rows: 256, cols: 128, ..Default::default() };
        let ma = MeshAOp { blocks: 1, src0: 1, ..Default::default() };
        let mb = MeshBOp { blocks: 1, src0: 1, ..Default::default() };
        Program {
            packets: vec![
                Packet::new(Opcode::MemA, 1, 1, vec![Payload::MemA(a)]),
                Packet::new(Opcode::MeshA, 1, 1, vec![Payload::MeshA(ma)]),
                Packet::new(Opcode::MeshB, 1, 1, vec![Payload::MeshB(mb)]),
            ],
        }
        .encode()
        .unwrap()
    }

    fn payload_word(words: &[u32], opcode: Opcode, nth: usize) -> usize {
        let packets = isa::decode_with_positions(words).unwrap();
        let (_, pos) = packets.iter().filter(|(p, _)| p.opcode == opcode).nth(nth).unwrap();
        pos.word + 1
    }

    #[test]
    fn a_field_fault_before_a_structural_one_is_reported_first() {
        let mut w = program();
        // MemA `rows` = 0 in the first MemA payload (refused by the FU, not by the decoder's
        // structure), then a reserved bit in a later MeshB payload.
        let a = payload_word(&w, Opcode::MemA, 0);
        w[a] &= !(0x1ff << 5);
        let b = payload_word(&w, Opcode::MeshB, 0);
        w[b] |= 1 << 31;
        assert!(a < b);
        let (word, _, msg) = first_fault(&w, ALL).unwrap();
        assert_eq!(word, a, "{msg}");
        assert!(msg.contains("field `rows`"), "{msg}");
        // The structural fault alone is reported at its word.
        let mut w2 = program();
        w2[b] |= 1 << 31;
        assert_eq!(first_fault(&w2, ALL).unwrap().0, b);
    }

    #[test]
    fn a_wrong_length_is_found_where_the_stream_ends() {
        let mut w = program();
        let b = payload_word(&w, Opcode::MeshB, 0);
        w[b] |= 1 << 31;
        w[2] += 7;
        // The hardware meets the reserved bit before it can see the length disagree.
        assert_eq!(first_fault(&w, ALL).unwrap().0, b);
        let mut w3 = program();
        w3[2] += 7;
        let (word, _, msg) = first_fault(&w3, ALL).unwrap();
        assert_eq!(word, 2, "{msg}");
        assert_eq!(isa::locate_word(&w3, word), None);
    }

    #[test]
    fn positions_name_the_payload_in_programs_that_do_not_decode() {
        // A MeshA packet with a window of three.
        let mut prog = isa::Program::decode(&program()).unwrap();
        let k = prog.packets.iter().position(|p| p.opcode == Opcode::MeshA).unwrap();
        let one = prog.packets[k].window[0];
        prog.packets[k].window = vec![one; 3];
        let mut w = prog.encode().unwrap();
        let packets = isa::decode_with_positions(&w).unwrap();
        let (p, pos) = &packets[k];
        let pw = p.opcode.payload_words();
        let word = pos.word + 1 + pw + 1;
        // Break a later header: the walk still places words before it.
        let last = packets.last().unwrap().1.word;
        w[last] |= 0xf;
        let at = isa::locate_word(&w, word).unwrap();
        assert_eq!((at.packet, at.mop, at.word), (pos.packet, pos.mop + 1, word));
        assert_eq!(isa::locate_word(&w, 3), None);
    }

    #[test]
    fn a_dram_range_outside_the_bounds_is_a_bounds_fault_in_stream_order() {
        // A DDR load of 2 iterations x 3 chunks, then the small program with a reserved bit set
        // in a later payload: the range fault comes first, at the DRAM payload.
        let d = DramOp {
            start: 10,
            chunk_lines: 4,
            chunk_count: 3,
            chunk_stride: 8,
            iter_offset: 100,
            port: 0,
            ..Default::default()
        };
        let mut prog = isa::Program::decode(&program()).unwrap();
        prog.packets.insert(0, Packet::new(Opcode::Ddr, 1, 2, vec![Payload::Dram(d)]));
        let mut w = prog.encode().unwrap();
        let dram = payload_word(&w, Opcode::Ddr, 0);
        // Lines 10 .. 10 + 100 + 2 * 8 + 4 = 130: bytes 640 .. 8320.
        let exact = [Allocation { id: 0, memory: Memory::Ddr, offset: 640, len: 8320 - 640 }];
        assert_eq!(first_fault(&w, &exact), None);
        assert_eq!(first_fault(&w, ALL), None);
        let short = [Allocation { id: 0, memory: Memory::Ddr, offset: 640, len: 8320 - 640 - 64 }];
        let lpddr = [Allocation { id: 0, memory: Memory::Lpddr, offset: 0, len: 1 << 40 }];
        for bounds in [&short[..], &lpddr[..], &[]] {
            let (word, code, msg) = first_fault(&w, bounds).unwrap();
            assert_eq!((word, code), (dram, FaultCode::DmaBounds), "{msg}");
        }
        let b = payload_word(&w, Opcode::MeshB, 0);
        w[b] |= 1 << 31;
        let (word, code, msg) = first_fault(&w, &short).unwrap();
        assert_eq!((word, code), (dram, FaultCode::DmaBounds), "{msg}");
        assert!(msg.contains("0x280..0x2080"), "{msg}");
        let (word, code, _) = first_fault(&w, &exact).unwrap();
        assert_eq!((word, code), (b, FaultCode::IllegalInstruction));
    }
}
