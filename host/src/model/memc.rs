//! MemC0-5: the result memories. A uOP's fill activity (a load from DDR, then engine products
//! received and accumulated) runs on one bank while its drain activity (through the post-op, to a
//! DDR store or to MeshA) runs on the other. The post-op rewrites the drained region in place
//! (ISA v3); a split LayerNorm exchanges per-row partial sums with the partner MemC.
//!
//! The functional kernel ([`recv_sequence`], [`apply_load`], [`post_op_rows`], [`drain_tile`],
//! [`mesh_sequence`], the `pair_*` steps of a split LayerNorm) is what the RTL testbench vectors are computed with.

use super::cbank::{CBank, Pending};
use super::fifo::Chunk;
use super::mem_ab::extract_block_into;
use super::unit::{give_block, give_piece, Acct, Ctx, EResult, Step, PIECE};
use crate::isa::{self, expand, Drain, InstrPos, LoadMode, MemCOp, PostOp};
use crate::numerics::{self, BLOCK_ELEMS};
use crate::topology::Stream;

const MEMC_ROWS: usize = isa::MEMC_ROWS as usize;
const MEMC_COLS: usize = isa::MEMC_COLS as usize;

/// The engine blocks a receive takes, in stream order: (row block, column block, overwrite). The
/// first partial of each output block overwrites unless `acc` is set.
pub fn recv_sequence(m: &MemCOp) -> Vec<(usize, usize, bool)> {
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
}

/// The blocks a MeshA drain sends, in order: (row block, K block) of the drain tile.
pub fn mesh_sequence(m: &MemCOp) -> Vec<(usize, usize)> {
    let mut seq = Vec::new();
    for r in 0..m.send_rb as usize {
        for _ in 0..m.send_cb {
            for k in 0..m.send_kb as usize {
                seq.push((r, k));
            }
        }
    }
    seq
}

/// Floats a load of `mode` takes from the DDR stream.
pub fn load_floats(mode: LoadMode, rows: usize, cols: usize) -> usize {
    match mode {
        LoadMode::None => 0,
        LoadMode::Tile => rows * cols,
        LoadMode::Params => 2 * cols,
        _ => cols,
    }
}

/// Apply a completed load (the `stage`d stream elements) to the fill bank or the parameters: a
/// tile or a broadcast replaces the whole bank (zero outside the region). `add` is MemC's
/// accumulate ([`numerics::accumulate`] on the model).
pub fn apply_load(
    bank: &mut [f32],
    params: &mut [f32],
    mode: LoadMode,
    stage: &[f32],
    rows: usize,
    cols: usize,
    add: impl Fn(f32, f32) -> f32,
) {
    if matches!(mode, LoadMode::Tile | LoadMode::Broadcast) {
        bank.fill(0.0);
    }
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
                    *c = add(*c, *v);
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
pub fn post_op_rows(bank: &mut [f32], rows: usize, cols: usize, post: PostOp, params: &[f32], eps: f32) {
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
pub fn drain_tile(bank: &[f32], rows: usize, cols: usize) -> Vec<f32> {
    let mut t = vec![0.0f32; MEMC_ROWS * MEMC_COLS];
    for r in 0..rows {
        let at = r * MEMC_COLS;
        t[at..at + cols].copy_from_slice(&bank[at..at + cols]);
    }
    t
}

/// A split LayerNorm, step 1: the row sums of this side's `rows x cols` elements, sent to the
/// partner. Step 2 ([`pair_center`]) and step 3 ([`pair_scale`]) follow as the partner's sums
/// arrive.
pub fn pair_row_sums(x: &[f32], cols: usize) -> Vec<f32> {
    x.chunks(cols).map(numerics::row_sum).collect()
}

/// Step 2: centre each row of `x` on the common mean of both sides' row sums (`mine`, `theirs`)
/// and return this side's squared-deviation sums, sent to the partner.
pub fn pair_center(x: &mut [f32], cols: usize, mine: &[f32], theirs: &[f32], total: usize) -> Vec<f32> {
    let inv_n = numerics::recip(total as f32);
    let mean: Vec<f32> = mine.iter().zip(theirs.iter()).map(|(a, b)| (a + b) * inv_n).collect();
    x.chunks_mut(cols).zip(&mean).map(|(row, &mean)| numerics::center_and_square_sum(row, mean)).collect()
}

/// Step 3: scale the centred rows of `x` with both sides' squared-deviation sums.
#[allow(clippy::too_many_arguments)]
pub fn pair_scale(
    x: &mut [f32],
    cols: usize,
    mine: &[f32],
    theirs: &[f32],
    total: usize,
    gamma: &[f32],
    beta: &[f32],
    eps: f32,
) {
    let inv_n = numerics::recip(total as f32);
    for ((row, a), b) in x.chunks_mut(cols).zip(mine).zip(theirs.iter()) {
        let rstd = numerics::rsqrt((a + b) * inv_n + eps);
        numerics::ln_scale(row, rstd, gamma, beta);
    }
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
    /// The drain bank, which receives the result (post-ops rewrite it in place, ISA v3).
    bank: usize,
}

/// One MemC instance. Each bank adds the engine products it receives in background jobs (see
/// `cbank`).
pub(super) struct MemCUnit {
    banks: [CBank; 2],
    params: Vec<f32>,
    run: Option<MemCRun>,
}

impl MemCUnit {
    pub fn new() -> MemCUnit {
        MemCUnit {
            banks: [0, 1].map(|_| CBank::new(MEMC_ROWS, MEMC_COLS)),
            params: vec![0.0; 2 * MEMC_COLS],
            run: None,
        }
    }

    pub fn begin(&mut self, m: &MemCOp, inst: u8, iter: u32, start: f64, ctx: &mut Ctx) -> EResult<()> {
        let fb = expand::bank(m.fill_bank, m.toggle, iter);
        let db = expand::bank(m.drain_bank, m.toggle, iter);
        // Whatever this mOP reads or rewrites waits for every product received so far
        // (`CBank::get`); products it only receives queue behind them.
        let mut recycle = |c: Chunk| give_block(&mut ctx.pool, c);
        let (rows, cols) = (m.rows as usize, m.cols as usize);
        let recv_seq = (m.recv_en == 1).then(|| recv_sequence(m));
        let mode = LoadMode::from_bits(m.load_mode).unwrap_or(LoadMode::None);
        let fill = match mode {
            LoadMode::None => match &recv_seq {
                Some(_) => FillPhase::Recv { seq: Vec::new(), next: 0 },
                None => FillPhase::Done,
            },
            _ => {
                let need = load_floats(mode, rows, cols);
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
                let bank = self.banks[db].get(&mut recycle)?;
                let x: Vec<f32> = (0..rows).flat_map(|r| bank[r * MEMC_COLS..r * MEMC_COLS + cols].to_vec()).collect();
                let mine = pair_row_sums(&x, cols);
                let pair = PairLn {
                    phase: 0,
                    x,
                    rows,
                    cols,
                    total: m.ln_total as usize,
                    gamma: self.params[..cols].to_vec(),
                    beta: self.params[MEMC_COLS..MEMC_COLS + cols].to_vec(),
                    eps: f32::from_bits(m.eps),
                    mine,
                    bank: db,
                };
                Some(DrainAct {
                    stream: Stream::MemCToDdr(inst),
                    pieces: Vec::new(),
                    next: 0,
                    t: start,
                    first_latency: ctx.rates.post.drain_latency(PostOp::LayerNorm, rows, cols, true),
                    pair: Some(Box::new(pair)),
                })
            }
            kind => {
                let post = PostOp::from_bits(m.post_op).unwrap_or(PostOp::None);
                let bank = self.banks[db].get(&mut recycle)?;
                // ISA v3: the post-op result replaces the drained region of the bank.
                post_op_rows(bank, rows, cols, post, &self.params, f32::from_bits(m.eps));
                let (stream, pieces) = if kind == Drain::Store {
                    (Stream::MemCToDdr(inst), store_pieces(bank, rows, cols, &mut ctx.pieces))
                } else {
                    let tile = drain_tile(bank, rows, cols);
                    let pieces = mesh_sequence(m)
                        .into_iter()
                        .map(|(r, k)| {
                            let mut blk = vec![0.0f32; BLOCK_ELEMS];
                            extract_block_into(&tile, MEMC_ROWS, MEMC_COLS, r, k, &mut blk);
                            std::sync::Arc::new(blk)
                        })
                        .collect();
                    (Stream::MemCToMeshA(inst), pieces)
                };
                let first_latency = ctx.rates.post.drain_latency(post, rows, cols, false);
                Some(DrainAct { stream, pieces, next: 0, t: start, first_latency, pair: None })
            }
        };
        self.run = Some(MemCRun { fill, recv_after_load, fill_bank: fb, t_fill: start, drain, start });
        Ok(())
    }

    pub fn step(&mut self, ctx: &mut Ctx, acct: &mut Acct, pos: InstrPos, inst: u8) -> EResult<Step> {
        let (banks, params) = (&mut self.banks, &mut self.params);
        let rates = &ctx.rates;
        let r = self.run.as_mut().expect("active");
        let mut progressed = false;
        let mut blocked = Vec::new();
        // Fill activity: load, then receive.
        match &mut r.fill {
            FillPhase::Load { mode, stage, need, rows, cols } => {
                let s = Stream::DdrToMemC(inst);
                let f = &mut ctx.fifos[s.index()];
                let n = f.len().min(*need - stage.len()).min(PIECE);
                if n == 0 {
                    blocked.push(format!("waiting for data on {}", s.name()));
                } else {
                    // Cut-through, as the MemA/MemB loads.
                    let dur = n as f64 / rates.line;
                    let start = r.t_fill.max(f.ready_time(n) - dur);
                    let pieces = &mut ctx.pieces;
                    f.pop_each(n, start + dur, |xs| stage.extend_from_slice(xs), |c| give_piece(pieces, c));
                    acct.step(r.t_fill, start, 0.0, true);
                    r.t_fill = start + dur;
                    progressed = true;
                    if stage.len() == *need {
                        if matches!(mode, LoadMode::Broadcast | LoadMode::AddRow) {
                            // The staged row is swept over the tile one 32-float bank word
                            // per cycle (rtl/memc).
                            r.t_fill += (*rows * cols.div_ceil(rates.memc_word)) as f64;
                        }
                        let bank = banks[r.fill_bank].get(&mut |c| give_block(&mut ctx.pool, c))?;
                        apply_load(bank, params, *mode, stage, *rows, *cols, numerics::accumulate);
                        r.fill = match r.recv_after_load.take() {
                            Some(seq) => FillPhase::Recv { seq, next: 0 },
                            None => FillPhase::Done,
                        };
                    }
                }
            }
            FillPhase::Recv { seq, next } => {
                let s = Stream::MmeToMemC(inst);
                let f = &mut ctx.fifos[s.index()];
                if f.len() < BLOCK_ELEMS {
                    blocked.push(format!("waiting for data on {} (block {} of {})", s.name(), *next + 1, seq.len()));
                } else {
                    // Beats are taken as they arrive (cut-through).
                    let dur = BLOCK_ELEMS as f64 / rates.send;
                    let start = r.t_fill.max(f.ready_time(BLOCK_ELEMS) - dur);
                    let _placeholder = f.pop_chunk(BLOCK_ELEMS, start + dur);
                    let (br, bc, first) = seq[*next];
                    let (a, b) = ctx.products[inst as usize].pop_front().expect("one product per block sent");
                    banks[r.fill_bank].receive(Pending { br, bc, first, a, b }, &mut |c| give_block(&mut ctx.pool, c));
                    acct.step(r.t_fill, start, dur, true);
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
                    0 | 1 if ctx.fifos[out.index()].space() < p.rows => {
                        blocked.push(format!("waiting for room on {}", out.name()))
                    }
                    0 => {
                        let ready = d.t + p.rows as f64 / rates.send;
                        ctx.fifos[out.index()].push_chunk(std::sync::Arc::new(p.mine.clone()), ready);
                        d.t = ready;
                        p.phase = 1;
                        progressed = true;
                    }
                    _ if ctx.fifos[inp.index()].len() < p.rows => {
                        blocked.push(format!("waiting for the partner's LayerNorm sums on {}", inp.name()))
                    }
                    _ => {
                        let f = &mut ctx.fifos[inp.index()];
                        let start = d.t.max(f.ready_time(p.rows));
                        let theirs = f.pop_chunk(p.rows, start);
                        if p.phase == 1 {
                            p.mine = pair_center(&mut p.x, p.cols, &p.mine, &theirs, p.total);
                            let ready = start + p.rows as f64 / rates.send;
                            ctx.fifos[out.index()].push_chunk(std::sync::Arc::new(p.mine.clone()), ready);
                            d.t = ready;
                            p.phase = 2;
                        } else {
                            pair_scale(&mut p.x, p.cols, &p.mine, &theirs, p.total, &p.gamma, &p.beta, p.eps);
                            let bank = banks[p.bank].get(&mut |c| give_block(&mut ctx.pool, c))?;
                            for (r, row) in p.x.chunks(p.cols).enumerate() {
                                bank[r * MEMC_COLS..r * MEMC_COLS + p.cols].copy_from_slice(row);
                            }
                            d.pieces = store_pieces(bank, p.rows, p.cols, &mut ctx.pieces);
                            d.t = start;
                            p.phase = 3;
                        }
                        progressed = true;
                    }
                }
            } else if d.next < d.pieces.len() {
                let f = &mut ctx.fifos[d.stream.index()];
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
                    acct.step(d.t, start, dur, false);
                    acct.bytes += (n * 4) as u64;
                    d.t = start + dur;
                    d.next += 1;
                    progressed = true;
                }
            }
        }
        let fill_done = matches!(r.fill, FillPhase::Done);
        let drain_done =
            r.drain.as_ref().is_none_or(|d| d.pair.as_ref().is_none_or(|p| p.phase == 3) && d.next == d.pieces.len());
        if fill_done && drain_done {
            let t = r.t_fill.max(r.drain.as_ref().map_or(r.start, |d| d.t));
            self.run = None;
            return Ok(Step::Done(t));
        }
        Ok(if progressed { Step::Progress } else { Step::Blocked(format!("at {pos}: {}", blocked.join("; "))) })
    }
}
