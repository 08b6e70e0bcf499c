//! Test programs for the RTL decoder (rtl/decoder), with what the Rust ISA definition says it must do.
//!
//! ```text
//! rsn-vectors decoder COUNT SEED
//! ```
//! Writes COUNT programs to stdout: random valid programs built from `Program`/`Packet` and
//! `encode()`, and malformed ones made from valid programs by exactly one fault (bad magic or
//! version, short stream, word count that disagrees with the stream, unknown opcode, bad mask, zero
//! window or repeat, truncation, reserved bits, a field an FU refuses, early or missing `last`,
//! wrong packet count). Valid programs hold only payloads every selected FU accepts
//! (`isa::check::check_payload`). The expectations come from `decode_with_positions`,
//! `check_payload`, `expand::executions` and `expand::dram_chunks`;
//! the split of DDR windows into load and store queues follows `model::engine` `dispatch`.
//!
//! Format (hex without 0x unless noted), one block per program:
//! ```text
//! program N WORDS KIND        KIND names the fault (or "valid")
//! w WORD                      WORDS times; the last one is flagged as the stream's final word
//! d QUEUE LAST WORD           expected queue entry (QUEUE decimal 0..16, LAST 0/1)
//! b COUNT                     a barrier after COUNT (decimal) entries in all queues together
//! u ITER IDX P0 P1 P2 P3      expected DDR-read execution (ITER, IDX decimal)
//! c LINE LINES LAST           expected chunk of it (LINES, LAST decimal)
//! result ok | result err CODE WORD    (decimal)
//! end
//! ```
//! For a malformed program the expected entries are those of the packets before the faulting one:
//! the decoder checks a packet whole before dispatching it.

use std::fmt::Write as _;
use std::io::{self, Write};

use rsn::isa::check::check_payload;
use rsn::isa::expand::{dram_chunks, executions};
use rsn::isa::fields::{reserved_mask, FieldSpec};
use rsn::isa::{
    decode_with_positions, DecodeError, DecoderOp, DramOp, MemAOp, MemBOp, MemCOp, MeshAOp, MeshBOp, Opcode, Packet,
    Payload, Program, ISA_VERSION, MAX_WINDOW, STREAM_HEADER_WORDS,
};

use crate::splitmix::SplitMix64;
use crate::Error;

const USAGE: &str = "decoder COUNT SEED";

// RTL error codes (rtl/decoder/README.md).
const E_TOO_SHORT: u32 = 1;
const E_MAGIC: u32 = 2;
const E_VERSION: u32 = 3;
const E_LENGTH: u32 = 4;
const E_OPCODE: u32 = 5;
const E_MASK: u32 = 6;
const E_WINDOW: u32 = 7;
const E_REPEAT: u32 = 8;
const E_TRUNCATED: u32 = 9;
const E_RESERVED: u32 = 10;
const E_PACKET_COUNT: u32 = 11;
const E_EARLY_LAST: u32 = 12;
const E_MISSING_LAST: u32 = 13;
const E_FIELD: u32 = 14;

/// Queue index of each FU instance (rtl/decoder/README.md).
const Q_DDR_RD: usize = 0;
const Q_DDR_WR: usize = 1;

fn queue_of(op: Opcode, inst: u32) -> usize {
    match op {
        Opcode::Lpddr => 2,
        Opcode::MemA => 3 + inst as usize,
        Opcode::MemB => 6 + inst as usize,
        Opcode::MemC => 9 + inst as usize,
        Opcode::MeshA => 15,
        Opcode::MeshB => 16,
        Opcode::Decoder | Opcode::Ddr => unreachable!("not a single-queue opcode"),
    }
}

/// Random field values for one payload: random words with the reserved bits cleared, so every
/// field gets exercised, then the DRAM loop sizes reined in to keep simulations short.
fn random_payload(rng: &mut SplitMix64, op: Opcode) -> Payload {
    let fields = op.fields();
    let w: Vec<u32> = (0..op.payload_words()).map(|i| rng.next_u32() & !reserved_mask(fields, i)).collect();
    let ok = "reserved bits are cleared";
    match op {
        Opcode::Decoder => {
            let mut d = DecoderOp::decode(&w).expect(ok);
            d.kind = if rng.chance(40) {
                1
            } else if rng.chance(70) {
                0
            } else {
                d.kind
            };
            Payload::Decoder(d)
        }
        Opcode::Ddr | Opcode::Lpddr => {
            let mut d = DramOp::decode(&w).expect(ok);
            d.chunk_count = if rng.chance(5) { 0 } else { rng.range(1, 4) };
            if op == Opcode::Lpddr {
                d.store = 0;
            }
            if rng.chance(30) {
                // Largest addresses: the u64 arithmetic must survive in RTL.
                d.start = u32::MAX - rng.below(4);
                d.iter_offset = 0xff_ffff;
                d.chunk_stride = 0xff_ffff - rng.below(2);
            }
            Payload::Dram(d)
        }
        Opcode::MemA => Payload::MemA(MemAOp::decode(&w).expect(ok)),
        Opcode::MemB => Payload::MemB(MemBOp::decode(&w).expect(ok)),
        Opcode::MemC => Payload::MemC(MemCOp::decode(&w).expect(ok)),
        Opcode::MeshA => Payload::MeshA(MeshAOp::decode(&w).expect(ok)),
        Opcode::MeshB => Payload::MeshB(MeshBOp::decode(&w).expect(ok)),
    }
}

fn random_packet(rng: &mut SplitMix64) -> Packet {
    let op = Opcode::ALL[rng.below(8) as usize];
    let inst = (1u32 << op.instances()) - 1;
    let mask = loop {
        let m = rng.next_u32() & inst;
        if m != 0 {
            break m;
        }
    };
    let window = if rng.chance(10) { rng.range(1, MAX_WINDOW) } else { rng.range(1, 6) };
    let repeat = if rng.chance(3) && window <= 2 {
        // Long replays reach the upper bits of the iteration index.
        rng.range(200, 1500)
    } else if rng.chance(2) && op != Opcode::Ddr {
        // Only the DDR read queue is expanded here, so other opcodes may use the full range.
        rng.range(60_000, 65_535)
    } else {
        rng.range(1, 4)
    };
    let window = (0..window).map(|_| legal_payload(rng, op, mask)).collect();
    Packet::new(op, mask, repeat, window)
}

fn instances(op: Opcode, mask: u32) -> Vec<u32> {
    (0..op.instances()).filter(|i| mask >> i & 1 == 1).collect()
}

fn field_bits(w: &[u32], f: &FieldSpec) -> u32 {
    (w[f.word] >> f.lsb) & rsn::isa::fields::mask(f.width)
}

fn set_field_bits(w: &mut [u32], f: &FieldSpec, v: u32) {
    let m = rsn::isa::fields::mask(f.width) << f.lsb;
    w[f.word] = (w[f.word] & !m) | (v << f.lsb & m);
}

/// A random payload that every instance in `mask` accepts: random fields, each ranged field drawn
/// into its range, then the rules between fields (`isa::check`) made to hold.
fn legal_payload(rng: &mut SplitMix64, op: Opcode, mask: u32) -> Payload {
    let insts = instances(op, mask);
    let mut w = payload_words(&random_payload(rng, op));
    for f in op.fields() {
        if let Some(r) = &f.range {
            let hi = insts.iter().map(|&i| r.hi(i)).min().unwrap_or(r.lo);
            let v = field_bits(&w, f);
            if v < r.lo || v > hi {
                set_field_bits(&mut w, f, rng.range(r.lo, hi));
            }
        }
    }
    let mut p = Payload::decode(op, &w).expect("reserved bits stay clear");
    match &mut p {
        Payload::Dram(d) => {
            d.port %= 12;
            if op == Opcode::Lpddr {
                (d.store, d.port, d.fence) = (0, 3 + (d.port & 1), 0);
            } else if d.store == 1 {
                (d.port, d.fence) = (6 + d.port % 6, 0);
            }
        }
        Payload::MemA(a) => {
            if a.load_en == 0 && a.send_en == 0 {
                a.load_en = 1;
            }
            if a.load_en == 1 && a.send_en == 1 && a.load_bank == a.send_bank {
                a.send_bank ^= 1;
            }
        }
        Payload::MemB(b) => {
            if b.load_en == 0 && b.send_en == 0 {
                b.load_en = 1;
            }
            if insts.contains(&2) {
                b.load_src = 0;
            }
            if b.load_en == 1 && b.send_en == 1 && b.load_bank == b.send_bank {
                b.send_bank ^= 1;
            }
        }
        Payload::MemC(c) => {
            let no_mesh = insts.iter().any(|&i| i >= rsn::isa::MEMC_WITH_MESH);
            c.load_mode %= 5;
            c.drain %= 3;
            c.post_op %= 4;
            let fill = c.load_mode != 0 || c.recv_en == 1;
            if (!fill && c.drain == 0) || (c.drain == 2 && no_mesh) {
                c.drain = 1;
            }
            if c.acc == 1 && c.recv_en == 0 {
                c.acc = 0;
            }
            if (c.post_op != 0 && c.drain == 0) || (c.post_op == 1 && no_mesh) {
                c.post_op = 0;
            }
            let eps = f32::from_bits(c.eps);
            if c.post_op == 2 && !(eps.is_finite() && eps >= 0.0) {
                c.eps = 1e-5f32.to_bits();
            }
            if c.ln_pair == 1 && (c.post_op != 2 || c.drain != 1) {
                c.ln_pair = 0;
            }
            c.ln_total = if c.ln_pair == 1 { rng.range(c.cols + 1, 2 * rsn::isa::MEMC_COLS) } else { 0 };
            if fill && c.drain != 0 && c.fill_bank == c.drain_bank {
                c.drain_bank ^= 1;
            }
        }
        Payload::MeshA(_) | Payload::MeshB(_) => {
            let (routes, src_bits): (&[&[u32]; 6], u32) =
                if op == Opcode::MeshA { (&rsn::isa::MESHA_ROUTES, 3) } else { (&rsn::isa::MESHB_ROUTES, 2) };
            let mut w = payload_words(&p);
            let mut any = false;
            for (e, allowed) in routes.iter().enumerate() {
                let lsb = e as u32 * src_bits;
                let src = (w[1] >> lsb) & ((1 << src_bits) - 1);
                let keep = src != 0 && allowed.contains(&src) && !rng.chance(30);
                if !keep {
                    w[1] &= !(((1 << src_bits) - 1) << lsb);
                }
                any |= keep;
            }
            if !any {
                w[1] |= routes[0][0];
            }
            p = Payload::decode(op, &w).expect("reserved bits stay clear");
        }
        Payload::Decoder(_) => {}
    }
    p
}

fn random_program(rng: &mut SplitMix64) -> Program {
    let n = if rng.chance(10) { rng.range(13, 30) } else { rng.range(1, 12) };
    Program { packets: (0..n).map(|_| random_packet(rng)).collect() }
}

fn payload_words(p: &Payload) -> Vec<u32> {
    let mut v = Vec::new();
    let r = match p {
        Payload::Decoder(x) => x.encode_into(&mut v),
        Payload::Dram(x) => x.encode_into(&mut v),
        Payload::MemA(x) => x.encode_into(&mut v),
        Payload::MemB(x) => x.encode_into(&mut v),
        Payload::MemC(x) => x.encode_into(&mut v),
        Payload::MeshA(x) => x.encode_into(&mut v),
        Payload::MeshB(x) => x.encode_into(&mut v),
    };
    r.expect("a decoded payload re-encodes");
    v
}

/// What the decoder must do with the packets it dispatches.
#[derive(Default)]
struct Expect {
    text: String,
    entries: usize,
}

impl Expect {
    fn entry(&mut self, q: usize, last: bool, w: u32) {
        writeln!(self.text, "d {q} {} {w:08x}", last as u32).expect("String write");
        self.entries += 1;
    }

    /// One queue's share of a packet: the header with the share's window size, then its payloads.
    fn share(&mut self, q: usize, header: u32, tp: &Packet) {
        let h = (header & !(0x1f << 11)) | (tp.window.len() as u32) << 11;
        self.entry(q, false, h);
        let n = tp.window.len();
        for (i, p) in tp.window.iter().enumerate() {
            let w = payload_words(p);
            for (j, &x) in w.iter().enumerate() {
                self.entry(q, i + 1 == n && j + 1 == w.len(), x);
            }
        }
        if q == Q_DDR_RD {
            for (iter, idx, p) in executions(tp) {
                let w = payload_words(p);
                writeln!(self.text, "u {iter} {idx} {:08x} {:08x} {:08x} {:08x}", w[0], w[1], w[2], w[3])
                    .expect("String write");
                let Payload::Dram(d) = p else { unreachable!("DDR packets carry DramOps") };
                let chunks: Vec<_> = dram_chunks(d, iter).collect();
                for (c, ch) in chunks.iter().enumerate() {
                    writeln!(self.text, "c {:x} {} {}", ch.line, ch.lines, (c + 1 == chunks.len()) as u32)
                        .expect("String write");
                }
            }
        }
    }

    /// The dispatch of one decoded packet, as model::engine `dispatch` splits it.
    fn packet(&mut self, p: &Packet, header: u32) {
        match p.opcode {
            Opcode::Decoder => {
                if p.window.iter().any(|w| matches!(w, Payload::Decoder(d) if d.kind == 1)) {
                    writeln!(self.text, "b {}", self.entries).expect("String write");
                }
            }
            Opcode::Ddr => {
                let (loads, stores): (Vec<Payload>, Vec<Payload>) =
                    p.window.iter().partition(|w| !matches!(w, Payload::Dram(d) if d.store == 1));
                for (q, share) in [(Q_DDR_RD, loads), (Q_DDR_WR, stores)] {
                    if !share.is_empty() {
                        self.share(q, header, &Packet::new(p.opcode, 1, p.repeat, share));
                    }
                }
            }
            _ => {
                for inst in p.instances() {
                    self.share(queue_of(p.opcode, inst), header, p);
                }
            }
        }
    }
}

/// Word index of the end (last word) of each packet of a valid program.
fn packet_ends(prog: &Program) -> Vec<usize> {
    prog.positions()
        .iter()
        .zip(&prog.packets)
        .map(|(pos, p)| pos.word + p.window.len() * p.opcode.payload_words())
        .collect()
}

/// A malformed variant of a valid program: its words, fault name, and how many of the original
/// packets the decoder dispatches before it stops.
struct Malformed {
    words: Vec<u32>,
    kind: &'static str,
    prefix: usize,
    /// For a field fault: the first word of the payload an FU refuses.
    field_word: Option<usize>,
}

/// Applies one random fault; None when the program has no place for the chosen fault.
fn corrupt(rng: &mut SplitMix64, prog: &Program, words: &[u32]) -> Option<Malformed> {
    let mut w = words.to_vec();
    let pos = prog.positions();
    let n = prog.packets.len();
    let k = rng.below(n as u32) as usize;
    let hk = pos[k].word;
    let m = |words: Vec<u32>, kind, prefix| Some(Malformed { words, kind, prefix, field_word: None });
    match rng.below(14) {
        0 => {
            w[0] ^= 1 << rng.below(32);
            m(w, "bad_magic", 0)
        }
        1 => {
            w[1] = if rng.chance(50) { ISA_VERSION ^ (1 << rng.below(32)) } else { 1 };
            m(w, "bad_version", 0)
        }
        2 => {
            w.truncate(rng.range(1, STREAM_HEADER_WORDS as u32 - 1) as usize);
            m(w, "too_short", 0)
        }
        3 => {
            // The header's word count disagrees with the stream (both directions, and too small
            // for a header at all).
            let len = w.len();
            let declared = match rng.below(3) {
                0 => len + rng.range(1, 20) as usize,
                1 => rng.range(4, len as u32 - 1) as usize,
                _ => rng.below(4) as usize,
            };
            w[2] = declared as u32;
            let detect = declared.min(len).checked_sub(1).filter(|_| declared >= STREAM_HEADER_WORDS);
            let prefix = detect.map_or(0, |d| packet_ends(prog).iter().filter(|&&e| e < d).count());
            m(w, "length", prefix)
        }
        4 => {
            w[hk] = (w[hk] & !0xf) | rng.range(8, 15);
            m(w, "opcode", k)
        }
        5 => {
            let op = prog.packets[k].opcode;
            let bad = if op.instances() < 6 && rng.chance(70) {
                (rng.next_u32() & 0x3f) | 1 << rng.range(op.instances(), 5)
            } else {
                0
            };
            w[hk] = (w[hk] & !(0x3f << 4)) | bad << 4;
            m(w, "mask", k)
        }
        6 => {
            w[hk] &= !(0x1f << 11);
            m(w, "window", k)
        }
        7 => {
            w[hk] &= 0xffff;
            m(w, "repeat", k)
        }
        8 => {
            // The final packet loses payload words or asks for more than there are.
            let last = n - 1;
            let hl = pos[last].word;
            let p = &prog.packets[last];
            if rng.chance(50) || p.window.len() as u32 == MAX_WINDOW {
                let drop = rng.range(1, (p.window.len() * p.opcode.payload_words()) as u32);
                w.truncate(w.len() - drop as usize);
                w[2] = w.len() as u32;
            } else {
                let win = rng.range(p.window.len() as u32 + 1, MAX_WINDOW);
                w[hl] = (w[hl] & !(0x1f << 11)) | win << 11;
            }
            m(w, "truncated", last)
        }
        9 => {
            // A reserved bit of one payload word of packet k.
            let p = &prog.packets[k];
            let pw = p.opcode.payload_words();
            let cands: Vec<usize> =
                (0..p.window.len() * pw).filter(|i| reserved_mask(p.opcode.fields(), i % pw) != 0).collect();
            if cands.is_empty() {
                return None;
            }
            let i = cands[rng.below(cands.len() as u32) as usize];
            let rsvd = reserved_mask(p.opcode.fields(), i % pw);
            let bits: Vec<u32> = (0..32).filter(|b| rsvd >> b & 1 == 1).collect();
            // The lowest reserved bit borders a field: where a wrong mask would show first.
            let b = if rng.chance(50) { bits[0] } else { bits[rng.below(bits.len() as u32) as usize] };
            w[hk + 1 + i] |= 1 << b;
            m(w, "reserved", k)
        }
        10 => {
            if n < 2 || k == n - 1 {
                return None;
            }
            w[hk] |= 1 << 10;
            m(w, "early_last", k)
        }
        11 => {
            let hl = pos[n - 1].word;
            w[hl] &= !(1 << 10);
            m(w, "missing_last", n - 1)
        }
        12 => {
            // One field bit of payload `mi` of packet k flipped so that a selected FU refuses it.
            let p = &prog.packets[k];
            let (op, pw) = (p.opcode, p.opcode.payload_words());
            let mi = rng.below(p.window.len() as u32) as usize;
            let w0 = hk + 1 + mi * pw;
            for _ in 0..32 {
                let i = rng.below(pw as u32) as usize;
                let bit = rng.below(32);
                if reserved_mask(op.fields(), i) >> bit & 1 == 1 {
                    continue;
                }
                let mut cand = w[w0..w0 + pw].to_vec();
                cand[i] ^= 1 << bit;
                let payload = Payload::decode(op, &cand).expect("field bits only");
                if instances(op, p.mask).iter().any(|&inst| check_payload(op, inst, &payload).is_err()) {
                    w[w0..w0 + pw].copy_from_slice(&cand);
                    return Some(Malformed { words: w, kind: "field", prefix: k, field_word: Some(w0) });
                }
            }
            None
        }
        _ => {
            w[3] = if rng.chance(50) { n as u32 + rng.range(1, 3) } else { rng.below(n as u32) };
            m(w, "packet_count", n - 1)
        }
    }
}

/// RTL error code and word for a Rust decode error (README.md: "Error codes").
fn error_code(e: &DecodeError, prog: &Program) -> Result<(u32, usize), Error> {
    let pos = prog.positions();
    Ok(match e {
        DecodeError::TooShort(len) => (E_TOO_SHORT, len - 1),
        DecodeError::BadMagic { .. } => (E_MAGIC, 0),
        DecodeError::BadVersion { .. } => (E_VERSION, 1),
        DecodeError::LengthMismatch { .. } => (E_LENGTH, 2),
        DecodeError::Header { word, message, .. } => {
            let code = if message.starts_with("unknown opcode") {
                E_OPCODE
            } else if message.starts_with("mask") {
                E_MASK
            } else if message.starts_with("window size 0") {
                E_WINDOW
            } else if message.starts_with("repeat count 0") {
                E_REPEAT
            } else {
                return Err(Error::Gen(format!("decode error {e:?} has no RTL error code")));
            };
            (code, *word)
        }
        DecodeError::Truncated { word, .. } => (E_TRUNCATED, *word),
        DecodeError::Payload { word, .. } => (E_RESERVED, *word),
        DecodeError::PacketCount { .. } => (E_PACKET_COUNT, 3),
        DecodeError::EarlyLast { packet } => (E_EARLY_LAST, pos[*packet].word),
        DecodeError::MissingLast => (E_MISSING_LAST, pos.last().map_or(3, |p| p.word)),
    })
}

/// Packet index Rust names in an error, where it names one.
fn error_packet(e: &DecodeError) -> Option<usize> {
    match e {
        DecodeError::Header { packet, .. }
        | DecodeError::Payload { packet, .. }
        | DecodeError::Truncated { packet, .. }
        | DecodeError::EarlyLast { packet } => Some(*packet),
        _ => None,
    }
}

fn write_program(
    out: &mut dyn Write,
    n: usize,
    words: &[u32],
    kind: &str,
    exp: &Expect,
    result: &str,
) -> io::Result<()> {
    writeln!(out, "program {n} {} {kind}", words.len())?;
    for w in words {
        writeln!(out, "w {w:08x}")?;
    }
    out.write_all(exp.text.as_bytes())?;
    writeln!(out, "result {result}")?;
    writeln!(out, "end")
}

/// The expectation of the first `prefix` packets of a valid program.
fn expect_prefix(words: &[u32], prefix: usize) -> Result<Expect, Error> {
    let decoded = decode_with_positions(words)
        .map_err(|e| Error::Gen(format!("a generated valid program does not decode: {e}")))?;
    let mut exp = Expect::default();
    for (p, pos) in decoded.iter().take(prefix) {
        exp.packet(p, words[pos.word]);
    }
    Ok(exp)
}

pub fn run(args: &[String], out: &mut dyn Write) -> Result<(), Error> {
    let [count, seed] = args else {
        return Err(Error::Usage(USAGE));
    };
    let count = crate::number("COUNT", count)?;
    let mut rng = SplitMix64(crate::number("SEED", seed)?);

    let mut n = 0usize;
    // Programs without packets: the header alone.
    for declared in [0u32, 2] {
        let words = vec![rsn::isa::MAGIC, ISA_VERSION, 4, declared];
        let e = decode_with_positions(&words).expect_err("a program without packets is invalid");
        let (code, word) = error_code(&e, &Program::default())?;
        write_program(out, n, &words, "no_packets", &Expect::default(), &format!("err {code} {word}"))?;
        n += 1;
    }
    // The largest DRAM addresses: the iteration index at its top and the longest chunk loop, so
    // the chunk line needs all of its 42 bits.
    {
        let d = |chunk_count, iter_offset, chunk_stride| {
            Payload::Dram(DramOp {
                start: u32::MAX,
                chunk_lines: 0xffff,
                chunk_count,
                iter_offset,
                port: 6,
                store: 0,
                chunk_stride,
                fence: 0,
            })
        };
        let prog = Program {
            packets: vec![
                Packet::new(Opcode::Ddr, 1, 65_535, vec![d(1, 0xff_ffff, 0)]),
                Packet::new(Opcode::Ddr, 1, 1, vec![d(65_535, 0, 0xff_ffff)]),
            ],
        };
        let words = prog.encode()?;
        let exp = expect_prefix(&words, prog.packets.len())?;
        write_program(out, n, &words, "wide_addresses", &exp, "ok")?;
        n += 1;
    }
    while (n as u64) < count {
        let prog = random_program(&mut rng);
        for p in &prog.packets {
            for (inst, payload) in
                instances(p.opcode, p.mask).into_iter().flat_map(|i| p.window.iter().map(move |w| (i, w)))
            {
                if let Err((field, msg)) = check_payload(p.opcode, inst, payload) {
                    return Err(Error::Gen(format!("a generated payload is refused ({field}: {msg}): {payload:?}")));
                }
            }
        }
        let words = prog.encode()?;
        if rng.chance(45) {
            let exp = expect_prefix(&words, prog.packets.len())?;
            write_program(out, n, &words, "valid", &exp, "ok")?;
            n += 1;
            continue;
        }
        let Some(bad) = corrupt(&mut rng, &prog, &words) else { continue };
        if let Some(word) = bad.field_word {
            // The structure is intact; the decoder refuses the payload before dispatching its
            // packet.
            if decode_with_positions(&bad.words).is_err() {
                return Err(Error::Gen("a field fault broke the program's structure".into()));
            }
            let exp = expect_prefix(&words, bad.prefix)?;
            write_program(out, n, &bad.words, bad.kind, &exp, &format!("err {E_FIELD} {word}"))?;
            n += 1;
            continue;
        }
        let e = match decode_with_positions(&bad.words) {
            Ok(_) => return Err(Error::Gen(format!("fault `{}` left a program that still decodes", bad.kind))),
            Err(e) => e,
        };
        // One fault per program: Rust must name the packet the fault was put in, otherwise the
        // fault changed how later words parse and the prefix would not be the original packets.
        if let Some(p) = error_packet(&e) {
            if p != bad.prefix {
                continue;
            }
        }
        let (code, word) = error_code(&e, &prog)?;
        let exp = expect_prefix(&words, bad.prefix)?;
        write_program(out, n, &bad.words, bad.kind, &exp, &format!("err {code} {word}"))?;
        n += 1;
    }
    out.flush()?;
    Ok(())
}
