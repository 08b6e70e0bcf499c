//! The six matrix engines (AI Engine array, outside the PL). An engine block starts when both
//! operand blocks are in and MemC has room for the result; inputs stream in over the PLIO while
//! the previous block computes. The product itself is computed by the receiving MemC bank, in
//! background batches (see `cbank`): here only its timing and its place in the stream are made.
//!
//! The functional kernel is [`crate::numerics::mme_block_ref`] (the engine's block product).

use super::unit::{Acct, Ctx};
use crate::hal::Span;
use crate::numerics::BLOCK_ELEMS;
use crate::topology::{Fu, Stream};

/// One engine.
pub(super) struct Mme {
    /// Blocks still to compute (its runtime parameter).
    pub left: u64,
    t_compute: f64,
    pub t_out: f64,
    pub acct: Acct,
    pub blocked: String,
}

impl Mme {
    pub fn new(blocks: u32) -> Mme {
        Mme { left: blocks as u64, t_compute: 0.0, t_out: 0.0, acct: Acct::default(), blocked: String::new() }
    }
}

/// Start every engine block that can start. Returns whether any did.
pub(super) fn advance(mmes: &mut [Mme], ctx: &mut Ctx) -> bool {
    let mut any = false;
    for (e, m) in mmes.iter_mut().enumerate() {
        let (sa, sb, sc) = (Stream::MeshAToMme(e as u8), Stream::MeshBToMme(e as u8), Stream::MmeToMemC(e as u8));
        let (rates, fifos) = (&ctx.rates, &mut ctx.fifos);
        loop {
            if m.left == 0 {
                break;
            }
            let why = if fifos[sa.index()].len() < BLOCK_ELEMS {
                Some(sa)
            } else if fifos[sb.index()].len() < BLOCK_ELEMS {
                Some(sb)
            } else if fifos[sc.index()].space() < BLOCK_ELEMS {
                Some(sc)
            } else {
                None
            };
            if let Some(s) = why {
                let what = if s == sc { "room on" } else { "data on" };
                m.blocked = format!("waiting for {what} {}", s.name());
                break;
            }
            m.blocked.clear();
            any = true;
            let ready = fifos[sa.index()].ready_time(BLOCK_ELEMS).max(fifos[sb.index()].ready_time(BLOCK_ELEMS));
            let start = m.t_compute.max(ready);
            let a = fifos[sa.index()].pop_chunk(BLOCK_ELEMS, start);
            let b = fifos[sb.index()].pop_chunk(BLOCK_ELEMS, start);
            // Inputs stream in over eng_in cycles; they overlap the previous block's compute.
            let end = start + rates.block.max(rates.eng_in);
            let out_start = end.max(m.t_out).max(fifos[sc.index()].space_time(BLOCK_ELEMS));
            m.t_out = out_start + rates.eng_out;
            fifos[sc.index()].push_placeholder(BLOCK_ELEMS, m.t_out + rates.eng_lat);
            ctx.products[e].push_back((a, b));
            m.acct.step(m.t_compute, start, rates.block, true);
            ctx.timeline.push(Span { fu: Fu::Mme(e as u8).index() as u16, start, end, packet: m.acct.uops as u32 });
            m.acct.bytes += (BLOCK_ELEMS * 4) as u64;
            m.acct.uops += 1;
            m.t_compute = end;
            m.left -= 1;
        }
    }
    any
}
