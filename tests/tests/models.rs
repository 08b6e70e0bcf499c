//! Real models end to end on every backend: MiniLM's last hidden state from the device against the
//! Hugging Face golden (tests/goldens), and padding that never changes results.

use rsn::nn::fetch::{ensure_for_tests, ModelId};
use rsn::nn::{npy, LoadedModel};
use rsn::runtime::DeviceEncoder;
use rsn_tests::{backends, open};
use std::path::Path;
use std::time::Duration;

fn golden(name: &str) -> (Vec<String>, Vec<usize>, Vec<f32>) {
    let d = Path::new(env!("CARGO_MANIFEST_DIR")).join("goldens").join(name);
    let meta: String = std::fs::read_to_string(d.join("meta.json")).unwrap();
    let sentences: Vec<String> = meta
        .split("\"sentences\": [")
        .nth(1)
        .and_then(|r| r.split(']').next())
        .unwrap()
        .split("\",")
        .map(|s| s.trim().trim_matches('"').to_string())
        .collect();
    let hp = d.join("last_hidden_state.npy");
    let h = npy::read(&hp).unwrap();
    let shape = h.shape.clone();
    (sentences, shape, h.into_f32(&hp).unwrap())
}

/// The device's last hidden state against the Hugging Face golden, on real tokens, every backend.
fn matches_golden(id: ModelId, sentences_expected: usize) {
    let Some(dir) = ensure_for_tests(id) else { return };
    let m = LoadedModel::load(&dir).unwrap();
    let (sentences, shape, want) = golden(id.dir_name());
    assert_eq!(sentences.len(), sentences_expected, "{sentences:?}");
    let refs: Vec<&str> = sentences.iter().map(|s| s.as_str()).collect();
    let batch = m.tokenizer.encode_batch(&refs).unwrap();
    assert_eq!([batch.batch, batch.seq_len, m.config.hidden_size], [shape[0], shape[1], shape[2]]);
    for kind in backends() {
        let dev = open(kind);
        let enc = DeviceEncoder::new(&dev, &m.config, &m.weights).unwrap();
        let run = enc.forward(&m.weights, &batch, Duration::from_secs(600)).unwrap();
        let h = m.config.hidden_size;
        let mut err = 0f32;
        for b in 0..batch.batch {
            for s in 0..batch.lengths[b] {
                let i = (b * batch.seq_len + s) * h;
                for c in 0..h {
                    err = err.max((run.hidden[i + c] - want[i + c]).abs());
                }
            }
        }
        eprintln!(
            "{kind}: {id} max abs error vs Hugging Face on real tokens: {err:.3e} ({} cycles)",
            run.report.cycles
        );
        assert!(err <= 1e-3, "{kind} {id}: {err}");
    }
}

#[test]
fn minilm_last_hidden_state_matches_hugging_face() {
    matches_golden(ModelId::MiniLm, 3);
}

#[test]
fn mpnet_last_hidden_state_matches_hugging_face() {
    matches_golden(ModelId::Mpnet, 2);
}

#[test]
fn padding_never_changes_real_tokens() {
    let Some(dir) = ensure_for_tests(ModelId::MiniLm) else { return };
    let m = LoadedModel::load(&dir).unwrap();
    let short = "Streams are the only synchronisation.";
    let long = "A much longer sentence forces the short one to be padded with many extra positions in the batch.";
    for kind in backends() {
        let dev = open(kind);
        let enc = DeviceEncoder::new(&dev, &m.config, &m.weights).unwrap();
        let alone = m.tokenizer.encode_batch(&[short]).unwrap();
        let both = m.tokenizer.encode_batch(&[short, long]).unwrap();
        assert!(both.seq_len > alone.seq_len + 5);
        let a = enc.forward(&m.weights, &alone, Duration::from_secs(600)).unwrap();
        let b = enc.forward(&m.weights, &both, Duration::from_secs(600)).unwrap();
        let h = m.config.hidden_size;
        for s in 0..alone.lengths[0] {
            for c in 0..h {
                let (x, y) = (a.hidden[s * h + c], b.hidden[s * h + c]);
                // Bit-identical up to the sign of zero (padded keys add +0 products).
                assert!(x == y, "{kind}: token {s} feature {c}: alone {x} vs padded {y}");
            }
        }
    }
}

#[test]
fn models_that_do_not_map_get_a_clear_error() {
    let Some(dir) = ensure_for_tests(ModelId::MiniLm) else { return };
    let m = LoadedModel::load(&dir).unwrap();
    let mut cfg = m.config.clone();
    cfg.hidden_size = 1040;
    let dev = open(rsn::device::BackendKind::Model);
    let e = DeviceEncoder::new(&dev, &cfg, &m.weights).err().expect("does not map");
    assert!(e.to_string().contains("hidden size 1040"), "{e}");
}
