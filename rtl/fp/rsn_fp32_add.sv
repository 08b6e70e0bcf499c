// IEEE-754 binary32 addition, round-to-nearest-even, combinational.
//
// Bit-exact with the host's f32 `+` for every non-NaN result, including subnormal inputs and
// outputs (gradual underflow), overflow to infinity and signed zeros (x + (-x) = +0). Any NaN
// result is the canonical quiet NaN 0x7fc00000 (the host may return another payload).
//
// The datapath is the two halves rsn_fp32_add_align (order, align, add) and rsn_fp32_add_round
// (normalise, round, pack) back to back; rsn_fp32_add_pipe can put a register between them.
module rsn_fp32_add (
  input  logic [31:0] a_i,
  input  logic [31:0] b_i,
  output logic [31:0] sum_o
);

  logic [39:0] mid;

  rsn_fp32_add_align u_align (
    .a_i,
    .b_i,
    .mid_o(mid)
  );

  rsn_fp32_add_round u_round (
    .mid_i(mid),
    .sum_o
  );

endmodule
