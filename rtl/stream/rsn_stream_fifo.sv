// Stream FIFO of Depth entries (a power of two, at least 2).
//
// in_ready_o is !full and does not depend on out_ready_i. With FallThrough = 1 an item offered to
// an empty FIFO appears on the output in the same cycle (out_valid_o then follows in_valid_i
// combinationally; it still never depends on ready); with FallThrough = 0 every item spends at
// least one cycle inside. usage_o is the number of items stored.
module rsn_stream_fifo #(
  parameter int unsigned Width       = 32,
  parameter int unsigned Depth       = 4,
  parameter bit          FallThrough = 1'b0,
  localparam int unsigned AddrW      = $clog2(Depth)
) (
  input  logic             clk_i,
  input  logic             rst_ni,
  input  logic [Width-1:0] in_data_i,
  input  logic             in_valid_i,
  output logic             in_ready_o,
  output logic [Width-1:0] out_data_o,
  output logic             out_valid_o,
  input  logic             out_ready_i,
  output logic [AddrW:0]   usage_o
);

  if (Depth < 2 || (Depth & (Depth - 1)) != 0) begin : gen_depth_check
    $error("rsn_stream_fifo: Depth must be a power of two >= 2");
  end

  logic [Width-1:0] mem_q [Depth];
  logic [AddrW:0]   wr_ptr_q, rd_ptr_q;
  logic             empty, full, bypass, push, pop;

  assign usage_o    = wr_ptr_q - rd_ptr_q;
  assign empty      = (usage_o == '0);
  assign full       = (usage_o == (AddrW + 1)'(Depth));
  assign in_ready_o = !full;

  assign bypass      = FallThrough && empty;
  assign out_valid_o = !empty || (bypass && in_valid_i);
  assign out_data_o  = bypass ? in_data_i : mem_q[rd_ptr_q[AddrW-1:0]];

  // A bypassed item that leaves in the same cycle is never stored.
  assign push = in_valid_i && !full && !(bypass && out_ready_i);
  assign pop  = out_ready_i && !empty;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      wr_ptr_q <= '0;
      rd_ptr_q <= '0;
    end else begin
      if (push) begin
        wr_ptr_q <= wr_ptr_q + 1'b1;
      end
      if (pop) begin
        rd_ptr_q <= rd_ptr_q + 1'b1;
      end
    end
  end

  always_ff @(posedge clk_i) begin
    if (push) begin
      mem_q[wr_ptr_q[AddrW-1:0]] <= in_data_i;
    end
  end

endmodule
