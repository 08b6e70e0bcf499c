// Stream mux: forwards input sel_i (of N, data of input i in bits [i*Width +: Width]) to the
// output; the other inputs see ready low. Combinational. sel_i must be held stable while
// out_valid_o && !out_ready_i, like data. A sel_i >= N selects nothing (output idle).
module rsn_stream_mux #(
  parameter int unsigned Width = 32,
  parameter int unsigned N     = 2,
  localparam int unsigned SelW = (N > 1) ? $clog2(N) : 1
) (
  input  logic [SelW-1:0]    sel_i,
  input  logic [N*Width-1:0] in_data_i,
  input  logic [N-1:0]       in_valid_i,
  output logic [N-1:0]       in_ready_o,
  output logic [Width-1:0]   out_data_o,
  output logic               out_valid_o,
  input  logic               out_ready_i
);

  always_comb begin
    out_data_o  = '0;
    out_valid_o = 1'b0;
    in_ready_o  = '0;
    for (int unsigned i = 0; i < N; i++) begin
      if (sel_i == SelW'(i)) begin
        out_data_o    = in_data_i[i*Width +: Width];
        out_valid_o   = in_valid_i[i];
        in_ready_o[i] = out_ready_i;
      end
    end
  end

endmodule
