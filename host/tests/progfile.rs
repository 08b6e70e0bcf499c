//! Program files: what `rsn compile` writes and `rsn run` reads. Round trip, placement, and a
//! named error for every defect a reader must catch.

use rsn::bitstream::{Bitstream, DEFAULT_TOML};
use rsn::builder::Gemm;
use rsn::device::{Executable, Memory};
use rsn::progfile::{Header, ProgramFile, ProgramFileError};

fn sample() -> ProgramFile {
    Gemm::new(40, 30, 20).program_file(&Bitstream::builtin()).unwrap()
}

#[test]
fn round_trips_and_plans_like_an_empty_device() {
    let f = sample();
    let back = ProgramFile::from_bytes(&f.to_bytes().unwrap()).unwrap();
    assert_eq!(back, f);
    let offs: Vec<(Memory, u64)> = f.header.buffers.iter().map(|b| (b.memory, b.offset)).collect();
    // A (5120 bytes: two pages), B, C in run_gemm's allocation order, as first fit places them
    // on an empty device.
    assert_eq!(offs, [(Memory::Ddr, 4096), (Memory::Lpddr, 4096), (Memory::Ddr, 4096 + 8192)]);
    assert_eq!(f.header.inputs.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(), ["A", "B"]);
    assert_eq!(f.header.outputs[0].shape, [40, 30]);
    assert_eq!(f.header.inputs[0].row_pitch, 32, "A's rows are padded to whole 64-byte lines");
    assert_eq!(f.header.engines, f.exe.rtp);
}

#[test]
fn every_defect_is_named() {
    let good = sample().to_bytes().unwrap();
    let err = |b: &[u8]| ProgramFile::from_bytes(b).unwrap_err();
    assert!(matches!(err(b"RSNI\x03\0\0\0"), ProgramFileError::BadMagic { .. }));
    assert!(matches!(err(b""), ProgramFileError::Truncated { what: "the preamble", .. }));
    assert!(matches!(err(&good[..10]), ProgramFileError::Truncated { what: "the preamble", .. }));
    let mut v = good.clone();
    v[8] = 9;
    assert!(matches!(err(&v), ProgramFileError::Version { found: 9 }));
    let mut v = good.clone();
    v[12..16].copy_from_slice(&u32::MAX.to_le_bytes());
    assert!(matches!(err(&v), ProgramFileError::HeaderTooLarge(_)));
    assert!(matches!(err(&good[..40]), ProgramFileError::Truncated { what: "the header", .. }));
    assert!(matches!(err(&good[..good.len() - 4]), ProgramFileError::Truncated { what: "the instruction words", .. }));
    let mut v = good.clone();
    v.extend_from_slice(&[0; 4]);
    assert!(matches!(err(&v), ProgramFileError::TrailingBytes { .. }));
    let mut v = good.clone();
    let n = v.len();
    v[n - 8] ^= 1;
    assert!(matches!(err(&v), ProgramFileError::Checksum));
    // Header fields a run would trust, each edited after packaging (to_bytes does not re-check).
    let edit = |f: &dyn Fn(&mut Header)| {
        let mut p = sample();
        f(&mut p.header);
        ProgramFile::from_bytes(&p.to_bytes().unwrap()).unwrap_err().to_string()
    };
    type Edit<'a> = &'a dyn Fn(&mut Header);
    let cases: [(Edit, &str); 10] = [
        (&|h| h.isa_version = 2, "ISA version 2"),
        (&|h| h.words = u64::MAX, "instruction window"),
        (&|h| h.buffers[1].memory = Memory::Ddr, "overlaps buffer `a`"),
        (&|h| h.buffers[0].offset = 100, "not a non-zero multiple"),
        (&|h| h.buffers[0].offset = Memory::Ddr.window_bytes(), "outside the Ddr window"),
        (&|h| h.buffers[2].memory = Memory::Instr, "instruction window holds only the program"),
        (&|h| h.inputs[0].shape = vec![usize::MAX, 2], "does not fit buffer"),
        (&|h| h.inputs[0].buffer = "nope".into(), "`nope` is not declared"),
        (&|h| h.outputs[0].name = "A".into(), "named twice"),
        (&|h| h.inputs[0].row_pitch = 1, "row pitch"),
    ];
    for (f, want) in cases {
        let e = edit(f);
        assert!(e.contains(want), "{want:?} not in {e:?}");
    }
    let mut v = good.clone();
    v[20] = b'!';
    assert!(matches!(err(&v), ProgramFileError::Header(_)));
}

#[test]
fn a_foreign_bitstream_is_refused_by_name() {
    let dir = std::env::temp_dir().join(format!("rsn-progfile-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("p.rsnx");
    sample().save(&path).unwrap();
    let other = Bitstream::parse(&DEFAULT_TOML.replace("read_gbps = 21.0", "read_gbps = 20.0"), "other.toml").unwrap();
    let e = Executable::load(&path, &other).unwrap_err();
    assert!(matches!(e, ProgramFileError::Fingerprint { .. }), "{e}");
    assert!(e.to_string().contains("recompile it for this bitstream"), "{e}");
    let f = Executable::load(&path, &Bitstream::builtin()).unwrap();
    assert_eq!(f, sample());
    let e = ProgramFile::load(&dir.join("missing.rsnx")).unwrap_err();
    assert!(e.to_string().contains("missing.rsnx"), "{e}");
    let _ = std::fs::remove_dir_all(&dir);
}
