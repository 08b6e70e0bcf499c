//! Verilates the PL kernel (rtl/, top `rsn_xnn_top`) and compiles it with the C++ harness
//! (csrc/harness.cpp: AXI memory models, the engine model, the cycle loop) into one static library.
//! Verilator 5.006 builds no libraries of its own, so its generated sources and runtime are
//! compiled here with `cc` (docs/toolchain.md). Always optimised: an unoptimised
//! model is about ten times slower.

use std::path::{Path, PathBuf};
use std::process::Command;

/// RTL folders in dependency order (the ISA package first).
const RTL_DIRS: &[&str] = &["stream", "fp", "decoder", "mem", "memc", "dram", "mesh", "top"];

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

/// Where the compiled model is kept: target/rsn-sim/<hash of every input>. The dev and release
/// profiles, `cargo check`/`clippy` and `cargo test` then share one build of the verilated kernel
/// (minutes of C++) instead of compiling it once per profile.
fn cache_dir(out: &Path, key: u64) -> PathBuf {
    // OUT_DIR is <target>/<profile>/build/rsn-sim-<hash>/out.
    let target = out.ancestors().nth(4).map(Path::to_path_buf).unwrap_or_else(|| out.to_path_buf());
    target.join("rsn-sim").join(format!("{key:016x}"))
}

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    let rtl = manifest.join("../rtl");
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap());
    let verilator = std::env::var("VERILATOR").unwrap_or_else(|_| "verilator".into());

    let mut srcs = vec![rtl.join("rsn_isa_pkg.sv"), rtl.join("rsn_cfg_pkg.sv"), rtl.join("rsn_fp32_pkg.sv")];
    for d in RTL_DIRS {
        srcs.extend(sv_files(&rtl.join(d)));
    }
    let harness = [manifest.join("csrc/harness.cpp"), manifest.join("csrc/harness.h"), manifest.join("csrc/rsn_hw.h")];
    let version = Command::new(&verilator).arg("--version").output().map(|o| o.stdout).unwrap_or_default();
    let mut h = std::collections::hash_map::DefaultHasher::new();
    for f in srcs.iter().chain(harness.iter()).chain(std::iter::once(&manifest.join("build.rs"))) {
        use std::hash::Hash;
        f.file_name().hash(&mut h);
        std::fs::read(f).unwrap_or_else(|e| panic!("rsn-sim: cannot read {}: {e}", f.display())).hash(&mut h);
    }
    std::hash::Hash::hash(&version, &mut h);
    // The `wave` feature compiles FST tracing in; it is a different library, cached apart.
    let wave = std::env::var_os("CARGO_FEATURE_WAVE").is_some();
    std::hash::Hash::hash(&wave, &mut h);
    let cache = cache_dir(&out, std::hash::Hasher::finish(&h));
    let lib = cache.join("librsn_sim.a");
    if !lib.exists() {
        build(&manifest, &srcs, &verilator, &cache, wave);
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
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=VERILATOR");
    for pkg in ["rsn_isa_pkg.sv", "rsn_cfg_pkg.sv", "rsn_fp32_pkg.sv"] {
        println!("cargo:rerun-if-changed={}", rtl.join(pkg).display());
    }
    for d in RTL_DIRS {
        println!("cargo:rerun-if-changed={}", rtl.join(d).display());
    }
}

fn build(manifest: &Path, srcs: &[PathBuf], verilator: &str, cache: &Path, wave: bool) {
    // A private scratch directory per build process: concurrent builds never share one.
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

    let mut build = cc::Build::new();
    build
        .cpp(true)
        .std("c++17")
        .opt_level(2)
        .debug(false)
        .warnings(false)
        .cargo_metadata(false)
        .out_dir(&tmp)
        .flag("-ffp-contract=off")
        .include(&vdir)
        .include(&inc)
        .include(inc.join("vltstd"))
        .include(manifest.join("../aie/entry"))
        .include(manifest.join("csrc"));
    let mut generated: Vec<PathBuf> = std::fs::read_dir(&vdir)
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
    build.compile("rsn_sim");
    // Publish the finished library atomically: a half-built cache is never reused. If another
    // build published the same key meanwhile, its result is identical and stays.
    if std::fs::rename(&tmp, cache).is_err() {
        assert!(cache.join("librsn_sim.a").exists(), "rsn-sim: cannot move the finished build into the cache");
        let _ = std::fs::remove_dir_all(&tmp);
    }
}
