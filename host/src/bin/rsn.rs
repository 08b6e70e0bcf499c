//! The `rsn` command line.

use clap::{Parser, Subcommand};
use rsn::bench::{self, Workload};
use rsn::bitstream::Bitstream;
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
    #[arg(long, value_enum, default_value_t = BackendKind::Model)]
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
    /// Seconds to wait for a run before reporting each FU's state.
    #[arg(long, default_value_t = 600)]
    timeout: u64,
}

impl DeviceArgs {
    fn open(&self) -> Result<Device, String> {
        let bitstream = self.bitstream.as_deref().map(Bitstream::from_path).transpose().map_err(|e| e.to_string())?;
        let opts = OpenOptions { bitstream, xclbin: self.xclbin.clone(), index: self.device_index, wave: None };
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
    /// Regenerate rtl/rsn_isa_pkg.sv and docs/isa.md from the ISA definition (or --check them).
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
            let r =
                bench::bench(&device, &workload, seed, Duration::from_secs(dev.timeout)).map_err(|e| e.to_string())?;
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
                println!("max abs error   {:.3e}", r.max_abs_err);
                println!(
                    "host wall       {:.3} s (CPU SGEMM {:.3} s, ratio {:.2})",
                    r.wall_s, r.cpu_sgemm_s, r.wall_vs_cpu_sgemm
                );
                println!("instructions    {} words -> {} uOPs ({:.1}x)", r.instr_words, r.uops, r.compression);
                println!("utilization     {}", fmt_util(&r.utilization));
            }
            Ok(())
        }
        Cmd::Compile { workload, out } => {
            let Workload::Gemm { m, n, k } = workload;
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
            let bytes = std::fs::read(&file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
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
            for (rel, text) in [(gen::SV_PACKAGE_PATH, gen::sv_package()), (gen::ISA_DOC_PATH, gen::isa_doc())] {
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
            let dir = rsn::nn::cli_fetch(&model).map_err(|e| e.to_string())?;
            println!("{}", dir.display());
            Ok(())
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

fn fmt_util(u: &std::collections::BTreeMap<String, f64>) -> String {
    u.iter().filter(|(_, v)| **v > 0.0).map(|(k, v)| format!("{k} {:.0}%", 100.0 * v)).collect::<Vec<_>>().join(", ")
}
