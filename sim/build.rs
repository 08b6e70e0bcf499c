//! Verilates the PL kernel (rtl/, top `rsn_xnn_top`) and compiles it with the C++ harness
//! (csrc/harness.cpp: AXI memory models, the engine model, the cycle loop) into one static library.
//! Verilator 5.006 builds no libraries of its own, so its generated sources and runtime are
//! compiled here with `cc` (docs/toolchain.md). Always optimised (-O3): an unoptimised model is about
//! ten times slower.
//!
//! Profile-guided by default (GCC): the model is built instrumented, csrc/train.cpp replays the
//! recorded programs in train/ through it, and the library is rebuilt with the profile, which
//! makes the co-simulation ~1.4-1.5x faster (sim/README.md). `RSN_SIM_PGO=0` builds without it.

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::process::Command;

/// RTL folders in dependency order (the ISA package first).
const RTL_DIRS: &[&str] = &["stream", "fp", "decoder", "mem", "memc", "dram", "mesh", "top"];

/// Everything that can select another Verilator, compiler or set of compiler flags. A cache hit
/// prints no cc metadata, so these are listed here on every run rather than left to cc.
fn toolchain_env(target: &str) -> Vec<String> {
    let mut v: Vec<String> = [
        "VERILATOR",
        "VERILATOR_ROOT",
        "PATH",
        "RSN_SIM_PGO",
        "CXX",
        "CC",
        "CXXFLAGS",
        "CFLAGS",
        "CPPFLAGS",
        "AR",
        "ARFLAGS",
        "CXXSTDLIB",
        "CRATE_CC_NO_DEFAULTS",
        "TARGET_CXX",
        "HOST_CXX",
        "TARGET_CXXFLAGS",
        "HOST_CXXFLAGS",
        "TARGET_AR",
    ]
    .map(String::from)
    .to_vec();
    for t in [target.to_string(), target.replace('-', "_")] {
        for var in ["CXX", "CXXFLAGS", "AR"] {
            v.push(format!("{var}_{t}"));
        }
    }
    v
}

fn sv_files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("rsn-sim: cannot list {}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "sv"))
        // Test-only wrappers are not part of the kernel.
        .filter(|p| !p.file_name().is_some_and(|n| n.to_string_lossy().ends_with("_harness.sv")))
        .collect();
    v.sort();
    v
}

/// The training traces, in replay order (file names sort as the generator lists them).
fn traces(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("rsn-sim: cannot list {}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "trace"))
        .collect();
    v.sort();
    v
}

/// Where the compiled model is kept: target/rsn-sim/<hash of every input>. The dev and release
/// profiles, `cargo check`/`clippy` and `cargo test` then share one build of the verilated kernel
/// (minutes of C++) instead of compiling it once per profile.
fn cache_dir(out: &Path, key: u64) -> PathBuf {
    // OUT_DIR is <target>/<profile>/build/rsn-sim-<hash>/out.
    let target = out.ancestors().nth(4).map(Path::to_path_buf).unwrap_or_else(|| out.to_path_buf());
    target.join("rsn-sim").join(format!("{key:016x}"))
}

/// `name` as PATH resolves it (the hash must change when PATH picks another binary).
fn resolve(name: &Path) -> PathBuf {
    if name.components().count() > 1 {
        return name.to_path_buf();
    }
    std::env::var_os("PATH")
        .iter()
        .flat_map(std::env::split_paths)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
        .unwrap_or_else(|| name.to_path_buf())
}

fn output(cmd: &mut Command) -> Vec<u8> {
    cmd.output().map(|o| [o.stdout, o.stderr].concat()).unwrap_or_default()
}

/// The compiler and flags of every build, whatever cargo profile runs this script (so that all
/// profiles share one cached library).
fn base_build() -> cc::Build {
    let mut build = cc::Build::new();
    build
        .cpp(true)
        .std("c++17")
        // -O3 over -O2: ~6% faster measured here; a profile only fits the level it was made at.
        .opt_level(3)
        .debug(false)
        .warnings(false)
        .cargo_metadata(false);
    build
}

/// The compiler flags both builds share; the PGO phases add theirs on top of the same set, so the
/// instrumented and the optimised objects come from one command line but for those flags.
fn model_build(manifest: &Path, vdir: &Path, inc: &Path, obj: &Path, wave: bool, phase: &[&str]) -> cc::Build {
    let mut build = base_build();
    build
        .out_dir(obj)
        .flag("-ffp-contract=off")
        .include(vdir)
        .include(inc)
        .include(inc.join("vltstd"))
        .include(manifest.join("../aie/entry"))
        .include(manifest.join("csrc"));
    for f in phase {
        build.flag(f);
    }
    let mut generated: Vec<PathBuf> = std::fs::read_dir(vdir)
        .expect("verilated sources")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "cpp"))
        .collect();
    generated.sort();
    for f in generated {
        build.file(f);
    }
    build.file(inc.join("verilated.cpp"));
    build.file(inc.join("verilated_threads.cpp"));
    if wave {
        build.define("RSN_SIM_WAVE", None).define("VM_TRACE", "1").define("VM_TRACE_FST", "1");
        build.file(inc.join("verilated_fst_c.cpp"));
    }
    build.file(manifest.join("csrc/harness.cpp"));
    build
}

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    let rtl = manifest.join("../rtl");
    let train = manifest.join("train");
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap());
    let target = std::env::var("TARGET").unwrap_or_default();
    let verilator = std::env::var("VERILATOR").unwrap_or_else(|_| "verilator".into());
    // The `wave` feature compiles FST tracing in; it is a different library, cached apart, and is
    // not profile-guided (tracing code the training would not run, for runs that are slow anyway).
    let wave = std::env::var_os("CARGO_FEATURE_WAVE").is_some();
    let compiler = base_build().get_compiler();
    let pgo_wanted = std::env::var("RSN_SIM_PGO").map_or(true, |v| v.trim() != "0");
    // GCC's -fprofile-* flags; clang's profiles need llvm-profdata and are not wired up.
    let gcc = compiler.is_like_gnu() && !compiler.is_like_clang();
    let traces = traces(&train);
    let pgo = pgo_wanted && !wave && gcc && !traces.is_empty();
    if pgo_wanted && !wave && !pgo {
        let why = if gcc {
            "no training traces in sim/train".to_string()
        } else {
            format!("{} is not GCC", compiler.path().display())
        };
        println!("cargo:warning=rsn-sim: {why}: building without profile guidance (a slower co-simulation)");
    }

    let mut srcs = vec![rtl.join("rsn_isa_pkg.sv"), rtl.join("rsn_cfg_pkg.sv"), rtl.join("rsn_fp32_pkg.sv")];
    for d in RTL_DIRS {
        srcs.extend(sv_files(&rtl.join(d)));
    }
    let mut inputs: Vec<PathBuf> = srcs.clone();
    inputs.extend(["csrc/harness.cpp", "csrc/harness.h", "csrc/rsn_hw.h", "build.rs"].map(|f| manifest.join(f)));
    if pgo {
        inputs.push(manifest.join("csrc/train.cpp"));
        inputs.extend(traces.iter().cloned());
    }
    let mut h = std::collections::hash_map::DefaultHasher::new();
    for f in &inputs {
        f.file_name().hash(&mut h);
        std::fs::read(f).unwrap_or_else(|e| panic!("rsn-sim: cannot read {}: {e}", f.display())).hash(&mut h);
    }
    // The toolchain: which Verilator (its version, and its root, since a development snapshot
    // prints no version), which compiler and its version, and the flags cc takes from the
    // environment.
    let vbin = resolve(Path::new(&verilator));
    vbin.hash(&mut h);
    output(Command::new(&verilator).arg("--version")).hash(&mut h);
    output(Command::new(&verilator).args(["--getenv", "VERILATOR_ROOT"])).hash(&mut h);
    resolve(compiler.path()).hash(&mut h);
    compiler.args().hash(&mut h);
    output(compiler.to_command().arg("--version")).hash(&mut h);
    wave.hash(&mut h);
    pgo.hash(&mut h);
    let cache = cache_dir(&out, h.finish());
    let lib = cache.join("librsn_sim.a");
    if !lib.exists() {
        build(&manifest, &srcs, &verilator, &cache, wave, pgo.then_some(&traces[..]));
    }
    println!("cargo:rustc-link-search=native={}", cache.display());
    println!("cargo:rustc-link-lib=static=rsn_sim");
    // The harness calls the engine kernels: rsn-aie's archive must follow this one on the link line.
    println!("cargo:rustc-link-lib=static=rsn_aie");
    println!("cargo:rustc-link-lib=stdc++");
    println!("cargo:rustc-link-lib=pthread");
    println!("cargo:rustc-link-lib=atomic");
    if wave {
        println!("cargo:rustc-link-lib=z");
    }
    println!("cargo:rerun-if-changed=csrc");
    println!("cargo:rerun-if-changed=train");
    println!("cargo:rerun-if-changed=build.rs");
    for v in toolchain_env(&target) {
        println!("cargo:rerun-if-env-changed={v}");
    }
    for pkg in ["rsn_isa_pkg.sv", "rsn_cfg_pkg.sv", "rsn_fp32_pkg.sv"] {
        println!("cargo:rerun-if-changed={}", rtl.join(pkg).display());
    }
    for d in RTL_DIRS {
        println!("cargo:rerun-if-changed={}", rtl.join(d).display());
    }
}

fn build(manifest: &Path, srcs: &[PathBuf], verilator: &str, cache: &Path, wave: bool, traces: Option<&[PathBuf]>) {
    // A private scratch directory per build process: concurrent builds never share one. Both PGO
    // phases compile into it under the same object names, which is what lets GCC match each
    // object's .gcda profile (written beside the instrumented object) to its optimised rebuild.
    let tmp = cache.with_extension(format!("tmp{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(&tmp).expect("rsn-sim: cannot create the build cache directory");
    let vdir = tmp.join("verilated");
    let status = Command::new(verilator)
        .args(["--cc", "-O3", "--x-assign", "fast", "--x-initial", "fast", "--no-timing", "-Wno-fatal"])
        // The configuration built for the board: every top parameter at its default, post-op units
        // included (four exp and four GELU units per MemC, as the bitstream description says).
        .args(["--top-module", "rsn_xnn_top", "--prefix", "Vrsn_xnn_top"])
        .args(if wave { &["--trace-fst", "--trace-structs"][..] } else { &[][..] })
        .arg("-Mdir")
        .arg(&vdir)
        .args(srcs)
        .status()
        .unwrap_or_else(|e| {
            panic!(
                "rsn-sim: cannot run `{verilator}` ({e}); install Verilator (make deps, or apt-get install verilator)"
            )
        });
    assert!(status.success(), "rsn-sim: verilator failed on the RTL (see the messages above)");

    let root = Command::new(verilator).args(["--getenv", "VERILATOR_ROOT"]).output().expect("verilator --getenv");
    let root = PathBuf::from(String::from_utf8_lossy(&root.stdout).trim().to_string());
    let inc = root.join("include");
    let obj = tmp.join("obj");
    std::fs::create_dir_all(&obj).expect("rsn-sim: cannot create the object directory");

    let phase: &[&str] = match traces {
        None => &[],
        Some(traces) => {
            train(manifest, &vdir, &inc, &obj, &tmp, traces);
            // -fprofile-partial-training: code the training never ran (fault paths, rare FU
            // modes) stays optimised as without a profile instead of being treated as cold.
            &["-fprofile-use", "-fprofile-partial-training", "-Wno-missing-profile"]
        }
    };
    model_build(manifest, &vdir, &inc, &obj, wave, phase).compile("rsn_sim");
    std::fs::rename(obj.join("librsn_sim.a"), tmp.join("librsn_sim.a")).expect("rsn-sim: cannot move the library");
    // The generated C++ (~120 MB) and the objects are not needed once the library exists.
    let _ = std::fs::remove_dir_all(&obj);
    let _ = std::fs::remove_dir_all(&vdir);
    // Publish the finished library atomically: a half-built cache is never reused. If another
    // build published the same key meanwhile, its result is identical and stays.
    if std::fs::rename(&tmp, cache).is_err() {
        assert!(cache.join("librsn_sim.a").exists(), "rsn-sim: cannot move the finished build into the cache");
        let _ = std::fs::remove_dir_all(&tmp);
    }
}

/// The instrumented build and its training run: leaves one .gcda per object in `obj`.
fn train(manifest: &Path, vdir: &Path, inc: &Path, obj: &Path, tmp: &Path, traces: &[PathBuf]) {
    let gen = ["-fprofile-generate"];
    let objects = model_build(manifest, vdir, inc, obj, false, &gen).compile_intermediates();
    let trainer = tmp.join("train");
    let compiler = model_build(manifest, vdir, inc, obj, false, &gen).get_compiler();
    let status = compiler
        .to_command()
        .arg(manifest.join("csrc/train.cpp"))
        .args(&objects)
        .arg("-o")
        .arg(&trainer)
        .args(["-lgcov", "-pthread", "-latomic"])
        .status()
        .expect("rsn-sim: cannot run the C++ compiler for the trainer");
    assert!(status.success(), "rsn-sim: linking the PGO trainer failed (RSN_SIM_PGO=0 builds without PGO)");
    let t0 = std::time::Instant::now();
    let run = Command::new(&trainer).args(traces).current_dir(tmp).output().expect("rsn-sim: cannot run the trainer");
    let log = [run.stdout, run.stderr].concat();
    assert!(
        run.status.success(),
        "rsn-sim: the PGO training run failed ({}); RSN_SIM_PGO=0 builds without PGO:\n{}",
        run.status,
        String::from_utf8_lossy(&log)
    );
    // Kept beside the library: what was trained and how long it took.
    let mut log = log;
    log.extend(format!("training: {:.1} s wall\n", t0.elapsed().as_secs_f64()).bytes());
    let _ = std::fs::write(tmp.join("train.log"), &log);
    // The optimised build compiles the same sources to the same object names; only the profiles
    // may stay.
    for o in objects {
        let _ = std::fs::remove_file(o);
    }
}
