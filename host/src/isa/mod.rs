//! The RSN-XNN instruction set, version [`ISA_VERSION`]: the single definition.
//!
//! A program is a stream of 32-bit little-endian words:
//!
//! ```text
//! word 0  MAGIC ("RSNI")      word 1  ISA_VERSION
//! word 2  total word count    word 3  packet count
//! then packets: one header word, then `window` payloads of the opcode's fixed size.
//! ```
//!
//! A packet is a *macro-op* (mOP) window: the decoder hands the window to every FU instance whose bit
//! is set in `mask`, and each instance executes the window `repeat` times in order (iteration index
//! `iter` = 0..repeat). DRAM mOPs additionally expand into a chunk loop (see [`expand`]). Exactly the
//! final packet carries `last`.
//!
//! Everything generated (rtl/rsn_isa_pkg.sv, docs/isa.md) comes from the tables in this module; see
//! [`gen`].

pub mod check;
pub mod disasm;
pub mod expand;
pub mod fields;
pub mod gen;

use fields::payload;
pub use fields::{EncodeError, FieldError};
use serde::{Deserialize, Serialize};

/// Version of the encoding. Bump on any change to a field table, opcode or stream rule.
pub const ISA_VERSION: u32 = 3;
/// What each ISA version changed (the reference lists it).
pub const HISTORY: &[(u32, &str)] = &[
    (1, "initial encoding: decoder, DDR/LPDDR chunked DRAM mOPs, MemA/MemB/MemC, MeshA/MeshB"),
    (
        2,
        "MemC `ln_pair` / `ln_total` and the MemC pair streams: a LayerNorm row of up to 1024 columns split across \
         MemC0-1, MemC2-3 or MemC4-5, which exchange per-row partial sums (BERT-base/Large and MPNet hidden sizes)",
    ),
    (
        3,
        "MemC `post_op` rewrites the drained rows x cols region of the drain bank in place (a later drain or \
         accumulation of that bank sees the result); encoding unchanged",
    ),
];

/// First word of every program: the bytes "RSNI".
pub const MAGIC: u32 = u32::from_le_bytes(*b"RSNI");
/// Words before the first packet.
pub const STREAM_HEADER_WORDS: usize = 4;
/// Largest window (mOPs per packet).
pub const MAX_WINDOW: u32 = 31;
/// Bytes per DRAM address unit (one 512-bit AXI beat).
pub const LINE_BYTES: u64 = 64;
/// f32 elements per DRAM line.
pub const LINE_FLOATS: u64 = LINE_BYTES / 4;

/// Errors found while decoding or encoding, each naming where.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DecodeError {
    #[error("program is {0} words long; a program needs at least the {STREAM_HEADER_WORDS}-word header")]
    TooShort(usize),
    #[error("bad magic {found:#010x} at word 0 (expected {MAGIC:#010x}, \"RSNI\")")]
    BadMagic { found: u32 },
    #[error("ISA version {found} at word 1; this host speaks version {ISA_VERSION}")]
    BadVersion { found: u32 },
    #[error("header word 2 says {declared} words but the program has {actual}")]
    LengthMismatch { declared: u32, actual: usize },
    #[error("packet {packet} (word {word}): {message}")]
    Header { packet: usize, word: usize, message: String },
    #[error("packet {packet}, mOP {mop} (word {word}), field `{field}`: {message}")]
    Payload { packet: usize, mop: usize, word: usize, field: &'static str, message: String },
    #[error("packet {packet} (word {word}) is truncated: needs {needed} words, {left} left")]
    Truncated { packet: usize, word: usize, needed: usize, left: usize },
    #[error("header word 3 declares {declared} packets but {found} were found")]
    PacketCount { declared: u32, found: usize },
    #[error("packet {packet} carries `last` but is not the final packet")]
    EarlyLast { packet: usize },
    #[error("the final packet does not carry `last`")]
    MissingLast,
}

/// Which kind of FU a packet addresses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[repr(u8)]
pub enum Opcode {
    Decoder = 0,
    Ddr = 1,
    Lpddr = 2,
    MemA = 3,
    MemB = 4,
    MemC = 5,
    MeshA = 6,
    MeshB = 7,
}

impl Opcode {
    pub const ALL: [Opcode; 8] = [
        Opcode::Decoder,
        Opcode::Ddr,
        Opcode::Lpddr,
        Opcode::MemA,
        Opcode::MemB,
        Opcode::MemC,
        Opcode::MeshA,
        Opcode::MeshB,
    ];

    pub fn from_bits(v: u32) -> Option<Opcode> {
        Opcode::ALL.get(v as usize).copied()
    }

    /// Number of FU instances of this kind (bits usable in the mask).
    pub const fn instances(self) -> u32 {
        match self {
            Opcode::MemA | Opcode::MemB => 3,
            Opcode::MemC => 6,
            _ => 1,
        }
    }

    /// Payload size in words.
    pub const fn payload_words(self) -> usize {
        match self {
            Opcode::Decoder => DecoderOp::WORDS,
            Opcode::Ddr | Opcode::Lpddr => DramOp::WORDS,
            Opcode::MemA => MemAOp::WORDS,
            Opcode::MemB => MemBOp::WORDS,
            Opcode::MemC => MemCOp::WORDS,
            Opcode::MeshA => MeshAOp::WORDS,
            Opcode::MeshB => MeshBOp::WORDS,
        }
    }

    /// Short upper-case mnemonic.
    pub const fn mnemonic(self) -> &'static str {
        match self {
            Opcode::Decoder => "DEC",
            Opcode::Ddr => "DDR",
            Opcode::Lpddr => "LPDDR",
            Opcode::MemA => "MEMA",
            Opcode::MemB => "MEMB",
            Opcode::MemC => "MEMC",
            Opcode::MeshA => "MESHA",
            Opcode::MeshB => "MESHB",
        }
    }

    /// Name of instance `i` (e.g. "MemC3").
    pub fn instance_name(self, i: u32) -> String {
        match self {
            Opcode::Decoder => "Decoder".into(),
            Opcode::Ddr => "DDR".into(),
            Opcode::Lpddr => "LPDDR".into(),
            Opcode::MemA => format!("MemA{i}"),
            Opcode::MemB => format!("MemB{i}"),
            Opcode::MemC => format!("MemC{i}"),
            Opcode::MeshA => "MeshA".into(),
            Opcode::MeshB => "MeshB".into(),
        }
    }

    /// The field table of this opcode's payload.
    pub fn fields(self) -> &'static [fields::FieldSpec] {
        match self {
            Opcode::Decoder => DecoderOp::FIELDS,
            Opcode::Ddr | Opcode::Lpddr => DramOp::FIELDS,
            Opcode::MemA => MemAOp::FIELDS,
            Opcode::MemB => MemBOp::FIELDS,
            Opcode::MemC => MemCOp::FIELDS,
            Opcode::MeshA => MeshAOp::FIELDS,
            Opcode::MeshB => MeshBOp::FIELDS,
        }
    }

    /// What the unit does (one line, for the docs).
    pub const fn summary(self) -> &'static str {
        match self {
            Opcode::Decoder => "Decoder control: no-op or barrier (wait until every FU has drained).",
            Opcode::Ddr => "DDR unit: chunked DRAM loads into MemA/MemB/MemC and stores from MemC.",
            Opcode::Lpddr => "LPDDR unit: chunked weight loads into MemB0/MemB1.",
            Opcode::MemA => "MemA0-2: left operands; load one bank while sending the other.",
            Opcode::MemB => "MemB0-2: right operands; optional transpose on load; MemB2 holds V (K up to 512).",
            Opcode::MemC => "MemC0-5: accumulate engine partials; post-ops on the drain path; store or forward.",
            Opcode::MeshA => "MeshA: routes left operands (A0-2, C0-3) to the engines, broadcasting.",
            Opcode::MeshB => "MeshB: routes right operands (B0-2) to the engines, broadcasting.",
        }
    }
}

/// The packet header word.
pub mod header {
    use super::fields::FieldSpec;
    pub const FIELDS: &[FieldSpec] = &[
        FieldSpec { name: "opcode", word: 0, lsb: 0, width: 4, doc: "FU kind (see the opcode table)", range: None },
        FieldSpec {
            name: "mask",
            word: 0,
            lsb: 4,
            width: 6,
            doc: "FU instances that receive the window (bit i = instance i)",
            range: None,
        },
        FieldSpec {
            name: "last",
            word: 0,
            lsb: 10,
            width: 1,
            doc: "1 on the final packet of the program, 0 elsewhere",
            range: None,
        },
        FieldSpec { name: "window", word: 0, lsb: 11, width: 5, doc: "mOPs in the window (1..31)", range: None },
        FieldSpec {
            name: "repeat",
            word: 0,
            lsb: 16,
            width: 16,
            doc: "times each instance replays the window (1..65535); iteration index iter = 0..repeat-1",
            range: None,
        },
    ];
}

payload! {
    /// Decoder control mOP.
    pub struct DecoderOp (1 words) {
        kind: 0[0;4] "0 = nop; 1 = barrier: dispatch nothing further until every FU queue is empty and every FU idle" in 0..=[1],
    }
}

payload! {
    /// DRAM mOP for the DDR and LPDDR units. Chunk `c` of iteration `iter` covers the lines
    /// `start + iter*iter_offset + c*chunk_stride` .. `+ chunk_lines` of the unit's memory window.
    pub struct DramOp (4 words) {
        start: 0[0;32] "first line (64-byte unit) of the transfer in the unit's memory window",
        chunk_lines: 1[0;16] "lines per chunk" in 1..=[0xffff],
        chunk_count: 1[16;16] "chunks per mOP" in 1..=[0xffff],
        iter_offset: 2[0;24] "lines added per window iteration",
        port: 2[24;4] "load target 0-2 MemA0-2, 3-5 MemB0-2, 6-11 MemC0-5; store source 6-11 MemC0-5",
        store: 2[28;1] "0 = load (DRAM to memory FU), 1 = store (MemC to DRAM; DDR only)",
        chunk_stride: 3[0;24] "lines between the starts of consecutive chunks",
        fence: 3[24;1] "(DDR load) before its first chunk, wait until every DDR store of earlier packets has completed",
    }
}

payload! {
    /// MemA mOP: optional load into `load_bank` and optional send from `send_bank`, concurrently.
    pub struct MemAOp (2 words) {
        load_en: 0[0;1] "load rows x cols floats (row-major) from the DDR unit into load_bank; the rest of the bank becomes 0",
        send_en: 0[1;1] "send 128x128 blocks of send_bank to MeshA",
        load_bank: 0[2;1] "bank written by the load",
        send_bank: 0[3;1] "bank read by the send (must differ from load_bank when both are enabled)",
        toggle: 0[4;1] "flip both banks on odd window iterations (bank ^ (iter & 1))",
        rows: 0[5;9] "rows of the loaded tile" in 1..=[MEMA_ROWS] if load_en = 1,
        cols: 0[14;8] "columns (K) of the loaded tile" in 1..=[MEMA_COLS] if load_en = 1,
        send_rb: 1[0;2] "row blocks sent: for r in 0..send_rb, for _ in 0..send_cb: block r" in 1..=[blocks(MEMA_ROWS)] if send_en = 1,
        send_cb: 1[2;8] "times each row block is sent in a row, one per engine B block" in 1..=[255] if send_en = 1,
    }
}

payload! {
    /// MemB mOP (MemB0/1: 128 x 512 banks; MemB2: 512 x 64 banks).
    pub struct MemBOp (2 words) {
        load_en: 0[0;1] "load rows x cols floats into load_bank; the rest of the bank becomes 0",
        send_en: 0[1;1] "send 128x128 blocks of send_bank to MeshB",
        load_bank: 0[2;1] "bank written by the load",
        send_bank: 0[3;1] "bank read by the send (must differ from load_bank when both are enabled)",
        toggle: 0[4;1] "flip both banks on odd window iterations",
        transpose: 0[5;1] "the load stream is cols x rows row-major (B transposed, e.g. K for Q x K^T)",
        load_src: 0[6;1] "0 = from the DDR unit, 1 = from the LPDDR unit (MemB0/1 only)",
        rows: 0[7;10] "K rows of the tile" in 1..=[MEMB_ROWS, MEMB_ROWS, MEMB2_ROWS] if load_en = 1,
        cols: 0[17;10] "N columns of the tile" in 1..=[MEMB_COLS, MEMB_COLS, MEMB2_COLS] if load_en = 1,
        send_kb: 1[0;3] "K blocks per column block" in 1..=[blocks(MEMB_ROWS), blocks(MEMB_ROWS), blocks(MEMB2_ROWS)] if send_en = 1,
        send_cb: 1[3;3] "column blocks" in 1..=[blocks(MEMB_COLS), blocks(MEMB_COLS), blocks(MEMB2_COLS)] if send_en = 1,
        send_reps: 1[6;8] "times the whole block sequence is sent, one per engine A block" in 1..=[255] if send_en = 1,
    }
}

payload! {
    /// MemC mOP: a fill activity (optional load, then optional receive, on fill_bank) runs
    /// concurrently with a drain activity (store to DDR or send to MeshA, through the post-op, from
    /// drain_bank).
    pub struct MemCOp (4 words) {
        load_mode: 0[0;3] "0 none; 1 tile rows x cols (rest 0); 2 broadcast one row of cols to rows rows (rest 0); 3 add one row of cols to rows rows; 4 params: gamma then beta (cols each)",
        recv_en: 0[3;1] "receive k_iters x rb x cb x kb engine partials and accumulate them",
        acc: 0[4;1] "accumulate onto the bank's content from the first partial (after a load); 0 = first partial overwrites",
        fill_bank: 0[5;1] "bank written by load and receive",
        drain_bank: 0[6;1] "bank read by the drain (must differ from fill_bank when both run)",
        toggle: 0[7;1] "flip both banks on odd window iterations",
        drain: 0[8;2] "0 none; 1 store rows x cols (row-major) to the DDR unit; 2 send blocks to MeshA (MemC0-3)",
        post_op: 0[10;3] "applied in place to the drain bank's rows x cols region, then drained: 0 none; 1 softmax over cols; 2 LayerNorm over cols (params, eps); 3 GELU",
        rows: 0[13;9] "rows of the tile" in 1..=[MEMC_ROWS],
        cols: 0[22;10] "columns of the tile" in 1..=[MEMC_COLS],
        recv_rb: 1[0;2] "row blocks received per k iteration" in 1..=[blocks(MEMC_ROWS)] if recv_en = 1,
        recv_cb: 1[2;3] "column blocks per row block" in 1..=[blocks(MEMC_COLS)] if recv_en = 1,
        recv_kb: 1[5;3] "K blocks per (row, column) block" in 1..=[4] if recv_en = 1,
        k_iters: 1[8;16] "k iterations; order: for t, for r, for c, for k" in 1..=[0xffff] if recv_en = 1,
        send_rb: 2[0;2] "MeshA send: row blocks" in 1..=[blocks(MEMC_ROWS)] if drain = 2,
        send_cb: 2[2;8] "MeshA send: times each row block's K sequence is sent" in 1..=[255] if drain = 2,
        send_kb: 2[10;3] "MeshA send: K blocks per row block" in 1..=[blocks(MEMC_COLS)] if drain = 2,
        ln_pair: 2[13;1] "LayerNorm rows split across this MemC and its partner (C0-C1, C2-C3, C4-C5): the two exchange per-row partial sums",
        ln_total: 2[14;11] "with ln_pair: columns of the whole LayerNorm row, both halves (cols + partner's cols, up to 1024)",
        eps: 3[0;32] "LayerNorm epsilon (binary32 bits)",
    }
}

payload! {
    /// MeshA mOP: each selected source streams `blocks` blocks, broadcast to every engine that
    /// selects it; routes run concurrently.
    pub struct MeshAOp (2 words) {
        blocks: 0[0;16] "128x128 blocks per active source" in 1..=[0xffff],
        src0: 1[0;3] "source of MME0: 0 none, 1 A0",
        src1: 1[3;3] "source of MME1: 0 none, 1 A0",
        src2: 1[6;3] "source of MME2: 0 none, 2 A1",
        src3: 1[9;3] "source of MME3: 0 none, 2 A1",
        src4: 1[12;3] "source of MME4: 0 none, 3 A2, 4 C0, 5 C1",
        src5: 1[15;3] "source of MME5: 0 none, 3 A2, 6 C2, 7 C3",
    }
}

payload! {
    /// MeshB mOP: like MeshA, for right operands.
    pub struct MeshBOp (2 words) {
        blocks: 0[0;16] "128x128 blocks per active source" in 1..=[0xffff],
        src0: 1[0;2] "source of MME0: 0 none, 1 B0",
        src1: 1[2;2] "source of MME1: 0 none, 2 B1",
        src2: 1[4;2] "source of MME2: 0 none, 1 B0",
        src3: 1[6;2] "source of MME3: 0 none, 2 B1",
        src4: 1[8;2] "source of MME4: 0 none, 1 B0, 3 B2",
        src5: 1[10;2] "source of MME5: 0 none, 2 B1, 3 B2",
    }
}

/// Number of matrix engines.
pub const ENGINES: usize = 6;

/// MeshA sources (the `srcN` codes): index = code.
pub const MESHA_SOURCES: [&str; 8] = ["none", "A0", "A1", "A2", "C0", "C1", "C2", "C3"];
/// MeshA's fixed wiring: the codes each engine may select (besides 0).
pub const MESHA_ROUTES: [&[u32]; ENGINES] = [&[1], &[1], &[2], &[2], &[3, 4, 5], &[3, 6, 7]];
/// MeshB sources: index = code.
pub const MESHB_SOURCES: [&str; 4] = ["none", "B0", "B1", "B2"];
/// MeshB's fixed wiring.
pub const MESHB_ROUTES: [&[u32]; ENGINES] = [&[1], &[2], &[1], &[2], &[1, 3], &[2, 3]];

/// Edge of the square block the engines multiply (128 x 128 x 128 per block product) and the
/// memories send: 4 x 4 AI Engine kernels of 32 x 32 each.
pub const BLOCK: usize = 128;

/// Blocks of [`BLOCK`] needed to cover `n` rows or columns.
pub const fn blocks(n: u32) -> u32 {
    n.div_ceil(BLOCK as u32)
}

/// Bank geometry of the memory FUs (rows x cols of f32 per bank; two banks each).
pub const MEMA_ROWS: u32 = 256;
pub const MEMA_COLS: u32 = 128;
pub const MEMB_ROWS: u32 = 128;
pub const MEMB_COLS: u32 = 512;
pub const MEMB2_ROWS: u32 = 512;
pub const MEMB2_COLS: u32 = 64;
pub const MEMC_ROWS: u32 = 256;
pub const MEMC_COLS: u32 = 512;
/// MemC instances that have softmax and the MeshA path.
pub const MEMC_WITH_MESH: u32 = 4;

impl MeshAOp {
    /// The per-engine source selects (`src0..src5`).
    pub fn selects(&self) -> [u32; ENGINES] {
        [self.src0, self.src1, self.src2, self.src3, self.src4, self.src5]
    }
}

impl MeshBOp {
    /// The per-engine source selects (`src0..src5`).
    pub fn selects(&self) -> [u32; ENGINES] {
        [self.src0, self.src1, self.src2, self.src3, self.src4, self.src5]
    }
}

/// Human name of a MeshA/MeshB source code.
pub fn source_name(mesh_a: bool, code: u32) -> &'static str {
    let t: &[&str] = if mesh_a { &MESHA_SOURCES } else { &MESHB_SOURCES };
    t.get(code as usize).copied().unwrap_or("?")
}

/// MemC load modes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoadMode {
    None = 0,
    Tile = 1,
    Broadcast = 2,
    AddRow = 3,
    Params = 4,
}
impl LoadMode {
    pub fn from_bits(v: u32) -> Option<Self> {
        [Self::None, Self::Tile, Self::Broadcast, Self::AddRow, Self::Params].get(v as usize).copied()
    }
}

/// MemC drain targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Drain {
    None = 0,
    Store = 1,
    Mesh = 2,
}
impl Drain {
    pub fn from_bits(v: u32) -> Option<Self> {
        [Self::None, Self::Store, Self::Mesh].get(v as usize).copied()
    }
}

/// MemC post-ops.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PostOp {
    None = 0,
    Softmax = 1,
    LayerNorm = 2,
    Gelu = 3,
}
impl PostOp {
    pub fn from_bits(v: u32) -> Option<Self> {
        [Self::None, Self::Softmax, Self::LayerNorm, Self::Gelu].get(v as usize).copied()
    }
}

/// DRAM port codes (`DramOp::port`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DramPort {
    MemA(u32),
    MemB(u32),
    MemC(u32),
}
impl DramPort {
    pub fn from_bits(v: u32) -> Option<Self> {
        match v {
            0..=2 => Some(DramPort::MemA(v)),
            3..=5 => Some(DramPort::MemB(v - 3)),
            6..=11 => Some(DramPort::MemC(v - 6)),
            _ => None,
        }
    }
    pub fn bits(self) -> u32 {
        match self {
            DramPort::MemA(i) => i,
            DramPort::MemB(i) => 3 + i,
            DramPort::MemC(i) => 6 + i,
        }
    }
}

/// One decoded mOP payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Payload {
    Decoder(DecoderOp),
    Dram(DramOp),
    MemA(MemAOp),
    MemB(MemBOp),
    MemC(MemCOp),
    MeshA(MeshAOp),
    MeshB(MeshBOp),
}

impl Payload {
    fn encode_into(&self, out: &mut Vec<u32>) -> Result<(), EncodeError> {
        match self {
            Payload::Decoder(p) => p.encode_into(out),
            Payload::Dram(p) => p.encode_into(out),
            Payload::MemA(p) => p.encode_into(out),
            Payload::MemB(p) => p.encode_into(out),
            Payload::MemC(p) => p.encode_into(out),
            Payload::MeshA(p) => p.encode_into(out),
            Payload::MeshB(p) => p.encode_into(out),
        }
    }

    pub fn decode(op: Opcode, w: &[u32]) -> Result<Payload, FieldError> {
        Ok(match op {
            Opcode::Decoder => Payload::Decoder(DecoderOp::decode(w)?),
            Opcode::Ddr | Opcode::Lpddr => Payload::Dram(DramOp::decode(w)?),
            Opcode::MemA => Payload::MemA(MemAOp::decode(w)?),
            Opcode::MemB => Payload::MemB(MemBOp::decode(w)?),
            Opcode::MemC => Payload::MemC(MemCOp::decode(w)?),
            Opcode::MeshA => Payload::MeshA(MeshAOp::decode(w)?),
            Opcode::MeshB => Payload::MeshB(MeshBOp::decode(w)?),
        })
    }

    /// `(name, value)` of every field.
    pub fn named_values(&self) -> Vec<(&'static str, u32)> {
        match self {
            Payload::Decoder(p) => p.named_values(),
            Payload::Dram(p) => p.named_values(),
            Payload::MemA(p) => p.named_values(),
            Payload::MemB(p) => p.named_values(),
            Payload::MemC(p) => p.named_values(),
            Payload::MeshA(p) => p.named_values(),
            Payload::MeshB(p) => p.named_values(),
        }
    }

    fn matches(&self, op: Opcode) -> bool {
        matches!(
            (self, op),
            (Payload::Decoder(_), Opcode::Decoder)
                | (Payload::Dram(_), Opcode::Ddr | Opcode::Lpddr)
                | (Payload::MemA(_), Opcode::MemA)
                | (Payload::MemB(_), Opcode::MemB)
                | (Payload::MemC(_), Opcode::MemC)
                | (Payload::MeshA(_), Opcode::MeshA)
                | (Payload::MeshB(_), Opcode::MeshB)
        )
    }
}

/// One packet: a window of mOPs for the FU instances in `mask`, replayed `repeat` times.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Packet {
    pub opcode: Opcode,
    pub mask: u32,
    pub repeat: u32,
    pub window: Vec<Payload>,
}

impl Packet {
    pub fn new(opcode: Opcode, mask: u32, repeat: u32, window: Vec<Payload>) -> Packet {
        Packet { opcode, mask, repeat, window }
    }

    /// A single mOP executed once.
    pub fn single(opcode: Opcode, mask: u32, p: Payload) -> Packet {
        Packet::new(opcode, mask, 1, vec![p])
    }

    /// Instances selected by the mask.
    pub fn instances(&self) -> impl Iterator<Item = u32> + '_ {
        (0..self.opcode.instances()).filter(move |i| self.mask & (1 << i) != 0)
    }
}

/// Position of an mOP in a program, for error messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub struct InstrPos {
    /// Packet index (0-based).
    pub packet: usize,
    /// Index of the mOP in stream order over the whole program (0-based).
    pub mop: usize,
    /// Word offset of the packet header.
    pub word: usize,
}

impl std::fmt::Display for InstrPos {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "packet {} (mOP {}, word {})", self.packet, self.mop, self.word)
    }
}

/// A decoded program: the packets in stream order.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Program {
    pub packets: Vec<Packet>,
}

impl Program {
    /// Encode to the word stream (header included). Structural limits (window, repeat, mask,
    /// payload kind) are checked here; semantic checks live in [`crate::validate`].
    pub fn encode(&self) -> Result<Vec<u32>, EncodeError> {
        if self.packets.is_empty() {
            return Err(EncodeError::Packet { packet: 0, message: "a program needs at least one packet".into() });
        }
        let mut out = vec![MAGIC, ISA_VERSION, 0, self.packets.len() as u32];
        for (i, p) in self.packets.iter().enumerate() {
            let bad = |message: String| EncodeError::Packet { packet: i, message };
            if p.window.is_empty() || p.window.len() as u32 > MAX_WINDOW {
                return Err(bad(format!("window of {} mOPs (1..{MAX_WINDOW})", p.window.len())));
            }
            if p.repeat == 0 || p.repeat > 0xffff {
                return Err(bad(format!("repeat {} (1..65535)", p.repeat)));
            }
            let inst_mask = (1u32 << p.opcode.instances()) - 1;
            if p.mask == 0 || p.mask & !inst_mask != 0 {
                return Err(bad(format!("mask {:#b} selects no or nonexistent {:?} instances", p.mask, p.opcode)));
            }
            if let Some(w) = p.window.iter().find(|w| !w.matches(p.opcode)) {
                return Err(bad(format!("payload {w:?} does not belong to opcode {:?}", p.opcode)));
            }
            let last = (i + 1 == self.packets.len()) as u32;
            out.push(p.opcode as u32 | p.mask << 4 | last << 10 | (p.window.len() as u32) << 11 | p.repeat << 16);
            for w in &p.window {
                w.encode_into(&mut out)?;
            }
        }
        let n = out.len() as u32;
        out[2] = n;
        Ok(out)
    }

    /// Decode a word stream. Never panics on any input.
    pub fn decode(words: &[u32]) -> Result<Program, DecodeError> {
        Ok(Program { packets: decode_with_positions(words)?.into_iter().map(|(p, _)| p).collect() })
    }

    /// Total number of mOPs in stream order.
    pub fn mop_count(&self) -> usize {
        self.packets.iter().map(|p| p.window.len()).sum()
    }

    /// Positions of every packet (header word and first mOP index).
    pub fn positions(&self) -> Vec<InstrPos> {
        let mut word = STREAM_HEADER_WORDS;
        let mut mop = 0;
        self.packets
            .iter()
            .enumerate()
            .map(|(packet, p)| {
                let pos = InstrPos { packet, mop, word };
                word += 1 + p.window.len() * p.opcode.payload_words();
                mop += p.window.len();
                pos
            })
            .collect()
    }
}

/// Decode, keeping each packet's position.
pub fn decode_with_positions(words: &[u32]) -> Result<Vec<(Packet, InstrPos)>, DecodeError> {
    if words.len() < STREAM_HEADER_WORDS {
        return Err(DecodeError::TooShort(words.len()));
    }
    if words[0] != MAGIC {
        return Err(DecodeError::BadMagic { found: words[0] });
    }
    if words[1] != ISA_VERSION {
        return Err(DecodeError::BadVersion { found: words[1] });
    }
    if words[2] as usize != words.len() {
        return Err(DecodeError::LengthMismatch { declared: words[2], actual: words.len() });
    }
    let declared = words[3];
    let mut out = Vec::new();
    let mut at = STREAM_HEADER_WORDS;
    let mut mop = 0usize;
    let mut saw_last = false;
    while at < words.len() {
        let packet = out.len();
        if saw_last {
            return Err(DecodeError::EarlyLast { packet: packet - 1 });
        }
        let (p, pos, last) = decode_packet(words, at, packet, mop)?;
        mop += p.window.len();
        at += 1 + p.window.len() * p.opcode.payload_words();
        saw_last = last;
        out.push((p, pos));
    }
    if out.len() != declared as usize {
        return Err(DecodeError::PacketCount { declared, found: out.len() });
    }
    if !saw_last {
        return Err(DecodeError::MissingLast);
    }
    Ok(out)
}

/// A packet header as the decoder checks it: opcode, instance mask, `last`, window and repeat.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PacketHeader {
    pub opcode: Opcode,
    pub mask: u32,
    pub last: bool,
    pub window: u32,
    pub repeat: u32,
}

/// Check the packet header in word `at` (packet number `packet`).
pub fn decode_header(words: &[u32], at: usize, packet: usize) -> Result<PacketHeader, DecodeError> {
    let Some(&h) = words.get(at) else {
        return Err(DecodeError::Truncated { packet, word: at, needed: 1, left: 0 });
    };
    let herr = |message: String| DecodeError::Header { packet, word: at, message };
    let opcode = Opcode::from_bits(h & 0xf).ok_or_else(|| herr(format!("unknown opcode {}", h & 0xf)))?;
    let mask = (h >> 4) & 0x3f;
    let last = (h >> 10) & 1 == 1;
    let window = (h >> 11) & 0x1f;
    let repeat = h >> 16;
    let inst_mask = (1u32 << opcode.instances()) - 1;
    if mask == 0 || mask & !inst_mask != 0 {
        return Err(herr(format!(
            "mask {mask:#08b} selects no or nonexistent {} instances ({} exist)",
            opcode.mnemonic(),
            opcode.instances()
        )));
    }
    if window == 0 {
        return Err(herr("window size 0".into()));
    }
    if repeat == 0 {
        return Err(herr("repeat count 0".into()));
    }
    Ok(PacketHeader { opcode, mask, last, window, repeat })
}

/// Decode the packet whose header is word `at` of `words`: packet number `packet`, first mOP
/// `mop`. Returns the packet, its position and its `last` flag.
pub fn decode_packet(
    words: &[u32],
    at: usize,
    packet: usize,
    mop: usize,
) -> Result<(Packet, InstrPos, bool), DecodeError> {
    let PacketHeader { opcode, mask, last, window, repeat } = decode_header(words, at, packet)?;
    let pw = opcode.payload_words();
    let needed = window as usize * pw;
    let left = words.len() - at - 1;
    if needed > left {
        return Err(DecodeError::Truncated { packet, word: at, needed: needed + 1, left: left + 1 });
    }
    let pos = InstrPos { packet, mop, word: at };
    let mut win = Vec::with_capacity(window as usize);
    for m in 0..window as usize {
        let w0 = at + 1 + m * pw;
        let p = Payload::decode(opcode, &words[w0..w0 + pw]).map_err(|e| DecodeError::Payload {
            packet,
            mop: mop + m,
            word: w0 + e.word,
            field: e.field,
            message: e.message,
        })?;
        win.push(p);
    }
    Ok((Packet { opcode, mask, repeat, window: win }, pos, last))
}

/// Where word `word` of a program lies, found by walking the packet headers as the hardware
/// decoder reads them, so that it works on programs that do not decode: the packet whose header or
/// payload holds the word, and the mOP of that payload (the packet's first mOP for its header).
/// Words of the stream header (0-3), and words past the last packet whose header can be read, have
/// no position.
pub fn locate_word(words: &[u32], word: usize) -> Option<InstrPos> {
    if word < STREAM_HEADER_WORDS || word >= words.len() {
        return None;
    }
    let (mut at, mut packet, mut mop) = (STREAM_HEADER_WORDS, 0usize, 0usize);
    while at < words.len() {
        let h = words[at];
        let window = ((h >> 11) & 0x1f) as usize;
        let Some(opcode) = Opcode::from_bits(h & 0xf).filter(|_| window > 0) else {
            // The walk ends at an unreadable header: the decoder stops there too.
            return Some(InstrPos { packet, mop, word });
        };
        let pw = opcode.payload_words();
        if word < at + 1 + window * pw {
            let m = if word == at { 0 } else { (word - at - 1) / pw };
            return Some(InstrPos { packet, mop: mop + m, word });
        }
        at += 1 + window * pw;
        packet += 1;
        mop += window;
    }
    None
}

impl DecodeError {
    /// The word the hardware decoder reports for this error (rtl/decoder/README.md): the stream
    /// header word it concerns, the packet header, or the payload word.
    pub fn word(&self, words: &[u32]) -> usize {
        let header_of = |packet: usize| {
            let mut at = STREAM_HEADER_WORDS;
            for _ in 0..packet {
                let h = words.get(at).copied().unwrap_or(0);
                let pw = Opcode::from_bits(h & 0xf).map_or(0, |o| o.payload_words());
                at += 1 + ((h >> 11) & 0x1f) as usize * pw;
            }
            at
        };
        match self {
            DecodeError::TooShort(n) => n.saturating_sub(1),
            DecodeError::BadMagic { .. } => 0,
            DecodeError::BadVersion { .. } => 1,
            DecodeError::LengthMismatch { .. } => 2,
            DecodeError::PacketCount { .. } => 3,
            DecodeError::Header { word, .. }
            | DecodeError::Truncated { word, .. }
            | DecodeError::Payload { word, .. } => *word,
            DecodeError::EarlyLast { packet } => header_of(*packet),
            DecodeError::MissingLast => {
                // The final packet's header (3 when there is none).
                let mut last = 3;
                let mut at = STREAM_HEADER_WORDS;
                while at < words.len() {
                    last = at;
                    let h = words[at];
                    let pw = Opcode::from_bits(h & 0xf).map_or(0, |o| o.payload_words());
                    at += 1 + (((h >> 11) & 0x1f) as usize * pw).max(1);
                }
                last
            }
        }
    }
}

/// Runtime parameters of one matrix engine (its tiles' "opcode memory"), written once per program.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct EngineRtp {
    /// 128x128x128 block products the engine runs in this program.
    pub blocks: u32,
}

/// A program ready to submit: the instruction words and the engines' runtime parameters.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Executable {
    pub words: Vec<u32>,
    pub rtp: [EngineRtp; ENGINES],
}

/// PLIO port names of engine `e`, in the order the RTL top and the AIE graph declare them:
/// 16 A inputs, 16 B inputs (PL to AIE), then 16 C outputs (AIE to PL).
pub fn plio_ports(e: usize) -> Vec<(String, PortDir)> {
    let mut v = Vec::with_capacity(48);
    for r in 0..4 {
        for s in 0..4 {
            v.push((format!("mme{e}_a_r{r}_k{s}"), PortDir::PlToAie));
        }
    }
    for s in 0..4 {
        for c in 0..4 {
            v.push((format!("mme{e}_b_k{s}_c{c}"), PortDir::PlToAie));
        }
    }
    for r in 0..4 {
        for c in 0..4 {
            v.push((format!("mme{e}_c_r{r}_c{c}"), PortDir::AieToPl));
        }
    }
    v
}

/// Direction of a PLIO stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PortDir {
    PlToAie,
    AieToPl,
}

#[cfg(test)]
mod tests;
