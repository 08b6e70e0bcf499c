// Multiply a positive normal binary32 value by 2^n through its exponent field (the contract's
// `scale_pow2`; the datapath is rsn_fp32_pkg::fp32_scale_pow2).
module rsn_fp32_scale_pow2 (
  input  logic [31:0]       y_i,
  input  logic signed [9:0] n_i,
  output logic [31:0]       res_o
);

  assign res_o = rsn_fp32_pkg::fp32_scale_pow2(y_i, n_i);

endmodule
