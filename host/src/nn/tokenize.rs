//! Hugging Face tokenization with `padding=True, truncation=True` semantics.
//!
//! Both published `tokenizer.json` files carry fixed padding to 128 and truncation at 128; Python
//! transformers overrides those, the Rust crate would silently apply them. We switch padding off,
//! truncate only at the model's position limit, and pad the batch to its longest sentence ourselves.

use super::config::ModelConfig;
use std::path::{Path, PathBuf};
use tokenizers::{Tokenizer, TruncationDirection, TruncationParams, TruncationStrategy};

#[derive(Debug, thiserror::Error)]
pub enum TokenizeError {
    #[error("{path}: cannot load tokenizer: {reason}")]
    Load { path: PathBuf, reason: String },
    #[error("{path}: tokenizer pads with id {tokenizer}, config.json says pad_token_id {config}")]
    PadMismatch { path: PathBuf, tokenizer: u32, config: u32 },
    #[error("cannot tokenize an empty batch")]
    EmptyBatch,
    #[error("sentence {index}: {reason}")]
    Encode { index: usize, reason: String },
    #[error("cannot set truncation to {max_len} tokens: {reason}")]
    Truncation { max_len: usize, reason: String },
}

/// A right-padded batch, row-major `[batch, seq_len]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Batch {
    pub batch: usize,
    pub seq_len: usize,
    pub input_ids: Vec<u32>,
    /// 1 for real tokens (special tokens included), 0 for padding.
    pub attention_mask: Vec<u32>,
    pub token_type_ids: Vec<u32>,
    /// Real tokens per sentence (special tokens included).
    pub lengths: Vec<usize>,
    /// Sentences cut at the model's position limit (indices into the batch).
    pub truncated: Vec<usize>,
}

impl Batch {
    /// Builds a batch from per-sentence ids (already with special tokens), padding with `pad_id`.
    pub fn from_ids(rows: &[Vec<u32>], pad_id: u32) -> Result<Self, TokenizeError> {
        if rows.is_empty() {
            return Err(TokenizeError::EmptyBatch);
        }
        let seq_len = rows.iter().map(Vec::len).max().unwrap_or(0);
        let mut b = Batch {
            batch: rows.len(),
            seq_len,
            input_ids: Vec::with_capacity(rows.len() * seq_len),
            attention_mask: Vec::with_capacity(rows.len() * seq_len),
            token_type_ids: vec![0; rows.len() * seq_len],
            lengths: Vec::with_capacity(rows.len()),
            truncated: Vec::new(),
        };
        for r in rows {
            let end = b.input_ids.len() + seq_len;
            b.input_ids.extend_from_slice(r);
            b.input_ids.resize(end, pad_id);
            b.attention_mask.resize(end - seq_len + r.len(), 1);
            b.attention_mask.resize(end, 0);
            b.lengths.push(r.len());
        }
        Ok(b)
    }

    pub fn row_ids(&self, i: usize) -> &[u32] {
        &self.input_ids[i * self.seq_len..(i + 1) * self.seq_len]
    }

    pub fn row_mask(&self, i: usize) -> &[u32] {
        &self.attention_mask[i * self.seq_len..(i + 1) * self.seq_len]
    }
}

pub struct ModelTokenizer {
    tokenizer: Tokenizer,
    pad_id: u32,
    max_len: usize,
}

impl ModelTokenizer {
    /// Loads `tokenizer.json` for the model described by `cfg`; truncates at `cfg.max_tokens()`.
    pub fn from_file(path: &Path, cfg: &ModelConfig) -> Result<Self, TokenizeError> {
        let bytes = crate::files::read_bounded(path, crate::files::limits::TOKENIZER, "a tokenizer.json")
            .map_err(|e| TokenizeError::Load { path: path.to_owned(), reason: e.to_string() })?;
        let mut tokenizer = Tokenizer::from_bytes(&bytes)
            .map_err(|e| TokenizeError::Load { path: path.to_owned(), reason: e.to_string() })?;
        if let Some(p) = tokenizer.get_padding() {
            if p.pad_id != cfg.pad_token_id {
                return Err(TokenizeError::PadMismatch {
                    path: path.to_owned(),
                    tokenizer: p.pad_id,
                    config: cfg.pad_token_id,
                });
            }
        }
        tokenizer.with_padding(None);
        let max_len = cfg.max_tokens();
        tokenizer
            .with_truncation(Some(TruncationParams {
                direction: TruncationDirection::Right,
                max_length: max_len,
                strategy: TruncationStrategy::LongestFirst,
                stride: 0,
            }))
            .map_err(|e| TokenizeError::Truncation { max_len, reason: e.to_string() })?;
        Ok(Self { tokenizer, pad_id: cfg.pad_token_id, max_len })
    }

    pub fn pad_id(&self) -> u32 {
        self.pad_id
    }

    /// Longest sequence produced, special tokens included.
    pub fn max_len(&self) -> usize {
        self.max_len
    }

    /// Tokenizes one sentence with special tokens, truncated to [`Self::max_len`].
    pub fn encode_one(&self, index: usize, text: &str) -> Result<Vec<u32>, TokenizeError> {
        let enc =
            self.tokenizer.encode(text, true).map_err(|e| TokenizeError::Encode { index, reason: e.to_string() })?;
        Ok(enc.get_ids().to_vec())
    }

    /// Tokenizes and right-pads a batch to its longest sentence.
    pub fn encode_batch(&self, sentences: &[&str]) -> Result<Batch, TokenizeError> {
        let mut rows = Vec::with_capacity(sentences.len());
        let mut types = Vec::with_capacity(sentences.len());
        let mut truncated = Vec::new();
        for (i, s) in sentences.iter().enumerate() {
            let enc = self
                .tokenizer
                .encode(*s, true)
                .map_err(|e| TokenizeError::Encode { index: i, reason: e.to_string() })?;
            // The tokenizer keeps what truncation cut off as overflowing encodings.
            if !enc.get_overflowing().is_empty() {
                truncated.push(i);
            }
            rows.push(enc.get_ids().to_vec());
            types.push(enc.get_type_ids().to_vec());
        }
        let mut batch = Batch::from_ids(&rows, self.pad_id)?;
        batch.truncated = truncated;
        for (i, t) in types.iter().enumerate() {
            let s = batch.seq_len;
            batch.token_type_ids[i * s..i * s + t.len()].copy_from_slice(t);
        }
        Ok(batch)
    }
}
