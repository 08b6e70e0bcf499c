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
    let file = dir.join("prog.rsnx");
    let out = rsn(&["compile", "--workload", "gemm:300,600,130", "-o", file.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let out = rsn(&["disasm", file.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    let prog = rsn::progfile::ProgramFile::load(&file).unwrap();
    let mops = rsn::isa::Program::decode(&prog.exe.words).unwrap().mop_count();
    let (header, body): (Vec<&str>, Vec<&str>) = text.lines().partition(|l| l.starts_with('#'));
    assert_eq!(body.len(), mops, "one line per mOP ({} words)", prog.exe.words.len());
    for want in ["ISA v3", "buffer a Ddr offset 0x1000", "input A F32 [300, 130] in a (row pitch 144", "output C"] {
        assert!(header.iter().any(|l| l.contains(want)), "{want:?} not in the header lines {header:?}");
    }
    let mema = body.iter().find(|l| l.contains("MEMA")).unwrap();
    for f in rsn::isa::MemAOp::FIELDS {
        assert!(mema.contains(&format!(" {}=", f.name)), "{} missing in {mema}", f.name);
    }
    assert!(body.iter().any(|l| l.contains("port=") && l.contains("(MemC(")), "decoded hints");
    // Raw instruction words are still accepted.
    let raw = dir.join("prog.bin");
    std::fs::write(&raw, prog.exe.words.iter().flat_map(|w| w.to_le_bytes()).collect::<Vec<u8>>()).unwrap();
    let out = rsn(&["disasm", raw.to_str().unwrap()]);
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), mops);
    std::fs::write(&file, [1u8, 2, 3, 4, 5]).unwrap();
    let out = rsn(&["disasm", file.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a whole number of 32-bit words"));
    std::fs::write(&file, [0u8; 16]).unwrap();
    let out = rsn(&["disasm", file.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("bad magic"));
    std::fs::write(&file, b"RSNPROG\0\x01\0\0\0\xff\xff\0\0{").unwrap();
    let out = rsn(&["disasm", file.to_str().unwrap()]);
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("truncated: the header"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// `rsn compile` + `rsn run` against `rsn bench`: the same seeded inputs give the same C, bit for
/// bit (the bench reports its output's sha256; `rsn run --json` reports each output's).
#[test]
fn compile_and_run_reproduce_the_bench_bit_for_bit() {
    let dir = std::env::temp_dir().join(format!("rsn-cli-run-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (m, n, k) = (200, 130, 70);
    let w = format!("gemm:{m},{n},{k}");
    let bench = rsn(&["bench", "--workload", &w, "--seed", "3", "--json", "--save-inputs", dir.to_str().unwrap()]);
    assert!(bench.status.success(), "{}", String::from_utf8_lossy(&bench.stderr));
    let bench: serde_json::Value = serde_json::from_slice(&bench.stdout).unwrap();
    let file = dir.join("gemm.rsnx");
    let out = rsn(&["compile", "--workload", &w, "-o", file.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // The saved operands are the bench's own.
    let (a, b) = rsn::bench::gemm_inputs(m, n, k, 3).unwrap();
    let (pa, pb, pc) = (dir.join("A.npy"), dir.join("B.npy"), dir.join("c.npy"));
    assert_eq!(rsn::nn::npy::read(&pa).unwrap().into_f32(&pa).unwrap(), a);
    assert_eq!(rsn::nn::npy::read(&pb).unwrap().into_f32(&pb).unwrap(), b);
    let arg = |name: &str, p: &std::path::Path| format!("{name}={}", p.display());
    let run = rsn(&[
        "run",
        file.to_str().unwrap(),
        "--input",
        &arg("A", &pa),
        "--input",
        &arg("B", &pb),
        "--output",
        &arg("C", &pc),
        "--backend",
        "model",
        "--json",
    ]);
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let run: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
    assert_eq!(run["output_sha256"]["C"], bench["output_sha256"], "C differs from the bench's");
    assert_eq!(run["pl_cycles"], bench["pl_cycles"]);
    let c = rsn::nn::npy::read(&pc).unwrap();
    assert_eq!(c.shape, [m, n]);
    assert_eq!(rsn::bench::digest(&c.into_f32(&pc).unwrap()), bench["output_sha256"].as_str().unwrap());
    // Wrong inputs are named.
    let bad = rsn(&["run", file.to_str().unwrap(), "--input", &arg("A", &pb), "--input", &arg("B", &pb)]);
    assert!(String::from_utf8_lossy(&bad.stderr).contains("has shape [70, 130], the program needs [200, 70]"));
    let bad = rsn(&["run", file.to_str().unwrap(), "--input", &arg("X", &pa)]);
    assert!(String::from_utf8_lossy(&bad.stderr).contains("no such input (its inputs: A, B)"));
    let bad = rsn(&["bench", "--workload", "minilm:1,16", "--save-inputs", dir.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--save-inputs: minilm:1,16 is not a gemm:M,N,K workload"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn sweep_writes_csv_json_and_svg() {
    let dir = std::env::temp_dir().join(format!("rsn-cli-sweep-{}", std::process::id()));
    let out = rsn(&[
        "sweep",
        "--workload",
        "gemm:N,N,N",
        "--n",
        "128,256",
        "--workload",
        "bert-large-layer:1,N",
        "--param",
        "ddr.read_gbps=10.5,21",
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let csv = std::fs::read_to_string(dir.join("sweep.csv")).unwrap();
    assert!(csv.starts_with("workload,n,ddr.read_gbps,phase,op,m,n_cols,k,count,pl_cycles,ms,gflops"), "{csv}");
    // 2 bandwidths x (2 GEMMs + 2 layers); each layer adds its 6 phases.
    assert_eq!(csv.lines().filter(|l| l.contains(",total,")).count(), 8);
    assert!(
        csv.lines()
            .any(|l| l
                .starts_with("\"bert-large-layer:1,256\",256,21,layer 0 ffn-up+GELU,gemm+bias+gelu,256,4096,1024,1,")),
        "{csv}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("sweep.json")).unwrap()).unwrap();
    assert_eq!(json["points"].as_array().unwrap().len(), 8);
    assert_eq!(json["points"][0]["result"]["workload"], "gemm:128,128,128");
    let svg = std::fs::read_to_string(dir.join("sweep.svg")).unwrap();
    assert!(svg.starts_with("<svg") && svg.contains("ffn-up+GELU") && svg.contains("GFLOPS"));
    // Halving the DDR bandwidth slows every point down.
    let ms = |i: usize| json["points"][i]["result"]["device_ms"].as_f64().unwrap();
    assert!(ms(0) > ms(4) && ms(3) > ms(7), "10.5 GB/s vs 21 GB/s");
    let bad = rsn(&[
        "sweep",
        "--workload",
        "gemm:N,N,N",
        "--n",
        "64",
        "--param",
        "ddr.nope=1",
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert!(String::from_utf8_lossy(&bad.stderr).contains("[ddr] has no `nope`"));
    let _ = std::fs::remove_dir_all(&dir);
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

/// Each case: arguments, and what the error must say. None of them may panic or take long.
#[test]
fn bad_sizes_paths_and_durations_get_clear_errors_at_once() {
    let dir = std::env::temp_dir().join(format!("rsn-cli-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let nowhere = dir.join("no/such/dir/out.npy");
    let cases: Vec<(Vec<String>, &str)> = vec![
        (
            vec!["bench", "--workload", "gemm:18446744073709551615,2,2"].into_iter().map(String::from).collect(),
            "overflow",
        ),
        (vec!["bench", "--workload", "gemm:1000000,1000000,16"].into_iter().map(String::from).collect(), "window"),
        (vec!["bench", "--workload", "bert-large:100000000,512,1"].into_iter().map(String::from).collect(), "DDR"),
        (vec!["bench", "--workload", "bert-large:1,128,100000"].into_iter().map(String::from).collect(), "LPDDR"),
        (
            vec!["bench", "--workload", "gemm:8,8,8", "--timeout", "5 parsecs"].into_iter().map(String::from).collect(),
            "unit",
        ),
        (vec!["bench", "--workload", "gemm:8,8,8", "--timeout=0"].into_iter().map(String::from).collect(), "positive"),
        (vec!["disasm".into(), "/dev/zero".into()], "larger than"),
        (
            vec![
                "embed".into(),
                "--model".into(),
                "./no-such-model".into(),
                "--out".into(),
                dir.join("o.npy").display().to_string(),
                "x".into(),
            ],
            "no such folder",
        ),
        (vec!["embed".into(), "--out".into(), nowhere.display().to_string(), "x".into()], "cannot write"),
        (vec!["embed".into(), "--out".into(), dir.display().to_string(), "x".into()], "is a folder"),
    ];
    for (args, want) in cases {
        let t = std::time::Instant::now();
        let a: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = rsn(&a);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{a:?} succeeded");
        assert!(err.contains(want), "{a:?}: expected `{want}` in: {err}");
        assert!(!err.contains("panicked"), "{a:?} panicked: {err}");
        assert!(t.elapsed().as_secs() < 20, "{a:?} took {:?}", t.elapsed());
    }
    // Durations with units are accepted.
    for t in ["0.5", "1500ms", "2s", "1m"] {
        let out = rsn(&["bench", "--workload", "gemm:16,16,16", "--timeout", t, "--json"]);
        assert!(out.status.success(), "--timeout {t}: {}", String::from_utf8_lossy(&out.stderr));
    }
}
