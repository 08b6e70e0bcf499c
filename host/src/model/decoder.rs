//! The decoder: reads the instruction stream (checking it as the hardware does when the host has
//! not) and hands each packet's window to the queues of the FUs it selects, the DDR unit's loads
//! and stores to its read and write channels. A barrier waits until every FU has drained.
//!
//! The functional kernel is [`targets`]: which queues get what share of a packet.

use super::unit::{fault, queue_index, Acct, EResult, FuQueue, Queued};
use crate::hal::FaultCode;
use crate::isa::{self, InstrPos, Opcode, Packet, Payload};
use crate::topology::Fu;
use std::sync::Arc;

/// Decode and check words as the hardware decoder does: a word it cannot decode, or a field out of
/// range, is an illegal-instruction fault at its position.
pub(super) fn decode_checked(words: &[u32]) -> EResult<Vec<(Packet, InstrPos)>> {
    let packets = isa::decode_with_positions(words).map_err(|e| {
        let at = match &e {
            isa::DecodeError::Header { packet, word, .. } | isa::DecodeError::Truncated { packet, word, .. } => {
                Some(InstrPos { packet: *packet, mop: 0, word: *word })
            }
            isa::DecodeError::Payload { packet, mop, word, .. } => {
                Some(InstrPos { packet: *packet, mop: *mop, word: *word })
            }
            _ => None,
        };
        fault(FaultCode::IllegalInstruction, at, e.to_string())
    })?;
    for (p, pos) in &packets {
        for inst in p.instances() {
            for (m, w) in p.window.iter().enumerate() {
                if let Err((field, msg)) = isa::check::check_payload(p.opcode, inst, w) {
                    return Err(fault(
                        FaultCode::IllegalInstruction,
                        Some(InstrPos { mop: pos.mop + m, ..*pos }),
                        format!("{}, field `{field}`: {msg}", p.opcode.instance_name(inst)),
                    ));
                }
            }
        }
    }
    Ok(packets)
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
