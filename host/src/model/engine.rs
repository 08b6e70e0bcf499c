//! The model's execution engine: every FU as a small state machine over timed, bounded streams.
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

use super::cbank::{CBank, Pending};
use super::fifo::{BusCalendar, Chunk, Fifo};
use super::DramMemory;
use crate::bitstream::Bitstream;
use crate::hal::{DeviceError, FaultCode, FuCounters, FuState, Memory, RunReport};
use crate::isa::{
    self, expand, Drain, DramOp, DramPort, EngineRtp, InstrPos, LoadMode, Opcode, Packet, Payload, PostOp, ENGINES,
};
use crate::numerics::{self, BLOCK, BLOCK_ELEMS};
use crate::topology::{self, Fu, Stream};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// Largest piece a DRAM channel or a drain moves per step (keeps every step below a FIFO's capacity).
const PIECE: usize = 4096;

struct Queued {
    packet: Packet,
    pos: InstrPos,
    avail: f64,
    /// DDR loads: store mOP executions dispatched by earlier packets (for `fence`).
    stores_before: u64,
}

#[derive(Default)]
struct Acct {
    busy: f64,
    stall_in: f64,
    stall_out: f64,
    bytes: u64,
    uops: u64,
}

impl Acct {
    /// Account a step that could start at `free` but started at `start` (waiting on input or output)
    /// and ran for `dur`.
    fn step(&mut self, free: f64, start: f64, dur: f64, waited_on_input: bool) {
        let wait = (start - free).max(0.0);
        if waited_on_input {
            self.stall_in += wait;
        } else {
            self.stall_out += wait;
        }
        self.busy += dur;
    }
}

enum Step {
    /// Made progress; call again.
    Progress,
    /// Cannot proceed; the string says on what.
    Blocked(String),
    /// The current mOP finished at this time.
    Done(f64),
}

struct DramRun {
    d: DramOp,
    iter: u32,
    chunk: u32,
    off: u64,
    t: f64,
    fence: Option<u64>,
}

impl DramRun {
    /// The next piece of the current chunk: (byte offset, floats).
    fn piece(&self) -> (u64, usize) {
        let chunk = expand::dram_chunk(&self.d, self.iter, self.chunk);
        let n = (chunk.floats() - self.off) as usize;
        (chunk.byte_offset() + self.off * 4, n.min(PIECE))
    }

    /// Account `n` moved floats; steps to the next chunk at the end of one.
    fn advance(&mut self, n: usize) {
        self.off += n as u64;
        if self.off == expand::dram_chunk(&self.d, self.iter, self.chunk).floats() {
            self.off = 0;
            self.chunk += 1;
        }
    }
}

struct LoadAct {
    stream: Stream,
    total: usize,
    done: usize,
    rows: usize,
    cols: usize,
    transpose: bool,
    bank: usize,
    t: f64,
}

struct SendAct {
    stream: Stream,
    /// (row block, col block) of each block to send, in order.
    blocks: Vec<(usize, usize)>,
    next: usize,
    bank: usize,
    t: f64,
}

struct MemRun {
    load: Option<LoadAct>,
    send: Option<SendAct>,
    start: f64,
}

enum FillPhase {
    Load { mode: LoadMode, stage: Vec<f32>, need: usize, rows: usize, cols: usize },
    Recv { seq: Vec<(usize, usize, bool)>, next: usize },
    Done,
}

struct MemCRun {
    fill: FillPhase,
    recv_after_load: Option<Vec<(usize, usize, bool)>>,
    fill_bank: usize,
    t_fill: f64,
    drain: Option<DrainAct>,
    start: f64,
}

struct DrainAct {
    stream: Stream,
    /// Pieces to push, prepared when the drain starts (post-op applied); for a split LayerNorm,
    /// once the partial sums have been exchanged.
    pieces: Vec<Chunk>,
    next: usize,
    t: f64,
    /// Cycles before the first piece can leave: with a post-op, its pass over the drained rows
    /// (which rewrites the bank) plus the pipeline fill.
    first_latency: f64,
    pair: Option<Box<PairLn>>,
}

/// Rows MemC's post-op unit processes at a time (its lanes).
const POST_ROWS: usize = 32;

/// PL cycles the RTL's post-op unit takes per group of up to 32 rows of `cols` columns, from taking
/// the group to its last output beat, with `e` exp and `g` GELU function units per MemC. These are
/// the unit's schedule (rtl/memc/rsn_memc_post.sv; measured at full rate in rtl/memc/README_post.md,
/// "Timing / throughput"): one column per cycle for each pass over the rows (load, centre, output),
/// and the exp / GELU passes bounded by the function units, which take a new element every 14 / 20
/// cycles (13 / 19 cycles of arithmetic in rtl/fp, plus the hand-over).
fn postop_group_cycles(post: PostOp, cols: usize, pair: bool, e: f64, g: f64) -> f64 {
    let c = cols as f64;
    match post {
        PostOp::None => 0.0,
        PostOp::Softmax => 2.0 * c + (c * 14.0 / e).ceil() + 15.0,
        PostOp::LayerNorm if pair => 3.0 * c + 2.0 * POST_ROWS as f64 + 23.0,
        PostOp::LayerNorm => 3.0 * c + 21.0,
        PostOp::Gelu => (c * 20.0 / g).ceil() + 10.0,
    }
}

/// The post-op pass over `rows x cols` drained elements: whole groups of rows, one after another.
/// It runs before the drain streams the rewritten rows out, so it is a latency, not a rate.
fn postop_pass_cycles(rates: &Rates, post: PostOp, rows: usize, cols: usize, pair: bool) -> f64 {
    let group = postop_group_cycles(post, cols, pair, rates.post_exp_units, rates.post_gelu_units);
    rows.div_ceil(POST_ROWS) as f64 * group
}

/// A LayerNorm whose rows are split across a MemC pair (ISA v2 `ln_pair`).
struct PairLn {
    /// 0: send row sums; 1: await the partner's sums, send squared-deviation sums; 2: await the
    /// partner's, then emit.
    phase: u8,
    /// rows x cols of the drained half, row-major.
    x: Vec<f32>,
    rows: usize,
    cols: usize,
    total: usize,
    gamma: Vec<f32>,
    beta: Vec<f32>,
    eps: f32,
    mine: Vec<f32>,
    mean: Vec<f32>,
    /// The drain bank, which receives the result (post-ops rewrite it in place, ISA v3).
    bank: usize,
}

struct Route {
    src: Stream,
    dsts: Vec<Stream>,
    left: u32,
    t: f64,
    busy: f64,
}

enum UnitKind {
    DdrRead(Option<DramRun>),
    DdrWrite(Option<DramRun>),
    Lpddr(Option<DramRun>),
    /// `sent`: blocks already cut from each bank, reused while the bank is unchanged (a tile is
    /// sent once per engine block it meets, so this saves the copies, not any arithmetic).
    Mem {
        banks: [Vec<f32>; 2],
        rows: usize,
        cols: usize,
        run: Option<MemRun>,
        sent: [Vec<Option<Chunk>>; 2],
    },
    /// Each bank adds the engine products it receives in background jobs (see `cbank`).
    MemC {
        banks: [CBank; 2],
        params: Vec<f32>,
        run: Option<MemCRun>,
    },
    Mesh(Option<Vec<Route>>),
}

struct Unit {
    fu: Fu,
    inst: u8,
    queue: VecDeque<Queued>,
    iter: u32,
    idx: usize,
    t: f64,
    queued_mops: usize,
    last_pop: f64,
    kind: UnitKind,
    acct: Acct,
    blocked: String,
    active: bool,
    mop_start: f64,
}

struct Mme {
    left: u64,
    t_compute: f64,
    t_out: f64,
    acct: Acct,
    blocked: String,
}

/// Executes one program.
pub struct Engine<'a> {
    bs: &'a Bitstream,
    mem: &'a mut DramMemory,
    bounds: &'a [crate::hal::Allocation],
    fifos: Vec<Fifo>,
    units: Vec<Unit>,
    mmes: Vec<Mme>,
    packets: Arc<Vec<(Packet, InstrPos)>>,
    next_packet: usize,
    t_dec: f64,
    dec_acct: Acct,
    dec_blocked: String,
    stores_dispatched: u64,
    store_done: Vec<f64>,
    ddr_bus: BusCalendar,
    lpddr_bus: BusCalendar,
    rates: Rates,
    timeline: Vec<crate::hal::Span>,
    /// Recycled block buffers: engine outputs and memory sends reuse the blocks consumers are done
    /// with, so the hot path neither allocates nor clears 64 KiB per block.
    pool: Vec<Vec<f32>>,
    /// Free store-piece buffers (capacity PIECE): a drain cuts its pieces from them and the DDR
    /// write hands them back.
    pieces: Vec<Vec<f32>>,
    /// Per engine, the operands of the products it has sent to MemC, in stream order.
    products: Vec<VecDeque<(Chunk, Chunk)>>,
}

struct Rates {
    ddr_rd: f64,
    ddr_wr: f64,
    lpddr: f64,
    ddr_lat: f64,
    lpddr_lat: f64,
    line: f64,
    send: f64,
    mesh: f64,
    mesh_lat: f64,
    block: f64,
    eng_in: f64,
    eng_out: f64,
    eng_lat: f64,
    postop_lat: f64,
    post_exp_units: f64,
    post_gelu_units: f64,
    fetch: f64,
    fetch_lat: f64,
    queue: usize,
}

type EResult<T> = Result<T, DeviceError>;

fn fault(code: FaultCode, at: Option<InstrPos>, message: String) -> DeviceError {
    DeviceError::Fault { code, at, message, states: Vec::new() }
}

/// The program a run executes.
pub enum Program {
    /// Decoded and validated by the host.
    Validated(Arc<Vec<(Packet, InstrPos)>>),
    /// Raw words from the instruction buffer.
    Words(Vec<u32>),
}

/// Decode and check words as the hardware decoder does: a word it cannot decode, or a field out of
/// range, is an illegal-instruction fault at its position.
fn decode_checked(words: &[u32]) -> EResult<Vec<(Packet, InstrPos)>> {
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
                if let Err((field, msg)) = crate::isa::check::check_payload(p.opcode, inst, w) {
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

impl<'a> Engine<'a> {
    /// Start on a program: the host's validated decode, or words decoded and checked as the
    /// hardware decoder would (faults name the instruction).
    pub fn new(
        bs: &'a Bitstream,
        mem: &'a mut DramMemory,
        bounds: &'a [crate::hal::Allocation],
        program: Program,
        rtp: &[EngineRtp; ENGINES],
    ) -> EResult<Engine<'a>> {
        let packets = match program {
            Program::Validated(p) => p,
            Program::Words(w) => Arc::new(decode_checked(&w)?),
        };
        let d = &bs.desc;
        let per_cycle = |gbps: f64| bs.bytes_per_cycle(gbps);
        let rates = Rates {
            ddr_rd: per_cycle(d.ddr.read_gbps),
            ddr_wr: per_cycle(d.ddr.write_gbps),
            lpddr: per_cycle(d.lpddr.read_gbps),
            ddr_lat: d.ddr.latency_cycles as f64,
            lpddr_lat: d.lpddr.latency_cycles as f64,
            line: d.mem.line_floats_per_cycle,
            send: d.mem.send_floats_per_cycle,
            mesh: d.mesh.floats_per_cycle,
            mesh_lat: d.mesh.latency_cycles as f64,
            block: bs.engine_block_cycles(),
            eng_in: bs.engine_io_cycles(d.engine.in_streams / 2),
            eng_out: bs.engine_io_cycles(d.engine.out_streams),
            eng_lat: d.engine.latency_cycles as f64,
            postop_lat: d.mem.postop_latency_cycles as f64,
            post_exp_units: d.mem.postop_exp_units as f64,
            post_gelu_units: d.mem.postop_gelu_units as f64,
            fetch: d.decoder.fetch_words_per_cycle,
            fetch_lat: d.decoder.fetch_latency_cycles as f64,
            queue: d.decoder.queue_mops as usize,
        };
        let cap = d.fifo.stream_floats as usize;
        let mut units = Vec::new();
        let mk = |fu: Fu, inst: u8, kind: UnitKind| Unit {
            fu,
            inst,
            queue: VecDeque::new(),
            iter: 0,
            idx: 0,
            t: 0.0,
            queued_mops: 0,
            last_pop: 0.0,
            kind,
            acct: Acct::default(),
            blocked: String::new(),
            active: false,
            mop_start: 0.0,
        };
        units.push(mk(Fu::DdrRead, 0, UnitKind::DdrRead(None)));
        units.push(mk(Fu::DdrWrite, 0, UnitKind::DdrWrite(None)));
        units.push(mk(Fu::Lpddr, 0, UnitKind::Lpddr(None)));
        let bank = |r: u32, c: u32| [vec![0.0f32; (r * c) as usize], vec![0.0f32; (r * c) as usize]];
        for i in 0..3u8 {
            let kind = UnitKind::Mem {
                banks: bank(isa::MEMA_ROWS, isa::MEMA_COLS),
                rows: isa::MEMA_ROWS as usize,
                cols: isa::MEMA_COLS as usize,
                run: None,
                sent: [vec![None; 16], vec![None; 16]],
            };
            units.push(mk(Fu::MemA(i), i, kind));
        }
        for i in 0..3u8 {
            let (r, c) = if i == 2 { (isa::MEMB2_ROWS, isa::MEMB2_COLS) } else { (isa::MEMB_ROWS, isa::MEMB_COLS) };
            units.push(mk(
                Fu::MemB(i),
                i,
                UnitKind::Mem {
                    banks: bank(r, c),
                    rows: r as usize,
                    cols: c as usize,
                    run: None,
                    sent: [vec![None; 16], vec![None; 16]],
                },
            ));
        }
        for i in 0..6u8 {
            let kind = UnitKind::MemC {
                banks: [0, 1].map(|_| CBank::new(MEMC_ROWS, MEMC_COLS)),
                params: vec![0.0; 2 * isa::MEMC_COLS as usize],
                run: None,
            };
            units.push(mk(Fu::MemC(i), i, kind));
        }
        units.push(mk(Fu::MeshA, 0, UnitKind::Mesh(None)));
        units.push(mk(Fu::MeshB, 0, UnitKind::Mesh(None)));
        let mmes = rtp
            .iter()
            .map(|r| Mme {
                left: r.blocks as u64,
                t_compute: 0.0,
                t_out: 0.0,
                acct: Acct::default(),
                blocked: String::new(),
            })
            .collect();
        Ok(Engine {
            bs,
            mem,
            bounds,
            fifos: (0..Stream::COUNT).map(|_| Fifo::new(cap)).collect(),
            units,
            mmes,
            packets,
            next_packet: 0,
            t_dec: rates.fetch_lat,
            dec_acct: Acct::default(),
            dec_blocked: String::new(),
            stores_dispatched: 0,
            store_done: Vec::new(),
            ddr_bus: BusCalendar::default(),
            lpddr_bus: BusCalendar::default(),
            rates,
            timeline: Vec::new(),
            pool: Vec::new(),
            pieces: Vec::new(),
            products: (0..ENGINES).map(|_| VecDeque::new()).collect(),
        })
    }

    fn unit_index(fu: Fu) -> usize {
        // Units exclude the decoder and the engines.
        match fu {
            Fu::DdrRead => 0,
            Fu::DdrWrite => 1,
            Fu::Lpddr => 2,
            Fu::MemA(i) => 3 + i as usize,
            Fu::MemB(i) => 6 + i as usize,
            Fu::MemC(i) => 9 + i as usize,
            Fu::MeshA => 15,
            Fu::MeshB => 16,
            Fu::Decoder | Fu::Mme(_) => unreachable!("not a queued unit"),
        }
    }

    /// Run to completion. `cancel` is polled between sweeps.
    pub fn run(mut self, cancel: &AtomicBool) -> EResult<RunReport> {
        loop {
            if cancel.load(Ordering::Relaxed) {
                return Err(DeviceError::Timeout { timeout: Default::default(), states: self.states() });
            }
            let mut progress = self.dispatch()?;
            for u in 0..self.units.len() {
                progress |= self.advance_unit(u)?;
            }
            progress |= self.advance_engines();
            if self.finished() {
                let left: Vec<String> = Stream::all()
                    .into_iter()
                    .filter(|s| self.fifos[s.index()].len() > 0)
                    .map(|s| format!("{} ({} floats)", s.name(), self.fifos[s.index()].len()))
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
            let horizon = self.units[0].t.min(self.units[1].t);
            self.ddr_bus.prune(horizon - 1.0);
            self.lpddr_bus.prune(self.units[2].t - 1.0);
        }
        Ok(self.report())
    }

    fn finished(&self) -> bool {
        self.next_packet == self.packets.len()
            && self.units.iter().all(|u| u.queue.is_empty() && !u.active)
            && self.mmes.iter().all(|m| m.left == 0)
    }

    fn report(&mut self) -> RunReport {
        let mut end = self.t_dec;
        for u in &self.units {
            end = end.max(u.t);
        }
        for m in &self.mmes {
            end = end.max(m.t_out + self.rates.eng_lat);
        }
        for t in &self.store_done {
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
        put(&mut counters[Fu::Decoder.index()], Fu::Decoder, &self.dec_acct);
        for u in &self.units {
            put(&mut counters[u.fu.index()], u.fu, &u.acct);
        }
        for (e, m) in self.mmes.iter().enumerate() {
            put(&mut counters[Fu::Mme(e as u8).index()], Fu::Mme(e as u8), &m.acct);
        }
        RunReport {
            cycles,
            device_ms: self.bs.cycles_to_ms(cycles),
            counters,
            timeline: std::mem::take(&mut self.timeline),
        }
    }

    fn states(&self) -> Vec<FuState> {
        let mut v = Vec::new();
        let dec_state = if self.next_packet == self.packets.len() {
            "done".to_string()
        } else if self.dec_blocked.is_empty() {
            "dispatching".into()
        } else {
            self.dec_blocked.clone()
        };
        v.push(FuState {
            fu: "Decoder".into(),
            state: dec_state,
            at: self.packets.get(self.next_packet).map(|p| p.1),
            queued: self.packets.len() - self.next_packet,
        });
        for u in &self.units {
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

    // ------------------------------------------------------------------------------- decoder

    fn dispatch(&mut self) -> EResult<bool> {
        let mut progress = false;
        while self.next_packet < self.packets.len() {
            let (p, pos) = &self.packets[self.next_packet];
            let words = 1 + p.window.len() * p.opcode.payload_words();
            let cost = words as f64 / self.rates.fetch;
            if p.opcode == Opcode::Decoder {
                let barrier = p.window.iter().any(|w| matches!(w, Payload::Decoder(d) if d.kind == 1));
                if barrier {
                    let busy: Vec<String> =
                        self.units.iter().filter(|u| u.active || !u.queue.is_empty()).map(|u| u.fu.name()).collect();
                    if !busy.is_empty() {
                        self.dec_blocked = format!("barrier at {pos}: waiting for {} to drain", busy.join(", "));
                        return Ok(progress);
                    }
                    let t = self.units.iter().map(|u| u.t).fold(self.t_dec, f64::max);
                    self.dec_acct.stall_in += t - self.t_dec;
                    self.t_dec = t;
                }
                self.t_dec += cost;
                self.dec_acct.busy += cost;
                self.dec_acct.uops += p.window.len() as u64 * p.repeat as u64;
                self.next_packet += 1;
                progress = true;
                continue;
            }
            // Work out each target queue's share of the packet.
            let mut targets: Vec<(usize, Packet)> = Vec::new();
            match p.opcode {
                Opcode::Ddr => {
                    let (loads, stores): (Vec<Payload>, Vec<Payload>) =
                        p.window.iter().partition(|w| !matches!(w, Payload::Dram(d) if d.store == 1));
                    if !loads.is_empty() {
                        targets.push((Self::unit_index(Fu::DdrRead), Packet::new(p.opcode, 1, p.repeat, loads)));
                    }
                    if !stores.is_empty() {
                        targets.push((Self::unit_index(Fu::DdrWrite), Packet::new(p.opcode, 1, p.repeat, stores)));
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
                        targets.push((Self::unit_index(fu), p.clone()));
                    }
                }
            }
            if let Some((u, _)) =
                targets.iter().find(|(u, tp)| self.units[*u].queued_mops + tp.window.len() > self.rates.queue)
            {
                self.dec_blocked =
                    format!("queue of {} full ({} mOPs)", self.units[*u].fu.name(), self.units[*u].queued_mops);
                return Ok(progress);
            }
            let space_t = targets.iter().map(|(u, _)| self.units[*u].last_pop).fold(0.0, f64::max);
            let start = self.t_dec.max(space_t);
            self.dec_acct.stall_out += start - self.t_dec;
            self.t_dec = start + cost;
            self.dec_acct.busy += cost;
            let stores_before = self.stores_dispatched;
            for (u, tp) in targets {
                let n_stores =
                    tp.window.iter().filter(|w| matches!(w, Payload::Dram(d) if d.store == 1)).count() as u64;
                self.stores_dispatched += n_stores * tp.repeat as u64;
                let unit = &mut self.units[u];
                unit.queued_mops += tp.window.len();
                unit.queue.push_back(Queued { packet: tp, pos: *pos, avail: self.t_dec, stores_before });
            }
            self.dec_acct.uops += 1;
            self.dec_blocked.clear();
            self.next_packet += 1;
            progress = true;
        }
        Ok(progress)
    }

    // ------------------------------------------------------------------------------- units

    fn advance_unit(&mut self, ui: usize) -> EResult<bool> {
        let mut progress = false;
        loop {
            if !self.units[ui].active {
                let Some(q) = self.units[ui].queue.front() else { return Ok(progress) };
                let payload = q.packet.window[self.units[ui].idx];
                let iter = self.units[ui].iter;
                let start = self.units[ui].t.max(q.avail);
                let stores_before = q.stores_before;
                let pos = InstrPos { mop: q.pos.mop + self.units[ui].idx, ..q.pos };
                self.begin(ui, &payload, iter, start, stores_before, pos)?;
                self.units[ui].active = true;
                self.units[ui].mop_start = start;
                progress = true;
            }
            let pos = {
                let u = &self.units[ui];
                let q = u.queue.front().expect("an active unit has its packet queued");
                InstrPos { mop: q.pos.mop + u.idx, ..q.pos }
            };
            match self.step_unit(ui, pos)? {
                Step::Progress => {
                    progress = true;
                    self.units[ui].blocked.clear();
                }
                Step::Blocked(why) => {
                    self.units[ui].blocked = why;
                    return Ok(progress);
                }
                Step::Done(t) => {
                    progress = true;
                    let u = &mut self.units[ui];
                    self.timeline.push(crate::hal::Span {
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

    fn begin(
        &mut self,
        ui: usize,
        p: &Payload,
        iter: u32,
        start: f64,
        stores_before: u64,
        _pos: InstrPos,
    ) -> EResult<()> {
        let inst = self.units[ui].inst as usize;
        let fu = self.units[ui].fu;
        let u = &mut self.units[ui];
        match (&mut u.kind, p) {
            (UnitKind::DdrRead(run), Payload::Dram(d)) | (UnitKind::Lpddr(run), Payload::Dram(d)) => {
                let fence = (d.fence == 1 && stores_before > 0).then_some(stores_before);
                *run = Some(DramRun { d: *d, iter, chunk: 0, off: 0, t: start, fence });
            }
            (UnitKind::DdrWrite(run), Payload::Dram(d)) => {
                *run = Some(DramRun { d: *d, iter, chunk: 0, off: 0, t: start, fence: None });
            }
            (UnitKind::Mem { banks, run, sent, .. }, Payload::MemA(m)) => {
                let lb = expand::bank(m.load_bank, m.toggle, iter);
                let sb = expand::bank(m.send_bank, m.toggle, iter);
                let load = (m.load_en == 1).then(|| {
                    sent[lb].iter_mut().for_each(|b| *b = None);
                    clear_outside(&mut banks[lb], isa::MEMA_COLS as usize, m.rows as usize, m.cols as usize);
                    LoadAct {
                        stream: Stream::DdrToMemA(inst as u8),
                        total: (m.rows * m.cols) as usize,
                        done: 0,
                        rows: m.rows as usize,
                        cols: m.cols as usize,
                        transpose: false,
                        bank: lb,
                        t: start,
                    }
                });
                let send = (m.send_en == 1).then(|| {
                    let mut blocks = Vec::new();
                    for r in 0..m.send_rb as usize {
                        for _ in 0..m.send_cb {
                            blocks.push((r, 0));
                        }
                    }
                    SendAct { stream: Stream::MemAToMeshA(inst as u8), blocks, next: 0, bank: sb, t: start }
                });
                *run = Some(MemRun { load, send, start });
            }
            (UnitKind::Mem { banks, run, cols: bank_cols, sent, .. }, Payload::MemB(m)) => {
                let lb = expand::bank(m.load_bank, m.toggle, iter);
                let sb = expand::bank(m.send_bank, m.toggle, iter);
                let load = (m.load_en == 1).then(|| {
                    sent[lb].iter_mut().for_each(|b| *b = None);
                    clear_outside(&mut banks[lb], *bank_cols, m.rows as usize, m.cols as usize);
                    LoadAct {
                        stream: if m.load_src == 1 {
                            Stream::LpddrToMemB(inst as u8)
                        } else {
                            Stream::DdrToMemB(inst as u8)
                        },
                        total: (m.rows * m.cols) as usize,
                        done: 0,
                        rows: m.rows as usize,
                        cols: m.cols as usize,
                        transpose: m.transpose == 1,
                        bank: lb,
                        t: start,
                    }
                });
                let send = (m.send_en == 1).then(|| {
                    let mut blocks = Vec::new();
                    for _ in 0..m.send_reps {
                        for c in 0..m.send_cb as usize {
                            for k in 0..m.send_kb as usize {
                                blocks.push((k, c));
                            }
                        }
                    }
                    SendAct { stream: Stream::MemBToMeshB(inst as u8), blocks, next: 0, bank: sb, t: start }
                });
                *run = Some(MemRun { load, send, start });
            }
            (UnitKind::MemC { banks, params, run }, Payload::MemC(m)) => {
                let fb = expand::bank(m.fill_bank, m.toggle, iter);
                let db = expand::bank(m.drain_bank, m.toggle, iter);
                // Whatever this mOP reads or rewrites waits for every product received so far
                // (`CBank::get`); products it only receives queue behind them.
                let mut recycle = |c: Chunk| give_block(&mut self.pool, c);
                let (rows, cols) = (m.rows as usize, m.cols as usize);
                let recv_seq = (m.recv_en == 1).then(|| {
                    let mut seq = Vec::new();
                    for t in 0..m.k_iters {
                        for r in 0..m.recv_rb as usize {
                            for c in 0..m.recv_cb as usize {
                                for k in 0..m.recv_kb as usize {
                                    seq.push((r, c, m.acc == 0 && t == 0 && k == 0));
                                }
                            }
                        }
                    }
                    seq
                });
                let mode = LoadMode::from_bits(m.load_mode).unwrap_or(LoadMode::None);
                let fill = match mode {
                    LoadMode::None => match &recv_seq {
                        Some(_) => FillPhase::Recv { seq: Vec::new(), next: 0 },
                        None => FillPhase::Done,
                    },
                    _ => {
                        let need = match mode {
                            LoadMode::Tile => rows * cols,
                            LoadMode::Params => 2 * cols,
                            _ => cols,
                        };
                        if matches!(mode, LoadMode::Tile | LoadMode::Broadcast) {
                            banks[fb].get(&mut recycle)?.fill(0.0);
                        }
                        FillPhase::Load { mode, stage: Vec::with_capacity(need), need, rows, cols }
                    }
                };
                let (fill, recv_after_load) = match (fill, recv_seq) {
                    (FillPhase::Recv { .. }, Some(seq)) => (FillPhase::Recv { seq, next: 0 }, None),
                    (f, s) => (f, s),
                };
                let drain = match Drain::from_bits(m.drain).unwrap_or(Drain::None) {
                    Drain::None => None,
                    Drain::Store if m.ln_pair == 1 => {
                        let bank = banks[db].get(&mut recycle)?;
                        let x: Vec<f32> =
                            (0..rows).flat_map(|r| bank[r * MEMC_COLS..r * MEMC_COLS + cols].to_vec()).collect();
                        let mine = x.chunks(cols).map(numerics::row_sum).collect();
                        let pair = PairLn {
                            phase: 0,
                            x,
                            rows,
                            cols,
                            total: m.ln_total as usize,
                            gamma: params[..cols].to_vec(),
                            beta: params[MEMC_COLS..MEMC_COLS + cols].to_vec(),
                            eps: f32::from_bits(m.eps),
                            mine,
                            mean: Vec::new(),
                            bank: db,
                        };
                        Some(DrainAct {
                            stream: Stream::MemCToDdr(inst as u8),
                            pieces: Vec::new(),
                            next: 0,
                            t: start,
                            first_latency: self.rates.postop_lat
                                + postop_pass_cycles(&self.rates, PostOp::LayerNorm, rows, cols, true),
                            pair: Some(Box::new(pair)),
                        })
                    }
                    kind => {
                        let post = PostOp::from_bits(m.post_op).unwrap_or(PostOp::None);
                        let bank = banks[db].get(&mut recycle)?;
                        // ISA v3: the post-op result replaces the drained region of the bank.
                        post_op_rows(bank, rows, cols, post, params, f32::from_bits(m.eps));
                        let (stream, pieces) = if kind == Drain::Store {
                            (Stream::MemCToDdr(inst as u8), store_pieces(bank, rows, cols, &mut self.pieces))
                        } else {
                            let tile = drain_tile(bank, rows, cols);
                            let mut pieces = Vec::new();
                            for r in 0..m.send_rb as usize {
                                for _ in 0..m.send_cb {
                                    for k in 0..m.send_kb as usize {
                                        pieces.push(std::sync::Arc::new(extract_block(
                                            &tile, MEMC_ROWS, MEMC_COLS, r, k,
                                        )));
                                    }
                                }
                            }
                            (Stream::MemCToMeshA(inst as u8), pieces)
                        };
                        let first_latency = if post == PostOp::None {
                            0.0
                        } else {
                            self.rates.postop_lat + postop_pass_cycles(&self.rates, post, rows, cols, false)
                        };
                        Some(DrainAct { stream, pieces, next: 0, t: start, first_latency, pair: None })
                    }
                };
                *run = Some(MemCRun { fill, recv_after_load, fill_bank: fb, t_fill: start, drain, start });
            }
            (UnitKind::Mesh(run), Payload::MeshA(m)) => {
                *run = Some(mesh_routes(m.selects(), m.blocks, true, start));
            }
            (UnitKind::Mesh(run), Payload::MeshB(m)) => {
                *run = Some(mesh_routes(m.selects(), m.blocks, false, start));
            }
            _ => unreachable!("{fu:?} got a payload the decoder does not route to it: {p:?}"),
        }
        Ok(())
    }

    fn step_unit(&mut self, ui: usize, pos: InstrPos) -> EResult<Step> {
        let rates = &self.rates;
        let fifos = &mut self.fifos;
        let u = &mut self.units[ui];
        let inst = u.inst;
        match &mut u.kind {
            UnitKind::DdrRead(run) | UnitKind::Lpddr(run) => {
                let lp = matches!(u.fu, Fu::Lpddr);
                let r = run.as_mut().expect("active");
                if let Some(need) = r.fence {
                    if (self.store_done.len() as u64) < need {
                        return Ok(Step::Blocked(format!(
                            "fence at {pos}: waiting for DDR store {} of {need} to complete",
                            self.store_done.len() + 1
                        )));
                    }
                    r.t = r.t.max(self.store_done[need as usize - 1]);
                    r.fence = None;
                }
                if r.chunk == r.d.chunk_count {
                    let t = r.t;
                    *run = None;
                    return Ok(Step::Done(t));
                }
                let stream = match DramPort::from_bits(r.d.port) {
                    Some(DramPort::MemA(i)) => Stream::DdrToMemA(i as u8),
                    Some(DramPort::MemB(i)) if lp => Stream::LpddrToMemB(i as u8),
                    Some(DramPort::MemB(i)) => Stream::DdrToMemB(i as u8),
                    Some(DramPort::MemC(i)) => Stream::DdrToMemC(i as u8),
                    None => unreachable!("checked at decode"),
                };
                let (byte, n) = r.piece();
                let f = &mut fifos[stream.index()];
                if f.space() < n {
                    return Ok(Step::Blocked(format!(
                        "at {pos}: waiting for room on {} (needs {n}, has {})",
                        stream.name(),
                        f.space()
                    )));
                }
                let memory = if lp { Memory::Lpddr } else { Memory::Ddr };
                let (bw, lat, bus) = if lp {
                    (rates.lpddr, rates.lpddr_lat, &mut self.lpddr_bus)
                } else {
                    (rates.ddr_rd, rates.ddr_lat, &mut self.ddr_bus)
                };
                // The unit moves at most one line per cycle (its stream port), whatever the memory could.
                let dur = ((n * 4) as f64 / bw).max(n as f64 / rates.line);
                let earliest = r.t.max(f.space_time(n));
                let start = bus.reserve(earliest, dur);
                // The stream carries the DRAM pages themselves (see `dram`); the bounds of the whole
                // piece are checked before any of it is pushed.
                let ready = start + dur + lat;
                self.mem
                    .read_pages(self.bounds, memory, byte, n, |page, s, e| f.push_window(page, s, e, ready))
                    .map_err(|m| fault(FaultCode::DmaBounds, Some(pos), m))?;
                u.acct.step(r.t, start, dur, false);
                u.acct.bytes += (n * 4) as u64;
                r.t = start + dur;
                r.advance(n);
                Ok(Step::Progress)
            }
            UnitKind::DdrWrite(run) => {
                let r = run.as_mut().expect("active");
                if r.chunk == r.d.chunk_count {
                    let t = r.t;
                    self.store_done.push(t);
                    *run = None;
                    return Ok(Step::Done(t));
                }
                let Some(DramPort::MemC(i)) = DramPort::from_bits(r.d.port) else { unreachable!("checked at decode") };
                let stream = Stream::MemCToDdr(i as u8);
                let (byte, n) = r.piece();
                let f = &mut fifos[stream.index()];
                if f.len() < n {
                    return Ok(Step::Blocked(format!(
                        "at {pos}: waiting for data on {} (needs {n}, has {})",
                        stream.name(),
                        f.len()
                    )));
                }
                let dur = ((n * 4) as f64 / rates.ddr_wr).max(n as f64 / rates.line);
                // Lines are written as they arrive (cut-through).
                let earliest = r.t.max(f.ready_time(n) - dur);
                let start = self.ddr_bus.reserve(earliest, dur);
                // The bounds of the whole piece are checked before any of it is written.
                let mut put = self
                    .mem
                    .writer(self.bounds, Memory::Ddr, byte, n)
                    .map_err(|m| fault(FaultCode::DmaBounds, Some(pos), m))?;
                let pieces = &mut self.pieces;
                f.pop_each(n, start + dur, &mut put, |c| give_piece(pieces, c));
                u.acct.step(r.t, start, dur, true);
                u.acct.bytes += (n * 4) as u64;
                r.t = start + dur;
                r.advance(n);
                Ok(Step::Progress)
            }
            UnitKind::Mem { banks, cols: bank_cols, rows: bank_rows, run, sent } => {
                let r = run.as_mut().expect("active");
                let mut progressed = false;
                let mut blocked = Vec::new();
                if let Some(l) = &mut r.load {
                    if l.done < l.total {
                        let f = &mut fifos[l.stream.index()];
                        // At most a piece at a time, so room frees up as the unit writes.
                        let n = f.len().min(l.total - l.done).min(PIECE);
                        if n == 0 {
                            blocked.push(format!("waiting for data on {}", l.stream.name()));
                        } else {
                            // Lines are written as they arrive (cut-through): the last is written
                            // when it has arrived, and no line faster than one per cycle.
                            let dur = n as f64 / rates.line;
                            let start = l.t.max(f.ready_time(n) - dur);
                            let (bank, pieces) = (&mut banks[l.bank], &mut self.pieces);
                            let mut e = l.done;
                            f.pop_each(
                                n,
                                start + dur,
                                |xs| {
                                    scatter_load(bank, *bank_cols, l, e, xs);
                                    e += xs.len();
                                },
                                |c| give_piece(pieces, c),
                            );
                            u.acct.step(l.t, start, 0.0, true);
                            l.t = start + dur;
                            l.done += n;
                            progressed = true;
                        }
                    }
                }
                if let Some(s) = &mut r.send {
                    if s.next < s.blocks.len() {
                        let f = &mut fifos[s.stream.index()];
                        if f.space() < BLOCK_ELEMS {
                            blocked.push(format!("waiting for room on {}", s.stream.name()));
                        } else {
                            let (br, bc) = s.blocks[s.next];
                            let slot = &mut sent[s.bank][br * 4 + bc];
                            let blk = match slot {
                                Some(c) => c.clone(),
                                None => {
                                    let mut v = take_block(&mut self.pool);
                                    extract_block_into(&banks[s.bank], *bank_rows, *bank_cols, br, bc, &mut v);
                                    let c = std::sync::Arc::new(v);
                                    *slot = Some(c.clone());
                                    c
                                }
                            };
                            let start = s.t.max(f.space_time(BLOCK_ELEMS));
                            let dur = BLOCK_ELEMS as f64 / rates.send;
                            f.push_chunk(blk, start + dur);
                            u.acct.step(s.t, start, dur, false);
                            u.acct.bytes += (BLOCK_ELEMS * 4) as u64;
                            s.t = start + dur;
                            s.next += 1;
                            progressed = true;
                        }
                    }
                }
                let load_done = r.load.as_ref().is_none_or(|l| l.done == l.total);
                let send_done = r.send.as_ref().is_none_or(|s| s.next == s.blocks.len());
                if load_done && send_done {
                    let t = [r.load.as_ref().map(|l| l.t), r.send.as_ref().map(|s| s.t)]
                        .into_iter()
                        .flatten()
                        .fold(r.start, f64::max);
                    *run = None;
                    return Ok(Step::Done(t));
                }
                Ok(if progressed { Step::Progress } else { Step::Blocked(format!("at {pos}: {}", blocked.join("; "))) })
            }
            UnitKind::MemC { banks, params, run } => {
                let r = run.as_mut().expect("active");
                let mut progressed = false;
                let mut blocked = Vec::new();
                // Fill activity: load, then receive.
                match &mut r.fill {
                    FillPhase::Load { mode, stage, need, rows, cols } => {
                        let s = Stream::DdrToMemC(inst);
                        let f = &mut fifos[s.index()];
                        let n = f.len().min(*need - stage.len()).min(PIECE);
                        if n == 0 {
                            blocked.push(format!("waiting for data on {}", s.name()));
                        } else {
                            // Cut-through, as the MemA/MemB loads.
                            let dur = n as f64 / rates.line;
                            let start = r.t_fill.max(f.ready_time(n) - dur);
                            let pieces = &mut self.pieces;
                            f.pop_each(n, start + dur, |xs| stage.extend_from_slice(xs), |c| give_piece(pieces, c));
                            u.acct.step(r.t_fill, start, 0.0, true);
                            r.t_fill = start + dur;
                            progressed = true;
                            if stage.len() == *need {
                                if matches!(mode, LoadMode::Broadcast | LoadMode::AddRow) {
                                    // The staged row is swept over the tile one 32-float bank word
                                    // per cycle (rtl/memc).
                                    r.t_fill += (*rows * cols.div_ceil(32)) as f64;
                                }
                                let bank = banks[r.fill_bank].get(&mut |c| give_block(&mut self.pool, c))?;
                                apply_load(bank, params, *mode, stage, *rows, *cols);
                                r.fill = match r.recv_after_load.take() {
                                    Some(seq) => FillPhase::Recv { seq, next: 0 },
                                    None => FillPhase::Done,
                                };
                            }
                        }
                    }
                    FillPhase::Recv { seq, next } => {
                        let s = Stream::MmeToMemC(inst);
                        let f = &mut fifos[s.index()];
                        if f.len() < BLOCK_ELEMS {
                            blocked.push(format!(
                                "waiting for data on {} (block {} of {})",
                                s.name(),
                                *next + 1,
                                seq.len()
                            ));
                        } else {
                            // Beats are taken as they arrive (cut-through).
                            let dur = BLOCK_ELEMS as f64 / rates.send;
                            let start = r.t_fill.max(f.ready_time(BLOCK_ELEMS) - dur);
                            let _placeholder = f.pop_chunk(BLOCK_ELEMS, start + dur);
                            let (br, bc, first) = seq[*next];
                            let (a, b) = self.products[inst as usize].pop_front().expect("one product per block sent");
                            banks[r.fill_bank]
                                .receive(Pending { br, bc, first, a, b }, &mut |c| give_block(&mut self.pool, c));
                            u.acct.step(r.t_fill, start, dur, true);
                            r.t_fill = start + dur;
                            *next += 1;
                            progressed = true;
                            if *next == seq.len() {
                                r.fill = FillPhase::Done;
                            }
                        }
                    }
                    FillPhase::Done => {}
                }
                if let Some(d) = &mut r.drain {
                    if let Some(p) = d.pair.as_mut().filter(|p| p.phase < 3) {
                        let (out, inp) = (Stream::MemCPair(inst), Stream::MemCPair(inst ^ 1));
                        match p.phase {
                            0 | 1 if fifos[out.index()].space() < p.rows => {
                                blocked.push(format!("waiting for room on {}", out.name()))
                            }
                            0 => {
                                let ready = d.t + p.rows as f64 / rates.send;
                                fifos[out.index()].push_chunk(std::sync::Arc::new(p.mine.clone()), ready);
                                d.t = ready;
                                p.phase = 1;
                                progressed = true;
                            }
                            _ if fifos[inp.index()].len() < p.rows => {
                                blocked.push(format!("waiting for the partner's LayerNorm sums on {}", inp.name()))
                            }
                            _ => {
                                let f = &mut fifos[inp.index()];
                                let start = d.t.max(f.ready_time(p.rows));
                                let theirs = f.pop_chunk(p.rows, start);
                                let inv_n = numerics::recip(p.total as f32);
                                if p.phase == 1 {
                                    p.mean = p.mine.iter().zip(theirs.iter()).map(|(a, b)| (a + b) * inv_n).collect();
                                    p.mine =
                                        p.x.chunks_mut(p.cols)
                                            .zip(&p.mean)
                                            .map(|(row, &mean)| numerics::center_and_square_sum(row, mean))
                                            .collect();
                                    let ready = start + p.rows as f64 / rates.send;
                                    fifos[out.index()].push_chunk(std::sync::Arc::new(p.mine.clone()), ready);
                                    d.t = ready;
                                    p.phase = 2;
                                } else {
                                    for ((row, a), b) in p.x.chunks_mut(p.cols).zip(&p.mine).zip(theirs.iter()) {
                                        let rstd = numerics::rsqrt((a + b) * inv_n + p.eps);
                                        numerics::ln_scale(row, rstd, &p.gamma, &p.beta);
                                    }
                                    let bank = banks[p.bank].get(&mut |c| give_block(&mut self.pool, c))?;
                                    for (r, row) in p.x.chunks(p.cols).enumerate() {
                                        bank[r * MEMC_COLS..r * MEMC_COLS + p.cols].copy_from_slice(row);
                                    }
                                    d.pieces = store_pieces(bank, p.rows, p.cols, &mut self.pieces);
                                    d.t = start;
                                    p.phase = 3;
                                }
                                progressed = true;
                            }
                        }
                    } else if d.next < d.pieces.len() {
                        let f = &mut fifos[d.stream.index()];
                        let n = d.pieces[d.next].len();
                        if f.space() < n {
                            blocked.push(format!("waiting for room on {}", d.stream.name()));
                        } else {
                            let start = d.t.max(f.space_time(n));
                            // Stores leave on a DRAM-side (line) stream, mesh sends on a block stream.
                            let rate = if d.stream == Stream::MemCToDdr(inst) { rates.line } else { rates.send };
                            let dur = n as f64 / rate + d.first_latency;
                            d.first_latency = 0.0;
                            f.push_chunk(d.pieces[d.next].clone(), start + dur);
                            u.acct.step(d.t, start, dur, false);
                            u.acct.bytes += (n * 4) as u64;
                            d.t = start + dur;
                            d.next += 1;
                            progressed = true;
                        }
                    }
                }
                let fill_done = matches!(r.fill, FillPhase::Done);
                let drain_done = r
                    .drain
                    .as_ref()
                    .is_none_or(|d| d.pair.as_ref().is_none_or(|p| p.phase == 3) && d.next == d.pieces.len());
                if fill_done && drain_done {
                    let t = r.t_fill.max(r.drain.as_ref().map_or(r.start, |d| d.t));
                    *run = None;
                    return Ok(Step::Done(t));
                }
                Ok(if progressed { Step::Progress } else { Step::Blocked(format!("at {pos}: {}", blocked.join("; "))) })
            }
            UnitKind::Mesh(run) => {
                let routes = run.as_mut().expect("active");
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
                    u.acct.step(rt.t, start, 0.0, waited_in);
                    u.acct.bytes += (BLOCK_ELEMS * 4 * rt.dsts.len()) as u64;
                    rt.busy += dur;
                    rt.t = start + dur;
                    rt.left -= 1;
                    progressed = true;
                }
                if routes.iter().all(|r| r.left == 0) {
                    let t = routes.iter().map(|r| r.t).fold(0.0, f64::max);
                    u.acct.busy += routes.iter().map(|r| r.busy).fold(0.0, f64::max);
                    *run = None;
                    return Ok(Step::Done(t));
                }
                Ok(if progressed { Step::Progress } else { Step::Blocked(format!("at {pos}: {}", blocked.join("; "))) })
            }
        }
    }

    // ------------------------------------------------------------------------------- engines

    fn advance_engines(&mut self) -> bool {
        // An engine block starts when its operands are in and MemC has room for the result. The
        // product itself is computed when MemC needs it (see `flush_pending`), in large parallel
        // batches; here only its timing and its place in the stream are produced.
        let mut any = false;
        for e in 0..ENGINES {
            let (sa, sb, sc) = (Stream::MeshAToMme(e as u8), Stream::MeshBToMme(e as u8), Stream::MmeToMemC(e as u8));
            loop {
                let m = &mut self.mmes[e];
                if m.left == 0 {
                    break;
                }
                let why = if self.fifos[sa.index()].len() < BLOCK_ELEMS {
                    Some(sa)
                } else if self.fifos[sb.index()].len() < BLOCK_ELEMS {
                    Some(sb)
                } else if self.fifos[sc.index()].space() < BLOCK_ELEMS {
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
                let ready =
                    self.fifos[sa.index()].ready_time(BLOCK_ELEMS).max(self.fifos[sb.index()].ready_time(BLOCK_ELEMS));
                let start = m.t_compute.max(ready);
                let a = self.fifos[sa.index()].pop_chunk(BLOCK_ELEMS, start);
                let b = self.fifos[sb.index()].pop_chunk(BLOCK_ELEMS, start);
                // Inputs stream in over eng_in cycles; they overlap the previous block's compute.
                let end = start + self.rates.block.max(self.rates.eng_in);
                let out_start = end.max(m.t_out).max(self.fifos[sc.index()].space_time(BLOCK_ELEMS));
                m.t_out = out_start + self.rates.eng_out;
                self.fifos[sc.index()].push_placeholder(BLOCK_ELEMS, m.t_out + self.rates.eng_lat);
                self.products[e].push_back((a, b));
                m.acct.step(m.t_compute, start, self.rates.block, true);
                self.timeline.push(crate::hal::Span {
                    fu: Fu::Mme(e as u8).index() as u16,
                    start,
                    end,
                    packet: m.acct.uops as u32,
                });
                m.acct.bytes += (BLOCK_ELEMS * 4) as u64;
                m.acct.uops += 1;
                m.t_compute = end;
                m.left -= 1;
            }
        }
        any
    }
}

const MEMC_ROWS: usize = isa::MEMC_ROWS as usize;
const MEMC_COLS: usize = isa::MEMC_COLS as usize;

fn mesh_routes(selects: [u32; ENGINES], blocks: u32, mesh_a: bool, start: f64) -> Vec<Route> {
    topology::mesh_routes(&selects)
        .into_iter()
        .map(|(src, dsts)| Route {
            src: if mesh_a { Stream::mesha_source(src) } else { Stream::meshb_source(src) }.expect("checked at decode"),
            dsts: dsts
                .into_iter()
                .map(|e| if mesh_a { Stream::MeshAToMme(e) } else { Stream::MeshBToMme(e) })
                .collect(),
            left: blocks,
            t: start,
            busy: 0.0,
        })
        .collect()
}

/// The 128x128 block at block coordinates (br, bc) of a rows x cols bank, zero outside the bank.
fn extract_block(bank: &[f32], rows: usize, cols: usize, br: usize, bc: usize) -> Vec<f32> {
    let mut out = vec![0.0f32; BLOCK_ELEMS];
    extract_block_into(bank, rows, cols, br, bc, &mut out);
    out
}

/// As [`extract_block`], writing every element of `out`.
fn extract_block_into(bank: &[f32], rows: usize, cols: usize, br: usize, bc: usize, out: &mut [f32]) {
    let c0 = bc * BLOCK;
    let n = cols.saturating_sub(c0).min(BLOCK);
    for (i, dst) in out.chunks_exact_mut(BLOCK).enumerate() {
        let r = br * BLOCK + i;
        let valid = if r < rows { n } else { 0 };
        if valid > 0 {
            dst[..valid].copy_from_slice(&bank[r * cols + c0..r * cols + c0 + valid]);
        }
        dst[valid..].fill(0.0);
    }
}

/// Write the stream elements `buf` (stream elements `first..`) into the bank: row-major
/// `rows x cols`, or, transposed, a `cols x rows` stream into the same region.
fn scatter_load(bank: &mut [f32], bank_cols: usize, l: &LoadAct, first: usize, buf: &[f32]) {
    // The stream's "row" length: a contiguous run that lands in one bank row (or column).
    let run = if l.transpose { l.rows } else { l.cols };
    let mut e = first;
    let mut rest = buf;
    while !rest.is_empty() {
        let (major, minor) = (e / run, e % run);
        let n = (run - minor).min(rest.len());
        if l.transpose {
            for (k, v) in rest[..n].iter().enumerate() {
                bank[(minor + k) * bank_cols + major] = *v;
            }
        } else {
            let at = major * bank_cols + minor;
            bank[at..at + n].copy_from_slice(&rest[..n]);
        }
        e += n;
        rest = &rest[n..];
    }
}

/// Zero a bank except its top-left `rows x cols` region (which the load then writes).
fn clear_outside(bank: &mut [f32], bank_cols: usize, rows: usize, cols: usize) {
    for (r, row) in bank.chunks_exact_mut(bank_cols).enumerate() {
        if r < rows {
            row[cols.min(bank_cols)..].fill(0.0);
        } else {
            row.fill(0.0);
        }
    }
}

/// Keep a used-up store piece for the next drain once no stream holds it any more (DRAM pages
/// stay with the memory: they are shared, so they never come back here).
fn give_piece(pieces: &mut Vec<Vec<f32>>, c: Chunk) {
    if let Ok(mut v) = std::sync::Arc::try_unwrap(c) {
        if v.capacity() >= PIECE && pieces.len() < 512 {
            v.clear();
            pieces.push(v);
        }
    }
}

/// A block buffer from the pool (its contents are overwritten by the caller).
fn take_block(pool: &mut Vec<Vec<f32>>) -> Vec<f32> {
    pool.pop().unwrap_or_else(|| vec![0.0f32; BLOCK_ELEMS])
}

/// Return a block to the pool once no stream holds it any more.
fn give_block(pool: &mut Vec<Vec<f32>>, c: Chunk) {
    if let Ok(v) = std::sync::Arc::try_unwrap(c) {
        if v.len() == BLOCK_ELEMS && pool.len() < 256 {
            pool.push(v);
        }
    }
}

/// Apply a completed MemC load to the fill bank (or the parameter memory).
fn apply_load(bank: &mut [f32], params: &mut [f32], mode: LoadMode, stage: &[f32], rows: usize, cols: usize) {
    match mode {
        LoadMode::Tile => {
            for r in 0..rows {
                bank[r * MEMC_COLS..r * MEMC_COLS + cols].copy_from_slice(&stage[r * cols..(r + 1) * cols]);
            }
        }
        LoadMode::Broadcast => {
            for r in 0..rows {
                bank[r * MEMC_COLS..r * MEMC_COLS + cols].copy_from_slice(stage);
            }
        }
        LoadMode::AddRow => {
            for r in 0..rows {
                for (c, v) in bank[r * MEMC_COLS..r * MEMC_COLS + cols].iter_mut().zip(stage) {
                    *c += *v;
                }
            }
        }
        LoadMode::Params => {
            params[..cols].copy_from_slice(&stage[..cols]);
            params[MEMC_COLS..MEMC_COLS + cols].copy_from_slice(&stage[cols..]);
        }
        LoadMode::None => {}
    }
}

/// Apply a drain's post-op to the bank's top-left `rows x cols` region, in place.
fn post_op_rows(bank: &mut [f32], rows: usize, cols: usize, post: PostOp, params: &[f32], eps: f32) {
    for r in 0..rows {
        let row = &mut bank[r * MEMC_COLS..r * MEMC_COLS + cols];
        match post {
            PostOp::None => {}
            PostOp::Softmax => numerics::softmax_row(row),
            PostOp::LayerNorm => {
                numerics::layernorm_row(row, &params[..cols], &params[MEMC_COLS..MEMC_COLS + cols], eps)
            }
            PostOp::Gelu => row.iter_mut().for_each(|v| *v = numerics::gelu(*v)),
        }
    }
}

/// The drain view of a MemC bank: its `rows x cols` region, zero elsewhere (MEMC_ROWS x
/// MEMC_COLS, row-major).
fn drain_tile(bank: &[f32], rows: usize, cols: usize) -> Vec<f32> {
    let mut t = vec![0.0f32; MEMC_ROWS * MEMC_COLS];
    for r in 0..rows {
        let at = r * MEMC_COLS;
        t[at..at + cols].copy_from_slice(&bank[at..at + cols]);
    }
    t
}

/// The bank's `rows x cols` region as the store stream's pieces (row-major, PIECE floats each).
fn store_pieces(bank: &[f32], rows: usize, cols: usize, free: &mut Vec<Vec<f32>>) -> Vec<Chunk> {
    let mut out = Vec::new();
    let mut cur = free.pop().unwrap_or_else(|| Vec::with_capacity(PIECE));
    for r in 0..rows {
        let mut row = &bank[r * MEMC_COLS..r * MEMC_COLS + cols];
        while !row.is_empty() {
            let k = (PIECE - cur.len()).min(row.len());
            cur.extend_from_slice(&row[..k]);
            row = &row[k..];
            if cur.len() == PIECE {
                out.push(std::sync::Arc::new(std::mem::replace(
                    &mut cur,
                    free.pop().unwrap_or_else(|| Vec::with_capacity(PIECE)),
                )));
            }
        }
    }
    if !cur.is_empty() {
        out.push(std::sync::Arc::new(cur));
    }
    out
}
