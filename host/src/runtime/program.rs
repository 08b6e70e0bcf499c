//! Running a program file: allocate every buffer exactly where the file says (the words address
//! those offsets), place the named inputs in their buffers, run, and read the named outputs back.

use super::RunError;
use crate::device::{Buffer, Device, RunReport};
use crate::progfile::{ProgramFile, TensorSpec};
use std::time::Duration;

/// One output tensor of a [`run_file`].
#[derive(Debug, Clone, PartialEq)]
pub struct Tensor {
    pub name: String,
    pub shape: Vec<usize>,
    pub data: Vec<f32>,
}

/// Result of [`run_file`].
#[derive(Debug, Clone)]
pub struct FileRun {
    /// Every output the file declares, in its order.
    pub outputs: Vec<Tensor>,
    pub report: RunReport,
    pub instr_words: usize,
    pub uops: u128,
    /// Host wall seconds of the device run alone (submit to done).
    pub run_wall_s: f64,
}

/// Run `file` on `device` with its named inputs (`(name, data)`, data C-order as the declared
/// shape). The device must have the file's buffer ranges free (an empty device does), and its
/// bitstream must be the one the file was compiled for.
pub fn run_file(
    device: &Device,
    file: &ProgramFile,
    inputs: &[(&str, &[f32])],
    timeout: Duration,
) -> Result<FileRun, RunError> {
    file.check_bitstream(device.bitstream())?;
    let h = &file.header;
    crate::progfile::check_header(h)?;
    for (name, _) in inputs {
        if !h.inputs.iter().any(|t| t.name == *name) {
            return Err(RunError::UnknownInput {
                name: name.to_string(),
                known: h.inputs.iter().map(|t| t.name.clone()).collect::<Vec<_>>().join(", "),
            });
        }
    }
    let mut given = Vec::with_capacity(h.inputs.len());
    for t in &h.inputs {
        let mut it = inputs.iter().filter(|(n, _)| *n == t.name);
        let data = it.next().ok_or_else(|| RunError::MissingInput { name: t.name.clone() })?.1;
        if it.next().is_some() {
            return Err(RunError::DuplicateInput { name: t.name.clone() });
        }
        if data.len() != t.elements() {
            return Err(RunError::Shape { name: t.name.clone(), shape: t.shape.clone(), got: data.len() });
        }
        given.push((t, data));
    }
    // The header was checked above: each buffer is whole f32 elements, inside its window, and
    // holds its tensors.
    let mut bufs: Vec<Buffer<f32>> = Vec::with_capacity(h.buffers.len());
    for b in &h.buffers {
        bufs.push(device.alloc_at::<f32>(b.memory, b.offset, (b.bytes / 4) as usize)?);
    }
    let index = |t: &TensorSpec| h.buffers.iter().position(|b| b.name == t.buffer).unwrap_or(0);
    for (t, data) in &given {
        let dst = bufs[index(t)].as_mut_slice();
        let cols = t.cols();
        for (r, row) in data.chunks_exact(cols).enumerate() {
            let at = t.offset + r * t.row_pitch;
            dst[at..at + cols].copy_from_slice(row);
        }
    }
    for b in &bufs {
        b.sync_to_device()?;
    }
    let t0 = std::time::Instant::now();
    let run = device.submit(&file.exe)?;
    let uops = run.checked().map_or(0, |c| c.uops);
    let report = run.wait(timeout)?;
    let run_wall_s = t0.elapsed().as_secs_f64();
    let mut outputs = Vec::with_capacity(h.outputs.len());
    for t in &h.outputs {
        let b = &mut bufs[index(t)];
        b.sync_from_device()?;
        let src = b.as_slice();
        let cols = t.cols();
        let mut data = Vec::with_capacity(t.elements());
        for r in 0..t.rows() {
            let at = t.offset + r * t.row_pitch;
            data.extend_from_slice(&src[at..at + cols]);
        }
        outputs.push(Tensor { name: t.name.clone(), shape: t.shape.clone(), data });
    }
    Ok(FileRun { outputs, report, instr_words: file.exe.words.len(), uops, run_wall_s })
}
