//! Differential fuzz: the co-simulation behaves as the model does on programs nobody checked.
//!
//! Valid GEMM programs (several shapes and epilogues) are bit-flipped (instruction words and engine
//! block counts) and sent through the unchecked path to both the model and the co-simulation with
//! the same inputs. Both must give the same outcome: Ok with identical output bits and cycles within
//! 5%, or the same fault code at the same instruction. After every fault both devices must run a
//! valid program (a small GEMM) cleanly, with the bits it gave before any fault.
//!
//! Runs only when the suite targets `sim` (`RSN_TEST_BACKENDS=sim`), the model being the reference.
//! `RSN_PARITY_CASES` (default 160) and `RSN_PARITY_SEED` (default 1) size and seed the run; a
//! failure prints the case's seed, flips and both outcomes so it can be replayed, and
//! `RSN_PARITY_VERBOSE=1` prints every case's outcomes.

use rand::{Rng, SeedableRng};
use rsn::builder::{engine_params, Gemm, GemmPlacement, ProgramBuilder};
use rsn::device::{BackendKind, Buffer, Device, DeviceError, Executable, FaultCode, Memory, OpenOptions};
use rsn::isa::{InstrPos, PostOp};
use rsn_tests::{backends, uniform};
use std::fmt;
use std::time::{Duration, Instant};

/// A program's outcome, as compared across backends.
#[derive(Clone, PartialEq)]
enum Outcome {
    Ok {
        cycles: u64,
        bits: Vec<u32>,
    },
    Fault {
        code: FaultCode,
        at: Option<InstrPos>,
    },
    /// Refused before starting (e.g. an instruction stream that does not decode at all).
    Refused(String),
    Timeout,
    Other(String),
}

impl fmt::Debug for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Outcome::Ok { cycles, bits } => {
                let h =
                    bits.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| (h ^ b as u64).wrapping_mul(0x100_0000_01b3));
                write!(f, "Ok({cycles} cycles, output hash {h:016x})")
            }
            Outcome::Fault { code, at } => write!(f, "Fault({code:?} at {at:?})"),
            Outcome::Refused(m) => write!(f, "Refused({m})"),
            Outcome::Timeout => write!(f, "Timeout"),
            Outcome::Other(m) => write!(f, "Other({m})"),
        }
    }
}

/// One GEMM with its device buffers on one device.
struct Case {
    dev: Device,
    exe: Executable,
    c: Buffer<f32>,
    inputs: Vec<Buffer<f32>>,
}

impl Case {
    fn restore_inputs(&mut self) {
        for b in &mut self.inputs {
            b.sync_to_device().unwrap();
        }
    }

    /// Fresh inputs (an earlier program that went astray may have stored over them) and C cleared
    /// so that stale bits cannot pass.
    fn reset(&mut self) {
        self.restore_inputs();
        self.c.as_mut_slice().fill(f32::from_bits(0x7fc0_dead));
        self.c.sync_to_device().unwrap();
    }
}

fn shapes() -> Vec<(usize, usize, usize, PostOp, bool)> {
    vec![
        (200, 300, 256, PostOp::None, true),
        (300, 512, 130, PostOp::LayerNorm, true),
        (130, 200, 128, PostOp::Gelu, false),
        (64, 1024, 128, PostOp::LayerNorm, true),
    ]
}

fn setup(dev: &Device, (m, n, k, post, bias): (usize, usize, usize, PostOp, bool), seed: u64) -> Case {
    let g = Gemm { bias, post, eps: 1e-5, residual: post == PostOp::LayerNorm, ..Gemm::new(m, n, k) };
    let mut av = uniform(m * g.ka(), seed);
    for r in 0..m {
        av[r * g.ka() + k..(r + 1) * g.ka()].fill(0.0);
    }
    let a = dev.alloc_from(Memory::Ddr, &av).unwrap();
    let b = dev.alloc_from(Memory::Lpddr, &uniform(k * g.nb(), seed + 1)).unwrap();
    let bias_b = dev.alloc_from(Memory::Ddr, &uniform(g.nb(), seed + 2)).unwrap();
    let res = dev.alloc_from(Memory::Ddr, &uniform(g.c_len(), seed + 3)).unwrap();
    let params: Vec<f32> = (0..2 * g.nb()).map(|i| 1.0 + i as f32 * 1e-3).collect();
    let params = dev.alloc_from(Memory::Ddr, &params).unwrap();
    let c = dev.alloc::<f32>(Memory::Ddr, g.c_len()).unwrap();
    let at = GemmPlacement {
        a_line: a.line(),
        b_line: b.line(),
        c_line: c.line(),
        bias_line: bias.then(|| bias_b.line()),
        residual_line: g.residual.then(|| res.line()),
        params_line: (post == PostOp::LayerNorm).then(|| params.line()),
    };
    let mut pb = ProgramBuilder::new();
    let mut blocks = [0u64; rsn::isa::ENGINES];
    pb.phase("gemm");
    g.emit(&mut pb, at, &mut blocks).unwrap();
    let exe = pb.finish(engine_params(&blocks).unwrap()).unwrap();
    Case { dev: dev.clone(), exe, c, inputs: vec![a, b, bias_b, res, params] }
}

/// Run `exe` unchecked on the case's device. Every buffer the device holds (the case's and
/// `other`'s, all a stray access can reach) is reset first: what a faulted run stored before it
/// stopped depends on timing, so it differs between the backends and must not reach a later run.
fn outcome(case: &mut Case, other: Option<&mut Case>, exe: &Executable, timeout: Duration) -> Outcome {
    case.reset();
    if let Some(o) = other {
        o.reset();
    }
    let run = match case.dev.submit_unchecked(exe) {
        Ok(r) => r,
        Err(e) => return Outcome::Refused(e.to_string()),
    };
    match run.wait(timeout) {
        Ok(rep) => {
            case.c.sync_from_device().unwrap();
            Outcome::Ok { cycles: rep.cycles, bits: case.c.as_slice().iter().map(|x| x.to_bits()).collect() }
        }
        Err(DeviceError::Fault { code, at, .. }) => Outcome::Fault { code, at },
        Err(DeviceError::Timeout { .. }) => Outcome::Timeout,
        Err(e) => Outcome::Other(e.to_string()),
    }
}

fn agree(model: &Outcome, sim: &Outcome) -> bool {
    match (model, sim) {
        (Outcome::Ok { cycles: cm, bits: bm }, Outcome::Ok { cycles: cs, bits: bs }) => {
            bm == bs && (*cs as f64 - *cm as f64).abs() <= 0.05 * *cm as f64
        }
        (Outcome::Refused(_), Outcome::Refused(_)) => true,
        (a, b) => a == b,
    }
}

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.trim().parse().ok()).unwrap_or(default)
}

#[test]
fn bit_flipped_programs_behave_the_same_on_model_and_sim() {
    if !backends().contains(&BackendKind::Sim) {
        eprintln!("parity: skipped (RSN_TEST_BACKENDS does not name sim)");
        return;
    }
    // A deadlock ends the model's run at once and the kernel's after its watchdog, 200 000 stalled
    // cycles by default: a second or more of co-simulation per case. An engine block stalls the
    // meshes for about a thousand cycles, so a tenth of the default still never fires in a valid
    // run (each shape's program and the probe below run under it). This is the only test in its
    // binary.
    if std::env::var_os("RSN_SIM_WATCHDOG_CYCLES").is_none() {
        std::env::set_var("RSN_SIM_WATCHDOG_CYCLES", "20000");
    }
    let cases = env_u64("RSN_PARITY_CASES", 160);
    let seed = env_u64("RSN_PARITY_SEED", 1);
    let verbose = std::env::var_os("RSN_PARITY_VERBOSE").is_some();
    let model = Device::open(BackendKind::Model, &OpenOptions::default()).unwrap();
    let sim = Device::open(BackendKind::Sim, &OpenOptions::default()).unwrap();
    let timeout = Duration::from_secs(120);
    let shapes = shapes();
    // After a fault both devices must take a valid program and give its bits: a small GEMM with
    // its own buffers (inputs restored before each run, as a stray store may have hit them), so
    // that the check costs a fraction of a case.
    let probe_shape = (128, 128, 128, PostOp::None, true);
    let mut pm = setup(&model, probe_shape, 99);
    let mut ps = setup(&sim, probe_shape, 99);
    let probe_exe = pm.exe.clone();
    let probe = outcome(&mut pm, None, &probe_exe, timeout);
    assert!(matches!(probe, Outcome::Ok { .. }), "the probe program on the model: {probe:?}");
    let probe_sim = outcome(&mut ps, None, &probe_exe, timeout);
    assert!(agree(&probe, &probe_sim), "the probe program: model {probe:?}, sim {probe_sim:?}");
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let (mut oks, mut faults, mut refused) = (0, 0, 0);
    let mut mismatches = Vec::new();
    let t0 = Instant::now();
    for (si, &shape) in shapes.iter().enumerate() {
        let mut cm = setup(&model, shape, 100 * si as u64 + 7);
        let mut cs = setup(&sim, shape, 100 * si as u64 + 7);
        assert_eq!(cm.exe, cs.exe, "shape {si}: both devices place the buffers alike");
        let exe = cm.exe.clone();
        // To name the FU of a flipped word in a mismatch.
        let packets = rsn::isa::decode_with_positions(&exe.words).unwrap();
        let good = outcome(&mut cm, Some(&mut pm), &exe, timeout);
        assert!(matches!(good, Outcome::Ok { .. }), "shape {si}: the valid program on the model: {good:?}");
        let good_sim = outcome(&mut cs, Some(&mut ps), &exe, timeout);
        assert!(agree(&good, &good_sim), "shape {si}: the valid program: model {good:?}, sim {good_sim:?}");
        let per_shape = cases / shapes.len() as u64 + u64::from((si as u64) < cases % shapes.len() as u64);
        for t in 0..per_shape {
            let mut bad = exe.clone();
            let mut flips = Vec::new();
            for _ in 0..rng.random_range(1..=3) {
                if rng.random_range(0..20) == 0 {
                    let (e, bit) = (rng.random_range(0..bad.rtp.len()), rng.random_range(0..4));
                    bad.rtp[e].blocks ^= 1 << bit;
                    flips.push(format!("engine {e} blocks bit {bit}"));
                } else {
                    let (w, bit) = (rng.random_range(0..bad.words.len()), rng.random_range(0..32));
                    bad.words[w] ^= 1 << bit;
                    let at = rsn::isa::locate_word(&exe.words, w).map_or(String::new(), |p| {
                        format!(" ({:?} packet {}, mOP {})", packets[p.packet].0.opcode, p.packet, p.mop)
                    });
                    flips.push(format!("word {w} bit {bit}{at}"));
                }
            }
            let om = outcome(&mut cm, Some(&mut pm), &bad, timeout);
            let t1 = Instant::now();
            let os = outcome(&mut cs, Some(&mut ps), &bad, timeout);
            if verbose {
                eprintln!(
                    "parity: shape {si} case {t}: model {om:?}, sim {os:?} ({:.2} s)",
                    t1.elapsed().as_secs_f64()
                );
            }
            match &om {
                Outcome::Ok { .. } => oks += 1,
                Outcome::Refused(_) => refused += 1,
                _ => faults += 1,
            }
            let what = format!("shape {si} case {t} (seed {seed}, flips {flips:?})");
            if !agree(&om, &os) {
                mismatches.push(format!("{what}: model {om:?}, sim {os:?}"));
            }
            if !matches!(om, Outcome::Ok { .. }) || !matches!(os, Outcome::Ok { .. }) {
                // Whatever the fault, both devices take the next valid program and give its bits.
                let again_m = outcome(&mut pm, Some(&mut cm), &probe_exe, timeout);
                let again_s = outcome(&mut ps, Some(&mut cs), &probe_exe, timeout);
                if again_m != probe || !agree(&probe, &again_s) {
                    mismatches.push(format!(
                        "{what}: after it a valid program gives model {again_m:?}, sim {again_s:?} \
                         (expected {probe:?})"
                    ));
                }
            }
        }
    }
    eprintln!(
        "parity: {cases} cases in {:.1} s: {oks} ran Ok, {faults} faulted, {refused} refused; {} mismatches",
        t0.elapsed().as_secs_f64(),
        mismatches.len()
    );
    assert!(mismatches.is_empty(), "{} mismatches:\n{}", mismatches.len(), mismatches.join("\n"));
}
