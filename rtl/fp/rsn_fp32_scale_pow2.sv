// Multiply a positive normal binary32 value by 2^n through its exponent field (the contract's
// `scale_pow2` in host/src/numerics.rs): a result exponent <= 0 flushes to +0, >= 255 saturates
// to +inf. The sign bit of y_i is kept otherwise. Integer logic only; no rounding happens.
module rsn_fp32_scale_pow2 (
  input  logic [31:0]       y_i,
  input  logic signed [9:0] n_i,
  output logic [31:0]       res_o
);

  logic signed [10:0] exp_new;

  assign exp_new = $signed({3'd0, y_i[30:23]}) + $signed({n_i[9], n_i});

  always_comb begin
    if (exp_new <= 11'sd0) begin
      res_o = 32'h0000_0000;
    end else if (exp_new >= 11'sd255) begin
      res_o = 32'h7f80_0000;
    end else begin
      res_o = {y_i[31], exp_new[7:0], y_i[22:0]};
    end
  end

endmodule
