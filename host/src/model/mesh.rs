//! MeshA and MeshB: route blocks from the memories to the engines, one route per selected source,
//! broadcasting a block to every engine that selects its source; routes run side by side.
//!
//! The functional kernel is [`crate::topology::mesh_routes`] (which engines each source feeds).

use super::unit::{Acct, Ctx, EResult, Step};
use crate::isa::{InstrPos, ENGINES};
use crate::numerics::BLOCK_ELEMS;
use crate::topology::{self, Stream};

struct Route {
    src: Stream,
    dsts: Vec<Stream>,
    left: u32,
    t: f64,
    busy: f64,
}

/// One mesh.
#[derive(Default)]
pub(super) struct MeshUnit {
    run: Option<Vec<Route>>,
}

impl MeshUnit {
    pub fn begin(&mut self, selects: [u32; ENGINES], blocks: u32, mesh_a: bool, start: f64) {
        let routes = topology::mesh_routes(&selects)
            .into_iter()
            .map(|(src, dsts)| Route {
                src: if mesh_a { Stream::mesha_source(src) } else { Stream::meshb_source(src) }
                    .expect("checked at decode"),
                dsts: dsts
                    .into_iter()
                    .map(|e| if mesh_a { Stream::MeshAToMme(e) } else { Stream::MeshBToMme(e) })
                    .collect(),
                left: blocks,
                t: start,
                busy: 0.0,
            })
            .collect();
        self.run = Some(routes);
    }

    pub fn step(&mut self, ctx: &mut Ctx, acct: &mut Acct, pos: InstrPos) -> EResult<Step> {
        let (rates, fifos) = (&ctx.rates, &mut ctx.fifos);
        let routes = self.run.as_mut().expect("active");
        let mut progressed = false;
        let mut blocked = Vec::new();
        for rt in routes.iter_mut().filter(|r| r.left > 0) {
            let have = fifos[rt.src.index()].len();
            if have < BLOCK_ELEMS {
                blocked.push(format!("waiting for data on {}", rt.src.name()));
                continue;
            }
            if let Some(full) = rt.dsts.iter().find(|d| fifos[d.index()].space() < BLOCK_ELEMS) {
                blocked.push(format!("waiting for room on {}", full.name()));
                continue;
            }
            // Beats are forwarded as they arrive (cut-through).
            let dur = BLOCK_ELEMS as f64 / rates.mesh;
            let mut start = rt.t.max(fifos[rt.src.index()].ready_time(BLOCK_ELEMS) - dur);
            let waited_in = start > rt.t;
            for d in &rt.dsts {
                start = start.max(fifos[d.index()].space_time(BLOCK_ELEMS));
            }
            let blk = fifos[rt.src.index()].pop_chunk(BLOCK_ELEMS, start + dur);
            for d in &rt.dsts {
                fifos[d.index()].push_chunk(blk.clone(), start + dur + rates.mesh_lat);
            }
            acct.step(rt.t, start, 0.0, waited_in);
            acct.bytes += (BLOCK_ELEMS * 4 * rt.dsts.len()) as u64;
            rt.busy += dur;
            rt.t = start + dur;
            rt.left -= 1;
            progressed = true;
        }
        if routes.iter().all(|r| r.left == 0) {
            let t = routes.iter().map(|r| r.t).fold(0.0, f64::max);
            acct.busy += routes.iter().map(|r| r.busy).fold(0.0, f64::max);
            self.run = None;
            return Ok(Step::Done(t));
        }
        Ok(if progressed { Step::Progress } else { Step::Blocked(format!("at {pos}: {}", blocked.join("; "))) })
    }
}
