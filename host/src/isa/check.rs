//! What each FU accepts in a payload: the declared field ranges (the `payload!` tables) and the
//! rules between fields. The host's validator and the model's decoder both apply it, so a device
//! and the host refuse exactly the same payloads.

use super::{
    source_name, Drain, DramPort, LoadMode, Opcode, Payload, PostOp, ENGINES, MEMC_COLS, MEMC_WITH_MESH, MESHA_ROUTES,
    MESHB_ROUTES,
};

/// Semantic checks of one payload for one FU instance. Returns the offending field and why.
pub fn check_payload(opcode: Opcode, inst: u32, p: &Payload) -> Result<(), (&'static str, String)> {
    match (opcode, p) {
        (Opcode::Decoder, Payload::Decoder(d)) => d.check_field("kind", inst),
        (Opcode::Ddr | Opcode::Lpddr, Payload::Dram(d)) => {
            d.check_field("chunk_lines", inst)?;
            d.check_field("chunk_count", inst)?;
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
            for f in ["rows", "cols", "send_rb", "send_cb"] {
                m.check_field(f, inst)?;
            }
            if m.send_en == 1 && m.load_en == 1 && m.load_bank == m.send_bank {
                return Err(("send_bank", "sending the bank being loaded".into()));
            }
            Ok(())
        }
        (Opcode::MemB, Payload::MemB(m)) => {
            if m.load_en == 0 && m.send_en == 0 {
                return Err(("load_en", "neither load nor send is enabled".into()));
            }
            m.check_field("rows", inst)?;
            m.check_field("cols", inst)?;
            if m.load_en == 1 && inst == 2 && m.load_src == 1 {
                return Err(("load_src", "MemB2 is fed from DDR only".into()));
            }
            for f in ["send_kb", "send_cb", "send_reps"] {
                m.check_field(f, inst)?;
            }
            if m.send_en == 1 && m.load_en == 1 && m.load_bank == m.send_bank {
                return Err(("send_bank", "sending the bank being loaded".into()));
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
            for f in ["rows", "cols", "recv_rb", "recv_cb", "recv_kb", "k_iters"] {
                m.check_field(f, inst)?;
            }
            if m.acc == 1 && m.recv_en == 0 {
                return Err(("acc", "accumulate is set without a receive".into()));
            }
            if drain == Drain::Mesh && inst >= MEMC_WITH_MESH {
                return Err(("drain", format!("MemC{inst} has no MeshA path (MemC0-3 only)")));
            }
            for f in ["send_rb", "send_cb", "send_kb"] {
                m.check_field(f, inst)?;
            }
            if post != PostOp::None && drain == Drain::None {
                return Err(("post_op", "a post-op needs a drain".into()));
            }
            if post == PostOp::Softmax && inst >= MEMC_WITH_MESH {
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
                if m.ln_total <= m.cols || m.ln_total > 2 * MEMC_COLS {
                    return Err((
                        "ln_total",
                        format!(
                            "{} must exceed this half's {} columns and be at most {}",
                            m.ln_total,
                            m.cols,
                            2 * MEMC_COLS
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
            m.check_field("blocks", inst)?;
            check_routes(&m.selects(), &MESHA_ROUTES, true)
        }
        (Opcode::MeshB, Payload::MeshB(m)) => {
            m.check_field("blocks", inst)?;
            check_routes(&m.selects(), &MESHB_ROUTES, false)
        }
        _ => Err(("opcode", format!("payload {p:?} does not belong to {opcode:?}"))),
    }
}

fn check_routes(sel: &[u32; ENGINES], allowed: &[&[u32]; ENGINES], mesh_a: bool) -> Result<(), (&'static str, String)> {
    const NAMES: [&str; ENGINES] = ["src0", "src1", "src2", "src3", "src4", "src5"];
    if sel.iter().all(|&s| s == 0) {
        return Err(("src0", "no engine selects a source".into()));
    }
    for e in 0..ENGINES {
        if sel[e] != 0 && !allowed[e].contains(&sel[e]) {
            return Err((
                NAMES[e],
                format!(
                    "MME{e} is not wired to {} (allowed: {})",
                    source_name(mesh_a, sel[e]),
                    allowed[e].iter().map(|c| source_name(mesh_a, *c)).collect::<Vec<_>>().join(", ")
                ),
            ));
        }
    }
    Ok(())
}
