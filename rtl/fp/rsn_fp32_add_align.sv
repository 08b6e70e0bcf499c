// First half of binary32 addition (see rsn_fp32_add for the numerics and rsn_fp32_pkg for the
// layout of mid_o, the only contract between the halves).
module rsn_fp32_add_align (
  input  logic [31:0] a_i,
  input  logic [31:0] b_i,
  output logic [39:0] mid_o
);

  assign mid_o = rsn_fp32_pkg::fp32_add_align(a_i, b_i);

endmodule
