// The whole address range of one DRAM mOP against the buffer bounds, for the decoder: every chunk
// of every window iteration must lie inside one enabled bound pair of the unit's memory, as the
// host validator requires (host/src/validate.rs `check_dram_range`). Offsets are unsigned, so the
// range runs from line `start` (chunk 0 of iteration 0) to the end of chunk count-1 of iteration
// repeat-1: start + (repeat-1)*iter_offset + (count-1)*stride + lines, below 2^42 lines.
//
// Checking in the decoder puts a bounds fault in stream order, before any later packet is read,
// on the board as on the model; the DRAM units' per-burst check stays behind it. The check is
// pipelined (a register after the multiplies, the adds and the compares) so that no stage holds
// more than one carry chain or multiply: `done_o` rises Latency cycles after `start_i`, and the
// decoder holds the payload's last word until then (a few cycles per DRAM mOP).
module rsn_dram_extent #(
  parameter int unsigned NumBounds = 16
) (
  input  logic                    clk_i,
  input  logic                    rst_ni,
  input  logic                    start_i,
  input  logic                    lpddr_i,      // the LPDDR unit's mOP (else DDR)
  input  logic [15:0]             repeat_i,     // the packet's repeat, >= 1
  input  logic [127:0]            payload_i,    // DramOp words 0..3, word w in bits [32*w +: 32]
  input  logic [NumBounds*64-1:0] bound_lo_i,   // byte offsets in the unit's window
  input  logic [NumBounds*64-1:0] bound_hi_i,   // exclusive
  input  logic [NumBounds-1:0]    bound_en_ddr_i,
  input  logic [NumBounds-1:0]    bound_en_lpddr_i,
  output logic                    done_o,       // one cycle; error_o and first_line_o valid with it
  output logic                    error_o,
  output logic [31:0]             first_line_o
);

  // port, store and fence steer the unit, not its range.
  logic unused_payload;
  assign unused_payload = ^{payload_i[127:120], payload_i[95:88]};

  // Stage 0: the fields, with the counts less one (the header and field checks made them >= 1).
  logic        v0_q, lp0_q;
  logic [31:0] start0_q;
  logic [15:0] lines0_q, rep0_q, cnt0_q;
  logic [23:0] off0_q, stride0_q;
  // Stage 1: the two products and start + lines.
  logic        v1_q, lp1_q;
  logic [31:0] start1_q;
  logic [39:0] p_iter1_q, p_chunk1_q;
  logic [32:0] a1_q;
  // Stage 2: the products' sum.
  logic        v2_q, lp2_q;
  logic [31:0] start2_q;
  logic [40:0] b2_q;
  logic [32:0] a2_q;
  // Stage 3: the range in lines.
  logic        v3_q, lp3_q;
  logic [31:0] start3_q;
  logic [41:0] end3_q;
  // Stage 4: per bound pair, whether it holds the range.
  logic                 v4_q;
  logic [31:0]          start4_q;
  logic [NumBounds-1:0] hold4_q;

  logic [NumBounds-1:0] en3, hold3;
  logic [63:0]          first_b, end_b;

  assign en3     = lp3_q ? bound_en_lpddr_i : bound_en_ddr_i;
  assign first_b = {26'd0, start3_q, 6'd0};
  assign end_b   = {16'd0, end3_q, 6'd0};
  always_comb begin
    for (int unsigned i = 0; i < NumBounds; i++) begin
      hold3[i] = en3[i] && (bound_lo_i[64*i +: 64] <= first_b) && (end_b <= bound_hi_i[64*i +: 64]);
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      v0_q <= 1'b0;
      v1_q <= 1'b0;
      v2_q <= 1'b0;
      v3_q <= 1'b0;
      v4_q <= 1'b0;
    end else begin
      v0_q <= start_i;
      v1_q <= v0_q;
      v2_q <= v1_q;
      v3_q <= v2_q;
      v4_q <= v3_q;
    end
  end

  // The data registers need no reset: each stage is read only with its valid bit.
  always_ff @(posedge clk_i) begin
    lp0_q     <= lpddr_i;
    start0_q  <= payload_i[31:0];
    lines0_q  <= payload_i[47:32];
    cnt0_q    <= payload_i[63:48] - 16'd1;
    off0_q    <= payload_i[87:64];
    stride0_q <= payload_i[119:96];
    rep0_q    <= repeat_i - 16'd1;

    lp1_q      <= lp0_q;
    start1_q   <= start0_q;
    p_iter1_q  <= 40'(rep0_q) * 40'(off0_q);
    p_chunk1_q <= 40'(cnt0_q) * 40'(stride0_q);
    a1_q       <= 33'(start0_q) + 33'(lines0_q);

    lp2_q    <= lp1_q;
    start2_q <= start1_q;
    b2_q     <= 41'(p_iter1_q) + 41'(p_chunk1_q);
    a2_q     <= a1_q;

    lp3_q    <= lp2_q;
    start3_q <= start2_q;
    end3_q   <= 42'(a2_q) + 42'(b2_q);

    start4_q <= start3_q;
    hold4_q  <= hold3;
  end

  assign done_o       = v4_q;
  assign error_o      = hold4_q == '0;
  assign first_line_o = start4_q;

endmodule
