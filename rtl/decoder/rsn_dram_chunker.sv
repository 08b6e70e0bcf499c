// DRAM chunk loop of one DramOp execution (host/src/isa/expand.rs `dram_chunks`): for c in
// 0..chunk_count, chunk c starts at line start + iter*iter_offset + c*chunk_stride and spans
// chunk_lines lines. Rust computes in u64; the largest line is below 2^32 + 2^41, so 42 bits hold
// every address exactly. The multiply happens once per mOP; chunks then step by chunk_stride.
module rsn_dram_chunker (
  input  logic          clk_i,
  input  logic          rst_ni,
  input  logic [15:0]   in_iter_i,
  input  logic [127:0]  in_payload_i,  // DramOp words 0..3, word w in bits [32*w +: 32]
  input  logic          in_valid_i,
  output logic          in_ready_o,
  output logic [41:0]   out_line_o,
  output logic [15:0]   out_lines_o,
  output logic          out_last_o,    // final chunk of the mOP
  output logic          out_valid_o,
  input  logic          out_ready_i
);

  logic [31:0] p_start;
  logic [15:0] p_lines, p_count;
  logic [23:0] p_iter_offset, p_stride;
  logic        busy_q, busy_d;
  logic [41:0] line_q, line_d;
  logic [23:0] stride_q, stride_d;
  logic [15:0] lines_q, lines_d;
  logic [15:0] left_q, left_d;  // chunks still to emit, including the current one
  logic        in_fire, out_fire;
  // port, store and fence steer the DDR unit, not the chunk loop.
  logic        unused_payload;

  assign unused_payload = ^{in_payload_i[127:120], in_payload_i[95:88]};

  assign p_start       = in_payload_i[31:0];
  assign p_lines       = in_payload_i[47:32];
  assign p_count       = in_payload_i[63:48];
  assign p_iter_offset = in_payload_i[87:64];
  assign p_stride      = in_payload_i[119:96];

  assign in_ready_o  = !busy_q;
  assign in_fire     = in_valid_i && !busy_q;
  assign out_valid_o = busy_q;
  assign out_fire    = busy_q && out_ready_i;
  assign out_line_o  = line_q;
  assign out_lines_o = lines_q;
  assign out_last_o  = left_q == 16'd1;

  always_comb begin
    busy_d   = busy_q;
    line_d   = line_q;
    stride_d = stride_q;
    lines_d  = lines_q;
    left_d   = left_q;
    if (in_fire) begin
      line_d   = 42'(p_start) + 42'(in_iter_i) * 42'(p_iter_offset);
      stride_d = p_stride;
      lines_d  = p_lines;
      left_d   = p_count;
      busy_d   = p_count != 16'd0;
    end else if (out_fire) begin
      line_d = line_q + 42'(stride_q);
      left_d = left_q - 16'd1;
      busy_d = left_q != 16'd1;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      busy_q   <= 1'b0;
      line_q   <= '0;
      stride_q <= '0;
      lines_q  <= '0;
      left_q   <= '0;
    end else begin
      busy_q   <= busy_d;
      line_q   <= line_d;
      stride_q <= stride_d;
      lines_q  <= lines_d;
      left_q   <= left_d;
    end
  end

endmodule
