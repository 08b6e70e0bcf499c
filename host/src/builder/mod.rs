//! The compiler: workloads compiled to instruction streams and engine runtime parameters for a
//! given buffer placement (an [`Executable`]). It never touches a device; [`crate::runtime`]
//! places the buffers, runs the programs and reads the results.

pub mod attention;
pub mod encoder;
pub mod gemm;

use crate::hal::Memory;
use crate::isa::{EncodeError, EngineRtp, Executable, Opcode, Packet, Payload, Program, ENGINES};
pub use gemm::{Gemm, GemmPlacement};

#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("cannot map this shape: {0}")]
    Shape(String),
    #[error("too large for the device: {0}")]
    TooLarge(String),
    #[error("encoding failed: {0}")]
    Encode(#[from] EncodeError),
    #[error(transparent)]
    File(#[from] crate::progfile::ProgramFileError),
}

/// Accumulates packets in dispatch order.
#[derive(Debug, Default)]
pub struct ProgramBuilder {
    program: Program,
    fence_pending: bool,
    phases: Vec<(String, usize)>,
    /// Words the encoded program will have.
    words: u64,
}

/// Words a program may have: the instruction window holds them all.
const MAX_WORDS: u64 = Memory::Instr.window_bytes() / 4;

impl ProgramBuilder {
    pub fn new() -> ProgramBuilder {
        ProgramBuilder::default()
    }

    /// Append a packet (empty windows are skipped). A program that would outgrow the instruction
    /// window is refused as it grows, so a runaway shape never fills the host's memory.
    pub fn push(&mut self, opcode: Opcode, mask: u32, repeat: u32, mut window: Vec<Payload>) -> Result<(), BuildError> {
        if window.is_empty() || repeat == 0 {
            return Ok(());
        }
        self.words += 1 + (window.len() * opcode.payload_words()) as u64;
        if self.words + crate::isa::STREAM_HEADER_WORDS as u64 > MAX_WORDS {
            return Err(BuildError::TooLarge(format!(
                "the program outgrows the {} MiB instruction window",
                Memory::Instr.window_bytes() >> 20
            )));
        }
        if self.fence_pending && opcode == Opcode::Ddr {
            if let Some(Payload::Dram(d)) = window.iter_mut().find(|w| matches!(w, Payload::Dram(d) if d.store == 0)) {
                d.fence = 1;
                self.fence_pending = false;
            }
        }
        self.program.packets.push(Packet::new(opcode, mask, repeat, window));
        Ok(())
    }

    /// Start a named phase (named for the cycle estimate). A phase may read what earlier phases
    /// stored, so its first DDR load is fenced behind every DDR store emitted so far; everything
    /// else (weight prefetch over LPDDR, the memory FUs' own queues) runs ahead, so one phase's
    /// epilogue overlaps the next one's prologue.
    pub fn phase(&mut self, label: impl Into<String>) {
        self.fence_pending = true;
        self.phases.push((label.into(), self.program.packets.len()));
    }

    /// Roofline cycle estimate of each phase: the slowest of its resources at the description's
    /// rates (phases run back to back). The resources are the engines' blocks; each memory's bus,
    /// which every unit on it holds for a piece as long as the slower of the memory and the unit's
    /// line port take (one line per cycle, as the model times it); and each MemC, which runs its
    /// mOPs one after another, each as long as the slower of its fill (load at line rate, a row
    /// sweep, products received as fast as its engine makes them) and its drain (the post-op pass, then the
    /// rows out at the line or send rate).
    pub fn estimate(&self, bs: &crate::bitstream::Bitstream) -> Vec<(String, f64)> {
        use crate::isa::{Drain, LoadMode, PostOp};
        use crate::topology::{traffic, Dir, Stream};
        let d = &bs.desc;
        let line = d.mem.line_floats_per_cycle;
        let (send, word) = (d.mem.send_floats_per_cycle, d.mem.memc_word_floats as f64);
        let (block, block_elems) = (bs.engine_block_cycles(), crate::numerics::BLOCK_ELEMS as f64);
        let (ddr_rd, ddr_wr) = (bs.bytes_per_cycle(d.ddr.read_gbps), bs.bytes_per_cycle(d.ddr.write_gbps));
        let lp_rd = bs.bytes_per_cycle(d.lpddr.read_gbps);
        let post = &d.postop;
        let mut out = Vec::new();
        for (i, (label, start)) in self.phases.iter().enumerate() {
            let end = self.phases.get(i + 1).map_or(self.program.packets.len(), |p| p.1);
            let mut blocks = [0f64; ENGINES];
            let (mut ddr, mut lpddr) = (0f64, 0f64);
            let mut memc = vec![0f64; Opcode::MemC.instances() as usize];
            for p in &self.program.packets[*start..end] {
                for inst in p.instances() {
                    for w in &p.window {
                        let reps = p.repeat as f64;
                        match w {
                            Payload::Dram(dop) => {
                                let floats = crate::isa::expand::dram_floats(dop) as f64;
                                let bw = match (p.opcode, dop.store) {
                                    (Opcode::Lpddr, _) => lp_rd,
                                    (_, 1) => ddr_wr,
                                    _ => ddr_rd,
                                };
                                let t = reps * crate::bitstream::dram_bus_cycles(floats, bw, line);
                                if p.opcode == Opcode::Lpddr {
                                    lpddr += t;
                                } else {
                                    ddr += t;
                                }
                            }
                            Payload::MemC(m) => {
                                let (rows, cols) = (m.rows as usize, m.cols as usize);
                                let op = PostOp::from_bits(m.post_op).unwrap_or(PostOp::None);
                                let drain = Drain::from_bits(m.drain).unwrap_or(Drain::None);
                                let pair = drain == Drain::Store && m.ln_pair == 1;
                                let (op, pass) = if pair { (PostOp::LayerNorm, true) } else { (op, false) };
                                let mut fill = match LoadMode::from_bits(m.load_mode) {
                                    Some(LoadMode::Broadcast | LoadMode::AddRow) => {
                                        rows as f64 * (cols as f64 / word).ceil()
                                    }
                                    _ => 0.0,
                                };
                                let mut out =
                                    if drain == Drain::None { 0.0 } else { post.drain_latency(op, rows, cols, pass) };
                                for (s, _, n) in traffic(p.opcode, inst as u8, w) {
                                    let n = n as f64;
                                    match s {
                                        Stream::DdrToMemC(_) => fill += n / line,
                                        // Engine e's products go to MemC e alone: one block
                                        // per engine block time, however fast the port.
                                        Stream::MmeToMemC(_) => fill += (n / send).max(n / block_elems * block),
                                        Stream::MemCToDdr(_) => out += n / line,
                                        Stream::MemCToMeshA(_) => out += n / send,
                                        _ => {}
                                    }
                                }
                                memc[inst as usize] += reps * fill.max(out);
                            }
                            _ => {}
                        }
                        for (s, dir, n) in traffic(p.opcode, inst as u8, w) {
                            if let (Stream::MeshAToMme(e), Dir::Produce) = (s, dir) {
                                blocks[e as usize] += n as f64 * reps / crate::numerics::BLOCK_ELEMS as f64;
                            }
                        }
                    }
                }
            }
            let engines = blocks.iter().fold(0f64, |a, b| a.max(*b)) * bs.engine_block_cycles();
            let memc = memc.iter().fold(0f64, |a, b| a.max(*b));
            out.push((label.clone(), engines.max(ddr).max(lpddr).max(memc)));
        }
        out
    }

    /// Each phase's label and its first packet, in program order.
    pub fn phases(&self) -> &[(String, usize)] {
        &self.phases
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
