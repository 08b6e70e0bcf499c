//! `rsn sweep`: one workload template over sizes and bitstream parameters, as CSV, JSON and an
//! SVG plot ([`plot`], feature `plot`).
//!
//! A template names its swept size `N` (`gemm:N,N,N`, `bert-large-layer:8,N`); every `--n` value
//! is put in. Bitstream parameters are dotted keys of the description (`ddr.read_gbps`,
//! `postop.exp_units`) with lists of values; every combination is a separate description, with its
//! own fingerprint, on the model backend. Encoder workloads also report each phase.

#[cfg(feature = "plot")]
pub mod plot;

use crate::bench::{self, BenchError, BenchOptions, BenchResult, Workload};
use crate::bitstream::{Bitstream, BitstreamError};
use crate::device::{BackendKind, Device, DeviceError, OpenOptions};
use serde::Serialize;
use std::collections::BTreeMap;
use std::time::Duration;

/// Why a sweep could not run.
#[derive(Debug, thiserror::Error)]
pub enum SweepError {
    #[error("{0}")]
    Spec(String),
    #[error("bitstream parameter {key}: {message}")]
    Param { key: String, message: String },
    #[error(transparent)]
    Bitstream(#[from] BitstreamError),
    #[error(transparent)]
    Device(#[from] DeviceError),
    #[error("{workload} with {params}: {source}")]
    Point { workload: String, params: String, source: Box<BenchError> },
}

/// What to sweep.
#[derive(Debug, Clone)]
pub struct SweepSpec {
    /// Workload templates (an `N` is replaced by each of `n`, or of the template's own sizes after
    /// an `@`: `bert-large-layer:8,N@128,256`).
    pub templates: Vec<String>,
    pub n: Vec<usize>,
    /// Bitstream parameters and their values; every combination runs.
    pub params: Vec<(String, Vec<String>)>,
    pub backend: BackendKind,
    /// The description the parameters modify (`None`: the compiled-in one).
    pub base_toml: Option<(String, String)>,
    pub seed: u64,
    pub timeout: Duration,
    /// Check each point against the CPU references (slow at large sizes).
    pub check: bool,
}

/// A preset: the templates and sizes of a well-known sweep.
pub fn preset(name: &str) -> Option<(Vec<String>, Vec<usize>)> {
    match name {
        // Every BERT-Large layer shape (the encoder layer's GEMMs and attention) at the sequence
        // lengths BERT is run at, batch 1 and 8: the latency table hardware-aware model search uses.
        "bert-large" => {
            Some((vec!["bert-large-layer:1,N".into(), "bert-large-layer:8,N".into()], vec![128, 256, 384, 512]))
        }
        // Square GEMMs from 256 to 4096.
        "gemm" => Some((vec!["gemm:N,N,N".into()], vec![256, 512, 1024, 2048, 4096])),
        _ => None,
    }
}

/// Names of the presets, for help texts.
pub const PRESETS: &str = "bert-large (BERT-Large layer shapes, B = 1 and 8, S = 128..512), gemm (N^3, N = 256..4096)";

/// One operation of an encoder phase, for latency tables: a GEMM `m x n x k` (count 1) or the
/// attention of `count` (batch x heads) independent `m x n x k` = `S x S x head_dim` products.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PhaseOp {
    pub op: String,
    pub m: usize,
    pub n: usize,
    pub k: usize,
    pub count: usize,
}

/// One phase of one point.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PhaseRow {
    pub label: String,
    pub op: Option<PhaseOp>,
    pub estimate_cycles: f64,
    pub measured_cycles: Option<f64>,
    /// Measured when recorded, else the estimate.
    pub ms: f64,
}

/// One run of the sweep.
#[derive(Debug, Clone, Serialize)]
pub struct SweepPoint {
    /// The template it came from (`gemm:N,N,N`).
    pub template: String,
    pub workload: String,
    /// The value of each swept parameter (empty without parameters).
    pub params: BTreeMap<String, String>,
    /// The swept size (`N`), when the template has one.
    pub n: Option<usize>,
    /// Useful floating-point operations of the workload.
    pub flops: f64,
    pub phases: Vec<PhaseRow>,
    pub result: BenchResult,
}

/// The whole sweep (what `sweep.json` holds).
#[derive(Debug, Clone, Serialize)]
pub struct Sweep {
    pub backend: String,
    pub params: Vec<String>,
    pub points: Vec<SweepPoint>,
}

/// The value of each swept bitstream parameter.
pub type Setting = BTreeMap<String, String>;

/// Most points one sweep runs (settings x workloads). Combinations multiply: a few long value
/// lists would otherwise build millions of descriptions before the first point runs.
pub const MAX_POINTS: usize = 10_000;

fn too_many(what: &str) -> SweepError {
    SweepError::Spec(format!("{what}: more than {MAX_POINTS} points; sweep fewer values at a time"))
}

/// The descriptions to run: the base with every combination of the parameter values.
pub fn bitstreams(
    base: &(String, String),
    params: &[(String, Vec<String>)],
) -> Result<Vec<(Setting, Bitstream)>, SweepError> {
    let mut count = 1usize;
    for (key, values) in params {
        if values.is_empty() {
            return Err(SweepError::Param { key: key.clone(), message: "no values".into() });
        }
        count = count
            .checked_mul(values.len())
            .filter(|&c| c <= MAX_POINTS)
            .ok_or_else(|| too_many("the parameter values"))?;
    }
    let mut combos: Vec<Setting> = vec![Setting::new()];
    for (key, values) in params {
        combos = combos
            .into_iter()
            .flat_map(|c| {
                values.iter().map(move |v| {
                    let mut c = c.clone();
                    c.insert(key.clone(), v.clone());
                    c
                })
            })
            .collect();
    }
    let (text, source) = base;
    combos
        .into_iter()
        .map(|c| {
            let bs = if c.is_empty() { Bitstream::parse(text, source)? } else { with_params(text, source, &c)? };
            Ok((c, bs))
        })
        .collect()
}

/// `text` with each `section.key` set to its value. Only existing keys can be set, and a value
/// keeps the key's type (an integer key takes an integer).
pub fn with_params(text: &str, source: &str, set: &BTreeMap<String, String>) -> Result<Bitstream, SweepError> {
    let mut doc: toml::Table =
        toml::from_str(text).map_err(|e| SweepError::Spec(format!("bitstream description {source}: {e}")))?;
    for (key, value) in set {
        let bad = |message: String| SweepError::Param { key: key.clone(), message };
        let mut parts = key.split('.');
        let (Some(section), Some(field), None) = (parts.next(), parts.next(), parts.next()) else {
            return Err(bad("expected SECTION.KEY (e.g. ddr.read_gbps)".into()));
        };
        let table = doc
            .get_mut(section)
            .and_then(|t| t.as_table_mut())
            .ok_or_else(|| bad(format!("the description has no section [{section}]")))?;
        let known = table.keys().cloned().collect::<Vec<_>>().join(", ");
        let slot = table.get_mut(field).ok_or_else(|| bad(format!("[{section}] has no `{field}` (it has {known})")))?;
        *slot = match slot {
            toml::Value::Integer(_) => toml::Value::Integer(
                value.trim().parse::<i64>().map_err(|_| bad(format!("`{value}` is not an integer")))?,
            ),
            toml::Value::Float(_) => {
                toml::Value::Float(value.trim().parse::<f64>().map_err(|_| bad(format!("`{value}` is not a number")))?)
            }
            toml::Value::Boolean(_) => toml::Value::Boolean(
                value.trim().parse::<bool>().map_err(|_| bad(format!("`{value}` is not true or false")))?,
            ),
            toml::Value::String(_) => toml::Value::String(value.clone()),
            _ => return Err(bad("only numbers, booleans and strings can be swept".into())),
        };
    }
    let text = toml::to_string(&doc).map_err(|e| SweepError::Spec(e.to_string()))?;
    let label = set.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(" ");
    Ok(Bitstream::parse(&text, &format!("{source} with {label}"))?)
}

/// The workloads of the templates at every size, with the size each had.
pub fn workloads(templates: &[String], n: &[usize]) -> Result<Vec<(String, Workload, Option<usize>)>, SweepError> {
    let mut out = Vec::new();
    for full in templates {
        // `TEMPLATE@SIZES` carries its own sizes (templates of different kinds rarely share them).
        let (t, own) = match full.split_once('@') {
            Some((t, sizes)) => {
                let own: Result<Vec<usize>, _> = sizes.split(',').map(|x| x.trim().parse::<usize>()).collect();
                (t.to_string(), Some(own.map_err(|e| SweepError::Spec(format!("workload `{full}`: sizes: {e}")))?))
            }
            None => (full.clone(), None),
        };
        let t = &t;
        let n = own.as_deref().unwrap_or(n);
        if out.len().saturating_add(n.len()) > MAX_POINTS {
            return Err(too_many("the workload sizes"));
        }
        if t.contains('N') {
            if n.is_empty() {
                return Err(SweepError::Spec(format!("workload `{t}` sweeps N: give the sizes with --n or `@`")));
            }
            for &v in n {
                let w = t.replace('N', &v.to_string()).parse::<Workload>().map_err(SweepError::Spec)?;
                out.push((t.clone(), w, Some(v)));
            }
        } else {
            out.push((t.clone(), t.parse::<Workload>().map_err(SweepError::Spec)?, None));
        }
    }
    if out.is_empty() {
        return Err(SweepError::Spec("nothing to sweep: give --workload or --preset".into()));
    }
    Ok(out)
}

/// The encoder shape of a workload: hidden size, heads, FFN size, batch, sequence.
fn encoder_shape(w: &Workload) -> Option<(usize, usize, usize, usize, usize)> {
    match *w {
        Workload::BertLargeLayer { b, s } | Workload::BertLarge { b, s, .. } => Some((1024, 16, 4096, b, s)),
        Workload::MiniLm { b, s } => Some((384, 12, 1536, b, s)),
        Workload::Mpnet { b, s } => Some((768, 12, 3072, b, s)),
        Workload::Gemm { .. } => None,
    }
}

/// What a phase computes, from its label (`layer 3 ffn-up+GELU`) and the workload's shape.
pub fn phase_op(w: &Workload, label: &str) -> Option<PhaseOp> {
    let (h, heads, f, b, s) = encoder_shape(w)?;
    let t = b * s;
    let kind = label.rsplit(' ').next()?;
    let gemm = |op: &str, m, n, k| PhaseOp { op: op.into(), m, n, k, count: 1 };
    Some(match kind {
        "LN" => PhaseOp { op: "layernorm".into(), m: t, n: h, k: 0, count: 1 },
        "qkv" => gemm("gemm+bias", t, 3 * h, h),
        "attention" => PhaseOp { op: "attention".into(), m: s, n: s, k: h / heads, count: b * heads },
        "attn-out+LN" => gemm("gemm+bias+residual+layernorm", t, h, h),
        "ffn-up+GELU" => gemm("gemm+bias+gelu", t, f, h),
        "ffn-down+LN" => gemm("gemm+bias+residual+layernorm", t, h, f),
        _ => return None,
    })
}

/// Run the sweep; `progress` sees each point as it finishes.
pub fn run(spec: &SweepSpec, progress: &mut dyn FnMut(&SweepPoint)) -> Result<Sweep, SweepError> {
    if !spec.params.is_empty() && spec.backend != BackendKind::Model {
        return Err(SweepError::Spec(format!(
            "bitstream parameters are swept on the model backend: the {} device is built for one description",
            spec.backend
        )));
    }
    let base =
        spec.base_toml.clone().unwrap_or_else(|| (crate::bitstream::DEFAULT_TOML.to_string(), "builtin".to_string()));
    let work = workloads(&spec.templates, &spec.n)?;
    let descriptions = bitstreams(&base, &spec.params)?;
    if descriptions.len().saturating_mul(work.len()) > MAX_POINTS {
        return Err(too_many("the settings times the workloads"));
    }
    let opts = BenchOptions { seed: spec.seed, timeout: spec.timeout, check: spec.check, compare_with_model: false };
    let mut points = Vec::new();
    for (params, bs) in &descriptions {
        let device = Device::open(spec.backend, &OpenOptions { bitstream: Some(bs.clone()), ..Default::default() })?;
        for (template, w, n) in &work {
            let r = bench::bench_with(&device, w, &opts).map_err(|source| SweepError::Point {
                workload: w.to_string(),
                params: if params.is_empty() {
                    "the base description".into()
                } else {
                    params.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(" ")
                },
                source: Box::new(source),
            })?;
            let phases = r
                .phases
                .iter()
                .flatten()
                .map(|p| {
                    let cycles = p.measured_cycles.unwrap_or(p.estimate_cycles);
                    PhaseRow {
                        label: p.label.clone(),
                        op: phase_op(w, &p.label),
                        estimate_cycles: p.estimate_cycles,
                        measured_cycles: p.measured_cycles,
                        ms: cycles / (bs.desc.clock.pl_mhz * 1e3),
                    }
                })
                .collect();
            let point = SweepPoint {
                template: template.clone(),
                workload: r.workload.clone(),
                params: params.clone(),
                n: *n,
                flops: r.gflops * 1e9 * r.device_ms * 1e-3,
                phases,
                result: r,
            };
            progress(&point);
            points.push(point);
        }
    }
    Ok(Sweep {
        backend: spec.backend.to_string(),
        params: spec.params.iter().map(|(k, _)| k.clone()).collect(),
        points,
    })
}

/// A CSV field: quoted when it holds a comma, a quote or a line break.
fn field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

impl Sweep {
    /// Long-format CSV: one `total` row per point, then one row per phase for encoders. Columns:
    /// `workload, n, <each parameter>, phase, op, m, n_cols, k, count, pl_cycles, ms, gflops,
    /// efficiency, estimate_cycles, measured, bitstream`.
    pub fn to_csv(&self) -> String {
        let mut out = String::from("workload,n,");
        for p in &self.params {
            out.push_str(&field(p));
            out.push(',');
        }
        out.push_str("phase,op,m,n_cols,k,count,pl_cycles,ms,gflops,efficiency,estimate_cycles,measured,bitstream\n");
        for pt in &self.points {
            let r = &pt.result;
            let mut lead = format!("{},{},", field(&pt.workload), pt.n.map(|n| n.to_string()).unwrap_or_default());
            for p in &self.params {
                lead.push_str(&field(pt.params.get(p).map(String::as_str).unwrap_or("")));
                lead.push(',');
            }
            let (op, m, n, k) = match r.workload.parse::<Workload>() {
                Ok(Workload::Gemm { m, n, k }) => ("gemm".to_string(), m.to_string(), n.to_string(), k.to_string()),
                _ => ("encoder".to_string(), String::new(), String::new(), String::new()),
            };
            out.push_str(&format!(
                "{lead}total,{op},{m},{n},{k},1,{},{:.6},{:.3},{:.5},,true,{}\n",
                r.pl_cycles, r.device_ms, r.gflops, r.efficiency, r.bitstream
            ));
            for ph in &pt.phases {
                let (op, m, n, k, count) = match &ph.op {
                    Some(o) => (o.op.clone(), o.m.to_string(), o.n.to_string(), o.k.to_string(), o.count.to_string()),
                    None => Default::default(),
                };
                let cycles = ph.measured_cycles.unwrap_or(ph.estimate_cycles);
                out.push_str(&format!(
                    "{lead}{},{},{m},{n},{k},{count},{:.0},{:.6},,,{:.0},{},{}\n",
                    field(&ph.label),
                    field(&op),
                    cycles,
                    ph.ms,
                    ph.estimate_cycles,
                    ph.measured_cycles.is_some(),
                    r.bitstream
                ));
            }
        }
        out
    }

    /// Aligned text table of the points (and, for encoders, the first layer's phases).
    pub fn to_table(&self) -> String {
        let mut out = String::new();
        let ps: Vec<&str> = self.params.iter().map(String::as_str).collect();
        out.push_str(&format!(
            "{:<28} {:<24} {:>12} {:>10} {:>9}\n",
            "workload",
            ps.join(" "),
            "PL cycles",
            "ms",
            "GFLOPS"
        ));
        for pt in &self.points {
            let set = pt.params.values().cloned().collect::<Vec<_>>().join(" ");
            let r = &pt.result;
            out.push_str(&format!(
                "{:<28} {:<24} {:>12} {:>10.3} {:>9.1}\n",
                pt.workload, set, r.pl_cycles, r.device_ms, r.gflops
            ));
            for ph in pt.phases.iter().filter(|p| !p.label.starts_with("layer ") || p.label.starts_with("layer 0 ")) {
                let shape = ph
                    .op
                    .as_ref()
                    .map(|o| {
                        if o.count > 1 {
                            format!("{} {}x {}x{}x{}", o.op, o.count, o.m, o.n, o.k)
                        } else if o.k == 0 {
                            format!("{} {}x{}", o.op, o.m, o.n)
                        } else {
                            format!("{} {}x{}x{}", o.op, o.m, o.n, o.k)
                        }
                    })
                    .unwrap_or_default();
                out.push_str(&format!("    {:<22} {:<44} {:>10.3} ms\n", ph.label, shape, ph.ms));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_keep_their_type_and_must_exist() {
        let base = (crate::bitstream::DEFAULT_TOML.to_string(), "builtin".to_string());
        let set = |k: &str, v: &str| vec![(k.to_string(), vec![v.to_string()])];
        let bs = bitstreams(&base, &set("ddr.read_gbps", "42")).unwrap();
        assert_eq!(bs[0].1.desc.ddr.read_gbps, 42.0);
        assert_ne!(bs[0].1.fingerprint, Bitstream::builtin().fingerprint);
        let bs = bitstreams(&base, &set("postop.exp_units", "8")).unwrap();
        assert_eq!(bs[0].1.desc.postop.exp_units, 8);
        for (k, v, want) in [
            ("postop.exp_units", "8.5", "not an integer"),
            ("ddr.nope", "1", "has no `nope`"),
            ("nope.x", "1", "no section [nope]"),
            ("ddr", "1", "SECTION.KEY"),
            ("ddr.read_gbps", "0", "must be positive"),
        ] {
            let e = bitstreams(&base, &set(k, v)).unwrap_err().to_string();
            assert!(e.contains(want), "{k}={v}: {e}");
        }
        let two = vec![
            ("ddr.read_gbps".into(), vec!["10".into(), "20".into()]),
            ("postop.exp_units".into(), vec!["4".into(), "8".into(), "16".into()]),
        ];
        assert_eq!(bitstreams(&base, &two).unwrap().len(), 6);
        // Combinations are counted before any is built.
        let values: Vec<String> = (1..=100).map(|v| v.to_string()).collect();
        let many: Vec<_> = ["postop.exp_units", "postop.gelu_units", "ddr.read_gbps"]
            .iter()
            .map(|k| (k.to_string(), values.clone()))
            .collect();
        let e = bitstreams(&base, &many).unwrap_err().to_string();
        assert!(e.contains("more than 10000 points"), "{e}");
        let sizes: Vec<usize> = (1..=MAX_POINTS + 1).collect();
        let e = workloads(&["gemm:N,N,N".into()], &sizes).unwrap_err().to_string();
        assert!(e.contains("more than 10000 points"), "{e}");
    }

    #[test]
    fn templates_expand_and_phases_name_their_shapes() {
        let w = workloads(&["gemm:N,N,64".into(), "minilm:2,16".into(), "mpnet:1,N@32".into()], &[128, 256]).unwrap();
        let names: Vec<String> = w.iter().map(|(_, w, _)| w.to_string()).collect();
        assert_eq!(names, ["gemm:128,128,64", "gemm:256,256,64", "minilm:2,16", "mpnet:1,32"]);
        assert_eq!(w[3].0, "mpnet:1,N", "the template without its sizes");
        assert!(workloads(&["gemm:N,N,N@x".into()], &[]).is_err());
        assert!(workloads(&["gemm:N,N,N".into()], &[]).is_err());
        let bl = Workload::BertLargeLayer { b: 8, s: 384 };
        assert_eq!(
            phase_op(&bl, "layer 0 ffn-down+LN").unwrap(),
            PhaseOp { op: "gemm+bias+residual+layernorm".into(), m: 3072, n: 1024, k: 4096, count: 1 }
        );
        assert_eq!(phase_op(&bl, "layer 0 attention").unwrap().count, 128);
        assert_eq!(phase_op(&bl, "embeddings LN").unwrap().op, "layernorm");
    }

    #[test]
    fn csv_fields_are_quoted_when_needed() {
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("x\"y"), "\"x\"\"y\"");
        assert_eq!(field("plain"), "plain");
    }
}
