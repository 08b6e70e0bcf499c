// Second half of binary32 addition (see rsn_fp32_add): normalise the raw sum from
// rsn_fp32_add_align (layout of mid_i documented there), clamping the left shift at the subnormal
// boundary, round to nearest even, and pack, with overflow to infinity and the special cases.
module rsn_fp32_add_round (
  input  logic [39:0] mid_i,
  output logic [31:0] sum_o
);

  localparam logic [31:0] QNaN = 32'h7fc0_0000;

  logic        is_nan, is_inf, sign, zero_sign;
  logic [7:0]  exp_big;
  logic [27:0] raw;
  logic [4:0]  lzc;
  logic [4:0]  shift_left;
  logic [8:0]  exp_norm;     // biased exponent of the normalised significand
  logic [26:0] norm;         // hidden bit at [26], then 23 fraction bits, guard, round, sticky
  logic        round_up;
  logic [24:0] rounded;
  logic [8:0]  exp_final;
  logic [22:0] frac_final;

  assign {is_nan, is_inf, sign, zero_sign, exp_big, raw} = mid_i;

  // Leading zeros of raw[26:0] (27 when zero).
  always_comb begin
    lzc = 5'd27;
    for (int i = 0; i < 27; i++) begin
      if (raw[i]) begin
        lzc = 5'(26 - i);
      end
    end
  end

  always_comb begin
    if (raw[27]) begin
      // Carry out: shift right by one, folding the lost bit into sticky.
      norm       = {raw[27:2], raw[1] | raw[0]};
      exp_norm   = {1'b0, exp_big} + 9'd1;
      shift_left = 5'd0;
    end else begin
      // Normalise left, but never below the smallest normal exponent (that is a subnormal).
      if ({3'd0, lzc} < exp_big) begin
        shift_left = lzc;
      end else begin
        shift_left = 5'(exp_big - 8'd1);
      end
      norm     = raw[26:0] << shift_left;
      exp_norm = {1'b0, exp_big} - {4'd0, shift_left};
    end
  end

  assign round_up = norm[2] & (norm[1] | norm[0] | norm[3]);
  assign rounded  = {1'b0, norm[26:3]} + {24'd0, round_up};

  always_comb begin
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
  end

  always_comb begin
    if (is_nan) begin
      sum_o = QNaN;
    end else if (is_inf) begin
      sum_o = {sign, 8'hff, 23'd0};
    end else if (raw == 28'd0) begin
      // Exact zero: -0 only when both operands are -0 (round-to-nearest-even rule).
      sum_o = {zero_sign, 31'd0};
    end else if (exp_final >= 9'd255) begin
      sum_o = {sign, 8'hff, 23'd0};
    end else begin
      sum_o = {sign, exp_final[7:0], frac_final};
    end
  end

endmodule
