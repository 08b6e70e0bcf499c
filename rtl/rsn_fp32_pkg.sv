// Binary32 arithmetic as functions: the one definition of the add, multiply and power-of-two
// scaling datapaths. The rtl/fp modules (rsn_fp32_add_align, _add_round, _mul_prod, _mul_round,
// _scale_pow2) are wrappers around these, and the lane-parallel units call them directly inside
// loops over lanes. See rsn_fp32_add / rsn_fp32_mul for the numerics (bit-exact with the host's
// f32 for every non-NaN result, subnormals included; a NaN result is always 0x7fc00000).
//
// Why functions: Verilator emits code per module *instance*, so 32 lanes x N instances of an FP
// module multiply the verilated C++ (hundreds of MB for the MemC post-op units). A function marked
// no_inline_task becomes one C++ function however many call sites it has; calling it under a
// valid/state condition also keeps idle units from costing simulation time. For synthesis every
// call site is its own combinational datapath, exactly as a module instance would be.
package rsn_fp32_pkg;

  localparam logic [31:0] FP32_QNAN = 32'h7fc0_0000;

  // Any NaN (quiet or signalling) from the magnitude bits [30:0]: all-ones exponent, non-zero
  // fraction.
  function automatic logic fp32_is_nan(input logic [30:0] mag);
    fp32_is_nan = (mag[30:23] == 8'hff) && (mag[22:0] != 23'd0);
  endfunction

  // First half of the sum. Layout of the result (40 bits):
  //   [39] NaN result   [38] infinite result   [37] result sign (of the larger magnitude, which is
  //   the infinity's sign when there is one)   [36] sign of an exact zero sum (-0 only for -0 + -0)
  //   [35:28] biased exponent of the larger operand (1 for subnormals)
  //   [27:0]  raw significand sum: hidden bit at [26], carry at [27], guard/round/sticky at [2:0]
  // Three extra bits suffice: massive cancellation only happens when the exponents differ by at
  // most one, where the alignment is exact; otherwise the sticky-OR'd operand keeps the sum inside
  // the same rounding interval as the exact sum.
  function automatic logic [39:0] fp32_add_align(input logic [31:0] a, input logic [31:0] b);
    /*verilator no_inline_task*/
    logic        a_nan, b_nan, a_inf, b_inf;
    logic        swap;
    logic [31:0] op_big, op_small;
    logic        subtract;
    logic [7:0]  exp_big, exp_small, exp_diff;
    logic [23:0] sig_big, sig_small;
    logic [26:0] ext_small, aligned, sticky_mask, addend;
    logic        align_sticky;
    logic [27:0] raw;
    a_nan = fp32_is_nan(a[30:0]);
    b_nan = fp32_is_nan(b[30:0]);
    a_inf = (a[30:23] == 8'hff) && (a[22:0] == 23'd0);
    b_inf = (b[30:23] == 8'hff) && (b[22:0] == 23'd0);
    // Larger magnitude first; the result takes its sign unless the sum is exactly zero.
    swap     = b[30:0] > a[30:0];
    op_big   = swap ? b : a;
    op_small = swap ? a : b;
    subtract = op_big[31] ^ op_small[31];
    // Subnormals have no hidden bit and the exponent of the smallest normal.
    exp_big   = (op_big[30:23] == 8'd0) ? 8'd1 : op_big[30:23];
    exp_small = (op_small[30:23] == 8'd0) ? 8'd1 : op_small[30:23];
    sig_big   = {op_big[30:23] != 8'd0, op_big[22:0]};
    sig_small = {op_small[30:23] != 8'd0, op_small[22:0]};
    exp_diff  = exp_big - exp_small;
    ext_small    = {sig_small, 3'b000};
    aligned      = ext_small >> exp_diff;
    sticky_mask  = ~({27{1'b1}} << exp_diff);
    align_sticky = |(ext_small & sticky_mask);
    addend       = {aligned[26:1], aligned[0] | align_sticky};
    if (subtract) begin
      raw = {1'b0, sig_big, 3'b000} - {1'b0, addend};
    end else begin
      raw = {1'b0, sig_big, 3'b000} + {1'b0, addend};
    end
    fp32_add_align = {a_nan || b_nan || (a_inf && b_inf && (a[31] != b[31])), a_inf || b_inf,
                      op_big[31], a[31] & b[31], exp_big, raw};
  endfunction

  // Second half of the sum: normalise (the left shift clamped at the subnormal boundary), round to
  // nearest even, pack, with overflow to infinity and the special cases.
  function automatic logic [31:0] fp32_add_round(input logic [39:0] mid);
    /*verilator no_inline_task*/
    logic        is_nan, is_inf, sign, zero_sign;
    logic [7:0]  exp_big;
    logic [27:0] raw;
    logic [4:0]  lzc, shift_left;
    logic [8:0]  exp_norm, exp_final;
    logic [26:0] norm;  // hidden bit at [26], then 23 fraction bits, guard, round, sticky
    logic        round_up;
    logic [24:0] rounded;
    logic [22:0] frac_final;
    logic [31:0] lz_v;
    {is_nan, is_inf, sign, zero_sign, exp_big, raw} = mid;
    // Leading zeros of raw[26:0] (27 when zero: the marker bit below it), by halving steps.
    lz_v   = {raw[26:0], 5'b10000};
    lzc[4] = (lz_v[31:16] == 16'd0);
    lz_v   = lzc[4] ? {lz_v[15:0], 16'd0} : lz_v;
    lzc[3] = (lz_v[31:24] == 8'd0);
    lz_v   = lzc[3] ? {lz_v[23:0], 8'd0} : lz_v;
    lzc[2] = (lz_v[31:28] == 4'd0);
    lz_v   = lzc[2] ? {lz_v[27:0], 4'd0} : lz_v;
    lzc[1] = (lz_v[31:30] == 2'd0);
    lz_v   = lzc[1] ? {lz_v[29:0], 2'd0} : lz_v;
    lzc[0] = !lz_v[31];
    if (raw[27]) begin
      // Carry out: shift right by one, folding the lost bit into sticky.
      norm     = {raw[27:2], raw[1] | raw[0]};
      exp_norm = {1'b0, exp_big} + 9'd1;
    end else begin
      // Normalise left, but never below the smallest normal exponent (that is a subnormal).
      shift_left = ({3'd0, lzc} < exp_big) ? lzc : 5'(exp_big - 8'd1);
      norm       = raw[26:0] << shift_left;
      exp_norm   = {1'b0, exp_big} - {4'd0, shift_left};
    end
    round_up = norm[2] & (norm[1] | norm[0] | norm[3]);
    rounded  = {1'b0, norm[26:3]} + {24'd0, round_up};
    if (rounded[24]) begin
      // Rounding carried into a new leading bit: the fraction is all zeros.
      exp_final  = exp_norm + 9'd1;
      frac_final = 23'd0;
    end else if (!rounded[23]) begin
      // No hidden bit: subnormal (exp_norm is 1 here), encoded with a zero exponent field.
      exp_final  = 9'd0;
      frac_final = rounded[22:0];
    end else begin
      exp_final  = exp_norm;
      frac_final = rounded[22:0];
    end
    if (is_nan) begin
      fp32_add_round = FP32_QNAN;
    end else if (is_inf) begin
      fp32_add_round = {sign, 8'hff, 23'd0};
    end else if (raw == 28'd0) begin
      // Exact zero: -0 only when both operands are -0 (round-to-nearest-even rule).
      fp32_add_round = {zero_sign, 31'd0};
    end else if (exp_final >= 9'd255) begin
      fp32_add_round = {sign, 8'hff, 23'd0};
    end else begin
      fp32_add_round = {sign, exp_final[7:0], frac_final};
    end
  endfunction

  function automatic logic [31:0] fp32_add(input logic [31:0] a, input logic [31:0] b);
    /*verilator no_inline_task*/
    fp32_add = fp32_add_round(fp32_add_align(a, b));
  endfunction

  // First half of the product. Layout of the result (61 bits):
  //   [60] NaN result (a NaN operand, or inf * 0)   [59] infinite result   [58] zero result
  //   [57] sign (XOR of the operand signs)
  //   [56:48] sum of the biased operand exponents (subnormals count as 1), 2..508
  //   [47:0]  product of the significands (hidden bits included); non-zero unless [58] is set
  function automatic logic [60:0] fp32_mul_prod(input logic [31:0] a, input logic [31:0] b);
    /*verilator no_inline_task*/
    logic        a_nan, b_nan, a_inf, b_inf, a_zero, b_zero;
    logic [7:0]  exp_a, exp_b;
    logic [23:0] sig_a, sig_b;
    logic [47:0] prod;
    logic [8:0]  exp_sum;
    a_nan   = fp32_is_nan(a[30:0]);
    b_nan   = fp32_is_nan(b[30:0]);
    a_inf   = (a[30:23] == 8'hff) && (a[22:0] == 23'd0);
    b_inf   = (b[30:23] == 8'hff) && (b[22:0] == 23'd0);
    a_zero  = (a[30:0] == 31'd0);
    b_zero  = (b[30:0] == 31'd0);
    exp_a   = (a[30:23] == 8'd0) ? 8'd1 : a[30:23];
    exp_b   = (b[30:23] == 8'd0) ? 8'd1 : b[30:23];
    sig_a   = {a[30:23] != 8'd0, a[22:0]};
    sig_b   = {b[30:23] != 8'd0, b[22:0]};
    prod    = 48'(sig_a) * 48'(sig_b);
    exp_sum = {1'b0, exp_a} + {1'b0, exp_b};
    fp32_mul_prod = {a_nan || b_nan || (a_inf && b_zero) || (b_inf && a_zero), a_inf || b_inf,
                     a_zero || b_zero, a[31] ^ b[31], exp_sum, prod};
  endfunction

  // Second half of the product: normalise with a leading-zero count (which also normalises
  // subnormal operands), shift right again below the normal range (gradual underflow, collecting
  // sticky), round to nearest even, pack with overflow to infinity.
  function automatic logic [31:0] fp32_mul_round(input logic [60:0] mid);
    /*verilator no_inline_task*/
    logic               is_nan, is_inf, is_zero, sign;
    logic [8:0]         exp_sum;
    logic [47:0]        prod, prod_norm, denorm;
    logic [5:0]         lzc, shift_right;
    logic signed [10:0] exp_norm;
    logic [8:0]         exp_adj, exp_final;
    logic               under_sticky, sticky, round_up;
    logic [24:0]        rounded;
    logic [22:0]        frac_final;
    logic [63:0]        lz_v;
    {is_nan, is_inf, is_zero, sign, exp_sum, prod} = mid;
    // Leading zeros of prod (48 when zero: the marker bit below it), by halving steps.
    lz_v   = {prod, 16'h8000};
    lzc[5] = (lz_v[63:32] == 32'd0);
    lz_v   = lzc[5] ? {lz_v[31:0], 32'd0} : lz_v;
    lzc[4] = (lz_v[63:48] == 16'd0);
    lz_v   = lzc[4] ? {lz_v[47:0], 16'd0} : lz_v;
    lzc[3] = (lz_v[63:56] == 8'd0);
    lz_v   = lzc[3] ? {lz_v[55:0], 8'd0} : lz_v;
    lzc[2] = (lz_v[63:60] == 4'd0);
    lz_v   = lzc[2] ? {lz_v[59:0], 4'd0} : lz_v;
    lzc[1] = (lz_v[63:62] == 2'd0);
    lz_v   = lzc[1] ? {lz_v[61:0], 2'd0} : lz_v;
    lzc[0] = !lz_v[63];
    // For 1.0 * 1.0 the product is 2^46 (lzc 1) and the exponent must come out as 127.
    prod_norm = prod << lzc;
    exp_norm  = $signed({2'd0, exp_sum}) - 11'sd126 - $signed({5'd0, lzc});
    if (exp_norm >= 11'sd1) begin
      shift_right = 6'd0;
      exp_adj     = exp_norm[8:0];
    end else begin
      // Below the normal range; beyond 48 every bit is sticky anyway.
      shift_right = (exp_norm < -11'sd47) ? 6'd48 : 6'(11'sd1 - exp_norm);
      exp_adj     = 9'd1;
    end
    denorm       = prod_norm >> shift_right;
    under_sticky = |(prod_norm & ~({48{1'b1}} << shift_right));
    sticky       = (|denorm[22:0]) | under_sticky;
    round_up     = denorm[23] & (sticky | denorm[24]);
    rounded      = {1'b0, denorm[47:24]} + {24'd0, round_up};
    if (rounded[24]) begin
      exp_final  = exp_adj + 9'd1;
      frac_final = 23'd0;
    end else if (!rounded[23]) begin
      exp_final  = 9'd0;  // subnormal (or zero after underflow)
      frac_final = rounded[22:0];
    end else begin
      exp_final  = exp_adj;
      frac_final = rounded[22:0];
    end
    if (is_nan) begin
      fp32_mul_round = FP32_QNAN;
    end else if (is_inf) begin
      fp32_mul_round = {sign, 8'hff, 23'd0};
    end else if (is_zero) begin
      fp32_mul_round = {sign, 31'd0};
    end else if (exp_norm > 11'sd254 || exp_final >= 9'd255) begin
      fp32_mul_round = {sign, 8'hff, 23'd0};
    end else begin
      fp32_mul_round = {sign, exp_final[7:0], frac_final};
    end
  endfunction

  function automatic logic [31:0] fp32_mul(input logic [31:0] a, input logic [31:0] b);
    /*verilator no_inline_task*/
    fp32_mul = fp32_mul_round(fp32_mul_prod(a, b));
  endfunction

  // The contract's `scale_pow2`: a positive normal y times 2^n through its exponent field; a result
  // exponent <= 0 flushes to +0, >= 255 saturates to +inf, the sign bit is kept otherwise. Integer
  // logic only; no rounding happens.
  function automatic logic [31:0] fp32_scale_pow2(input logic [31:0] y, input logic signed [9:0] n);
    logic signed [10:0] exp_new;
    exp_new = $signed({3'd0, y[30:23]}) + $signed({n[9], n});
    if (exp_new <= 11'sd0) begin
      fp32_scale_pow2 = 32'h0000_0000;
    end else if (exp_new >= 11'sd255) begin
      fp32_scale_pow2 = 32'h7f80_0000;
    end else begin
      fp32_scale_pow2 = {y[31], exp_new[7:0], y[22:0]};
    end
  endfunction

endpackage
