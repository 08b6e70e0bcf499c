//! The DRAM units: the DDR unit's read and write channels and the LPDDR unit. Each mOP expands
//! into chunks ([`crate::isa::expand::dram_chunk`]) moved a piece at a time between device memory
//! and a line stream, sharing its memory's bus.

use super::unit::{fault, give_piece, Acct, Ctx, EResult, Step, PIECE};
use crate::hal::{FaultCode, Memory};
use crate::isa::{expand, DramOp, DramPort, InstrPos};
use crate::topology::Stream;

/// One DRAM mOP under way.
pub(super) struct DramRun {
    d: DramOp,
    iter: u32,
    chunk: u32,
    off: u64,
    t: f64,
    /// A fenced load: the number of DDR store mOPs that must complete first.
    fence: Option<u64>,
}

impl DramRun {
    /// Start mOP `d` at iteration `iter`; a fenced DDR load waits for the `stores_before` stores
    /// dispatched ahead of it.
    pub fn begin(d: &DramOp, iter: u32, start: f64, stores_before: u64) -> DramRun {
        let fence = (d.fence == 1 && stores_before > 0).then_some(stores_before);
        DramRun { d: *d, iter, chunk: 0, off: 0, t: start, fence }
    }

    /// The next piece of the current chunk: (byte offset, floats).
    fn piece(&self) -> (u64, usize) {
        let chunk = expand::dram_chunk(&self.d, self.iter, self.chunk);
        let n = (chunk.floats() - self.off) as usize;
        (chunk.byte_offset() + self.off * 4, n.min(PIECE))
    }

    /// Account `n` moved floats; steps to the next chunk at the end of one.
    fn advance(&mut self, n: usize) {
        self.off += n as u64;
        if self.off == expand::dram_chunk(&self.d, self.iter, self.chunk).floats() {
            self.off = 0;
            self.chunk += 1;
        }
    }
}

/// The stream a load feeds.
pub(super) fn load_stream(d: &DramOp, lpddr: bool) -> Stream {
    match DramPort::from_bits(d.port) {
        Some(DramPort::MemA(i)) => Stream::DdrToMemA(i as u8),
        Some(DramPort::MemB(i)) if lpddr => Stream::LpddrToMemB(i as u8),
        Some(DramPort::MemB(i)) => Stream::DdrToMemB(i as u8),
        Some(DramPort::MemC(i)) => Stream::DdrToMemC(i as u8),
        None => unreachable!("checked at decode"),
    }
}

/// One step of a load (DDR read channel or LPDDR unit).
pub(super) fn step_load(
    run: &mut Option<DramRun>,
    lp: bool,
    ctx: &mut Ctx,
    acct: &mut Acct,
    pos: InstrPos,
) -> EResult<Step> {
    let rates = &ctx.rates;
    let r = run.as_mut().expect("active");
    if let Some(need) = r.fence {
        if (ctx.store_done.len() as u64) < need {
            return Ok(Step::Blocked(format!(
                "fence at {pos}: waiting for DDR store {} of {need} to complete",
                ctx.store_done.len() + 1
            )));
        }
        r.t = r.t.max(ctx.store_done[need as usize - 1]);
        r.fence = None;
    }
    if r.chunk == r.d.chunk_count {
        let t = r.t;
        *run = None;
        return Ok(Step::Done(t));
    }
    let stream = load_stream(&r.d, lp);
    let (byte, n) = r.piece();
    let f = &mut ctx.fifos[stream.index()];
    if f.space() < n {
        return Ok(Step::Blocked(format!(
            "at {pos}: waiting for room on {} (needs {n}, has {})",
            stream.name(),
            f.space()
        )));
    }
    let memory = if lp { Memory::Lpddr } else { Memory::Ddr };
    let (bw, lat, bus) = if lp {
        (rates.lpddr, rates.lpddr_lat, &mut ctx.lpddr_bus)
    } else {
        (rates.ddr_rd, rates.ddr_lat, &mut ctx.ddr_bus)
    };
    let dur = crate::bitstream::dram_bus_cycles(n as f64, bw, rates.line);
    let earliest = r.t.max(f.space_time(n));
    let start = bus.reserve(earliest, dur);
    // The stream carries the DRAM pages themselves (see `memory`); the bounds of the whole piece
    // are checked before any of it is pushed.
    let ready = start + dur + lat;
    ctx.mem
        .read_pages(ctx.bounds, memory, byte, n, |page, s, e| f.push_window(page, s, e, ready))
        .map_err(|m| fault(FaultCode::DmaBounds, Some(pos), m))?;
    acct.step(r.t, start, dur, false);
    acct.bytes += (n * 4) as u64;
    r.t = start + dur;
    r.advance(n);
    Ok(Step::Progress)
}

/// One step of a store (DDR write channel).
pub(super) fn step_store(run: &mut Option<DramRun>, ctx: &mut Ctx, acct: &mut Acct, pos: InstrPos) -> EResult<Step> {
    let rates = &ctx.rates;
    let r = run.as_mut().expect("active");
    if r.chunk == r.d.chunk_count {
        let t = r.t;
        ctx.store_done.push(t);
        *run = None;
        return Ok(Step::Done(t));
    }
    let Some(DramPort::MemC(i)) = DramPort::from_bits(r.d.port) else { unreachable!("checked at decode") };
    let stream = Stream::MemCToDdr(i as u8);
    let (byte, n) = r.piece();
    let f = &mut ctx.fifos[stream.index()];
    if f.len() < n {
        return Ok(Step::Blocked(format!(
            "at {pos}: waiting for data on {} (needs {n}, has {})",
            stream.name(),
            f.len()
        )));
    }
    let dur = crate::bitstream::dram_bus_cycles(n as f64, rates.ddr_wr, rates.line);
    // Lines are written as they arrive (cut-through).
    let earliest = r.t.max(f.ready_time(n) - dur);
    let start = ctx.ddr_bus.reserve(earliest, dur);
    // The bounds of the whole piece are checked before any of it is written.
    let mut put =
        ctx.mem.writer(ctx.bounds, Memory::Ddr, byte, n).map_err(|m| fault(FaultCode::DmaBounds, Some(pos), m))?;
    let pieces = &mut ctx.pieces;
    f.pop_each(n, start + dur, &mut put, |c| give_piece(pieces, c));
    acct.step(r.t, start, dur, true);
    acct.bytes += (n * 4) as u64;
    r.t = start + dur;
    r.advance(n);
    Ok(Step::Progress)
}
