//! One GEMM through the whole device path.

use super::RunError;
use crate::builder::{Gemm, GemmPlacement};
use crate::device::{Device, Memory, RunReport};
use crate::isa::PostOp;
use std::time::Duration;

/// Result of [`run_gemm`].
#[derive(Debug, Clone)]
pub struct GemmRun {
    /// C, M x N row-major.
    pub c: Vec<f32>,
    pub report: RunReport,
    pub instr_words: usize,
    pub uops: u128,
    /// Host wall seconds of the device run alone (submit to done), without staging the operands.
    pub run_wall_s: f64,
}

/// The operands of `C = post(A x B + bias + residual)`, row-major and unpadded. Which of the
/// optional ones must be present follows the [`Gemm`]'s epilogue: `residual` when `g.residual`,
/// `gamma` and `beta` (N each) when `g.post` is LayerNorm; a bias is used when given.
#[derive(Debug, Clone, Copy, Default)]
pub struct GemmInputs<'a> {
    pub a: &'a [f32],
    pub b: &'a [f32],
    pub bias: Option<&'a [f32]>,
    pub residual: Option<&'a [f32]>,
    pub gamma: Option<&'a [f32]>,
    pub beta: Option<&'a [f32]>,
}

/// Allocate, load, compile, run and read back `C = A x B (+ bias)` on `device`.
pub fn run_gemm(
    device: &Device,
    g: &Gemm,
    a: &[f32],
    b: &[f32],
    bias: Option<&[f32]>,
    timeout: Duration,
) -> Result<GemmRun, RunError> {
    run_gemm_with(device, g, &GemmInputs { a, b, bias, ..Default::default() }, timeout)
}

/// As [`run_gemm`], with the epilogue's operands. Buffers are allocated in the order A, B, bias,
/// residual, LayerNorm parameters, C: on an empty device that is the placement
/// [`Gemm::program_file`] records, so both run the same instruction words.
pub fn run_gemm_with(device: &Device, g: &Gemm, x: &GemmInputs<'_>, timeout: Duration) -> Result<GemmRun, RunError> {
    let check = |what, got: usize, expected: usize| {
        if got == expected {
            Ok(())
        } else {
            Err(RunError::Input { what, got, expected })
        }
    };
    fn need<'v>(
        what: &'static str,
        v: Option<&'v [f32]>,
        wanted: bool,
        len: usize,
    ) -> Result<Option<&'v [f32]>, RunError> {
        match (v, wanted) {
            (Some(v), true) if v.len() == len => Ok(Some(v)),
            (Some(v), true) => Err(RunError::Input { what, got: v.len(), expected: len }),
            (None, false) => Ok(None),
            (None, true) => Err(RunError::Operand { what, message: "this epilogue needs it".into() }),
            (Some(_), false) => Err(RunError::Operand { what, message: "this epilogue does not use it".into() }),
        }
    }
    g.check_fits()?;
    // check_fits bounds every product below the device windows, so these cannot overflow.
    check("A", x.a.len(), g.m * g.k)?;
    check("B", x.b.len(), g.k * g.n)?;
    if let Some(bias) = x.bias {
        check("bias", bias.len(), g.n)?;
    }
    let ln = g.post == PostOp::LayerNorm;
    let residual = need("residual", x.residual, g.residual, g.m * g.n)?;
    let gamma = need("gamma", x.gamma, ln, g.n)?;
    let beta = need("beta", x.beta, ln, g.n)?;
    let g = Gemm { bias: x.bias.is_some(), ..*g };
    let a_buf = device.alloc_from(Memory::Ddr, &g.pack_a(x.a))?;
    let b_buf = device.alloc_from(Memory::Lpddr, &g.pack_b(x.b))?;
    let bias_buf = x.bias.map(|v| device.alloc_from(Memory::Ddr, &g.pack_bias(v))).transpose()?;
    let res_buf = residual.map(|v| device.alloc_from(Memory::Ddr, &pad_rows(v, g.m, g.n, g.nc()))).transpose()?;
    let params = match (gamma, beta) {
        (Some(gm), Some(bt)) => {
            let nc = g.nc();
            let mut p = vec![0.0f32; 2 * nc];
            p[..g.n].copy_from_slice(gm);
            p[nc..nc + g.n].copy_from_slice(bt);
            Some(device.alloc_from(Memory::Ddr, &p)?)
        }
        _ => None,
    };
    let mut c_buf = device.alloc::<f32>(Memory::Ddr, g.c_len())?;
    let exe = g.compile(GemmPlacement {
        a_line: a_buf.line(),
        b_line: b_buf.line(),
        bias_line: bias_buf.as_ref().map(|b| b.line()),
        c_line: c_buf.line(),
        residual_line: res_buf.as_ref().map(|b| b.line()),
        params_line: params.as_ref().map(|b| b.line()),
    })?;
    let t = std::time::Instant::now();
    let run = device.submit(&exe)?;
    let uops = run.checked().map_or(0, |c| c.uops);
    let report = run.wait(timeout)?;
    let run_wall_s = t.elapsed().as_secs_f64();
    c_buf.sync_from_device()?;
    Ok(GemmRun { c: g.unpack_c(c_buf.as_slice()), report, instr_words: exe.words.len(), uops, run_wall_s })
}

/// `rows x cols` row-major laid out with `pitch` floats per row (zero padding).
pub(super) fn pad_rows(x: &[f32], rows: usize, cols: usize, pitch: usize) -> Vec<f32> {
    let mut out = vec![0.0f32; rows * pitch];
    for r in 0..rows {
        out[r * pitch..r * pitch + cols].copy_from_slice(&x[r * cols..(r + 1) * cols]);
    }
    out
}
