//! Independent CPU FP32 forward pass of BERT and MPNet encoders (Hugging Face semantics, eval mode).
//!
//! Deliberately plain: row-by-row loops over PyTorch-layout weights, f32 storage and arithmetic (LayerNorm
//! statistics and GELU in f64), rayon only across independent rows. It shares nothing with the accelerator
//! compiler so that it can judge it; keep it that way.

use super::config::{Arch, ModelConfig};
use super::tokenize::Batch;
use super::weights::{EncoderWeights, LayerNormW, Linear};
use rayon::prelude::*;

/// Last hidden state, row-major `[batch, seq_len, hidden]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Hidden {
    pub batch: usize,
    pub seq_len: usize,
    pub hidden: usize,
    pub data: Vec<f32>,
}

impl Hidden {
    /// Hidden vector of token `t` of sentence `b`.
    pub fn token(&self, b: usize, t: usize) -> &[f32] {
        let at = (b * self.seq_len + t) * self.hidden;
        &self.data[at..at + self.hidden]
    }
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ReferenceError {
    #[error("sequence length {seq_len} exceeds the model's {max} positions")]
    SeqTooLong { seq_len: usize, max: usize },
    #[error("sentence {row}, token {col}: id {id} outside vocabulary of {vocab}")]
    TokenOutOfRange { row: usize, col: usize, id: u32, vocab: usize },
    #[error("sentence {row}, token {col}: token type {id} outside the {types} token types")]
    TokenTypeOutOfRange { row: usize, col: usize, id: u32, types: usize },
    #[error("sentence {row} has no real token (attention mask all zero)")]
    NoRealTokens { row: usize },
    #[error("batch is malformed: {0}")]
    BatchShape(String),
    #[error("weights do not match config: {0}")]
    WeightsMismatch(String),
}

/// Runs the encoder and returns the last hidden state.
pub fn forward(cfg: &ModelConfig, w: &EncoderWeights, batch: &Batch) -> Result<Hidden, ReferenceError> {
    check_inputs(cfg, w, batch)?;
    let (b, s, h) = (batch.batch, batch.seq_len, cfg.hidden_size);
    let mut x = embed(cfg, w, batch);
    let bias = match cfg.arch {
        Arch::Mpnet => Some(relative_bias_table(cfg, w, s)?),
        Arch::Bert => None,
    };
    let eps = cfg.layer_norm_eps;
    for layer in &w.layers {
        let q = linear(&x, &layer.q);
        let k = linear(&x, &layer.k);
        let v = linear(&x, &layer.v);
        let ctx = attention(cfg, batch, &q, &k, &v, bias.as_deref());
        let mut a = linear(&ctx, &layer.o);
        add_in_place(&mut a, &x);
        layer_norm_in_place(&mut a, &layer.attn_ln, eps);
        let mut f = linear(&a, &layer.ffn_in);
        f.par_iter_mut().for_each(|v| *v = gelu(*v));
        let mut y = linear(&f, &layer.ffn_out);
        add_in_place(&mut y, &a);
        layer_norm_in_place(&mut y, &layer.out_ln, eps);
        x = y;
    }
    debug_assert_eq!(x.len(), b * s * h);
    Ok(Hidden { batch: b, seq_len: s, hidden: h, data: x })
}

fn check_inputs(cfg: &ModelConfig, w: &EncoderWeights, batch: &Batch) -> Result<(), ReferenceError> {
    let n = batch.batch * batch.seq_len;
    if batch.batch == 0 || batch.seq_len == 0 {
        return Err(ReferenceError::BatchShape(format!("empty batch ({} x {})", batch.batch, batch.seq_len)));
    }
    for (what, len) in [
        ("input_ids", batch.input_ids.len()),
        ("attention_mask", batch.attention_mask.len()),
        ("token_type_ids", batch.token_type_ids.len()),
    ] {
        if len != n {
            return Err(ReferenceError::BatchShape(format!(
                "{what} has {len} entries, expected {} x {} = {n}",
                batch.batch, batch.seq_len
            )));
        }
    }
    if batch.seq_len > cfg.max_tokens() {
        return Err(ReferenceError::SeqTooLong { seq_len: batch.seq_len, max: cfg.max_tokens() });
    }
    if w.layers.len() != cfg.num_layers {
        return Err(ReferenceError::WeightsMismatch(format!(
            "{} layers loaded, config has {}",
            w.layers.len(),
            cfg.num_layers
        )));
    }
    if w.word_embeddings.shape != [cfg.vocab_size, cfg.hidden_size] {
        return Err(ReferenceError::WeightsMismatch(format!(
            "word embeddings {:?}, config implies [{}, {}]",
            w.word_embeddings.shape, cfg.vocab_size, cfg.hidden_size
        )));
    }
    for row in 0..batch.batch {
        let mask = batch.row_mask(row);
        if mask.iter().all(|&m| m == 0) {
            return Err(ReferenceError::NoRealTokens { row });
        }
        for col in 0..batch.seq_len {
            let id = batch.input_ids[row * batch.seq_len + col];
            if id as usize >= cfg.vocab_size {
                return Err(ReferenceError::TokenOutOfRange { row, col, id, vocab: cfg.vocab_size });
            }
            let tt = batch.token_type_ids[row * batch.seq_len + col];
            let types = cfg.type_vocab_size.max(1);
            if tt as usize >= types {
                return Err(ReferenceError::TokenTypeOutOfRange { row, col, id: tt, types });
            }
        }
    }
    Ok(())
}

/// Position index of every token, as Hugging Face computes it.
fn position_ids(cfg: &ModelConfig, batch: &Batch) -> Vec<usize> {
    let mut pos = Vec::with_capacity(batch.batch * batch.seq_len);
    for row in 0..batch.batch {
        match cfg.arch {
            // BERT's position_ids buffer is a plain arange, whatever the padding.
            Arch::Bert => pos.extend(0..batch.seq_len),
            // RoBERTa/MPNet style: non-pad tokens count up from pad+1, pad tokens sit at position pad.
            Arch::Mpnet => {
                let pad = cfg.pad_token_id as usize;
                let mut seen = 0;
                for &id in batch.row_ids(row) {
                    if id as usize == pad {
                        pos.push(pad);
                    } else {
                        seen += 1;
                        pos.push(pad + seen);
                    }
                }
            }
        }
    }
    pos
}

fn embed(cfg: &ModelConfig, w: &EncoderWeights, batch: &Batch) -> Vec<f32> {
    let h = cfg.hidden_size;
    let pos = position_ids(cfg, batch);
    let mut x = vec![0f32; batch.batch * batch.seq_len * h];
    x.par_chunks_mut(h).enumerate().for_each(|(i, out)| {
        let id = batch.input_ids[i] as usize;
        let word = &w.word_embeddings.data[id * h..(id + 1) * h];
        let p = pos[i];
        let posv = &w.position_embeddings.data[p * h..(p + 1) * h];
        // Same summation order as transformers: (word + token_type) + position.
        match &w.token_type_embeddings {
            Some(tt) => {
                let t = batch.token_type_ids[i] as usize;
                let ttv = &tt.data[t * h..(t + 1) * h];
                for j in 0..h {
                    out[j] = (word[j] + ttv[j]) + posv[j];
                }
            }
            None => {
                for j in 0..h {
                    out[j] = word[j] + posv[j];
                }
            }
        }
    });
    layer_norm_in_place(&mut x, &w.embeddings_ln, cfg.layer_norm_eps);
    x
}

/// Dot product with eight independent partial sums, so that the compiler can vectorise it.
fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut acc = [0f32; 8];
    let ca = a.chunks_exact(8);
    let cb = b.chunks_exact(8);
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        for l in 0..8 {
            acc[l] += x[l] * y[l];
        }
    }
    let mut tail = 0f32;
    for (x, y) in ra.iter().zip(rb) {
        tail += x * y;
    }
    ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7])) + tail
}

/// Rows of `x` that share one pass over the weights in [`linear`].
const ROW_TILE: usize = 8;

/// `y[r, o] = b[o] + x[r, :] · W[o, :]` for every row of `x`.
///
/// Rows go in tiles of [`ROW_TILE`] so that each weight row, once in L1, serves several rows instead
/// of the whole matrix streaming from memory per row; every output is still one [`dot`].
fn linear(x: &[f32], lin: &Linear) -> Vec<f32> {
    let (out_f, in_f) = (lin.out_features(), lin.in_features());
    let rows = x.len() / in_f;
    let mut y = vec![0f32; rows * out_f];
    y.par_chunks_mut(out_f * ROW_TILE).zip(x.par_chunks(in_f * ROW_TILE)).for_each(|(yt, xt)| {
        for o in 0..out_f {
            let w = &lin.weight.data[o * in_f..(o + 1) * in_f];
            let b = lin.bias.data[o];
            for (yr, xr) in yt.chunks_mut(out_f).zip(xt.chunks(in_f)) {
                yr[o] = dot(xr, w) + b;
            }
        }
    });
    y
}

fn add_in_place(a: &mut [f32], b: &[f32]) {
    a.iter_mut().zip(b).for_each(|(x, y)| *x += *y);
}

fn layer_norm_in_place(x: &mut [f32], ln: &LayerNormW, eps: f64) {
    let h = ln.gamma.data.len();
    x.par_chunks_mut(h).for_each(|row| {
        let n = h as f64;
        let mean = row.iter().map(|&v| f64::from(v)).sum::<f64>() / n;
        let var = row
            .iter()
            .map(|&v| {
                let d = f64::from(v) - mean;
                d * d
            })
            .sum::<f64>()
            / n;
        let inv = 1.0 / (var + eps).sqrt();
        for (j, v) in row.iter_mut().enumerate() {
            let norm = ((f64::from(*v) - mean) * inv) as f32;
            *v = norm * ln.gamma.data[j] + ln.beta.data[j];
        }
    });
}

/// Multi-head self-attention over `[batch*seq, hidden]` projections; padding keys are excluded from the
/// softmax (Hugging Face adds the most negative f32 to them, which underflows to the same zero weight).
fn attention(cfg: &ModelConfig, batch: &Batch, q: &[f32], k: &[f32], v: &[f32], bias: Option<&[f32]>) -> Vec<f32> {
    let (s, h, nh, d) = (batch.seq_len, cfg.hidden_size, cfg.num_heads, cfg.head_dim());
    let scale = 1.0 / (d as f32).sqrt();
    let mut ctx = vec![0f32; batch.batch * s * h];
    // One task per (sentence, query token): every task writes its own output row.
    ctx.par_chunks_mut(h).enumerate().for_each(|(row, out)| {
        let (bi, i) = (row / s, row % s);
        let mask = batch.row_mask(bi);
        let base = bi * s;
        let mut scores = vec![0f32; s];
        for head in 0..nh {
            let off = head * d;
            let qi = &q[row * h + off..row * h + off + d];
            let mut max = f32::NEG_INFINITY;
            for j in 0..s {
                if mask[j] == 0 {
                    continue;
                }
                let kj = &k[(base + j) * h + off..(base + j) * h + off + d];
                let mut sc = dot(qi, kj) * scale;
                if let Some(bias) = bias {
                    sc += bias[(head * s + i) * s + j];
                }
                scores[j] = sc;
                max = max.max(sc);
            }
            let mut sum = 0f32;
            for j in 0..s {
                if mask[j] != 0 {
                    let e = (scores[j] - max).exp();
                    scores[j] = e;
                    sum += e;
                }
            }
            let o = &mut out[off..off + d];
            o.fill(0.0);
            for j in 0..s {
                if mask[j] == 0 {
                    continue;
                }
                let p = scores[j] / sum;
                let vj = &v[(base + j) * h + off..(base + j) * h + off + d];
                for (oo, vv) in o.iter_mut().zip(vj) {
                    *oo += p * vv;
                }
            }
        }
    });
    ctx
}

/// T5/MPNet bidirectional relative-position bucket for `relative = key_pos - query_pos`.
///
/// Half the buckets serve keys after the query, half keys at or before it. Within a half, distances
/// below `num_buckets / 4` get a bucket each; larger ones share logarithmically spaced buckets up to
/// `max_distance`, beyond which everything falls in the last bucket. The log is taken in f32, as
/// PyTorch does, so that bucket edges agree exactly.
pub fn relative_position_bucket(relative: i64, num_buckets: usize, max_distance: usize) -> usize {
    let half = (num_buckets / 2) as i64;
    let n = -relative;
    let mut bucket = if n < 0 { half } else { 0 };
    let n = n.abs();
    let max_exact = half / 2;
    if n < max_exact {
        bucket += n;
    } else {
        let ratio = (n as f32 / max_exact as f32).ln() / ((max_distance as f64 / max_exact as f64).ln() as f32);
        let large = max_exact + (ratio * (half - max_exact) as f32) as i64;
        bucket += large.min(half - 1);
    }
    bucket as usize
}

/// Maximum distance the published MPNet bucketing distinguishes.
pub const MPNET_MAX_DISTANCE: usize = 128;

/// `[heads, seq, seq]` additive bias. MPNet's encoder computes it from the plain token index
/// (0..seq), not from the padding-aware position ids.
fn relative_bias_table(cfg: &ModelConfig, w: &EncoderWeights, s: usize) -> Result<Vec<f32>, ReferenceError> {
    let table = w
        .relative_attention_bias
        .as_ref()
        .ok_or_else(|| ReferenceError::WeightsMismatch("MPNet weights without relative_attention_bias".into()))?;
    let (nb, nh) = (cfg.relative_attention_num_buckets, cfg.num_heads);
    if table.shape != [nb, nh] {
        return Err(ReferenceError::WeightsMismatch(format!(
            "relative_attention_bias {:?}, config implies [{nb}, {nh}]",
            table.shape
        )));
    }
    let mut bias = vec![0f32; nh * s * s];
    for i in 0..s {
        for j in 0..s {
            let bucket = relative_position_bucket(j as i64 - i as i64, nb, MPNET_MAX_DISTANCE);
            for head in 0..nh {
                bias[(head * s + i) * s + j] = table.data[bucket * nh + head];
            }
        }
    }
    Ok(bias)
}

/// Exact (erf) GELU, evaluated in f64.
pub fn gelu(x: f32) -> f32 {
    let x = f64::from(x);
    (0.5 * x * (1.0 + erf(x * std::f64::consts::FRAC_1_SQRT_2))) as f32
}

/// Error function to about 1e-15 relative: Maclaurin series below |x| = 2, where it converges quickly
/// and its alternating terms stay small; above, erfc's continued fraction (Laplace), which converges
/// fast there and keeps erfc's relative accuracy.
pub fn erf(x: f64) -> f64 {
    if x.is_nan() {
        return x;
    }
    let ax = x.abs();
    let r = if ax < 2.0 {
        let x2 = ax * ax;
        let mut term = ax; // (-1)^n x^(2n+1) / n!
        let mut sum = 0.0;
        let mut n = 0u32;
        loop {
            let c = term / f64::from(2 * n + 1);
            sum += c;
            if c.abs() <= 1e-17 * sum.abs() || n > 60 {
                break;
            }
            n += 1;
            term *= -x2 / f64::from(n);
        }
        std::f64::consts::FRAC_2_SQRT_PI * sum
    } else {
        1.0 - erfc_cf(ax)
    };
    if x < 0.0 {
        -r
    } else {
        r
    }
}

/// erfc(x) for x >= 2: exp(-x²)/√π / (x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))), summed from the tail.
fn erfc_cf(x: f64) -> f64 {
    let mut t = x;
    for n in (1..=64).rev() {
        t = x + f64::from(n) * 0.5 / t;
    }
    (-x * x).exp() / std::f64::consts::PI.sqrt() / t
}

/// Sentence embeddings as sentence-transformers computes them for these models: mean of the last hidden
/// state over real tokens (attention mask 1), then L2-normalised. Returns `[batch, hidden]` row-major.
pub fn mean_pool_normalize(hidden: &Hidden, batch: &Batch) -> Result<Vec<f32>, ReferenceError> {
    if hidden.batch != batch.batch || hidden.seq_len != batch.seq_len {
        return Err(ReferenceError::BatchShape(format!(
            "hidden state is {} x {}, batch is {} x {}",
            hidden.batch, hidden.seq_len, batch.batch, batch.seq_len
        )));
    }
    let h = hidden.hidden;
    let mut out = vec![0f32; batch.batch * h];
    for (b, o) in out.chunks_mut(h).enumerate() {
        let mask = batch.row_mask(b);
        let count = mask.iter().filter(|&&m| m != 0).count();
        if count == 0 {
            return Err(ReferenceError::NoRealTokens { row: b });
        }
        for (t, _) in mask.iter().enumerate().filter(|(_, &m)| m != 0) {
            add_in_place(o, hidden.token(b, t));
        }
        let inv = 1.0 / count as f32;
        o.iter_mut().for_each(|v| *v *= inv);
        let norm = o.iter().map(|v| v * v).sum::<f32>().sqrt().max(1e-12);
        o.iter_mut().for_each(|v| *v /= norm);
    }
    Ok(out)
}

/// Cosine similarity; 0 when either vector is all zeros.
pub fn cosine_similarity(a: &[f32], b: &[f32]) -> f32 {
    let ab: f64 = a.iter().zip(b).map(|(x, y)| f64::from(*x) * f64::from(*y)).sum();
    let aa: f64 = a.iter().map(|x| f64::from(*x).powi(2)).sum();
    let bb: f64 = b.iter().map(|x| f64::from(*x).powi(2)).sum();
    if aa == 0.0 || bb == 0.0 {
        return 0.0;
    }
    (ab / (aa.sqrt() * bb.sqrt())) as f32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn erf_matches_known_values() {
        // High-precision values of erf (e.g. from mpmath).
        let cases = [
            (0.0, 0.0),
            (0.1, 0.112_462_916_018_284_9),
            (0.5, 0.520_499_877_813_046_5),
            (1.0, 0.842_700_792_949_714_9),
            (1.5, 0.966_105_146_475_310_7),
            (2.0, 0.995_322_265_018_952_7),
            (3.0, 0.999_977_909_503_001_4),
            (-1.0, -0.842_700_792_949_714_9),
        ];
        for (x, want) in cases {
            let got = erf(x);
            assert!((got - want).abs() < 1e-15, "erf({x}) = {got}, want {want}");
        }
        assert!((erfc_cf(3.0) - 2.209_049_699_858_544e-5).abs() < 1e-19);
        assert_eq!(erf(40.0), 1.0);
        assert_eq!(erf(f64::INFINITY), 1.0);
        assert!(erf(f64::NAN).is_nan());
    }

    #[test]
    fn gelu_shape() {
        assert_eq!(gelu(0.0), 0.0);
        assert!((gelu(1.0) - 0.841_344_7).abs() < 1e-6);
        assert!((gelu(-1.0) + 0.158_655_26).abs() < 1e-6);
        assert!(gelu(-10.0).abs() < 1e-20);
    }

    #[test]
    fn buckets_follow_the_t5_definition() {
        let b = |r| relative_position_bucket(r, 32, 128);
        // Exact buckets for |distance| < 8; keys before the query use the low half.
        for d in 0..8 {
            assert_eq!(b(-d), d as usize);
        }
        for d in 1..8 {
            assert_eq!(b(d), 16 + d as usize);
        }
        // Log buckets: 8 + floor(8 * log(n/8) / log(16)).
        assert_eq!(b(-8), 8);
        assert_eq!(b(-15), 9);
        assert_eq!(b(-16), 10);
        assert_eq!(b(-32), 12);
        assert_eq!(b(-64), 14);
        assert_eq!(b(-127), 15);
        assert_eq!(b(-1000), 15);
        assert_eq!(b(16), 26);
        assert_eq!(b(1000), 31);
    }

    #[test]
    fn cosine_basics() {
        assert!((cosine_similarity(&[1.0, 0.0], &[1.0, 0.0]) - 1.0).abs() < 1e-7);
        assert!(cosine_similarity(&[1.0, 0.0], &[0.0, 1.0]).abs() < 1e-7);
        assert_eq!(cosine_similarity(&[0.0, 0.0], &[1.0, 1.0]), 0.0);
    }
}
