// Stream fork: one input to N outputs, each output handshaking on its own. Every output sees the
// input item exactly once; the input is released when the last output has taken it. All outputs
// share out_data_o (a copy of in_data_i).
module rsn_stream_fork #(
  parameter int unsigned Width = 32,
  parameter int unsigned N     = 2
) (
  input  logic             clk_i,
  input  logic             rst_ni,
  input  logic [Width-1:0] in_data_i,
  input  logic             in_valid_i,
  output logic             in_ready_o,
  output logic [Width-1:0] out_data_o,
  output logic [N-1:0]     out_valid_o,
  input  logic [N-1:0]     out_ready_i
);

  // Outputs that already took the current input item.
  logic [N-1:0] done_q, done_d;

  assign out_data_o  = in_data_i;
  assign out_valid_o = {N{in_valid_i}} & ~done_q;
  assign in_ready_o  = &(done_q | out_ready_i);

  always_comb begin
    if (in_valid_i && in_ready_o) begin
      done_d = '0;
    end else begin
      done_d = done_q | (out_valid_o & out_ready_i);
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      done_q <= '0;
    end else begin
      done_q <= done_d;
    end
  end

endmodule
