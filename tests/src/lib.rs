//! Shared helpers for the integration suite: which backends to run on, seeded inputs, and an
//! independent statement of the GEMM numerics contract.

use rand::{Rng, SeedableRng};
use rsn::device::{BackendKind, Device, OpenOptions};

/// Backends the suite runs on. `model` always; others when this build and machine have them.
/// `RSN_TEST_BACKENDS=model,sim` narrows or widens the set explicitly (an unavailable backend named
/// there is a test failure, not a skip).
pub fn backends() -> Vec<BackendKind> {
    match std::env::var("RSN_TEST_BACKENDS") {
        Ok(list) => list
            .split(',')
            .map(|s| match s.trim() {
                "model" => BackendKind::Model,
                "sim" => BackendKind::Sim,
                "xrt" => BackendKind::Xrt,
                other => panic!("RSN_TEST_BACKENDS names unknown backend `{other}`"),
            })
            .collect(),
        Err(_) => vec![BackendKind::Model],
    }
}

pub fn open(kind: BackendKind) -> Device {
    Device::open(kind, &OpenOptions::default()).unwrap_or_else(|e| panic!("cannot open {kind} backend: {e}"))
}

/// Uniform [-1, 1] values from a seed.
pub fn uniform(n: usize, seed: u64) -> Vec<f32> {
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    (0..n).map(|_| rng.random_range(-1.0f32..=1.0)).collect()
}

/// The GEMM result the numerics contract defines, written independently of the model: per output,
/// each 128-deep K step is a chain (first product, then add the rounded products in k order), and
/// the steps are summed in order onto the bias (or onto the first step when there is no bias).
pub fn contract_gemm(a: &[f32], b: &[f32], bias: Option<&[f32]>, m: usize, n: usize, k: usize) -> Vec<f32> {
    let init: Option<Vec<f32>> = bias.map(|x| (0..m).flat_map(|_| x.iter().copied()).collect());
    contract_gemm_onto(a, b, init.as_deref(), m, n, k)
}

/// As [`contract_gemm`], accumulating onto `init` (M x N; e.g. residual + bias) when given.
pub fn contract_gemm_onto(a: &[f32], b: &[f32], init: Option<&[f32]>, m: usize, n: usize, k: usize) -> Vec<f32> {
    let mut c = vec![0.0f32; m * n];
    for i in 0..m {
        for j in 0..n {
            let mut acc: Option<f32> = init.map(|x| x[i * n + j]);
            for k0 in (0..k).step_by(128) {
                let mut p = a[i * k + k0] * b[k0 * n + j];
                // Padded K contributes exact products 0 * 0 = +0; add them too, as the engine does.
                for kk in k0 + 1..k0 + 128 {
                    let prod = if kk < k { a[i * k + kk] * b[kk * n + j] } else { 0.0 };
                    p += prod;
                }
                acc = Some(match acc {
                    None => p,
                    Some(x) => x + p,
                });
            }
            c[i * n + j] = acc.expect("k > 0");
        }
    }
    c
}
