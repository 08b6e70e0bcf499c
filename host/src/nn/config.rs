//! `config.json` of the two supported encoder families: BERT (`model_type: "bert"`, e.g. all-MiniLM-L6-v2)
//! and MPNet (`model_type: "mpnet"`, e.g. all-mpnet-base-v2).

use serde::Deserialize;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arch {
    /// Absolute positions from 0, token-type embeddings, post-LN.
    Bert,
    /// Positions start at `pad_token_id + 1`, no token types, a T5-style relative position bias shared by
    /// all layers and added to every head's attention scores.
    Mpnet,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ModelConfig {
    pub arch: Arch,
    pub vocab_size: usize,
    pub hidden_size: usize,
    pub num_layers: usize,
    pub num_heads: usize,
    pub intermediate_size: usize,
    pub max_position_embeddings: usize,
    /// 0 for MPNet (it has no token-type embedding).
    pub type_vocab_size: usize,
    pub layer_norm_eps: f64,
    pub pad_token_id: u32,
    /// MPNet only: number of relative-position buckets (32 in every published checkpoint).
    pub relative_attention_num_buckets: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{path}: invalid JSON: {source}")]
    Json { path: PathBuf, source: serde_json::Error },
    #[error("{path}: model_type {model_type:?} is not supported (supported: \"bert\", \"mpnet\")")]
    UnsupportedModelType { path: PathBuf, model_type: String },
    #[error("{path}: missing field {field:?} (required for model_type {model_type:?})")]
    MissingField { path: PathBuf, field: &'static str, model_type: String },
    #[error("{path}: {field} = {value}: {reason}")]
    Invalid { path: PathBuf, field: &'static str, value: String, reason: &'static str },
}

#[derive(Deserialize)]
struct RawConfig {
    model_type: Option<String>,
    vocab_size: Option<usize>,
    hidden_size: Option<usize>,
    num_hidden_layers: Option<usize>,
    num_attention_heads: Option<usize>,
    intermediate_size: Option<usize>,
    max_position_embeddings: Option<usize>,
    type_vocab_size: Option<usize>,
    layer_norm_eps: Option<f64>,
    pad_token_id: Option<u32>,
    hidden_act: Option<String>,
    position_embedding_type: Option<String>,
    relative_attention_num_buckets: Option<usize>,
}

impl ModelConfig {
    pub fn from_file(path: &Path) -> Result<Self, ConfigError> {
        let text = crate::files::read_text_bounded(path, crate::files::limits::SMALL_TEXT, "a config.json")
            .map_err(|source| ConfigError::Io { path: path.to_owned(), source })?;
        Self::from_json(path, &text)
    }

    /// Parses config text; `path` only labels errors.
    pub fn from_json(path: &Path, text: &str) -> Result<Self, ConfigError> {
        let raw: RawConfig =
            serde_json::from_str(text).map_err(|source| ConfigError::Json { path: path.to_owned(), source })?;
        let model_type = raw.model_type.clone().unwrap_or_default();
        let arch = match model_type.as_str() {
            "bert" => Arch::Bert,
            "mpnet" => Arch::Mpnet,
            _ => return Err(ConfigError::UnsupportedModelType { path: path.to_owned(), model_type }),
        };
        let need = |v: Option<usize>, field: &'static str| {
            v.ok_or_else(|| ConfigError::MissingField { path: path.to_owned(), field, model_type: model_type.clone() })
        };
        let invalid = |field: &'static str, value: String, reason: &'static str| {
            Err(ConfigError::Invalid { path: path.to_owned(), field, value, reason })
        };

        let hidden_size = need(raw.hidden_size, "hidden_size")?;
        let num_heads = need(raw.num_attention_heads, "num_attention_heads")?;
        let cfg = ModelConfig {
            arch,
            vocab_size: need(raw.vocab_size, "vocab_size")?,
            hidden_size,
            num_layers: need(raw.num_hidden_layers, "num_hidden_layers")?,
            num_heads,
            intermediate_size: need(raw.intermediate_size, "intermediate_size")?,
            max_position_embeddings: need(raw.max_position_embeddings, "max_position_embeddings")?,
            type_vocab_size: match arch {
                Arch::Bert => raw.type_vocab_size.unwrap_or(2),
                Arch::Mpnet => 0,
            },
            // Transformers' defaults when the field is absent.
            layer_norm_eps: raw.layer_norm_eps.unwrap_or(match arch {
                Arch::Bert => 1e-12,
                Arch::Mpnet => 1e-5,
            }),
            pad_token_id: raw.pad_token_id.unwrap_or(match arch {
                Arch::Bert => 0,
                Arch::Mpnet => 1,
            }),
            relative_attention_num_buckets: match arch {
                Arch::Bert => 0,
                Arch::Mpnet => raw.relative_attention_num_buckets.unwrap_or(32),
            },
        };

        // "gelu" in transformers is the exact erf form, which is what the reference implements.
        let act = raw.hidden_act.as_deref().unwrap_or("gelu");
        if act != "gelu" {
            return invalid("hidden_act", act.to_string(), "only \"gelu\" (erf form) is implemented");
        }
        if let Some(pe) = raw.position_embedding_type.as_deref() {
            if pe != "absolute" {
                return invalid("position_embedding_type", pe.to_string(), "only \"absolute\" is implemented");
            }
        }
        for (field, v) in [
            ("hidden_size", cfg.hidden_size),
            ("num_attention_heads", cfg.num_heads),
            ("num_hidden_layers", cfg.num_layers),
            ("intermediate_size", cfg.intermediate_size),
            ("vocab_size", cfg.vocab_size),
        ] {
            if v == 0 {
                return invalid(field, "0".into(), "must be positive");
            }
        }
        if hidden_size % num_heads != 0 {
            return invalid("num_attention_heads", num_heads.to_string(), "must divide hidden_size");
        }
        if cfg.arch == Arch::Bert && cfg.type_vocab_size == 0 {
            return invalid("type_vocab_size", "0".into(), "BERT needs at least one token type");
        }
        if cfg.arch == Arch::Mpnet && (cfg.relative_attention_num_buckets < 4) {
            return invalid(
                "relative_attention_num_buckets",
                cfg.relative_attention_num_buckets.to_string(),
                "must be at least 4",
            );
        }
        if cfg.max_tokens() == 0 {
            return invalid(
                "max_position_embeddings",
                cfg.max_position_embeddings.to_string(),
                "leaves no room for any token",
            );
        }
        if (cfg.pad_token_id as usize) >= cfg.vocab_size {
            return invalid("pad_token_id", cfg.pad_token_id.to_string(), "outside the vocabulary");
        }
        Ok(cfg)
    }

    pub fn head_dim(&self) -> usize {
        self.hidden_size / self.num_heads
    }

    /// Longest sequence (special tokens included) the position table can index.
    ///
    /// MPNet numbers positions from `pad_token_id + 1` (RoBERTa style), so its table has that many
    /// unusable rows at the front: 514 rows give 512 tokens.
    pub fn max_tokens(&self) -> usize {
        match self.arch {
            Arch::Bert => self.max_position_embeddings,
            Arch::Mpnet => self.max_position_embeddings.saturating_sub(self.pad_token_id as usize + 1),
        }
    }
}
