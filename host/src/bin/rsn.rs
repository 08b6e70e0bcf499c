//! The `rsn` command line.

use clap::{Parser, Subcommand};
use rsn::bench::{self, Workload};
use rsn::bitstream::{self, Bitstream};
use rsn::builder::{Gemm, GemmPlacement};
use rsn::device::{BackendKind, Device, OpenOptions};
use rsn::isa::{self, gen};
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
    },
    /// Compile a workload to an instruction file (little-endian 32-bit words).
    Compile {
        #[arg(long)]
        workload: Workload,
        /// Output file.
        #[arg(short, long)]
        out: PathBuf,
    },
    /// Print a program one mOP per line with every field named.
    Disasm {
        /// Instruction file (little-endian 32-bit words).
        file: PathBuf,
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
        Cmd::Bench { workload, dev, json, seed } => {
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
                if let (Some(p), Some(v)) = (r.paper_ms, r.vs_paper) {
                    println!("paper RSN-XNN   {p:.2} ms (this model / paper = {v:.2})");
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
                println!("instructions    {} words -> {} uOPs ({:.1}x)", r.instr_words, r.uops, r.compression);
                println!("utilization     {}", fmt_util(&r.utilization));
            }
            Ok(())
        }
        Cmd::Compile { workload, out } => {
            let Workload::Gemm { m, n, k } = workload else {
                return Err(
                    "compile takes a gemm:M,N,K workload; encoders are compiled per batch by `rsn embed`".into()
                );
            };
            let g = Gemm::new(m, n, k);
            // Operands at fixed offsets of their windows, as a device would place them from empty.
            let exe = g
                .compile(GemmPlacement {
                    a_line: 64,
                    b_line: 64,
                    bias_line: None,
                    c_line: 64 + (m * g.ka()).div_ceil(16) as u64 + 64,
                    ..Default::default()
                })
                .map_err(|e| e.to_string())?;
            let bytes: Vec<u8> = exe.words.iter().flat_map(|w| w.to_le_bytes()).collect();
            std::fs::write(&out, bytes).map_err(|e| format!("cannot write {}: {e}", out.display()))?;
            eprintln!(
                "wrote {} words to {} (engine blocks {:?})",
                exe.words.len(),
                out.display(),
                exe.rtp.map(|r| r.blocks)
            );
            Ok(())
        }
        Cmd::Disasm { file } => {
            // A program cannot exceed the instruction window: nothing larger is read.
            let limit = rsn::device::Memory::Instr.window_bytes();
            let bytes = rsn::files::read_bounded(&file, limit, "an instruction file")
                .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
            if bytes.len() % 4 != 0 {
                return Err(format!("{}: {} bytes is not a whole number of 32-bit words", file.display(), bytes.len()));
            }
            let words: Vec<u32> = bytes.chunks_exact(4).map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect();
            let text = isa::disasm::disassemble(&words).map_err(|e| format!("{}: {e}", file.display()))?;
            print!("{text}");
            Ok(())
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
