// Packet bookkeeping for the DRAM queues, read off the instruction word stream as it enters the
// decoder. The decoder dispatches packets in program order, so the n-th packet a DRAM queue receives
// is the n-th packet this module lists for that queue. Per packet it records where the packet sits in
// the program (for fault reports and CUR_MOP) and, for DDR loads, how many DDR store executions
// earlier packets issued: a fenced load waits until that many have completed (the model's
// `stores_before`). Counting from the program instead of from the dispatch handshakes avoids
// attributing a packet's own stores to its loads when both share one DDR packet.
module rsn_pkt_track #(
  parameter int unsigned Depth = 128  // packets listed per queue (>= what the queues can hold)
) (
  input  logic        clk_i,
  input  logic        rst_ni,
  input  logic        clear_i,        // a new program starts
  // The word stream between the instruction fetch and the decoder (observed, never altered).
  input  logic [31:0] word_i,
  input  logic        fire_i,
  output logic        stall_o,        // a list is nearly full: hold the word stream
  // Per DRAM queue (0 DDR read, 1 DDR write, 2 LPDDR): head of the list, popped when the queue's
  // expander emits the packet's final execution.
  output logic [3*128-1:0] info_o,     // {stores_before, packet, mop_base, word} x 32 bits each
  output logic [2:0]       info_valid_o,
  input  logic [2:0]       pop_i
);
  localparam int unsigned AddrW = $clog2(Depth);

  typedef enum logic [1:0] { StStreamHdr, StPktHdr, StPayload } state_e;

  state_e      state_q, state_d;
  logic [31:0] word_idx_q, hdr_word_q;
  logic [31:0] packet_q, mop_base_q, stores_q;
  logic [3:0]  opcode_q;
  logic [15:0] repeat_q;
  logic [4:0]  window_q;
  logic [7:0]  left_q;              // payload words still to come
  logic [1:0]  sub_q;               // word within the current DramOp
  logic [5:0]  loads_q, stores_in_pkt_q;


  // The packet ends with its last payload word (or with its header when it has none).
  logic       pkt_end;
  logic [7:0] hdr_payload;
  logic       is_store_word;
  logic [5:0] loads_now, stores_now;
  assign hdr_payload   = 8'(rsn_isa_pkg::payload_words(word_i[3:0])) * 8'(word_i[15:11]);
  assign is_store_word = (opcode_q == 4'd1) && (sub_q == 2'd2) && word_i[28];
  assign loads_now     = loads_q + 6'((opcode_q == 4'd1 && sub_q == 2'd2 && !word_i[28]) ? 1 : 0);
  assign stores_now    = stores_in_pkt_q + 6'(is_store_word ? 1 : 0);
  always_comb begin
    pkt_end = 1'b0;
    if (fire_i) begin
      if (state_q == StPktHdr) pkt_end = (hdr_payload == 8'd0);
      if (state_q == StPayload) pkt_end = (left_q == 8'd1);
    end
  end

  // What the ending packet puts on each list.
  logic [2:0]   push;
  logic [127:0] push_info;
  logic [3:0]   end_op;
  logic [5:0]   end_loads, end_stores;
  assign end_op     = (state_q == StPktHdr) ? word_i[3:0] : opcode_q;
  assign end_loads  = (state_q == StPktHdr) ? 6'd0 : loads_now;
  assign end_stores = (state_q == StPktHdr) ? 6'd0 : stores_now;
  assign push       = !pkt_end ? 3'b000 :
                      {end_op == 4'd2, end_op == 4'd1 && end_stores != 6'd0, end_op == 4'd1 && end_loads != 6'd0};
  assign push_info  = {stores_q, packet_q, mop_base_q, (state_q == StPktHdr) ? word_idx_q : hdr_word_q};

  always_comb begin
    state_d = state_q;
    unique case (state_q)
      StStreamHdr: if (fire_i && word_idx_q == 32'd3) state_d = StPktHdr;
      StPktHdr:    if (fire_i && hdr_payload != 8'd0) state_d = StPayload;
      StPayload:   if (fire_i && left_q == 8'd1) state_d = StPktHdr;
      default:     state_d = StStreamHdr;
    endcase
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q         <= StStreamHdr;
      word_idx_q      <= '0;
      hdr_word_q      <= '0;
      packet_q        <= '0;
      mop_base_q      <= '0;
      stores_q        <= '0;
      opcode_q        <= '0;
      repeat_q        <= '0;
      window_q        <= '0;
      left_q          <= '0;
      sub_q           <= '0;
      loads_q         <= '0;
      stores_in_pkt_q <= '0;
    end else if (clear_i) begin
      state_q         <= StStreamHdr;
      word_idx_q      <= '0;
      packet_q        <= '0;
      mop_base_q      <= '0;
      stores_q        <= '0;
    end else if (fire_i) begin
      state_q    <= state_d;
      word_idx_q <= word_idx_q + 32'd1;
      if (state_q == StPktHdr) begin
        opcode_q        <= word_i[3:0];
        window_q        <= word_i[15:11];
        repeat_q        <= word_i[31:16];
        hdr_word_q      <= word_idx_q;
        left_q          <= hdr_payload;
        sub_q           <= '0;
        loads_q         <= '0;
        stores_in_pkt_q <= '0;
      end else if (state_q == StPayload) begin
        left_q          <= left_q - 8'd1;
        sub_q           <= sub_q + 2'd1;
        loads_q         <= loads_now;
        stores_in_pkt_q <= stores_now;
      end
      if (pkt_end) begin
        packet_q   <= packet_q + 32'd1;
        mop_base_q <= mop_base_q + ((state_q == StPktHdr) ? 32'(word_i[15:11]) : 32'(window_q));
        stores_q   <= stores_q + 32'(end_stores) * ((state_q == StPktHdr) ? 32'(word_i[31:16]) : 32'(repeat_q));
      end
    end
  end

  // One list per DRAM queue.
  logic [2:0] almost_full;
  for (genvar q = 0; q < 3; q++) begin : gen_list
    logic [AddrW:0] usage;
    logic           in_ready;
    rsn_stream_fifo #(.Width(128), .Depth(Depth)) u_list (
      .clk_i,
      .rst_ni      (rst_ni && !clear_i),
      .in_data_i   (push_info),
      .in_valid_i  (push[q]),
      .in_ready_o  (in_ready),
      .out_data_o  (info_o[128*q +: 128]),
      .out_valid_o (info_valid_o[q]),
      .out_ready_i (pop_i[q]),
      .usage_o     (usage)
    );
    // A push never meets a full list: the word stream stops two entries early.
    assign almost_full[q] = !in_ready || (usage >= (AddrW + 1)'(Depth - 2));
  end
  assign stall_o = |almost_full;

  /* verilator lint_off UNUSEDSIGNAL */
  logic unused_hdr;
  assign unused_hdr = ^word_i[10:4];  // mask and last: the decoder checks them, routing needs only the opcode
  /* verilator lint_on UNUSEDSIGNAL */

endmodule
