//! Test vectors for the RTL DRAM units (rtl/dram/rsn_dram_rd.sv, rsn_dram_wr.sv).
//!
//! ```text
//! rsn-vectors dram CONFIG COUNT SEED
//! ```
//! CONFIG is `ddr_rd` (DDR loads, ports 0..11), `lpddr` (LPDDR loads, MemB0/1) or `ddr_wr` (DDR
//! stores from MemC0-5). Writes a window base, 16 bound pairs and COUNT segments of random DramOp
//! uOPs (each accepted by `rsn::isa::check::check_payload`, except the deliberately unserved one of
//! a `bad` segment). For every uOP it lists the AXI bursts the unit must issue, in order: the
//! chunks of `rsn::isa::expand::dram_chunks` (the lines the model moves, in the model's order), cut
//! at 64 beats and at 4 KiB boundaries of `base + 64 * line`, each checked against the bound pairs
//! (bitstreams/vck190/regs.md: every burst, all of its bytes, inside one enabled pair). The first
//! burst outside every pair ends the segment with a DMA-bounds fault at its first byte.
//!
//! Segment modes: `normal` (every uOP completes), `fault` (ends in a bounds fault), `bad` (ends in a
//! uOP the unit does not serve: fault kind 3), `abort` (the testbench aborts it at a random point),
//! `rerr` (the testbench answers one burst with SLVERR: fault kind 2).
//!
//! Format (hex without 0x unless noted):
//! ```text
//! config rd|wr NUMPORTS PORTBASE     (decimal)
//! base ADDR                          window base byte address
//! bound I EN LO HI                   16 lines: pair I (decimal), enabled, [LO, HI) window offsets
//! seg MODE
//! u ITER W0 W1 W2 W3 PORT            a uOP (ITER decimal); PORT = port code - PORTBASE (decimal),
//!                                    -1 for an unserved uOP
//! b OFF LEN                          its next burst: window byte offset, lines (decimal)
//! f KIND OFF                         the fault that ends the segment (KIND decimal)
//! end
//! ```

use std::io::Write;

use rsn::isa::check::check_payload;
use rsn::isa::expand::dram_chunks;
use rsn::isa::{DramOp, Opcode, Payload, LINE_BYTES};

use crate::splitmix::SplitMix64;
use crate::Error;

/// Beats per AXI burst at most, and the AXI 4 KiB rule.
const MAX_BEATS: u64 = 64;
const PAGE: u64 = 4096;

const USAGE: &str = "dram ddr_rd|lpddr|ddr_wr COUNT SEED";

#[derive(Clone, Copy)]
struct Bound {
    en: bool,
    lo: u64,
    hi: u64,
}

/// A region uOPs are placed in: whole lines [first, end) of one enabled pair.
#[derive(Clone, Copy)]
struct Region {
    first: u64,
    end: u64,
}

struct Config {
    op: Opcode,
    store: u32,
    ports: Vec<u32>,
    port_base: u32,
    fence: bool,
}

/// The bursts of uOP `d` at `iter`, and the offset of the first one outside every enabled pair.
fn bursts(d: &DramOp, iter: u32, base: u64, bounds: &[Bound]) -> (Vec<(u64, u64)>, Option<u64>) {
    let mut out = Vec::new();
    for chunk in dram_chunks(d, iter) {
        let (mut line, mut left) = (chunk.line, chunk.lines);
        while left > 0 {
            let off = line * LINE_BYTES;
            let to_page = (PAGE - (base + off) % PAGE) / LINE_BYTES;
            let len = left.min(to_page).min(MAX_BEATS);
            let end = off + len * LINE_BYTES;
            if !bounds.iter().any(|b| b.en && b.lo <= off && end <= b.hi) {
                return (out, Some(off));
            }
            out.push((off, len));
            line += len;
            left -= len;
        }
    }
    (out, None)
}

/// A chunk geometry: (chunk_lines, chunk_count, chunk_stride), at most about 600 lines.
fn geometry(rng: &mut SplitMix64) -> (u32, u32, u32) {
    let lines = match rng.below(6) {
        0 => 1,
        1 => rng.range(1, 8),
        2 => 64,
        3 => rng.range(63, 130),
        _ => rng.range(1, 300),
    };
    let count = if lines <= 8 { rng.range(1, 40) } else { rng.range(1, (600 / lines).max(1)) };
    let stride = match rng.below(5) {
        0 => lines,
        1 => 0,
        2 => rng.range(0, lines),
        _ => lines + rng.range(0, 100),
    };
    (lines, count, stride)
}

/// Lines from the first chunk's start to the end of the furthest chunk.
fn span(lines: u32, count: u32, stride: u32) -> u64 {
    (count as u64 - 1) * stride as u64 + lines as u64
}

/// Places a uOP with this geometry so its first chunk starts at line `first` (any u64 below 2^42):
/// returns (start, iter, iter_offset) with start + iter * iter_offset = first.
fn place(rng: &mut SplitMix64, first: u64) -> (u32, u32, u32) {
    if first < 1 << 31 {
        let iter = rng.below(4);
        let offset = if iter == 0 { rng.below(1 << 24) } else { rng.below((first / iter as u64).min(5000) as u32 + 1) };
        let start = first - iter as u64 * offset as u64;
        (start as u32, iter, offset)
    } else {
        let offset = rng.range(1 << 23, (1 << 24) - 1);
        let iter = (first / offset as u64) as u32;
        let start = first - iter as u64 * offset as u64;
        (start as u32, iter, offset)
    }
}

pub fn run(args: &[String], out: &mut dyn Write) -> Result<(), Error> {
    let [config, count, seed] = args else { return Err(Error::Usage(USAGE)) };
    let cfg = match config.as_str() {
        "ddr_rd" => Config { op: Opcode::Ddr, store: 0, ports: (0..12).collect(), port_base: 0, fence: true },
        "lpddr" => Config { op: Opcode::Lpddr, store: 0, ports: vec![3, 4], port_base: 3, fence: false },
        "ddr_wr" => Config { op: Opcode::Ddr, store: 1, ports: (6..12).collect(), port_base: 6, fence: false },
        _ => return Err(Error::Usage(USAGE)),
    };
    let count = crate::number("COUNT", count)?;
    let mut rng = SplitMix64(crate::number("SEED", seed)? ^ (u64::from(cfg.store) << 40) ^ u64::from(cfg.port_base));

    // Window base: 4 KiB pages plus a line offset, so the 4 KiB cuts depend on it.
    let base = ((rng.range(1, 0xf_ffff) as u64) << 12) + LINE_BYTES * rng.below(64) as u64;
    // Bound pairs: two adjacent regions (a burst across their common end is in neither), one far
    // beyond 2^32 lines, one whose end is not line aligned, pairs covering everything but disabled,
    // and random disabled ones.
    let l0 = 64 * rng.range(1, 1 << 20) as u64;
    let n0 = rng.range(2000, 6000) as u64;
    let n1 = rng.range(2000, 6000) as u64;
    let high = (1u64 << 34) + rng.next_u32() as u64;
    let n2 = rng.range(2000, 6000) as u64;
    let l3 = 1u64 << 30;
    let n3 = rng.range(2000, 6000) as u64;
    let mut pairs = vec![
        Bound { en: true, lo: l0, hi: l0 + 64 * n0 },
        Bound { en: true, lo: l0 + 64 * n0, hi: l0 + 64 * (n0 + n1) },
        Bound { en: true, lo: high * 64, hi: (high + n2) * 64 },
        Bound { en: true, lo: l3, hi: l3 + 64 * n3 + 32 },
        Bound { en: false, lo: 0, hi: u64::MAX },
        Bound { en: false, lo: 0, hi: 1 << 62 },
    ];
    while pairs.len() < 16 {
        let lo = rng.next_u64() >> 20;
        pairs.push(Bound { en: false, lo, hi: lo + rng.next_u32() as u64 });
    }
    // Shuffle so the enabled pairs sit at random indices.
    for i in (1..pairs.len()).rev() {
        let j = rng.below(i as u32 + 1) as usize;
        pairs.swap(i, j);
    }
    let regions = [
        Region { first: l0 / 64, end: l0 / 64 + n0 },
        Region { first: l0 / 64 + n0, end: l0 / 64 + n0 + n1 },
        Region { first: high, end: high + n2 },
        Region { first: l3 / 64, end: l3 / 64 + n3 },
    ];

    let kind = if cfg.store == 1 { "wr" } else { "rd" };
    writeln!(out, "config {kind} {} {}", cfg.ports.len(), cfg.port_base)?;
    writeln!(out, "base {base:x}")?;
    for (i, b) in pairs.iter().enumerate() {
        writeln!(out, "bound {i} {} {:x} {:x}", u8::from(b.en), b.lo, b.hi)?;
    }

    for _ in 0..count {
        let roll = rng.below(100);
        let mut mode = match roll {
            0..=44 => "normal",
            45..=64 => "fault",
            65..=74 => "bad",
            75..=89 => "abort",
            _ => "rerr",
        };
        let n = rng.range(1, 6);
        let mut lines_out: Vec<String> = Vec::new();
        let mut fault: Option<(u32, u64)> = None;
        for k in 0..n {
            let last = k + 1 == n;
            let r = regions[rng.below(regions.len() as u32) as usize];
            let (lines, cnt, stride) = geometry(&mut rng);
            let sp = span(lines, cnt, stride);
            let room = (r.end - r.first).saturating_sub(sp);
            let mut first = r.first + rng.next_u64() % (room + 1);
            if last && mode == "fault" {
                // Near an end of the region (crossing it, or in the neighbour), or just before it.
                first = match rng.below(3) {
                    0 => r.end - rng.below((sp as u32).min(200) + 1) as u64,
                    1 => r.end.saturating_sub(sp) + rng.range(1, 64) as u64,
                    _ => r.first.saturating_sub(rng.range(1, 70) as u64),
                };
            }
            let (start, iter, iter_offset) = place(&mut rng, first);
            let mut d = DramOp {
                start,
                chunk_lines: lines,
                chunk_count: cnt,
                iter_offset,
                port: cfg.ports[rng.below(cfg.ports.len() as u32) as usize],
                store: cfg.store,
                chunk_stride: stride,
                fence: u32::from(cfg.fence && rng.chance(30)),
            };
            let mut port = d.port as i64 - cfg.port_base as i64;
            if last && mode == "bad" {
                // A uOP of another unit, or a port code no unit serves.
                match rng.below(3) {
                    0 => {
                        d.store ^= 1;
                        d.fence = 0;
                    }
                    1 => d.port = rng.range(12, 15),
                    // A port code of another unit, when the unit does not serve them all.
                    _ if cfg.ports.len() < 12 => {
                        let others: Vec<u32> = (0..12).filter(|p| !cfg.ports.contains(p)).collect();
                        d.port = others[rng.below(others.len() as u32) as usize];
                    }
                    _ => d.port = rng.range(12, 15),
                }
                port = -1;
            } else {
                assert!(check_payload(cfg.op, 0, &Payload::Dram(d)).is_ok(), "generated an invalid payload: {d:?}");
            }
            let mut words = Vec::new();
            d.encode_into(&mut words)?;
            lines_out
                .push(format!("u {iter} {:08x} {:08x} {:08x} {:08x} {port}", words[0], words[1], words[2], words[3]));
            if port < 0 {
                fault = Some((3, 0));
                break;
            }
            let (bs, f) = bursts(&d, iter, base, &pairs);
            for (off, len) in bs {
                lines_out.push(format!("b {off:x} {len}"));
            }
            if let Some(off) = f {
                fault = Some((1, off));
                break;
            }
        }
        match (mode, fault) {
            (_, Some((1, _))) => mode = "fault",
            ("fault", None) => mode = "normal",
            _ => {}
        }
        writeln!(out, "seg {mode}")?;
        for l in &lines_out {
            writeln!(out, "{l}")?;
        }
        if let Some((k, off)) = fault {
            writeln!(out, "f {k} {off:x}")?;
        }
    }
    writeln!(out, "end")?;
    out.flush()?;
    Ok(())
}
