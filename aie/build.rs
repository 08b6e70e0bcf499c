//! Compiles the MME kernels, the compat layer's graph executor and the C entry points. Always -O3
//! (the co-simulation calls the engine thousands of times) and never contracted: the numerics
//! contract forbids fused multiply-add.

fn main() {
    let sources = ["kernels/mme_stage.cc", "compat/rsn_compat/graph_sim.cpp", "entry/rsn_aie.cpp"];
    let mut build = cc::Build::new();
    build
        .cpp(true)
        .std("c++20")
        .opt_level(3)
        .debug(false)
        .warnings(true)
        .warnings_into_errors(true)
        .flag("-ffp-contract=off")
        .include("compat")
        .include("kernels")
        .include("graph")
        .include("entry");
    for s in sources {
        build.file(s);
    }
    build.compile("rsn_aie");
    for dir in ["kernels", "compat", "graph", "entry"] {
        println!("cargo:rerun-if-changed={dir}");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
