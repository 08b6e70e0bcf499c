//! Writes and checks the files of bitstreams/vck190/ that must agree with this host:
//! manifest.json, connectivity.cfg and kernel_args.tcl.
//!
//! ```text
//! vck190_manifest write  [--out DIR] [--ddr-tag TAG] [--lpddr-tag TAG]
//! vck190_manifest check  [--dir DIR] [--aie-ports FILE]
//! vck190_manifest check-rtl --xml FILE [--dir DIR]
//! vck190_manifest stamp  --xclbin FILE --manifest IN --out OUT
//! ```
//! `check-rtl` reads the packaged top module's ports from Verilator's `--xml-only` output and
//! compares them with package_xo.tcl (and the kernel_args.tcl it sources), connectivity.cfg,
//! link.cfg and regs.md in DIR (see `rsn::image::rtl_ports`).
//! `check` regenerates everything in memory, compares it with DIR (default bitstreams/vck190),
//! verifies the manifest against this host's ISA version and bitstream fingerprint, and, when
//! aie/graph/ports.txt exists, that the AIE graph declares exactly the PLIOs of
//! `rsn::isa::plio_ports`. `stamp` copies a manifest, adding the UUID of a built xclbin.

use rsn::bitstream::Bitstream;
use rsn::image as vck190;
use rsn::isa;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use vck190::Manifest;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("host/ has a parent").to_path_buf()
}

struct Args {
    cmd: String,
    opts: Vec<(String, String)>,
}

impl Args {
    fn parse() -> Result<Args, String> {
        let mut it = std::env::args().skip(1);
        let cmd = it.next().ok_or("usage: vck190_manifest write|check|stamp [--option value]...")?;
        let mut opts = Vec::new();
        while let Some(k) = it.next() {
            let Some(name) = k.strip_prefix("--") else { return Err(format!("unexpected argument {k:?}")) };
            let v = it.next().ok_or_else(|| format!("--{name} needs a value"))?;
            opts.push((name.to_string(), v));
        }
        Ok(Args { cmd, opts })
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.opts.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    fn check_known(&self, known: &[&str]) -> Result<(), String> {
        match self.opts.iter().find(|(k, _)| !known.contains(&k.as_str())) {
            Some((k, _)) => Err(format!("{} does not take --{k}", self.cmd)),
            None => Ok(()),
        }
    }
}

/// (file name, contents) of every generated file.
fn generated(ddr_tag: &str, lpddr_tag: &str) -> Vec<(&'static str, String)> {
    vec![
        ("manifest.json", Manifest::for_host(&Bitstream::builtin()).to_json()),
        ("connectivity.cfg", vck190::connectivity_cfg(ddr_tag, lpddr_tag)),
        ("kernel_args.tcl", vck190::kernel_tcl()),
    ]
}

fn read(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    if let Some(d) = path.parent() {
        std::fs::create_dir_all(d).map_err(|e| format!("cannot create {}: {e}", d.display()))?;
    }
    std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// The first differing line, for a useful failure message.
fn first_difference(a: &str, b: &str) -> String {
    for (i, (x, y)) in a.lines().zip(b.lines()).enumerate() {
        if x != y {
            return format!("line {}: checked in {x:?}, generated {y:?}", i + 1);
        }
    }
    format!("checked in has {} lines, generated {}", a.lines().count(), b.lines().count())
}

/// PLIO names of aie/graph/ports.txt ("in|out NAME WIDTH" lines) against the ISA's.
fn check_aie_ports(path: &Path) -> Result<usize, String> {
    let text = read(path)?;
    let mut found = BTreeSet::new();
    for (i, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty() && !l.starts_with('#')) {
        let f: Vec<&str> = line.split_whitespace().collect();
        match f.as_slice() {
            [dir @ ("in" | "out"), name, "64"] => {
                found.insert((dir.to_string(), name.to_string()));
            }
            _ => return Err(format!("{}:{}: expected `in|out NAME 64`, got {line:?}", path.display(), i + 1)),
        }
    }
    let mut expected = BTreeSet::new();
    for e in 0..isa::ENGINES {
        for (p, d) in isa::plio_ports(e) {
            expected.insert((if d == isa::PortDir::PlToAie { "in" } else { "out" }.to_string(), p));
        }
    }
    if found != expected {
        let missing: Vec<_> = expected.difference(&found).take(5).collect();
        let extra: Vec<_> = found.difference(&expected).take(5).collect();
        return Err(format!(
            "{} differs from rsn::isa::plio_ports: missing {missing:?}, unexpected {extra:?}",
            path.display()
        ));
    }
    Ok(found.len())
}

fn run() -> Result<(), String> {
    let args = Args::parse()?;
    let root = repo_root();
    match args.cmd.as_str() {
        "write" => {
            args.check_known(&["out", "ddr-tag", "lpddr-tag"])?;
            let out = args.get("out").map(PathBuf::from).unwrap_or_else(|| root.join("bitstreams/vck190"));
            let ddr = args.get("ddr-tag").unwrap_or(vck190::DEFAULT_DDR_TAG);
            let lpddr = args.get("lpddr-tag").unwrap_or(vck190::DEFAULT_LPDDR_TAG);
            for (name, text) in generated(ddr, lpddr) {
                write(&out.join(name), &text)?;
                eprintln!("wrote {}", out.join(name).display());
            }
            Ok(())
        }
        "check" => {
            args.check_known(&["dir", "aie-ports"])?;
            let dir = args.get("dir").map(PathBuf::from).unwrap_or_else(|| root.join("bitstreams/vck190"));
            let mut stale = Vec::new();
            for (name, text) in generated(vck190::DEFAULT_DDR_TAG, vck190::DEFAULT_LPDDR_TAG) {
                let have = read(&dir.join(name))?;
                if have != text {
                    stale.push(format!("{name}: {}", first_difference(&have, &text)));
                }
            }
            if !stale.is_empty() {
                return Err(format!(
                    "stale generated files in {} (run `make -C bitstreams/vck190 generate`):\n  {}",
                    dir.display(),
                    stale.join("\n  ")
                ));
            }
            let bs = Bitstream::builtin();
            let m = Manifest::load(&dir.join(vck190::MANIFEST_FILE)).map_err(|e| e.to_string())?;
            if let Some((found, expected)) = m.mismatch(&bs) {
                return Err(format!("manifest {found} does not match this host: {expected}"));
            }
            eprintln!(
                "vck190: manifest matches host (ISA v{}, fingerprint {}); connectivity: {} PL->AIE + {} AIE->PL streams",
                m.isa_version, m.fingerprint, m.plio.pl_to_aie, m.plio.aie_to_pl
            );
            let ports = args.get("aie-ports").map(PathBuf::from).unwrap_or_else(|| root.join("aie/graph/ports.txt"));
            if ports.exists() {
                let n = check_aie_ports(&ports)?;
                eprintln!("vck190: {} declares the same {n} PLIOs", ports.display());
            } else {
                eprintln!("vck190: {} not present; AIE port names not cross-checked", ports.display());
            }
            Ok(())
        }
        "check-rtl" => {
            args.check_known(&["xml", "dir"])?;
            let dir = args.get("dir").map(PathBuf::from).unwrap_or_else(|| root.join("bitstreams/vck190"));
            let xml = PathBuf::from(args.get("xml").ok_or("check-rtl needs --xml FILE (verilator --xml-only)")?);
            let top =
                vck190::rtl_ports::parse_verilator_xml(&read(&xml)?).map_err(|e| format!("{}: {e}", xml.display()))?;
            let files: Vec<String> = ["package_xo.tcl", "kernel_args.tcl", "connectivity.cfg", "link.cfg", "regs.md"]
                .iter()
                .map(|f| read(&dir.join(f)))
                .collect::<Result<_, _>>()?;
            let recipe = vck190::rtl_ports::Recipe {
                package_xo_tcl: &files[0],
                kernel_args_tcl: &files[1],
                connectivity_cfg: &files[2],
                link_cfg: &files[3],
                regs_md: &files[4],
            };
            match vck190::rtl_ports::check_recipe(&top, &recipe) {
                Ok(s) => {
                    eprintln!(
                        "vck190: RTL top {} ({} ports): s_axi_control, {} AXI4 masters, {} + {} AXI4-Stream ports match \
                         package_xo.tcl, kernel_args.tcl, connectivity.cfg, link.cfg and regs.md",
                        s.module,
                        top.ports.len(),
                        s.masters,
                        s.streams_out,
                        s.streams_in
                    );
                    Ok(())
                }
                Err(errors) => Err(format!(
                    "the RTL's ports ({}, top {}) disagree with the recipe in {}:\n  {}",
                    xml.display(),
                    top.module,
                    dir.display(),
                    errors.join("\n  ")
                )),
            }
        }
        "stamp" => {
            args.check_known(&["xclbin", "manifest", "out"])?;
            let need = |k: &str| args.get(k).map(PathBuf::from).ok_or_else(|| format!("stamp needs --{k}"));
            let (xclbin, input, out) = (need("xclbin")?, need("manifest")?, need("out")?);
            let bytes = std::fs::read(&xclbin).map_err(|e| format!("cannot read {}: {e}", xclbin.display()))?;
            let uuid = vck190::xclbin_file_uuid(&bytes).map_err(|e| format!("{}: {e}", xclbin.display()))?;
            let mut m = Manifest::load(&input).map_err(|e| e.to_string())?;
            m.xclbin_uuid = Some(uuid.to_string());
            write(&out, &m.to_json())?;
            eprintln!("wrote {} (xclbin uuid {uuid})", out.display());
            Ok(())
        }
        other => Err(format!("unknown command {other:?}: use write, check, check-rtl or stamp")),
    }
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("vck190_manifest: {e}");
            ExitCode::FAILURE
        }
    }
}
