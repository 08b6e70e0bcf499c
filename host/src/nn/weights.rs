//! `model.safetensors` → typed f32 tensors, with every tensor's name, dtype and shape checked against the
//! config before anything runs.
//!
//! Linear weights keep PyTorch's `[out_features, in_features]` layout: `y = x · Wᵀ + b`.

use super::config::{Arch, ModelConfig};
use safetensors::{Dtype, SafeTensors};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq)]
pub struct Tensor {
    pub shape: Vec<usize>,
    pub data: Vec<f32>,
}

#[derive(Debug, Clone)]
pub struct Linear {
    /// `[out, in]`.
    pub weight: Tensor,
    /// `[out]`.
    pub bias: Tensor,
}

impl Linear {
    pub fn out_features(&self) -> usize {
        self.weight.shape[0]
    }
    pub fn in_features(&self) -> usize {
        self.weight.shape[1]
    }
}

#[derive(Debug, Clone)]
pub struct LayerNormW {
    pub gamma: Tensor,
    pub beta: Tensor,
}

#[derive(Debug, Clone)]
pub struct LayerWeights {
    pub q: Linear,
    pub k: Linear,
    pub v: Linear,
    /// Attention output projection.
    pub o: Linear,
    pub attn_ln: LayerNormW,
    /// FFN up-projection (hidden → intermediate).
    pub ffn_in: Linear,
    /// FFN down-projection (intermediate → hidden).
    pub ffn_out: Linear,
    pub out_ln: LayerNormW,
}

#[derive(Debug, Clone)]
pub struct EncoderWeights {
    /// `[vocab, hidden]`.
    pub word_embeddings: Tensor,
    /// `[max_position_embeddings, hidden]`.
    pub position_embeddings: Tensor,
    /// BERT only: `[type_vocab, hidden]`.
    pub token_type_embeddings: Option<Tensor>,
    pub embeddings_ln: LayerNormW,
    pub layers: Vec<LayerWeights>,
    /// MPNet only: `[num_buckets, num_heads]`, shared by all layers.
    pub relative_attention_bias: Option<Tensor>,
}

#[derive(Debug, thiserror::Error)]
pub enum WeightsError {
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{path}: not a valid safetensors file (truncated or corrupt?): {reason}")]
    Format { path: PathBuf, reason: String },
    #[error("{path}: missing tensor(s): {}", names.join(", "))]
    MissingTensors { path: PathBuf, names: Vec<String> },
    #[error("{path}: tensor {name:?} has shape {actual:?}, config.json implies {expected:?}")]
    Shape { path: PathBuf, name: String, expected: Vec<usize>, actual: Vec<usize> },
    #[error("{path}: tensor {name:?} has dtype {actual}, expected {expected}")]
    Dtype { path: PathBuf, name: String, expected: &'static str, actual: String },
    #[error("{path}: unexpected tensor {name:?} (not part of a {arch:?} encoder)")]
    Unexpected { path: PathBuf, name: String, arch: Arch },
}

/// What a checkpoint for `cfg` must hold, and what it may hold besides.
struct Expected {
    /// Tensors the forward pass uses; all must be present as F32.
    used: BTreeMap<String, Vec<usize>>,
    /// Tensors that may be present and are shape-checked but not used: (shape, dtype).
    ignored: BTreeMap<String, (Vec<usize>, Dtype)>,
}

fn expected_tensors(cfg: &ModelConfig) -> Expected {
    let h = cfg.hidden_size;
    let f = cfg.intermediate_size;
    let mut used = BTreeMap::new();
    let mut ignored = BTreeMap::new();
    let mut put = |n: String, s: Vec<usize>| {
        used.insert(n, s);
    };
    put("embeddings.word_embeddings.weight".into(), vec![cfg.vocab_size, h]);
    put("embeddings.position_embeddings.weight".into(), vec![cfg.max_position_embeddings, h]);
    put("embeddings.LayerNorm.weight".into(), vec![h]);
    put("embeddings.LayerNorm.bias".into(), vec![h]);
    if cfg.arch == Arch::Bert {
        put("embeddings.token_type_embeddings.weight".into(), vec![cfg.type_vocab_size, h]);
    } else {
        put("encoder.relative_attention_bias.weight".into(), vec![cfg.relative_attention_num_buckets, cfg.num_heads]);
    }
    for l in 0..cfg.num_layers {
        for (name, shape) in layer_names(cfg.arch, l, h, f) {
            put(name, shape);
        }
    }
    // A buffer torch saves with the model; positions are recomputed, never read from it.
    ignored.insert("embeddings.position_ids".to_string(), (vec![1, cfg.max_position_embeddings], Dtype::I64));
    // Sentence embeddings mean-pool the last hidden state; the CLS pooler is unused.
    ignored.insert("pooler.dense.weight".to_string(), (vec![h, h], Dtype::F32));
    ignored.insert("pooler.dense.bias".to_string(), (vec![h], Dtype::F32));
    Expected { used, ignored }
}

/// Checkpoint names of layer `l`, in [`LayerWeights`] field order (each linear: weight, bias).
fn layer_names(arch: Arch, l: usize, h: usize, f: usize) -> Vec<(String, Vec<usize>)> {
    let p = format!("encoder.layer.{l}");
    let (q, k, v, o, attn_ln) = match arch {
        Arch::Bert => (
            format!("{p}.attention.self.query"),
            format!("{p}.attention.self.key"),
            format!("{p}.attention.self.value"),
            format!("{p}.attention.output.dense"),
            format!("{p}.attention.output.LayerNorm"),
        ),
        Arch::Mpnet => (
            format!("{p}.attention.attn.q"),
            format!("{p}.attention.attn.k"),
            format!("{p}.attention.attn.v"),
            format!("{p}.attention.attn.o"),
            format!("{p}.attention.LayerNorm"),
        ),
    };
    let lin = |n: &str, out: usize, inp: usize| {
        vec![(format!("{n}.weight"), vec![out, inp]), (format!("{n}.bias"), vec![out])]
    };
    let ln = |n: &str| vec![(format!("{n}.weight"), vec![h]), (format!("{n}.bias"), vec![h])];
    let mut v_all = Vec::new();
    v_all.extend(lin(&q, h, h));
    v_all.extend(lin(&k, h, h));
    v_all.extend(lin(&v, h, h));
    v_all.extend(lin(&o, h, h));
    v_all.extend(ln(&attn_ln));
    v_all.extend(lin(&format!("{p}.intermediate.dense"), f, h));
    v_all.extend(lin(&format!("{p}.output.dense"), h, f));
    v_all.extend(ln(&format!("{p}.output.LayerNorm")));
    v_all
}

fn dtype_name(d: Dtype) -> String {
    format!("{d:?}")
}

impl EncoderWeights {
    /// Reads and checks a safetensors file against `cfg`.
    pub fn load(path: &Path, cfg: &ModelConfig) -> Result<Self, WeightsError> {
        let bytes = crate::files::map_bounded(path, crate::files::limits::WEIGHTS, "a model.safetensors")
            .map_err(|source| WeightsError::Io { path: path.to_owned(), source })?;
        Self::from_bytes(path, &bytes, cfg)
    }

    /// Parses safetensors bytes; `path` only labels errors.
    pub fn from_bytes(path: &Path, bytes: &[u8], cfg: &ModelConfig) -> Result<Self, WeightsError> {
        let st = SafeTensors::deserialize(bytes)
            .map_err(|e| WeightsError::Format { path: path.to_owned(), reason: e.to_string() })?;
        let exp = expected_tensors(cfg);
        let mut loaded: BTreeMap<String, Tensor> = BTreeMap::new();
        let mut names: Vec<(String, _)> = st.tensors();
        // Deterministic error order regardless of header order.
        names.sort_by(|a, b| a.0.cmp(&b.0));
        for (name, view) in names {
            let shape = view.shape().to_vec();
            if let Some(want) = exp.used.get(&name) {
                if view.dtype() != Dtype::F32 {
                    return Err(WeightsError::Dtype {
                        path: path.to_owned(),
                        name,
                        expected: "F32",
                        actual: dtype_name(view.dtype()),
                    });
                }
                if &shape != want {
                    return Err(WeightsError::Shape {
                        path: path.to_owned(),
                        name,
                        expected: want.clone(),
                        actual: shape,
                    });
                }
                let data = view.data().chunks_exact(4).map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect();
                loaded.insert(name, Tensor { shape, data });
            } else if let Some((want, dt)) = exp.ignored.get(&name) {
                if view.dtype() != *dt {
                    return Err(WeightsError::Dtype {
                        path: path.to_owned(),
                        name,
                        expected: if *dt == Dtype::I64 { "I64" } else { "F32" },
                        actual: dtype_name(view.dtype()),
                    });
                }
                if &shape != want {
                    return Err(WeightsError::Shape {
                        path: path.to_owned(),
                        name,
                        expected: want.clone(),
                        actual: shape,
                    });
                }
            } else {
                return Err(WeightsError::Unexpected { path: path.to_owned(), name, arch: cfg.arch });
            }
        }
        let have: BTreeSet<&String> = loaded.keys().collect();
        let missing: Vec<String> = exp.used.keys().filter(|n| !have.contains(n)).cloned().collect();
        if !missing.is_empty() {
            return Err(WeightsError::MissingTensors { path: path.to_owned(), names: missing });
        }
        // Every used tensor is now present with the right shape, so the takes below cannot fail.
        let mut take = |n: &str| loaded.remove(n).unwrap_or_else(|| unreachable!("tensor {n} checked present"));
        let mut layers = Vec::with_capacity(cfg.num_layers);
        for l in 0..cfg.num_layers {
            let names = layer_names(cfg.arch, l, cfg.hidden_size, cfg.intermediate_size);
            let mut it = names.iter().map(|(n, _)| take(n));
            let mut lin = || Linear {
                weight: it.next().unwrap_or_else(|| unreachable!()),
                bias: it.next().unwrap_or_else(|| unreachable!()),
            };
            let q = lin();
            let k = lin();
            let v = lin();
            let o = lin();
            let attn = lin();
            let ffn_in = lin();
            let ffn_out = lin();
            let out = lin();
            layers.push(LayerWeights {
                q,
                k,
                v,
                o,
                attn_ln: LayerNormW { gamma: attn.weight, beta: attn.bias },
                ffn_in,
                ffn_out,
                out_ln: LayerNormW { gamma: out.weight, beta: out.bias },
            });
        }
        let (token_type_embeddings, relative_attention_bias) = match cfg.arch {
            Arch::Bert => (Some(take("embeddings.token_type_embeddings.weight")), None),
            Arch::Mpnet => (None, Some(take("encoder.relative_attention_bias.weight"))),
        };
        Ok(EncoderWeights {
            word_embeddings: take("embeddings.word_embeddings.weight"),
            position_embeddings: take("embeddings.position_embeddings.weight"),
            token_type_embeddings,
            embeddings_ln: LayerNormW {
                gamma: take("embeddings.LayerNorm.weight"),
                beta: take("embeddings.LayerNorm.bias"),
            },
            layers,
            relative_attention_bias,
        })
    }
}

/// Names and shapes of every F32 tensor a checkpoint for `cfg` must hold (used to build synthetic
/// checkpoints in tests and benchmarks).
pub fn required_tensors(cfg: &ModelConfig) -> Vec<(String, Vec<usize>)> {
    expected_tensors(cfg).used.into_iter().collect()
}
