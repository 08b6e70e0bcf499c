// First half of binary32 multiplication (see rsn_fp32_mul for the numerics): special-case
// detection, the 24x24-bit significand product and the exponent sum. The second half,
// rsn_fp32_mul_round, normalises and rounds. A register placed right after this half sits directly
// behind the multiplier, where FPGA tools can absorb it into the DSP blocks.
//
// mid_o layout (61 bits), the only contract between the halves:
//   [60] NaN result (a NaN operand, or inf * 0)   [59] infinite result   [58] zero result
//   [57] sign (XOR of the operand signs)
//   [56:48] sum of the biased operand exponents (subnormals count as 1), 2..508
//   [47:0]  product of the significands (hidden bits included); non-zero unless [58] is set
module rsn_fp32_mul_prod (
  input  logic [31:0] a_i,
  input  logic [31:0] b_i,
  output logic [60:0] mid_o
);

  logic        a_nan, b_nan, a_inf, b_inf, a_zero, b_zero;
  logic [7:0]  exp_a, exp_b;
  logic [23:0] sig_a, sig_b;
  logic [47:0] prod;
  logic [8:0]  exp_sum;

  assign a_nan  = (a_i[30:23] == 8'hff) && (a_i[22:0] != 23'd0);
  assign b_nan  = (b_i[30:23] == 8'hff) && (b_i[22:0] != 23'd0);
  assign a_inf  = (a_i[30:23] == 8'hff) && (a_i[22:0] == 23'd0);
  assign b_inf  = (b_i[30:23] == 8'hff) && (b_i[22:0] == 23'd0);
  assign a_zero = (a_i[30:0] == 31'd0);
  assign b_zero = (b_i[30:0] == 31'd0);

  assign exp_a   = (a_i[30:23] == 8'd0) ? 8'd1 : a_i[30:23];
  assign exp_b   = (b_i[30:23] == 8'd0) ? 8'd1 : b_i[30:23];
  assign sig_a   = {a_i[30:23] != 8'd0, a_i[22:0]};
  assign sig_b   = {b_i[30:23] != 8'd0, b_i[22:0]};
  assign prod    = sig_a * sig_b;
  assign exp_sum = {1'b0, exp_a} + {1'b0, exp_b};

  assign mid_o = {
    a_nan || b_nan || (a_inf && b_zero) || (b_inf && a_zero),
    a_inf || b_inf,
    a_zero || b_zero,
    a_i[31] ^ b_i[31],
    exp_sum,
    prod
  };

endmodule
