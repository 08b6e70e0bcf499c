//! The fixed RSN-XNN network: its FUs, its streams, and how much each mOP moves on each stream.
//!
//! [`traffic`] is the static statement of a mOP's stream traffic. The validator balances programs
//! with it, and the model backend's tests check that execution moves exactly these amounts.

use crate::isa::{expand, Drain, DramPort, LoadMode, Opcode, Payload, ENGINES};
use crate::numerics::BLOCK_ELEMS;

/// Every FU of the instance. The DDR unit has two independent channels (reads and writes, each
/// with its own in-order queue) and is listed as two.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Fu {
    Decoder,
    DdrRead,
    DdrWrite,
    Lpddr,
    MemA(u8),
    MemB(u8),
    MemC(u8),
    MeshA,
    MeshB,
    Mme(u8),
}

impl Fu {
    /// All FUs in a fixed order (index = [`Fu::index`]).
    pub fn all() -> Vec<Fu> {
        let mut v = vec![Fu::Decoder, Fu::DdrRead, Fu::DdrWrite, Fu::Lpddr];
        v.extend((0..3).map(Fu::MemA));
        v.extend((0..3).map(Fu::MemB));
        v.extend((0..6).map(Fu::MemC));
        v.push(Fu::MeshA);
        v.push(Fu::MeshB);
        v.extend((0..ENGINES as u8).map(Fu::Mme));
        v
    }

    pub const COUNT: usize = 24;

    pub fn index(self) -> usize {
        match self {
            Fu::Decoder => 0,
            Fu::DdrRead => 1,
            Fu::DdrWrite => 2,
            Fu::Lpddr => 3,
            Fu::MemA(i) => 4 + i as usize,
            Fu::MemB(i) => 7 + i as usize,
            Fu::MemC(i) => 10 + i as usize,
            Fu::MeshA => 16,
            Fu::MeshB => 17,
            Fu::Mme(i) => 18 + i as usize,
        }
    }

    pub fn name(self) -> String {
        match self {
            Fu::Decoder => "Decoder".into(),
            Fu::DdrRead => "DDR.rd".into(),
            Fu::DdrWrite => "DDR.wr".into(),
            Fu::Lpddr => "LPDDR".into(),
            Fu::MemA(i) => format!("MemA{i}"),
            Fu::MemB(i) => format!("MemB{i}"),
            Fu::MemC(i) => format!("MemC{i}"),
            Fu::MeshA => "MeshA".into(),
            Fu::MeshB => "MeshB".into(),
            Fu::Mme(i) => format!("MME{i}"),
        }
    }
}

/// Every stream of the instance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Stream {
    DdrToMemA(u8),
    DdrToMemB(u8),
    DdrToMemC(u8),
    LpddrToMemB(u8),
    MemCToDdr(u8),
    MemAToMeshA(u8),
    MemCToMeshA(u8),
    MemBToMeshB(u8),
    MeshAToMme(u8),
    MeshBToMme(u8),
    MmeToMemC(u8),
    /// LayerNorm partial sums from MemC i to its pair partner i^1 (ISA v2).
    MemCPair(u8),
}

impl Stream {
    pub const COUNT: usize = 54;

    pub fn all() -> Vec<Stream> {
        let mut v = Vec::with_capacity(Self::COUNT);
        v.extend((0..3).map(Stream::DdrToMemA));
        v.extend((0..3).map(Stream::DdrToMemB));
        v.extend((0..6).map(Stream::DdrToMemC));
        v.extend((0..2).map(Stream::LpddrToMemB));
        v.extend((0..6).map(Stream::MemCToDdr));
        v.extend((0..3).map(Stream::MemAToMeshA));
        v.extend((0..4).map(Stream::MemCToMeshA));
        v.extend((0..3).map(Stream::MemBToMeshB));
        v.extend((0..6).map(Stream::MeshAToMme));
        v.extend((0..6).map(Stream::MeshBToMme));
        v.extend((0..6).map(Stream::MmeToMemC));
        v.extend((0..6).map(Stream::MemCPair));
        v
    }

    pub fn index(self) -> usize {
        match self {
            Stream::DdrToMemA(i) => i as usize,
            Stream::DdrToMemB(i) => 3 + i as usize,
            Stream::DdrToMemC(i) => 6 + i as usize,
            Stream::LpddrToMemB(i) => 12 + i as usize,
            Stream::MemCToDdr(i) => 14 + i as usize,
            Stream::MemAToMeshA(i) => 20 + i as usize,
            Stream::MemCToMeshA(i) => 23 + i as usize,
            Stream::MemBToMeshB(i) => 27 + i as usize,
            Stream::MeshAToMme(i) => 30 + i as usize,
            Stream::MeshBToMme(i) => 36 + i as usize,
            Stream::MmeToMemC(i) => 42 + i as usize,
            Stream::MemCPair(i) => 48 + i as usize,
        }
    }

    pub fn name(self) -> String {
        match self {
            Stream::DdrToMemA(i) => format!("DDR->MemA{i}"),
            Stream::DdrToMemB(i) => format!("DDR->MemB{i}"),
            Stream::DdrToMemC(i) => format!("DDR->MemC{i}"),
            Stream::LpddrToMemB(i) => format!("LPDDR->MemB{i}"),
            Stream::MemCToDdr(i) => format!("MemC{i}->DDR"),
            Stream::MemAToMeshA(i) => format!("MemA{i}->MeshA"),
            Stream::MemCToMeshA(i) => format!("MemC{i}->MeshA"),
            Stream::MemBToMeshB(i) => format!("MemB{i}->MeshB"),
            Stream::MeshAToMme(i) => format!("MeshA->MME{i}"),
            Stream::MeshBToMme(i) => format!("MeshB->MME{i}"),
            Stream::MmeToMemC(i) => format!("MME{i}->MemC{i}"),
            Stream::MemCPair(i) => format!("MemC{i}->MemC{}", i ^ 1),
        }
    }

    /// The stream that carries MeshA source code `c` (1..7).
    pub fn mesha_source(code: u32) -> Option<Stream> {
        match code {
            1..=3 => Some(Stream::MemAToMeshA(code as u8 - 1)),
            4..=7 => Some(Stream::MemCToMeshA(code as u8 - 4)),
            _ => None,
        }
    }

    /// The stream that carries MeshB source code `c` (1..3).
    pub fn meshb_source(code: u32) -> Option<Stream> {
        match code {
            1..=3 => Some(Stream::MemBToMeshB(code as u8 - 1)),
            _ => None,
        }
    }
}

/// Distinct active sources of a mesh mOP and the engines each feeds.
pub fn mesh_routes(selects: &[u32; ENGINES]) -> Vec<(u32, Vec<u8>)> {
    let mut routes: Vec<(u32, Vec<u8>)> = Vec::new();
    for (e, &s) in selects.iter().enumerate() {
        if s == 0 {
            continue;
        }
        match routes.iter_mut().find(|r| r.0 == s) {
            Some(r) => r.1.push(e as u8),
            None => routes.push((s, vec![e as u8])),
        }
    }
    routes
}

/// Direction of traffic on a stream, seen from the FU executing the mOP.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dir {
    Produce,
    Consume,
}

/// f32 elements one execution of `payload` on FU `fu` moves on each stream. The payload must have
/// passed [`crate::isa::check::check_payload`]. DDR packets go to the read or write channel by their
/// `store` bit; decoder mOPs move nothing.
pub fn traffic(opcode: Opcode, instance: u8, payload: &Payload) -> Vec<(Stream, Dir, u64)> {
    let blk = BLOCK_ELEMS as u64;
    let mut v = Vec::new();
    match (opcode, payload) {
        (Opcode::Ddr, Payload::Dram(d)) | (Opcode::Lpddr, Payload::Dram(d)) => {
            let n = expand::dram_floats(d);
            let port = DramPort::from_bits(d.port);
            match (opcode, d.store == 1, port) {
                (Opcode::Ddr, false, Some(DramPort::MemA(i))) => v.push((Stream::DdrToMemA(i as u8), Dir::Produce, n)),
                (Opcode::Ddr, false, Some(DramPort::MemB(i))) => v.push((Stream::DdrToMemB(i as u8), Dir::Produce, n)),
                (Opcode::Ddr, false, Some(DramPort::MemC(i))) => v.push((Stream::DdrToMemC(i as u8), Dir::Produce, n)),
                (Opcode::Ddr, true, Some(DramPort::MemC(i))) => v.push((Stream::MemCToDdr(i as u8), Dir::Consume, n)),
                (Opcode::Lpddr, false, Some(DramPort::MemB(i))) => {
                    v.push((Stream::LpddrToMemB(i as u8), Dir::Produce, n))
                }
                _ => {}
            }
        }
        (Opcode::MemA, Payload::MemA(m)) => {
            if m.load_en == 1 {
                v.push((Stream::DdrToMemA(instance), Dir::Consume, m.rows as u64 * m.cols as u64));
            }
            if m.send_en == 1 {
                v.push((Stream::MemAToMeshA(instance), Dir::Produce, m.send_rb as u64 * m.send_cb as u64 * blk));
            }
        }
        (Opcode::MemB, Payload::MemB(m)) => {
            if m.load_en == 1 {
                let s = if m.load_src == 1 { Stream::LpddrToMemB(instance) } else { Stream::DdrToMemB(instance) };
                v.push((s, Dir::Consume, m.rows as u64 * m.cols as u64));
            }
            if m.send_en == 1 {
                let n = m.send_kb as u64 * m.send_cb as u64 * m.send_reps as u64 * blk;
                v.push((Stream::MemBToMeshB(instance), Dir::Produce, n));
            }
        }
        (Opcode::MemC, Payload::MemC(m)) => {
            let (rows, cols) = (m.rows as u64, m.cols as u64);
            let load = match LoadMode::from_bits(m.load_mode) {
                Some(LoadMode::Tile) => rows * cols,
                Some(LoadMode::Broadcast) | Some(LoadMode::AddRow) => cols,
                Some(LoadMode::Params) => 2 * cols,
                _ => 0,
            };
            if load > 0 {
                v.push((Stream::DdrToMemC(instance), Dir::Consume, load));
            }
            if m.recv_en == 1 {
                let n = m.k_iters as u64 * m.recv_rb as u64 * m.recv_cb as u64 * m.recv_kb as u64 * blk;
                v.push((Stream::MmeToMemC(instance), Dir::Consume, n));
            }
            if m.ln_pair == 1 {
                // Row sums, then row sums of squared deviations, each way.
                v.push((Stream::MemCPair(instance), Dir::Produce, 2 * rows));
                v.push((Stream::MemCPair(instance ^ 1), Dir::Consume, 2 * rows));
            }
            match Drain::from_bits(m.drain) {
                Some(Drain::Store) => v.push((Stream::MemCToDdr(instance), Dir::Produce, rows * cols)),
                Some(Drain::Mesh) => {
                    let n = m.send_rb as u64 * m.send_cb as u64 * m.send_kb as u64 * blk;
                    v.push((Stream::MemCToMeshA(instance), Dir::Produce, n));
                }
                _ => {}
            }
        }
        (Opcode::MeshA, Payload::MeshA(m)) => {
            for (src, dsts) in mesh_routes(&m.selects()) {
                if let Some(s) = Stream::mesha_source(src) {
                    v.push((s, Dir::Consume, m.blocks as u64 * blk));
                }
                for e in dsts {
                    v.push((Stream::MeshAToMme(e), Dir::Produce, m.blocks as u64 * blk));
                }
            }
        }
        (Opcode::MeshB, Payload::MeshB(m)) => {
            for (src, dsts) in mesh_routes(&m.selects()) {
                if let Some(s) = Stream::meshb_source(src) {
                    v.push((s, Dir::Consume, m.blocks as u64 * blk));
                }
                for e in dsts {
                    v.push((Stream::MeshBToMme(e), Dir::Produce, m.blocks as u64 * blk));
                }
            }
        }
        _ => {}
    }
    v
}
