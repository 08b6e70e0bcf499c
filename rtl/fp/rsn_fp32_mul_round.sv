// Second half of binary32 multiplication (see rsn_fp32_mul): normalise the significand product
// from rsn_fp32_mul_prod (layout of mid_i documented there) with a leading-zero count, which also
// normalises subnormal operands; shift right again when the exponent falls below the normal range
// (gradual underflow, collecting sticky); round to nearest even; pack with overflow to infinity.
module rsn_fp32_mul_round (
  input  logic [60:0] mid_i,
  output logic [31:0] prod_o
);

  localparam logic [31:0] QNaN = 32'h7fc0_0000;

  logic               is_nan, is_inf, is_zero, sign;
  logic [8:0]         exp_sum;
  logic [47:0]        prod;
  logic [5:0]         lzc;
  logic [47:0]        prod_norm;      // leading one at [47]
  logic signed [10:0] exp_norm;       // biased exponent of prod_norm, may be <= 0
  logic [5:0]         shift_right;    // extra right shift into the subnormal range
  logic [8:0]         exp_adj;
  logic [47:0]        denorm;
  logic               under_sticky;
  logic               sticky, round_up;
  logic [24:0]        rounded;
  logic [8:0]         exp_final;
  logic [22:0]        frac_final;

  assign {is_nan, is_inf, is_zero, sign, exp_sum, prod} = mid_i;

  always_comb begin
    lzc = 6'd48;
    for (int i = 0; i < 48; i++) begin
      if (prod[i]) begin
        lzc = 6'(47 - i);
      end
    end
  end

  // For 1.0 * 1.0 the product is 2^46 (lzc 1) and the exponent must come out as 127.
  assign prod_norm = prod << lzc;
  assign exp_norm  = $signed({2'd0, exp_sum}) - 11'sd126 - $signed({5'd0, lzc});

  always_comb begin
    if (exp_norm >= 11'sd1) begin
      shift_right = 6'd0;
      exp_adj     = exp_norm[8:0];
    end else begin
      // Below the normal range; beyond 48 every bit is sticky anyway.
      shift_right = (exp_norm < -11'sd47) ? 6'd48 : 6'(11'sd1 - exp_norm);
      exp_adj     = 9'd1;
    end
  end

  assign denorm       = prod_norm >> shift_right;
  assign under_sticky = |(prod_norm & ~({48{1'b1}} << shift_right));
  assign sticky       = (|denorm[22:0]) | under_sticky;
  assign round_up     = denorm[23] & (sticky | denorm[24]);
  assign rounded      = {1'b0, denorm[47:24]} + {24'd0, round_up};

  always_comb begin
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
  end

  always_comb begin
    if (is_nan) begin
      prod_o = QNaN;
    end else if (is_inf) begin
      prod_o = {sign, 8'hff, 23'd0};
    end else if (is_zero) begin
      prod_o = {sign, 31'd0};
    end else if (exp_norm > 11'sd254 || exp_final >= 9'd255) begin
      prod_o = {sign, 8'hff, 23'd0};
    end else begin
      prod_o = {sign, exp_final[7:0], frac_final};
    end
  end

endmodule
