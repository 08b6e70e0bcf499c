//! Test vectors for the RTL MeshA/MeshB unit (rtl/mesh/rsn_mesh.sv).
//!
//! ```text
//! rsn-vectors mesh mesha|meshb COUNT SEED
//! ```
//! Writes COUNT random uOPs for the mesh, the beats each source stream carries and the beats each
//! engine must receive. Every uOP is accepted by `rsn::isa::check::check_payload` except those marked
//! `bad`: these select, for some engine, a source the engine is not wired to (the validator and the
//! decoder reject them); the RTL must ignore that engine and not hang, so their expectation is that
//! of the same uOP with those selects cleared. Routes come from `rsn::topology::mesh_routes` and
//! the source streams from `Stream::mesha_source`/`meshb_source`, as the model's meshes
//! (host/src/model/mesh.rs) use them: each route moves `blocks` 128x128 blocks (512 beats of 32 floats) from its
//! source to every engine that selects it, in source order; routes of one uOP run concurrently,
//! uOPs one after the other.
//!
//! A beat is named by a random 64-bit TAG; its 32 words are derived from it (both here and in
//! rtl/tb/tb_mesh.cpp): word w = lo32(TAG) * (2w + 1) XOR rotl(hi32(TAG), w).
//!
//! Format (hex without 0x unless noted):
//! ```text
//! config ISMESHB              0 MeshA (7 sources), 1 MeshB (3 sources)
//! u W0 W1 ok|bad              a uOP, in execution order
//! s SRC TAG                   the next beat of source SRC (decimal index: code - 1)
//! x ENG TAG LAST              the next beat engine ENG (decimal) must receive; LAST on beat 511
//! end
//! ```

use std::io::Write;

use rsn::isa::check::check_payload;
use rsn::isa::{self, MeshAOp, MeshBOp, Opcode, Payload, ENGINES};
use rsn::topology::{mesh_routes, Stream};

use crate::splitmix::SplitMix64;
use crate::Error;

/// Beats per 128x128 block (32 floats per beat).
const BLOCK_BEATS: usize = 512;

const USAGE: &str = "mesh mesha|meshb COUNT SEED";

/// Index of the RTL source port that carries `code` (the model's source stream of that code).
fn source_index(mesh_a: bool, code: u32) -> usize {
    let s = if mesh_a { Stream::mesha_source(code) } else { Stream::meshb_source(code) };
    match s {
        Some(Stream::MemAToMeshA(i)) | Some(Stream::MemBToMeshB(i)) => i as usize,
        Some(Stream::MemCToMeshA(i)) => 3 + i as usize,
        other => unreachable!("code {code} is not a mesh source: {other:?}"),
    }
}

/// Block count: mostly 1, sometimes a few (each block is 512 beats per route).
fn blocks(rng: &mut SplitMix64) -> u32 {
    match rng.below(10) {
        0..=5 => 1,
        6..=8 => 2,
        _ => rng.range(3, 4),
    }
}

/// Random selects: each engine picks none or one of its wired sources, biased towards a source so
/// that routes broadcast and several run at once.
fn random_selects(rng: &mut SplitMix64, routes: &[&[u32]; ENGINES]) -> [u32; ENGINES] {
    let mut sel = [0u32; ENGINES];
    for (e, s) in sel.iter_mut().enumerate() {
        if rng.chance(75) {
            let r = routes[e];
            *s = r[rng.below(r.len() as u32) as usize];
        }
    }
    sel
}

fn payload(mesh_a: bool, blocks: u32, sel: &[u32; ENGINES]) -> Payload {
    let [src0, src1, src2, src3, src4, src5] = *sel;
    if mesh_a {
        Payload::MeshA(MeshAOp { blocks, src0, src1, src2, src3, src4, src5 })
    } else {
        Payload::MeshB(MeshBOp { blocks, src0, src1, src2, src3, src4, src5 })
    }
}

pub fn run(args: &[String], out: &mut dyn Write) -> Result<(), Error> {
    let [config, count, seed] = args else { return Err(Error::Usage(USAGE)) };
    let mesh_a = match config.as_str() {
        "mesha" => true,
        "meshb" => false,
        _ => return Err(Error::Usage(USAGE)),
    };
    let count = crate::number("COUNT", count)?;
    let mut rng = SplitMix64(crate::number("SEED", seed)?);
    let (op, routes_tbl, num_src, max_code) =
        if mesh_a { (Opcode::MeshA, &isa::MESHA_ROUTES, 7, 7) } else { (Opcode::MeshB, &isa::MESHB_ROUTES, 3, 3) };

    writeln!(out, "config {}", u32::from(!mesh_a))?;
    let mut src_beats: Vec<Vec<u64>> = vec![Vec::new(); num_src];
    let mut eng_beats: Vec<Vec<(u64, bool)>> = vec![Vec::new(); ENGINES];
    for n in 0..count {
        let b = blocks(&mut rng);
        let sel = loop {
            let sel = random_selects(&mut rng, routes_tbl);
            if check_payload(op, 0, &payload(mesh_a, b, &sel)).is_ok() {
                break sel;
            }
        };
        // Every tenth uOP (not the first) also selects an unwired source for some engine.
        let mut coded = sel;
        let bad = n % 10 == 5;
        if bad {
            let e = rng.below(ENGINES as u32) as usize;
            let unwired: Vec<u32> = (1..=max_code).filter(|c| !routes_tbl[e].contains(c)).collect();
            coded[e] = unwired[rng.below(unwired.len() as u32) as usize];
        }
        let p = payload(mesh_a, b, &coded);
        assert_eq!(check_payload(op, 0, &p).is_ok(), !bad, "validator verdict on {p:?}");
        let mut words = Vec::new();
        match &p {
            Payload::MeshA(m) => m.encode_into(&mut words)?,
            Payload::MeshB(m) => m.encode_into(&mut words)?,
            _ => unreachable!("only mesh payloads are generated"),
        }
        writeln!(out, "u {:08x} {:08x} {}", words[0], words[1], if bad { "bad" } else { "ok" })?;
        // An engine with an unwired code is ignored: the routes of the remaining selects.
        let mut wired = coded;
        for (e, c) in wired.iter_mut().enumerate() {
            if !routes_tbl[e].contains(c) {
                *c = 0;
            }
        }
        let selects = match payload(mesh_a, b, &wired) {
            Payload::MeshA(m) => m.selects(),
            Payload::MeshB(m) => m.selects(),
            _ => unreachable!("only mesh payloads are generated"),
        };
        for (code, dsts) in mesh_routes(&selects) {
            let s = source_index(mesh_a, code);
            for i in 0..b as usize * BLOCK_BEATS {
                let tag = rng.next_u64();
                src_beats[s].push(tag);
                for &e in &dsts {
                    eng_beats[e as usize].push((tag, i % BLOCK_BEATS == BLOCK_BEATS - 1));
                }
            }
        }
    }
    for (s, beats) in src_beats.iter().enumerate() {
        for t in beats {
            writeln!(out, "s {s} {t:016x}")?;
        }
    }
    for (e, beats) in eng_beats.iter().enumerate() {
        for (t, last) in beats {
            writeln!(out, "x {e} {t:016x} {}", u8::from(*last))?;
        }
    }
    writeln!(out, "end")?;
    out.flush()?;
    Ok(())
}
