// MemC memory FU (MemC0-5): two 256 x 512 accumulator banks and the LayerNorm parameter memory.
// Per uOP (iter, memc_op payload) the fill side (rsn_memc_fill: load, then product receive) works on
// the fill bank while the drain side (rsn_memc_drain: in-place post-op through rsn_memc_post, then
// store or MeshA drain) works on the drain bank; the uOP ends when both have ended. Semantics:
// host/src/model/memc.rs, with the post-op written back into the drain bank
// before the drain (the ISA's in-place post-op).
//
// Each bank has one read and one write port; a bank's ports belong to the fill side while it
// fills that bank, to the drain side otherwise (check_payload keeps the two banks apart when both
// run).
module rsn_memc #(
  parameter int unsigned Inst          = 0,  // 0..5; MemC0-3 have the MeshA drain (and softmax)
  // rsn_memc_post's exp / GELU units per lane (area vs. post-op rate; testbenches use fewer to
  // keep Verilator builds short).
  parameter int unsigned PostExpUnits  = 4,
  parameter int unsigned PostGeluUnits = 4,
  parameter bit          HasPostOps    = 1'b1  // 0: no post-op unit (rtl/top: PostOps)
) (
  input  logic          clk_i,
  input  logic          rst_ni,
  input  logic          abort_i,
  // uOPs (rsn_mop_expander, PayloadWords = 4).
  /* verilator lint_off UNUSEDSIGNAL */  // only the iteration's parity matters (toggle)
  input  logic [15:0]   uop_iter_i,
  /* verilator lint_on UNUSEDSIGNAL */
  input  logic [127:0]  uop_payload_i,
  input  logic          uop_valid_i,
  output logic          uop_ready_o,
  // Line stream from the DDR unit.
  input  logic [511:0]  ld_data_i,
  input  logic          ld_valid_i,
  output logic          ld_ready_o,
  // Block stream: engine products.
  input  logic [1023:0] prod_data_i,
  /* verilator lint_off UNUSEDSIGNAL */  // block boundaries follow from the uOP's counts
  input  logic          prod_last_i,
  /* verilator lint_on UNUSEDSIGNAL */
  input  logic          prod_valid_i,
  output logic          prod_ready_o,
  // Line stream to the DDR unit.
  output logic [511:0]  st_data_o,
  output logic          st_valid_o,
  input  logic          st_ready_i,
  // Block stream to MeshA (MemC0-3).
  output logic [1023:0] mesh_data_o,
  output logic          mesh_last_o,
  output logic          mesh_valid_o,
  input  logic          mesh_ready_i,
  // LayerNorm pair partner.
  output logic [31:0]   pair_data_o,
  output logic          pair_valid_o,
  input  logic          pair_ready_i,
  input  logic [31:0]   pair_data_i,
  input  logic          pair_valid_i,
  output logic          pair_ready_o,
  // Status.
  output logic          busy_o,
  output logic          wait_in_o,
  output logic          wait_out_o
);

  localparam bit HasMesh = Inst < rsn_isa_pkg::MemCWithMesh;

  // ---------------------------------------------------------------------------------------------
  // Payload decode.
  /* verilator lint_off UNUSEDSIGNAL */  // reserved bits
  rsn_isa_pkg::memc_op_w0_t w0;
  rsn_isa_pkg::memc_op_w1_t w1;
  rsn_isa_pkg::memc_op_w2_t w2;
  rsn_isa_pkg::memc_op_w3_t w3;
  /* verilator lint_on UNUSEDSIGNAL */
  assign w0 = uop_payload_i[31:0];
  assign w1 = uop_payload_i[63:32];
  assign w2 = uop_payload_i[95:64];
  assign w3 = uop_payload_i[127:96];

  logic flip, p_fb, p_db, p_fill, p_drain, p_mesh, p_post, p_clear;
  assign flip    = w0.toggle & uop_iter_i[0];
  assign p_fb    = w0.fill_bank ^ flip;
  assign p_db    = w0.drain_bank ^ flip;
  assign p_fill  = (w0.load_mode >= 3'd1 && w0.load_mode <= 3'd4) || w0.recv_en;
  assign p_mesh  = w0.drain == 2'd2;
  assign p_drain = w0.drain == 2'd1 || (p_mesh && HasMesh);
  assign p_post  = p_drain && w0.post_op >= 3'd1 && w0.post_op <= 3'd3;
  // Tile and Broadcast loads start from a zero bank (memc.rs `apply_load`).
  assign p_clear = w0.load_mode == 3'd1 || w0.load_mode == 3'd2;

  logic fill_busy, drain_busy, idle, fire;
  assign idle        = !fill_busy && !drain_busy;
  assign uop_ready_o = idle;
  assign fire        = uop_valid_i && idle && !abort_i;
  assign busy_o      = !idle;

  // Fields the post unit needs for the whole uOP.
  logic        fb_q, db_q;
  logic [1:0]  post_op_q;
  logic [9:0]  cols_q;
  logic [31:0] eps_q;
  logic        pair_q;
  logic [10:0] total_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      fb_q      <= 1'b0;
      db_q      <= 1'b0;
      post_op_q <= '0;
      cols_q    <= '0;
      eps_q     <= '0;
      pair_q    <= 1'b0;
      total_q   <= '0;
    end else if (fire) begin
      fb_q      <= p_fb;
      db_q      <= p_db;
      post_op_q <= w0.post_op[1:0];
      cols_q    <= w0.cols;
      eps_q     <= w3.eps;
      pair_q    <= w2.ln_pair;
      total_q   <= w2.ln_total;
    end
  end

  // ---------------------------------------------------------------------------------------------
  // Fill side.
  logic          f_rd_en, f_wr_en, f_pwr_en, hold_params;
  logic [7:0]    f_rd_row, f_wr_row;
  logic [8:0]    f_rd_col, f_wr_col;
  logic [1023:0] f_rd_data, f_wr_data;
  logic [9:0]    f_pwr_pos, f_pwr_cols;
  logic [511:0]  f_pwr_data;

  rsn_memc_fill u_fill (
    .clk_i,
    .rst_ni,
    .abort_i,
    .start_i      (fire && p_fill),
    .cfg_mode_i   (w0.load_mode),
    .cfg_recv_i   (w0.recv_en),
    .cfg_acc_i    (w0.acc),
    .cfg_rows_i   (w0.rows),
    .cfg_cols_i   (w0.cols),
    .cfg_rb_i     (w1.recv_rb),
    .cfg_cb_i     (w1.recv_cb),
    .cfg_kb_i     (w1.recv_kb),
    .cfg_kiters_i (w1.k_iters),
    .hold_params_i(hold_params),
    .busy_o       (fill_busy),
    .wait_in_o,
    .ld_data_i,
    .ld_valid_i,
    .ld_ready_o,
    .prod_data_i,
    .prod_valid_i,
    .prod_ready_o,
    .rd_en_o      (f_rd_en),
    .rd_row_o     (f_rd_row),
    .rd_col_o     (f_rd_col),
    .rd_data_i    (f_rd_data),
    .wr_en_o      (f_wr_en),
    .wr_row_o     (f_wr_row),
    .wr_col_o     (f_wr_col),
    .wr_data_o    (f_wr_data),
    .pwr_en_o     (f_pwr_en),
    .pwr_pos_o    (f_pwr_pos),
    .pwr_cols_o   (f_pwr_cols),
    .pwr_data_o   (f_pwr_data)
  );

  // ---------------------------------------------------------------------------------------------
  // Drain side and the post-op unit.
  logic          d_rd_en, d_rd_colmode, d_wr_en, d_wr_only_invalid, d_setv_en;
  logic [7:0]    d_rd_row, d_wr_row;
  logic [8:0]    d_rd_col, d_wr_col;
  logic [1023:0] d_rd_data, d_wr_data;
  logic [31:0]   d_wr_mask, d_setv_rows;
  logic [2:0]    d_setv_group;
  logic [4:0]    d_setv_words;
  logic          prd_en;
  logic [8:0]    prd_col;
  logic [31:0]   gamma, beta;
  logic [5:0]    pcfg_rows;
  logic          pcfg_valid, pcfg_ready, pin_valid, pin_ready, pout_valid, pout_ready;
  logic [1023:0] pin_data, pout_data;
  logic [31:0]   pin_gamma, pin_beta;
  logic          post_reading;

  rsn_memc_drain #(
    .HasMesh(HasMesh)
  ) u_drain (
    .clk_i,
    .rst_ni,
    .abort_i,
    .start_i          (fire && p_drain),
    .cfg_mesh_i       (p_mesh),
    .cfg_post_i       (p_post),
    .cfg_rows_i       (w0.rows),
    .cfg_cols_i       (w0.cols),
    .cfg_srb_i        (w2.send_rb),
    .cfg_scb_i        (w2.send_cb),
    .cfg_skb_i        (w2.send_kb),
    .busy_o           (drain_busy),
    .post_reading_o   (post_reading),
    .wait_out_o,
    .rd_en_o          (d_rd_en),
    .rd_colmode_o     (d_rd_colmode),
    .rd_row_o         (d_rd_row),
    .rd_col_o         (d_rd_col),
    .rd_data_i        (d_rd_data),
    .wr_en_o          (d_wr_en),
    .wr_row_o         (d_wr_row),
    .wr_col_o         (d_wr_col),
    .wr_data_o        (d_wr_data),
    .wr_mask_o        (d_wr_mask),
    .wr_only_invalid_o(d_wr_only_invalid),
    .setv_en_o        (d_setv_en),
    .setv_group_o     (d_setv_group),
    .setv_words_o     (d_setv_words),
    .setv_rows_o      (d_setv_rows),
    .prd_en_o         (prd_en),
    .prd_col_o        (prd_col),
    .gamma_i          (gamma),
    .beta_i           (beta),
    .pcfg_rows_o      (pcfg_rows),
    .pcfg_valid_o     (pcfg_valid),
    .pcfg_ready_i     (pcfg_ready),
    .pin_data_o       (pin_data),
    .pin_gamma_o      (pin_gamma),
    .pin_beta_o       (pin_beta),
    .pin_valid_o      (pin_valid),
    .pin_ready_i      (pin_ready),
    .pout_data_i      (pout_data),
    .pout_valid_i     (pout_valid),
    .pout_ready_o     (pout_ready),
    .st_data_o,
    .st_valid_o,
    .st_ready_i,
    .mesh_data_o,
    .mesh_last_o,
    .mesh_valid_o,
    .mesh_ready_i
  );

  // The post-op pass reads the parameters as they were when the uOP started (the model computes
  // the drain view in `begin`), so a Params load in the same uOP waits for it.
  assign hold_params = post_reading;

  /* verilator lint_off UNUSEDSIGNAL */  // busy is implied by the drain's own sequencing
  logic post_busy;
  /* verilator lint_on UNUSEDSIGNAL */
  if (HasPostOps) begin : gen_post
    rsn_memc_post #(
      .ExpUnits (PostExpUnits),
      .GeluUnits(PostGeluUnits)
    ) u_post (
      .clk_i,
      .rst_ni,
      .abort_i,
      .cfg_op_i    (post_op_q),
      .cfg_cols_i  (cols_q),
      .cfg_rows_i  (pcfg_rows),
      .cfg_eps_i   (eps_q),
      .cfg_pair_i  (pair_q),
      .cfg_total_i (total_q),
      .cfg_valid_i (pcfg_valid),
      .cfg_ready_o (pcfg_ready),
      .in_data_i   (pin_data),
      .in_gamma_i  (pin_gamma),
      .in_beta_i   (pin_beta),
      .in_valid_i  (pin_valid),
      .in_ready_o  (pin_ready),
      .out_data_o  (pout_data),
      .out_valid_o (pout_valid),
      .out_ready_i (pout_ready),
      .pair_data_o,
      .pair_valid_o,
      .pair_ready_i,
      .pair_data_i,
      .pair_valid_i,
      .pair_ready_o,
      .busy_o      (post_busy)
    );
  end else begin : gen_no_post
    // Built without post-op units: the top faults any uOP that asks for one before it gets here,
    // so the drain never starts a post-op pass.
    assign pcfg_ready   = 1'b0;
    assign pin_ready    = 1'b0;
    assign pout_data    = '0;
    assign pout_valid   = 1'b0;
    assign pair_data_o  = '0;
    assign pair_valid_o = 1'b0;
    assign pair_ready_o = 1'b0;
    assign post_busy    = 1'b0;
    /* verilator lint_off UNUSEDSIGNAL */  // the post-op side of the drain, unused without the unit
    logic unused_post;
    assign unused_post = ^{pair_ready_i, pair_data_i, pair_valid_i, post_op_q, cols_q, eps_q, pair_q, total_q,
                           pcfg_rows, pcfg_valid, pin_valid, pout_ready, pin_data, pin_gamma, pin_beta};
    /* verilator lint_on UNUSEDSIGNAL */
  end

  rsn_memc_params u_params (
    .clk_i,
    .rst_ni,
    .wr_en_i   (f_pwr_en),
    .wr_pos_i  (f_pwr_pos),
    .wr_cols_i (f_pwr_cols),
    .wr_data_i (f_pwr_data),
    .rd_en_i   (prd_en),
    .rd_col_i  (prd_col),
    .rd_gamma_o(gamma),
    .rd_beta_o (beta)
  );

  // ---------------------------------------------------------------------------------------------
  // Banks.
  logic [1023:0] bank_rd_data [2];
  for (genvar b = 0; b < 2; b++) begin : gen_bank
    // A bank's ports belong to the fill side while it fills that bank, to the drain side only if
    // it is the uOP's drain bank, and to nobody otherwise: the post-op write-back must never land
    // in the other bank (it would overwrite a bank that a later uOP accumulates into or drains).
    logic use_fill, use_drain;
    assign use_fill  = fill_busy && (fb_q == 1'(b));
    assign use_drain = !use_fill && (db_q == 1'(b));
    rsn_memc_bank u_bank (
      .clk_i,
      .rst_ni,
      .clear_i          (fire && p_fill && p_clear && (p_fb == 1'(b))),
      .rd_en_i          (use_fill ? f_rd_en : (use_drain && d_rd_en)),
      .rd_colmode_i     (use_fill ? 1'b0 : d_rd_colmode),
      .rd_row_i         (use_fill ? f_rd_row : d_rd_row),
      .rd_col_i         (use_fill ? f_rd_col : d_rd_col),
      .rd_data_o        (bank_rd_data[b]),
      .wr_en_i          (use_fill ? f_wr_en : (use_drain && d_wr_en)),
      .wr_colmode_i     (!use_fill),
      .wr_row_i         (use_fill ? f_wr_row : d_wr_row),
      .wr_col_i         (use_fill ? f_wr_col : d_wr_col),
      .wr_data_i        (use_fill ? f_wr_data : d_wr_data),
      .wr_mask_i        (use_fill ? 32'hffff_ffff : d_wr_mask),
      .wr_only_invalid_i(!use_fill && d_wr_only_invalid),
      .wr_set_valid_i   (use_fill),
      .setv_en_i        (use_drain && d_setv_en),
      .setv_group_i     (d_setv_group),
      .setv_words_i     (d_setv_words),
      .setv_rows_i      (d_setv_rows)
    );
  end
  assign f_rd_data = bank_rd_data[fb_q];
  assign d_rd_data = bank_rd_data[db_q];

endmodule
