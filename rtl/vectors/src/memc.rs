//! Test vectors for the RTL MemC unit (rtl/memc/rsn_memc.sv).
//!
//! ```text
//! rsn-vectors memc CONFIG COUNT SEED
//! ```
//! CONFIG:
//! * `memc`: MemC0, every load mode, receive, both drains, no post-op; data includes zeros,
//!   infinities, NaNs and subnormals.
//! * `memc_postop`: MemC0, as `memc` plus softmax, LayerNorm and GELU post-ops (finite data).
//! * `memc_pair`: MemC0 and MemC1 as a LayerNorm pair (`ln_pair`), interleaved with unpaired uOPs.
//!
//! COUNT uOPs per unit, every payload accepted by `rsn::isa::check::check_payload` and with whole
//! DRAM lines on the DDR-facing streams. The expectation is computed with the model's MemC kernel
//! (`rsn::model::memc`: `apply_load`, `recv_sequence`, `post_op_rows`, `drain_tile`,
//! `mesh_sequence` and the `pair_*` steps of the split LayerNorm), with the ISA's in-place post-op:
//! the drain bank's rows x cols region is rewritten with the post-op result, then drained. Engine
//! products are random blocks (the unit only adds them, with `rsn::numerics::accumulate`). Every NaN
//! result is written as the canonical 0x7fc00000, the RTL's NaN policy (rtl/README.md); copied
//! NaNs keep their bits.
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

use std::io::{self, Write};

use rsn::isa::check::check_payload;
use rsn::isa::expand::bank;
use rsn::isa::fields::reserved_mask;
use rsn::isa::{self, Drain, LoadMode, MemCOp, Opcode, Payload, PostOp, BLOCK};
use rsn::model::{mem_ab, memc};
use rsn::numerics;

use crate::splitmix::SplitMix64;
use crate::Error;

const ROWS: usize = isa::MEMC_ROWS as usize;
const COLS: usize = isa::MEMC_COLS as usize;

const USAGE: &str = "memc memc|memc_postop|memc_pair COUNT SEED";

/// NaN results as the RTL produces them.
fn canon(v: f32) -> u32 {
    if v.is_nan() {
        numerics::QNAN.to_bits()
    } else {
        v.to_bits()
    }
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

/// One MemC unit, its banks and parameters as the model keeps them (f32 bit patterns).
struct Unit {
    banks: [Vec<f32>; 2],
    params: Vec<f32>,
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

/// The RTL's NaN policy applied to computed values of `rows x cols` of a bank.
fn canon_region(bank: &mut [f32], rows: usize, cols: usize) {
    for r in 0..rows {
        for v in &mut bank[r * COLS..r * COLS + cols] {
            *v = f32::from_bits(canon(*v));
        }
    }
}

impl Unit {
    fn new() -> Self {
        Unit { banks: [vec![0.0; ROWS * COLS], vec![0.0; ROWS * COLS]], params: vec![0.0; 2 * COLS] }
    }

    /// The drain of a uOP (the post-op already applied in place), as the model's MemC drains.
    fn drain(&self, m: &MemCOp, db: usize, s: &mut Streams) {
        let (rows, cols) = (m.rows as usize, m.cols as usize);
        let b = &self.banks[db];
        match Drain::from_bits(m.drain) {
            Some(Drain::Store) => {
                for r in 0..rows {
                    s.stores.extend(b[r * COLS..r * COLS + cols].iter().map(|v| v.to_bits()));
                }
            }
            Some(Drain::Mesh) => {
                let tile = memc::drain_tile(b, rows, cols);
                let mut blk = vec![0.0f32; BLOCK * BLOCK];
                for (r, k) in memc::mesh_sequence(m) {
                    mem_ab::extract_block_into(&tile, ROWS, COLS, r, k, &mut blk);
                    for (beat, v) in blk.chunks(32).enumerate() {
                        s.mesh.push((beat == 511, v.iter().map(|x| x.to_bits()).collect()));
                    }
                }
            }
            _ => {}
        }
    }

    /// The fill of a uOP: the model's load (`memc::apply_load`), then the receive in the model's
    /// order (`memc::recv_sequence`) of random engine products.
    fn fill(&mut self, rng: &mut SplitMix64, m: &MemCOp, fb: usize, special: u32, s: &mut Streams) {
        let (rows, cols) = (m.rows as usize, m.cols as usize);
        let mode = LoadMode::from_bits(m.load_mode).unwrap_or(LoadMode::None);
        let stage: Vec<u32> = (0..memc::load_floats(mode, rows, cols)).map(|_| elem(rng, special)).collect();
        s.loads.extend_from_slice(&stage);
        let stage: Vec<f32> = stage.iter().map(|b| f32::from_bits(*b)).collect();
        let add = |c: f32, p: f32| f32::from_bits(canon(numerics::accumulate(c, p)));
        memc::apply_load(&mut self.banks[fb], &mut self.params, mode, &stage, rows, cols, add);
        if m.recv_en == 1 {
            let bank = &mut self.banks[fb];
            for (br, bc, first) in memc::recv_sequence(m) {
                for i in 0..BLOCK {
                    for j in 0..BLOCK {
                        let p = elem(rng, special);
                        s.prods.push(p);
                        let c = &mut bank[(br * BLOCK + i) * COLS + bc * BLOCK + j];
                        *c = if first { f32::from_bits(p) } else { add(*c, f32::from_bits(p)) };
                    }
                }
            }
        }
    }

    /// One unpaired uOP: drain (post-op in place first) on the bank contents at the start, then
    /// the fill; they use different banks (check_payload), and the post-op reads the parameters
    /// from before a Params load of the same uOP, as the model's MemC does.
    fn run(&mut self, rng: &mut SplitMix64, m: &MemCOp, iter: u32, special: u32, s: &mut Streams) {
        let fb = bank(m.fill_bank, m.toggle, iter);
        let db = bank(m.drain_bank, m.toggle, iter);
        let post = PostOp::from_bits(m.post_op).unwrap_or(PostOp::None);
        if m.drain != 0 && post != PostOp::None {
            let (rows, cols) = (m.rows as usize, m.cols as usize);
            memc::post_op_rows(&mut self.banks[db], rows, cols, post, &self.params, f32::from_bits(m.eps));
            canon_region(&mut self.banks[db], rows, cols);
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

fn encode(m: &MemCOp) -> Result<[u32; 4], Error> {
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

/// The split LayerNorm of a pair step, in place, through the model's three pair steps
/// (`memc::pair_row_sums`, `pair_center`, `pair_scale`) with the sums exchanged between the units.
fn pair_ln(units: &mut [Unit], ops: [&MemCOp; 2], dbs: [usize; 2]) {
    let rows = ops[0].rows as usize;
    let total = ops[0].ln_total as usize;
    let c = [ops[0].cols as usize, ops[1].cols as usize];
    let mut x: Vec<Vec<f32>> = (0..2)
        .map(|u| (0..rows).flat_map(|r| units[u].banks[dbs[u]][r * COLS..r * COLS + c[u]].to_vec()).collect())
        .collect();
    let sums: Vec<Vec<f32>> = (0..2).map(|u| memc::pair_row_sums(&x[u], c[u])).collect();
    let sq: Vec<Vec<f32>> = (0..2).map(|u| memc::pair_center(&mut x[u], c[u], &sums[u], &sums[1 - u], total)).collect();
    for u in 0..2 {
        let p = &units[u].params;
        let (g, b) = (p[..c[u]].to_vec(), p[COLS..COLS + c[u]].to_vec());
        memc::pair_scale(&mut x[u], c[u], &sq[u], &sq[1 - u], total, &g, &b, f32::from_bits(ops[0].eps));
        for (r, row) in x[u].chunks(c[u]).enumerate() {
            units[u].banks[dbs[u]][r * COLS..r * COLS + c[u]].copy_from_slice(row);
        }
        canon_region(&mut units[u].banks[dbs[u]], rows, c[u]);
    }
}

fn hex_line(out: &mut dyn Write, head: &str, words: &[u32]) -> io::Result<()> {
    write!(out, "{head}")?;
    for w in words {
        write!(out, " {w:08x}")?;
    }
    writeln!(out)
}

pub fn run(args: &[String], out: &mut dyn Write) -> Result<(), Error> {
    let [config, count, seed] = args else { return Err(Error::Usage(USAGE)) };
    let (post, pair, special) = match config.as_str() {
        "memc" => (false, false, 2),
        "memc_postop" => (true, false, 0),
        "memc_pair" => (true, true, 0),
        _ => return Err(Error::Usage(USAGE)),
    };
    let count = crate::number("COUNT", count)?;
    let mut rng = SplitMix64(crate::number("SEED", seed)?);
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
    writeln!(out, "config {config} {nunits}")?;
    for (u, s) in streams.iter().enumerate() {
        for (iter, w) in &s.uops {
            hex_line(out, &format!("u {u} {iter}"), w)?;
        }
        for l in s.loads.chunks(16) {
            hex_line(out, &format!("l {u}"), l)?;
        }
        for p in s.prods.chunks(32) {
            hex_line(out, &format!("p {u}"), p)?;
        }
        for l in s.stores.chunks(16) {
            hex_line(out, &format!("s {u}"), l)?;
        }
        for (last, v) in &s.mesh {
            hex_line(out, &format!("m {u} {}", u8::from(*last)), v)?;
        }
    }
    writeln!(out, "end")?;
    out.flush()?;
    Ok(())
}
