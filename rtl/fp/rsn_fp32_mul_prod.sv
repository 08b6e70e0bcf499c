// First half of binary32 multiplication (see rsn_fp32_mul for the numerics and rsn_fp32_pkg for
// the layout of mid_o). A register placed right after this half sits directly behind the
// multiplier, where FPGA tools can absorb it into the DSP blocks.
module rsn_fp32_mul_prod (
  input  logic [31:0] a_i,
  input  logic [31:0] b_i,
  output logic [60:0] mid_o
);

  assign mid_o = rsn_fp32_pkg::fp32_mul_prod(a_i, b_i);

endmodule
