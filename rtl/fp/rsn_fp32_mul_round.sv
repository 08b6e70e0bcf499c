// Second half of binary32 multiplication (see rsn_fp32_mul): normalise, gradual underflow, round
// to nearest even, pack. The datapath is rsn_fp32_pkg::fp32_mul_round.
module rsn_fp32_mul_round (
  input  logic [60:0] mid_i,
  output logic [31:0] prod_o
);

  assign prod_o = rsn_fp32_pkg::fp32_mul_round(mid_i);

endmodule
