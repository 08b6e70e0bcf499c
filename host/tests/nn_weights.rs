//! config.json parsing and safetensors loading: every tensor checked, every failure a typed error that
//! names the tensor or field.

use rsn::nn::config::{Arch, ConfigError, ModelConfig};
use rsn::nn::fetch::{ensure_for_tests, ModelId};
use rsn::nn::weights::{EncoderWeights, WeightsError};
use safetensors::Dtype;
use std::path::Path;

mod nn_common;
use nn_common::{serialize, synthetic_tensors, tiny_config, TINY_BERT, TINY_MPNET};

const P: &str = "model.safetensors";

fn load(bytes: &[u8], cfg: &ModelConfig) -> Result<EncoderWeights, WeightsError> {
    EncoderWeights::from_bytes(Path::new(P), bytes, cfg)
}

#[test]
fn real_configs_parse() {
    let ml = ModelConfig::from_json(
        Path::new("c"),
        r#"{"model_type":"bert","vocab_size":30522,"hidden_size":384,"num_hidden_layers":6,
            "num_attention_heads":12,"intermediate_size":1536,"max_position_embeddings":512,
            "type_vocab_size":2,"layer_norm_eps":1e-12,"pad_token_id":0,"hidden_act":"gelu",
            "position_embedding_type":"absolute","architectures":["BertModel"]}"#,
    )
    .unwrap();
    assert_eq!(ml.arch, Arch::Bert);
    assert_eq!((ml.head_dim(), ml.max_tokens()), (32, 512));
    let mp = tiny_config(TINY_MPNET);
    assert_eq!(mp.arch, Arch::Mpnet);
    // Positions start at pad+1 = 2, so 26 rows hold 24 tokens.
    assert_eq!(mp.max_tokens(), 24);
    assert_eq!(mp.type_vocab_size, 0);
}

#[test]
fn config_errors_are_specific() {
    let p = Path::new("x/config.json");
    match ModelConfig::from_json(p, r#"{"model_type":"gpt2","hidden_size":8}"#) {
        Err(ConfigError::UnsupportedModelType { model_type, .. }) => assert_eq!(model_type, "gpt2"),
        other => panic!("{other:?}"),
    }
    match ModelConfig::from_json(p, r#"{"model_type":"bert","hidden_size":8}"#) {
        Err(ConfigError::MissingField { field, .. }) => assert_eq!(field, "num_attention_heads"),
        other => panic!("{other:?}"),
    }
    let bad_heads = TINY_BERT.replace("\"num_attention_heads\": 4", "\"num_attention_heads\": 3");
    assert!(matches!(
        ModelConfig::from_json(p, &bad_heads),
        Err(ConfigError::Invalid { field: "num_attention_heads", .. })
    ));
    let relu = TINY_BERT.replace("\"gelu\"", "\"relu\"");
    assert!(matches!(ModelConfig::from_json(p, &relu), Err(ConfigError::Invalid { field: "hidden_act", .. })));
    assert!(matches!(ModelConfig::from_json(p, "{not json"), Err(ConfigError::Json { .. })));
}

#[test]
fn synthetic_checkpoints_load() {
    for json in [TINY_BERT, TINY_MPNET] {
        let cfg = tiny_config(json);
        let w = load(&serialize(&synthetic_tensors(&cfg, 1)), &cfg).unwrap();
        assert_eq!(w.layers.len(), 2);
        assert_eq!(w.layers[1].ffn_in.weight.shape, vec![32, 16]);
        assert_eq!(w.layers[1].ffn_out.weight.shape, vec![16, 32]);
        assert_eq!(w.token_type_embeddings.is_some(), cfg.arch == Arch::Bert);
        assert_eq!(w.relative_attention_bias.is_some(), cfg.arch == Arch::Mpnet);
    }
}

#[test]
fn missing_tensor_is_named() {
    let cfg = tiny_config(TINY_MPNET);
    let mut t = synthetic_tensors(&cfg, 2);
    t.retain(|(n, ..)| n != "encoder.layer.1.attention.attn.k.bias");
    match load(&serialize(&t), &cfg) {
        Err(WeightsError::MissingTensors { names, .. }) => {
            assert_eq!(names, vec!["encoder.layer.1.attention.attn.k.bias".to_string()])
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn misshaped_tensor_is_named_with_both_shapes() {
    let cfg = tiny_config(TINY_BERT);
    let mut t = synthetic_tensors(&cfg, 3);
    let e = t.iter_mut().find(|(n, ..)| n == "encoder.layer.0.intermediate.dense.weight").unwrap();
    e.2 = vec![16, 32]; // transposed: same element count, wrong layout
    match load(&serialize(&t), &cfg) {
        Err(WeightsError::Shape { name, expected, actual, .. }) => {
            assert_eq!(name, "encoder.layer.0.intermediate.dense.weight");
            assert_eq!((expected, actual), (vec![32, 16], vec![16, 32]));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn wrong_dtype_is_rejected() {
    let cfg = tiny_config(TINY_BERT);
    let mut t = synthetic_tensors(&cfg, 4);
    let e = t.iter_mut().find(|(n, ..)| n == "embeddings.LayerNorm.bias").unwrap();
    // F64 [8] has the byte count of F32 [16], so the file stays well formed and only the dtype is off.
    e.1 = Dtype::F64;
    e.2 = vec![8];
    match load(&serialize(&t), &cfg) {
        Err(WeightsError::Dtype { name, actual, .. }) => {
            assert_eq!(name, "embeddings.LayerNorm.bias");
            assert_eq!(actual, "F64");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn unexpected_tensor_is_rejected() {
    let cfg = tiny_config(TINY_BERT);
    let mut t = synthetic_tensors(&cfg, 5);
    // An MPNet-only tensor in a BERT checkpoint means the config and weights disagree.
    t.push(("encoder.relative_attention_bias.weight".into(), Dtype::F32, vec![32, 4], vec![0; 32 * 4 * 4]));
    assert!(matches!(
        load(&serialize(&t), &cfg),
        Err(WeightsError::Unexpected { name, .. }) if name == "encoder.relative_attention_bias.weight"
    ));
}

#[test]
fn truncated_file_is_a_format_error() {
    let cfg = tiny_config(TINY_BERT);
    let bytes = serialize(&synthetic_tensors(&cfg, 6));
    for cut in [0, 7, 100, bytes.len() - 1] {
        match load(&bytes[..cut], &cfg) {
            Err(e @ WeightsError::Format { .. }) => assert!(e.to_string().contains(P)),
            other => panic!("cut at {cut}: {other:?}"),
        }
    }
}

#[test]
fn real_minilm_loads_and_damaged_copies_fail() {
    let Some(dir) = ensure_for_tests(ModelId::MiniLm) else {
        return;
    };
    let cfg = ModelConfig::from_file(&dir.join("config.json")).unwrap();
    let path = dir.join("model.safetensors");
    let bytes = std::fs::read(&path).unwrap();
    let w = EncoderWeights::from_bytes(&path, &bytes, &cfg).unwrap();
    assert_eq!(w.layers.len(), 6);
    assert_eq!(w.word_embeddings.shape, vec![30522, 384]);

    // Truncated download.
    assert!(matches!(
        EncoderWeights::from_bytes(&path, &bytes[..bytes.len() - 4096], &cfg),
        Err(WeightsError::Format { .. })
    ));

    // Same checkpoint with one tensor dropped.
    let st = safetensors::SafeTensors::deserialize(&bytes).unwrap();
    let kept: Vec<_> =
        st.tensors().into_iter().filter(|(n, _)| n != "encoder.layer.3.output.LayerNorm.weight").collect();
    let damaged = safetensors::serialize(kept, None).unwrap();
    match EncoderWeights::from_bytes(&path, &damaged, &cfg) {
        Err(WeightsError::MissingTensors { names, .. }) => {
            assert_eq!(names, vec!["encoder.layer.3.output.LayerNorm.weight"])
        }
        other => panic!("{other:?}"),
    }

    // The MiniLM checkpoint against a config that claims more layers.
    let mut seven = cfg.clone();
    seven.num_layers = 7;
    assert!(matches!(
        EncoderWeights::from_bytes(&path, &bytes, &seven),
        Err(WeightsError::MissingTensors { names, .. }) if names.len() == 16
    ));
}
