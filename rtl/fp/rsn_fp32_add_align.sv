// First half of binary32 addition (see rsn_fp32_add for the numerics): special-case detection,
// ordering by magnitude, alignment with guard, round and sticky bits, and the significand add or
// subtract. The second half, rsn_fp32_add_round, normalises and rounds.
//
// mid_o layout (40 bits), the only contract between the halves:
//   [39] NaN result   [38] infinite result   [37] result sign (of the larger magnitude, which is
//   the infinity's sign when there is one)   [36] sign of an exact zero sum (-0 only for -0 + -0)
//   [35:28] biased exponent of the larger operand (1 for subnormals)
//   [27:0]  raw significand sum: hidden bit at [26], carry at [27], guard/round/sticky at [2:0]
// Three extra bits suffice: massive cancellation only happens when the exponents differ by at
// most one, where the alignment is exact; otherwise the sticky-OR'd operand keeps the sum inside
// the same rounding interval as the exact sum.
module rsn_fp32_add_align (
  input  logic [31:0] a_i,
  input  logic [31:0] b_i,
  output logic [39:0] mid_o
);

  logic        a_nan, b_nan, a_inf, b_inf;
  logic        swap;
  logic [31:0] op_big, op_small;
  logic        subtract;
  logic [7:0]  exp_big, exp_small;
  logic [23:0] sig_big, sig_small;
  logic [7:0]  exp_diff;
  logic [26:0] ext_small, aligned, sticky_mask;
  logic        align_sticky;
  logic [26:0] addend;
  logic [27:0] raw;

  assign a_nan = (a_i[30:23] == 8'hff) && (a_i[22:0] != 23'd0);
  assign b_nan = (b_i[30:23] == 8'hff) && (b_i[22:0] != 23'd0);
  assign a_inf = (a_i[30:23] == 8'hff) && (a_i[22:0] == 23'd0);
  assign b_inf = (b_i[30:23] == 8'hff) && (b_i[22:0] == 23'd0);

  // Larger magnitude first; the result takes its sign unless the sum is exactly zero.
  assign swap     = b_i[30:0] > a_i[30:0];
  assign op_big   = swap ? b_i : a_i;
  assign op_small = swap ? a_i : b_i;
  assign subtract = op_big[31] ^ op_small[31];

  // Subnormals have no hidden bit and the exponent of the smallest normal.
  assign exp_big   = (op_big[30:23] == 8'd0) ? 8'd1 : op_big[30:23];
  assign exp_small = (op_small[30:23] == 8'd0) ? 8'd1 : op_small[30:23];
  assign sig_big   = {op_big[30:23] != 8'd0, op_big[22:0]};
  assign sig_small = {op_small[30:23] != 8'd0, op_small[22:0]};
  assign exp_diff  = exp_big - exp_small;

  assign ext_small    = {sig_small, 3'b000};
  assign aligned      = ext_small >> exp_diff;
  assign sticky_mask  = ~({27{1'b1}} << exp_diff);
  assign align_sticky = |(ext_small & sticky_mask);
  assign addend       = {aligned[26:1], aligned[0] | align_sticky};

  always_comb begin
    if (subtract) begin
      raw = {1'b0, sig_big, 3'b000} - {1'b0, addend};
    end else begin
      raw = {1'b0, sig_big, 3'b000} + {1'b0, addend};
    end
  end

  assign mid_o = {
    a_nan || b_nan || (a_inf && b_inf && (a_i[31] != b_i[31])),
    a_inf || b_inf,
    op_big[31],
    a_i[31] & b_i[31],
    exp_big,
    raw
  };

endmodule
