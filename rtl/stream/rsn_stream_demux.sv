// Stream demux: routes the input to output sel_i (of N); all outputs share out_data_o.
// Combinational. sel_i must be held stable while in_valid_i && !in_ready_o. A sel_i >= N routes
// nowhere: the input stalls (in_ready_o low) rather than dropping the item.
module rsn_stream_demux #(
  parameter int unsigned Width = 32,
  parameter int unsigned N     = 2,
  localparam int unsigned SelW = (N > 1) ? $clog2(N) : 1
) (
  input  logic [SelW-1:0]  sel_i,
  input  logic [Width-1:0] in_data_i,
  input  logic             in_valid_i,
  output logic             in_ready_o,
  output logic [Width-1:0] out_data_o,
  output logic [N-1:0]     out_valid_o,
  input  logic [N-1:0]     out_ready_i
);

  assign out_data_o = in_data_i;

  always_comb begin
    out_valid_o = '0;
    in_ready_o  = 1'b0;
    for (int unsigned i = 0; i < N; i++) begin
      if (sel_i == SelW'(i)) begin
        out_valid_o[i] = in_valid_i;
        in_ready_o     = out_ready_i[i];
      end
    end
  end

endmodule
