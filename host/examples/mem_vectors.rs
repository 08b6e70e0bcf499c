//! Test vectors for the RTL MemA/MemB unit (rtl/mem/rsn_mem_ab.sv).
//!
//! ```text
//! cargo run --release -p rsn --example mem_vectors -- CONFIG COUNT SEED
//! ```
//! CONFIG is `mema` (MemA, 256 x 128 banks), `memb01` (MemB0/1, 128 x 512) or `memb2` (MemB2,
//! 512 x 64). Writes COUNT random uOPs, every payload accepted by `rsn::validate::check_payload`,
//! with random load data, and the element sequence the unit must send. The expectation is a direct
//! re-statement of host/src/model/engine.rs for `UnitKind::Mem` (`begin`, `step_unit`,
//! `clear_outside`, `scatter_load`, `extract_block_into`); element values are carried as bits,
//! which is what the model's f32 copies preserve. Every load is a whole number of 16-float lines
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

use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

use rsn::isa::check::check_payload;
use rsn::isa::expand::bank;
use rsn::isa::fields::reserved_mask;
use rsn::isa::{self, MemAOp, MemBOp, Opcode, Payload};

#[path = "common/splitmix.rs"]
mod splitmix;
use splitmix::SplitMix64;

const BLOCK: usize = 128;
/// Floats per DRAM line (the load stream's beat).
const LINE: u32 = 16;

#[derive(Debug, thiserror::Error)]
enum VecError {
    #[error("usage: mem_vectors mema|memb01|memb2 COUNT SEED")]
    Usage,
    #[error("argument {name} = {value:?} is not an unsigned integer")]
    BadNumber { name: &'static str, value: String },
    #[error("a generated payload does not encode: {0}")]
    Encode(#[from] rsn::isa::EncodeError),
    #[error("writing vectors failed: {0}")]
    Io(#[from] io::Error),
}

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

/// One Mem unit of the model: two banks and its geometry.
struct Unit {
    rows: usize,
    cols: usize,
    banks: [Vec<u32>; 2],
}

/// What one uOP does, in the model's terms.
struct Act {
    load: Option<(usize, usize, usize, bool)>,  // (bank, rows, cols, transpose)
    send: Option<(usize, Vec<(usize, usize)>)>, // (bank, blocks (br, bc))
}

impl Unit {
    /// engine.rs `clear_outside`.
    fn clear_outside(&mut self, b: usize, rows: usize, cols: usize) {
        let bank_cols = self.cols;
        for (r, row) in self.banks[b].chunks_exact_mut(bank_cols).enumerate() {
            if r < rows {
                row[cols.min(bank_cols)..].fill(0);
            } else {
                row.fill(0);
            }
        }
    }
    /// engine.rs `scatter_load`, the whole stream at once.
    fn scatter_load(&mut self, b: usize, rows: usize, cols: usize, transpose: bool, buf: &[u32]) {
        let run = if transpose { rows } else { cols };
        for (e, v) in buf.iter().enumerate() {
            let (major, minor) = (e / run, e % run);
            let at = if transpose { minor * self.cols + major } else { major * self.cols + minor };
            self.banks[b][at] = *v;
        }
    }
    /// engine.rs `extract_block_into`.
    fn extract_block(&self, b: usize, br: usize, bc: usize, out: &mut Vec<(u32, bool)>) {
        let c0 = bc * BLOCK;
        let n = self.cols.saturating_sub(c0).min(BLOCK);
        for i in 0..BLOCK {
            let r = br * BLOCK + i;
            let valid = if r < self.rows { n } else { 0 };
            for j in 0..BLOCK {
                let v = if j < valid { self.banks[b][r * self.cols + c0 + j] } else { 0 };
                out.push((v, i == BLOCK - 1 && j == BLOCK - 1));
            }
        }
    }
}

/// engine.rs `begin` for a MemA payload.
fn act_a(m: &MemAOp, iter: u32) -> Act {
    let lb = bank(m.load_bank, m.toggle, iter);
    let sb = bank(m.send_bank, m.toggle, iter);
    let load = (m.load_en == 1).then_some((lb, m.rows as usize, m.cols as usize, false));
    let send = (m.send_en == 1).then(|| {
        let mut blocks = Vec::new();
        for r in 0..m.send_rb as usize {
            for _ in 0..m.send_cb {
                blocks.push((r, 0));
            }
        }
        (sb, blocks)
    });
    Act { load, send }
}

/// engine.rs `begin` for a MemB payload.
fn act_b(m: &MemBOp, iter: u32) -> Act {
    let lb = bank(m.load_bank, m.toggle, iter);
    let sb = bank(m.send_bank, m.toggle, iter);
    let load = (m.load_en == 1).then_some((lb, m.rows as usize, m.cols as usize, m.transpose == 1));
    let send = (m.send_en == 1).then(|| {
        let mut blocks = Vec::new();
        for _ in 0..m.send_reps {
            for c in 0..m.send_cb as usize {
                for k in 0..m.send_kb as usize {
                    blocks.push((k, c));
                }
            }
        }
        (sb, blocks)
    });
    Act { load, send }
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

/// Encodes a Mem payload and says what it does at iteration `iter`.
fn encode(p: &Payload, iter: u32) -> Result<(Vec<u32>, Act), VecError> {
    let mut words = Vec::new();
    let act = match p {
        Payload::MemA(m) => {
            m.encode_into(&mut words)?;
            act_a(m, iter)
        }
        Payload::MemB(m) => {
            m.encode_into(&mut words)?;
            act_b(m, iter)
        }
        _ => unreachable!("only Mem payloads are generated"),
    };
    Ok((words, act))
}

/// A uOP line: tag, iteration, payload words, then the load shape and block count.
fn write_uop(out: &mut impl Write, tag: &str, iter: u32, words: &[u32], act: &Act) -> io::Result<()> {
    let (r, c, t) = act.load.map_or((0, 0, false), |(_, r, c, t)| (r, c, t));
    let n = act.send.as_ref().map_or(0, |(_, blocks)| blocks.len());
    writeln!(out, "{tag} {iter} {:08x} {:08x} {r} {c} {} {n}", words[0], words[1], u8::from(t))
}

fn parse(name: &'static str, value: &str) -> Result<u64, VecError> {
    value.parse().map_err(|_| VecError::BadNumber { name, value: value.to_string() })
}

fn run() -> Result<(), VecError> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [config, count, seed] = args.as_slice() else { return Err(VecError::Usage) };
    let (op, inst, rows, cols) = match config.as_str() {
        "mema" => (Opcode::MemA, 0, isa::MEMA_ROWS, isa::MEMA_COLS),
        "memb01" => (Opcode::MemB, 0, isa::MEMB_ROWS, isa::MEMB_COLS),
        "memb2" => (Opcode::MemB, 2, isa::MEMB2_ROWS, isa::MEMB2_COLS),
        _ => return Err(VecError::Usage),
    };
    let count = parse("COUNT", count)?;
    let mut rng = SplitMix64(parse("SEED", seed)?);
    let (rows, cols) = (rows as usize, cols as usize);
    let mut unit = Unit { rows, cols, banks: [vec![0; rows * cols], vec![0; rows * cols]] };
    let mut out = BufWriter::new(io::stdout().lock());
    writeln!(out, "config {rows} {cols} {}", u32::from(op == Opcode::MemB))?;
    let (abort, zero) = recovery_payloads(op, inst);
    for (tag, p) in [("abort", &abort), ("zero", &zero[0]), ("zero", &zero[1])] {
        if let Err((field, why)) = check_payload(op, inst, p) {
            panic!("recovery uOP rejected by the validator: {field}: {why}");
        }
        let (words, act) = encode(p, 0)?;
        write_uop(&mut out, tag, 0, &words, &act)?;
    }
    let mut sent = Vec::new();
    for _ in 0..count {
        let p = random_payload(&mut rng, op, inst);
        let iter = rng.below(4);
        let (words, act) = encode(&p, iter)?;
        write_uop(&mut out, "u", iter, &words, &act)?;
        // The model's load and send run concurrently on different banks (check_payload), so the
        // send sees the bank as it was before this uOP; extract first, then load.
        if let Some((b, blocks)) = &act.send {
            for &(br, bc) in blocks {
                unit.extract_block(*b, br, bc, &mut sent);
            }
        }
        if let Some((b, r, c, t)) = act.load {
            unit.clear_outside(b, r, c);
            let data: Vec<u32> = (0..r * c).map(|_| rng.next_u32()).collect();
            for v in &data {
                writeln!(out, "i {v:08x}")?;
            }
            unit.scatter_load(b, r, c, t, &data);
        }
    }
    for (v, last) in &sent {
        writeln!(out, "o {v:08x} {}", u8::from(*last))?;
    }
    writeln!(out, "end")?;
    out.flush()?;
    Ok(())
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("mem_vectors: {e}");
            ExitCode::FAILURE
        }
    }
}
