//! C = A x B (+ bias) for any M, N, K, compiled to one RSN program.
//!
//! Mapping (spec section 2): a *super-tile* of 768 x 1024 outputs uses MemA0-2 (256 rows each) and
//! MemB0-1 (512 columns each); engine `e = 2i + j` multiplies MemA_i's tile by MemB_j's and MemC_e
//! accumulates the 256 x 512 result over the K steps of 128. Every memory FU double-buffers: the mOP
//! of step s loads step s into one bank while sending step s-1 from the other. MemC fills one bank
//! while storing the previous super-tile from the other. Edges are zero-filled on chip: rows,
//! columns and K beyond the real shape contribute exact zeros and are never stored.
//!
//! DRAM layout (row-major, pitches rounded up to 16 floats = one 64-byte line, padding zero):
//! A in DDR `M x ka`, B in LPDDR `K x nb`, bias in DDR `nb`, C in DDR `M x nc`.

use super::{BuildError, ProgramBuilder};
use crate::hal::Memory;
use crate::isa::{
    DramOp, DramPort, Executable, LoadMode, MemAOp, MemBOp, MemCOp, MeshAOp, MeshBOp, Opcode, Payload, PostOp, ENGINES,
};
use crate::progfile::{Dtype, Planner, ProgramFile, TensorSpec};

const TILE_M: usize = 256;
const TILE_N: usize = 512;
const STEP_K: usize = 128;

/// A GEMM shape and its epilogue: `C = post(A x B + bias + residual)`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Gemm {
    pub m: usize,
    pub n: usize,
    pub k: usize,
    pub bias: bool,
    /// Add an M x N residual (same layout as C) before the post-op.
    pub residual: bool,
    /// Applied on MemC's store path: none, GELU, or LayerNorm over the N columns (N <= 512).
    pub post: PostOp,
    /// LayerNorm epsilon.
    pub eps: f32,
}

fn round16(x: usize) -> usize {
    x.div_ceil(16) * 16
}

/// Where the operands live: the first 64-byte line of each buffer in its memory window. A, bias,
/// residual, LayerNorm parameters and C are in DDR, B in LPDDR.
#[derive(Debug, Clone, Copy, Default)]
pub struct GemmPlacement {
    pub a_line: u64,
    pub b_line: u64,
    pub bias_line: Option<u64>,
    pub c_line: u64,
    /// Residual, laid out like C.
    pub residual_line: Option<u64>,
    /// LayerNorm gamma then beta, each `round16(N)` floats.
    pub params_line: Option<u64>,
}

/// One 768 x 1024 super-tile's active units.
struct Super {
    row0: usize,
    col0: usize,
    /// Rows of MemA_i's tile (0 = inactive).
    rows: [usize; 3],
    /// Columns of MemB_j's tile (0 = inactive).
    cols: [usize; 2],
    rb: u32,
    cb: u32,
}

impl Super {
    fn engine_active(&self, e: usize) -> bool {
        self.rows[e / 2] > 0 && self.cols[e % 2] > 0
    }
}

#[derive(Clone, Copy, PartialEq)]
struct Pattern {
    rb: u32,
    cb: u32,
}

#[derive(Clone, Copy)]
struct Drain {
    rows: usize,
    cols16: usize,
    row0: usize,
    col0: usize,
}

impl Gemm {
    pub fn new(m: usize, n: usize, k: usize) -> Gemm {
        Gemm { m, n, k, bias: false, residual: false, post: PostOp::None, eps: 0.0 }
    }

    /// Row pitch of A, rows of B, C in floats.
    pub fn ka(&self) -> usize {
        round16(self.k)
    }
    pub fn nb(&self) -> usize {
        round16(self.n)
    }
    pub fn nc(&self) -> usize {
        round16(self.n)
    }

    /// Bytes of the device buffers: (A + C, and the residual, in DDR; B in LPDDR), `None` when the
    /// arithmetic overflows.
    pub fn device_bytes(&self) -> Option<(u64, u64)> {
        let (m, n, k) = (self.m as u64, self.n as u64, self.k as u64);
        let pad = |x: u64| x.checked_add(15).map(|v| v / 16 * 16);
        let a = m.checked_mul(pad(k)?)?.checked_mul(4)?;
        let c = m.checked_mul(pad(n)?)?.checked_mul(4)?;
        let b = k.checked_mul(pad(n)?)?.checked_mul(4)?;
        let ddr = a.checked_add(c)?.checked_add(if self.residual { c } else { 0 })?;
        Some((ddr, b))
    }

    /// Refuse a shape whose buffers cannot fit the device's memory windows, before anything is
    /// allocated or compiled for it.
    pub fn check_fits(&self) -> Result<(), BuildError> {
        let (ddr_w, lp_w) = (Memory::Ddr.window_bytes(), Memory::Lpddr.window_bytes());
        match self.device_bytes() {
            Some((ddr, lp)) if ddr <= ddr_w && lp <= lp_w => Ok(()),
            Some((ddr, lp)) => Err(BuildError::TooLarge(format!(
                "GEMM {}x{}x{} needs {ddr} bytes of DDR (A, C) and {lp} of LPDDR (B); the windows hold {ddr_w} and {lp_w}",
                self.m, self.n, self.k
            ))),
            None => Err(BuildError::TooLarge(format!("GEMM {}x{}x{}: its sizes overflow", self.m, self.n, self.k))),
        }
    }

    /// Useful floating-point operations (2 per multiply-add, plus the bias adds).
    pub fn flops(&self) -> f64 {
        2.0 * self.m as f64 * self.n as f64 * self.k as f64 + if self.bias { (self.m * self.n) as f64 } else { 0.0 }
    }

    /// A (M x K row-major) laid out for the device.
    pub fn pack_a(&self, a: &[f32]) -> Vec<f32> {
        pad_rows(a, self.m, self.k, self.ka())
    }
    /// B (K x N row-major) laid out for the device.
    pub fn pack_b(&self, b: &[f32]) -> Vec<f32> {
        pad_rows(b, self.k, self.n, self.nb())
    }
    pub fn pack_bias(&self, bias: &[f32]) -> Vec<f32> {
        pad_rows(bias, 1, self.n, self.nb())
    }
    /// Floats of the C buffer.
    pub fn c_len(&self) -> usize {
        self.m * self.nc()
    }
    /// C (M x N) from the device's C buffer.
    pub fn unpack_c(&self, c: &[f32]) -> Vec<f32> {
        let nc = self.nc();
        (0..self.m).flat_map(|r| c[r * nc..r * nc + self.n].iter().copied()).collect()
    }

    fn supers(&self) -> Vec<Super> {
        let mut v = Vec::new();
        for row0 in (0..self.m).step_by(3 * TILE_M) {
            for col0 in (0..self.n).step_by(2 * TILE_N) {
                let rows = [0, 1, 2].map(|i| self.m.saturating_sub(row0 + i * TILE_M).min(TILE_M));
                let cols = [0, 1].map(|j| self.n.saturating_sub(col0 + j * TILE_N).min(TILE_N));
                let rb = rows.iter().map(|r| r.div_ceil(128)).max().unwrap_or(0) as u32;
                let cb = cols.iter().map(|c| c.div_ceil(128)).max().unwrap_or(0) as u32;
                v.push(Super { row0, col0, rows, cols, rb, cb });
            }
        }
        v
    }

    /// Compile into a program file for the placement an empty device gives the operands when they
    /// are allocated as [`crate::runtime::run_gemm`] allocates them (A, B, bias, residual,
    /// LayerNorm parameters, C), with the named tensors `A`, `B`, `bias`, `residual`, `gamma`,
    /// `beta` (inputs, as present) and `C` (output).
    pub fn program_file(&self, bs: &crate::bitstream::Bitstream) -> Result<ProgramFile, BuildError> {
        // Bounds every size below the device windows before any is computed.
        self.check_fits()?;
        let (m, n, k) = (self.m, self.n, self.k);
        let bytes = |floats: usize| floats as u64 * 4;
        let mut plan = Planner::new();
        let mut inputs = Vec::new();
        let t = |name: &str, buffer: &str, shape: Vec<usize>, row_pitch: usize, offset: usize| TensorSpec {
            name: name.into(),
            buffer: buffer.into(),
            dtype: Dtype::F32,
            shape,
            row_pitch,
            offset,
        };
        let a_line = plan.place("a", Memory::Ddr, bytes(m * self.ka()));
        inputs.push(t("A", "a", vec![m, k], self.ka(), 0));
        let b_line = plan.place("b", Memory::Lpddr, bytes(k * self.nb()));
        inputs.push(t("B", "b", vec![k, n], self.nb(), 0));
        let bias_line = self.bias.then(|| plan.place("bias", Memory::Ddr, bytes(self.nb())));
        if self.bias {
            inputs.push(t("bias", "bias", vec![n], self.nb(), 0));
        }
        let residual_line = self.residual.then(|| plan.place("residual", Memory::Ddr, bytes(self.c_len())));
        if self.residual {
            inputs.push(t("residual", "residual", vec![m, n], self.nc(), 0));
        }
        let ln = self.post == PostOp::LayerNorm;
        let params_line = ln.then(|| plan.place("ln", Memory::Ddr, bytes(2 * self.nc())));
        if ln {
            inputs.push(t("gamma", "ln", vec![n], self.nc(), 0));
            inputs.push(t("beta", "ln", vec![n], self.nc(), self.nc()));
        }
        let c_line = plan.place("c", Memory::Ddr, bytes(self.c_len()));
        let outputs = vec![t("C", "c", vec![m, n], self.nc(), 0)];
        let exe = self.compile(GemmPlacement { a_line, b_line, bias_line, c_line, residual_line, params_line })?;
        let mut workload = format!("gemm:{m},{n},{k}");
        for (on, what) in [(self.bias, "+bias"), (self.residual, "+residual")] {
            if on {
                workload.push_str(what);
            }
        }
        match self.post {
            PostOp::Gelu => workload.push_str("+gelu"),
            PostOp::LayerNorm => workload.push_str(&format!("+layernorm(eps={})", self.eps)),
            _ => {}
        }
        Ok(ProgramFile::new(exe, bs, workload, plan.into_buffers(), inputs, outputs)?)
    }

    /// Compile for the given placement.
    pub fn compile(&self, at: GemmPlacement) -> Result<Executable, BuildError> {
        let mut pb = ProgramBuilder::new();
        let mut blocks = [0u64; ENGINES];
        self.emit(&mut pb, at, &mut blocks)?;
        pb.finish(super::engine_params(&blocks)?)
    }

    /// Append this GEMM's packets to `pb` (its FUs start and end with empty pipelines) and add its
    /// engine blocks to `blocks`.
    pub fn emit(
        &self,
        pb: &mut ProgramBuilder,
        at: GemmPlacement,
        blocks: &mut [u64; ENGINES],
    ) -> Result<(), BuildError> {
        if self.m == 0 || self.n == 0 || self.k == 0 {
            return Err(BuildError::Shape(format!("GEMM {}x{}x{} has an empty dimension", self.m, self.n, self.k)));
        }
        self.check_fits()?;
        if self.bias != at.bias_line.is_some() {
            return Err(BuildError::Shape("a bias buffer is needed exactly when the GEMM has a bias".into()));
        }
        if self.residual != at.residual_line.is_some() {
            return Err(BuildError::Shape("a residual buffer is needed exactly when the GEMM has a residual".into()));
        }
        if (self.post == PostOp::LayerNorm) != at.params_line.is_some() {
            return Err(BuildError::Shape(
                "LayerNorm parameters are needed exactly when the post-op is LayerNorm".into(),
            ));
        }
        if self.post == PostOp::LayerNorm && (self.n > 2 * TILE_N || !self.n.is_multiple_of(16)) {
            return Err(BuildError::Shape(format!(
                "LayerNorm over N = {} columns: a row must fit one MemC pair (N <= {}) and N must be a multiple of 16",
                self.n,
                2 * TILE_N
            )));
        }
        if self.post == PostOp::Softmax {
            return Err(BuildError::Shape("softmax belongs to the attention path, not to a GEMM epilogue".into()));
        }
        let (ka, nb, nc) = (self.ka() as u64, self.nb() as u64, self.nc() as u64);
        let steps = self.k.div_ceil(STEP_K);
        let full = self.k / STEP_K;
        let partial = self.k % STEP_K;
        if steps > 0xffff {
            return Err(BuildError::Shape(format!(
                "K = {} needs {steps} k-steps; at most 65535 fit a MemC receive",
                self.k
            )));
        }
        for (what, lines) in [("A row pitch", ka / 16), ("C row pitch", nc / 16), ("B k-step offset", 8 * nb)] {
            if lines >= 1 << 24 {
                return Err(BuildError::Shape(format!("{what} of {lines} lines exceeds the 24-bit offset field")));
            }
        }

        let pb = &mut *pb;
        let mut a_count = [0u32; 3];
        let mut a_pending: [Option<Pattern>; 3] = [None; 3];
        let mut b_count = [0u32; 2];
        let mut b_pending: [Option<Pattern>; 2] = [None; 2];
        let mut c_count = [0u32; ENGINES];
        let mut c_pending: [Option<Drain>; ENGINES] = [None; ENGINES];
        let supers = self.supers();

        let line = |base: u64, floats: u64| -> Result<u32, BuildError> {
            let l = base + floats / 16;
            u32::try_from(l).map_err(|_| BuildError::Shape(format!("line address {l} exceeds 32 bits")))
        };

        // LayerNorm parameters, once per MemC that stores a tile: its column half of gamma and beta.
        let ln_pair = self.post == PostOp::LayerNorm && self.n > TILE_N;
        if let Some(params_line) = at.params_line {
            let n16 = round16(self.n);
            for e in (0..ENGINES).filter(|e| supers.iter().any(|st| st.engine_active(*e))) {
                let j = e % 2;
                let cols = (self.n - j * TILE_N).min(TILE_N);
                pb.push(
                    Opcode::Ddr,
                    1,
                    1,
                    vec![Payload::Dram(DramOp {
                        start: line(params_line, (j * TILE_N) as u64)?,
                        chunk_lines: (cols / 16) as u32,
                        chunk_count: 2,
                        chunk_stride: (n16 / 16) as u32,
                        port: DramPort::MemC(e as u32).bits(),
                        ..Default::default()
                    })],
                )?;
                let op =
                    MemCOp { load_mode: LoadMode::Params as u32, rows: 1, cols: cols as u32, ..Default::default() };
                pb.push(Opcode::MemC, 1 << e, 1, vec![Payload::MemC(op)])?;
            }
        }
        for st in &supers {
            let pat = Pattern { rb: st.rb, cb: st.cb };
            // MemC's preloads go first in the DDR read queue: MemC waits for them before it can
            // take engine results, and the engines wait on the A loads queued behind them.
            let mut w = Vec::new();
            for e in (0..ENGINES).filter(|e| st.engine_active(*e)) {
                let cols16 = round16(st.cols[e % 2]);
                let col0 = st.col0 + (e % 2) * TILE_N;
                if let Some(res_line) = at.residual_line {
                    let row0 = st.row0 + (e / 2) * TILE_M;
                    w.push(Payload::Dram(DramOp {
                        start: line(res_line, row0 as u64 * nc + col0 as u64)?,
                        chunk_lines: (cols16 / 16) as u32,
                        chunk_count: st.rows[e / 2] as u32,
                        chunk_stride: (nc / 16) as u32,
                        port: DramPort::MemC(e as u32).bits(),
                        ..Default::default()
                    }));
                }
                if let Some(bias_line) = at.bias_line {
                    w.push(Payload::Dram(DramOp {
                        start: line(bias_line, col0 as u64)?,
                        chunk_lines: (cols16 / 16) as u32,
                        chunk_count: 1,
                        port: DramPort::MemC(e as u32).bits(),
                        ..Default::default()
                    }));
                }
            }
            for chunk in w.chunks(crate::isa::MAX_WINDOW as usize) {
                pb.push(Opcode::Ddr, 1, 1, chunk.to_vec())?;
            }
            // A loads (DDR), interleaved across MemA0-2 per k-step; then B loads (LPDDR).
            for (reps, kcols, k0) in [(full, STEP_K, 0), (partial.min(1), partial, full * STEP_K)] {
                if reps == 0 || kcols == 0 {
                    continue;
                }
                let mut wa = Vec::new();
                for i in (0..3).filter(|i| st.rows[*i] > 0) {
                    wa.push(Payload::Dram(DramOp {
                        start: line(at.a_line, ((st.row0 + i * TILE_M) as u64) * ka + k0 as u64)?,
                        chunk_lines: (round16(kcols) / 16) as u32,
                        chunk_count: st.rows[i] as u32,
                        chunk_stride: (ka / 16) as u32,
                        iter_offset: (STEP_K / 16) as u32,
                        port: DramPort::MemA(i as u32).bits(),
                        ..Default::default()
                    }));
                }
                pb.push(Opcode::Ddr, 1, reps as u32, wa)?;
                let mut wb = Vec::new();
                for j in (0..2).filter(|j| st.cols[*j] > 0) {
                    wb.push(Payload::Dram(DramOp {
                        start: line(at.b_line, k0 as u64 * nb + (st.col0 + j * TILE_N) as u64)?,
                        chunk_lines: (round16(st.cols[j]) / 16) as u32,
                        chunk_count: kcols as u32,
                        chunk_stride: (nb / 16) as u32,
                        iter_offset: (8 * nb) as u32,
                        port: DramPort::MemB(j as u32).bits(),
                        ..Default::default()
                    }));
                }
                pb.push(Opcode::Lpddr, 1, reps as u32, wb)?;
            }
            let k_shapes: Vec<(u32, usize)> = [(full as u32, STEP_K), (partial.min(1) as u32, partial)]
                .into_iter()
                .filter(|(r, c)| *r > 0 && *c > 0)
                .collect();
            // MemA: step s loads while sending step s-1.
            for i in 0..3 {
                if st.rows[i] == 0 {
                    if let Some(p) = a_pending[i].take() {
                        pb.push(Opcode::MemA, 1 << i, 1, vec![mema_send_only(a_count[i], p)])?;
                    }
                    continue;
                }
                for run in pipeline_runs(&k_shapes, a_pending[i], pat, &mut a_count[i]) {
                    let op = MemAOp {
                        load_en: 1,
                        send_en: run.send.is_some() as u32,
                        load_bank: run.count & 1,
                        send_bank: (run.count + 1) & 1,
                        toggle: (run.n > 1) as u32,
                        rows: st.rows[i] as u32,
                        cols: round16(run.kcols) as u32,
                        send_rb: run.send.map_or(0, |p| p.rb),
                        send_cb: run.send.map_or(0, |p| p.cb),
                    };
                    pb.push(Opcode::MemA, 1 << i, run.n, vec![Payload::MemA(op)])?;
                }
                a_pending[i] = Some(pat);
            }
            // MemB0-1 likewise, fed from LPDDR.
            for j in 0..2 {
                if st.cols[j] == 0 {
                    if let Some(p) = b_pending[j].take() {
                        pb.push(Opcode::MemB, 1 << j, 1, vec![memb_send_only(b_count[j], p)])?;
                    }
                    continue;
                }
                for run in pipeline_runs(&k_shapes, b_pending[j], pat, &mut b_count[j]) {
                    let op = MemBOp {
                        load_en: 1,
                        send_en: run.send.is_some() as u32,
                        load_bank: run.count & 1,
                        send_bank: (run.count + 1) & 1,
                        toggle: (run.n > 1) as u32,
                        load_src: 1,
                        rows: run.kcols as u32,
                        cols: round16(st.cols[j]) as u32,
                        send_kb: run.send.map_or(0, |_| 1),
                        send_cb: run.send.map_or(0, |p| p.cb),
                        send_reps: run.send.map_or(0, |p| p.rb),
                        ..Default::default()
                    };
                    pb.push(Opcode::MemB, 1 << j, run.n, vec![Payload::MemB(op)])?;
                }
                b_pending[j] = Some(pat);
            }
            // The meshes route every k-step of this super-tile the same way.
            let mut ma = MeshAOp { blocks: st.rb * st.cb, ..Default::default() };
            let mut mb = MeshBOp { blocks: st.rb * st.cb, ..Default::default() };
            for e in (0..ENGINES).filter(|e| st.engine_active(*e)) {
                let (a_src, b_src) = ((e / 2 + 1) as u32, (e % 2 + 1) as u32);
                match e {
                    0 => (ma.src0, mb.src0) = (a_src, b_src),
                    1 => (ma.src1, mb.src1) = (a_src, b_src),
                    2 => (ma.src2, mb.src2) = (a_src, b_src),
                    3 => (ma.src3, mb.src3) = (a_src, b_src),
                    4 => (ma.src4, mb.src4) = (a_src, b_src),
                    _ => (ma.src5, mb.src5) = (a_src, b_src),
                }
                blocks[e] += steps as u64 * (st.rb * st.cb) as u64;
            }
            pb.push(Opcode::MeshA, 1, steps as u32, vec![Payload::MeshA(ma)])?;
            pb.push(Opcode::MeshB, 1, steps as u32, vec![Payload::MeshB(mb)])?;
            // MemC: receive this super-tile while storing the previous one.
            for e in 0..ENGINES {
                let prev = c_pending[e].take();
                let cur = st.engine_active(e).then(|| Drain {
                    rows: st.rows[e / 2],
                    cols16: round16(st.cols[e % 2]),
                    row0: st.row0 + (e / 2) * TILE_M,
                    col0: st.col0 + (e % 2) * TILE_N,
                });
                let c = c_count[e];
                let mut fills: Vec<MemCOp> = Vec::new();
                if let Some(cu) = cur {
                    let base = MemCOp {
                        fill_bank: c & 1,
                        drain_bank: (c + 1) & 1,
                        rows: cu.rows as u32,
                        cols: cu.cols16 as u32,
                        ..Default::default()
                    };
                    if self.residual {
                        fills.push(MemCOp { load_mode: LoadMode::Tile as u32, ..base });
                    }
                    let mode = match (self.residual, self.bias) {
                        (true, true) => LoadMode::AddRow,
                        (false, true) => LoadMode::Broadcast,
                        _ => LoadMode::None,
                    };
                    fills.push(MemCOp {
                        load_mode: mode as u32,
                        recv_en: 1,
                        acc: (self.residual || self.bias) as u32,
                        recv_rb: st.rb,
                        recv_cb: st.cb,
                        recv_kb: 1,
                        k_iters: steps as u32,
                        ..base
                    });
                }
                if let Some(p) = prev {
                    let drain = |op: &mut MemCOp| {
                        op.drain = 1;
                        op.drain_bank = (c + 1) & 1;
                        op.post_op = self.post as u32;
                        op.eps = self.eps.to_bits();
                        if ln_pair {
                            op.ln_pair = 1;
                            op.ln_total = self.n as u32;
                        }
                        op.rows = p.rows as u32;
                        op.cols = p.cols16 as u32;
                    };
                    let first_fits = fills.first().is_some_and(|f| {
                        f.load_mode == LoadMode::None as u32
                            || (f.rows as usize == p.rows && f.cols as usize == p.cols16)
                    });
                    if first_fits {
                        drain(&mut fills[0]);
                    } else {
                        let mut op = MemCOp::default();
                        drain(&mut op);
                        fills.insert(0, op);
                    }
                    pb.push(Opcode::MemC, 1 << e, 1, vec![Payload::MemC(fills.remove(0))])?;
                    self.store(pb, e, p, at.c_line, nc)?;
                }
                for f in fills {
                    pb.push(Opcode::MemC, 1 << e, 1, vec![Payload::MemC(f)])?;
                }
                if let Some(cu) = cur {
                    c_pending[e] = Some(cu);
                    c_count[e] += 1;
                }
            }
        }
        // Flush the pipelines.
        for i in 0..3 {
            if let Some(p) = a_pending[i] {
                pb.push(Opcode::MemA, 1 << i, 1, vec![mema_send_only(a_count[i], p)])?;
            }
        }
        for j in 0..2 {
            if let Some(p) = b_pending[j] {
                pb.push(Opcode::MemB, 1 << j, 1, vec![memb_send_only(b_count[j], p)])?;
            }
        }
        for e in 0..ENGINES {
            if let Some(p) = c_pending[e] {
                let mut op = memc_drain_only(c_count[e], p);
                if let Payload::MemC(m) = &mut op {
                    m.post_op = self.post as u32;
                    m.eps = self.eps.to_bits();
                    if ln_pair {
                        m.ln_pair = 1;
                        m.ln_total = self.n as u32;
                    }
                }
                pb.push(Opcode::MemC, 1 << e, 1, vec![op])?;
                self.store(pb, e, p, at.c_line, nc)?;
            }
        }
        Ok(())
    }

    /// DDR store of a drained tile.
    fn store(&self, pb: &mut ProgramBuilder, e: usize, d: Drain, c_line: u64, nc: u64) -> Result<(), BuildError> {
        let start = c_line + (d.row0 as u64 * nc + d.col0 as u64) / 16;
        let start = u32::try_from(start).map_err(|_| BuildError::Shape("C address exceeds 32-bit lines".into()))?;
        pb.push(
            Opcode::Ddr,
            1,
            1,
            vec![Payload::Dram(DramOp {
                start,
                chunk_lines: (d.cols16 / 16) as u32,
                chunk_count: d.rows as u32,
                chunk_stride: (nc / 16) as u32,
                port: DramPort::MemC(e as u32).bits(),
                store: 1,
                ..Default::default()
            })],
        )
    }
}

/// One packet of a double-buffered memory FU: `n` steps from the FU's step `count` on, each loading
/// `kcols` of K and sending `send`.
struct Run {
    count: u32,
    n: u32,
    kcols: usize,
    send: Option<Pattern>,
}

/// A super-tile's K steps for one memory FU. The first step sends what the FU still holds from the
/// previous super-tile (if anything); every later step sends this super-tile's previous step, so
/// they compress into one toggled packet per K shape. Advances the FU's step `count`.
fn pipeline_runs(k_shapes: &[(u32, usize)], pending: Option<Pattern>, pat: Pattern, count: &mut u32) -> Vec<Run> {
    let mut runs = Vec::new();
    let mut first = true;
    for &(reps, kcols) in k_shapes {
        let mut reps = reps;
        while reps > 0 {
            let send = if first { pending } else { Some(pat) };
            let n = if first || send.is_none() { 1 } else { reps };
            runs.push(Run { count: *count, n, kcols, send });
            *count += n;
            reps -= n;
            first = false;
        }
    }
    runs
}

fn mema_send_only(count: u32, p: Pattern) -> Payload {
    Payload::MemA(MemAOp { send_en: 1, send_bank: (count + 1) & 1, send_rb: p.rb, send_cb: p.cb, ..Default::default() })
}

fn memb_send_only(count: u32, p: Pattern) -> Payload {
    Payload::MemB(MemBOp {
        send_en: 1,
        send_bank: (count + 1) & 1,
        send_kb: 1,
        send_cb: p.cb,
        send_reps: p.rb,
        ..Default::default()
    })
}

fn memc_drain_only(count: u32, d: Drain) -> Payload {
    Payload::MemC(MemCOp {
        drain: 1,
        drain_bank: (count + 1) & 1,
        rows: d.rows as u32,
        cols: d.cols16 as u32,
        ..Default::default()
    })
}

/// Copy `rows x cols` row-major into a zeroed `rows x pitch` layout.
fn pad_rows(x: &[f32], rows: usize, cols: usize, pitch: usize) -> Vec<f32> {
    let mut out = vec![0.0f32; rows * pitch];
    for r in 0..rows {
        out[r * pitch..r * pitch + cols].copy_from_slice(&x[r * cols..(r + 1) * cols]);
    }
    out
}
