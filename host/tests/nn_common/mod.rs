//! Helpers shared by the nn_* integration tests.
#![allow(dead_code)]

use rsn::nn::config::ModelConfig;
use rsn::nn::npy;
use rsn::nn::weights::required_tensors;
use safetensors::tensor::TensorView;
use safetensors::Dtype;
use std::path::{Path, PathBuf};

pub fn goldens_dir(model: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join("tests").join("goldens").join(model)
}

pub struct Golden {
    pub batch: usize,
    pub seq_len: usize,
    pub input_ids: Vec<u32>,
    pub attention_mask: Vec<u32>,
    pub token_type_ids: Vec<u32>,
    pub hidden_size: usize,
    pub last_hidden_state: Vec<f32>,
    pub sentence_embedding: Vec<f32>,
    pub sentences: Vec<String>,
}

fn ints(path: &Path) -> (Vec<usize>, Vec<u32>) {
    let a = npy::read(path).unwrap_or_else(|e| panic!("{e}"));
    let shape = a.shape.clone();
    let v = a.into_i64(path).unwrap_or_else(|e| panic!("{e}"));
    (shape, v.into_iter().map(|x| u32::try_from(x).unwrap()).collect())
}

pub fn load_golden(model: &str) -> Golden {
    let d = goldens_dir(model);
    let (shape, input_ids) = ints(&d.join("input_ids.npy"));
    let (_, attention_mask) = ints(&d.join("attention_mask.npy"));
    let (_, token_type_ids) = ints(&d.join("token_type_ids.npy"));
    let hp = d.join("last_hidden_state.npy");
    let h = npy::read(&hp).unwrap();
    let hidden_size = h.shape[2];
    assert_eq!(&h.shape[..2], &shape[..]);
    let ep = d.join("sentence_embedding.npy");
    let meta: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(d.join("meta.json")).unwrap()).unwrap();
    Golden {
        batch: shape[0],
        seq_len: shape[1],
        input_ids,
        attention_mask,
        token_type_ids,
        hidden_size,
        last_hidden_state: h.into_f32(&hp).unwrap(),
        sentence_embedding: npy::read(&ep).unwrap().into_f32(&ep).unwrap(),
        sentences: meta["sentences"].as_array().unwrap().iter().map(|s| s.as_str().unwrap().to_string()).collect(),
    }
}

pub fn scratch(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("rsn-nn-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

pub const TINY_BERT: &str = r#"{"model_type": "bert", "vocab_size": 50, "hidden_size": 16,
  "num_hidden_layers": 2, "num_attention_heads": 4, "intermediate_size": 32,
  "max_position_embeddings": 24, "type_vocab_size": 2, "layer_norm_eps": 1e-12,
  "pad_token_id": 0, "hidden_act": "gelu"}"#;

pub const TINY_MPNET: &str = r#"{"model_type": "mpnet", "vocab_size": 50, "hidden_size": 16,
  "num_hidden_layers": 2, "num_attention_heads": 2, "intermediate_size": 32,
  "max_position_embeddings": 26, "layer_norm_eps": 1e-5, "pad_token_id": 1,
  "relative_attention_num_buckets": 32, "hidden_act": "gelu"}"#;

pub fn tiny_config(json: &str) -> ModelConfig {
    ModelConfig::from_json(Path::new("tiny/config.json"), json).unwrap()
}

/// Deterministic values in [-0.5, 0.5) (xorshift64*), so synthetic checkpoints are reproducible.
pub struct Rng(u64);
impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    pub fn next_f32(&mut self) -> f32 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        let v = self.0.wrapping_mul(0x2545_F491_4F6C_DD1D);
        ((v >> 40) as f32 / (1u64 << 24) as f32) - 0.5
    }
}

/// Tensors of a synthetic checkpoint as (name, dtype, shape, little-endian bytes).
pub type RawTensors = Vec<(String, Dtype, Vec<usize>, Vec<u8>)>;

/// Every tensor `cfg` requires, random F32 (LayerNorm gains near 1), plus BERT's I64 position_ids.
pub fn synthetic_tensors(cfg: &ModelConfig, seed: u64) -> RawTensors {
    let mut rng = Rng::new(seed);
    let mut out: RawTensors = Vec::new();
    for (name, shape) in required_tensors(cfg) {
        let n: usize = shape.iter().product();
        let gain = name.contains("LayerNorm.weight");
        let bytes = (0..n)
            .flat_map(|_| {
                let r = rng.next_f32();
                let v = if gain { 1.0 + 0.2 * r } else { r };
                v.to_le_bytes()
            })
            .collect();
        out.push((name, Dtype::F32, shape, bytes));
    }
    let p = cfg.max_position_embeddings;
    out.push((
        "embeddings.position_ids".into(),
        Dtype::I64,
        vec![1, p],
        (0..p as i64).flat_map(|i| i.to_le_bytes()).collect(),
    ));
    out
}

pub fn serialize(tensors: &RawTensors) -> Vec<u8> {
    let views: Vec<(String, TensorView)> =
        tensors.iter().map(|(n, d, s, b)| (n.clone(), TensorView::new(*d, s.clone(), b).unwrap())).collect();
    safetensors::serialize(views, None).unwrap()
}

pub fn max_abs_diff(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len());
    a.iter().zip(b).map(|(x, y)| (x - y).abs()).fold(0.0, f32::max)
}
