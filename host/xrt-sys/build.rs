//! Generates the bindings to the C shim (and the XRT types it uses) and compiles the shim.
//!
//! Environment (all optional; see docs/board.md "Building the XRT backend"):
//! * `RSN_XRT_SYSROOT`  root of a target sysroot (cross builds, e.g. a PetaLinux aarch64 sysroot).
//!   Passed to clang and the C++ compiler as `--sysroot` and used for the defaults below.
//! * `RSN_XRT_INCLUDE`  directory holding `xrt/xrt_device.h` and `xrt.h`
//!   (default `<sysroot>/usr/include/xrt`, i.e. `/usr/include/xrt` natively).
//! * `RSN_XRT_LIB_DIR`  directory holding `libxrt_coreutil.so`
//!   (default `/usr/lib/x86_64-linux-gnu` natively, `<sysroot>/usr/lib` with a sysroot).
//! * `BINDGEN_EXTRA_CLANG_ARGS` is honoured by bindgen itself.
use std::env;
use std::path::PathBuf;

/// Types the Rust side names. Functions are the shim's only: XRT's own entry points are called
/// from C++ so that their exceptions never reach Rust.
const TYPES: &[&str] = &[
    "xrtDeviceHandle",
    "xrtBufferHandle",
    "xrtBufferFlags",
    "xrtMemoryGroup",
    "xrtKernelHandle",
    "xrtRunHandle",
    "xrtGraphHandle",
    "xclBOSyncDirection",
    "ert_cmd_state",
];

fn main() {
    for v in ["RSN_XRT_SYSROOT", "RSN_XRT_INCLUDE", "RSN_XRT_LIB_DIR", "BINDGEN_EXTRA_CLANG_ARGS"] {
        println!("cargo:rerun-if-env-changed={v}");
    }
    println!("cargo:rerun-if-changed=shim/xrt_shim.h");
    println!("cargo:rerun-if-changed=shim/xrt_shim.cpp");

    let target = env::var("TARGET").unwrap_or_default();
    let host = env::var("HOST").unwrap_or_default();
    let sysroot = env::var("RSN_XRT_SYSROOT").ok().filter(|s| !s.is_empty()).map(PathBuf::from);
    let prefix = sysroot.clone().unwrap_or_else(|| PathBuf::from("/"));
    let include = env::var("RSN_XRT_INCLUDE").map(PathBuf::from).unwrap_or_else(|_| prefix.join("usr/include/xrt"));
    let lib_dir = env::var("RSN_XRT_LIB_DIR").map(PathBuf::from).unwrap_or_else(|_| {
        if sysroot.is_some() {
            prefix.join("usr/lib")
        } else {
            PathBuf::from("/usr/lib/x86_64-linux-gnu")
        }
    });
    if !include.join("xrt/xrt_device.h").is_file() {
        panic!(
            "rsn-xrt-sys: {}/xrt/xrt_device.h not found. Install libxrt-dev (Debian) or set RSN_XRT_INCLUDE \
             (and RSN_XRT_SYSROOT for a cross build); see docs/board.md",
            include.display()
        );
    }
    if target != host && sysroot.is_none() && env::var("RSN_XRT_INCLUDE").is_err() {
        println!(
            "cargo:warning=cross-compiling for {target} against the host's XRT headers: set RSN_XRT_SYSROOT to the \
             target sysroot"
        );
    }

    let mut cc = cc::Build::new();
    cc.cpp(true)
        .std("c++17")
        .file("shim/xrt_shim.cpp")
        .include("shim")
        .include(&include)
        .warnings(true)
        .extra_warnings(true)
        // XRT's headers trip -Wunused-parameter in inline code we do not control.
        .flag_if_supported("-Wno-unused-parameter");
    if let Some(s) = &sysroot {
        cc.flag(format!("--sysroot={}", s.display()));
    }
    cc.compile("rsn_xrt_shim");

    println!("cargo:rustc-link-search=native={}", lib_dir.display());
    println!("cargo:rustc-link-lib=dylib=xrt_coreutil");

    let mut b = bindgen::Builder::default()
        .header("shim/xrt_shim.h")
        .clang_arg(format!("-I{}", include.display()))
        .clang_arg("-Ishim")
        .clang_arg("-xc")
        .allowlist_function("rsn_xrt_.*")
        .allowlist_var("XCL_BO_FLAGS_CACHEABLE")
        .newtype_enum("ert_cmd_state")
        .newtype_enum("xclBOSyncDirection")
        .layout_tests(true)
        .derive_debug(true)
        .derive_default(true)
        .parse_callbacks(Box::new(bindgen::CargoCallbacks::new()));
    for t in TYPES {
        b = b.allowlist_type(t);
    }
    // The synthetic-xclbin tests check their hand-written layout against XRT's definition.
    b = b.allowlist_type("axlf").allowlist_type("axlf_header").allowlist_type("axlf_section_header");
    if !target.is_empty() {
        b = b.clang_arg(format!("--target={target}"));
    }
    if let Some(s) = &sysroot {
        b = b.clang_arg(format!("--sysroot={}", s.display()));
    }
    let bindings = b.generate().expect("rsn-xrt-sys: bindgen failed on shim/xrt_shim.h (is libclang installed?)");
    let out = PathBuf::from(env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    bindings.write_to_file(out.join("bindings.rs")).expect("rsn-xrt-sys: cannot write bindings.rs");
}
