// Stream join: N inputs to one output carrying all N items side by side (input i in bits
// [i*Width +: Width]). A transfer consumes one item from every input at once. Combinational.
module rsn_stream_join #(
  parameter int unsigned Width = 32,
  parameter int unsigned N     = 2
) (
  input  logic [N*Width-1:0] in_data_i,
  input  logic [N-1:0]       in_valid_i,
  output logic [N-1:0]       in_ready_o,
  output logic [N*Width-1:0] out_data_o,
  output logic               out_valid_o,
  input  logic               out_ready_i
);

  assign out_data_o  = in_data_i;
  assign out_valid_o = &in_valid_i;
  // Ready depends on the other inputs' valid (allowed), never the other way round.
  assign in_ready_o  = {N{out_valid_o && out_ready_i}};

endmodule
