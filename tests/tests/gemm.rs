//! GEMM through the whole device path, on every backend, bit-exact against the numerics contract.

use rsn::builder::{run_gemm, Gemm};
use rsn_tests::{backends, contract_gemm, open, uniform};
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
        assert!(r.max_abs_err <= 1e-3, "{kind}: max_abs_err {}", r.max_abs_err);
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
