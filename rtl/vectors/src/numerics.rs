//! Test vectors for the RTL arithmetic units, computed by the numerics contract (`rsn::numerics`).
//!
//! ```text
//! rsn-vectors numerics FUNC COUNT SEED
//! ```
//! FUNC is one of add, mul, exp, recip, rsqrt, erf, gelu. Prints one line per vector, lowercase hex
//! bit patterns: `in1 in2 expected` for add/mul (plain host `f32` `+` and `*`), `in1 expected` for
//! the nonlinear functions. The edge-case list comes first (for add/mul every pair of edge values),
//! then COUNT pseudo-random vectors drawn from SEED. The testbenches under rtl/tb/ read this format;
//! for a NaN expected value they compare NaN-ness only, because the host may return a NaN payload
//! other than the canonical 0x7fc00000 the RTL produces.

use std::io::Write;

use rsn::numerics;

use crate::splitmix::SplitMix64;
use crate::Error;

const USAGE: &str = "numerics FUNC COUNT SEED (FUNC: add|mul|exp|recip|rsqrt|erf|gelu)";

#[derive(Clone, Copy, PartialEq, Eq)]
enum Func {
    Add,
    Mul,
    Exp,
    Recip,
    Rsqrt,
    Erf,
    Gelu,
}

impl Func {
    fn parse(s: &str) -> Result<Self, Error> {
        Ok(match s {
            "add" => Func::Add,
            "mul" => Func::Mul,
            "exp" => Func::Exp,
            "recip" => Func::Recip,
            "rsqrt" => Func::Rsqrt,
            "erf" => Func::Erf,
            "gelu" => Func::Gelu,
            _ => return Err(Error::Usage(USAGE)),
        })
    }

    fn is_binary(self) -> bool {
        matches!(self, Func::Add | Func::Mul)
    }

    fn eval1(self, x: f32) -> f32 {
        match self {
            Func::Exp => numerics::exp(x),
            Func::Recip => numerics::recip(x),
            Func::Rsqrt => numerics::rsqrt(x),
            Func::Erf => numerics::erf(x),
            Func::Gelu => numerics::gelu(x),
            Func::Add | Func::Mul => unreachable!("binary functions go through eval2"),
        }
    }

    fn eval2(self, a: f32, b: f32) -> f32 {
        match self {
            Func::Add => a + b,
            Func::Mul => a * b,
            _ => unreachable!("unary functions go through eval1"),
        }
    }
}

/// Edge values shared by every function: signed zeros, infinities, NaNs with various payloads,
/// subnormal extremes, normal extremes, and values next to 1.
const EDGE: &[u32] = &[
    0x0000_0000, // +0
    0x8000_0000, // -0
    0x7f80_0000, // +inf
    0xff80_0000, // -inf
    0x7fc0_0000, // canonical qNaN
    0xffc0_0000, // negative qNaN
    0x7f80_0001, // sNaN
    0x7fbf_ffff, // sNaN, full payload
    0x0000_0001, // min subnormal
    0x8000_0001,
    0x0000_0002,
    0x0040_0000, // mid subnormal
    0x007f_ffff, // max subnormal
    0x807f_ffff,
    0x0080_0000, // min normal
    0x8080_0000,
    0x0080_0001,
    0x0100_0000, // 2 * min normal
    0x7f7f_ffff, // max normal
    0xff7f_ffff,
    0x7f7f_fffe,
    0x7f00_0000, // 2^127
    0x3f80_0000, // 1
    0xbf80_0000, // -1
    0x3f80_0001, // 1 + ulp
    0x3f7f_ffff, // 1 - ulp/2
    0x4000_0000, // 2
    0x3f00_0000, // 0.5
    0x3400_0000, // 2^-23: ulp of 1
    0x3380_0000, // 2^-24: half ulp of 1 (tie against 1)
    0xb380_0000,
    0x3380_0001, // just above the tie
    0x7300_0000, // 2^103: half ulp of max normal (tie to overflow)
    0x72ff_ffff,
    0x1f80_0000, // 2^-64: products underflow
    0x2000_0000,
    0x3fc0_0000, // 1.5
    0x4b40_0000, // 1.5 * 2^23
    0x42b1_7218, // exp overflow threshold
    0x42b1_7219,
    0xc2ae_ac50, // exp underflow threshold
    0xc2ae_ac51,
    0xc2ae_ac4f,
    0x7e80_0000,
    0x7e7f_ffff,
    0x0180_0000,
];

/// Values where a unary function changes regime: thresholds of exp, results that flush, odd/even
/// exponents of rsqrt, the GELU tails.
const UNARY_EXTRA: &[u32] = &[
    0x42b1_7217,
    0x42b0_0000, // 88
    0xc2ae_0000,
    0xc2ac_0000, // -86
    0x3f31_7218, // ln 2
    0xbf31_7218,
    0x7e40_0000,
    0x7e7f_0000,
    0xfe80_0000,
    0x40a0_0000, // 5
    0xc0a0_0000,
    0x4120_0000, // 10
    0xc120_0000,
    0x4190_0000, // 18
    0xc190_0000,
    0x3a83_126f, // 1e-3
    0xba83_126f,
    0x4040_0000, // 3 (odd exponent for rsqrt: e = 1)
    0x4080_0000, // 4
    0x3e80_0000, // 0.25
    0x3e00_0000, // 0.125
];

/// A random operand for add/mul. Half are uniform over all bit patterns; the rest concentrate on
/// what uniform sampling rarely hits: exponents close to a partner's (cancellation, ties),
/// subnormals, and the overflow/underflow edges of products.
fn rand_binary(rng: &mut SplitMix64, func: Func) -> (u32, u32) {
    let a = rng.next_u32();
    let pick = rng.below(8);
    let b = match pick {
        0..=3 => rng.next_u32(),
        4 | 5 => {
            // Partner exponent within +-3 (add: cancellation and rounding; mul: typical range).
            let ea = ((a >> 23) & 0xff) as i32;
            let eb = (ea + rng.below(7) as i32 - 3).clamp(0, 254) as u32;
            (rng.next_u32() & 0x807f_ffff) | (eb << 23)
        }
        6 => {
            // Subnormal or tiny partner.
            let eb = rng.below(4);
            (rng.next_u32() & 0x807f_ffff) | (eb << 23)
        }
        _ => {
            // Mul: exponent sum near the underflow (ea+eb ~ 100..130) or overflow (~ 370..385)
            // boundary. Add: a few low bits of mantissa flipped (near-equal magnitudes).
            if func == Func::Mul {
                let ea = ((a >> 23) & 0xff) as i32;
                let target = if rng.below(2) == 0 { 100 + rng.below(30) as i32 } else { 370 + rng.below(15) as i32 };
                let eb = (target - ea).clamp(0, 254) as u32;
                (rng.next_u32() & 0x807f_ffff) | (eb << 23)
            } else {
                (a ^ (rng.next_u32() & 0x3f)) ^ (rng.below(2) << 31)
            }
        }
    };
    if rng.below(2) == 0 {
        (a, b)
    } else {
        (b, a)
    }
}

/// A random input for a unary function: half uniform over all bit patterns, half uniform over the
/// range where the function does real work (a uniform bit pattern mostly lands in a saturated tail).
fn rand_unary(rng: &mut SplitMix64, func: Func) -> u32 {
    if rng.below(2) == 0 {
        return rng.next_u32();
    }
    let u = (rng.next_u32() >> 8) as f32 / (1u32 << 24) as f32; // [0, 1)
    let x = match func {
        Func::Exp => -90.0 + 180.0 * u,
        Func::Erf => -6.0 + 12.0 * u,
        Func::Gelu => -12.0 + 24.0 * u,
        // recip/rsqrt: all positive normals by exponent, random mantissa.
        Func::Recip | Func::Rsqrt => {
            let e = 1 + rng.below(254);
            let sign = if func == Func::Recip { rng.below(2) << 31 } else { 0 };
            return sign | (e << 23) | (rng.next_u32() & 0x007f_ffff);
        }
        Func::Add | Func::Mul => unreachable!("binary functions use rand_binary"),
    };
    x.to_bits()
}

pub fn run(args: &[String], out: &mut dyn Write) -> Result<(), Error> {
    let [func, count, seed] = args else {
        return Err(Error::Usage(USAGE));
    };
    let func = Func::parse(func)?;
    let count = crate::number("COUNT", count)?;
    let seed = crate::number("SEED", seed)?;
    let mut rng = SplitMix64(seed);

    if func.is_binary() {
        for &a in EDGE {
            for &b in EDGE {
                let r = func.eval2(f32::from_bits(a), f32::from_bits(b));
                writeln!(out, "{a:08x} {b:08x} {:08x}", r.to_bits())?;
            }
        }
        for _ in 0..count {
            let (a, b) = rand_binary(&mut rng, func);
            let r = func.eval2(f32::from_bits(a), f32::from_bits(b));
            writeln!(out, "{a:08x} {b:08x} {:08x}", r.to_bits())?;
        }
    } else {
        for &x in EDGE.iter().chain(UNARY_EXTRA) {
            for x in [x, x ^ 0x8000_0000] {
                let r = func.eval1(f32::from_bits(x));
                writeln!(out, "{x:08x} {:08x}", r.to_bits())?;
            }
        }
        for _ in 0..count {
            let x = rand_unary(&mut rng, func);
            let r = func.eval1(f32::from_bits(x));
            writeln!(out, "{x:08x} {:08x}", r.to_bits())?;
        }
    }
    out.flush()?;
    Ok(())
}
