//! The `rsn` command line as a user runs it.

use std::process::Command;

fn rsn(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_rsn")).args(args).output().expect("rsn runs")
}

#[test]
fn bench_json_is_exactly_one_object_with_the_promised_fields() {
    let out = rsn(&["bench", "--workload", "gemm:200,130,70", "--backend", "model", "--json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text.trim().lines().count(), 1, "one line: {text}");
    let v: serde_json::Value = serde_json::from_str(text.trim()).unwrap();
    for field in ["workload", "backend", "pl_cycles", "device_ms", "gflops", "wall_s", "max_abs_err"] {
        assert!(v.get(field).is_some(), "missing {field} in {v}");
    }
    assert_eq!(v["workload"], "gemm:200,130,70");
    assert_eq!(v["backend"], "model");
    assert!(v["max_abs_err"].as_f64().unwrap() < 1e-4);
    assert!(v["pl_cycles"].as_u64().unwrap() > 0);
}

#[test]
fn compile_then_disasm_names_every_field() {
    let dir = std::env::temp_dir().join(format!("rsn-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("prog.bin");
    let out = rsn(&["compile", "--workload", "gemm:300,600,130", "-o", file.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let out = rsn(&["disasm", file.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    let words = std::fs::read(&file).unwrap().len() / 4;
    let prog = rsn::isa::Program::decode(
        &std::fs::read(&file)
            .unwrap()
            .chunks(4)
            .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect::<Vec<_>>(),
    )
    .unwrap();
    assert_eq!(text.lines().count(), prog.mop_count(), "one line per mOP ({words} words)");
    let mema = text.lines().find(|l| l.contains("MEMA")).unwrap();
    for f in rsn::isa::MemAOp::FIELDS {
        assert!(mema.contains(&format!(" {}=", f.name)), "{} missing in {mema}", f.name);
    }
    assert!(text.lines().any(|l| l.contains("port=") && l.contains("(MemC(")), "decoded hints");
    std::fs::write(&file, [1u8, 2, 3, 4, 5]).unwrap();
    let out = rsn(&["disasm", file.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a whole number of 32-bit words"));
    std::fs::write(&file, [0u8; 16]).unwrap();
    let out = rsn(&["disasm", file.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("bad magic"));
}

#[test]
fn bad_requests_fail_with_a_clear_message() {
    let out = rsn(&["bench", "--workload", "gemm:10,10"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("wrong number of sizes"));
    let out = rsn(&["bench", "--workload", "gemm:8,8,8", "--backend", "sim"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no sim device"));
    let out = rsn(&["bench", "--workload", "gemm:8,8,8", "--bitstream", "/nonexistent.toml"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent.toml"));
    let out = rsn(&["embed", "--model", "/nonexistent-model-dir", "--out", "/tmp/x.npy", "hi"]);
    assert!(!out.status.success());
}
