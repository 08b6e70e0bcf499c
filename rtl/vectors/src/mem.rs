//! Test vectors for the RTL MemA/MemB unit (rtl/mem/rsn_mem_ab.sv).
//!
//! ```text
//! rsn-vectors mem CONFIG COUNT SEED
//! ```
//! CONFIG is `mema` (MemA, 256 x 128 banks), `memb01` (MemB0/1, 128 x 512) or `memb2` (MemB2,
//! 512 x 64). Writes COUNT random uOPs, every payload accepted by `rsn::isa::check::check_payload`,
//! with random load data, and the element sequence the unit must send, computed with the model's
//! MemA/MemB kernel (`rsn::model::mem_ab`: `plan`, `clear_outside`, `scatter_load`,
//! `extract_block_into`); element values are carried as bits, which the model's f32 copies keep. Every load is a whole number of 16-float lines
//! (rows * cols % 16 == 0), as the DRAM side delivers them; the testbench packs the elements into
//! lines and unpacks the 32-float block beats.
//!
//! Format (hex without 0x unless noted):
//! ```text
//! config ROWS COLS ISMEMB     bank geometry (decimal) and payload format
//! abort ITER W0 W1 R C T N    the uOP the testbench starts and aborts mid-way (bank 0 is still
//!                             all zeros then, so whatever it sends before the abort is +0.0)
//! zero ITER W0 W1 R C T N     uOPs the testbench runs after the abort, each loading one line of
//!                             zeros; they return both banks to the all-zero state the `u` uOPs
//!                             start from (the testbench supplies their 16 zeros itself)
//! u ITER W0 W1 R C T N        a uOP (ITER decimal), in execution order
//! i ELEM                      a load element, in stream order (all uOPs' loads concatenated)
//! o ELEM LAST                 an expected sent element (LAST 1 on each block's final one)
//! end
//! ```
//! R C T N (decimal) restate what the uOP does, for the testbench's cycle count: the load's rows,
//! cols and transpose flag (0 0 0 without a load) and the number of blocks sent.

use std::io::{self, Write};

use rsn::isa::check::check_payload;
use rsn::isa::fields::reserved_mask;
use rsn::isa::{self, MemAOp, MemBOp, Opcode, Payload, BLOCK};
use rsn::model::mem_ab::{self, MemPlan};

use crate::splitmix::SplitMix64;
use crate::Error;

/// Floats per DRAM line (the load stream's beat).
const LINE: u32 = 16;

const USAGE: &str = "mem mema|memb01|memb2 COUNT SEED";

/// A size in 1..=max, often an edge (1, max, a multiple of 128 or one off it).
fn size(rng: &mut SplitMix64, max: u32) -> u32 {
    match rng.below(6) {
        0 => 1,
        1 => max,
        2 => (max - rng.below(2)).max(1),
        3 => (BLOCK as u32 * rng.range(1, max.div_ceil(BLOCK as u32))).min(max),
        _ => rng.range(1, max),
    }
}

/// A load shape of whole 16-float lines (rows * cols % 16 == 0): random sizes, then one of them
/// rounded up to the multiple of 16 / gcd(other, 16) it lacks. Either way round, so both
/// odd-length stream rows (lines crossing a row boundary) and rows shorter than a line occur, in
/// both load orientations. `rmax` and `cmax` are multiples of 16, so the rounding stays in range.
fn shape(rng: &mut SplitMix64, rmax: u32, cmax: u32) -> (u32, u32) {
    let (mut rows, mut cols) = (size(rng, rmax), size(rng, cmax));
    let lacks = |other: u32| LINE >> other.trailing_zeros().min(LINE.trailing_zeros());
    if rng.chance(50) {
        rows = rows.next_multiple_of(lacks(cols)).min(rmax);
    } else {
        cols = cols.next_multiple_of(lacks(rows)).min(cmax);
    }
    (rows, cols)
}

/// A random valid payload for the instance; loop counts kept small so a simulation stays short.
fn random_payload(rng: &mut SplitMix64, op: Opcode, inst: u32) -> Payload {
    loop {
        let fields = op.fields();
        let w: Vec<u32> = (0..op.payload_words()).map(|i| rng.next_u32() & !reserved_mask(fields, i)).collect();
        let p = match op {
            Opcode::MemA => {
                let mut m = MemAOp::decode(&w).expect("reserved bits are cleared");
                (m.rows, m.cols) = shape(rng, isa::MEMA_ROWS, isa::MEMA_COLS);
                m.send_rb = rng.range(1, isa::MEMA_ROWS / 128);
                m.send_cb = rng.range(1, 2);
                Payload::MemA(m)
            }
            _ => {
                let b2 = inst == 2;
                let (rmax, cmax) =
                    if b2 { (isa::MEMB2_ROWS, isa::MEMB2_COLS) } else { (isa::MEMB_ROWS, isa::MEMB_COLS) };
                let mut m = MemBOp::decode(&w).expect("reserved bits are cleared");
                (m.rows, m.cols) = shape(rng, rmax, cmax);
                m.send_kb = rng.range(1, rmax.div_ceil(128));
                m.send_cb = rng.range(1, cmax.div_ceil(128));
                m.send_reps = if rng.chance(80) { 1 } else { 2 };
                if b2 {
                    m.load_src = 0;
                }
                Payload::MemB(m)
            }
        };
        // Random words give invalid combinations too (nothing enabled, one bank for both): the
        // validator is the judge of what the unit must handle. Loads also move whole 16-float
        // DRAM lines (the program-level stream balance guarantees rows * cols % 16 == 0).
        if check_payload(op, inst, &p).is_ok() && whole_lines(&p) {
            return p;
        }
    }
}

/// A load of the payload, if any, is a whole number of 16-float lines.
fn whole_lines(p: &Payload) -> bool {
    let (load_en, rows, cols) = match p {
        Payload::MemA(m) => (m.load_en, m.rows, m.cols),
        Payload::MemB(m) => (m.load_en, m.rows, m.cols),
        _ => return false,
    };
    load_en == 0 || (rows * cols) % LINE == 0
}

/// The uOP the testbench aborts (full-bank load of bank 1, send of bank 0) and the two uOPs that
/// afterwards load one line of zeros into bank 0 and bank 1.
fn recovery_payloads(op: Opcode, inst: u32) -> (Payload, [Payload; 2]) {
    if op == Opcode::MemA {
        let abort = MemAOp {
            load_en: 1,
            send_en: 1,
            load_bank: 1,
            rows: isa::MEMA_ROWS,
            cols: isa::MEMA_COLS,
            send_rb: isa::MEMA_ROWS / 128,
            send_cb: 2,
            ..Default::default()
        };
        let zero = |b| Payload::MemA(MemAOp { load_en: 1, load_bank: b, rows: 1, cols: LINE, ..Default::default() });
        (Payload::MemA(abort), [zero(0), zero(1)])
    } else {
        let (rmax, cmax) =
            if inst == 2 { (isa::MEMB2_ROWS, isa::MEMB2_COLS) } else { (isa::MEMB_ROWS, isa::MEMB_COLS) };
        let abort = MemBOp {
            load_en: 1,
            send_en: 1,
            load_bank: 1,
            rows: rmax,
            cols: cmax,
            send_kb: rmax.div_ceil(128),
            send_cb: cmax.div_ceil(128),
            send_reps: 1,
            ..Default::default()
        };
        let zero = |b| Payload::MemB(MemBOp { load_en: 1, load_bank: b, rows: 1, cols: LINE, ..Default::default() });
        (Payload::MemB(abort), [zero(0), zero(1)])
    }
}

/// Encodes a Mem payload and says what the model's unit does with it at iteration `iter`.
fn encode(p: &Payload, inst: u8, iter: u32) -> Result<(Vec<u32>, MemPlan), Error> {
    let mut words = Vec::new();
    match p {
        Payload::MemA(m) => m.encode_into(&mut words)?,
        Payload::MemB(m) => m.encode_into(&mut words)?,
        _ => unreachable!("only Mem payloads are generated"),
    }
    Ok((words, mem_ab::plan(p, inst, iter).expect("a Mem payload")))
}

/// A uOP line: tag, iteration, payload words, then the load shape and block count.
fn write_uop(out: &mut dyn Write, tag: &str, iter: u32, words: &[u32], plan: &MemPlan) -> io::Result<()> {
    let (r, c, t) = plan.load.map_or((0, 0, false), |l| (l.rows, l.cols, l.transpose));
    let n = plan.send.as_ref().map_or(0, |s| s.blocks.len());
    writeln!(out, "{tag} {iter} {:08x} {:08x} {r} {c} {} {n}", words[0], words[1], u8::from(t))
}

pub fn run(args: &[String], out: &mut dyn Write) -> Result<(), Error> {
    let [config, count, seed] = args else { return Err(Error::Usage(USAGE)) };
    let (op, inst, rows, cols) = match config.as_str() {
        "mema" => (Opcode::MemA, 0, isa::MEMA_ROWS, isa::MEMA_COLS),
        "memb01" => (Opcode::MemB, 0, isa::MEMB_ROWS, isa::MEMB_COLS),
        "memb2" => (Opcode::MemB, 2, isa::MEMB2_ROWS, isa::MEMB2_COLS),
        _ => return Err(Error::Usage(USAGE)),
    };
    let count = crate::number("COUNT", count)?;
    let mut rng = SplitMix64(crate::number("SEED", seed)?);
    let (rows, cols) = (rows as usize, cols as usize);
    let mut banks = [vec![0.0f32; rows * cols], vec![0.0f32; rows * cols]];
    writeln!(out, "config {rows} {cols} {}", u32::from(op == Opcode::MemB))?;
    let (abort, zero) = recovery_payloads(op, inst);
    for (tag, p) in [("abort", &abort), ("zero", &zero[0]), ("zero", &zero[1])] {
        if let Err((field, why)) = check_payload(op, inst, p) {
            panic!("recovery uOP rejected by the validator: {field}: {why}");
        }
        let (words, plan) = encode(p, inst as u8, 0)?;
        write_uop(out, tag, 0, &words, &plan)?;
    }
    let mut sent = Vec::new();
    for _ in 0..count {
        let p = random_payload(&mut rng, op, inst);
        let iter = rng.below(4);
        let (words, plan) = encode(&p, inst as u8, iter)?;
        write_uop(out, "u", iter, &words, &plan)?;
        // Load and send use different banks (mem_ab::plan), so the send sees the bank as it was
        // before this uOP: extract first, then load. Element values travel as f32 bit patterns,
        // which the model's copies keep.
        if let Some(s) = &plan.send {
            let mut blk = vec![0.0f32; BLOCK * BLOCK];
            for &(br, bc) in &s.blocks {
                mem_ab::extract_block_into(&banks[s.bank], rows, cols, br, bc, &mut blk);
                sent.extend(blk.iter().map(|v| v.to_bits()));
            }
        }
        if let Some(l) = plan.load {
            mem_ab::clear_outside(&mut banks[l.bank], cols, l.rows, l.cols);
            let data: Vec<u32> = (0..l.rows * l.cols).map(|_| rng.next_u32()).collect();
            for v in &data {
                writeln!(out, "i {v:08x}")?;
            }
            let floats: Vec<f32> = data.iter().map(|b| f32::from_bits(*b)).collect();
            mem_ab::scatter_load(&mut banks[l.bank], cols, &l, 0, &floats);
        }
    }
    for (i, v) in sent.iter().enumerate() {
        writeln!(out, "o {v:08x} {}", u8::from(i % (BLOCK * BLOCK) == BLOCK * BLOCK - 1))?;
    }
    writeln!(out, "end")?;
    out.flush()?;
    Ok(())
}
