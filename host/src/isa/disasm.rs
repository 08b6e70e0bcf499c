//! Disassembler: one line per mOP, every field named.

use super::{decode_with_positions, DecodeError, Opcode, Payload, MESHA_SOURCES, MESHB_SOURCES};
use std::fmt::Write;

/// Instance list of a mask, e.g. "MemC0,MemC3".
pub fn mask_names(op: Opcode, mask: u32) -> String {
    (0..op.instances()).filter(|i| mask & (1 << i) != 0).map(|i| op.instance_name(i)).collect::<Vec<_>>().join(",")
}

/// Render a program. Each line: word offset, packet/mOP index, mnemonic, instances, iteration
/// controls, then `field=value` for every payload field (with a decoded hint where useful).
pub fn disassemble(words: &[u32]) -> Result<String, DecodeError> {
    let packets = decode_with_positions(words)?;
    let mut out = String::new();
    let n = packets.len();
    for (i, (p, pos)) in packets.iter().enumerate() {
        let pw = p.opcode.payload_words();
        for (m, w) in p.window.iter().enumerate() {
            let _ = write!(
                out,
                "{:06x}  p{:<4} m{:<5} {:<5} mask={:#08b}({}) last={} window={} repeat={} |",
                pos.word + 1 + m * pw,
                pos.packet,
                pos.mop + m,
                p.opcode.mnemonic(),
                p.mask,
                mask_names(p.opcode, p.mask),
                (i + 1 == n) as u32,
                p.window.len(),
                p.repeat
            );
            for (name, v) in w.named_values() {
                let _ = write!(out, " {name}={v}");
                if let Some(h) = hint(w, name, v) {
                    let _ = write!(out, "({h})");
                }
            }
            out.push('\n');
        }
    }
    Ok(out)
}

fn hint(w: &Payload, name: &str, v: u32) -> Option<String> {
    match (w, name) {
        (Payload::Dram(_), "port") => super::DramPort::from_bits(v).map(|p| format!("{p:?}")),
        (Payload::MemC(_), "eps") => Some(format!("{:e}", f32::from_bits(v))),
        (Payload::MemC(_), "post_op") => super::PostOp::from_bits(v).map(|p| format!("{p:?}")),
        (Payload::MemC(_), "load_mode") => super::LoadMode::from_bits(v).map(|p| format!("{p:?}")),
        (Payload::MemC(_), "drain") => super::Drain::from_bits(v).map(|p| format!("{p:?}")),
        (Payload::MeshA(_), n) if n.starts_with("src") => MESHA_SOURCES.get(v as usize).map(|s| s.to_string()),
        (Payload::MeshB(_), n) if n.starts_with("src") => MESHB_SOURCES.get(v as usize).map(|s| s.to_string()),
        _ => None,
    }
}
