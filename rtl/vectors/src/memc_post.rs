//! Test vectors for the RTL MemC post-op unit (rtl/memc/rsn_memc_post.sv).
//!
//! ```text
//! rsn-vectors memc-post COUNT SEED
//! ```
//! Writes about COUNT random groups (up to 32 rows x 512 columns) for each of two post units that
//! are partners (MemC0/MemC1): softmax, LayerNorm, GELU and the split LayerNorm whose halves run
//! on the two units, then one timing group per op at 128 and 512 columns. The expected results come
//! from `rsn::numerics` itself: `softmax_row`, `layernorm_row`, `gelu`, and for the split form the
//! model's own three steps (`rsn::model::memc::pair_row_sums`, `pair_center`, `pair_scale`), once
//! from each side with the sums exchanged.
//!
//! Format (hex words without 0x, other fields decimal):
//! ```text
//! g UNIT OP ROWS COLS EPS PAIR TOTAL TIMING   a group for unit 0 or 1 (EPS hex), in that unit's order
//! i L0 .. L31 GAMMA BETA                      column beat c = 0..COLS-1 (all 32 lanes driven)
//! o L0 .. L(ROWS-1)                           expected column beat c
//! end
//! ```
//! The first group of each unit is never a pair group: the testbench aborts it a few times.

use std::io::{self, Write};

use rsn::model::memc;
use rsn::numerics;

use crate::splitmix::SplitMix64;
use crate::Error;

const LANES: usize = 32;
const MAX_COLS: u32 = 512;

const OP_NONE: u32 = 0;
const OP_SOFTMAX: u32 = 1;
const OP_LN: u32 = 2;
const OP_GELU: u32 = 3;

const USAGE: &str = "memc-post COUNT SEED";

/// One group as a unit sees it: `x[r][c]` for all 32 lanes (lanes >= rows are filler), the
/// parameters, and the expected `y[r][c]` for r < rows.
struct Group {
    unit: u32,
    op: u32,
    rows: usize,
    cols: usize,
    eps: f32,
    pair: bool,
    total: usize,
    timing: bool,
    x: Vec<Vec<f32>>,
    gamma: Vec<f32>,
    beta: Vec<f32>,
    y: Vec<Vec<f32>>,
}

/// A column count in 1..=512, often an edge.
fn cols(rng: &mut SplitMix64) -> usize {
    (match rng.below(7) {
        0 => 1,
        1 => MAX_COLS,
        2 => 128,
        3 => rng.range(2, 8),
        _ => rng.range(1, MAX_COLS),
    }) as usize
}

fn rows(rng: &mut SplitMix64) -> usize {
    (match rng.below(4) {
        0 => 32,
        1 => 1,
        _ => rng.range(1, 32),
    }) as usize
}

/// Uniform in [-1, 1).
fn unit_f(rng: &mut SplitMix64) -> f32 {
    (rng.next_u32() >> 8) as f32 / (1u32 << 23) as f32 - 1.0
}

/// Any bit pattern: NaNs, infinities, subnormals, zeros included.
fn any_bits(rng: &mut SplitMix64) -> f32 {
    f32::from_bits(rng.next_u32())
}

/// A row of softmax scores: ordinary, large or tiny magnitudes, with masked (-inf) entries and
/// now and then a fully masked row, an infinity or a NaN.
fn softmax_row(rng: &mut SplitMix64, n: usize) -> Vec<f32> {
    let scale = [1.0f32, 10.0, 100.0, 1e-30, 1e30, 3e38][rng.below(6) as usize];
    let mask_pct = [0, 0, 10, 50, 100][rng.below(5) as usize];
    (0..n)
        .map(|_| match rng.below(1000) {
            0 => f32::NAN,
            1 => f32::INFINITY,
            2 => any_bits(rng),
            _ if rng.chance(mask_pct) => f32::NEG_INFINITY,
            _ => unit_f(rng) * scale,
        })
        .collect()
}

/// A row of LayerNorm inputs: an offset plus spread at random scales (cancellation when the offset
/// dominates), sometimes constant, sometimes subnormal, rarely any bit pattern.
fn ln_row(rng: &mut SplitMix64, n: usize) -> Vec<f32> {
    let scale = [1.0f32, 1e-3, 1e3, 1e18, 1e-38, 0.0][rng.below(6) as usize];
    let offset = [0.0f32, 1.0, -100.0, 1e6][rng.below(4) as usize] * unit_f(rng);
    (0..n)
        .map(|_| match rng.below(2000) {
            0 => any_bits(rng),
            _ => offset + unit_f(rng) * scale,
        })
        .collect()
}

/// GELU inputs: the working range, the tails, and any bit pattern.
fn gelu_row(rng: &mut SplitMix64, n: usize) -> Vec<f32> {
    (0..n)
        .map(|_| match rng.below(10) {
            0 => any_bits(rng),
            1 => unit_f(rng) * 1e4,
            2 => unit_f(rng) * 1e-20,
            _ => unit_f(rng) * 8.0,
        })
        .collect()
}

fn eps(rng: &mut SplitMix64) -> f32 {
    [1e-5f32, 1e-12, 0.0, 1e-6][rng.below(4) as usize]
}

fn params(rng: &mut SplitMix64, n: usize) -> (Vec<f32>, Vec<f32>) {
    let g = (0..n).map(|_| 1.0 + unit_f(rng) * 0.5).collect();
    let b = (0..n).map(|_| unit_f(rng) * 0.25).collect();
    (g, b)
}

/// Fills lanes >= rows with filler the unit must ignore.
fn lanes(rng: &mut SplitMix64, mut x: Vec<Vec<f32>>, n: usize) -> Vec<Vec<f32>> {
    while x.len() < LANES {
        x.push((0..n).map(|_| any_bits(rng)).collect());
    }
    x
}

/// A single-unit group with op `op` (softmax, LayerNorm, GELU or none).
fn single(rng: &mut SplitMix64, unit: u32, op: u32, r: usize, c: usize, timing: bool) -> Group {
    let e = eps(rng);
    let (gamma, beta) = params(rng, c);
    let x: Vec<Vec<f32>> = (0..r)
        .map(|_| match op {
            OP_SOFTMAX => softmax_row(rng, c),
            OP_LN => ln_row(rng, c),
            _ => gelu_row(rng, c),
        })
        .collect();
    let y = x
        .iter()
        .map(|row| {
            let mut v = row.clone();
            match op {
                OP_SOFTMAX => numerics::softmax_row(&mut v),
                OP_LN => numerics::layernorm_row(&mut v, &gamma, &beta, e),
                OP_GELU => v.iter_mut().for_each(|t| *t = numerics::gelu(*t)),
                _ => {}
            }
            v
        })
        .collect();
    let x = lanes(rng, x, c);
    Group { unit, op, rows: r, cols: c, eps: e, pair: false, total: 0, timing, x, gamma, beta, y }
}

/// The two halves of a split LayerNorm: the model's `PairLn` sequence, once from each side.
fn pair(rng: &mut SplitMix64, r: usize, c0: usize, c1: usize, timing: bool) -> [Group; 2] {
    let e = eps(rng);
    let total = c0 + c1;
    let mut half = |c: usize| {
        let (g, b) = params(rng, c);
        let x: Vec<Vec<f32>> = (0..r).map(|_| ln_row(rng, c)).collect();
        (x, g, b)
    };
    let h = [half(c0), half(c1)];
    let cols = [c0, c1];
    // Each half row-major, through the model's three steps with the sums exchanged.
    let mut d: [Vec<f32>; 2] = [0, 1].map(|u| h[u].0.concat());
    let sums: [Vec<f32>; 2] = [0, 1].map(|u| memc::pair_row_sums(&d[u], cols[u]));
    let q: Vec<Vec<f32>> =
        (0..2).map(|u| memc::pair_center(&mut d[u], cols[u], &sums[u], &sums[1 - u], total)).collect();
    for u in 0..2 {
        memc::pair_scale(&mut d[u], cols[u], &q[u], &q[1 - u], total, &h[u].1, &h[u].2, e);
    }
    let [d0, d1] = [0, 1].map(|u| d[u].chunks(cols[u]).map(<[f32]>::to_vec).collect::<Vec<Vec<f32>>>());
    let [h0, h1] = h;
    let mk = |rng: &mut SplitMix64, unit: u32, c: usize, (x, gamma, beta): (Vec<Vec<f32>>, Vec<f32>, Vec<f32>), y| {
        let x = lanes(rng, x, c);
        Group { unit, op: OP_LN, rows: r, cols: c, eps: e, pair: true, total, timing, x, gamma, beta, y }
    };
    let g0 = mk(rng, 0, c0, h0, d0);
    let g1 = mk(rng, 1, c1, h1, d1);
    [g0, g1]
}

fn write_group(out: &mut dyn Write, g: &Group) -> io::Result<()> {
    writeln!(
        out,
        "g {} {} {} {} {:08x} {} {} {}",
        g.unit,
        g.op,
        g.rows,
        g.cols,
        g.eps.to_bits(),
        u8::from(g.pair),
        g.total,
        u8::from(g.timing)
    )?;
    for c in 0..g.cols {
        write!(out, "i")?;
        for lane in &g.x {
            write!(out, " {:08x}", lane[c].to_bits())?;
        }
        writeln!(out, " {:08x} {:08x}", g.gamma[c].to_bits(), g.beta[c].to_bits())?;
    }
    for c in 0..g.cols {
        write!(out, "o")?;
        for row in &g.y {
            write!(out, " {:08x}", row[c].to_bits())?;
        }
        writeln!(out)?;
    }
    Ok(())
}

pub fn run(args: &[String], out: &mut dyn Write) -> Result<(), Error> {
    let [count, seed] = args else { return Err(Error::Usage(USAGE)) };
    let count = crate::number("COUNT", count)?;
    let mut rng = SplitMix64(crate::number("SEED", seed)?);
    // The first group of each unit (aborted and rerun by the testbench) is a long non-pair one.
    for unit in 0..2 {
        let op = [OP_SOFTMAX, OP_LN, OP_GELU][rng.below(3) as usize];
        let c = rng.range(256, MAX_COLS) as usize;
        let g = single(&mut rng, unit, op, LANES, c, false);
        write_group(out, &g)?;
    }
    for _ in 0..count {
        let kind = rng.below(20);
        let (unit, r, c) = (rng.below(2), rows(&mut rng), cols(&mut rng));
        let op = match kind {
            0..=4 => OP_SOFTMAX,
            5..=9 => OP_LN,
            10..=12 => OP_GELU,
            13 => OP_NONE,
            _ => {
                let c1 = cols(&mut rng);
                for g in pair(&mut rng, r, c, c1, false) {
                    write_group(out, &g)?;
                }
                continue;
            }
        };
        write_group(out, &single(&mut rng, unit, op, r, c, false))?;
    }
    // Timing groups: full rows at 128 and 512 columns for every op, on both units at once.
    for c in [128, 512] {
        for op in [OP_SOFTMAX, OP_LN, OP_GELU] {
            for unit in 0..2 {
                write_group(out, &single(&mut rng, unit, op, LANES, c, true))?;
            }
        }
        for g in pair(&mut rng, LANES, c, c, true) {
            write_group(out, &g)?;
        }
    }
    writeln!(out, "end")?;
    out.flush()?;
    Ok(())
}
