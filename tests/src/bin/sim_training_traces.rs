//! Writes (or, with `--check`, verifies) the training traces of the co-simulation's profile-guided
//! build, sim/train/*.trace: the register, instruction-memory and engine calls the `sim` backend
//! makes for a few representative programs, recorded by rsn-sim (`RSN_SIM_RECORD`). rsn-sim's
//! build script cannot run the compiler (rsn depends on rsn-sim), so the programs are made here and
//! committed; the test `sim_training_traces` fails when they no longer match what rsn emits.
//!
//! ```sh
//! cargo run --release -p rsn-tests --features sim --bin sim_training_traces            # rewrite
//! cargo run --release -p rsn-tests --features sim --bin sim_training_traces -- --check # verify
//! ```
//!
//! Each trace is recorded in a child process of its own, so the recording variable is set once,
//! before the child starts, and never while threads run.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

/// The programs, in replay order. Together they drive every FU of the kernel: plain GEMM, GEMM
/// with GELU and LayerNorm epilogues (the split LayerNorm pair too), and an encoder layer (masked
/// attention: scores, softmax on MemC, MemC -> MeshA, the context GEMM).
const PROGRAMS: &[&str] = &["gemm", "epilogues", "encoder"];

fn train_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../sim/train")
}

fn header(name: &str) -> String {
    format!(
        "# rsn-sim training trace `{name}`: written by tests/src/bin/sim_training_traces.rs, replayed by\n\
         # sim/csrc/train.cpp (format: sim/train/README.md). Do not edit by hand.\n"
    )
}

/// Records one program in a child process and returns the trace's text.
fn record(name: &str) -> Result<String, String> {
    let file = std::env::temp_dir().join(format!("rsn-sim-trace-{}-{name}.trace", std::process::id()));
    let _ = std::fs::remove_file(&file);
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let status = Command::new(exe)
        .args(["--record", name])
        .env("RSN_SIM_RECORD", &file)
        .status()
        .map_err(|e| format!("cannot start the recording child: {e}"))?;
    if !status.success() {
        return Err(format!("recording `{name}` failed ({status})"));
    }
    let text = std::fs::read_to_string(&file).map_err(|e| format!("{}: {e}", file.display()))?;
    let _ = std::fs::remove_file(&file);
    Ok(header(name) + &text)
}

#[cfg(feature = "sim")]
mod programs {
    use rsn::builder::{Gemm, GemmPlacement};
    use rsn::device::{BackendKind, Device, Memory, OpenOptions};
    use rsn::isa::PostOp;
    use rsn::nn::config::{Arch, ModelConfig};
    use rsn::nn::tokenize::Batch;
    use rsn::nn::weights::{EncoderWeights, LayerNormW, LayerWeights, Linear, Tensor};
    use rsn::runtime::{run_gemm, DeviceEncoder};
    use rsn_tests::uniform;
    use std::time::Duration;

    const TIMEOUT: Duration = Duration::from_secs(600);

    fn open() -> Device {
        Device::open(BackendKind::Sim, &OpenOptions::default()).expect("open the sim backend")
    }

    /// The benchmark's own shape: most co-simulation time goes to GEMMs like it.
    fn gemm(dev: &Device) {
        let (m, n, k) = (512, 512, 512);
        run_gemm(dev, &Gemm::new(m, n, k), &uniform(m * k, 1), &uniform(k * n, 2), None, TIMEOUT).expect("gemm");
    }

    fn epilogue(dev: &Device, m: usize, n: usize, k: usize, post: PostOp, residual: bool) {
        let g = Gemm { bias: true, residual, post, eps: 1e-5, ..Gemm::new(m, n, k) };
        let a = dev.alloc_from(Memory::Ddr, &g.pack_a(&uniform(m * k, 3))).unwrap();
        let b = dev.alloc_from(Memory::Lpddr, &g.pack_b(&uniform(k * n, 4))).unwrap();
        let bias = dev.alloc_from(Memory::Ddr, &g.pack_bias(&uniform(n, 5))).unwrap();
        let res = dev.alloc_from(Memory::Ddr, &uniform(m * g.nc(), 6)).unwrap();
        let mut params = uniform(2 * g.nc(), 7);
        params[..g.nc()].iter_mut().for_each(|x| *x = 1.0 + *x / 4.0);
        let p = dev.alloc_from(Memory::Ddr, &params).unwrap();
        let c = dev.alloc::<f32>(Memory::Ddr, g.c_len()).unwrap();
        let exe = g
            .compile(GemmPlacement {
                a_line: a.line(),
                b_line: b.line(),
                bias_line: Some(bias.line()),
                c_line: c.line(),
                residual_line: residual.then(|| res.line()),
                params_line: (post == PostOp::LayerNorm).then(|| p.line()),
            })
            .expect("compile an epilogue GEMM");
        dev.run(&exe, TIMEOUT).unwrap_or_else(|e| panic!("{m}x{n}x{k} {post:?}: {e}"));
    }

    fn epilogues(dev: &Device) {
        epilogue(dev, 260, 700, 96, PostOp::Gelu, false);
        epilogue(dev, 300, 384, 200, PostOp::LayerNorm, true);
        // N > 512: the split LayerNorm over a MemC pair.
        epilogue(dev, 70, 1024, 64, PostOp::LayerNorm, false);
    }

    fn tensor(shape: &[usize], seed: u64, scale: f32) -> Tensor {
        let n = shape.iter().product();
        Tensor { shape: shape.to_vec(), data: uniform(n, seed).iter().map(|x| x * scale).collect() }
    }

    /// One BERT layer, small enough to train in seconds: hidden 384 (six heads of 64), FFN 768,
    /// two sequences of 64 and 40 tokens (the second is padded, so the mask is applied).
    fn encoder(dev: &Device) {
        let (h, f) = (384, 768);
        let cfg = ModelConfig {
            arch: Arch::Bert,
            vocab_size: 2000,
            hidden_size: h,
            num_layers: 1,
            num_heads: 6,
            intermediate_size: f,
            max_position_embeddings: 128,
            type_vocab_size: 2,
            layer_norm_eps: 1e-12,
            pad_token_id: 0,
            relative_attention_num_buckets: 0,
        };
        // Weights uniform with BERT's initialiser spread (std 0.02), LayerNorm gamma near 1.
        let w = |shape: &[usize], seed: u64| tensor(shape, seed, 0.035);
        let ln = |seed: u64| LayerNormW {
            gamma: Tensor { shape: vec![h], data: uniform(h, seed).iter().map(|x| 1.0 + x / 10.0).collect() },
            beta: tensor(&[h], seed + 1, 0.1),
        };
        let lin = |o: usize, i: usize, seed: u64| Linear { weight: w(&[o, i], seed), bias: w(&[o], seed + 1) };
        let layer = LayerWeights {
            q: lin(h, h, 10),
            k: lin(h, h, 12),
            v: lin(h, h, 14),
            o: lin(h, h, 16),
            attn_ln: ln(18),
            ffn_in: lin(f, h, 20),
            ffn_out: lin(h, f, 22),
            out_ln: ln(24),
        };
        let wts = EncoderWeights {
            word_embeddings: w(&[cfg.vocab_size, h], 26),
            position_embeddings: w(&[cfg.max_position_embeddings, h], 27),
            token_type_embeddings: Some(w(&[2, h], 28)),
            embeddings_ln: ln(29),
            layers: vec![layer],
            relative_attention_bias: None,
        };
        let ids = |len: usize, s: u32| -> Vec<u32> {
            let mut r = vec![101];
            r.extend((0..len as u32 - 2).map(|i| 1000 + (i * 37 + s) % 1000));
            r.push(102);
            r
        };
        let batch = Batch::from_ids(&[ids(64, 1), ids(40, 2)], cfg.pad_token_id).expect("batch");
        let enc = DeviceEncoder::new(dev, &cfg, &wts).expect("upload the encoder");
        enc.forward(&wts, &batch, TIMEOUT).expect("encoder forward");
    }

    pub fn run(name: &str) -> Result<(), String> {
        let dev = open();
        match name {
            "gemm" => gemm(&dev),
            "epilogues" => epilogues(&dev),
            "encoder" => encoder(&dev),
            _ => return Err(format!("unknown program `{name}`")),
        }
        Ok(())
    }
}

#[cfg(not(feature = "sim"))]
mod programs {
    pub fn run(_: &str) -> Result<(), String> {
        Err("built without the co-simulation: use --features sim".into())
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["--record", name] => programs::run(name),
        ["--check"] => check(),
        [] => write(),
        _ => Err("usage: sim_training_traces [--check]".into()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("sim_training_traces: {e}");
            ExitCode::FAILURE
        }
    }
}

fn write() -> Result<(), String> {
    for name in PROGRAMS {
        let path = train_dir().join(format!("{name}.trace"));
        std::fs::write(&path, record(name)?).map_err(|e| format!("{}: {e}", path.display()))?;
        println!("wrote {}", path.display());
    }
    Ok(())
}

fn check() -> Result<(), String> {
    let mut stale = Vec::new();
    for name in PROGRAMS {
        let path = train_dir().join(format!("{name}.trace"));
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        if committed != record(name)? {
            stale.push(path.display().to_string());
        }
    }
    if stale.is_empty() {
        println!("sim training traces are current");
        Ok(())
    } else {
        Err(format!(
            "stale training traces (the compiler now emits other programs): {}; rewrite them with \
             `cargo run --release -p rsn-tests --features sim --bin sim_training_traces`",
            stale.join(", ")
        ))
    }
}
