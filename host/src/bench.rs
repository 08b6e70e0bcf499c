//! `rsn bench`: end-to-end figures as one JSON object.

use crate::builder::{run_gemm, BuildError, Gemm};
use crate::device::{Device, FuCounters};
use rand::{Rng, SeedableRng};
use serde::Serialize;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// A parsed `--workload` value.
#[derive(Debug, Clone, PartialEq)]
pub enum Workload {
    Gemm { m: usize, n: usize, k: usize },
}

impl std::str::FromStr for Workload {
    type Err = String;
    fn from_str(s: &str) -> Result<Workload, String> {
        let (kind, args) =
            s.split_once(':').ok_or_else(|| format!("workload `{s}` is not KIND:ARGS (e.g. gemm:1024,1024,1024)"))?;
        let nums: Result<Vec<usize>, _> = args.split(',').map(|x| x.trim().parse::<usize>()).collect();
        let nums = nums.map_err(|e| format!("workload `{s}`: {e}"))?;
        match (kind, nums.as_slice()) {
            ("gemm", &[m, n, k]) if m > 0 && n > 0 && k > 0 => Ok(Workload::Gemm { m, n, k }),
            ("gemm", _) => Err(format!("workload `{s}`: gemm takes three positive sizes M,N,K")),
            _ => Err(format!("unknown workload kind `{kind}` (known: gemm:M,N,K)")),
        }
    }
}

impl std::fmt::Display for Workload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Workload::Gemm { m, n, k } => write!(f, "gemm:{m},{n},{k}"),
        }
    }
}

/// The bench result. Field names are a stable interface.
#[derive(Debug, Clone, Serialize)]
pub struct BenchResult {
    pub workload: String,
    pub backend: String,
    /// PL clock cycles from start to done.
    pub pl_cycles: u64,
    /// Device time at the PL clock.
    pub device_ms: f64,
    /// Useful FLOPs / device time.
    pub gflops: f64,
    /// Peak of the engines (7680 GFLOPS for 384 tiles at 1.25 GHz).
    pub peak_gflops: f64,
    /// gflops / peak_gflops.
    pub efficiency: f64,
    /// Host wall time of the device run (submit to done).
    pub wall_s: f64,
    /// Max |device - reference| over all outputs; reference is an f64 product of the same inputs.
    pub max_abs_err: f64,
    /// Wall time of an optimised multi-threaded CPU SGEMM of the same shape, measured in this run.
    pub cpu_sgemm_s: f64,
    /// wall_s / cpu_sgemm_s.
    pub wall_vs_cpu_sgemm: f64,
    pub instr_words: usize,
    pub uops: u128,
    /// uOPs per instruction word.
    pub compression: f64,
    /// busy_cycles / pl_cycles per FU.
    pub utilization: BTreeMap<String, f64>,
    pub counters: Vec<FuCounters>,
    pub bitstream: String,
    pub seed: u64,
}

/// Run one workload on `device`.
pub fn bench(device: &Device, w: &Workload, seed: u64, timeout: Duration) -> Result<BenchResult, BuildError> {
    match *w {
        Workload::Gemm { m, n, k } => {
            let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
            let a: Vec<f32> = (0..m * k).map(|_| rng.random_range(-1.0f32..=1.0)).collect();
            let b: Vec<f32> = (0..k * n).map(|_| rng.random_range(-1.0f32..=1.0)).collect();
            let g = Gemm::new(m, n, k);
            let t = Instant::now();
            let run = run_gemm(device, &g, &a, &b, None, timeout)?;
            let wall_s = t.elapsed().as_secs_f64();
            let reference = reference_gemm_f64(&a, &b, m, n, k);
            let max_abs_err = run.c.iter().zip(&reference).map(|(x, y)| (*x as f64 - y).abs()).fold(0.0f64, f64::max);
            let cpu_sgemm_s = time_cpu_sgemm(&a, &b, m, n, k);
            let bs = device.bitstream();
            let device_ms = run.report.device_ms;
            let gflops = g.flops() / (device_ms * 1e-3) / 1e9;
            let peak_gflops = bs.peak_flops() / 1e9;
            let utilization = run
                .report
                .counters
                .iter()
                .map(|c| (c.fu.clone(), c.busy_cycles as f64 / run.report.cycles.max(1) as f64))
                .collect();
            Ok(BenchResult {
                workload: w.to_string(),
                backend: device.kind().to_string(),
                pl_cycles: run.report.cycles,
                device_ms,
                gflops,
                peak_gflops,
                efficiency: gflops / peak_gflops,
                wall_s,
                max_abs_err,
                cpu_sgemm_s,
                wall_vs_cpu_sgemm: wall_s / cpu_sgemm_s,
                instr_words: run.instr_words,
                uops: run.uops,
                compression: run.uops as f64 / run.instr_words as f64,
                utilization,
                counters: run.report.counters,
                bitstream: bs.fingerprint.clone(),
                seed,
            })
        }
    }
}

/// f64 reference product (independent of the device's numerics), multi-threaded.
pub fn reference_gemm_f64(a: &[f32], b: &[f32], m: usize, n: usize, k: usize) -> Vec<f64> {
    let a64: Vec<f64> = a.iter().map(|x| *x as f64).collect();
    let b64: Vec<f64> = b.iter().map(|x| *x as f64).collect();
    let mut c = vec![0.0f64; m * n];
    // SAFETY: the slices hold m*k, k*n and m*n elements with the row-major strides passed.
    unsafe {
        matrixmultiply::dgemm(
            m,
            k,
            n,
            1.0,
            a64.as_ptr(),
            k as isize,
            1,
            b64.as_ptr(),
            n as isize,
            1,
            0.0,
            c.as_mut_ptr(),
            n as isize,
            1,
        );
    }
    c
}

/// Wall seconds of matrixmultiply's SGEMM (threaded, FMA kernels) on the same operands; best of 3.
pub fn time_cpu_sgemm(a: &[f32], b: &[f32], m: usize, n: usize, k: usize) -> f64 {
    let mut c = vec![0.0f32; m * n];
    let mut best = f64::INFINITY;
    for _ in 0..3 {
        let t = Instant::now();
        // SAFETY: as in reference_gemm_f64.
        unsafe {
            matrixmultiply::sgemm(
                m,
                k,
                n,
                1.0,
                a.as_ptr(),
                k as isize,
                1,
                b.as_ptr(),
                n as isize,
                1,
                0.0,
                c.as_mut_ptr(),
                n as isize,
                1,
            );
        }
        best = best.min(t.elapsed().as_secs_f64());
    }
    std::hint::black_box(&c);
    best
}
