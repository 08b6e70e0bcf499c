//! Inputs from outside, fuzzed with a fixed budget: none of them may panic, hang or allocate
//! without bound. The workload parser and the compiler's size checks, the validator on arbitrary
//! words, the model on mutated programs through the unchecked path, and the file loaders.

use proptest::prelude::*;
use rsn::bench::Workload;
use rsn::builder::{Gemm, GemmPlacement};
use rsn::device::{BackendKind, Device, DeviceError, Executable, Memory, OpenOptions};
use rsn::isa::{EngineRtp, ENGINES};
use std::path::Path;
use std::time::Duration;

fn config() -> ProptestConfig {
    ProptestConfig { cases: 128, failure_persistence: None, ..ProptestConfig::default() }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn workload_strings_parse_or_say_why(s in "[a-z-]{0,16}:?[0-9,]{0,40}") {
        if let Ok(w) = s.parse::<Workload>() {
            prop_assert_eq!(w.to_string().parse::<Workload>().unwrap(), w.clone());
            if let Workload::Gemm { m, n, k } = w {
                let _ = Gemm::new(m, n, k).check_fits();
            }
        }
    }

    #[test]
    fn gemm_sizes_are_checked_before_compiling(m in 1usize.., n in 1usize.., k in 1usize..) {
        let g = Gemm::new(m, n, k);
        if g.check_fits().is_err() {
            prop_assert!(g.compile(GemmPlacement::default()).is_err());
        }
    }

    #[test]
    fn the_validator_answers_any_words(mut words in proptest::collection::vec(any::<u32>(), 0..64), blocks in any::<u32>()) {
        // Often a well-formed stream header, so the packets themselves get checked.
        if words.len() >= 4 {
            words[0] = rsn::isa::MAGIC;
            words[1] = rsn::isa::ISA_VERSION;
            words[2] = words.len() as u32;
        }
        let rtp = [EngineRtp { blocks }; ENGINES];
        let _ = rsn::validate::validate_words(&words, &rtp, &[]);
    }

    #[test]
    fn loaders_refuse_garbage(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let p = Path::new("fuzz");
        let _ = rsn::nn::npy::decode(p, &bytes);
        let text = String::from_utf8_lossy(&bytes);
        let cfg = rsn::nn::ModelConfig::from_json(p, &text);
        if let Ok(cfg) = cfg {
            let _ = rsn::nn::weights::EncoderWeights::from_bytes(p, &bytes, &cfg);
        }
    }
}

/// Bit-flipped GEMM programs straight to the model: each ends, Ok or with a typed error, within
/// its timeout (no panic, no hang).
#[test]
fn mutated_programs_on_the_model_end_cleanly() {
    use rand::{Rng, SeedableRng};
    let dev = Device::open(BackendKind::Model, &OpenOptions::default()).unwrap();
    let g = Gemm::new(130, 200, 140);
    let a = dev.alloc::<f32>(Memory::Ddr, 130 * g.ka()).unwrap();
    let b = dev.alloc::<f32>(Memory::Lpddr, 140 * g.nb()).unwrap();
    let c = dev.alloc::<f32>(Memory::Ddr, g.c_len()).unwrap();
    let exe = g
        .compile(GemmPlacement { a_line: a.line(), b_line: b.line(), c_line: c.line(), ..Default::default() })
        .unwrap();
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    for case in 0..150 {
        let mut words = exe.words.clone();
        let mut rtp = exe.rtp;
        for _ in 0..rng.random_range(1..=3) {
            if rng.random_range(0..20) == 0 {
                rtp[rng.random_range(0..ENGINES)].blocks ^= 1 << rng.random_range(0..4);
            } else {
                let w = rng.random_range(0..words.len());
                words[w] ^= 1 << rng.random_range(0..32);
            }
        }
        let t = std::time::Instant::now();
        let r = dev.submit_unchecked(&Executable { words, rtp }).and_then(|run| run.wait(Duration::from_secs(10)));
        match r {
            Ok(_) | Err(DeviceError::Fault { .. }) | Err(DeviceError::Timeout { .. }) => {}
            Err(e) => panic!("case {case}: unexpected error {e}"),
        }
        assert!(t.elapsed() < Duration::from_secs(20), "case {case} took {:?}", t.elapsed());
    }
}
