// Verification harness (and wiring example): the decoder with its DDR read queue also feeding one
// rsn_mop_expander (DramOp, 4 words) and an rsn_dram_chunker behind it. The DDR read stream is
// forked, so the queue output, the uOPs and the chunks are all observable and all back-pressure
// the decoder.
module rsn_decoder_harness (
  input  logic             clk_i,
  input  logic             rst_ni,
  input  logic [31:0]      in_data_i,
  input  logic             in_last_i,
  input  logic             in_valid_i,
  output logic             in_ready_o,
  output logic [17*32-1:0] out_data_o,
  output logic [16:0]      out_last_o,
  output logic [16:0]      out_valid_o,
  input  logic [16:0]      out_ready_i,
  input  logic             fus_idle_i,
  output logic             busy_o,
  output logic             done_o,
  output logic             error_o,
  output logic [3:0]       error_code_o,
  output logic [31:0]      error_word_o,
  // Executions of the DDR read queue's packets.
  output logic [15:0]      uop_iter_o,
  output logic [4:0]       uop_idx_o,
  output logic [127:0]     uop_payload_o,
  output logic             uop_last_o,
  output logic             uop_valid_o,
  input  logic             uop_ready_i,
  // Chunks of those executions.
  output logic [41:0]      chunk_line_o,
  output logic [15:0]      chunk_lines_o,
  output logic             chunk_last_o,
  output logic             chunk_valid_o,
  input  logic             chunk_ready_i
);

  localparam int unsigned UopW = 16 + 5 + 128 + 1;

  logic [17*32-1:0] dec_data;
  logic [16:0]      dec_last, dec_valid, dec_ready;
  logic [32:0]      rd_data;
  logic [1:0]       rd_valid, rd_ready;
  logic [15:0]      x_iter;
  logic [4:0]       x_idx;
  logic [127:0]     x_payload;
  logic             x_last, x_valid, x_ready;
  logic [UopW-1:0]  u_data;
  logic [1:0]       u_valid, u_ready;
  logic [15:0]      c_iter;
  logic [4:0]       c_idx;
  logic [127:0]     c_payload;
  logic             c_last;
  logic             unused_uop;
  logic [31:0]      unused_err_line;

  rsn_decoder u_decoder (
    .clk_i,
    .rst_ni,
    .in_data_i,
    .in_last_i,
    .in_valid_i,
    .in_ready_o,
    .out_data_o  (dec_data),
    .out_last_o  (dec_last),
    .out_valid_o (dec_valid),
    .out_ready_i (dec_ready),
    .fus_idle_i,
    // One pair holding every window offset: the decoder vectors are about the stream's structure
    // and fields; range faults are tested on the whole device (tests/tests/faults.rs, parity.rs).
    .bound_lo_i       ('0),
    .bound_hi_i       ({{15{64'd0}}, 64'hffff_ffff_ffff_ffff}),
    .bound_en_ddr_i   (16'd1),
    .bound_en_lpddr_i (16'd1),
    .busy_o,
    .done_o,
    .error_o,
    .error_code_o,
    .error_word_o,
    .error_line_o     (unused_err_line)
  );

  assign out_data_o  = dec_data;
  assign out_last_o  = dec_last;
  assign out_valid_o = {dec_valid[16:1], rd_valid[0]};
  assign dec_ready[16:1] = out_ready_i[16:1];

  rsn_stream_fork #(
    .Width(33),
    .N    (2)
  ) u_rd_fork (
    .clk_i,
    .rst_ni,
    .in_data_i  ({dec_last[0], dec_data[31:0]}),
    .in_valid_i (dec_valid[0]),
    .in_ready_o (dec_ready[0]),
    .out_data_o (rd_data),
    .out_valid_o(rd_valid),
    .out_ready_i(rd_ready)
  );
  assign rd_ready[0] = out_ready_i[0];

  rsn_mop_expander #(
    .PayloadWords(4)
  ) u_expander (
    .clk_i,
    .rst_ni,
    .in_data_i    (rd_data[31:0]),
    .in_last_i    (rd_data[32]),
    .in_valid_i   (rd_valid[1]),
    .in_ready_o   (rd_ready[1]),
    .out_iter_o   (x_iter),
    .out_idx_o    (x_idx),
    .out_payload_o(x_payload),
    .out_last_o   (x_last),
    .out_valid_o  (x_valid),
    .out_ready_i  (x_ready)
  );

  rsn_stream_fork #(
    .Width(UopW),
    .N    (2)
  ) u_uop_fork (
    .clk_i,
    .rst_ni,
    .in_data_i  ({x_last, x_payload, x_idx, x_iter}),
    .in_valid_i (x_valid),
    .in_ready_o (x_ready),
    .out_data_o (u_data),
    .out_valid_o(u_valid),
    .out_ready_i(u_ready)
  );
  assign {uop_last_o, uop_payload_o, uop_idx_o, uop_iter_o} = u_data;
  assign uop_valid_o = u_valid[0];
  assign u_ready[0]  = uop_ready_i;
  assign {c_last, c_payload, c_idx, c_iter} = u_data;
  assign unused_uop = ^{c_last, c_idx};

  rsn_dram_chunker u_chunker (
    .clk_i,
    .rst_ni,
    .in_iter_i   (c_iter),
    .in_payload_i(c_payload),
    .in_valid_i  (u_valid[1]),
    .in_ready_o  (u_ready[1]),
    .out_line_o  (chunk_line_o),
    .out_lines_o (chunk_lines_o),
    .out_last_o  (chunk_last_o),
    .out_valid_o (chunk_valid_o),
    .out_ready_i (chunk_ready_i)
  );

endmodule
