//! The vector files the RTL testbenches last ran on (build/rtl/vectors, written by `make -C rtl
//! test`) are exactly what the generator computes from today's model and definitions: a model
//! change that the testbenches have not seen fails here, until `make -C rtl test` reruns them.
//! Each file's generator arguments are in FILE.cmd beside it.
//!
//! Without that directory (no RTL run yet) there is nothing to compare; `RSN_REQUIRE_VECTORS=1`
//! (set by `make test`, which runs the RTL testbenches first) makes that a failure.

use std::path::PathBuf;
use std::process::Command;

fn vectors_dir() -> PathBuf {
    std::env::var_os("RSN_VECTORS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../build/rtl/vectors"))
}

#[test]
fn testbench_vectors_are_what_the_model_computes() {
    let dir = vectors_dir();
    let required = std::env::var("RSN_REQUIRE_VECTORS").as_deref() == Ok("1");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        assert!(!required, "{} does not exist: run `make -C rtl test` first", dir.display());
        eprintln!("no testbench vectors in {} (run `make -C rtl test`); nothing compared", dir.display());
        return;
    };
    let mut cmds: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "cmd"))
        .collect();
    cmds.sort();
    assert!(!required || cmds.len() >= 10, "only {} vector files in {}", cmds.len(), dir.display());
    let mut stale = Vec::new();
    for cmd in &cmds {
        let args = std::fs::read_to_string(cmd).unwrap();
        let file = cmd.with_extension("");
        let have = std::fs::read(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let out = Command::new(env!("CARGO_BIN_EXE_rsn-vectors")).args(args.split_whitespace()).output().unwrap();
        assert!(out.status.success(), "rsn-vectors {args}: {}", String::from_utf8_lossy(&out.stderr));
        if out.stdout != have {
            stale.push(format!("{} (rsn-vectors {})", file.display(), args.trim()));
        }
    }
    assert!(
        stale.is_empty(),
        "the RTL testbenches ran on vectors the model no longer computes; rerun `make -C rtl test`:\n{}",
        stale.join("\n")
    );
}
