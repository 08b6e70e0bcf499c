//! Multi-head attention on the pipelined path of the paper: per (sentence, head),
//! `S = Q x K^T` on MME0 (rows 0-255) and MME2 (rows 256-511) with K transposed on its way into MemB0;
//! MemC0 / MemC2 apply the softmax on their drain path and send the probabilities through MeshA
//! straight to MME4 / MME5, which multiply by V held in MemB2; MemC4 / MemC5 store the context.
//! Nothing but Q, K, V and the context touches DRAM.
//!
//! Masking happens on the device: MemC's softmax runs over the sentence's real length only and the
//! padded key columns leave MemC as zeros, so padded keys never contribute. An additive score bias
//! (MPNet's relative positions), when given, is preloaded into MemC before the scores accumulate
//! onto it. The 1/sqrt(head_dim) scale is folded into the query weights by the caller.

use super::{BuildError, ProgramBuilder};
use crate::isa::{
    DramOp, DramPort, LoadMode, MemAOp, MemBOp, MemCOp, MeshAOp, MeshBOp, Opcode, Payload, PostOp, ENGINES,
};

/// Shapes and DRAM placement of one attention phase.
#[derive(Debug, Clone)]
pub struct Attention {
    pub batch: usize,
    /// Padded sequence length (rows per sentence in the token-major buffers), <= 512.
    pub seq: usize,
    pub heads: usize,
    pub head_dim: usize,
    /// Real length of each sentence (keys beyond it are masked out).
    pub lengths: Vec<usize>,
    /// Q, K, V: token-major `[batch*seq, pitch]`, Q at column `q_col + h*head_dim`, likewise K, V.
    pub qkv_line: u64,
    pub qkv_pitch: usize,
    pub q_col: usize,
    pub k_col: usize,
    pub v_col: usize,
    /// Context output: token-major `[batch*seq, ctx_pitch]`, head h at column `h*head_dim`.
    pub ctx_line: u64,
    pub ctx_pitch: usize,
    /// Optional additive score bias per head, shared by the sentences: `[heads, seq, seq]` row-major.
    pub bias_line: Option<u64>,
}

impl Attention {
    /// Append the attention packets; add the engine blocks to `blocks`.
    pub fn emit(&self, pb: &mut ProgramBuilder, blocks: &mut [u64; ENGINES]) -> Result<(), BuildError> {
        let (s, d) = (self.seq, self.head_dim);
        if s == 0 || s > 512 {
            return Err(BuildError::Shape(format!("attention over {s} tokens: 1..=512 fit MemC's 512 columns")));
        }
        if d == 0 || d > 64 || d % 16 != 0 {
            return Err(BuildError::Shape(format!("head_dim {d}: multiples of 16 up to 64 fit MemB2")));
        }
        if self.lengths.len() != self.batch || self.lengths.iter().any(|&l| l == 0 || l > s) {
            return Err(BuildError::Shape("every sentence needs a real length in 1..=seq".into()));
        }
        for (what, p) in [("qkv", self.qkv_pitch), ("ctx", self.ctx_pitch)] {
            if p % 16 != 0 {
                return Err(BuildError::Shape(format!("{what} pitch {p} is not a multiple of 16 floats")));
            }
        }
        let halves: Vec<usize> = if s > 256 { vec![0, 1] } else { vec![0] };
        let rows_of = |half: usize| if half == 0 { s.min(256) } else { s - 256 };
        let rb = if s > 256 { 2 } else { s.div_ceil(128) } as u32;
        let cb = s.div_ceil(128) as u32;
        let n = self.batch * self.heads;
        let line = |base: u64, floats: usize| -> Result<u32, BuildError> {
            u32::try_from(base + floats as u64 / 16)
                .map_err(|_| BuildError::Shape("address exceeds 32-bit lines".into()))
        };
        // Per head t (= sentence b, head h), in dispatch order, with every memory FU one step
        // behind its loads (double buffering) and the second matmul one further step behind.
        for v in 0..=n + 2 {
            if v < n {
                let (b, h) = (v / self.heads, v % self.heads);
                let row0 = b * s;
                let mut w = Vec::new();
                for &half in &halves {
                    let r0 = row0 + half * 256;
                    w.push(dram(
                        line(self.qkv_line, r0 * self.qkv_pitch + self.q_col + h * d)?,
                        d,
                        rows_of(half),
                        self.qkv_pitch,
                        DramPort::MemA(half as u32),
                    ));
                }
                w.push(dram(
                    line(self.qkv_line, row0 * self.qkv_pitch + self.k_col + h * d)?,
                    d,
                    s,
                    self.qkv_pitch,
                    DramPort::MemB(0),
                ));
                w.push(dram(
                    line(self.qkv_line, row0 * self.qkv_pitch + self.v_col + h * d)?,
                    d,
                    s,
                    self.qkv_pitch,
                    DramPort::MemB(2),
                ));
                if let Some(bl) = self.bias_line {
                    for &half in &halves {
                        let base = (h * s + half * 256) * s;
                        let s16 = s.div_ceil(16) * 16;
                        if s16 != s {
                            return Err(BuildError::Shape(format!(
                                "a score bias needs seq ({s}) to be a multiple of 16"
                            )));
                        }
                        w.push(dram(line(bl, base)?, s, rows_of(half), s, DramPort::MemC(2 * half as u32)));
                    }
                }
                pb.push(Opcode::Ddr, 1, 1, w)?;
            }
            let t = v as u32;
            // Memory FUs: mOP t loads head t and sends head t-1.
            if v <= n {
                let load = v < n;
                let send = v > 0;
                for &half in &halves {
                    let op = MemAOp {
                        load_en: load as u32,
                        send_en: send as u32,
                        load_bank: t & 1,
                        send_bank: (t + 1) & 1,
                        rows: if load { rows_of(half) as u32 } else { 0 },
                        cols: if load { d as u32 } else { 0 },
                        send_rb: if send { rb } else { 0 },
                        send_cb: if send { cb } else { 0 },
                        ..Default::default()
                    };
                    pb.push(Opcode::MemA, 1 << half, 1, vec![Payload::MemA(op)])?;
                }
                let kt = MemBOp {
                    load_en: load as u32,
                    send_en: send as u32,
                    load_bank: t & 1,
                    send_bank: (t + 1) & 1,
                    transpose: 1,
                    rows: if load { d as u32 } else { 0 },
                    cols: if load { s as u32 } else { 0 },
                    send_kb: send as u32,
                    send_cb: if send { cb } else { 0 },
                    send_reps: if send { rb } else { 0 },
                    ..Default::default()
                };
                pb.push(Opcode::MemB, 1, 1, vec![Payload::MemB(MemBOp { transpose: load as u32, ..kt })])?;
                let vv = MemBOp {
                    load_en: load as u32,
                    send_en: send as u32,
                    load_bank: t & 1,
                    send_bank: (t + 1) & 1,
                    rows: if load { s as u32 } else { 0 },
                    cols: if load { d as u32 } else { 0 },
                    send_kb: if send { cb } else { 0 },
                    send_cb: send as u32,
                    send_reps: if send { rb } else { 0 },
                    ..Default::default()
                };
                pb.push(Opcode::MemB, 1 << 2, 1, vec![Payload::MemB(vv)])?;
            }
            // Meshes, step v: Q/K of head v-1 to MME0/2, probabilities and V of head v-2 to MME4/5.
            if (1..=n + 1).contains(&v) {
                let qk = v <= n;
                let pv = v >= 2;
                let mut ma = MeshAOp { blocks: rb * cb, ..Default::default() };
                let mut mb = MeshBOp { blocks: rb * cb, ..Default::default() };
                if qk {
                    ma.src0 = 1;
                    mb.src0 = 1;
                    if halves.len() == 2 {
                        ma.src2 = 2;
                        mb.src2 = 1;
                    }
                }
                if pv {
                    ma.src4 = 4;
                    mb.src4 = 3;
                    if halves.len() == 2 {
                        ma.src5 = 6;
                        mb.src5 = 3;
                    }
                }
                pb.push(Opcode::MeshA, 1, 1, vec![Payload::MeshA(ma)])?;
                pb.push(Opcode::MeshB, 1, 1, vec![Payload::MeshB(mb)])?;
            }
            // MemC0/2, mOP u = v-1 (u in 0..=n): receive the scores of head u, drain the
            // probabilities of head u-1 through the softmax to MeshA.
            if (1..=n + 1).contains(&v) {
                let u = (v - 1) as u32;
                for &half in &halves {
                    let e = 2 * half;
                    let recv = (u as usize) < n;
                    let drain = u >= 1;
                    let len = if drain { self.lengths[(u as usize - 1) / self.heads] } else { 0 };
                    let mut ops = Vec::new();
                    let base = MemCOp { fill_bank: u & 1, drain_bank: (u + 1) & 1, ..Default::default() };
                    if recv && self.bias_line.is_some() {
                        ops.push(MemCOp {
                            load_mode: LoadMode::Tile as u32,
                            rows: rows_of(half) as u32,
                            cols: s as u32,
                            ..base
                        });
                    }
                    if recv {
                        ops.push(MemCOp {
                            recv_en: 1,
                            acc: self.bias_line.is_some() as u32,
                            recv_rb: rb,
                            recv_cb: cb,
                            recv_kb: 1,
                            k_iters: 1,
                            rows: 1,
                            cols: 1,
                            ..base
                        });
                    }
                    if drain {
                        let d_op = MemCOp {
                            drain: 2,
                            post_op: PostOp::Softmax as u32,
                            rows: rows_of(half) as u32,
                            cols: len as u32,
                            send_rb: rb,
                            send_cb: 1,
                            send_kb: cb,
                            ..base
                        };
                        // The drain rides on the receive when no load needs the shared dims.
                        match ops.last_mut() {
                            Some(r) if r.load_mode == 0 => {
                                r.drain = d_op.drain;
                                r.post_op = d_op.post_op;
                                r.rows = d_op.rows;
                                r.cols = d_op.cols;
                                r.send_rb = d_op.send_rb;
                                r.send_cb = d_op.send_cb;
                                r.send_kb = d_op.send_kb;
                            }
                            _ => ops.insert(0, d_op),
                        }
                    }
                    for op in ops {
                        pb.push(Opcode::MemC, 1 << e, 1, vec![Payload::MemC(op)])?;
                    }
                }
            }
            // MemC4/5, mOP w = v-2 (w in 0..=n): receive the context of head w, store head w-1.
            if v >= 2 {
                let w = (v - 2) as u32;
                for &half in &halves {
                    let e = 4 + half;
                    let recv = (w as usize) < n;
                    let store = w >= 1;
                    let op = MemCOp {
                        recv_en: recv as u32,
                        recv_rb: if recv { rb } else { 0 },
                        recv_cb: recv as u32,
                        recv_kb: if recv { cb } else { 0 },
                        k_iters: recv as u32,
                        fill_bank: w & 1,
                        drain_bank: (w + 1) & 1,
                        drain: store as u32,
                        rows: rows_of(half) as u32,
                        cols: d as u32,
                        ..Default::default()
                    };
                    pb.push(Opcode::MemC, 1 << e, 1, vec![Payload::MemC(op)])?;
                    if store {
                        let p = w as usize - 1;
                        let (b, h) = (p / self.heads, p % self.heads);
                        let r0 = b * s + half * 256;
                        let st = dram(
                            line(self.ctx_line, r0 * self.ctx_pitch + h * d)?,
                            d,
                            rows_of(half),
                            self.ctx_pitch,
                            DramPort::MemC(e as u32),
                        );
                        let Payload::Dram(mut st) = st else { unreachable!() };
                        st.store = 1;
                        pb.push(Opcode::Ddr, 1, 1, vec![Payload::Dram(st)])?;
                    }
                }
            }
        }
        let per_head = (rb * cb) as u64 * n as u64;
        for &half in &halves {
            blocks[2 * half] += per_head;
            blocks[4 + half] += per_head;
        }
        Ok(())
    }
}

/// A strided DRAM transfer of `rows` chunks of `cols` floats, `pitch` floats apart.
fn dram(start: u32, cols: usize, rows: usize, pitch: usize, port: DramPort) -> Payload {
    Payload::Dram(DramOp {
        start,
        chunk_lines: (cols / 16) as u32,
        chunk_count: rows as u32,
        chunk_stride: (pitch / 16) as u32,
        port: port.bits(),
        ..Default::default()
    })
}
