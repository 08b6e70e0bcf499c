// IEEE-754 binary32 multiplication, round-to-nearest-even, combinational.
//
// Bit-exact with the host's f32 `*` for every non-NaN result, including subnormal inputs and
// outputs (gradual underflow), overflow to infinity and signed zeros. Any NaN result (a NaN
// operand, or inf * 0) is the canonical quiet NaN 0x7fc00000.
//
// The datapath is the two halves rsn_fp32_mul_prod (special cases, significand product, exponent
// sum) and rsn_fp32_mul_round (normalise, round, pack) back to back; rsn_fp32_mul_pipe can put a
// register between them.
module rsn_fp32_mul (
  input  logic [31:0] a_i,
  input  logic [31:0] b_i,
  output logic [31:0] prod_o
);

  logic [60:0] mid;

  rsn_fp32_mul_prod u_prod (
    .a_i,
    .b_i,
    .mid_o(mid)
  );

  rsn_fp32_mul_round u_round (
    .mid_i(mid),
    .prod_o
  );

endmodule
