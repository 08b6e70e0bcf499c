//! Program builders: workloads compiled to instruction streams and engine runtime parameters.

pub mod attention;
pub mod encoder;
pub mod gemm;

use crate::device::{Device, DeviceError, Executable, Memory, RunReport};
use crate::isa::{EncodeError, EngineRtp, Opcode, Packet, Payload, Program, ENGINES};
pub use gemm::{Gemm, GemmPlacement};
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("cannot map this shape: {0}")]
    Shape(String),
    #[error("encoding failed: {0}")]
    Encode(#[from] EncodeError),
    #[error("input {what} has {got} elements, expected {expected}")]
    Input { what: &'static str, got: usize, expected: usize },
    #[error(transparent)]
    Device(#[from] DeviceError),
}

/// Accumulates packets in dispatch order.
#[derive(Debug, Default)]
pub struct ProgramBuilder {
    program: Program,
}

impl ProgramBuilder {
    pub fn new() -> ProgramBuilder {
        ProgramBuilder::default()
    }

    /// Append a packet (empty windows are skipped).
    pub fn push(&mut self, opcode: Opcode, mask: u32, repeat: u32, window: Vec<Payload>) -> Result<(), BuildError> {
        if window.is_empty() || repeat == 0 {
            return Ok(());
        }
        self.program.packets.push(Packet::new(opcode, mask, repeat, window));
        Ok(())
    }

    pub fn program(&self) -> &Program {
        &self.program
    }

    pub fn finish(self, rtp: [EngineRtp; ENGINES]) -> Result<Executable, BuildError> {
        Ok(Executable { words: self.program.encode()?, rtp })
    }
}

/// Engine runtime parameters from per-engine block totals.
pub fn engine_params(blocks: &[u64; ENGINES]) -> Result<[EngineRtp; ENGINES], BuildError> {
    let mut rtp = [EngineRtp::default(); ENGINES];
    for e in 0..ENGINES {
        rtp[e].blocks = u32::try_from(blocks[e])
            .map_err(|_| BuildError::Shape(format!("engine {e} would run {} blocks (more than 2^32)", blocks[e])))?;
    }
    Ok(rtp)
}

/// Result of [`run_gemm`].
#[derive(Debug, Clone)]
pub struct GemmRun {
    /// C, M x N row-major.
    pub c: Vec<f32>,
    pub report: RunReport,
    pub instr_words: usize,
    pub uops: u128,
}

/// Allocate, load, compile, run and read back `C = A x B (+ bias)` on `device`.
pub fn run_gemm(
    device: &Device,
    g: &Gemm,
    a: &[f32],
    b: &[f32],
    bias: Option<&[f32]>,
    timeout: Duration,
) -> Result<GemmRun, BuildError> {
    let check = |what, got: usize, expected: usize| {
        if got == expected {
            Ok(())
        } else {
            Err(BuildError::Input { what, got, expected })
        }
    };
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
    let checked = device.check(&exe)?;
    let report = device.run(&exe, timeout)?;
    c_buf.sync_from_device()?;
    Ok(GemmRun { c: g.unpack_c(c_buf.as_slice()), report, instr_words: exe.words.len(), uops: checked.uops })
}
