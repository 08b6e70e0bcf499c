//! BERT-family encoders compiled to one RSN program.
//!
//! Per layer: QKV projection (one GEMM against the fused, query-scaled weights), pipelined attention
//! ([`super::attention`]), output projection + bias + residual with LayerNorm on MemC's store path,
//! FFN up-projection with GELU on the store path, FFN down-projection + bias + residual + LayerNorm.
//! The embedding sum is gathered on the host (a table lookup is not a stream operation); its
//! LayerNorm runs on the device. A phase that reads what the previous one stored waits on a DDR
//! fence (see [`ProgramBuilder::phase`]).
//!
//! This module lays the weights out for the device and compiles a program for a placement;
//! [`crate::runtime::DeviceEncoder`] allocates, uploads and runs.

use super::attention::Attention;
use super::gemm::{Gemm, GemmPlacement};
use super::{engine_params, BuildError, ProgramBuilder};
use crate::bitstream::Bitstream;
use crate::isa::{DramOp, DramPort, Executable, LoadMode, MemCOp, Opcode, Payload, PostOp, ENGINES};
use crate::nn::config::{Arch, ModelConfig};
use crate::nn::tokenize::Batch;
use crate::nn::weights::{EncoderWeights, LayerNormW, LayerWeights, Linear};

/// The label of the phase that normalises the embedding sum (before the first layer).
pub const EMBEDDING_PHASE: &str = "embeddings LN";

fn round16(x: usize) -> usize {
    x.div_ceil(16) * 16
}

/// A phase's label and its roofline cycle estimate.
pub type PhaseEstimate = (String, f64);

/// One layer's weights in the device's layout: B operands `[in, out]` row-major, biases, and
/// LayerNorm gamma then beta (each padded to 16 floats).
pub struct PackedLayer {
    pub wqkv: Vec<f32>,
    pub bqkv: Vec<f32>,
    pub wo: Vec<f32>,
    pub bo: Vec<f32>,
    pub ln1: Vec<f32>,
    pub w1: Vec<f32>,
    pub b1: Vec<f32>,
    pub w2: Vec<f32>,
    pub b2: Vec<f32>,
    pub ln2: Vec<f32>,
}

/// The first line of each of a layer's buffers ([`PackedLayer`]'s fields).
#[derive(Debug, Clone, Copy)]
pub struct LayerLines {
    pub wqkv: u64,
    pub bqkv: u64,
    pub wo: u64,
    pub bo: u64,
    pub ln1: u64,
    pub w1: u64,
    pub b1: u64,
    pub w2: u64,
    pub b2: u64,
    pub ln2: u64,
}

/// Where an encoder run's buffers live. Weights and biases as [`LayerLines`]; activations in DDR:
/// `x0` the embedding sums, `xa` the layer input and output, `xb` the mid-layer state (each
/// `tokens x hidden`), `qkv` (`tokens x 3 hidden`), `ctx` (`tokens x hidden`), `mid`
/// (`tokens x intermediate`), and MPNet's score bias.
#[derive(Debug, Clone)]
pub struct EncoderPlacement {
    pub emb_ln: u64,
    pub layers: Vec<LayerLines>,
    pub x0: u64,
    pub xa: u64,
    pub xb: u64,
    pub qkv: u64,
    pub ctx: u64,
    pub mid: u64,
    pub score_bias: Option<u64>,
}

/// A compiled encoder run.
#[derive(Debug, Clone)]
pub struct CompiledEncoder {
    pub exe: Executable,
    /// Roofline estimate per phase.
    pub estimate: Vec<PhaseEstimate>,
    /// Each phase's first packet (same order as `estimate`).
    pub phase_starts: Vec<usize>,
    /// Useful floating-point operations.
    pub flops: f64,
}

/// `W^T` of a PyTorch `[out, in]` weight as a `[in, out]` row-major B operand, scaled.
fn transpose(l: &Linear, scale: f32) -> Vec<f32> {
    let (o, i) = (l.out_features(), l.in_features());
    let mut t = vec![0.0f32; i * o];
    for r in 0..o {
        for c in 0..i {
            t[c * o + r] = l.weight.data[r * i + c] * scale;
        }
    }
    t
}

/// LayerNorm gamma then beta, each padded to a whole line.
pub fn ln_params(ln: &LayerNormW) -> Vec<f32> {
    let n = ln.gamma.data.len();
    let n16 = round16(n);
    let mut v = vec![0.0f32; 2 * n16];
    v[..n].copy_from_slice(&ln.gamma.data);
    v[n16..n16 + n].copy_from_slice(&ln.beta.data);
    v
}

/// Refuse a model that does not map onto the ISA (its LayerNorm rows, sizes, or missing weights).
pub fn check_maps(cfg: &ModelConfig, w: &EncoderWeights) -> Result<(), BuildError> {
    let (h, d) = (cfg.hidden_size, cfg.head_dim());
    if h > 1024 {
        return Err(BuildError::Shape(format!(
            "hidden size {h}: a LayerNorm row must fit one MemC pair (at most 1024 columns)"
        )));
    }
    if cfg.arch == Arch::Mpnet && w.relative_attention_bias.is_none() {
        return Err(BuildError::Shape("MPNet weights without relative_attention_bias".into()));
    }
    if h % 16 != 0 || !cfg.intermediate_size.is_multiple_of(16) || d % 16 != 0 || d > 64 {
        return Err(BuildError::Shape(format!(
            "hidden {h}, FFN {}, head_dim {d}: sizes must be multiples of 16 and head_dim <= 64",
            cfg.intermediate_size
        )));
    }
    Ok(())
}

/// DDR bytes of one run's activations (embedding sums, layer input/output and mid-layer state,
/// QKV, context, FFN intermediate, MPNet's score bias) for `batch` sequences of `seq` tokens, and
/// a refusal when they cannot fit the DDR window (checked before anything is allocated).
pub fn check_batch_fits(cfg: &ModelConfig, batch: usize, seq: usize) -> Result<u64, BuildError> {
    let bytes = (|| {
        let tokens = (batch as u64).checked_mul(seq as u64)?;
        let h = cfg.hidden_size as u64;
        let per_token = h.checked_mul(7)?.checked_add(cfg.intermediate_size as u64)?;
        let bias = if cfg.arch == Arch::Mpnet {
            (cfg.num_heads as u64).checked_mul((seq as u64).checked_mul(seq as u64)?)?
        } else {
            0
        };
        tokens.checked_mul(per_token)?.checked_add(bias)?.checked_mul(4)
    })();
    let window = crate::hal::Memory::Ddr.window_bytes();
    match bytes {
        Some(b) if b <= window => Ok(b),
        _ => Err(BuildError::TooLarge(format!(
            "{batch} sequences of {seq} tokens need {} bytes of activations in DDR; the window holds {window}",
            bytes.map_or("more than 2^64".to_string(), |b| b.to_string())
        ))),
    }
}

/// Refuse a model whose weights cannot fit the LPDDR window (all of them live on the device).
pub fn check_weights_fit(cfg: &ModelConfig) -> Result<u64, BuildError> {
    let (h, f) = (cfg.hidden_size as u64, cfg.intermediate_size as u64);
    let bytes = (|| {
        let per_layer = h.checked_mul(h)?.checked_mul(4)?.checked_add(h.checked_mul(f)?.checked_mul(2)?)?;
        per_layer.checked_mul(cfg.num_layers as u64)?.checked_mul(4)
    })();
    let window = crate::hal::Memory::Lpddr.window_bytes();
    match bytes {
        Some(b) if b <= window => Ok(b),
        _ => Err(BuildError::TooLarge(format!(
            "{} layers of hidden {h} and FFN {f} need {} bytes of weights in LPDDR; the window holds {window}",
            cfg.num_layers,
            bytes.map_or("more than 2^64".to_string(), |b| b.to_string())
        ))),
    }
}

/// One layer's weights in the device's layout. The QKV weights are fused (columns `[Q | K | V]`)
/// with the attention scale `1/sqrt(head_dim)` folded into Q.
pub fn pack_layer(cfg: &ModelConfig, l: &LayerWeights) -> PackedLayer {
    let h = cfg.hidden_size;
    let scale = 1.0 / (cfg.head_dim() as f32).sqrt();
    let (q, k, v) = (transpose(&l.q, scale), transpose(&l.k, 1.0), transpose(&l.v, 1.0));
    let mut wqkv = vec![0.0f32; h * 3 * h];
    for r in 0..h {
        wqkv[r * 3 * h..r * 3 * h + h].copy_from_slice(&q[r * h..(r + 1) * h]);
        wqkv[r * 3 * h + h..r * 3 * h + 2 * h].copy_from_slice(&k[r * h..(r + 1) * h]);
        wqkv[r * 3 * h + 2 * h..(r + 1) * 3 * h].copy_from_slice(&v[r * h..(r + 1) * h]);
    }
    let mut bqkv: Vec<f32> = l.q.bias.data.iter().map(|x| x * scale).collect();
    bqkv.extend_from_slice(&l.k.bias.data);
    bqkv.extend_from_slice(&l.v.bias.data);
    PackedLayer {
        wqkv,
        bqkv,
        wo: transpose(&l.o, 1.0),
        bo: l.o.bias.data.clone(),
        ln1: ln_params(&l.attn_ln),
        w1: transpose(&l.ffn_in, 1.0),
        b1: l.ffn_in.bias.data.clone(),
        w2: transpose(&l.ffn_out, 1.0),
        b2: l.ffn_out.bias.data.clone(),
        ln2: ln_params(&l.out_ln),
    }
}

/// Embedding sums `(word + token_type) + position`, token-major `[batch*seq, hidden]`, with
/// positions as the model defines them (BERT: 0..seq; MPNet: real tokens count up from pad+1,
/// padding sits at pad).
pub fn embeddings(cfg: &ModelConfig, w: &EncoderWeights, batch: &Batch) -> Result<Vec<f32>, BuildError> {
    let h = cfg.hidden_size;
    let pad = cfg.pad_token_id as usize;
    let mut x = vec![0.0f32; batch.batch * batch.seq_len * h];
    for b in 0..batch.batch {
        let mut seen = 0;
        for s in 0..batch.seq_len {
            let i = b * batch.seq_len + s;
            let id = batch.input_ids[i] as usize;
            let tt = batch.token_type_ids[i] as usize;
            let p = match cfg.arch {
                Arch::Bert => s,
                Arch::Mpnet if id == pad => pad,
                Arch::Mpnet => {
                    seen += 1;
                    pad + seen
                }
            };
            let word = w.word_embeddings.data.get(id * h..(id + 1) * h);
            let pos = w.position_embeddings.data.get(p * h..(p + 1) * h);
            let (Some(word), Some(pos)) = (word, pos) else {
                return Err(BuildError::Shape(format!("token {id} at position {s} is outside the embedding tables")));
            };
            let ty = match cfg.arch {
                Arch::Bert => w.token_type_embeddings.as_ref().and_then(|t| t.data.get(tt * h..(tt + 1) * h)),
                Arch::Mpnet => None,
            };
            for c in 0..h {
                let mut v = word[c];
                if let Some(ty) = ty {
                    v += ty[c];
                }
                x[i * h + c] = v + pos[c];
            }
        }
    }
    Ok(x)
}

/// MPNet's relative position bias for `seq` tokens, `[heads, seq, seq]` (BERT: none).
pub fn score_bias(cfg: &ModelConfig, w: &EncoderWeights, seq: usize) -> Option<Vec<f32>> {
    match (&cfg.arch, &w.relative_attention_bias) {
        (Arch::Mpnet, Some(table)) => {
            let (s, nh, nb) = (seq, cfg.num_heads, cfg.relative_attention_num_buckets);
            let mut bias = vec![0.0f32; nh * s * s];
            for i in 0..s {
                for j in 0..s {
                    let bucket = crate::nn::reference::relative_position_bucket(
                        j as i64 - i as i64,
                        nb,
                        crate::nn::reference::MPNET_MAX_DISTANCE,
                    );
                    for head in 0..nh {
                        bias[(head * s + i) * s + j] = table.data[bucket * nh + head];
                    }
                }
            }
            Some(bias)
        }
        _ => None,
    }
}

/// Compile one encoder run over `batch` for the buffers in `place`.
pub fn compile(
    cfg: &ModelConfig,
    batch: &Batch,
    place: &EncoderPlacement,
    bs: &Bitstream,
) -> Result<CompiledEncoder, BuildError> {
    let (h, inter) = (cfg.hidden_size, cfg.intermediate_size);
    let tokens = batch.batch * batch.seq_len;
    let eps = cfg.layer_norm_eps as f32;
    let mut pb = ProgramBuilder::new();
    let mut blocks = [0u64; ENGINES];
    let mut flops = 0.0;
    pb.phase(EMBEDDING_PHASE);
    emit_layernorm(&mut pb, tokens, h, place.x0, place.xa, place.emb_ln, eps)?;
    // Each layer reads xa, keeps its mid-layer state in xb, and writes its output back to xa.
    let (cur, other) = (place.xa, place.xb);
    for (li, l) in place.layers.iter().enumerate() {
        let at = GemmPlacement {
            a_line: cur,
            b_line: l.wqkv,
            bias_line: Some(l.bqkv),
            c_line: place.qkv,
            ..Default::default()
        };
        let g = Gemm { bias: true, ..Gemm::new(tokens, 3 * h, h) };
        gemm_phase(&mut pb, &mut blocks, &mut flops, format!("layer {li} qkv"), g, at)?;
        pb.phase(format!("layer {li} attention"));
        let att = Attention {
            batch: batch.batch,
            seq: batch.seq_len,
            heads: cfg.num_heads,
            head_dim: cfg.head_dim(),
            lengths: batch.lengths.clone(),
            qkv_line: place.qkv,
            qkv_pitch: 3 * h,
            q_col: 0,
            k_col: h,
            v_col: 2 * h,
            ctx_line: place.ctx,
            ctx_pitch: h,
            bias_line: place.score_bias,
        };
        att.emit(&mut pb, &mut blocks)?;
        flops += 4.0 * (batch.batch * cfg.num_heads) as f64 * (batch.seq_len * batch.seq_len * cfg.head_dim()) as f64;
        let ln = Gemm { bias: true, residual: true, post: PostOp::LayerNorm, eps, ..Gemm::new(tokens, h, h) };
        let at = GemmPlacement {
            a_line: place.ctx,
            b_line: l.wo,
            bias_line: Some(l.bo),
            c_line: other,
            residual_line: Some(cur),
            params_line: Some(l.ln1),
        };
        gemm_phase(&mut pb, &mut blocks, &mut flops, format!("layer {li} attn-out+LN"), ln, at)?;
        let g = Gemm { bias: true, post: PostOp::Gelu, ..Gemm::new(tokens, inter, h) };
        let at = GemmPlacement {
            a_line: other,
            b_line: l.w1,
            bias_line: Some(l.b1),
            c_line: place.mid,
            ..Default::default()
        };
        gemm_phase(&mut pb, &mut blocks, &mut flops, format!("layer {li} ffn-up+GELU"), g, at)?;
        let at = GemmPlacement {
            a_line: place.mid,
            b_line: l.w2,
            bias_line: Some(l.b2),
            c_line: cur,
            residual_line: Some(other),
            params_line: Some(l.ln2),
        };
        let g = Gemm { k: inter, ..ln };
        gemm_phase(&mut pb, &mut blocks, &mut flops, format!("layer {li} ffn-down+LN"), g, at)?;
    }
    let estimate = pb.estimate(bs);
    let phase_starts = pb.phases().iter().map(|p| p.1).collect();
    let exe = pb.finish(engine_params(&blocks)?)?;
    Ok(CompiledEncoder { exe, estimate, phase_starts, flops })
}

/// One GEMM as its own phase, counting its FLOPs.
fn gemm_phase(
    pb: &mut ProgramBuilder,
    blocks: &mut [u64; ENGINES],
    flops: &mut f64,
    label: String,
    g: Gemm,
    at: GemmPlacement,
) -> Result<(), BuildError> {
    pb.phase(label);
    *flops += g.flops();
    g.emit(pb, at, blocks)
}

/// LayerNorm of a token-major `[rows, cols]` buffer on the MemC store path: through MemC0 when
/// a row fits one MemC (cols <= 512), else split across the MemC0/MemC1 pair. Per 256-row tile, one
/// bank loads while the previous tile drains through the LayerNorm to DRAM.
pub fn emit_layernorm(
    pb: &mut ProgramBuilder,
    rows: usize,
    cols: usize,
    in_line: u64,
    out_line: u64,
    params_line: u64,
    eps: f32,
) -> Result<(), BuildError> {
    if cols > 1024 || !cols.is_multiple_of(16) {
        return Err(BuildError::Shape(format!(
            "LayerNorm over {cols} columns: multiples of 16 up to 1024 fit a MemC pair"
        )));
    }
    let lines = |x: u64| u32::try_from(x).map_err(|_| BuildError::Shape("address exceeds 32-bit lines".into()));
    let pitch = (cols / 16) as u32;
    // (MemC instance, first column, width) of each half.
    let halves: Vec<(u32, usize, usize)> =
        (0..cols.div_ceil(512)).map(|u| (u as u32, u * 512, (cols - u * 512).min(512))).collect();
    let pair = halves.len() == 2;
    for &(e, c0, w) in &halves {
        let d = DramOp {
            start: lines(params_line + c0 as u64 / 16)?,
            chunk_lines: (w / 16) as u32,
            chunk_count: 2,
            chunk_stride: pitch,
            port: DramPort::MemC(e).bits(),
            ..Default::default()
        };
        pb.push(Opcode::Ddr, 1, 1, vec![Payload::Dram(d)])?;
        let params = MemCOp { load_mode: LoadMode::Params as u32, rows: 1, cols: w as u32, ..Default::default() };
        pb.push(Opcode::MemC, 1 << e, 1, vec![Payload::MemC(params)])?;
    }
    let tiles: Vec<(usize, usize)> = (0..rows).step_by(256).map(|r0| (r0, (rows - r0).min(256))).collect();
    for t in 0..=tiles.len() {
        let tt = t as u32;
        let load = tiles.get(t).copied();
        let drain = t.checked_sub(1).map(|p| tiles[p]);
        for &(e, c0, w) in &halves {
            let port = DramPort::MemC(e).bits();
            if let Some((r0, n)) = load {
                let start = lines(in_line + (r0 * cols + c0) as u64 / 16)?;
                let d = DramOp {
                    start,
                    chunk_lines: (w / 16) as u32,
                    chunk_count: n as u32,
                    chunk_stride: pitch,
                    port,
                    ..Default::default()
                };
                pb.push(Opcode::Ddr, 1, 1, vec![Payload::Dram(d)])?;
            }
            // Load and drain share the rows field: combine them only when the tiles are the same size.
            let base = MemCOp { fill_bank: tt & 1, drain_bank: (tt + 1) & 1, cols: w as u32, ..Default::default() };
            let drain_op = drain.map(|(_, n)| MemCOp {
                drain: 1,
                post_op: PostOp::LayerNorm as u32,
                eps: eps.to_bits(),
                rows: n as u32,
                ln_pair: pair as u32,
                ln_total: if pair { cols as u32 } else { 0 },
                ..base
            });
            let load_op = load.map(|(_, n)| MemCOp { load_mode: LoadMode::Tile as u32, rows: n as u32, ..base });
            let ops: Vec<MemCOp> = match (drain_op, load_op) {
                (Some(d), Some(l)) if d.rows == l.rows => vec![MemCOp { load_mode: l.load_mode, ..d }],
                (d, l) => d.into_iter().chain(l).collect(),
            };
            for op in ops {
                pb.push(Opcode::MemC, 1 << e, 1, vec![Payload::MemC(op)])?;
            }
            if let Some((r0, n)) = drain {
                let start = lines(out_line + (r0 * cols + c0) as u64 / 16)?;
                let d = DramOp {
                    start,
                    chunk_lines: (w / 16) as u32,
                    chunk_count: n as u32,
                    chunk_stride: pitch,
                    port,
                    store: 1,
                    ..Default::default()
                };
                pb.push(Opcode::Ddr, 1, 1, vec![Payload::Dram(d)])?;
            }
        }
    }
    Ok(())
}
