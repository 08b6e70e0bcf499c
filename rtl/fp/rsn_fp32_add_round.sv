// Second half of binary32 addition (see rsn_fp32_add): normalise, round to nearest even, pack.
// The datapath is rsn_fp32_pkg::fp32_add_round.
module rsn_fp32_add_round (
  input  logic [39:0] mid_i,
  output logic [31:0] sum_o
);

  assign sum_o = rsn_fp32_pkg::fp32_add_round(mid_i);

endmodule
