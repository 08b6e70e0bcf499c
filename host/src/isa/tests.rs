use super::fields::FieldSpec;
use super::*;
use proptest::prelude::*;

/// Words for a payload built straight from its field table (independent of the macro's encoder).
fn words_from(fields: &[FieldSpec], words: usize, vals: &[u32]) -> Vec<u32> {
    let mut w = vec![0u32; words];
    for (f, v) in fields.iter().zip(vals) {
        w[f.word] |= (v & f.max()) << f.lsb;
    }
    w
}

fn payload_strategy() -> impl Strategy<Value = (Opcode, Payload)> {
    (1usize..8, proptest::collection::vec(any::<u32>(), 32)).prop_map(|(o, vals)| {
        let op = Opcode::ALL[o];
        let w = words_from(op.fields(), op.payload_words(), &vals);
        (op, Payload::decode(op, &w).expect("table-built words decode"))
    })
}

fn packet_strategy() -> impl Strategy<Value = Packet> {
    (payload_strategy(), 1u32..=0xffff, any::<u32>(), 1usize..4).prop_map(|((op, p), repeat, m, n)| {
        let mask = (m % ((1 << op.instances()) - 1)) + 1;
        Packet::new(op, mask, repeat, vec![p; n])
    })
}

proptest! {
    #[test]
    fn every_payload_round_trips((op, p) in payload_strategy()) {
        let mut w = Vec::new();
        p.encode_into(&mut w).unwrap();
        prop_assert_eq!(w.len(), op.payload_words());
        prop_assert_eq!(Payload::decode(op, &w).unwrap(), p);
    }

    #[test]
    fn programs_round_trip(packets in proptest::collection::vec(packet_strategy(), 1..12)) {
        let prog = Program { packets };
        let words = prog.encode().unwrap();
        prop_assert_eq!(Program::decode(&words).unwrap(), prog);
    }

    #[test]
    fn decoding_arbitrary_words_never_panics(words in proptest::collection::vec(any::<u32>(), 0..64)) {
        let _ = Program::decode(&words);
        let _ = disasm::disassemble(&words);
    }

    #[test]
    fn decoding_corrupted_programs_never_panics(
        packets in proptest::collection::vec(packet_strategy(), 1..6),
        flips in proptest::collection::vec((any::<usize>(), any::<u32>()), 1..4),
    ) {
        let mut words = Program { packets }.encode().unwrap();
        for (i, x) in flips {
            let n = words.len();
            words[i % n] ^= x;
        }
        let _ = Program::decode(&words);
    }
}

#[test]
fn each_kind_round_trips_at_field_extremes() {
    for op in Opcode::ALL {
        let maxes: Vec<u32> = op.fields().iter().map(|f| f.max()).collect();
        let w = words_from(op.fields(), op.payload_words(), &maxes);
        let p = Payload::decode(op, &w).unwrap();
        let mut back = Vec::new();
        p.encode_into(&mut back).unwrap();
        assert_eq!(back, w, "{op:?}");
    }
}

#[test]
fn overflowing_field_is_named() {
    let op = MemAOp { rows: 512, ..Default::default() };
    let err = op.encode_into(&mut Vec::new()).unwrap_err();
    assert_eq!(err, EncodeError::FieldOverflow { payload: "MemAOp", field: "rows", value: 512, width: 9 });
}

#[test]
fn malformed_streams_give_positioned_errors() {
    let prog = Program { packets: vec![Packet::single(Opcode::Decoder, 1, Payload::Decoder(DecoderOp { kind: 0 }))] };
    let good = prog.encode().unwrap();
    assert!(Program::decode(&good).is_ok());

    let mut w = good.clone();
    w[0] = 0;
    assert!(matches!(Program::decode(&w), Err(DecodeError::BadMagic { .. })));

    let mut w = good.clone();
    w[4] = (w[4] & !0xf) | 0xe;
    assert!(matches!(Program::decode(&w), Err(DecodeError::Header { packet: 0, word: 4, .. })), "unknown opcode");

    let mut w = good.clone();
    w[4] |= 0x3f << 4;
    assert!(
        matches!(Program::decode(&w), Err(DecodeError::Header { packet: 0, .. })),
        "mask beyond the decoder's one instance"
    );

    let mut w = good.clone();
    w[5] |= 1 << 31;
    let e = Program::decode(&w).unwrap_err();
    assert!(matches!(e, DecodeError::Payload { packet: 0, mop: 0, word: 5, field: "reserved", .. }), "{e}");

    let mut w = good.clone();
    w.pop();
    assert!(matches!(Program::decode(&w), Err(DecodeError::LengthMismatch { .. })));
    w[2] = w.len() as u32;
    assert!(matches!(Program::decode(&w), Err(DecodeError::Truncated { packet: 0, .. })));

    let mut w = good.clone();
    w[4] &= !(1 << 10);
    assert_eq!(Program::decode(&w), Err(DecodeError::MissingLast));
}

#[test]
fn dram_chunks_follow_the_address_rule() {
    let d = DramOp {
        start: 100,
        chunk_lines: 8,
        chunk_count: 3,
        iter_offset: 1000,
        chunk_stride: 16,
        ..Default::default()
    };
    let c: Vec<_> = expand::dram_chunks(&d, 2).map(|c| c.line).collect();
    assert_eq!(c, vec![2100, 2116, 2132]);
    assert_eq!(expand::bank(0, 1, 3), 1);
    assert_eq!(expand::bank(1, 1, 3), 0);
    assert_eq!(expand::bank(1, 0, 3), 1);
}

#[test]
fn plio_ports_count() {
    let ports: Vec<_> = (0..ENGINES).flat_map(plio_ports).collect();
    assert_eq!(ports.iter().filter(|p| p.1 == PortDir::PlToAie).count(), 192);
    assert_eq!(ports.iter().filter(|p| p.1 == PortDir::AieToPl).count(), 96);
}

/// A payload every FU instance accepts, with every ranged field's condition true where the
/// instance allows it.
fn accepted(op: Opcode, inst: u32) -> Payload {
    match op {
        Opcode::Decoder => Payload::Decoder(DecoderOp { kind: 0 }),
        Opcode::Ddr | Opcode::Lpddr => Payload::Dram(DramOp {
            chunk_lines: 1,
            chunk_count: 1,
            port: DramPort::MemB(0).bits(),
            ..Default::default()
        }),
        Opcode::MemA => Payload::MemA(MemAOp {
            load_en: 1,
            send_en: 1,
            send_bank: 1,
            rows: 1,
            cols: 1,
            send_rb: 1,
            send_cb: 1,
            ..Default::default()
        }),
        Opcode::MemB => Payload::MemB(MemBOp {
            load_en: 1,
            send_en: 1,
            send_bank: 1,
            rows: 1,
            cols: 1,
            send_kb: 1,
            send_cb: 1,
            send_reps: 1,
            ..Default::default()
        }),
        Opcode::MemC => Payload::MemC(MemCOp {
            recv_en: 1,
            drain: if inst < MEMC_WITH_MESH { Drain::Mesh as u32 } else { Drain::Store as u32 },
            drain_bank: 1,
            rows: 1,
            cols: 1,
            recv_rb: 1,
            recv_cb: 1,
            recv_kb: 1,
            k_iters: 1,
            send_rb: 1,
            send_cb: 1,
            send_kb: 1,
            ..Default::default()
        }),
        Opcode::MeshA => Payload::MeshA(MeshAOp { blocks: 1, src0: 1, ..Default::default() }),
        Opcode::MeshB => Payload::MeshB(MeshBOp { blocks: 1, src0: 1, ..Default::default() }),
    }
}

/// `p` with field `name` set to `v` (through the field table, as a decoder would see it).
fn with_field(op: Opcode, p: &Payload, name: &str, v: u32) -> Payload {
    let fields = op.fields();
    let vals: Vec<u32> = p.named_values().iter().map(|(n, x)| if *n == name { v } else { *x }).collect();
    Payload::decode(op, &words_from(fields, op.payload_words(), &vals)).expect("table-built words decode")
}

#[test]
fn every_declared_range_is_enforced() {
    let mut checked = 0;
    for op in Opcode::ALL {
        for inst in 0..op.instances() {
            let base = accepted(op, inst);
            assert_eq!(check::check_payload(op, inst, &base), Ok(()), "{op:?}{inst} base payload");
            for f in op.fields() {
                let Some(r) = f.range else { continue };
                if r.when.is_some_and(|(c, v)| base.named_values().iter().any(|(n, x)| *n == c && *x != v)) {
                    continue;
                }
                let hi = r.hi(inst);
                let mut outside = Vec::new();
                if r.lo > 0 {
                    outside.push(r.lo - 1);
                }
                if hi < f.max() {
                    outside.push(hi + 1);
                }
                for v in outside {
                    let bad = with_field(op, &base, f.name, v);
                    match check::check_payload(op, inst, &bad) {
                        Err((field, msg)) => {
                            assert_eq!(field, f.name, "{op:?}{inst}.{} = {v}: {msg}", f.name);
                            assert_eq!(msg, format!("{v} is outside {}..={hi}", r.lo));
                        }
                        Ok(()) => panic!("{op:?}{inst}.{} = {v} is outside its declared range but accepted", f.name),
                    }
                    checked += 1;
                }
                assert_eq!(check::check_payload(op, inst, &with_field(op, &base, f.name, hi)), Ok(()), "{}", f.name);
            }
        }
    }
    assert!(checked > 40, "only {checked} range edges checked");
}
