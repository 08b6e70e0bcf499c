//! One GEMM through the whole device path.

use super::RunError;
use crate::builder::{Gemm, GemmPlacement};
use crate::device::{Device, Memory, RunReport};
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

/// Allocate, load, compile, run and read back `C = A x B (+ bias)` on `device`.
pub fn run_gemm(
    device: &Device,
    g: &Gemm,
    a: &[f32],
    b: &[f32],
    bias: Option<&[f32]>,
    timeout: Duration,
) -> Result<GemmRun, RunError> {
    let check = |what, got: usize, expected: usize| {
        if got == expected {
            Ok(())
        } else {
            Err(RunError::Input { what, got, expected })
        }
    };
    g.check_fits()?;
    // check_fits bounds every product below the device windows, so these cannot overflow.
    check("A", a.len(), g.m * g.k)?;
    check("B", b.len(), g.k * g.n)?;
    if let Some(bias) = bias {
        check("bias", bias.len(), g.n)?;
    }
    let g = Gemm { bias: bias.is_some(), ..*g };
    let a_buf = device.alloc_from(Memory::Ddr, &g.pack_a(a))?;
    let b_buf = device.alloc_from(Memory::Lpddr, &g.pack_b(b))?;
    let bias_buf = bias.map(|x| device.alloc_from(Memory::Ddr, &g.pack_bias(x))).transpose()?;
    let mut c_buf = device.alloc::<f32>(Memory::Ddr, g.c_len())?;
    let exe = g.compile(GemmPlacement {
        a_line: a_buf.line(),
        b_line: b_buf.line(),
        bias_line: bias_buf.as_ref().map(|b| b.line()),
        c_line: c_buf.line(),
        ..Default::default()
    })?;
    let t = std::time::Instant::now();
    let run = device.submit(&exe)?;
    let uops = run.checked().map_or(0, |c| c.uops);
    let report = run.wait(timeout)?;
    let run_wall_s = t.elapsed().as_secs_f64();
    c_buf.sync_from_device()?;
    Ok(GemmRun { c: g.unpack_c(c_buf.as_slice()), report, instr_words: exe.words.len(), uops, run_wall_s })
}
