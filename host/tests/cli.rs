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
    // Without the co-simulation compiled in, asking for it is a clear error, not a fallback.
    if cfg!(not(feature = "sim")) {
        let out = rsn(&["bench", "--workload", "gemm:8,8,8", "--backend", "sim"]);
        assert!(!out.status.success());
        assert!(String::from_utf8_lossy(&out.stderr).contains("no sim device"));
    }
    let out = rsn(&["bench", "--workload", "gemm:8,8,8", "--bitstream", "/nonexistent.toml"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent.toml"));
    let out = rsn(&["embed", "--model", "/nonexistent-model-dir", "--out", "/tmp/x.npy", "hi"]);
    assert!(!out.status.success());
}

#[test]
fn embed_writes_the_last_hidden_state_matching_hugging_face() {
    use rsn::nn::fetch::{ensure_for_tests, ModelId};
    let Some(dir) = ensure_for_tests(ModelId::MiniLm) else { return };
    let goldens = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/goldens/all-MiniLM-L6-v2");
    let meta: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(goldens.join("meta.json")).unwrap()).unwrap();
    let sentences: Vec<String> =
        meta["sentences"].as_array().unwrap().iter().map(|s| s.as_str().unwrap().to_string()).collect();
    let out = std::env::temp_dir().join(format!("rsn-embed-{}.npy", std::process::id()));
    let mut args =
        vec!["embed", "--model", dir.to_str().unwrap(), "--backend", "model", "--out", out.to_str().unwrap()];
    args.extend(sentences.iter().map(|s| s.as_str()));
    let run = rsn(&args);
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(stderr.contains("predicted (roofline, before running)"), "{stderr}");
    let got = rsn::nn::npy::read(&out).unwrap();
    let want_path = goldens.join("last_hidden_state.npy");
    let want = rsn::nn::npy::read(&want_path).unwrap();
    assert_eq!(got.shape, want.shape);
    let mask_path = goldens.join("attention_mask.npy");
    let mask = rsn::nn::npy::read(&mask_path).unwrap().into_i64(&mask_path).unwrap();
    let (g, w) = (got.into_f32(&out).unwrap(), want.into_f32(&want_path).unwrap());
    let h = want_shape_last(&w, &mask);
    let mut err = 0f32;
    for (t, m) in mask.iter().enumerate() {
        if *m == 1 {
            for c in 0..h {
                err = err.max((g[t * h + c] - w[t * h + c]).abs());
            }
        }
    }
    assert!(err <= 1e-3, "rsn embed vs Hugging Face: {err}");
    let _ = std::fs::remove_file(&out);
}

fn want_shape_last(w: &[f32], mask: &[i64]) -> usize {
    w.len() / mask.len()
}
