//! The model's scheduler: every FU is a small state machine over timed, bounded streams, and the
//! scheduler sweeps them (decoder, queued FUs, engines) until the program ends, deadlocks or is
//! cancelled.
//!
//! Functional behaviour follows the ISA semantics exactly (the data really flows through the
//! streams, banks and engines, with the numerics contract). Timing is cycle-approximate: each FU
//! step starts when its inputs have arrived, its output has room and the FU is free, and lasts as
//! long as the step's transfer or compute takes at the rates in the bitstream description. Steps
//! that pass a stream on as it arrives (memory loads, mesh routes, MemC receives, DDR stores) are
//! cut-through, as the RTL's streams are: such a step ends when its transfer time has passed and its
//! last input has arrived, not a transfer time after that. Consumers take at most a piece at a time,
//! so room upstream frees up as they go. The result does not depend on the order in which FUs are
//! visited.

use super::decoder::{decode_checked, Decoder};
use super::dram::{self, DramRun};
use super::fifo::{BusCalendar, Fifo};
use super::mem_ab::MemUnit;
use super::memc::MemCUnit;
use super::memory::DramMemory;
use super::mesh::MeshUnit;
use super::mme::{self, Mme};
use super::timing::Rates;
use super::unit::{queued_fus, Acct, Ctx, EResult, FuQueue, Step};
use crate::bitstream::Bitstream;
use crate::hal::{Allocation, DeviceError, FaultCode, FuCounters, FuState, RunReport, Span};
use crate::isa::{self, EngineRtp, InstrPos, Packet, Payload, ENGINES};
use crate::topology::{Fu, Stream};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// The program a run executes.
pub enum Program {
    /// Decoded and validated by the host.
    Validated(Arc<Vec<(Packet, InstrPos)>>),
    /// Raw words from the instruction buffer.
    Words(Vec<u32>),
}

/// Each queued FU's own state.
enum UnitKind {
    DdrRead(Option<DramRun>),
    DdrWrite(Option<DramRun>),
    Lpddr(Option<DramRun>),
    Mem(MemUnit),
    MemC(MemCUnit),
    Mesh(MeshUnit),
}

/// Executes one program.
pub struct Scheduler<'a> {
    bs: &'a Bitstream,
    ctx: Ctx<'a>,
    dec: Decoder,
    /// Queue state of every queued FU and, in the same order, its own state.
    queues: Vec<FuQueue>,
    kinds: Vec<UnitKind>,
    mmes: Vec<Mme>,
}

impl<'a> Scheduler<'a> {
    /// Start on a program: the host's validated decode, or words decoded and checked as the
    /// hardware decoder would (faults name the instruction).
    pub fn new(
        bs: &'a Bitstream,
        mem: &'a mut DramMemory,
        bounds: &'a [Allocation],
        program: Program,
        rtp: &[EngineRtp; ENGINES],
    ) -> EResult<Scheduler<'a>> {
        let packets = match program {
            Program::Validated(p) => p,
            Program::Words(w) => Arc::new(decode_checked(&w, bounds)?),
        };
        let rates = Rates::new(bs);
        let (cap, pair_cap) = (bs.desc.fifo.stream_floats as usize, bs.desc.fifo.pair_floats as usize);
        let fifos = Stream::all()
            .into_iter()
            .map(|s| Fifo::new(if matches!(s, Stream::MemCPair(_)) { pair_cap } else { cap }))
            .collect();
        let fus = queued_fus();
        let kinds = fus
            .iter()
            .map(|fu| match *fu {
                Fu::DdrRead => UnitKind::DdrRead(None),
                Fu::DdrWrite => UnitKind::DdrWrite(None),
                Fu::Lpddr => UnitKind::Lpddr(None),
                Fu::MemA(_) => UnitKind::Mem(MemUnit::new(isa::MEMA_ROWS, isa::MEMA_COLS)),
                Fu::MemB(2) => UnitKind::Mem(MemUnit::new(isa::MEMB2_ROWS, isa::MEMB2_COLS)),
                Fu::MemB(_) => UnitKind::Mem(MemUnit::new(isa::MEMB_ROWS, isa::MEMB_COLS)),
                Fu::MemC(_) => UnitKind::MemC(MemCUnit::new()),
                _ => UnitKind::Mesh(MeshUnit::default()),
            })
            .collect();
        let queues = fus
            .iter()
            .map(|fu| {
                let inst = match *fu {
                    Fu::MemA(i) | Fu::MemB(i) | Fu::MemC(i) => i,
                    _ => 0,
                };
                FuQueue::new(*fu, inst)
            })
            .collect();
        let dec = Decoder::new(packets, rates.fetch_lat);
        Ok(Scheduler {
            bs,
            ctx: Ctx {
                mem,
                bounds,
                fifos,
                rates,
                ddr_bus: BusCalendar::default(),
                lpddr_bus: BusCalendar::default(),
                store_done: Vec::new(),
                timeline: Vec::new(),
                pool: Vec::new(),
                pieces: Vec::new(),
                products: (0..ENGINES).map(|_| VecDeque::new()).collect(),
            },
            dec,
            queues,
            kinds,
            mmes: rtp.iter().map(|r| Mme::new(r.blocks)).collect(),
        })
    }

    /// Run to completion. `cancel` is polled between sweeps.
    pub fn run(mut self, cancel: &AtomicBool) -> EResult<RunReport> {
        loop {
            if cancel.load(Ordering::Relaxed) {
                return Err(DeviceError::Timeout { timeout: Default::default(), states: self.states() });
            }
            let (fetch, queue) = (self.ctx.rates.fetch, self.ctx.rates.queue);
            let mut progress = self.dec.dispatch(&mut self.queues, fetch, queue)?;
            for u in 0..self.queues.len() {
                progress |= self.advance_unit(u)?;
            }
            progress |= mme::advance(&mut self.mmes, &mut self.ctx);
            if self.finished() {
                let fifos = &self.ctx.fifos;
                let left: Vec<String> = Stream::all()
                    .into_iter()
                    .filter(|s| fifos[s.index()].len() > 0)
                    .map(|s| format!("{} ({} floats)", s.name(), fifos[s.index()].len()))
                    .collect();
                if !left.is_empty() {
                    return Err(DeviceError::Fault {
                        code: FaultCode::StreamResidue,
                        at: None,
                        message: format!("every FU finished but data is left on {}", left.join(", ")),
                        states: self.states(),
                    });
                }
                break;
            }
            if !progress {
                return Err(DeviceError::Fault {
                    code: FaultCode::Deadlock,
                    at: None,
                    message: "no FU can make progress: a stream waits for data or room that will never come".into(),
                    states: self.states(),
                });
            }
            let horizon = self.queues[0].t.min(self.queues[1].t);
            self.ctx.ddr_bus.prune(horizon - 1.0);
            self.ctx.lpddr_bus.prune(self.queues[2].t - 1.0);
        }
        Ok(self.report())
    }

    fn finished(&self) -> bool {
        self.dec.done()
            && self.queues.iter().all(|u| u.queue.is_empty() && !u.active)
            && self.mmes.iter().all(|m| m.left == 0)
    }

    fn report(&mut self) -> RunReport {
        let mut end = self.dec.t;
        for u in &self.queues {
            end = end.max(u.t);
        }
        for m in &self.mmes {
            end = end.max(m.t_out + self.ctx.rates.eng_lat);
        }
        for t in &self.ctx.store_done {
            end = end.max(*t);
        }
        let cycles = end.ceil() as u64;
        let mut counters = vec![FuCounters::default(); Fu::COUNT];
        let put = |c: &mut FuCounters, fu: Fu, a: &Acct| {
            *c = FuCounters {
                fu: fu.name(),
                busy_cycles: a.busy.round() as u64,
                stall_in_cycles: a.stall_in.round() as u64,
                stall_out_cycles: a.stall_out.round() as u64,
                bytes: a.bytes,
                uops: a.uops,
            };
        };
        put(&mut counters[Fu::Decoder.index()], Fu::Decoder, &self.dec.acct);
        for u in &self.queues {
            put(&mut counters[u.fu.index()], u.fu, &u.acct);
        }
        for (e, m) in self.mmes.iter().enumerate() {
            put(&mut counters[Fu::Mme(e as u8).index()], Fu::Mme(e as u8), &m.acct);
        }
        RunReport {
            cycles,
            device_ms: self.bs.cycles_to_ms(cycles),
            counters,
            timeline: std::mem::take(&mut self.ctx.timeline),
        }
    }

    fn states(&self) -> Vec<FuState> {
        let mut v = Vec::new();
        let d = &self.dec;
        let dec_state = if d.done() {
            "done".to_string()
        } else if d.blocked.is_empty() {
            "dispatching".into()
        } else {
            d.blocked.clone()
        };
        v.push(FuState {
            fu: "Decoder".into(),
            state: dec_state,
            at: d.packets.get(d.next_packet).map(|p| p.1),
            queued: d.packets.len() - d.next_packet,
        });
        for u in &self.queues {
            let state = if u.active {
                if u.blocked.is_empty() {
                    "running".into()
                } else {
                    u.blocked.clone()
                }
            } else if u.queue.is_empty() {
                "idle".into()
            } else {
                "waiting for its next mOP".into()
            };
            let at = u.queue.front().map(|q| InstrPos { mop: q.pos.mop + u.idx, ..q.pos });
            v.push(FuState { fu: u.fu.name(), state, at, queued: u.queued_mops });
        }
        for (e, m) in self.mmes.iter().enumerate() {
            let state = if m.left == 0 {
                "done".into()
            } else {
                format!("{} ({} blocks left)", if m.blocked.is_empty() { "running" } else { &m.blocked }, m.left)
            };
            v.push(FuState { fu: format!("MME{e}"), state, at: None, queued: 0 });
        }
        v
    }

    fn advance_unit(&mut self, ui: usize) -> EResult<bool> {
        let mut progress = false;
        loop {
            if !self.queues[ui].active {
                let Some(q) = self.queues[ui].queue.front() else { return Ok(progress) };
                let payload = q.packet.window[self.queues[ui].idx];
                let iter = self.queues[ui].iter;
                let start = self.queues[ui].t.max(q.avail);
                let stores_before = q.stores_before;
                self.begin(ui, &payload, iter, start, stores_before)?;
                self.queues[ui].active = true;
                self.queues[ui].mop_start = start;
                progress = true;
            }
            let pos = {
                let u = &self.queues[ui];
                let q = u.queue.front().expect("an active unit has its packet queued");
                InstrPos { mop: q.pos.mop + u.idx, ..q.pos }
            };
            match self.step(ui, pos)? {
                Step::Progress => {
                    progress = true;
                    self.queues[ui].blocked.clear();
                }
                Step::Blocked(why) => {
                    self.queues[ui].blocked = why;
                    return Ok(progress);
                }
                Step::Done(t) => {
                    progress = true;
                    let u = &mut self.queues[ui];
                    self.ctx.timeline.push(Span {
                        fu: u.fu.index() as u16,
                        start: u.mop_start,
                        end: t.max(u.mop_start),
                        packet: pos.packet as u32,
                    });
                    u.blocked.clear();
                    u.active = false;
                    u.t = u.t.max(t);
                    u.acct.uops += 1;
                    u.idx += 1;
                    let q = u.queue.front().expect("queued");
                    if u.idx == q.packet.window.len() {
                        u.idx = 0;
                        u.iter += 1;
                        if u.iter == q.packet.repeat {
                            u.iter = 0;
                            u.queued_mops -= q.packet.window.len();
                            u.last_pop = u.t;
                            u.queue.pop_front();
                        }
                    }
                }
            }
        }
    }

    fn begin(&mut self, ui: usize, p: &Payload, iter: u32, start: f64, stores_before: u64) -> EResult<()> {
        let (fu, inst) = (self.queues[ui].fu, self.queues[ui].inst);
        match (&mut self.kinds[ui], p) {
            (UnitKind::DdrRead(run) | UnitKind::Lpddr(run), Payload::Dram(d)) => {
                *run = Some(DramRun::begin(d, iter, start, stores_before))
            }
            (UnitKind::DdrWrite(run), Payload::Dram(d)) => *run = Some(DramRun::begin(d, iter, start, 0)),
            (UnitKind::Mem(m), Payload::MemA(_) | Payload::MemB(_)) => m.begin(p, inst, iter, start),
            (UnitKind::MemC(c), Payload::MemC(m)) => c.begin(m, inst, iter, start, &mut self.ctx)?,
            (UnitKind::Mesh(mesh), Payload::MeshA(m)) => mesh.begin(m.selects(), m.blocks, true, start),
            (UnitKind::Mesh(mesh), Payload::MeshB(m)) => mesh.begin(m.selects(), m.blocks, false, start),
            _ => unreachable!("{fu:?} got a payload the decoder does not route to it: {p:?}"),
        }
        Ok(())
    }

    fn step(&mut self, ui: usize, pos: InstrPos) -> EResult<Step> {
        let (ctx, u) = (&mut self.ctx, &mut self.queues[ui]);
        match &mut self.kinds[ui] {
            UnitKind::DdrRead(run) => dram::step_load(run, false, ctx, &mut u.acct, pos),
            UnitKind::Lpddr(run) => dram::step_load(run, true, ctx, &mut u.acct, pos),
            UnitKind::DdrWrite(run) => dram::step_store(run, ctx, &mut u.acct, pos),
            UnitKind::Mem(m) => m.step(ctx, &mut u.acct, pos),
            UnitKind::MemC(c) => c.step(ctx, &mut u.acct, pos, u.inst),
            UnitKind::Mesh(m) => m.step(ctx, &mut u.acct, pos),
        }
    }
}
