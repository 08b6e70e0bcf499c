//! Bit-exact tests of the AIE model: one kernel, one cascade and one engine against a CPU chain,
//! and engine_block against the project's numerics contract (`rsn::numerics::mme_block_ref`).

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rsn_aie::{
    cascade, engine_block, engine_blocks, kernel_stage, Stage, BLOCK, BLOCK_ELEMS, STAGES, TILE, TILE_ELEMS,
};

/// Random values with the edge cases the contract must survive: signed zeros, subnormals, huge
/// magnitudes whose products overflow, and (optionally) infinities, which turn sums into NaN.
fn edge_data(n: usize, seed: u64, with_inf: bool) -> Vec<f32> {
    let mut rng = StdRng::seed_from_u64(seed);
    (0..n)
        .map(|_| {
            let u: f32 = rng.random_range(-1.0..1.0);
            match rng.random_range(0..100) {
                0..80 => u,
                80..85 => u * 1e30,
                85..90 => u * 1e-39, // subnormal
                90..93 => 0.0,
                93..96 => -0.0,
                96..98 => u * 3e38,
                98 if with_inf => f32::INFINITY,
                99 if with_inf => f32::NEG_INFINITY,
                _ => u * 1e-20,
            }
        })
        .collect()
}

/// The contract's chain for an (m x k, lda) by (k x n, ldb) product; `init` continues chains.
#[allow(clippy::too_many_arguments)]
fn chain(a: &[f32], lda: usize, b: &[f32], ldb: usize, m: usize, n: usize, k: usize, init: Option<&[f32]>) -> Vec<f32> {
    let mut c = vec![0.0f32; m * n];
    for i in 0..m {
        for j in 0..n {
            let (mut acc, k0) = match init {
                Some(x) => (x[i * n + j], 0),
                None => (a[i * lda] * b[j], 1),
            };
            for kk in k0..k {
                let p = a[i * lda + kk] * b[kk * ldb + j];
                acc += p;
            }
            c[i * n + j] = acc;
        }
    }
    c
}

fn assert_bits(what: &str, got: &[f32], want: &[f32]) {
    assert_eq!(got.len(), want.len(), "{what}: lengths");
    let bad: Vec<usize> = (0..got.len()).filter(|&i| got[i].to_bits() != want[i].to_bits()).collect();
    assert!(
        bad.is_empty(),
        "{what}: {} of {} elements differ; first at {}: got {:e} ({:#010x}) want {:e} ({:#010x})",
        bad.len(),
        got.len(),
        bad[0],
        got[bad[0]],
        got[bad[0]].to_bits(),
        want[bad[0]],
        want[bad[0]].to_bits()
    );
}

#[test]
fn each_kernel_stage_matches_its_chain_segment() {
    let tiles = 3;
    let n = TILE_ELEMS * tiles;
    let a = edge_data(n, 1, true);
    let b = edge_data(n, 2, true);
    let acc = edge_data(n, 3, true);
    for stage in [Stage::First, Stage::Middle, Stage::Last] {
        let mut out = vec![f32::NAN; n];
        let init = (stage != Stage::First).then_some(&acc[..]);
        assert_eq!(kernel_stage(stage, &a, &b, init, &mut out), Ok(tiles));
        for t in 0..tiles {
            let r = t * TILE_ELEMS..(t + 1) * TILE_ELEMS;
            let want = chain(&a[r.clone()], TILE, &b[r.clone()], TILE, TILE, TILE, TILE, init.map(|x| &x[r.clone()]));
            assert_bits(&format!("{stage:?} tile {t}"), &out[r], &want);
        }
    }
}

#[test]
fn one_cascade_matches_the_full_k_chain() {
    let k = TILE * STAGES;
    let triples = 2;
    let a = edge_data(TILE * k * triples, 4, true);
    let b = edge_data(k * TILE * triples, 5, true);
    let mut c = vec![f32::NAN; TILE_ELEMS * triples];
    assert_eq!(cascade(&a, &b, &mut c), Ok(triples));
    for t in 0..triples {
        let want = chain(&a[t * TILE * k..], k, &b[t * TILE * k..], TILE, TILE, TILE, k, None);
        assert_bits(&format!("triple {t}"), &c[t * TILE_ELEMS..(t + 1) * TILE_ELEMS], &want);
    }
}

#[test]
fn one_engine_matches_the_cpu_chain() {
    let a = edge_data(BLOCK_ELEMS, 6, false);
    let b = edge_data(BLOCK_ELEMS, 7, false);
    let mut c = vec![f32::NAN; BLOCK_ELEMS];
    engine_block(&a, &b, &mut c).unwrap();
    let want = chain(&a, BLOCK, &b, BLOCK, BLOCK, BLOCK, BLOCK, None);
    assert_bits("engine", &c, &want);
}

#[test]
fn engine_block_follows_the_numerics_contract_bit_for_bit() {
    for seed in 0..4u64 {
        let a = edge_data(BLOCK_ELEMS, 100 + seed, seed % 2 == 1);
        let b = edge_data(BLOCK_ELEMS, 200 + seed, seed % 2 == 1);
        let mut got = vec![f32::NAN; BLOCK_ELEMS];
        let mut want = vec![0.0; BLOCK_ELEMS];
        engine_block(&a, &b, &mut got).unwrap();
        rsn::numerics::mme_block_ref(&a, &b, &mut want);
        assert_bits(&format!("seed {seed}"), &got, &want);
    }
}

#[test]
fn signed_zero_and_rounding_edges_survive_the_engine() {
    let mut a = vec![0.0f32; BLOCK_ELEMS];
    let mut b = vec![0.0f32; BLOCK_ELEMS];
    // Row 0 x column 0: every product is -0, so the chain must stay -0 (a MAC onto +0 would not).
    for k in 0..BLOCK {
        a[k] = -0.0;
        b[k * BLOCK] = 1.0;
    }
    // Row 1 x column 1: -(1+2eps) + x*x is 0 only when the MAC rounds x*x = 1+2eps+eps^2 before
    // the add (the inexact product sits in the MAC step, k = 1, not in the initial product).
    let x = 1.0 + f32::EPSILON;
    a[BLOCK] = -1.0;
    b[1] = 1.0 + 2.0 * f32::EPSILON;
    a[BLOCK + 1] = x;
    b[BLOCK + 1] = x;
    // Row 2 x column 2: subnormal products are kept (gradual underflow), not flushed.
    a[2 * BLOCK + 5] = 1e-20;
    b[5 * BLOCK + 2] = 1e-20;
    let mut c = vec![f32::NAN; BLOCK_ELEMS];
    engine_block(&a, &b, &mut c).unwrap();
    assert_eq!(c[0].to_bits(), (-0.0f32).to_bits(), "sign of zero lost");
    assert_eq!(c[BLOCK + 1].to_bits(), 0, "product was fused");
    assert_eq!(c[2 * BLOCK + 2], 1e-20f32 * 1e-20f32);
    assert!(c[2 * BLOCK + 2] != 0.0 && !c[2 * BLOCK + 2].is_normal());
}

#[test]
fn a_multi_block_program_equals_separate_blocks() {
    let n = 3;
    let a = edge_data(BLOCK_ELEMS * n, 8, true);
    let b = edge_data(BLOCK_ELEMS * n, 9, true);
    let mut c = vec![f32::NAN; BLOCK_ELEMS * n];
    assert_eq!(engine_blocks(&a, &b, &mut c), Ok(n));
    for i in 0..n {
        let r = i * BLOCK_ELEMS..(i + 1) * BLOCK_ELEMS;
        let mut want = vec![0.0; BLOCK_ELEMS];
        rsn::numerics::mme_block_ref(&a[r.clone()], &b[r.clone()], &mut want);
        assert_bits(&format!("block {i}"), &c[r], &want);
    }
}

#[test]
fn engines_on_several_threads_agree() {
    let a = edge_data(BLOCK_ELEMS, 11, false);
    let b = edge_data(BLOCK_ELEMS, 12, false);
    let mut want = vec![0.0; BLOCK_ELEMS];
    rsn::numerics::mme_block_ref(&a, &b, &mut want);
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                let mut c = vec![f32::NAN; BLOCK_ELEMS];
                for _ in 0..2 {
                    engine_block(&a, &b, &mut c).unwrap();
                    assert_bits("thread", &c, &want);
                }
            });
        }
    });
}

#[test]
fn the_engine_block_is_the_isas() {
    assert_eq!(BLOCK, rsn::isa::BLOCK);
    assert_eq!(BLOCK_ELEMS, rsn::numerics::BLOCK_ELEMS);
}
