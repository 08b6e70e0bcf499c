//! Program files run at their recorded placement on every backend, and reproduce what the direct
//! path computes bit for bit: `rsn compile` + `rsn run` against `rsn bench`.

use rsn::bench::{self, BenchOptions, Workload};
use rsn::builder::Gemm;
use rsn::device::{DeviceError, Memory};
use rsn::isa::PostOp;
use rsn::runtime::{run_file, run_gemm_with, GemmInputs, RunError};
use rsn_tests::{backends, open, uniform};
use std::time::Duration;

const T: Duration = Duration::from_secs(300);

#[test]
fn a_compiled_gemm_reproduces_the_bench_result_bit_for_bit() {
    for kind in backends() {
        for (m, n, k) in [(300, 600, 130), (512, 512, 512)] {
            let o = BenchOptions { check: false, compare_with_model: false, ..BenchOptions::new(7, T) };
            let r = bench::bench_with(&open(kind), &Workload::Gemm { m, n, k }, &o).unwrap();
            let dev = open(kind);
            let file = Gemm::new(m, n, k).program_file(dev.bitstream()).unwrap();
            let (a, b) = bench::gemm_inputs(m, n, k, 7).unwrap();
            let run = run_file(&dev, &file, &[("A", &a), ("B", &b)], T).unwrap();
            let c = &run.outputs[0];
            assert_eq!((c.name.as_str(), c.shape.as_slice()), ("C", &[m, n][..]));
            assert_eq!(bench::digest(&c.data), r.output_sha256, "{kind} {m}x{n}x{k}: outputs differ");
            assert_eq!(run.instr_words, r.instr_words, "{kind}: the same program");
            assert_eq!(run.report.cycles, r.pl_cycles, "{kind}: the same program, the same cycles");
        }
    }
}

#[test]
fn epilogue_operands_land_where_the_file_says() {
    let (m, n, k) = (100, 384, 70);
    let g = Gemm { bias: true, residual: true, post: PostOp::LayerNorm, eps: 1e-5, ..Gemm::new(m, n, k) };
    let (a, b, bias, res) = (uniform(m * k, 1), uniform(k * n, 2), uniform(n, 3), uniform(m * n, 4));
    let gamma: Vec<f32> = uniform(n, 5).iter().map(|x| 1.0 + x / 4.0).collect();
    let beta = uniform(n, 6);
    for kind in backends() {
        let x = GemmInputs {
            a: &a,
            b: &b,
            bias: Some(&bias),
            residual: Some(&res),
            gamma: Some(&gamma),
            beta: Some(&beta),
        };
        let direct = run_gemm_with(&open(kind), &g, &x, T).unwrap();
        let dev = open(kind);
        let file = g.program_file(dev.bitstream()).unwrap();
        let inputs =
            [("A", &a[..]), ("B", &b), ("bias", &bias), ("residual", &res), ("gamma", &gamma), ("beta", &beta)];
        let run = run_file(&dev, &file, &inputs, T).unwrap();
        let same = run.outputs[0].data.iter().zip(&direct.c).all(|(x, y)| x.to_bits() == y.to_bits());
        assert!(same, "{kind}: program file and direct run differ");
    }
}

#[test]
fn runs_refuse_what_does_not_fit() {
    let dev = open(rsn::device::BackendKind::Model);
    let file = Gemm::new(16, 16, 16).program_file(dev.bitstream()).unwrap();
    let x = vec![0.5f32; 256];
    let err = |inputs: &[(&str, &[f32])]| run_file(&dev, &file, inputs, T).unwrap_err().to_string();
    assert!(err(&[("A", &x)]).contains("input `B` is missing"));
    assert!(err(&[("A", &x), ("B", &x), ("Z", &x)]).contains("no input `Z` (its inputs: A, B)"));
    assert!(err(&[("A", &x), ("A", &x), ("B", &x)]).contains("given twice"));
    assert!(err(&[("A", &x[..10]), ("B", &x)]).contains("has 10 elements; its shape [16, 16] needs 256"));
    // A buffer already where the program's A lives: the placement is not free.
    let squatter = dev.alloc::<f32>(Memory::Ddr, 16).unwrap();
    let e = run_file(&dev, &file, &[("A", &x), ("B", &x)], T).unwrap_err();
    assert!(matches!(e, RunError::Device(DeviceError::PlacementUnavailable { .. })), "{e}");
    drop(squatter);
    let run = run_file(&dev, &file, &[("A", &x), ("B", &x)], T).unwrap();
    assert!(run.outputs[0].data.iter().all(|v| *v == 4.0), "16 products of 0.25");
}

#[test]
fn a_file_edited_in_memory_is_checked_again_before_it_runs() {
    let dev = open(rsn::device::BackendKind::Model);
    let mut file = Gemm::new(16, 16, 16).program_file(dev.bitstream()).unwrap();
    // A tensor that no longer fits its buffer would be copied out of bounds.
    file.header.inputs[0].shape = vec![16, 4096];
    let x = vec![0.5f32; 16 * 4096];
    let e = run_file(&dev, &file, &[("A", &x), ("B", &x[..256])], T).unwrap_err();
    assert!(matches!(e, RunError::File(_)), "{e}");
    assert!(e.to_string().contains("tensor `A`"), "{e}");
}
