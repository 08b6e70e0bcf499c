//! Test vectors for the RTL MemC unit (rtl/memc/rsn_memc.sv).
//!
//! ```text
//! cargo run --release -p rsn --example memc_vectors -- CONFIG COUNT SEED
//! ```
//! CONFIG:
//! * `memc`: MemC0, every load mode, receive, both drains, no post-op; data includes zeros,
//!   infinities, NaNs and subnormals.
//! * `memc_postop`: MemC0, as `memc` plus softmax, LayerNorm and GELU post-ops (finite data).
//! * `memc_pair`: MemC0 and MemC1 as a LayerNorm pair (`ln_pair`), interleaved with unpaired uOPs.
//!
//! COUNT uOPs per unit, every payload accepted by `rsn::validate::check_payload` and with whole
//! DRAM lines on the DDR-facing streams. The expectation re-states host/src/model/engine.rs for
//! `UnitKind::MemC` (`begin`, `step_unit`, `apply_load`, `flush_pending`, `post_op_tile`, the
//! `PairLn` exchange) with the ISA's in-place post-op: the drain bank's rows x cols region is
//! rewritten with the post-op result, then drained. Engine products are random blocks (the unit
//! only adds them). Arithmetic is rsn::numerics; every NaN result is written as the canonical
//! 0x7fc00000, the RTL's NaN policy (rtl/README.md); copied NaNs keep their bits.
//!
//! Format (hex words without 0x; UNIT 0 or 1, ITER decimal):
//! ```text
//! config NAME UNITS
//! u UNIT ITER W0 W1 W2 W3     a uOP, in execution order per unit
//! l UNIT E0 .. E15            a load line (ld stream), in stream order
//! p UNIT E0 .. E31            a product beat (prod stream), 512 per block, in stream order
//! s UNIT E0 .. E15            an expected store line
//! m UNIT LAST E0 .. E31       an expected MeshA beat (LAST 1 on a block's beat 511)
//! end
//! ```

use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

use rsn::isa::check::check_payload;
use rsn::isa::expand::bank;
use rsn::isa::fields::reserved_mask;
use rsn::isa::{self, Drain, LoadMode, MemCOp, Opcode, Payload, PostOp};
use rsn::numerics;

#[path = "common/splitmix.rs"]
mod splitmix;
use splitmix::SplitMix64;

const ROWS: usize = isa::MEMC_ROWS as usize;
const COLS: usize = isa::MEMC_COLS as usize;
const BLOCK: usize = 128;

#[derive(Debug, thiserror::Error)]
enum VecError {
    #[error("usage: memc_vectors memc|memc_postop|memc_pair COUNT SEED")]
    Usage,
    #[error("argument {name} = {value:?} is not an unsigned integer")]
    BadNumber { name: &'static str, value: String },
    #[error("a generated payload does not encode: {0}")]
    Encode(#[from] rsn::isa::EncodeError),
    #[error("writing vectors failed: {0}")]
    Io(#[from] io::Error),
}

/// NaN results as the RTL produces them.
fn canon(v: f32) -> u32 {
    if v.is_nan() {
        numerics::QNAN.to_bits()
    } else {
        v.to_bits()
    }
}

fn acc(c: u32, p: u32) -> u32 {
    canon(numerics::accumulate(f32::from_bits(c), f32::from_bits(p)))
}

/// Random element bits: mostly moderate normal numbers, with `special` percent edge values.
fn elem(rng: &mut SplitMix64, special: u32) -> u32 {
    if rng.chance(special) {
        const EDGE: [u32; 10] = [
            0x0000_0000,
            0x8000_0000,
            0x7f80_0000,
            0xff80_0000,
            0x7fc0_0000,
            0x7fa0_0001,
            0x0000_0001,
            0x8040_0000,
            0x7f7f_ffff,
            0xff7f_ffff,
        ];
        return EDGE[rng.below(EDGE.len() as u32) as usize];
    }
    let sign = rng.next_u32() & 0x8000_0000;
    let exp = rng.range(118, 134) << 23;
    sign | exp | (rng.next_u32() & 0x007f_ffff)
}

/// A size in 1..=max, often an edge (1, max, a multiple of 32 or 128 or one off it).
fn size(rng: &mut SplitMix64, max: u32) -> u32 {
    match rng.below(7) {
        0 => 1,
        1 => max,
        2 => (max - rng.below(2)).max(1),
        3 => (128 * rng.range(1, max.div_ceil(128))).min(max),
        4 => (32 * rng.range(1, max.div_ceil(32)) + rng.below(3)).clamp(1, max),
        _ => rng.range(1, max),
    }
}

/// One MemC unit of the model.
struct Unit {
    banks: [Vec<u32>; 2],
    params: Vec<u32>,
}

/// What the testbench streams for one unit.
#[derive(Default)]
struct Streams {
    uops: Vec<(u32, [u32; 4])>,
    loads: Vec<u32>,
    prods: Vec<u32>,
    stores: Vec<u32>,
    mesh: Vec<(bool, Vec<u32>)>,
}

impl Unit {
    fn new() -> Self {
        Unit { banks: [vec![0; ROWS * COLS], vec![0; ROWS * COLS]], params: vec![0; 2 * COLS] }
    }

    /// The post-op of one row (not split), `post_op_tile`.
    fn post_row(&self, row: &mut [u32], post: PostOp, eps: u32) {
        let cols = row.len();
        let mut x: Vec<f32> = row.iter().map(|&b| f32::from_bits(b)).collect();
        match post {
            PostOp::None => return,
            PostOp::Softmax => numerics::softmax_row(&mut x),
            PostOp::LayerNorm => {
                let g: Vec<f32> = self.params[..cols].iter().map(|&b| f32::from_bits(b)).collect();
                let b: Vec<f32> = self.params[COLS..COLS + cols].iter().map(|&b| f32::from_bits(b)).collect();
                numerics::layernorm_row(&mut x, &g, &b, f32::from_bits(eps));
            }
            PostOp::Gelu => x.iter_mut().for_each(|v| *v = numerics::gelu(*v)),
        }
        for (d, v) in row.iter_mut().zip(x) {
            *d = canon(v);
        }
    }

    /// The drain of a uOP (the post-op already applied in place), engine.rs `begin`.
    fn drain(&self, m: &MemCOp, db: usize, s: &mut Streams) {
        let (rows, cols) = (m.rows as usize, m.cols as usize);
        let b = &self.banks[db];
        match Drain::from_bits(m.drain) {
            Some(Drain::Store) => {
                for r in 0..rows {
                    s.stores.extend_from_slice(&b[r * COLS..r * COLS + cols]);
                }
            }
            Some(Drain::Mesh) => {
                for r in 0..m.send_rb as usize {
                    for _ in 0..m.send_cb {
                        for k in 0..m.send_kb as usize {
                            for beat in 0..512 {
                                let row = r * BLOCK + beat / 4;
                                let c0 = k * BLOCK + 32 * (beat % 4);
                                let v = (0..32)
                                    .map(|j| if row < rows && c0 + j < cols { b[row * COLS + c0 + j] } else { 0 })
                                    .collect();
                                s.mesh.push((beat == 511, v));
                            }
                        }
                    }
                }
            }
            _ => {}
        }
    }

    /// The fill of a uOP: load (`apply_load`), then receive (`flush_pending`).
    fn fill(&mut self, rng: &mut SplitMix64, m: &MemCOp, fb: usize, special: u32, s: &mut Streams) {
        let (rows, cols) = (m.rows as usize, m.cols as usize);
        let mode = LoadMode::from_bits(m.load_mode).unwrap_or(LoadMode::None);
        let need = match mode {
            LoadMode::None => 0,
            LoadMode::Tile => rows * cols,
            LoadMode::Params => 2 * cols,
            _ => cols,
        };
        let stage: Vec<u32> = (0..need).map(|_| elem(rng, special)).collect();
        s.loads.extend_from_slice(&stage);
        let bank = &mut self.banks[fb];
        if matches!(mode, LoadMode::Tile | LoadMode::Broadcast) {
            bank.fill(0);
        }
        match mode {
            LoadMode::Tile => {
                for r in 0..rows {
                    bank[r * COLS..r * COLS + cols].copy_from_slice(&stage[r * cols..(r + 1) * cols]);
                }
            }
            LoadMode::Broadcast => {
                for r in 0..rows {
                    bank[r * COLS..r * COLS + cols].copy_from_slice(&stage);
                }
            }
            LoadMode::AddRow => {
                for r in 0..rows {
                    for (c, v) in bank[r * COLS..r * COLS + cols].iter_mut().zip(&stage) {
                        *c = acc(*c, *v);
                    }
                }
            }
            LoadMode::Params => {
                self.params[..cols].copy_from_slice(&stage[..cols]);
                self.params[COLS..COLS + cols].copy_from_slice(&stage[cols..]);
            }
            LoadMode::None => {}
        }
        if m.recv_en == 1 {
            for t in 0..m.k_iters {
                for br in 0..m.recv_rb as usize {
                    for bc in 0..m.recv_cb as usize {
                        for k in 0..m.recv_kb {
                            let first = m.acc == 0 && t == 0 && k == 0;
                            for i in 0..BLOCK {
                                for j in 0..BLOCK {
                                    let p = elem(rng, special);
                                    s.prods.push(p);
                                    let c = &mut bank[(br * BLOCK + i) * COLS + bc * BLOCK + j];
                                    *c = if first { p } else { acc(*c, p) };
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// One unpaired uOP: drain (post-op in place first) on the bank contents at the start, then
    /// the fill; they use different banks (check_payload), and the post-op reads the parameters
    /// from before a Params load of the same uOP, as the model's `begin` does.
    fn run(&mut self, rng: &mut SplitMix64, m: &MemCOp, iter: u32, special: u32, s: &mut Streams) {
        let fb = bank(m.fill_bank, m.toggle, iter);
        let db = bank(m.drain_bank, m.toggle, iter);
        let post = PostOp::from_bits(m.post_op).unwrap_or(PostOp::None);
        if m.drain != 0 && post != PostOp::None {
            let mut b = std::mem::take(&mut self.banks[db]);
            for r in 0..m.rows as usize {
                self.post_row(&mut b[r * COLS..r * COLS + m.cols as usize], post, m.eps);
            }
            self.banks[db] = b;
        }
        self.drain(m, db, s);
        self.fill(rng, m, fb, special, s);
    }
}

/// A random valid payload: loop counts kept small so a simulation stays short.
fn random_op(rng: &mut SplitMix64, post: bool) -> MemCOp {
    loop {
        let fields = Opcode::MemC.fields();
        let w: Vec<u32> =
            (0..Opcode::MemC.payload_words()).map(|i| rng.next_u32() & !reserved_mask(fields, i)).collect();
        let mut m = MemCOp::decode(&w).expect("reserved bits are cleared");
        m.load_mode = rng.below(5);
        m.recv_en = u32::from(rng.chance(45));
        m.acc = if m.recv_en == 1 { m.acc } else { 0 };
        m.drain = rng.below(3);
        m.post_op = if post && m.drain != 0 && rng.chance(70) { rng.range(1, 3) } else { 0 };
        m.rows = size(rng, isa::MEMC_ROWS);
        m.cols = size(rng, isa::MEMC_COLS);
        m.recv_rb = rng.range(1, 2);
        m.recv_cb = rng.range(1, 4);
        m.recv_kb = rng.range(1, 4);
        m.k_iters = if rng.chance(70) { 1 } else { 2 };
        m.send_rb = rng.range(1, 2);
        m.send_cb = if rng.chance(80) { 1 } else { 2 };
        m.send_kb = rng.range(1, 4);
        m.ln_pair = 0;
        m.ln_total = 0;
        m.eps = [0x3727_c5ac, 0x3089_705f, 0, 0x3f80_0000][rng.below(4) as usize];
        let (rows, cols) = (m.rows, m.cols);
        let mode = LoadMode::from_bits(m.load_mode).unwrap_or(LoadMode::None);
        // Whole DRAM lines on the DDR streams (the validator balances them in real programs).
        let whole = match mode {
            LoadMode::Tile => (rows * cols).is_multiple_of(16),
            LoadMode::Broadcast | LoadMode::AddRow => cols.is_multiple_of(16),
            LoadMode::Params => cols.is_multiple_of(8),
            LoadMode::None => true,
        } && (m.drain != 1 || (rows * cols).is_multiple_of(16));
        // Bound the product and mesh traffic per uOP.
        let blocks = m.recv_en * m.k_iters * m.recv_rb * m.recv_cb * m.recv_kb;
        let mesh = if m.drain == 2 { m.send_rb * m.send_cb * m.send_kb } else { 0 };
        if whole && blocks <= 6 && mesh <= 4 && check_payload(Opcode::MemC, 0, &Payload::MemC(m)).is_ok() {
            return m;
        }
    }
}

fn encode(m: &MemCOp) -> Result<[u32; 4], VecError> {
    let mut words = Vec::new();
    m.encode_into(&mut words)?;
    Ok([words[0], words[1], words[2], words[3]])
}

/// A LayerNorm pair step: both units drain rows x (cols0 | cols1) through a split LayerNorm; each
/// may fill its other bank meanwhile.
fn pair_ops(rng: &mut SplitMix64) -> (MemCOp, MemCOp) {
    loop {
        let mut a = random_op(rng, false);
        let mut b = random_op(rng, false);
        let rows = size(rng, isa::MEMC_ROWS);
        let total = rng.range(2, 2 * isa::MEMC_COLS);
        let c0 = rng.range(total.saturating_sub(isa::MEMC_COLS).max(1), (total - 1).min(isa::MEMC_COLS));
        for (m, cols) in [(&mut a, c0), (&mut b, total - c0)] {
            m.drain = 1;
            m.post_op = 2;
            m.ln_pair = 1;
            m.ln_total = total;
            m.rows = rows;
            m.cols = cols;
            m.eps = 0x3727_c5ac;
            // Keep the fill independent of rows/cols changes: no load unless the lines are whole.
            if m.load_mode != 0 && m.load_mode != 4 {
                m.load_mode = 0;
            }
            if m.load_mode == 4 && !cols.is_multiple_of(8) {
                m.load_mode = 0;
            }
            if m.load_mode == 0 && m.recv_en == 0 {
                m.recv_en = 1;
                m.k_iters = 1;
                m.recv_rb = 1;
                m.recv_cb = 1;
                m.recv_kb = 1;
            }
        }
        let ok = |m: &MemCOp| {
            (m.rows * m.cols).is_multiple_of(16) && check_payload(Opcode::MemC, 0, &Payload::MemC(*m)).is_ok()
        };
        if ok(&a) && ok(&b) {
            return (a, b);
        }
    }
}

/// The split LayerNorm of a pair step (`PairLn`, numerics::layernorm_split_row), in place.
fn pair_ln(units: &mut [Unit], ops: [&MemCOp; 2], dbs: [usize; 2]) {
    let rows = ops[0].rows as usize;
    let (c0, c1) = (ops[0].cols as usize, ops[1].cols as usize);
    let f = |v: &[u32]| v.iter().map(|&b| f32::from_bits(b)).collect::<Vec<f32>>();
    let (g0, b0) = (f(&units[0].params[..c0]), f(&units[0].params[COLS..COLS + c0]));
    let (g1, b1) = (f(&units[1].params[..c1]), f(&units[1].params[COLS..COLS + c1]));
    for r in 0..rows {
        let mut lo = f(&units[0].banks[dbs[0]][r * COLS..r * COLS + c0]);
        let mut hi = f(&units[1].banks[dbs[1]][r * COLS..r * COLS + c1]);
        numerics::layernorm_split_row(&mut lo, &mut hi, (&g0, &g1), (&b0, &b1), f32::from_bits(ops[0].eps));
        for (d, v) in units[0].banks[dbs[0]][r * COLS..r * COLS + c0].iter_mut().zip(lo) {
            *d = canon(v);
        }
        for (d, v) in units[1].banks[dbs[1]][r * COLS..r * COLS + c1].iter_mut().zip(hi) {
            *d = canon(v);
        }
    }
}

fn parse(name: &'static str, value: &str) -> Result<u64, VecError> {
    value.parse().map_err(|_| VecError::BadNumber { name, value: value.to_string() })
}

fn hex_line(out: &mut impl Write, head: &str, words: &[u32]) -> io::Result<()> {
    write!(out, "{head}")?;
    for w in words {
        write!(out, " {w:08x}")?;
    }
    writeln!(out)
}

fn run() -> Result<(), VecError> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [config, count, seed] = args.as_slice() else { return Err(VecError::Usage) };
    let (post, pair, special) = match config.as_str() {
        "memc" => (false, false, 2),
        "memc_postop" => (true, false, 0),
        "memc_pair" => (true, true, 0),
        _ => return Err(VecError::Usage),
    };
    let count = parse("COUNT", count)?;
    let mut rng = SplitMix64(parse("SEED", seed)?);
    let nunits = if pair { 2 } else { 1 };
    let mut units: Vec<Unit> = (0..nunits).map(|_| Unit::new()).collect();
    let mut streams: Vec<Streams> = (0..nunits).map(|_| Streams::default()).collect();
    for _ in 0..count {
        if pair && rng.chance(50) {
            let (a, b) = pair_ops(&mut rng);
            let iters = [rng.below(4), rng.below(4)];
            let ops = [&a, &b];
            let dbs = [bank(a.drain_bank, a.toggle, iters[0]), bank(b.drain_bank, b.toggle, iters[1])];
            pair_ln(&mut units, ops, dbs);
            for u in 0..2 {
                streams[u].uops.push((iters[u], encode(ops[u])?));
                units[u].drain(ops[u], dbs[u], &mut streams[u]);
                let fb = bank(ops[u].fill_bank, ops[u].toggle, iters[u]);
                units[u].fill(&mut rng, ops[u], fb, special, &mut streams[u]);
            }
        } else {
            for u in 0..nunits {
                let m = random_op(&mut rng, post);
                let iter = rng.below(4);
                streams[u].uops.push((iter, encode(&m)?));
                units[u].run(&mut rng, &m, iter, special, &mut streams[u]);
            }
        }
    }
    let mut out = BufWriter::new(io::stdout().lock());
    writeln!(out, "config {config} {nunits}")?;
    for (u, s) in streams.iter().enumerate() {
        for (iter, w) in &s.uops {
            hex_line(&mut out, &format!("u {u} {iter}"), w)?;
        }
        for l in s.loads.chunks(16) {
            hex_line(&mut out, &format!("l {u}"), l)?;
        }
        for p in s.prods.chunks(32) {
            hex_line(&mut out, &format!("p {u}"), p)?;
        }
        for l in s.stores.chunks(16) {
            hex_line(&mut out, &format!("s {u}"), l)?;
        }
        for (last, v) in &s.mesh {
            hex_line(&mut out, &format!("m {u} {}", u8::from(*last)), v)?;
        }
    }
    writeln!(out, "end")?;
    out.flush()?;
    Ok(())
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("memc_vectors: {e}");
            ExitCode::FAILURE
        }
    }
}
