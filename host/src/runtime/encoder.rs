//! A transformer encoder whose weights live on a device.

use super::RunError;
use crate::builder::encoder::{self, EncoderPlacement, LayerLines, PhaseEstimate};
use crate::device::{Buffer, Device, Memory, RunReport};
use crate::nn::config::{Arch, ModelConfig};
use crate::nn::tokenize::Batch;
use crate::nn::weights::EncoderWeights;
use std::time::Duration;

/// Device-resident weights of one layer.
struct LayerBufs {
    wqkv: Buffer<f32>,
    bqkv: Buffer<f32>,
    wo: Buffer<f32>,
    bo: Buffer<f32>,
    ln1: Buffer<f32>,
    w1: Buffer<f32>,
    b1: Buffer<f32>,
    w2: Buffer<f32>,
    b2: Buffer<f32>,
    ln2: Buffer<f32>,
}

impl LayerBufs {
    fn lines(&self) -> LayerLines {
        LayerLines {
            wqkv: self.wqkv.line(),
            bqkv: self.bqkv.line(),
            wo: self.wo.line(),
            bo: self.bo.line(),
            ln1: self.ln1.line(),
            w1: self.w1.line(),
            b1: self.b1.line(),
            w2: self.w2.line(),
            b2: self.b2.line(),
            ln2: self.ln2.line(),
        }
    }
}

/// An encoder whose weights live on a device, ready to run batches.
pub struct DeviceEncoder {
    device: Device,
    cfg: ModelConfig,
    emb_ln: Buffer<f32>,
    layers: Vec<LayerBufs>,
}

/// Output of [`DeviceEncoder::forward`].
#[derive(Debug, Clone)]
pub struct EncoderRun {
    /// Last hidden state `[batch, seq, hidden]`.
    pub hidden: Vec<f32>,
    pub report: RunReport,
    pub instr_words: usize,
    pub uops: u128,
    pub flops: f64,
    /// Roofline estimate per phase, made before running.
    pub estimate: Vec<PhaseEstimate>,
    /// Host wall seconds of the device run alone (submit to done).
    pub run_wall_s: f64,
    /// Per phase: its roofline estimate and, where the backend records a timeline, its measured
    /// share of the run.
    pub phases: Vec<PhaseTime>,
}

/// One phase of an encoder run (`embeddings LN`, `layer 0 qkv`, ...).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PhaseTime {
    pub label: String,
    /// Roofline estimate made before the run, PL cycles.
    pub estimate_cycles: f64,
    /// PL cycles from the previous phase's last mOP finishing to this phase's last mOP finishing
    /// (phases overlap, so this is what the phase adds to the run; the shares sum to the run's
    /// length). `None` when the backend records no timeline (sim, xrt).
    pub measured_cycles: Option<f64>,
}

/// Each phase's share of a run from the FUs' busy intervals: phase `i` ends when the last mOP of
/// its packets does (engine blocks are not mOPs: their spans number blocks, not packets).
fn phase_times(report: &RunReport, starts: &[usize], estimate: &[PhaseEstimate]) -> Vec<PhaseTime> {
    let mut ends = vec![0f64; starts.len()];
    let engines: Vec<bool> = report.counters.iter().map(|c| c.fu.starts_with("MME")).collect();
    for s in &report.timeline {
        if engines.get(s.fu as usize).copied().unwrap_or(true) {
            continue;
        }
        let i = starts.partition_point(|&p| p <= s.packet as usize);
        if i > 0 {
            ends[i - 1] = ends[i - 1].max(s.end);
        }
    }
    let recorded = !report.timeline.is_empty();
    let mut done = 0f64;
    estimate
        .iter()
        .zip(&ends)
        .map(|((label, est), end)| {
            let share = (end - done).max(0.0);
            done = done.max(*end);
            PhaseTime { label: label.clone(), estimate_cycles: *est, measured_cycles: recorded.then_some(share) }
        })
        .collect()
}

impl DeviceEncoder {
    /// Check that the model maps onto the ISA and upload its weights.
    pub fn new(device: &Device, cfg: &ModelConfig, w: &EncoderWeights) -> Result<DeviceEncoder, RunError> {
        encoder::check_maps(cfg, w)?;
        encoder::check_weights_fit(cfg)?;
        let ddr = |x: &[f32]| device.alloc_from(Memory::Ddr, x);
        let lp = |x: &[f32]| device.alloc_from(Memory::Lpddr, x);
        let mut layers = Vec::new();
        for l in &w.layers {
            let p = encoder::pack_layer(cfg, l);
            layers.push(LayerBufs {
                wqkv: lp(&p.wqkv)?,
                bqkv: ddr(&p.bqkv)?,
                wo: lp(&p.wo)?,
                bo: ddr(&p.bo)?,
                ln1: ddr(&p.ln1)?,
                w1: lp(&p.w1)?,
                b1: ddr(&p.b1)?,
                w2: lp(&p.w2)?,
                b2: ddr(&p.b2)?,
                ln2: ddr(&p.ln2)?,
            });
        }
        Ok(DeviceEncoder {
            device: device.clone(),
            cfg: cfg.clone(),
            emb_ln: ddr(&encoder::ln_params(&w.embeddings_ln))?,
            layers,
        })
    }

    /// The device the weights live on.
    pub fn device(&self) -> &Device {
        &self.device
    }

    /// Run the encoder on a tokenized batch.
    pub fn forward(&self, w: &EncoderWeights, batch: &Batch, timeout: Duration) -> Result<EncoderRun, RunError> {
        self.forward_reporting(w, batch, timeout, &mut |_| {})
    }

    /// As [`Self::forward`]; `predicted` sees the per-phase cycle estimate after compilation, before
    /// the device runs.
    pub fn forward_reporting(
        &self,
        w: &EncoderWeights,
        batch: &Batch,
        timeout: Duration,
        predicted: &mut dyn FnMut(&[PhaseEstimate]),
    ) -> Result<EncoderRun, RunError> {
        // A score bias is moved in 64-byte lines, so its rows need a multiple of 16 keys: pad the
        // batch (padded keys are masked out, so real tokens do not change) and trim the result.
        if self.cfg.arch == Arch::Mpnet && !batch.seq_len.is_multiple_of(16) {
            let s16 = batch.seq_len.div_ceil(16) * 16;
            let widen = |v: &[u32], fill: u32| -> Vec<u32> {
                v.chunks(batch.seq_len)
                    .flat_map(|r| r.iter().copied().chain(std::iter::repeat_n(fill, s16 - batch.seq_len)))
                    .collect()
            };
            let padded = Batch {
                batch: batch.batch,
                seq_len: s16,
                input_ids: widen(&batch.input_ids, self.cfg.pad_token_id),
                attention_mask: widen(&batch.attention_mask, 0),
                token_type_ids: widen(&batch.token_type_ids, 0),
                lengths: batch.lengths.clone(),
                truncated: batch.truncated.clone(),
            };
            let mut run = self.forward_reporting(w, &padded, timeout, predicted)?;
            let h = self.cfg.hidden_size;
            run.hidden =
                run.hidden.chunks(s16 * h).flat_map(|sent| sent[..batch.seq_len * h].iter().copied()).collect();
            return Ok(run);
        }
        let cfg = &self.cfg;
        encoder::check_batch_fits(cfg, batch.batch, batch.seq_len)?;
        let (h, inter) = (cfg.hidden_size, cfg.intermediate_size);
        let tokens = batch.batch * batch.seq_len;
        let dev = &self.device;
        let x0 = dev.alloc_from(Memory::Ddr, &encoder::embeddings(cfg, w, batch)?)?;
        let mut xa = dev.alloc::<f32>(Memory::Ddr, tokens * h)?;
        let xb = dev.alloc::<f32>(Memory::Ddr, tokens * h)?;
        let qkv = dev.alloc::<f32>(Memory::Ddr, tokens * 3 * h)?;
        let ctx = dev.alloc::<f32>(Memory::Ddr, tokens * h)?;
        let mid = dev.alloc::<f32>(Memory::Ddr, tokens * inter)?;
        let score_bias =
            encoder::score_bias(cfg, w, batch.seq_len).map(|b| dev.alloc_from(Memory::Ddr, &b)).transpose()?;
        let place = EncoderPlacement {
            emb_ln: self.emb_ln.line(),
            layers: self.layers.iter().map(LayerBufs::lines).collect(),
            x0: x0.line(),
            xa: xa.line(),
            xb: xb.line(),
            qkv: qkv.line(),
            ctx: ctx.line(),
            mid: mid.line(),
            score_bias: score_bias.as_ref().map(|b| b.line()),
        };
        let compiled = encoder::compile(cfg, batch, &place, dev.bitstream())?;
        predicted(&compiled.estimate);
        let t = std::time::Instant::now();
        let run = dev.submit(&compiled.exe)?;
        let uops = run.checked().map_or(0, |c| c.uops);
        let report = run.wait(timeout)?;
        let run_wall_s = t.elapsed().as_secs_f64();
        xa.sync_from_device()?;
        let phases = phase_times(&report, &compiled.phase_starts, &compiled.estimate);
        Ok(EncoderRun {
            phases,
            hidden: xa.as_slice().to_vec(),
            report,
            instr_words: compiled.exe.words.len(),
            uops,
            flops: compiled.flops,
            estimate: compiled.estimate,
            run_wall_s,
        })
    }
}
