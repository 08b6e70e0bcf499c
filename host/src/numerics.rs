//! The numerics contract of RSN-XNN, as executable definitions.
//!
//! Every backend follows these functions bit for bit: the model backend calls them directly, the RTL
//! arithmetic units implement the same sequence of binary32 operations, and the AI Engine kernels
//! (aie/) perform the same multiply-then-add chain. The rules:
//!
//! * All data is IEEE-754 binary32. `+` and `*` are single binary32 operations with
//!   round-to-nearest-even and gradual underflow (subnormals are produced and consumed as the host's
//!   `f32` does). There is never a fused multiply-add: the AIE floating-point datapath rounds the
//!   product before the accumulate stage, and so does every backend here.
//! * The nonlinear functions below are not correctly rounded; they are *defined* by the exact sequence
//!   of binary32 operations written here (constants given as bit patterns), so two implementations
//!   agree bit for bit. Their accuracy against the true function is stated on each one and tested.
//! * Results of the nonlinear units that would be subnormal are flushed to zero (documented per
//!   function); inputs that are subnormal are treated as documented per function.
//!
//! See docs/numerics.md for the prose version of this contract.

/// Edge of the 128x128x128 block that one matrix engine (MME) computes (defined by the ISA).
pub use crate::isa::BLOCK;
/// Elements in one 128x128 block.
pub const BLOCK_ELEMS: usize = BLOCK * BLOCK;
/// K depth handled by one stage of an engine's four-stage cascade.
pub const CASCADE_STAGE_K: usize = 32;

/// The canonical quiet NaN every unit returns when it produces a NaN of its own.
pub const QNAN: f32 = f32::from_bits(0x7fc0_0000);

/// One engine block product: `c = a x b` for 128x128 row-major blocks (`a[i][k]`, `b[k][j]`).
///
/// Per output element the contract is the chain over k = 0..127 in increasing order:
/// `acc = a[i][0]*b[0][j]` (a plain product, the AIE `mul`), then `acc = acc + a[i][k]*b[k][j]` with
/// the product rounded before the add. The engine's four cascade stages each take 32 consecutive k
/// and hand the accumulator on, which is this same chain. `c` is overwritten; accumulation across
/// blocks happens in MemC (see [`accumulate`]).
pub fn mme_block_ref(a: &[f32], b: &[f32], c: &mut [f32]) {
    assert_block_shapes(a, b, c);
    for i in 0..BLOCK {
        for j in 0..BLOCK {
            let mut acc = a[i * BLOCK] * b[j];
            for k in 1..BLOCK {
                acc += a[i * BLOCK + k] * b[k * BLOCK + j];
            }
            c[i * BLOCK + j] = acc;
        }
    }
}

fn assert_block_shapes(a: &[f32], b: &[f32], c: &[f32]) {
    assert!(
        a.len() == BLOCK_ELEMS && b.len() == BLOCK_ELEMS && c.len() == BLOCK_ELEMS,
        "engine blocks are 128x128 (internal invariant: callers size them)"
    );
}

/// Same result as [`mme_block_ref`], bit for bit, computed with a register-blocked kernel. Parallel
/// work is split over output rows only, so the per-element k order never changes.
pub fn mme_block(a: &[f32], b: &[f32], c: &mut [f32]) {
    assert_block_shapes(a, b, c);
    mme_block_into_rows(a, b, c, BLOCK, false);
}

/// One engine block product delivered into MemC, on a block that lies in a wider row-major matrix
/// (row `i` of the block is `c[i * ldc..i * ldc + 128]`: MemC's bank, without copying the block
/// out and back). With `acc`, `c = accumulate(c, a x b)` element by element; without, `c = a x b`.
/// Bit for bit what [`mme_block`] followed by [`accumulate`] gives, without the product ever
/// leaving registers.
pub fn mme_block_into_rows(a: &[f32], b: &[f32], c: &mut [f32], ldc: usize, acc: bool) {
    assert!(
        a.len() == BLOCK_ELEMS && b.len() == BLOCK_ELEMS && ldc >= BLOCK && c.len() >= (BLOCK - 1) * ldc + BLOCK,
        "engine blocks are 128x128 (internal invariant: callers size them)"
    );
    #[cfg(target_arch = "x86_64")]
    {
        if std::is_x86_feature_detected!("avx512f") {
            // SAFETY: the CPU supports AVX-512F (checked just above); every index the kernel
            // forms is inside the shapes asserted above.
            unsafe { block_avx512(a, b, c, ldc, acc) };
            return;
        }
        if std::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU supports AVX2 (checked just above).
            unsafe { block_avx2(a, b, c, ldc, acc) };
            return;
        }
    }
    block_generic(a, b, c, ldc, acc);
}

/// Rows of A per micro-tile and columns of B per micro-tile: 4 x 64 accumulators fill 16 AVX-512
/// registers, leaving room for the B row and the broadcast A value.
const MR: usize = 4;
const NR: usize = 64;

#[inline(always)]
#[allow(clippy::too_many_arguments)] // the tile's place in three matrices
fn micro_tile(a: &[f32], b: &[f32], c: &mut [f32], ldc: usize, i0: usize, j0: usize, into: bool) {
    let mut acc = [[0.0f32; NR]; MR];
    for r in 0..MR {
        let av = a[(i0 + r) * BLOCK];
        for (x, bv) in acc[r].iter_mut().zip(&b[j0..j0 + NR]) {
            *x = av * *bv;
        }
    }
    for k in 1..BLOCK {
        let brow = &b[k * BLOCK + j0..k * BLOCK + j0 + NR];
        for r in 0..MR {
            let av = a[(i0 + r) * BLOCK + k];
            for (x, bv) in acc[r].iter_mut().zip(brow) {
                // Two roundings on purpose: product, then sum (no FMA contraction in Rust).
                let p = av * *bv;
                *x += p;
            }
        }
    }
    for r in 0..MR {
        let out = &mut c[(i0 + r) * ldc + j0..(i0 + r) * ldc + j0 + NR];
        if into {
            for (o, p) in out.iter_mut().zip(&acc[r]) {
                *o = accumulate(*o, *p);
            }
        } else {
            out.copy_from_slice(&acc[r]);
        }
    }
}

#[inline(always)]
fn block_body(a: &[f32], b: &[f32], c: &mut [f32], ldc: usize, acc: bool) {
    for i0 in (0..BLOCK).step_by(MR) {
        for j0 in (0..BLOCK).step_by(NR) {
            micro_tile(a, b, c, ldc, i0, j0, acc);
        }
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
#[allow(clippy::needless_range_loop)] // r and q index the register tile and the memory alike
unsafe fn block_avx512(a: &[f32], b: &[f32], c: &mut [f32], ldc: usize, into: bool) {
    use std::arch::x86_64::*;
    // 4 rows x 64 columns of accumulators = 16 zmm registers. `_mm512_mul_ps` then `_mm512_add_ps`
    // keeps the two roundings of the contract (LLVM never fuses them without fast-math flags).
    let (ap, bp, cp) = (a.as_ptr(), b.as_ptr(), c.as_mut_ptr());
    for i0 in (0..BLOCK).step_by(4) {
        for j0 in (0..BLOCK).step_by(64) {
            let mut acc = [[_mm512_setzero_ps(); 4]; 4];
            let b0 = [0, 16, 32, 48].map(|q| _mm512_loadu_ps(bp.add(j0 + q)));
            for r in 0..4 {
                let av = _mm512_set1_ps(*ap.add((i0 + r) * BLOCK));
                for q in 0..4 {
                    acc[r][q] = _mm512_mul_ps(av, b0[q]);
                }
            }
            for k in 1..BLOCK {
                let row = bp.add(k * BLOCK + j0);
                let bv = [0, 16, 32, 48].map(|q| _mm512_loadu_ps(row.add(q)));
                for r in 0..4 {
                    let av = _mm512_set1_ps(*ap.add((i0 + r) * BLOCK + k));
                    for q in 0..4 {
                        acc[r][q] = _mm512_add_ps(acc[r][q], _mm512_mul_ps(av, bv[q]));
                    }
                }
            }
            for r in 0..4 {
                for q in 0..4 {
                    let at = cp.add((i0 + r) * ldc + j0 + q * 16);
                    // MemC's accumulate is `c + p`: one binary32 add, the stored value first.
                    let v = if into { _mm512_add_ps(_mm512_loadu_ps(at), acc[r][q]) } else { acc[r][q] };
                    _mm512_storeu_ps(at, v);
                }
            }
        }
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn block_avx2(a: &[f32], b: &[f32], c: &mut [f32], ldc: usize, acc: bool) {
    block_body(a, b, c, ldc, acc)
}

fn block_generic(a: &[f32], b: &[f32], c: &mut [f32], ldc: usize, acc: bool) {
    block_body(a, b, c, ldc, acc)
}

/// MemC accumulation of one engine partial `p` into the stored value `c`: `c = c + p`, one binary32
/// add. When a receive does not accumulate onto preloaded content, the first partial of a k loop is
/// stored as is (`c = p`, so a -0.0 partial stays -0.0).
#[inline]
pub fn accumulate(c: f32, p: f32) -> f32 {
    c + p
}

// ---------------------------------------------------------------------------------------------
// Nonlinear units. Every constant is given by its bit pattern so RTL can copy it exactly.

/// log2(e) rounded to binary32.
pub const EXP_LOG2E: u32 = 0x3fb8_aa3b;
/// ln(2) split for Cody-Waite reduction: HI has 9 significant bits so n*HI is exact for |n| < 2^15.
pub const EXP_LN2_HI: u32 = 0x3f31_8000;
pub const EXP_LN2_LO: u32 = 0xb95e_8083;
/// 1.5 * 2^23: adding and subtracting it rounds to the nearest integer (ties to even).
pub const ROUND_MAGIC: u32 = 0x4b40_0000;
/// Above this input exp overflows to +inf.
pub const EXP_MAX_IN: u32 = 0x42b1_7218; // 88.72283
/// Below this input exp is flushed to +0 (its result would be subnormal).
pub const EXP_MIN_IN: u32 = 0xc2ae_ac50; // -87.33655
/// Taylor coefficients 1/7!, 1/6!, ..., 1/2!, 1, 1 (Horner order, highest first).
pub const EXP_POLY: [u32; 8] = [
    0x3950_0d01, // 1/5040
    0x3ab6_0b61, // 1/720
    0x3c08_8889, // 1/120
    0x3d2a_aaab, // 1/24
    0x3e2a_aaab, // 1/6
    0x3f00_0000, // 1/2
    0x3f80_0000, // 1
    0x3f80_0000, // 1
];

#[inline]
fn c(bits: u32) -> f32 {
    f32::from_bits(bits)
}

/// Scale a positive normal `y` by 2^n through its exponent field; flush to +0 or saturate to +inf
/// when the result leaves the normal range. This is an integer operation in hardware.
#[inline]
fn scale_pow2(y: f32, n: i32) -> f32 {
    let bits = y.to_bits();
    let e = ((bits >> 23) & 0xff) as i32 + n;
    if e <= 0 {
        0.0
    } else if e >= 255 {
        f32::INFINITY
    } else {
        f32::from_bits((bits & 0x807f_ffff) | ((e as u32) << 23))
    }
}

/// e^x. NaN -> canonical NaN; x > 88.72283 -> +inf; x < -87.33655 -> +0; results that would be
/// subnormal -> +0. Otherwise, with every operation a binary32 op:
/// ```text
/// t  = x * LOG2E
/// nf = (t + MAGIC) - MAGIC                    // nearest integer
/// r  = (x - nf*LN2_HI) - nf*LN2_LO
/// p  = (((((((P0*r + P1)*r + P2)*r + P3)*r + P4)*r + P5)*r + P6)*r + P7)
/// result = p * 2^nf                            // exponent-field add, see scale_pow2
/// ```
/// Accuracy: within 2 ulp of e^x on the normal range (tested).
pub fn exp(x: f32) -> f32 {
    if x.is_nan() {
        return QNAN;
    }
    if x > c(EXP_MAX_IN) {
        return f32::INFINITY;
    }
    if x < c(EXP_MIN_IN) {
        return 0.0;
    }
    let t = x * c(EXP_LOG2E);
    let nf = (t + c(ROUND_MAGIC)) - c(ROUND_MAGIC);
    let r = (x - nf * c(EXP_LN2_HI)) - nf * c(EXP_LN2_LO);
    let mut p = c(EXP_POLY[0]);
    for &k in &EXP_POLY[1..] {
        p = p * r + c(k);
    }
    scale_pow2(p, nf as i32)
}

/// 24/17 and 8/17: the minimax-linear first guess of 1/m on [1, 2).
pub const RECIP_C1: u32 = 0x3fb4_b4b5;
pub const RECIP_C2: u32 = 0x3ef0_f0f1;
/// Newton-Raphson steps of the reciprocal.
pub const RECIP_STEPS: usize = 3;

/// Split a positive finite normal into (mantissa in [1, 2), unbiased exponent).
#[inline]
fn split_normal(x: f32) -> (f32, i32) {
    let bits = x.to_bits();
    let e = ((bits >> 23) & 0xff) as i32 - 127;
    (f32::from_bits((bits & 0x007f_ffff) | 0x3f80_0000), e)
}

/// 1/x. NaN -> canonical NaN; +-0 and subnormals -> +-inf; +-inf -> +-0; results that would be
/// subnormal -> +-0. Otherwise x = m * 2^e with m in [1, 2):
/// ```text
/// y = C1 - C2*m
/// repeat 3 times: y = y + y*(1 - m*y)
/// result = sign(x) * y * 2^-e                  // exponent-field add
/// ```
/// Accuracy: within 1 ulp (tested).
pub fn recip(x: f32) -> f32 {
    if x.is_nan() {
        return QNAN;
    }
    let sign = x.to_bits() & 0x8000_0000;
    let ax = x.abs();
    if ax.is_infinite() {
        return f32::from_bits(sign);
    }
    if !ax.is_normal() {
        return f32::from_bits(sign | 0x7f80_0000);
    }
    let (m, e) = split_normal(ax);
    let mut y = c(RECIP_C1) - c(RECIP_C2) * m;
    for _ in 0..RECIP_STEPS {
        y += y * (1.0 - m * y);
    }
    let r = scale_pow2(y, -e);
    f32::from_bits(r.to_bits() | sign)
}

/// First guess of 1/sqrt(m) on [1, 4): the chord 7/6 - m/6.
pub const RSQRT_C1: u32 = 0x3f95_5555;
pub const RSQRT_C2: u32 = 0x3e2a_aaab;
/// Newton-Raphson steps of the reciprocal square root.
pub const RSQRT_STEPS: usize = 4;

/// 1/sqrt(x). NaN and x < 0 -> canonical NaN; +-0 and subnormals -> +inf; +inf -> +0. Otherwise
/// x = m * 2^(2h) with m in [1, 4) (an odd exponent moves one factor 2 into m):
/// ```text
/// y  = C1 - C2*m;  hm = 0.5*m
/// repeat 4 times: y = y * (1.5 - hm*(y*y))
/// result = y * 2^-h                            // exponent-field add
/// ```
/// Accuracy: within 2 ulp (tested).
pub fn rsqrt(x: f32) -> f32 {
    if x.is_nan() || (x < 0.0) {
        return QNAN;
    }
    if x.is_infinite() {
        return 0.0;
    }
    if !x.is_normal() {
        return f32::INFINITY;
    }
    let (m1, e) = split_normal(x);
    let (m, h) = if e.rem_euclid(2) == 1 { (m1 * 2.0, (e - 1) / 2) } else { (m1, e / 2) };
    let mut y = c(RSQRT_C1) - c(RSQRT_C2) * m;
    let hm = 0.5 * m;
    for _ in 0..RSQRT_STEPS {
        y = y * (1.5 - hm * (y * y));
    }
    scale_pow2(y, -h)
}

/// 1/sqrt(2) rounded to binary32.
pub const GELU_FRAC_1_SQRT_2: u32 = 0x3f35_04f3;
/// Abramowitz & Stegun 7.1.26 erf approximation: p, then a5..a1 (Horner order).
pub const ERF_P: u32 = 0x3ea7_ba05; // 0.3275911
pub const ERF_A: [u32; 5] = [
    0x3f87_dc22, // a5 = 1.061405429
    0xbfba_00e3, // a4 = -1.453152027
    0x3fb5_f0e3, // a3 = 1.421413741
    0xbe91_a98e, // a2 = -0.284496736
    0x3e82_7906, // a1 = 0.254829592
];

/// erf(z) by A&S 7.1.26 on binary32 ops (absolute error below 2e-7, tested):
/// ```text
/// a = |z|;  t = recip(1 + P*a)
/// q = ((((A5*t + A4)*t + A3)*t + A2)*t + A1)*t
/// y = 1 - q*exp(-(a*a));  erf = sign(z)*y
/// ```
pub fn erf(z: f32) -> f32 {
    if z.is_nan() {
        return QNAN;
    }
    let a = z.abs();
    let t = recip(1.0 + c(ERF_P) * a);
    let mut q = c(ERF_A[0]);
    for &k in &ERF_A[1..] {
        q = q * t + c(k);
    }
    q *= t;
    let y = 1.0 - q * exp(-(a * a));
    if z.is_sign_negative() {
        -y
    } else {
        y
    }
}

/// GELU, erf form (what BERT uses): `g = (0.5*x) * (1 + erf(x*FRAC_1_SQRT_2))`.
/// NaN -> canonical NaN; +inf -> +inf; -inf -> -0.
pub fn gelu(x: f32) -> f32 {
    if x.is_nan() {
        return QNAN;
    }
    if x.is_infinite() {
        return if x > 0.0 { x } else { -0.0 };
    }
    (0.5 * x) * (1.0 + erf(x * c(GELU_FRAC_1_SQRT_2)))
}

/// Row softmax over `row` in place. Max by a left-to-right scan (`if v > m { m = v }` from v0, so NaN
/// never becomes the max), `e_j = exp(x_j - m)`, `s` the left-to-right sum from e_0,
/// `r = recip(s)`, `y_j = e_j * r`. A NaN input makes its e_j and thus the whole row NaN.
pub fn softmax_row(row: &mut [f32]) {
    let Some(&first) = row.first() else { return };
    let mut m = first;
    for &v in &row[1..] {
        if v > m {
            m = v;
        }
    }
    for v in row.iter_mut() {
        *v = exp(*v - m);
    }
    let mut s = row[0];
    for &v in &row[1..] {
        s += v;
    }
    let r = recip(s);
    for v in row.iter_mut() {
        *v *= r;
    }
}

/// Left-to-right sum `x_0 + x_1 + ...` (0 for an empty slice).
pub fn row_sum(xs: &[f32]) -> f32 {
    let Some((&first, rest)) = xs.split_first() else { return 0.0 };
    rest.iter().fold(first, |s, &v| s + v)
}

/// Subtract `mean` in place and return the left-to-right sum of squares of the result.
pub fn center_and_square_sum(xs: &mut [f32], mean: f32) -> f32 {
    for v in xs.iter_mut() {
        *v -= mean;
    }
    let Some((&first, rest)) = xs.split_first() else { return 0.0 };
    rest.iter().fold(first * first, |s, &d| s + d * d)
}

/// `y_j = ((d_j * rstd) * gamma_j) + beta_j` in place.
pub fn ln_scale(ds: &mut [f32], rstd: f32, gamma: &[f32], beta: &[f32]) {
    for ((v, &g), &b) in ds.iter_mut().zip(gamma).zip(beta) {
        *v = ((*v * rstd) * g) + b;
    }
}

/// Row LayerNorm in place over `row` (n = row.len() >= 1) with per-column `gamma`, `beta`:
/// ```text
/// inv_n = recip(n as f32)
/// mean  = (x_0 + x_1 + ... left to right) * inv_n
/// d_j   = x_j - mean
/// var   = (d_0*d_0 + d_1*d_1 + ... left to right) * inv_n
/// rstd  = rsqrt(var + eps)
/// y_j   = ((d_j * rstd) * gamma_j) + beta_j
/// ```
pub fn layernorm_row(row: &mut [f32], gamma: &[f32], beta: &[f32], eps: f32) {
    if row.is_empty() {
        return;
    }
    let inv_n = recip(row.len() as f32);
    let mean = row_sum(row) * inv_n;
    let var = center_and_square_sum(row, mean) * inv_n;
    ln_scale(row, recip_sqrt_eps(var, eps), gamma, beta);
}

fn recip_sqrt_eps(var: f32, eps: f32) -> f32 {
    rsqrt(var + eps)
}

/// LayerNorm of a row split across a MemC pair (ISA v2 `ln_pair`): each unit sums its half left to
/// right; the two partial sums are added (binary32 addition is commutative, so both units get the
/// same total); likewise for the squared deviations:
/// ```text
/// inv_n = recip(n_lo + n_hi)
/// mean  = (sum(lo) + sum(hi)) * inv_n
/// var   = (sumsq(lo - mean) + sumsq(hi - mean)) * inv_n
/// ```
/// then each half scales as [`layernorm_row`] does.
pub fn layernorm_split_row(lo: &mut [f32], hi: &mut [f32], gamma: (&[f32], &[f32]), beta: (&[f32], &[f32]), eps: f32) {
    let inv_n = recip((lo.len() + hi.len()) as f32);
    let mean = (row_sum(lo) + row_sum(hi)) * inv_n;
    let var = (center_and_square_sum(lo, mean) + center_and_square_sum(hi, mean)) * inv_n;
    let rstd = recip_sqrt_eps(var, eps);
    ln_scale(lo, rstd, gamma.0, beta.0);
    ln_scale(hi, rstd, gamma.1, beta.1);
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};

    fn ulp_diff(a: f32, b: f32) -> u32 {
        let (x, y) = (a.to_bits() as i64, b.to_bits() as i64);
        (x - y).unsigned_abs() as u32
    }

    #[test]
    fn fast_block_is_bit_identical_to_reference() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        let mut a: Vec<f32> = (0..BLOCK_ELEMS).map(|_| rng.random_range(-1.0..1.0)).collect();
        let b: Vec<f32> = (0..BLOCK_ELEMS).map(|_| rng.random_range(-1e3..1e3)).collect();
        // Edge values: products that round, subnormal products, signed zeros.
        a[0] = 1e-30;
        a[1] = -0.0;
        a[130] = 3.0e38;
        let mut c1 = vec![0.0; BLOCK_ELEMS];
        let mut c2 = vec![0.0; BLOCK_ELEMS];
        mme_block_ref(&a, &b, &mut c1);
        mme_block(&a, &b, &mut c2);
        for (x, y) in c1.iter().zip(&c2) {
            assert_eq!(x.to_bits(), y.to_bits());
        }
        block_generic(&a, &b, &mut c2, BLOCK, false);
        for (x, y) in c1.iter().zip(&c2) {
            assert_eq!(x.to_bits(), y.to_bits());
        }
    }

    #[test]
    fn fused_delivery_is_product_then_accumulate() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(11);
        let a: Vec<f32> = (0..BLOCK_ELEMS).map(|_| rng.random_range(-1.0..1.0)).collect();
        let b: Vec<f32> = (0..BLOCK_ELEMS).map(|_| rng.random_range(-1.0..1.0)).collect();
        let mut c0: Vec<f32> = (0..BLOCK_ELEMS).map(|_| rng.random_range(-8.0..8.0)).collect();
        // Stored values that make the add's operand order and signed zeros visible.
        c0[0] = -0.0;
        c0[1] = f32::INFINITY;
        c0[2] = 1e-45;
        let mut p = vec![0.0; BLOCK_ELEMS];
        mme_block_ref(&a, &b, &mut p);
        let want: Vec<u32> = c0.iter().zip(&p).map(|(c, p)| accumulate(*c, *p).to_bits()).collect();
        let mut fast = c0.clone();
        mme_block_into_rows(&a, &b, &mut fast, BLOCK, true);
        let mut generic = c0.clone();
        block_generic(&a, &b, &mut generic, BLOCK, true);
        // The same block in the middle of a wider matrix, whose other columns stay untouched.
        let ldc = 3 * BLOCK;
        let mut wide: Vec<f32> = (0..BLOCK * ldc).map(|i| i as f32).collect();
        for i in 0..BLOCK {
            wide[i * ldc + BLOCK..i * ldc + 2 * BLOCK].copy_from_slice(&c0[i * BLOCK..(i + 1) * BLOCK]);
        }
        mme_block_into_rows(&a, &b, &mut wide[BLOCK..], ldc, true);
        for i in 0..BLOCK_ELEMS {
            let (r, j) = (i / BLOCK, i % BLOCK);
            assert_eq!(fast[i].to_bits(), want[i], "fast kernel, element {i}");
            assert_eq!(generic[i].to_bits(), want[i], "generic kernel, element {i}");
            assert_eq!(wide[r * ldc + BLOCK + j].to_bits(), want[i], "strided kernel, element {i}");
            assert_eq!(wide[r * ldc + j], (r * ldc + j) as f32, "strided kernel wrote outside its block");
        }
        let mut over = c0.clone();
        mme_block_into_rows(&a, &b, &mut over, BLOCK, false);
        assert!(over.iter().zip(&p).all(|(x, y)| x.to_bits() == y.to_bits()));
    }

    #[test]
    fn block_is_not_fused() {
        // The inexact product x*x sits at k = 1, where it meets the accumulator: a fused
        // multiply-add would keep its low bits (eps^2); the contract rounds it first, so the chain
        // cancels exactly.
        let mut a = vec![0.0f32; BLOCK_ELEMS];
        let mut b = vec![0.0f32; BLOCK_ELEMS];
        let x = 1.0 + f32::EPSILON;
        a[0] = -1.0;
        b[0] = 1.0 + 2.0 * f32::EPSILON;
        a[1] = x;
        b[BLOCK] = x;
        let mut c = vec![0.0; BLOCK_ELEMS];
        mme_block(&a, &b, &mut c);
        assert_eq!(c[0], 0.0);
        let fused = (x as f64 * x as f64 - (1.0 + 2.0 * f32::EPSILON as f64)) as f32;
        assert_ne!(fused, 0.0, "the test would not see a fused multiply-add");
        mme_block_ref(&a, &b, &mut c);
        assert_eq!(c[0], 0.0);
    }

    #[test]
    fn exp_accuracy_and_edges() {
        let mut worst = 0;
        let mut x = -87.0f32;
        while x < 88.5 {
            let want = (x as f64).exp() as f32;
            worst = worst.max(ulp_diff(exp(x), want));
            x += 0.0137;
        }
        assert!(worst <= 2, "exp worst error {worst} ulp");
        eprintln!("exp worst error {worst} ulp");
        assert_eq!(exp(0.0), 1.0);
        assert_eq!(exp(f32::NEG_INFINITY), 0.0);
        assert_eq!(exp(f32::INFINITY), f32::INFINITY);
        assert_eq!(exp(100.0), f32::INFINITY);
        assert_eq!(exp(-100.0), 0.0);
        assert_eq!(exp(f32::NAN).to_bits(), QNAN.to_bits());
    }

    #[test]
    fn recip_accuracy_and_edges() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(1);
        for _ in 0..200_000 {
            let x = f32::from_bits(rng.random_range(0x0080_0000u32..0x7e80_0000));
            let want = (1.0f64 / x as f64) as f32;
            assert!(ulp_diff(recip(x), want) <= 1, "recip({x}) = {} want {want}", recip(x));
            assert_eq!(recip(-x).to_bits(), (-recip(x)).to_bits());
        }
        assert_eq!(recip(0.0), f32::INFINITY);
        assert_eq!(recip(-0.0), f32::NEG_INFINITY);
        assert_eq!(recip(f32::INFINITY), 0.0);
        assert_eq!(recip(1e-40), f32::INFINITY);
        assert_eq!(recip(f32::MAX), 0.0, "subnormal result flushes");
        assert_eq!(recip(2.0), 0.5);
    }

    #[test]
    fn rsqrt_accuracy_and_edges() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(2);
        for _ in 0..200_000 {
            let x = f32::from_bits(rng.random_range(0x0080_0000u32..0x7f00_0000));
            let want = (1.0f64 / (x as f64).sqrt()) as f32;
            assert!(ulp_diff(rsqrt(x), want) <= 2, "rsqrt({x}) = {} want {want}", rsqrt(x));
        }
        assert!(ulp_diff(rsqrt(4.0), 0.5) <= 2);
        assert_eq!(rsqrt(0.0), f32::INFINITY);
        assert!(rsqrt(-1.0).is_nan());
        assert_eq!(rsqrt(f32::INFINITY), 0.0);
    }

    #[test]
    fn gelu_accuracy() {
        let mut x = -10.0f32;
        while x < 10.0 {
            let xd = x as f64;
            let want = 0.5 * xd * (1.0 + erf_f64(xd / std::f64::consts::SQRT_2));
            let got = gelu(x) as f64;
            assert!((got - want).abs() <= 1e-6 * (1.0 + xd.abs()), "gelu({x}) {got} {want}");
            x += 0.00731;
        }
        assert_eq!(gelu(f32::INFINITY), f32::INFINITY);
        assert_eq!(gelu(f32::NEG_INFINITY).to_bits(), (-0.0f32).to_bits());
    }

    /// A high-accuracy f64 erf for the test oracle (W. J. Cody's rational approximations are overkill;
    /// the series/continued fraction pair below is accurate to ~1e-15 on the range used).
    fn erf_f64(x: f64) -> f64 {
        let ax = x.abs();
        let r = if ax < 3.0 {
            // Maclaurin series.
            let mut sum = ax;
            let mut term = ax;
            let x2 = ax * ax;
            for n in 1..200 {
                term *= -x2 / n as f64;
                let add = term / (2 * n + 1) as f64;
                sum += add;
                if add.abs() < 1e-17 {
                    break;
                }
            }
            sum * 2.0 / std::f64::consts::PI.sqrt()
        } else {
            // Continued fraction for erfc.
            let mut f = 0.0;
            for n in (1..60).rev() {
                f = (n as f64 / 2.0) / (ax + f);
            }
            1.0 - (-ax * ax).exp() / ((ax + f) * std::f64::consts::PI.sqrt())
        };
        r.copysign(x)
    }

    #[test]
    fn softmax_and_layernorm_rows() {
        let mut row = [1.0f32, 2.0, 3.0, 1000.0];
        softmax_row(&mut row);
        assert!((row[3] - 1.0).abs() < 1e-6 && row[0] >= 0.0, "max subtracted, no overflow");
        let mut row = [1.0f32, 2.0, 3.0, 4.0];
        softmax_row(&mut row);
        let s: f32 = row.iter().sum();
        assert!((s - 1.0).abs() < 1e-6);
        let mut row = [1.0f32, 2.0, 3.0, 4.0];
        layernorm_row(&mut row, &[1.0; 4], &[0.5; 4], 1e-12);
        let want = [-1.3416408f32, -0.4472136, 0.4472136, 1.3416408];
        for (g, w) in row.iter().zip(want) {
            assert!((g - (w + 0.5)).abs() < 1e-6);
        }
        // A split row normalises like the whole row (here the halves' sums are exact, so the
        // results agree bit for bit).
        let mut whole = [1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0];
        let (mut lo, mut hi) = ([1.0f32, 2.0, 3.0, 4.0], [5.0f32, 6.0]);
        layernorm_row(&mut whole, &[1.5; 6], &[0.25; 6], 1e-5);
        layernorm_split_row(&mut lo, &mut hi, (&[1.5; 4], &[1.5; 2]), (&[0.25; 4], &[0.25; 2]), 1e-5);
        assert_eq!(&whole[..4], &lo);
        assert_eq!(&whole[4..], &hi);
    }
}
