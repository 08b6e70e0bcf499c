//! Tokenization matches Hugging Face `padding=True, truncation=True` (goldens from transformers), not the
//! fixed 128-token padding/truncation stored in tokenizer.json.

use rsn::nn::config::ModelConfig;
use rsn::nn::fetch::{ensure_for_tests, ModelId};
use rsn::nn::tokenize::{Batch, ModelTokenizer, TokenizeError};

mod nn_common;

fn tokenizer(id: ModelId) -> Option<ModelTokenizer> {
    let dir = ensure_for_tests(id)?;
    let cfg = ModelConfig::from_file(&dir.join("config.json")).unwrap();
    Some(ModelTokenizer::from_file(&dir.join("tokenizer.json"), &cfg).unwrap())
}

fn check_against_golden(id: ModelId) {
    let Some(tok) = tokenizer(id) else { return };
    let g = nn_common::load_golden(id.dir_name());
    let s: Vec<&str> = g.sentences.iter().map(String::as_str).collect();
    let b = tok.encode_batch(&s).unwrap();
    assert_eq!((b.batch, b.seq_len), (g.batch, g.seq_len));
    assert_eq!(b.input_ids, g.input_ids);
    assert_eq!(b.attention_mask, g.attention_mask);
    assert_eq!(b.token_type_ids, g.token_type_ids);
    // Padded to the longest sentence, not to tokenizer.json's fixed 128.
    assert!(b.seq_len < 128);
    assert_eq!(*b.lengths.iter().max().unwrap(), b.seq_len);
}

#[test]
fn minilm_batch_matches_transformers() {
    check_against_golden(ModelId::MiniLm);
}

#[test]
fn mpnet_batch_matches_transformers() {
    check_against_golden(ModelId::Mpnet);
}

fn check_truncation(id: ModelId) {
    let Some(tok) = tokenizer(id) else { return };
    let dir = nn_common::goldens_dir(id.dir_name());
    let meta: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("meta.json")).unwrap()).unwrap();
    let long = meta["truncation_text"].as_str().unwrap();
    let p = dir.join("truncation_input_ids.npy");
    let want = rsn::nn::npy::read(&p).unwrap().into_i64(&p).unwrap();
    let b = tok.encode_batch(&[long, "short"]).unwrap();
    assert_eq!(tok.max_len(), 512);
    assert_eq!(b.seq_len, 512, "truncated at the position limit, not at 128");
    let got: Vec<i64> = b.input_ids.iter().map(|&x| i64::from(x)).collect();
    assert_eq!(got, want);
    assert_eq!(b.lengths, vec![512, 3]);
}

#[test]
fn minilm_truncates_at_512_like_transformers() {
    check_truncation(ModelId::MiniLm);
}

#[test]
fn mpnet_truncates_at_512_like_transformers() {
    check_truncation(ModelId::Mpnet);
}

#[test]
fn padding_layout_and_mask() {
    let Some(tok) = tokenizer(ModelId::Mpnet) else {
        return;
    };
    let b = tok.encode_batch(&["a much longer sentence than the other one", "hi"]).unwrap();
    let short = tok.encode_one(1, "hi").unwrap();
    assert_eq!(short.len(), 3, "<s> hi </s>");
    assert_eq!(&b.row_ids(1)[..3], &short[..]);
    // MPNet pads with id 1, right side, mask 0 there.
    assert!(b.row_ids(1)[3..].iter().all(|&t| t == 1));
    assert!(b.row_mask(1)[3..].iter().all(|&m| m == 0));
    assert!(b.row_mask(0).iter().all(|&m| m == 1));
    // A single sentence is not padded at all.
    let one = tok.encode_batch(&["hi"]).unwrap();
    assert_eq!(one.seq_len, 3);
    assert!(matches!(tok.encode_batch(&[]), Err(TokenizeError::EmptyBatch)));
}

#[test]
fn batch_from_ids_pads_right() {
    let b = Batch::from_ids(&[vec![5, 6, 7], vec![8]], 0).unwrap();
    assert_eq!(b.seq_len, 3);
    assert_eq!(b.input_ids, vec![5, 6, 7, 8, 0, 0]);
    assert_eq!(b.attention_mask, vec![1, 1, 1, 1, 0, 0]);
    assert_eq!(b.token_type_ids, vec![0; 6]);
    assert_eq!(b.lengths, vec![3, 1]);
}

#[test]
fn bad_tokenizer_file_is_typed_error() {
    let d = nn_common::scratch("tok");
    let p = d.join("tokenizer.json");
    std::fs::write(&p, "{\"version\": \"1.0\", \"truncated").unwrap();
    let cfg = nn_common::tiny_config(nn_common::TINY_BERT);
    match ModelTokenizer::from_file(&p, &cfg) {
        Err(TokenizeError::Load { path, .. }) => assert_eq!(path, p),
        Err(e) => panic!("{e}"),
        Ok(_) => panic!("loaded a broken tokenizer"),
    }
    std::fs::remove_dir_all(&d).unwrap();
}
