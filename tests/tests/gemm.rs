//! GEMM through the whole device path, on every backend, bit-exact against the numerics contract.

use rsn::builder::Gemm;
use rsn::runtime::run_gemm;
use rsn_tests::{backends, contract_gemm, contract_gemm_onto, open, uniform};
use std::time::Duration;

const SHAPES: &[(usize, usize, usize)] = &[
    (1, 1, 1),
    (5, 17, 3),
    (100, 70, 50),
    (128, 128, 128),
    (257, 513, 129),
    (300, 600, 130),
    (769, 1025, 64),
    (768, 1024, 384),
    // 8 engine blocks per K step for 25 steps: more products than MemC holds back at once.
    (256, 512, 3200),
];

#[test]
fn gemm_is_bit_exact_with_the_contract_on_every_backend() {
    for kind in backends() {
        let dev = open(kind);
        for (s, &(m, n, k)) in SHAPES.iter().enumerate() {
            let a = uniform(m * k, 10 + s as u64);
            let b = uniform(k * n, 20 + s as u64);
            let run = run_gemm(&dev, &Gemm::new(m, n, k), &a, &b, None, Duration::from_secs(120))
                .unwrap_or_else(|e| panic!("{kind} {m}x{n}x{k}: {e}"));
            let want = contract_gemm(&a, &b, None, m, n, k);
            let bad = run.c.iter().zip(&want).position(|(x, y)| x.to_bits() != y.to_bits());
            assert!(
                bad.is_none(),
                "{kind} {m}x{n}x{k}: first mismatch at {:?}",
                bad.map(|i| (i / n, i % n, run.c[i], want[i]))
            );
            assert!(run.report.cycles > 0);
        }
    }
}

#[test]
fn gemm_with_bias_is_bit_exact() {
    for kind in backends() {
        let dev = open(kind);
        for &(m, n, k) in &[(3usize, 5usize, 7usize), (300, 530, 200), (800, 1100, 256)] {
            let a = uniform(m * k, 1);
            let b = uniform(k * n, 2);
            let bias = uniform(n, 3);
            let run = run_gemm(&dev, &Gemm::new(m, n, k), &a, &b, Some(&bias), Duration::from_secs(120))
                .unwrap_or_else(|e| panic!("{kind} {m}x{n}x{k}: {e}"));
            let want = contract_gemm(&a, &b, Some(&bias), m, n, k);
            for (i, (x, y)) in run.c.iter().zip(&want).enumerate() {
                assert_eq!(x.to_bits(), y.to_bits(), "{kind} {m}x{n}x{k} bias: element {i}");
            }
        }
    }
}

#[test]
fn gemm_1024_cubed_meets_the_error_bound() {
    for kind in backends() {
        let dev = open(kind);
        let r = rsn::bench::bench(
            &dev,
            &rsn::bench::Workload::Gemm { m: 1024, n: 1024, k: 1024 },
            1,
            Duration::from_secs(600),
        )
        .unwrap();
        let err = r.max_abs_err.expect("GEMM benches always check");
        assert!(err <= 1e-3, "{kind}: max_abs_err {err}");
        assert!(r.gflops > 0.0 && r.gflops <= r.peak_gflops, "{kind}: {} GFLOPS vs peak {}", r.gflops, r.peak_gflops);
    }
}

#[test]
fn wrong_input_sizes_are_refused() {
    let dev = open(rsn::device::BackendKind::Model);
    let e = run_gemm(&dev, &Gemm::new(4, 4, 4), &[0.0; 15], &[0.0; 16], None, Duration::from_secs(5)).unwrap_err();
    assert!(e.to_string().contains("A has 15 elements, expected 16"), "{e}");
    let e = run_gemm(&dev, &Gemm::new(0, 4, 4), &[], &[0.0; 16], None, Duration::from_secs(5)).unwrap_err();
    assert!(e.to_string().contains("empty dimension"), "{e}");
}

/// C = post(A x B + bias + residual) through the whole device path, against the contract.
fn run_epilogue(kind: rsn::device::BackendKind, m: usize, n: usize, k: usize, post: rsn::isa::PostOp, residual: bool) {
    use rsn::builder::GemmPlacement;
    use rsn::device::Memory;
    use rsn::isa::PostOp;
    let dev = open(kind);
    let eps = 1e-5f32;
    let g = Gemm { bias: true, residual, post, eps, ..Gemm::new(m, n, k) };
    let (a, b, bias, res) = (uniform(m * k, 5), uniform(k * n, 6), uniform(n, 7), uniform(m * n, 8));
    let gamma: Vec<f32> = uniform(n, 9).iter().map(|x| 1.0 + x / 4.0).collect();
    let beta = uniform(n, 10);
    let ab = dev.alloc_from(Memory::Ddr, &g.pack_a(&a)).unwrap();
    let bb = dev.alloc_from(Memory::Lpddr, &g.pack_b(&b)).unwrap();
    let biasb = dev.alloc_from(Memory::Ddr, &g.pack_bias(&bias)).unwrap();
    let resb = dev.alloc_from(Memory::Ddr, &pad(&res, m, n, g.nc())).unwrap();
    let n16 = g.nc();
    let mut params = vec![0.0f32; 2 * n16];
    params[..n].copy_from_slice(&gamma);
    params[n16..n16 + n].copy_from_slice(&beta);
    let pb = dev.alloc_from(Memory::Ddr, &params).unwrap();
    let mut cb = dev.alloc::<f32>(Memory::Ddr, g.c_len()).unwrap();
    let exe = g
        .compile(GemmPlacement {
            a_line: ab.line(),
            b_line: bb.line(),
            bias_line: Some(biasb.line()),
            c_line: cb.line(),
            residual_line: residual.then(|| resb.line()),
            params_line: (post == PostOp::LayerNorm).then(|| pb.line()),
        })
        .unwrap();
    dev.run(&exe, Duration::from_secs(120)).unwrap_or_else(|e| panic!("{kind} {m}x{n}x{k} {post:?}: {e}"));
    cb.sync_from_device().unwrap();
    let got = g.unpack_c(cb.as_slice());
    let init: Vec<f32> = (0..m * n).map(|i| if residual { res[i] + bias[i % n] } else { bias[i % n] }).collect();
    let mut want = contract_gemm_onto(&a, &b, Some(&init), m, n, k);
    for row in want.chunks_mut(n) {
        match post {
            PostOp::Gelu => row.iter_mut().for_each(|v| *v = rsn::numerics::gelu(*v)),
            PostOp::LayerNorm if n > 512 => {
                let (lo, hi) = row.split_at_mut(512);
                let (g0, g1) = gamma.split_at(512);
                let (b0, b1) = beta.split_at(512);
                rsn::numerics::layernorm_split_row(lo, hi, (g0, g1), (b0, b1), eps);
            }
            PostOp::LayerNorm => rsn::numerics::layernorm_row(row, &gamma, &beta, eps),
            _ => {}
        }
    }
    for (i, (x, y)) in got.iter().zip(&want).enumerate() {
        assert_eq!(
            x.to_bits(),
            y.to_bits(),
            "{kind} {m}x{n}x{k} {post:?} residual={residual}: element {i}: {x} vs {y}"
        );
    }
}

fn pad(x: &[f32], rows: usize, cols: usize, pitch: usize) -> Vec<f32> {
    let mut out = vec![0.0f32; rows * pitch];
    for r in 0..rows {
        out[r * pitch..r * pitch + cols].copy_from_slice(&x[r * cols..(r + 1) * cols]);
    }
    out
}

#[test]
fn gemm_epilogues_are_bit_exact() {
    use rsn::isa::PostOp;
    for kind in backends() {
        run_epilogue(kind, 300, 384, 200, PostOp::LayerNorm, true);
        run_epilogue(kind, 100, 768, 130, PostOp::LayerNorm, true);
        run_epilogue(kind, 70, 1024, 64, PostOp::LayerNorm, false);
        run_epilogue(kind, 260, 700, 96, PostOp::Gelu, false);
        run_epilogue(kind, 50, 40, 30, PostOp::None, true);
    }
}

#[test]
fn layernorm_rows_that_do_not_fit_are_refused() {
    use rsn::builder::GemmPlacement;
    let g = Gemm { bias: true, post: rsn::isa::PostOp::LayerNorm, ..Gemm::new(8, 1040, 64) };
    let e = g.compile(GemmPlacement { bias_line: Some(1), params_line: Some(2), ..Default::default() }).unwrap_err();
    assert!(e.to_string().contains("N = 1040"), "{e}");
}
