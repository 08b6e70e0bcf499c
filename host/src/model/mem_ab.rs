//! MemA0-2 and MemB0-2: double-buffered operand memories. A uOP may load one bank from a DRAM
//! line stream (optionally transposed, the rest of the bank zeroed) while sending 128x128 blocks of
//! the other bank to its mesh.
//!
//! The functional kernel ([`plan`], [`clear_outside`], [`scatter_load`], [`extract_block_into`]) is
//! what the RTL testbench vectors are computed with.

use super::fifo::Chunk;
use super::unit::{give_piece, take_block, Acct, Ctx, EResult, Step, PIECE};
use crate::isa::{expand, InstrPos, Payload, BLOCK};
use crate::numerics::BLOCK_ELEMS;
use crate::topology::Stream;

/// A uOP's load: `rows x cols` stream elements into `bank` (a `cols x rows` stream when
/// transposed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoadPlan {
    pub stream: Stream,
    pub bank: usize,
    pub rows: usize,
    pub cols: usize,
    pub transpose: bool,
}

/// A uOP's send: the blocks `(row block, column block)` of `bank`, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendPlan {
    pub stream: Stream,
    pub bank: usize,
    pub blocks: Vec<(usize, usize)>,
}

/// What a MemA or MemB uOP does at window iteration `iter`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemPlan {
    pub load: Option<LoadPlan>,
    pub send: Option<SendPlan>,
}

/// The plan of a MemA / MemB payload on instance `inst` (`None` for other payloads). Load and send
/// use different banks (the validator refuses one bank for both), so the send sees the bank as it
/// was before the uOP.
pub fn plan(p: &Payload, inst: u8, iter: u32) -> Option<MemPlan> {
    match p {
        Payload::MemA(m) => {
            let load = (m.load_en == 1).then(|| LoadPlan {
                stream: Stream::DdrToMemA(inst),
                bank: expand::bank(m.load_bank, m.toggle, iter),
                rows: m.rows as usize,
                cols: m.cols as usize,
                transpose: false,
            });
            let send = (m.send_en == 1).then(|| {
                let mut blocks = Vec::new();
                for r in 0..m.send_rb as usize {
                    for _ in 0..m.send_cb {
                        blocks.push((r, 0));
                    }
                }
                SendPlan { stream: Stream::MemAToMeshA(inst), bank: expand::bank(m.send_bank, m.toggle, iter), blocks }
            });
            Some(MemPlan { load, send })
        }
        Payload::MemB(m) => {
            let load = (m.load_en == 1).then(|| LoadPlan {
                stream: if m.load_src == 1 { Stream::LpddrToMemB(inst) } else { Stream::DdrToMemB(inst) },
                bank: expand::bank(m.load_bank, m.toggle, iter),
                rows: m.rows as usize,
                cols: m.cols as usize,
                transpose: m.transpose == 1,
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
                SendPlan { stream: Stream::MemBToMeshB(inst), bank: expand::bank(m.send_bank, m.toggle, iter), blocks }
            });
            Some(MemPlan { load, send })
        }
        _ => None,
    }
}

/// Zero a bank except its top-left `rows x cols` region (which the load then writes).
pub fn clear_outside(bank: &mut [f32], bank_cols: usize, rows: usize, cols: usize) {
    for (r, row) in bank.chunks_exact_mut(bank_cols).enumerate() {
        if r < rows {
            row[cols.min(bank_cols)..].fill(0.0);
        } else {
            row.fill(0.0);
        }
    }
}

/// Write the stream elements `buf` (stream elements `first..`) of load `l` into the bank:
/// row-major `rows x cols`, or, transposed, a `cols x rows` stream into the same region.
pub fn scatter_load(bank: &mut [f32], bank_cols: usize, l: &LoadPlan, first: usize, buf: &[f32]) {
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

/// The 128x128 block at block coordinates (br, bc) of a `rows x cols` bank into `out` (every
/// element written; zero outside the bank).
pub fn extract_block_into(bank: &[f32], rows: usize, cols: usize, br: usize, bc: usize, out: &mut [f32]) {
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

struct LoadAct {
    plan: LoadPlan,
    total: usize,
    done: usize,
    t: f64,
}

struct SendAct {
    plan: SendPlan,
    next: usize,
    t: f64,
}

struct MemRun {
    load: Option<LoadAct>,
    send: Option<SendAct>,
    start: f64,
}

/// One MemA or MemB instance.
pub(super) struct MemUnit {
    banks: [Vec<f32>; 2],
    rows: usize,
    cols: usize,
    run: Option<MemRun>,
    /// Blocks already cut from each bank, reused while the bank is unchanged (a tile is sent once
    /// per engine block it meets, so this saves the copies, not any arithmetic).
    sent: [Vec<Option<Chunk>>; 2],
}

impl MemUnit {
    pub fn new(rows: u32, cols: u32) -> MemUnit {
        let n = (rows * cols) as usize;
        MemUnit {
            banks: [vec![0.0f32; n], vec![0.0f32; n]],
            rows: rows as usize,
            cols: cols as usize,
            run: None,
            sent: [vec![None; 16], vec![None; 16]],
        }
    }

    pub fn begin(&mut self, p: &Payload, inst: u8, iter: u32, start: f64) {
        let plan = plan(p, inst, iter).expect("the decoder routes only MemA/MemB payloads here");
        let load = plan.load.map(|l| {
            self.sent[l.bank].iter_mut().for_each(|b| *b = None);
            clear_outside(&mut self.banks[l.bank], self.cols, l.rows, l.cols);
            LoadAct { total: l.rows * l.cols, done: 0, t: start, plan: l }
        });
        let send = plan.send.map(|s| SendAct { plan: s, next: 0, t: start });
        self.run = Some(MemRun { load, send, start });
    }

    pub fn step(&mut self, ctx: &mut Ctx, acct: &mut Acct, pos: InstrPos) -> EResult<Step> {
        let rates = &ctx.rates;
        let (banks, bank_rows, bank_cols, sent) = (&mut self.banks, self.rows, self.cols, &mut self.sent);
        let r = self.run.as_mut().expect("active");
        let mut progressed = false;
        let mut blocked = Vec::new();
        if let Some(l) = &mut r.load {
            if l.done < l.total {
                let f = &mut ctx.fifos[l.plan.stream.index()];
                // At most a piece at a time, so room frees up as the unit writes.
                let n = f.len().min(l.total - l.done).min(PIECE);
                if n == 0 {
                    blocked.push(format!("waiting for data on {}", l.plan.stream.name()));
                } else {
                    // Lines are written as they arrive (cut-through): the last is written when it
                    // has arrived, and no line faster than one per cycle.
                    let dur = n as f64 / rates.line;
                    let start = l.t.max(f.ready_time(n) - dur);
                    let (bank, pieces) = (&mut banks[l.plan.bank], &mut ctx.pieces);
                    let mut e = l.done;
                    let plan = &l.plan;
                    f.pop_each(
                        n,
                        start + dur,
                        |xs| {
                            scatter_load(bank, bank_cols, plan, e, xs);
                            e += xs.len();
                        },
                        |c| give_piece(pieces, c),
                    );
                    acct.step(l.t, start, 0.0, true);
                    l.t = start + dur;
                    l.done += n;
                    progressed = true;
                }
            }
        }
        if let Some(s) = &mut r.send {
            if s.next < s.plan.blocks.len() {
                let f = &mut ctx.fifos[s.plan.stream.index()];
                if f.space() < BLOCK_ELEMS {
                    blocked.push(format!("waiting for room on {}", s.plan.stream.name()));
                } else {
                    let (br, bc) = s.plan.blocks[s.next];
                    let slot = &mut sent[s.plan.bank][br * 4 + bc];
                    let blk = match slot {
                        Some(c) => c.clone(),
                        None => {
                            let mut v = take_block(&mut ctx.pool);
                            extract_block_into(&banks[s.plan.bank], bank_rows, bank_cols, br, bc, &mut v);
                            let c = std::sync::Arc::new(v);
                            *slot = Some(c.clone());
                            c
                        }
                    };
                    let start = s.t.max(f.space_time(BLOCK_ELEMS));
                    let dur = BLOCK_ELEMS as f64 / rates.send;
                    f.push_chunk(blk, start + dur);
                    acct.step(s.t, start, dur, false);
                    acct.bytes += (BLOCK_ELEMS * 4) as u64;
                    s.t = start + dur;
                    s.next += 1;
                    progressed = true;
                }
            }
        }
        let load_done = r.load.as_ref().is_none_or(|l| l.done == l.total);
        let send_done = r.send.as_ref().is_none_or(|s| s.next == s.plan.blocks.len());
        if load_done && send_done {
            let t = [r.load.as_ref().map(|l| l.t), r.send.as_ref().map(|s| s.t)]
                .into_iter()
                .flatten()
                .fold(r.start, f64::max);
            self.run = None;
            return Ok(Step::Done(t));
        }
        Ok(if progressed { Step::Progress } else { Step::Blocked(format!("at {pos}: {}", blocked.join("; "))) })
    }
}
