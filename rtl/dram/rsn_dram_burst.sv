// Burst generator shared by the DRAM read and write channels: takes DramOp uOPs in queue order,
// runs their chunk loop (rsn_dram_chunker, host/src/isa/expand.rs `dram_chunks`) and cuts every
// chunk into AXI4 INCR bursts of 64-byte lines: at most 64 beats, never crossing a 4 KiB boundary
// of the byte address base_i + 64 * line. Each burst is checked against the bound pairs before it
// is offered; the first one outside every enabled pair is reported (err_o) and never offered.
//
// The out_* stream is internal to the DRAM units: out_valid_o does not depend on out_ready_i, but
// halt_i and flush_i withdraw it (the parent registers the burst on its AXI address channel, which
// is where the AXI hold rule applies).
module rsn_dram_burst #(
  parameter int unsigned NumPorts = 12,  // port codes PortBase .. PortBase+NumPorts-1 are served
  parameter int unsigned PortBase = 0,
  parameter bit          Store    = 1'b0,  // value of the payload's store bit this unit serves
  parameter bit          UseFence = 1'b1,  // honour the payload's fence bit (DDR reads)
  localparam int unsigned PortW   = (NumPorts > 1) ? $clog2(NumPorts) : 1
) (
  input  logic                 clk_i,
  input  logic                 rst_ni,
  input  logic                 flush_i,       // abort: drop the uOP and its chunks
  input  logic                 halt_i,        // the parent has faulted: offer nothing more
  input  logic [15:0]          uop_iter_i,
  input  logic [127:0]         uop_payload_i,
  input  logic                 uop_valid_i,
  output logic                 uop_ready_o,
  input  logic                 fence_ok_i,
  input  logic [63:0]          base_i,
  input  logic [16*64-1:0]     bound_lo_i,
  input  logic [16*64-1:0]     bound_hi_i,
  input  logic [15:0]          bound_en_i,
  output logic [63:0]          out_addr_o,    // byte address base_i + 64 * line
  output logic [6:0]           out_len_o,     // lines (beats), 1..64
  output logic [PortW-1:0]     out_port_o,    // port code - PortBase
  output logic                 out_uop_last_o,  // final burst of its uOP
  output logic                 out_valid_o,
  input  logic                 out_ready_i,
  output logic                 err_o,         // pulse (level while the cause persists)
  output logic [1:0]           err_kind_o,    // 1 bounds, 3 port/store not served
  output logic [63:0]          err_offset_o,  // window byte offset of the offending burst
  output logic                 busy_o         // a uOP's bursts are not all offered yet
);

  // ---------------------------------------------------------------------------------------------
  // Payload fields the chunk loop does not see (the chunker reads the address fields itself).
  /* verilator lint_off UNUSEDSIGNAL */
  rsn_isa_pkg::dram_op_w1_t w1;
  rsn_isa_pkg::dram_op_w2_t w2;
  rsn_isa_pkg::dram_op_w3_t w3;
  /* verilator lint_on UNUSEDSIGNAL */
  assign w1 = uop_payload_i[63:32];
  assign w2 = uop_payload_i[95:64];
  assign w3 = uop_payload_i[127:96];

  logic       served, empty_uop;
  logic [4:0] port_idx;  // port code - PortBase; bit 4 set when the code is below PortBase
  assign port_idx = {1'b0, w2.port} - 5'(PortBase);
  assign served   = (w2.store == Store) && !port_idx[4] && (32'(port_idx) < NumPorts);
  // Zero-size uOPs (check_payload rejects them) move nothing; the chunker would emit chunks of
  // zero lines, which have no burst to carry them.
  assign empty_uop = (w1.chunk_lines == 16'd0) || (w1.chunk_count == 16'd0);

  // ---------------------------------------------------------------------------------------------
  // uOP intake. One uOP at a time: the next is taken once the last burst of this one is offered.
  logic             uop_busy_q, uop_busy_d;
  logic [PortW-1:0] port_q, port_d;
  logic             fence_q, fence_d;
  logic             clr_q;  // flush_i delayed: holds the chunker in reset one cycle longer
  logic             uop_fire, uop_start;

  assign uop_ready_o = !uop_busy_q && !flush_i && !clr_q && !halt_i;
  assign uop_fire    = uop_valid_i && uop_ready_o;
  assign uop_start   = uop_fire && served && !empty_uop;

  // ---------------------------------------------------------------------------------------------
  // Chunk loop. rsn_dram_chunker has no clear input and may have up to 65535 chunks to go; an
  // abort resets it through a flip-flop-driven reset (asserted the cycle after flush_i and for at
  // least one cycle after it falls, deasserted on a clock edge) instead of draining it.
  logic        chunker_rst_n;
  logic [41:0] ch_line;
  logic [15:0] ch_lines;
  logic        ch_last, ch_valid, ch_ready, ch_in_ready;
  logic        unused_ch_in_ready;

  assign chunker_rst_n = rst_ni & ~clr_q;
  // The chunker is idle whenever no uOP is busy (its last chunk ends the uOP).
  assign unused_ch_in_ready = ch_in_ready;

  rsn_dram_chunker u_chunker (
    .clk_i       (clk_i),
    .rst_ni      (chunker_rst_n),
    .in_iter_i   (uop_iter_i),
    .in_payload_i(uop_payload_i),
    .in_valid_i  (uop_start),
    .in_ready_o  (ch_in_ready),
    .out_line_o  (ch_line),
    .out_lines_o (ch_lines),
    .out_last_o  (ch_last),
    .out_valid_o (ch_valid),
    .out_ready_i (ch_ready)
  );

  // ---------------------------------------------------------------------------------------------
  // Current chunk, cut into bursts.
  logic        chunk_v_q, chunk_v_d;
  logic [41:0] line_q, line_d;
  logic [15:0] left_q, left_d;   // lines of the chunk not yet offered
  logic        clast_q, clast_d; // the chunk is its uOP's last

  logic [63:0] off, off_end, addr;
  logic [6:0]  to_4k, len;
  logic        in_bounds, chunk_done, out_fire, can_offer;

  assign off     = {16'd0, line_q, 6'd0};
  assign addr    = base_i + off;
  // Lines up to the next 4 KiB boundary of the address: 1..64, so also the 64-beat limit.
  assign to_4k   = 7'd64 - {1'b0, addr[11:6]};
  assign len     = (left_q < 16'(to_4k)) ? left_q[6:0] : to_4k;
  assign off_end = off + {51'd0, len, 6'd0};

  always_comb begin
    in_bounds = 1'b0;
    for (int unsigned i = 0; i < 16; i++) begin
      if (bound_en_i[i] && (bound_lo_i[64*i +: 64] <= off) && (off_end <= bound_hi_i[64*i +: 64])) begin
        in_bounds = 1'b1;
      end
    end
  end

  assign can_offer   = chunk_v_q && !fence_q && !halt_i && !flush_i;
  assign out_valid_o = can_offer && in_bounds;
  assign out_fire    = out_valid_o && out_ready_i;
  assign chunk_done  = out_fire && (left_q == 16'(len));

  assign out_addr_o     = addr;
  assign out_len_o      = len;
  assign out_port_o     = port_q;
  assign out_uop_last_o = clast_q && (left_q == 16'(len));

  // The next chunk is taken once the current one is cut completely (chunker chunks always have
  // at least one line here: empty uOPs never reach it).
  assign ch_ready = !flush_i && (!chunk_v_q || chunk_done);

  always_comb begin
    err_o        = 1'b0;
    err_kind_o   = 2'd0;
    err_offset_o = '0;
    if (uop_fire && !served) begin
      err_o      = 1'b1;
      err_kind_o = 2'd3;
    end else if (can_offer && !in_bounds) begin
      err_o        = 1'b1;
      err_kind_o   = 2'd1;
      err_offset_o = off;
    end
  end

  always_comb begin
    uop_busy_d = uop_busy_q;
    port_d     = port_q;
    fence_d    = fence_q;
    chunk_v_d  = chunk_v_q;
    line_d     = line_q;
    left_d     = left_q;
    clast_d    = clast_q;
    if (flush_i) begin
      uop_busy_d = 1'b0;
      fence_d    = 1'b0;
      chunk_v_d  = 1'b0;
    end else begin
      if (uop_start) begin
        uop_busy_d = 1'b1;
        port_d     = port_idx[PortW-1:0];
        fence_d    = UseFence && w3.fence;
      end else if (fence_q && fence_ok_i) begin
        fence_d = 1'b0;
      end
      if (out_fire) begin
        line_d = line_q + 42'(len);
        left_d = left_q - 16'(len);
        if (chunk_done) begin
          chunk_v_d = 1'b0;
          if (clast_q) begin
            uop_busy_d = 1'b0;
          end
        end
      end
      if (ch_valid && ch_ready) begin
        chunk_v_d = 1'b1;
        line_d    = ch_line;
        left_d    = ch_lines;
        clast_d   = ch_last;
      end
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      uop_busy_q <= 1'b0;
      port_q     <= '0;
      fence_q    <= 1'b0;
      clr_q      <= 1'b0;
      chunk_v_q  <= 1'b0;
      line_q     <= '0;
      left_q     <= '0;
      clast_q    <= 1'b0;
    end else begin
      uop_busy_q <= uop_busy_d;
      port_q     <= port_d;
      fence_q    <= fence_d;
      clr_q      <= flush_i;
      chunk_v_q  <= chunk_v_d;
      line_q     <= line_d;
      left_q     <= left_d;
      clast_q    <= clast_d;
    end
  end

  assign busy_o = uop_busy_q;

endmodule
