//! The CPU reference against Hugging Face goldens (tests/goldens, from scripts/make_goldens.py) and its
//! own invariants on synthetic checkpoints.

use rsn::nn::config::ModelConfig;
use rsn::nn::fetch::{ensure_for_tests, ModelId};
use rsn::nn::reference::{
    cosine_similarity, forward, mean_pool_normalize, relative_position_bucket, ReferenceError, MPNET_MAX_DISTANCE,
};
use rsn::nn::tokenize::Batch;
use rsn::nn::weights::EncoderWeights;
use rsn::nn::LoadedModel;
use std::path::Path;
use std::time::Instant;

mod nn_common;
use nn_common::{max_abs_diff, serialize, synthetic_tensors, tiny_config, TINY_BERT, TINY_MPNET};

/// Max |ref - golden| over real tokens, and over pooled sentence embeddings.
fn compare_with_golden(id: ModelId) -> Option<(f32, f32, LoadedModel)> {
    let dir = ensure_for_tests(id)?;
    let m = LoadedModel::load(&dir).unwrap();
    let g = nn_common::load_golden(id.dir_name());
    let batch = Batch {
        batch: g.batch,
        seq_len: g.seq_len,
        input_ids: g.input_ids.clone(),
        attention_mask: g.attention_mask.clone(),
        token_type_ids: g.token_type_ids.clone(),
        lengths: (0..g.batch)
            .map(|b| g.attention_mask[b * g.seq_len..(b + 1) * g.seq_len].iter().filter(|&&x| x == 1).count())
            .collect(),
        truncated: Vec::new(),
    };
    let t = Instant::now();
    let h = forward(&m.config, &m.weights, &batch).unwrap();
    eprintln!("{id}: reference forward B={} S={} in {:.3} s", g.batch, g.seq_len, t.elapsed().as_secs_f64());
    assert_eq!(h.hidden, g.hidden_size);
    let mut err = 0f32;
    for b in 0..g.batch {
        for s in 0..g.seq_len {
            if g.attention_mask[b * g.seq_len + s] == 0 {
                continue;
            }
            let at = (b * g.seq_len + s) * g.hidden_size;
            let want = &g.last_hidden_state[at..at + g.hidden_size];
            err = err.max(max_abs_diff(h.token(b, s), want));
        }
    }
    let emb = mean_pool_normalize(&h, &batch).unwrap();
    let emb_err = max_abs_diff(&emb, &g.sentence_embedding);
    eprintln!("{id}: max abs err on real tokens {err:.3e}, sentence embeddings {emb_err:.3e}");
    Some((err, emb_err, m))
}

#[test]
fn minilm_matches_transformers_within_1e_4() {
    let Some((err, emb_err, _)) = compare_with_golden(ModelId::MiniLm) else {
        return;
    };
    assert!(err <= 1e-4, "MiniLM last_hidden_state max abs err {err}");
    assert!(emb_err <= 1e-5, "MiniLM sentence embedding max abs err {emb_err}");
}

#[test]
fn mpnet_matches_transformers() {
    let Some((err, emb_err, _)) = compare_with_golden(ModelId::Mpnet) else {
        return;
    };
    assert!(err <= 1e-4, "MPNet last_hidden_state max abs err {err}");
    assert!(emb_err <= 1e-5, "MPNet sentence embedding max abs err {emb_err}");
}

#[test]
fn minilm_embeddings_rank_paraphrases_first() {
    let Some(dir) = ensure_for_tests(ModelId::MiniLm) else {
        return;
    };
    let m = LoadedModel::load(&dir).unwrap();
    let s = ["A man is playing a guitar.", "Someone plays an acoustic guitar.", "The stock market fell sharply today."];
    let e = m.embed_reference(&s).unwrap();
    let n = m.config.hidden_size;
    let (e0, e1, e2) = (&e[..n], &e[n..2 * n], &e[2 * n..]);
    let para = cosine_similarity(e0, e1);
    let unrelated = cosine_similarity(e0, e2);
    eprintln!("cosine: paraphrase {para:.4}, unrelated {unrelated:.4}");
    assert!(para > 0.5 && unrelated < 0.2, "paraphrase {para}, unrelated {unrelated}");
    assert!((cosine_similarity(e0, e0) - 1.0).abs() < 1e-6);
}

/// Times MiniLM at B=1, S=128 (prints; asserts only that it ran and is finite).
#[test]
fn minilm_b1_s128_timing() {
    let Some(dir) = ensure_for_tests(ModelId::MiniLm) else {
        return;
    };
    let m = LoadedModel::load(&dir).unwrap();
    let text = "stream ".repeat(126);
    let b = m.tokenizer.encode_batch(&[text.as_str()]).unwrap();
    assert_eq!(b.seq_len, 128);
    let t = Instant::now();
    let h = forward(&m.config, &m.weights, &b).unwrap();
    let first = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let h2 = forward(&m.config, &m.weights, &b).unwrap();
    let second = t.elapsed().as_secs_f64();
    eprintln!("MiniLM reference forward B=1 S=128: {first:.3} s, {second:.3} s");
    assert!(h.data.iter().all(|v| v.is_finite()));
    assert_eq!(h, h2, "the reference is deterministic");
}

fn tiny(json: &str, seed: u64) -> (ModelConfig, EncoderWeights) {
    let cfg = tiny_config(json);
    let bytes = serialize(&synthetic_tensors(&cfg, seed));
    let w = EncoderWeights::from_bytes(Path::new("tiny"), &bytes, &cfg).unwrap();
    (cfg, w)
}

/// A sentence's real-token outputs must not change when it is padded next to a longer one: the mask
/// has to exclude padding keys completely (and MPNet's positions must skip pads).
#[test]
fn padding_does_not_change_real_tokens() {
    for json in [TINY_BERT, TINY_MPNET] {
        let (cfg, w) = tiny(json, 11);
        let short = vec![2u32, 17, 33, 3];
        let long = vec![2u32, 9, 40, 41, 12, 5, 7, 3];
        let alone_batch = Batch::from_ids(std::slice::from_ref(&short), cfg.pad_token_id).unwrap();
        let alone = forward(&cfg, &w, &alone_batch).unwrap();
        let padded = Batch::from_ids(&[long, short.clone()], cfg.pad_token_id).unwrap();
        let both = forward(&cfg, &w, &padded).unwrap();
        for t in 0..short.len() {
            let d = max_abs_diff(alone.token(0, t), both.token(1, t));
            assert!(d < 1e-6, "{:?} token {t}: {d}", cfg.arch);
        }
        // Pooled embeddings are unit vectors over real tokens only.
        let e = mean_pool_normalize(&both, &padded).unwrap();
        let e_alone = mean_pool_normalize(&alone, &alone_batch).unwrap();
        assert!(max_abs_diff(&e[cfg.hidden_size..], &e_alone) < 1e-6);
        let norm: f32 = e[..cfg.hidden_size].iter().map(|v| v * v).sum();
        assert!((norm - 1.0).abs() < 1e-5);
    }
}

/// The MPNet relative bias really enters the scores, through the bucket the T5 rule assigns: editing a
/// bucket in use changes the output, editing one that 5 tokens never reach does not.
#[test]
fn mpnet_relative_bias_is_used() {
    let (cfg, w) = tiny(TINY_MPNET, 12);
    let b = Batch::from_ids(&[vec![0, 10, 11, 12, 2]], cfg.pad_token_id).unwrap();
    let h0 = forward(&cfg, &w, &b).unwrap();
    let mut w2 = w.clone();
    // Bucket 17 = key one position after the query.
    let rab = w2.relative_attention_bias.as_mut().unwrap();
    rab.data[17 * cfg.num_heads] += 1.0;
    let h1 = forward(&cfg, &w2, &b).unwrap();
    assert!(max_abs_diff(&h0.data, &h1.data) > 1e-4);
    // Bucket 31 is only reached at distance >= 128 (to the right): no effect on 5 tokens.
    let mut w3 = w.clone();
    w3.relative_attention_bias.as_mut().unwrap().data[31 * cfg.num_heads] += 5.0;
    assert_eq!(forward(&cfg, &w3, &b).unwrap(), h0);
}

#[test]
fn bad_batches_are_typed_errors() {
    let (cfg, w) = tiny(TINY_BERT, 13);
    let b = Batch::from_ids(&[vec![2, 50, 3]], 0).unwrap();
    assert_eq!(
        forward(&cfg, &w, &b).unwrap_err(),
        ReferenceError::TokenOutOfRange { row: 0, col: 1, id: 50, vocab: 50 }
    );
    let b = Batch::from_ids(&[vec![5; 25]], 0).unwrap();
    assert_eq!(forward(&cfg, &w, &b).unwrap_err(), ReferenceError::SeqTooLong { seq_len: 25, max: 24 });
    let mut b = Batch::from_ids(&[vec![2, 3], vec![4]], 0).unwrap();
    b.attention_mask[2] = 0;
    assert_eq!(forward(&cfg, &w, &b).unwrap_err(), ReferenceError::NoRealTokens { row: 1 });
    let mut b = Batch::from_ids(&[vec![2, 3]], 0).unwrap();
    b.token_type_ids[1] = 2;
    assert!(matches!(forward(&cfg, &w, &b), Err(ReferenceError::TokenTypeOutOfRange { id: 2, .. })));
    b.input_ids.pop();
    assert!(matches!(forward(&cfg, &w, &b), Err(ReferenceError::BatchShape(_))));
}

/// Reference timings for the report (`--ignored --nocapture`; slow for MPNet at S=512).
#[test]
#[ignore]
fn reference_timings() {
    for (id, lens) in [(ModelId::MiniLm, &[128usize, 512][..]), (ModelId::Mpnet, &[128, 512][..])] {
        let Some(dir) = ensure_for_tests(id) else {
            continue;
        };
        let t = Instant::now();
        rsn::nn::fetch::verify_model_dir(id, &dir).unwrap();
        eprintln!("{id}: sha256 verify {:.3} s", t.elapsed().as_secs_f64());
        let t = Instant::now();
        let m = LoadedModel::load(&dir).unwrap();
        eprintln!("{id}: load {:.3} s", t.elapsed().as_secs_f64());
        for &s in lens {
            let b = m.tokenizer.encode_batch(&["stream ".repeat(s - 2).as_str()]).unwrap();
            assert_eq!(b.seq_len, s);
            let t = Instant::now();
            forward(&m.config, &m.weights, &b).unwrap();
            eprintln!("{id}: forward B=1 S={s}: {:.3} s", t.elapsed().as_secs_f64());
        }
    }
}

/// The T5/MPNet bucketing agrees with transformers' `MPNetEncoder.relative_position_bucket` for every
/// relative position in -600..=600 (beyond both max_distance and the 512-token limit).
#[test]
fn relative_buckets_match_transformers() {
    let dir = nn_common::goldens_dir("all-mpnet-base-v2");
    let p = dir.join("relative_position_buckets.npy");
    let want = rsn::nn::npy::read(&p).unwrap().into_i64(&p).unwrap();
    assert_eq!(want.len(), 1201);
    for (i, &w) in want.iter().enumerate() {
        let rel = i as i64 - 600;
        let got = relative_position_bucket(rel, 32, MPNET_MAX_DISTANCE);
        assert_eq!(got as i64, w, "relative position {rel}");
    }
}

/// A 167-token sentence: MiniLM positions past 128, MPNet distances past max_distance.
fn check_long(id: ModelId) {
    let Some(dir) = ensure_for_tests(id) else {
        return;
    };
    let m = LoadedModel::load(&dir).unwrap();
    let g = nn_common::goldens_dir(id.dir_name());
    let meta: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(g.join("meta.json")).unwrap()).unwrap();
    let text = meta["long_sentence"].as_str().unwrap();
    let p = g.join("long_input_ids.npy");
    let ids = rsn::nn::npy::read(&p).unwrap().into_i64(&p).unwrap();
    let b = m.tokenizer.encode_batch(&[text]).unwrap();
    assert_eq!(b.input_ids.iter().map(|&x| i64::from(x)).collect::<Vec<_>>(), ids);
    assert!(b.seq_len > 128 + 32);
    let h = forward(&m.config, &m.weights, &b).unwrap();
    let p = g.join("long_hidden_slice.npy");
    let a = rsn::nn::npy::read(&p).unwrap();
    let k = a.shape[2];
    let want = a.into_f32(&p).unwrap();
    let got: Vec<f32> = (0..b.seq_len).flat_map(|t| h.token(0, t)[..k].to_vec()).collect();
    let err = max_abs_diff(&got, &want);
    let p = g.join("long_sentence_embedding.npy");
    let want_e = rsn::nn::npy::read(&p).unwrap().into_f32(&p).unwrap();
    let emb_err = max_abs_diff(&mean_pool_normalize(&h, &b).unwrap(), &want_e);
    eprintln!("{id}: S={} max abs err (first {k} features) {err:.3e}, embedding {emb_err:.3e}", b.seq_len);
    assert!(err <= 1e-4, "{id} long: {err}");
    assert!(emb_err <= 1e-5, "{id} long embedding: {emb_err}");
}

#[test]
fn minilm_long_sentence_matches_transformers() {
    check_long(ModelId::MiniLm);
}

#[test]
fn mpnet_long_sentence_matches_transformers() {
    check_long(ModelId::Mpnet);
}
