//! The `rsn` command line.

use clap::{Parser, Subcommand};
use rsn::bench::{self, Workload};
use rsn::bitstream::{self, Bitstream};
use rsn::builder::Gemm;
use rsn::device::{BackendKind, Device, OpenOptions};
use rsn::isa::{self, gen};
use rsn::progfile::ProgramFile;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

#[derive(Parser)]
#[command(
    name = "rsn",
    version,
    about = "RSN-XNN host: compile, run and inspect programs on model, sim or xrt devices"
)]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(clap::Args, Clone)]
struct DeviceArgs {
    /// Which device to run on.
    #[arg(long, default_value = "model", value_parser = backend_parser())]
    backend: BackendKind,
    /// Bitstream description (default: the one compiled in, bitstreams/rsn-xnn.toml).
    #[arg(long)]
    bitstream: Option<PathBuf>,
    /// Device image for --backend xrt.
    #[arg(long)]
    xclbin: Option<PathBuf>,
    /// XRT device index.
    #[arg(long, default_value_t = 0)]
    device_index: u32,
    /// How long to wait for a run before reporting each FU's state: seconds (`1.5`) or a number
    /// with a unit (`500ms`, `90s`, `10m`, `1h`).
    #[arg(long, default_value = "600", value_parser = parse_duration)]
    timeout: Duration,
    /// Write an FST waveform of every kernel signal (--backend sim, in an rsn built with the
    /// `sim-wave` feature; about 1.6 GB per million cycles).
    #[arg(long, value_name = "FILE")]
    wave: Option<PathBuf>,
}

/// A duration: seconds, or a number with a unit (ms, s, m, h).
fn parse_duration(s: &str) -> Result<Duration, String> {
    let t = s.trim();
    let split = t.find(|c: char| c.is_ascii_alphabetic()).unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let v: f64 = num.trim().parse().map_err(|_| format!("`{s}` is not a duration (e.g. 1.5, 500ms, 90s, 10m)"))?;
    let secs = match unit.trim() {
        "" | "s" => v,
        "ms" => v / 1e3,
        "m" | "min" => v * 60.0,
        "h" => v * 3600.0,
        u => return Err(format!("unknown unit `{u}` in `{s}` (ms, s, m or h)")),
    };
    if !(secs.is_finite() && secs > 0.0 && secs <= 1e7) {
        return Err(format!("`{s}`: a timeout must be positive and at most 10^7 s"));
    }
    Ok(Duration::from_secs_f64(secs))
}

/// `--backend`: the names `BackendKind` parses, listed in the help.
fn backend_parser() -> impl clap::builder::TypedValueParser<Value = BackendKind> {
    use clap::builder::TypedValueParser;
    clap::builder::PossibleValuesParser::new(BackendKind::ALL.map(|k| k.name()))
        .map(|s| s.parse::<BackendKind>().unwrap_or(BackendKind::Model))
}

impl DeviceArgs {
    fn open(&self) -> Result<Device, String> {
        let bitstream = self.bitstream.as_deref().map(Bitstream::from_path).transpose().map_err(|e| e.to_string())?;
        let opts = OpenOptions {
            bitstream,
            xclbin: self.xclbin.clone(),
            index: self.device_index,
            wave: self.wave.clone(),
            ..Default::default()
        };
        Device::open(self.backend, &opts).map_err(|e| e.to_string())
    }
}

#[derive(Subcommand)]
enum Cmd {
    /// Run a workload and print its figures.
    Bench {
        /// gemm:M,N,K
        #[arg(long)]
        workload: Workload,
        #[command(flatten)]
        dev: DeviceArgs,
        /// Print exactly one JSON object on stdout.
        #[arg(long)]
        json: bool,
        /// Seed of the uniform [-1, 1] inputs.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Also write a GEMM's operands to DIR/A.npy and DIR/B.npy, as `rsn run` takes them.
        #[arg(long, value_name = "DIR")]
        save_inputs: Option<PathBuf>,
    },
    /// Compile a workload into a program file: the instruction words with the ISA version, the
    /// bitstream fingerprint, the buffer placement, the engine parameters and the named inputs and
    /// outputs (`rsn run` runs it, `rsn disasm` prints it).
    Compile {
        /// gemm:M,N,K
        #[arg(long)]
        workload: Workload,
        /// Add a bias row (input `bias`, N values).
        #[arg(long)]
        bias: bool,
        /// Add a residual (input `residual`, M x N) before the epilogue.
        #[arg(long)]
        residual: bool,
        /// Epilogue on MemC's store path: none, gelu or layernorm (inputs `gamma`, `beta`).
        #[arg(long, default_value = "none")]
        epilogue: String,
        /// LayerNorm epsilon.
        #[arg(long, default_value_t = 1e-12)]
        eps: f32,
        /// Bitstream description to compile for (default: the compiled-in one).
        #[arg(long)]
        bitstream: Option<PathBuf>,
        /// Output file.
        #[arg(short, long)]
        out: PathBuf,
    },
    /// Run a program file: inputs from .npy files (float32, the declared shapes), outputs to .npy.
    Run {
        /// Program file from `rsn compile`.
        file: PathBuf,
        /// NAME=FILE.npy for each input the program declares.
        #[arg(long = "input", value_name = "NAME=FILE")]
        inputs: Vec<String>,
        /// NAME=FILE.npy for each output to write.
        #[arg(long = "output", value_name = "NAME=FILE")]
        outputs: Vec<String>,
        #[command(flatten)]
        dev: DeviceArgs,
        /// Print one JSON object (cycles, device time, outputs' sha256) on stdout.
        #[arg(long)]
        json: bool,
    },
    /// Print a program one mOP per line with every field named (a program file's header first, as
    /// `#` lines).
    Disasm {
        /// Program file, or raw instruction words (little-endian 32-bit).
        file: PathBuf,
    },
    /// Run a workload template over sizes and bitstream parameters; write sweep.csv, sweep.json
    /// and sweep.svg into --out and print a table.
    Sweep {
        /// Workload template; `N` takes each --n value (gemm:N,N,N, bert-large-layer:8,N), or the
        /// template's own after `@` (gemm:N,N,N@256,512,1024).
        #[arg(long = "workload")]
        workloads: Vec<String>,
        /// Sizes for `N`, comma-separated.
        #[arg(long, value_delimiter = ',')]
        n: Vec<usize>,
        /// A bitstream parameter and its values: KEY=V1,V2 (e.g. ddr.read_gbps=10.5,21,42 or
        /// postop.exp_units=4,8); every combination runs (model backend).
        #[arg(long = "param", value_name = "KEY=V1,V2")]
        params: Vec<String>,
        /// A predefined sweep (adds its templates and sizes): bert-large, gemm.
        #[arg(long)]
        preset: Option<String>,
        #[command(flatten)]
        dev: DeviceArgs,
        /// Output folder.
        #[arg(long, default_value = "sweep")]
        out: PathBuf,
        /// Check every point against the CPU references (slow at large sizes).
        #[arg(long)]
        check: bool,
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Regenerate the files derived from the ISA and the bitstream description (rtl/rsn_isa_pkg.sv,
    /// docs/isa.md, rtl/rsn_cfg_pkg.sv, sim/csrc/rsn_hw.h), or --check that they are current.
    Gen {
        /// Repository root (default: the source tree this binary was built from).
        #[arg(long)]
        root: Option<PathBuf>,
        /// Fail if a generated file is stale instead of writing it.
        #[arg(long)]
        check: bool,
    },
    /// Download and verify a real model (all-MiniLM-L6-v2 or all-mpnet-base-v2) into the cache
    /// ($RSN_MODEL_DIR, default ~/.cache/rsn/models). Prints the model folder.
    FetchModel {
        /// minilm or mpnet
        model: String,
    },
    /// Encode sentences with a real model on a device and write the last hidden state
    /// [batch, seq, hidden] as .npy (sentences padded to the longest, like Hugging Face padding=True).
    Embed {
        /// Model folder (config.json, model.safetensors, tokenizer.json) or a fetched model's name
        /// (minilm, mpnet).
        #[arg(long, default_value = "minilm")]
        model: String,
        #[command(flatten)]
        dev: DeviceArgs,
        /// Output .npy file.
        #[arg(long)]
        out: PathBuf,
        /// Also run the CPU reference and print the agreement.
        #[arg(long)]
        check: bool,
        /// Write the device timeline as a Chrome trace (Perfetto, chrome://tracing).
        #[arg(long)]
        timeline: Option<PathBuf>,
        /// Sentences to encode.
        #[arg(required = true)]
        sentences: Vec<String>,
    },
    /// Describe a device and the bitstream description.
    Info {
        #[command(flatten)]
        dev: DeviceArgs,
    },
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("rsn: error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<(), String> {
    match cli.cmd {
        Cmd::Bench { workload, dev, json, seed, save_inputs } => {
            if let Some(dir) = &save_inputs {
                save_gemm_inputs(&workload, seed, dir)?;
            }
            let device = dev.open()?;
            if !json {
                eprintln!("running {workload} on {}", device.describe());
            }
            let r = bench::bench(&device, &workload, seed, dev.timeout).map_err(|e| e.to_string())?;
            if json {
                println!("{}", serde_json::to_string(&r).map_err(|e| e.to_string())?);
            } else {
                println!("workload        {}", r.workload);
                println!("backend         {}", r.backend);
                println!("PL cycles       {}", r.pl_cycles);
                println!("device time     {:.3} ms", r.device_ms);
                println!(
                    "throughput      {:.1} GFLOPS ({:.1}% of {:.0} peak)",
                    r.gflops,
                    100.0 * r.efficiency,
                    r.peak_gflops
                );
                println!("weights         {}", r.weights);
                match r.max_abs_err {
                    Some(e) => println!("max abs error   {e:.3e}"),
                    None => println!("max abs error   (reference skipped: too slow on the CPU at this size)"),
                }
                if let Some(sps) = r.seq_per_s {
                    println!("sequences/s     {sps:.1}");
                }
                if let Some(l) = r.layer_ms {
                    println!("encoder layer   {l:.3} ms (the run without the embedding LayerNorm)");
                }
                if let Some(e) = r.embedding_ln_ms {
                    println!("embedding LN    {e:.3} ms");
                }
                if let (Some(p), Some(v)) = (r.paper_ms, r.vs_paper) {
                    let what = if r.layer_ms.is_some() { "this layer" } else { "this run" };
                    println!("paper RSN-XNN   {p:.2} ms ({what} / paper = {v:.2})");
                }
                match (r.cpu_sgemm_s, r.wall_vs_cpu_sgemm) {
                    (Some(c), Some(v)) => {
                        println!("host wall       {:.3} s (CPU SGEMM {c:.3} s, ratio {v:.2})", r.wall_s)
                    }
                    _ => println!("host wall       {:.3} s", r.wall_s),
                }
                if let (Some(mc), Some(v), Some(same)) =
                    (r.model_pl_cycles, r.pl_cycles_vs_model, r.bit_identical_to_model)
                {
                    println!("model estimate  {mc} PL cycles ({} / model = {v:.3})", r.backend);
                    println!("vs model        outputs {}", if same { "bit-identical" } else { "DIFFER" });
                }
                if let Some(cps) = r.sim_cycles_per_s {
                    println!("co-sim speed    {cps:.0} PL cycles per wall second");
                }
                if let Some(phases) = &r.phases {
                    let ms = |c: f64| device.bitstream().cycles_to_ms(c.round() as u64);
                    println!("phases          estimate before the run / share of the run (ms)");
                    for p in phases {
                        let run = p.measured_cycles.map_or("-".to_string(), |c| format!("{:.3}", ms(c)));
                        println!("  {:<24} {:>10.3} / {run}", p.label, ms(p.estimate_cycles));
                    }
                }
                println!("instructions    {} words -> {} uOPs ({:.1}x)", r.instr_words, r.uops, r.compression);
                println!("utilization     {}", fmt_util(&r.utilization));
            }
            Ok(())
        }
        Cmd::Compile { workload, bias, residual, epilogue, eps, bitstream, out } => {
            let Workload::Gemm { m, n, k } = workload else {
                return Err(
                    "compile takes a gemm:M,N,K workload; encoders are compiled per batch by `rsn embed`".into()
                );
            };
            let post = match epilogue.as_str() {
                "none" => isa::PostOp::None,
                "gelu" => isa::PostOp::Gelu,
                "layernorm" => isa::PostOp::LayerNorm,
                other => return Err(format!("--epilogue {other}: expected none, gelu or layernorm")),
            };
            let bs = match &bitstream {
                Some(p) => Bitstream::from_path(p).map_err(|e| e.to_string())?,
                None => Bitstream::builtin(),
            };
            let g = Gemm { bias, residual, post, eps, ..Gemm::new(m, n, k) };
            let file = g.program_file(&bs).map_err(|e| e.to_string())?;
            file.save(&out).map_err(|e| e.to_string())?;
            let h = &file.header;
            eprintln!(
                "wrote {} ({}, {} words, ISA v{}, bitstream {} [{}])",
                out.display(),
                h.workload,
                h.words,
                h.isa_version,
                h.bitstream.name,
                &h.bitstream.fingerprint[..12]
            );
            for b in &h.buffers {
                eprintln!("  buffer {:<9} {:?} at {:#x}, {} bytes", b.name, b.memory, b.offset, b.bytes);
            }
            let names = |ts: &[rsn::progfile::TensorSpec]| {
                ts.iter().map(|t| format!("{} {:?}", t.name, t.shape)).collect::<Vec<_>>().join(", ")
            };
            eprintln!("  inputs  {}", names(&h.inputs));
            eprintln!("  outputs {}", names(&h.outputs));
            eprintln!("  engine blocks {:?}", h.engines.map(|r| r.blocks));
            Ok(())
        }
        Cmd::Run { file, inputs, outputs, dev, json } => run_program(&file, &inputs, &outputs, &dev, json),
        Cmd::Disasm { file } => {
            // Neither a program file nor raw words can exceed what a program file may hold.
            let bytes = rsn::files::read_bounded(&file, rsn::progfile::MAX_FILE_BYTES, "a program file")
                .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
            let words: Vec<u32> = if ProgramFile::sniff(&bytes) {
                let f = ProgramFile::from_bytes(&bytes).map_err(|e| format!("{}: {e}", file.display()))?;
                let h = &f.header;
                println!("# rsn program file v{}: {}", rsn::progfile::FORMAT_VERSION, h.workload);
                println!("# ISA v{}, bitstream {} [{}]", h.isa_version, h.bitstream.name, h.bitstream.fingerprint);
                for b in &h.buffers {
                    println!("# buffer {} {:?} offset {:#x} bytes {}", b.name, b.memory, b.offset, b.bytes);
                }
                for (dir, ts) in [("input", &h.inputs), ("output", &h.outputs)] {
                    for t in ts {
                        println!(
                            "# {dir} {} {:?} {:?} in {} (row pitch {}, element {})",
                            t.name, t.dtype, t.shape, t.buffer, t.row_pitch, t.offset
                        );
                    }
                }
                println!("# engine blocks {:?}", h.engines.map(|r| r.blocks));
                f.exe.words
            } else {
                if bytes.len() % 4 != 0 {
                    return Err(format!(
                        "{}: {} bytes is not a whole number of 32-bit words",
                        file.display(),
                        bytes.len()
                    ));
                }
                bytes.chunks_exact(4).map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect()
            };
            let text = isa::disasm::disassemble(&words).map_err(|e| format!("{}: {e}", file.display()))?;
            print!("{text}");
            Ok(())
        }
        Cmd::Sweep { workloads, n, params, preset, dev, out, check, seed } => {
            sweep(workloads, n, &params, preset, &dev, &out, check, seed)
        }
        Cmd::Gen { root, check } => {
            let root = root.unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join(".."));
            let mut stale = Vec::new();
            let bs = Bitstream::builtin();
            for (rel, text) in [
                (gen::SV_PACKAGE_PATH, gen::sv_package()),
                (gen::ISA_DOC_PATH, gen::isa_doc()),
                (bitstream::gen::SV_CONFIG_PATH, bitstream::gen::sv_config_package(&bs)),
                (bitstream::gen::HARNESS_HEADER_PATH, bitstream::gen::harness_header(&bs)),
                (bitstream::gen::KERNEL_WRAPPER_PATH, bitstream::gen::kernel_wrapper(&bs)),
            ] {
                let path = root.join(rel);
                let current = std::fs::read_to_string(&path).unwrap_or_default();
                if current == text {
                    continue;
                }
                if check {
                    stale.push(rel);
                } else {
                    if let Some(dir) = path.parent() {
                        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
                    }
                    std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
                    eprintln!("wrote {}", path.display());
                }
            }
            if stale.is_empty() {
                Ok(())
            } else {
                Err(format!("stale generated files: {} (run `rsn gen`)", stale.join(", ")))
            }
        }
        Cmd::FetchModel { model } => {
            let dir = rsn::nn::cli_fetch(&model, &Bars::default()).map_err(|e| e.to_string())?;
            println!("{}", dir.display());
            Ok(())
        }
        Cmd::Embed { model, dev, out, check, timeline, sentences } => {
            embed(&model, &dev, &out, check, timeline, &sentences)
        }
        Cmd::Info { dev } => {
            let device = dev.open()?;
            let bs = device.bitstream();
            println!("device       {}", device.describe());
            println!("bitstream    {} ({})", bs.desc.name, bs.source);
            println!("fingerprint  {}", bs.fingerprint);
            println!("ISA version  {}", isa::ISA_VERSION);
            println!("PL clock     {} MHz, AIE clock {} MHz", bs.desc.clock.pl_mhz, bs.desc.clock.aie_mhz);
            println!("peak         {:.0} GFLOPS", bs.peak_flops() / 1e9);
            Ok(())
        }
    }
}

fn embed(
    model: &str,
    dev: &DeviceArgs,
    out: &Path,
    check: bool,
    timeline: Option<PathBuf>,
    sentences: &[String],
) -> Result<(), String> {
    use rsn::nn::{npy, LoadedModel};
    // Where the results go is checked before any work: a typo there must not cost the encode.
    for path in std::iter::once(out).chain(timeline.as_deref()) {
        check_writable(path)?;
    }
    let dir = model_dir(model)?;
    let m = LoadedModel::load(&dir).map_err(|e| e.to_string())?;
    let refs: Vec<&str> = sentences.iter().map(|s| s.as_str()).collect();
    let batch = m.tokenizer.encode_batch(&refs).map_err(|e| e.to_string())?;
    for &i in &batch.truncated {
        eprintln!(
            "rsn: note: sentence {i} is longer than the model's {} tokens and was cut there (as Hugging Face's truncation=True does)",
            m.config.max_tokens()
        );
    }
    let device = dev.open()?;
    eprintln!(
        "encoding {} sentence(s), {} tokens each after padding, with {} on {}",
        batch.batch,
        batch.seq_len,
        dir.file_name().map(|f| f.to_string_lossy().to_string()).unwrap_or_default(),
        device.describe()
    );
    let enc = rsn::runtime::DeviceEncoder::new(&device, &m.config, &m.weights).map_err(|e| e.to_string())?;
    let t = std::time::Instant::now();
    let pl_mhz = device.bitstream().desc.clock.pl_mhz;
    let show_estimate = |est: &[(String, f64)]| {
        let mut per_layer: Vec<(String, f64)> = Vec::new();
        for (label, cycles) in est {
            let key = label.split(' ').take(2).collect::<Vec<_>>().join(" ");
            match per_layer.last_mut() {
                Some((k, c)) if *k == key => *c += cycles,
                _ => per_layer.push((key, *cycles)),
            }
        }
        eprintln!("predicted (roofline, before running):");
        for (k, c) in per_layer {
            eprintln!("  {k:<14} {:>10.0} PL cycles  {:>8.3} ms", c, c / (pl_mhz * 1e3));
        }
    };
    let spin = spinner(format!("encoding on the {} backend", device.kind()));
    let run = enc.forward_reporting(&m.weights, &batch, dev.timeout, &mut |est| spin.suspend(|| show_estimate(est)));
    spin.finish_and_clear();
    let run = run.map_err(|e| e.to_string())?;
    let wall = t.elapsed().as_secs_f64();
    let h = m.config.hidden_size;
    npy::write_f32(out, &[batch.batch, batch.seq_len, h], &run.hidden).map_err(|e| e.to_string())?;
    let r = &run.report;
    let secs = r.device_ms * 1e-3;
    eprintln!("wrote {} [{}, {}, {}]", out.display(), batch.batch, batch.seq_len, h);
    eprintln!(
        "device: {} PL cycles = {:.3} ms modelled latency; {:.1} sequences/s, {:.1} GFLOPS; host wall {:.2} s",
        r.cycles,
        r.device_ms,
        batch.batch as f64 / secs,
        run.flops / secs / 1e9,
        wall
    );
    eprintln!("instructions: {} words -> {} uOPs", run.instr_words, run.uops);
    let util: std::collections::BTreeMap<String, f64> =
        r.counters.iter().map(|c| (c.fu.clone(), c.busy_cycles as f64 / r.cycles.max(1) as f64)).collect();
    eprintln!("FU utilisation: {}", fmt_util(&util));
    if let Some(path) = timeline {
        r.write_chrome_trace(&path, device.bitstream().desc.clock.pl_mhz)
            .map_err(|e| format!("{}: {e}", path.display()))?;
        eprintln!(
            "timeline: {} ({} spans; open in https://ui.perfetto.dev or chrome://tracing)",
            path.display(),
            r.timeline.len()
        );
    }
    if check {
        let reference = rsn::nn::forward(&m.config, &m.weights, &batch).map_err(|e| e.to_string())?;
        let mut err = 0f32;
        for b in 0..batch.batch {
            for s in 0..batch.lengths[b] {
                let i = (b * batch.seq_len + s) * h;
                for c in 0..h {
                    err = err.max((run.hidden[i + c] - reference.data[i + c]).abs());
                }
            }
        }
        let dev_hidden =
            rsn::nn::Hidden { batch: batch.batch, seq_len: batch.seq_len, hidden: h, data: run.hidden.clone() };
        let e_dev = rsn::nn::mean_pool_normalize(&dev_hidden, &batch).map_err(|e| e.to_string())?;
        let e_ref = rsn::nn::mean_pool_normalize(&reference, &batch).map_err(|e| e.to_string())?;
        eprintln!("agreement with the CPU reference: max |hidden| error on real tokens {err:.2e}");
        for (i, s) in sentences.iter().enumerate() {
            let cos = rsn::nn::cosine_similarity(&e_dev[i * h..(i + 1) * h], &e_ref[i * h..(i + 1) * h]);
            let short: String = s.chars().take(48).collect();
            eprintln!(
                "  sentence {i}: embedding cosine {cos:.7}  \"{short}{}\"",
                if s.chars().count() > 48 { "..." } else { "" }
            );
        }
    }
    Ok(())
}

/// The operands `rsn bench` generates for a GEMM, as `A.npy` and `B.npy` in `dir`: with them,
/// `rsn compile` + `rsn run` can be compared with the bench's `output_sha256`.
fn save_gemm_inputs(workload: &Workload, seed: u64, dir: &Path) -> Result<(), String> {
    let Workload::Gemm { m, n, k } = *workload else {
        return Err(format!("--save-inputs: {workload} is not a gemm:M,N,K workload"));
    };
    // A shape the device refuses is refused before its operands are generated.
    Gemm::new(m, n, k).check_fits().map_err(|e| format!("{workload}: {e}"))?;
    let (a, b) = bench::gemm_inputs(m, n, k, seed).map_err(|e| format!("{workload}: {e}"))?;
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for (name, shape, data) in [("A.npy", [m, k], &a), ("B.npy", [k, n], &b)] {
        let path = dir.join(name);
        rsn::nn::npy::write_f32(&path, &shape, data).map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// `NAME=PATH` of --input / --output.
fn name_path(s: &str, flag: &str) -> Result<(String, PathBuf), String> {
    match s.split_once('=') {
        Some((n, p)) if !n.is_empty() && !p.is_empty() => Ok((n.to_string(), PathBuf::from(p))),
        _ => Err(format!("--{flag} {s}: expected NAME=FILE.npy")),
    }
}

fn run_program(file: &Path, inputs: &[String], outputs: &[String], dev: &DeviceArgs, json: bool) -> Result<(), String> {
    use rsn::nn::npy;
    let prog = ProgramFile::load(file).map_err(|e| e.to_string())?;
    let h = &prog.header;
    let mut data = Vec::new();
    for s in inputs {
        let (name, path) = name_path(s, "input")?;
        let spec = h.inputs.iter().find(|t| t.name == name).ok_or_else(|| {
            let known = h.inputs.iter().map(|t| t.name.as_str()).collect::<Vec<_>>().join(", ");
            format!("--input {name}: the program has no such input (its inputs: {known})")
        })?;
        let arr = npy::read(&path).map_err(|e| e.to_string())?;
        if arr.shape != spec.shape {
            return Err(format!(
                "--input {name}: {} has shape {:?}, the program needs {:?}",
                path.display(),
                arr.shape,
                spec.shape
            ));
        }
        data.push((name, arr.into_f32(&path).map_err(|e| e.to_string())?));
    }
    let mut writes = Vec::new();
    for s in outputs {
        let (name, path) = name_path(s, "output")?;
        if !h.outputs.iter().any(|t| t.name == name) {
            let known = h.outputs.iter().map(|t| t.name.as_str()).collect::<Vec<_>>().join(", ");
            return Err(format!("--output {name}: the program has no such output (its outputs: {known})"));
        }
        writes.push((name, path));
    }
    let device = dev.open()?;
    let refs: Vec<(&str, &[f32])> = data.iter().map(|(n, d)| (n.as_str(), d.as_slice())).collect();
    let run = rsn::runtime::run_file(&device, &prog, &refs, dev.timeout).map_err(|e| e.to_string())?;
    for (name, path) in &writes {
        let t = run.outputs.iter().find(|t| &t.name == name).ok_or_else(|| format!("no output {name}"))?;
        npy::write_f32(path, &t.shape, &t.data).map_err(|e| e.to_string())?;
    }
    let r = &run.report;
    let digests: std::collections::BTreeMap<&str, String> =
        run.outputs.iter().map(|t| (t.name.as_str(), rsn::bench::digest(&t.data))).collect();
    if json {
        let v = serde_json::json!({
            "file": file.display().to_string(),
            "workload": h.workload,
            "backend": device.kind().to_string(),
            "pl_cycles": r.cycles,
            "device_ms": r.device_ms,
            "wall_s": run.run_wall_s,
            "instr_words": run.instr_words,
            "uops": run.uops,
            "output_sha256": digests,
        });
        println!("{v}");
    } else {
        eprintln!("ran {} ({}) on {}", file.display(), h.workload, device.describe());
        eprintln!("device: {} PL cycles = {:.3} ms; host wall {:.3} s", r.cycles, r.device_ms, run.run_wall_s);
        for (name, path) in &writes {
            eprintln!("wrote {name} to {}", path.display());
        }
        for (name, d) in &digests {
            println!("{name} sha256 {d}");
        }
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn sweep(
    mut templates: Vec<String>,
    mut n: Vec<usize>,
    params: &[String],
    preset: Option<String>,
    dev: &DeviceArgs,
    out: &Path,
    check: bool,
    seed: u64,
) -> Result<(), String> {
    use rsn::sweep::{self, SweepSpec};
    if let Some(p) = preset {
        let (t, sizes) =
            sweep::preset(&p).ok_or_else(|| format!("unknown preset `{p}` (known: {})", sweep::PRESETS))?;
        templates.extend(t);
        if n.is_empty() {
            n = sizes;
        }
    }
    let params = params
        .iter()
        .map(|s| match s.split_once('=') {
            Some((k, v)) if !k.is_empty() => Ok((k.to_string(), v.split(',').map(|x| x.trim().to_string()).collect())),
            _ => Err(format!("--param {s}: expected KEY=V1,V2 (e.g. ddr.read_gbps=10.5,21)")),
        })
        .collect::<Result<Vec<(String, Vec<String>)>, String>>()?;
    let base_toml = match &dev.bitstream {
        Some(p) => Some((
            rsn::files::read_text_bounded(p, rsn::files::limits::SMALL_TEXT, "a bitstream description")
                .map_err(|e| format!("cannot read {}: {e}", p.display()))?,
            p.display().to_string(),
        )),
        None => None,
    };
    let spec = SweepSpec { templates, n, params, backend: dev.backend, base_toml, seed, timeout: dev.timeout, check };
    std::fs::create_dir_all(out).map_err(|e| format!("{}: {e}", out.display()))?;
    let result = sweep::run(&spec, &mut |p| {
        let set = p.params.iter().map(|(k, v)| format!(" {k}={v}")).collect::<String>();
        eprintln!("{}{set}: {:.3} ms, {:.1} GFLOPS", p.workload, p.result.device_ms, p.result.gflops)
    })
    .map_err(|e| e.to_string())?;
    let write = |name: &str, text: &str| {
        let path = out.join(name);
        std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
        eprintln!("wrote {}", path.display());
        Ok::<(), String>(())
    };
    write("sweep.csv", &result.to_csv())?;
    write("sweep.json", &serde_json::to_string_pretty(&result).map_err(|e| e.to_string())?)?;
    write("sweep.svg", &sweep::plot::svg(&result)?)?;
    print!("{}", result.to_table());
    Ok(())
}

/// Fetch progress as indicatif bars (a byte bar when the size is known, else a spinner); drawn only
/// on a terminal.
#[derive(Default)]
struct Bars(std::cell::RefCell<Option<indicatif::ProgressBar>>);

impl rsn::nn::fetch::Progress for Bars {
    fn begin(&self, what: &str, total_bytes: Option<u64>) {
        let b = match total_bytes {
            Some(n) => {
                let b = indicatif::ProgressBar::new(n);
                if let Ok(style) = indicatif::ProgressStyle::with_template("{msg} {bar:30} {bytes}/{total_bytes}") {
                    b.set_style(style);
                }
                b
            }
            None => indicatif::ProgressBar::new_spinner(),
        };
        b.set_message(what.to_string());
        if let Some(old) = self.0.replace(Some(b)) {
            old.finish_and_clear();
        }
    }
    fn advance(&self, bytes: u64) {
        if let Some(b) = &*self.0.borrow() {
            if bytes == 0 {
                b.tick();
            } else {
                b.inc(bytes);
            }
        }
    }
    fn end(&self) {
        if let Some(b) = self.0.take() {
            b.finish_and_clear();
        }
    }
}

/// A fetched model's name (minilm, mpnet) or a model folder. A name wins over a folder of the same
/// name in the working directory unless the argument is written as a path (`./minilm`).
fn model_dir(model: &str) -> Result<PathBuf, String> {
    use rsn::nn::fetch;
    let path_like = model.contains(std::path::MAIN_SEPARATOR) || model.starts_with('.');
    if !path_like {
        if let Ok(id) = fetch::ModelId::parse(model) {
            return fetch::cached_model_dir(id);
        }
    }
    let p = Path::new(model);
    if p.is_dir() {
        Ok(p.to_path_buf())
    } else if p.exists() {
        Err(format!(
            "--model {model}: is not a folder (a model folder holds config.json, model.safetensors, tokenizer.json)"
        ))
    } else if path_like {
        Err(format!("--model {model}: no such folder"))
    } else {
        Err(format!("--model {model}: neither a known model (minilm, mpnet) nor a folder"))
    }
}

/// Refuse an output path that cannot be written (no such folder, a folder, no permission) before
/// the work that would fill it. An existing file is left as it is; a probe file is removed.
fn check_writable(path: &Path) -> Result<(), String> {
    if path.is_dir() {
        return Err(format!("{}: is a folder, not a file", path.display()));
    }
    let existed = path.exists();
    std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(path)
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    if !existed {
        let _ = std::fs::remove_file(path);
    }
    Ok(())
}

/// A spinner with elapsed time on stderr while a long run is under way (drawn only on a terminal).
fn spinner(msg: String) -> indicatif::ProgressBar {
    let pb = indicatif::ProgressBar::new_spinner();
    if let Ok(style) = indicatif::ProgressStyle::with_template("{spinner} {msg} ({elapsed})") {
        pb.set_style(style);
    }
    pb.set_message(msg);
    pb.enable_steady_tick(Duration::from_millis(120));
    pb
}

fn fmt_util(u: &std::collections::BTreeMap<String, f64>) -> String {
    u.iter().filter(|(_, v)| **v > 0.0).map(|(k, v)| format!("{k} {:.0}%", 100.0 * v)).collect::<Vec<_>>().join(", ")
}
