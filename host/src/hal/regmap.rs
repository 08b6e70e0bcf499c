//! The device side of the register map (bitstreams/vck190/regs.md, [`crate::regs`]) as the host
//! reads it: kernel arguments for a run, fault decoding, FU states and counters. Shared by every
//! backend that drives the real PL kernel through its control registers (`xrt` on the board, `sim`
//! on the verilated RTL), so both report runs and faults the same way.

use super::{
    Allocation, BackendKind, DeviceError, DeviceStatus, FaultCode, FuCounters, FuState, Memory, Positions, Result,
    RunReport,
};
use crate::bitstream::Bitstream;
use crate::isa::InstrPos;
use crate::regs;
use crate::topology::{Fu, Stream};

/// 32-bit reads of the control slave. `read_reg64` is tear-free against a counter that is still
/// moving: the high word is read around the low word until it is stable.
pub trait RegPort {
    fn read_reg(&mut self, offset: u32) -> Result<u32>;

    /// Name of the backend call to blame when a 64-bit register does not settle.
    fn backend(&self) -> BackendKind;

    /// Replace or add the states of FUs the registers cannot see (e.g. engines outside the PL
    /// kernel whose model the backend holds). Called by [`fu_states`].
    fn overlay_states(&mut self, _states: &mut Vec<FuState>) {}

    fn read_reg64(&mut self, offset: u32) -> Result<u64> {
        let mut hi = self.read_reg(offset + 4)?;
        for _ in 0..4 {
            let lo = self.read_reg(offset)?;
            let hi2 = self.read_reg(offset + 4)?;
            if hi2 == hi {
                return Ok((hi as u64) << 32 | lo as u64);
            }
            hi = hi2;
        }
        Err(DeviceError::Backend {
            backend: self.backend(),
            call: "read_reg64",
            message: format!("the 64-bit register at {offset:#x} kept changing while read"),
        })
    }
}

/// The buffers a program may touch as at most [`regs::MAX_BOUNDS`] ranges for the device's bound
/// registers: one per buffer (overlaps merged) while they fit, so that the hardware's check is the
/// model's, buffer by buffer; beyond that the closest neighbours in one memory are merged, touching
/// ones first (a wider bound still keeps every access inside that memory's arena).
pub fn bound_pairs(bounds: &[Allocation]) -> Vec<(Memory, u64, u64)> {
    let rank = |m: Memory| if m == Memory::Ddr { 0 } else { 1 };
    let mut v: Vec<(Memory, u64, u64)> = bounds
        .iter()
        .filter(|a| a.memory != Memory::Instr && a.len > 0)
        .map(|a| (a.memory, a.offset, a.offset + a.len))
        .collect();
    v.sort_by_key(|&(m, s, _)| (rank(m), s));
    let mut out: Vec<(Memory, u64, u64)> = Vec::with_capacity(v.len());
    for r in v {
        match out.last_mut() {
            Some(last) if last.0 == r.0 && r.1 < last.2 => last.2 = last.2.max(r.2),
            _ => out.push(r),
        }
    }
    while out.len() > regs::MAX_BOUNDS {
        // With more than two ranges over two memories, some neighbours share a memory.
        let Some(i) = (0..out.len() - 1).filter(|&i| out[i].0 == out[i + 1].0).min_by_key(|&i| out[i + 1].1 - out[i].2)
        else {
            break;
        };
        out[i].2 = out[i + 1].2;
        out.remove(i + 1);
    }
    out
}

/// What one kernel argument receives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArgValue {
    /// The base address of a memory window (its arena buffer object).
    Window(Memory),
    U32(u32),
    U64(u64),
}

/// Every kernel argument's value for one run, in argument-index order (see [`regs::kernel_args`]).
pub fn arg_plan(instr_offset: u64, words: u32, pairs: &[(Memory, u64, u64)], watchdog: u32) -> Vec<ArgValue> {
    let mask = pairs.iter().enumerate().filter(|(_, p)| p.0 == Memory::Lpddr).fold(0u32, |m, (i, _)| m | 1 << i);
    let mut v = vec![
        ArgValue::Window(Memory::Instr),
        ArgValue::Window(Memory::Ddr),
        ArgValue::Window(Memory::Ddr),
        ArgValue::Window(Memory::Lpddr),
        ArgValue::U64(instr_offset),
        ArgValue::U32(words),
        ArgValue::U32(pairs.len().min(regs::MAX_BOUNDS) as u32),
        ArgValue::U32(mask),
        ArgValue::U32(watchdog),
    ];
    for i in 0..regs::MAX_BOUNDS {
        let (lo, hi) = pairs.get(i).map_or((0, 0), |p| (p.1, p.2));
        v.push(ArgValue::U64(lo));
        v.push(ArgValue::U64(hi));
    }
    v
}

pub fn fault_kind(raw: u32) -> Option<(FaultCode, &'static str)> {
    Some(match raw {
        regs::FAULT_ILLEGAL_INSTRUCTION => (FaultCode::IllegalInstruction, "the decoder rejected an instruction"),
        regs::FAULT_DMA_BOUNDS => (FaultCode::DmaBounds, "a DRAM access fell outside the programmed buffer bounds"),
        regs::FAULT_DEADLOCK => (FaultCode::Deadlock, "no FU can make progress"),
        regs::FAULT_WATCHDOG => (FaultCode::Watchdog, "the device watchdog fired (no progress)"),
        regs::FAULT_ABORTED => (FaultCode::Aborted, "the run was aborted by the host"),
        regs::FAULT_STREAM_RESIDUE => (FaultCode::StreamResidue, "every FU finished but data was left on a stream"),
        regs::FAULT_BUS_ERROR => (FaultCode::DmaBounds, "a DRAM access got an AXI error response"),
        _ => return None,
    })
}

pub fn fu_state_name(raw: u32) -> String {
    match raw {
        regs::FU_STATE_IDLE => "idle".into(),
        regs::FU_STATE_BUSY => "busy".into(),
        regs::FU_STATE_WAIT_IN => "waiting for input".into(),
        regs::FU_STATE_WAIT_OUT => "waiting for space downstream".into(),
        regs::FU_STATE_DONE => "done".into(),
        n => format!("unknown state {n}"),
    }
}

/// The streams an FU reads from and writes to (what its wait states wait on).
fn fu_streams(fu: Fu) -> (Vec<Stream>, Vec<Stream>) {
    use Stream::*;
    match fu {
        Fu::Decoder => (vec![], vec![]),
        Fu::DdrRead => {
            (vec![], (0..3).map(DdrToMemA).chain((0..3).map(DdrToMemB)).chain((0..6).map(DdrToMemC)).collect())
        }
        Fu::DdrWrite => ((0..6).map(MemCToDdr).collect(), vec![]),
        Fu::Lpddr => (vec![], (0..2).map(LpddrToMemB).collect()),
        Fu::MemA(i) => (vec![DdrToMemA(i)], vec![MemAToMeshA(i)]),
        Fu::MemB(i) if i < 2 => (vec![DdrToMemB(i), LpddrToMemB(i)], vec![MemBToMeshB(i)]),
        Fu::MemB(i) => (vec![DdrToMemB(i)], vec![MemBToMeshB(i)]),
        Fu::MemC(i) if i < 4 => (vec![DdrToMemC(i), MmeToMemC(i)], vec![MemCToDdr(i), MemCToMeshA(i)]),
        Fu::MemC(i) => (vec![DdrToMemC(i), MmeToMemC(i)], vec![MemCToDdr(i)]),
        Fu::MeshA => {
            ((0..3).map(MemAToMeshA).chain((0..4).map(MemCToMeshA)).collect(), (0..6).map(MeshAToMme).collect())
        }
        Fu::MeshB => ((0..3).map(MemBToMeshB).collect(), (0..6).map(MeshBToMme).collect()),
        Fu::Mme(e) => (vec![MeshAToMme(e), MeshBToMme(e)], vec![MmeToMemC(e)]),
    }
}

/// [`fu_state_name`] with the streams the FU waits on, in the model's words.
pub fn fu_state_text(fu: Fu, raw: u32) -> String {
    let names = |v: Vec<Stream>| v.iter().map(|s| s.name()).collect::<Vec<_>>().join(" / ");
    let (ins, outs) = fu_streams(fu);
    match raw {
        regs::FU_STATE_WAIT_IN if !ins.is_empty() => format!("waiting for data on {}", names(ins)),
        regs::FU_STATE_WAIT_OUT if !outs.is_empty() => format!("waiting for room on {}", names(outs)),
        _ => fu_state_name(raw),
    }
}

/// Position of mOP `mop` given the packets' positions.
pub fn locate_mop(positions: &[InstrPos], mop: u32) -> Option<InstrPos> {
    let mop = mop as usize;
    let i = positions.partition_point(|p| p.mop <= mop);
    let p = positions.get(i.checked_sub(1)?)?;
    Some(InstrPos { packet: p.packet, mop, word: p.word })
}

/// Every FU's state as the per-FU blocks report it.
pub fn fu_states(r: &mut impl RegPort, positions: &[InstrPos]) -> Result<Vec<FuState>> {
    let mut v = Vec::with_capacity(Fu::COUNT);
    for fu in Fu::all() {
        let base = regs::fu_block(fu.index());
        let state = r.read_reg(base + regs::FU_STATE)?;
        let cur = r.read_reg(base + regs::FU_CUR_MOP)?;
        let queued = r.read_reg(base + regs::FU_QUEUED)?;
        let at = (cur != regs::NO_POSITION).then(|| locate_mop(positions, cur)).flatten();
        v.push(FuState { fu: fu.name(), state: fu_state_text(fu, state), at, queued: queued as usize });
    }
    r.overlay_states(&mut v);
    Ok(v)
}

/// The per-FU counters of the last run.
pub fn read_counters(r: &mut impl RegPort) -> Result<Vec<FuCounters>> {
    Fu::all()
        .into_iter()
        .map(|fu| {
            let base = regs::fu_block(fu.index());
            Ok(FuCounters {
                fu: fu.name(),
                busy_cycles: r.read_reg64(base + regs::FU_BUSY)?,
                stall_in_cycles: r.read_reg64(base + regs::FU_STALL_IN)?,
                stall_out_cycles: r.read_reg64(base + regs::FU_STALL_OUT)?,
                bytes: r.read_reg64(base + regs::FU_BYTES)?,
                uops: r.read_reg64(base + regs::FU_UOPS)?,
            })
        })
        .collect()
}

/// Where the reported fault happened, from FAULT_PACKET / FAULT_MOP / FAULT_WORD.
pub fn fault_position(r: &mut impl RegPort, positions: &Positions) -> Result<Option<InstrPos>> {
    let packet = r.read_reg(regs::FAULT_PACKET)?;
    let mop = r.read_reg(regs::FAULT_MOP)?;
    let word = r.read_reg(regs::FAULT_WORD)?;
    if packet == regs::NO_POSITION {
        if mop != regs::NO_POSITION {
            return Ok(locate_mop(positions, mop));
        }
        // A decoder fault names only the word: find the packet and mOP that hold it.
        if word != regs::NO_POSITION {
            return Ok(positions.locate_word(word as usize));
        }
        return Ok(None);
    }
    let known = positions.get(packet as usize);
    Ok(Some(InstrPos {
        packet: packet as usize,
        mop: if mop != regs::NO_POSITION { mop as usize } else { known.map_or(0, |p| p.mop) },
        word: if word != regs::NO_POSITION { word as usize } else { known.map_or(0, |p| p.word) },
    }))
}

/// The fault the device reports, if any, with every FU's state.
pub fn read_fault(r: &mut impl RegPort, positions: &Positions) -> Result<Option<DeviceError>> {
    let raw = r.read_reg(regs::FAULT_CODE)?;
    if raw == regs::FAULT_NONE {
        return Ok(None);
    }
    let (code, what) = fault_kind(raw).ok_or_else(|| DeviceError::Backend {
        backend: r.backend(),
        call: "read FAULT_CODE",
        message: format!("the device reported unknown fault code {raw}"),
    })?;
    let at = fault_position(r, positions)?;
    let detail = r.read_reg64(regs::FAULT_DETAIL)?;
    let message = match raw {
        regs::FAULT_ILLEGAL_INSTRUCTION => format!("{what} (decoder error code {detail})"),
        regs::FAULT_DMA_BOUNDS | regs::FAULT_BUS_ERROR => format!("{what} (byte offset {detail:#x})"),
        regs::FAULT_STREAM_RESIDUE => {
            let names: Vec<String> = Stream::all()
                .into_iter()
                .filter(|s| s.index() < 64 && detail >> s.index() & 1 == 1)
                .map(|s| s.name())
                .collect();
            format!("{what}: {}", names.join(", "))
        }
        _ => what.to_string(),
    };
    let states = fu_states(r, positions).unwrap_or_default();
    Ok(Some(DeviceError::Fault { code, at, message, states }))
}

/// Cycles and counters of a finished run.
pub fn report(r: &mut impl RegPort, bitstream: &Bitstream) -> Result<RunReport> {
    let cycles = r.read_reg64(regs::CYCLES)?;
    Ok(RunReport {
        cycles,
        device_ms: bitstream.cycles_to_ms(cycles),
        counters: read_counters(r)?,
        // The kernel keeps counters, not a per-mOP trace.
        timeline: Vec::new(),
    })
}

/// STATUS (and the fault registers when it says error) as a [`DeviceStatus`].
pub fn status(r: &mut impl RegPort, positions: &Positions) -> Result<DeviceStatus> {
    let s = r.read_reg(regs::STATUS)?;
    if s & regs::STATUS_BUSY != 0 {
        return Ok(DeviceStatus::Busy);
    }
    if s & regs::STATUS_ERROR != 0 {
        let raw = r.read_reg(regs::FAULT_CODE)?;
        let (code, _) = fault_kind(raw).unwrap_or((FaultCode::Watchdog, ""));
        return Ok(DeviceStatus::Error { code, at: fault_position(r, positions)? });
    }
    Ok(if s & regs::STATUS_DONE != 0 { DeviceStatus::Done } else { DeviceStatus::Idle })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alloc(id: u64, memory: Memory, offset: u64, len: u64) -> Allocation {
        Allocation { id, memory, offset, len }
    }

    #[test]
    fn bounds_are_the_buffers_while_they_fit_and_stay_within_sixteen() {
        let b = [
            alloc(1, Memory::Ddr, 0x1000, 0x1000),
            alloc(2, Memory::Ddr, 0x2000, 0x800),
            alloc(3, Memory::Lpddr, 0x1000, 0x100),
            alloc(4, Memory::Instr, 0x1000, 0x100),
        ];
        assert_eq!(
            bound_pairs(&b),
            vec![(Memory::Ddr, 0x1000, 0x2000), (Memory::Ddr, 0x2000, 0x2800), (Memory::Lpddr, 0x1000, 0x1100)]
        );
        // Touching buffers are the first merged once there are more than sixteen.
        let mut touching: Vec<Allocation> =
            (0..16u64).map(|i| alloc(i, Memory::Ddr, 0x1000 + i * 0x2000, 0x1000)).collect();
        touching.push(alloc(16, Memory::Ddr, 0x20000, 0x1000));
        let p = bound_pairs(&touching);
        assert_eq!(p.len(), regs::MAX_BOUNDS);
        assert_eq!(p[15], (Memory::Ddr, 0x1f000, 0x21000));
        let many: Vec<Allocation> =
            (0..40u64).map(|i| alloc(i, Memory::Ddr, 0x1000 + i * 0x3000 + (i % 3) * 0x1000, 0x1000)).collect();
        let p = bound_pairs(&many);
        assert_eq!(p.len(), regs::MAX_BOUNDS);
        for a in &many {
            assert!(
                p.iter().any(|&(m, s, e)| m == a.memory && s <= a.offset && a.offset + a.len <= e),
                "{a:?} not covered"
            );
        }
    }

    #[test]
    fn every_argument_gets_a_value_of_its_register_type() {
        use regs::ArgKind;
        let pairs = [(Memory::Ddr, 0x1000, 0x2000), (Memory::Lpddr, 0x3000, 0x4000)];
        let plan = arg_plan(0x5000, 77, &pairs, 123);
        let args = regs::kernel_args();
        assert_eq!(plan.len(), args.len());
        for (a, v) in args.iter().zip(&plan) {
            match (a.kind, v) {
                (ArgKind::Buffer { port, .. }, ArgValue::Window(m)) => {
                    let expect = if port.contains("lpddr") {
                        Memory::Lpddr
                    } else if port.contains("ddr") {
                        Memory::Ddr
                    } else {
                        Memory::Instr
                    };
                    assert_eq!(*m, expect, "{}", a.name);
                }
                (ArgKind::U32, ArgValue::U32(_)) | (ArgKind::U64, ArgValue::U64(_)) => {}
                (k, v) => panic!("argument {} is {k:?} but gets {v:?}", a.name),
            }
        }
        let at = |name: &str| plan[args.iter().position(|a| a.name == name).unwrap()];
        assert_eq!(at("instr_offset"), ArgValue::U64(0x5000));
        assert_eq!(at("instr_words"), ArgValue::U32(77));
        assert_eq!(at("bound_count"), ArgValue::U32(2));
        assert_eq!(at("bound_lpddr_mask"), ArgValue::U32(0b10));
        assert_eq!(at("watchdog_cycles"), ArgValue::U32(123));
        assert_eq!(at("bound1_lo"), ArgValue::U64(0x3000));
        assert_eq!(at("bound1_hi"), ArgValue::U64(0x4000));
        assert_eq!(at("bound2_hi"), ArgValue::U64(0));
    }

    #[test]
    fn mop_positions_and_codes() {
        let pos = [InstrPos { packet: 0, mop: 0, word: 4 }, InstrPos { packet: 1, mop: 3, word: 9 }];
        assert_eq!(locate_mop(&pos, 4), Some(InstrPos { packet: 1, mop: 4, word: 9 }));
        assert_eq!(locate_mop(&pos, 1).unwrap().packet, 0);
        assert_eq!(locate_mop(&[], 1), None);
        assert_eq!(fault_kind(regs::FAULT_DMA_BOUNDS).unwrap().0, FaultCode::DmaBounds);
        assert!(fault_kind(99).is_none());
        assert_eq!(fu_state_name(7), "unknown state 7");
    }
}
