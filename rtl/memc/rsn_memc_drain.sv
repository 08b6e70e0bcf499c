// MemC drain side: the in-place post-op pass over the drain bank's rows x cols region, then the
// store (lines to the DDR unit) or MeshA (128x128 blocks) drain, as host/src/model/memc.rs
// (`post_op_rows`, `drain_tile`) with the post-op written back into the bank first.
//
// Post-op pass, per group g of 32 rows (rows 32g .. 32g+31, the last group partial):
//   read side : one cfg handshake to rsn_memc_post, then column beats c = 0 .. cols-1 (column
//               windows of the bank; lanes of rows >= rows are sent as 0) with gamma[c], beta[c]
//   write side: the post unit's result column beats are written back (rows < rows only); then, if
//               cols is not a multiple of 32, zeros into the rest of the last word for rows whose
//               word was not valid (so no stale lane becomes visible), then the group's words
//               0 .. ceil(cols/32)-1 are marked valid.
// The two sides run concurrently (the read side may start group g+1 while results of g are
// written); the drain proper starts when every result is written.
//
// Read pipeline (shared by the post-op reads, the store and the mesh drain): an issue stage (bank
// read address), the bank's read register (held while the stage cannot move on), then
//   post : straight into the post unit's input
//   store: the segment (up to 16 elements of one row) is merged into a line register; complete
//          lines go to an rsn_stream_reg. A line inside one row takes one cycle; one crossing a row
//          end takes one cycle per row it touches.
//   mesh : one 32-element beat per cycle, zero outside rows x cols, into an rsn_stream_reg.
// The output register slices are flushed (valid dropped, contents discarded) after abort_i.
module rsn_memc_drain #(
  parameter bit HasMesh = 1'b1
) (
  input  logic          clk_i,
  input  logic          rst_ni,
  input  logic          abort_i,
  // uOP start (only when there is a drain) and its fields.
  input  logic          start_i,
  input  logic          cfg_mesh_i,   // 0 store, 1 MeshA
  input  logic          cfg_post_i,   // run the post-op pass first
  input  logic [8:0]    cfg_rows_i,
  input  logic [9:0]    cfg_cols_i,
  input  logic [1:0]    cfg_srb_i,
  input  logic [7:0]    cfg_scb_i,
  input  logic [2:0]    cfg_skb_i,
  output logic          busy_o,
  output logic          post_reading_o,  // the pass still reads the parameter memory
  output logic          wait_out_o,
  // Drain bank.
  output logic          rd_en_o,
  output logic          rd_colmode_o,
  output logic [7:0]    rd_row_o,
  output logic [8:0]    rd_col_o,
  input  logic [1023:0] rd_data_i,
  output logic          wr_en_o,
  output logic [7:0]    wr_row_o,
  output logic [8:0]    wr_col_o,
  output logic [1023:0] wr_data_o,
  output logic [31:0]   wr_mask_o,
  output logic          wr_only_invalid_o,
  output logic          setv_en_o,
  output logic [2:0]    setv_group_o,
  output logic [4:0]    setv_words_o,
  output logic [31:0]   setv_rows_o,
  // Parameter memory reads.
  output logic          prd_en_o,
  output logic [8:0]    prd_col_o,
  input  logic [31:0]   gamma_i,
  input  logic [31:0]   beta_i,
  // rsn_memc_post (cfg_op/cols/eps/pair/total come from the uOP registers in rsn_memc).
  output logic [5:0]    pcfg_rows_o,
  output logic          pcfg_valid_o,
  input  logic          pcfg_ready_i,
  output logic [1023:0] pin_data_o,
  output logic [31:0]   pin_gamma_o,
  output logic [31:0]   pin_beta_o,
  output logic          pin_valid_o,
  input  logic          pin_ready_i,
  input  logic [1023:0] pout_data_i,
  input  logic          pout_valid_i,
  output logic          pout_ready_o,
  // Output streams.
  output logic [511:0]  st_data_o,
  output logic          st_valid_o,
  input  logic          st_ready_i,
  output logic [1023:0] mesh_data_o,
  output logic          mesh_last_o,
  output logic          mesh_valid_o,
  input  logic          mesh_ready_i
);

  typedef enum logic [2:0] {
    RIdle, RCfg, RCol, RWait, RStore, RMesh, RTail
  } rstate_e;
  typedef enum logic [1:0] {
    WIdle, WCol, WPad, WSetv
  } wstate_e;
  typedef enum logic [1:0] {
    BPost, BStore, BMesh
  } bkind_e;

  rstate_e    rs_q, rs_d;
  wstate_e    ws_q, ws_d;
  logic       mesh_q;
  logic [8:0] rows_q;
  logic [9:0] cols_q;
  logic [1:0] srb_q;
  logic [7:0] scb_q;
  logic [2:0] skb_q;
  logic [4:0] nw;  // words per row
  logic [3:0] ng;  // row groups
  assign nw = 5'((11'(cols_q) + 11'd31) >> 5);
  assign ng = 4'((10'(rows_q) + 10'd31) >> 5);


  // ---------------------------------------------------------------------------------------------
  // Read side counters.
  logic [2:0] rg_q, rg_d;            // post: group
  logic [8:0] rc_q, rc_d;            // post: column
  logic [8:0] sr_q, sr_d;            // store: row
  logic [9:0] sc_q, sc_d;            // store: column
  logic [3:0] sp_q, sp_d;            // store: line position
  logic       mr_q, mr_d;            // mesh: row block
  logic [7:0] mcb_q, mcb_d;          // mesh: repetition
  logic [1:0] mk_q, mk_d;            // mesh: K block
  logic [8:0] mb_q, mb_d;            // mesh: beat
  // Write side counters.
  logic [2:0] wg_q, wg_d;
  logic [8:0] wc_q, wc_d;

  // B stage: the bank's read register plus what goes with it.
  logic        b_v_q;
  bkind_e      b_kind_q;
  logic [31:0] b_mask_q;       // post: rows in the region; mesh: elements in the region
  logic [3:0]  b_sp_q;
  logic [4:0]  b_n_q;
  logic        b_line_done_q;
  logic        b_last_q;
  logic        b_adv;
  logic        flush_q;

  // Output register slices.
  logic          st_in_ready, mesh_in_ready, st_reg_valid, mesh_reg_valid;
  logic [511:0]  line_q, line_merged;
  logic [1023:0] win_masked;

  // Issue-stage signals.
  logic        iss;
  bkind_e      iss_kind;
  logic [31:0] iss_mask;
  logic [4:0]  st_n;
  logic        st_line_done, st_row_done, st_last;
  logic [10:0] st_cend;
  logic        m_last;
  logic [9:0]  m_col;
  logic [8:0]  m_row;

  // Store segment: n = min(16 - sp, cols - sc).
  always_comb begin
    st_n = 5'd16 - 5'(sp_q);
    if (10'(st_n) > cols_q - sc_q) begin
      st_n = 5'(cols_q - sc_q);
    end
  end
  assign st_cend      = 11'(sc_q) + 11'(st_n);
  assign st_row_done  = st_cend == 11'(cols_q);
  assign st_last      = st_row_done && (sr_q + 9'd1 == rows_q);
  assign st_line_done = (5'(sp_q) + st_n == 5'd16) || st_last;

  assign m_row  = {1'b0, mr_q, mb_q[8:2]};
  assign m_col  = {1'b0, mk_q, mb_q[1:0], 5'd0};
  assign m_last = (mb_q == 9'd511) && (mk_q == 2'(skb_q - 3'd1)) && (mcb_q == scb_q - 8'd1) &&
                  (mr_q == 1'(srb_q - 2'd1));

  // Rows of the read and the write side's groups that lie inside the region.
  logic [31:0] rrows, wrows;
  always_comb begin
    for (int unsigned i = 0; i < 32; i++) begin
      rrows[i] = {1'b0, rg_q, 5'(i)} < rows_q;
      wrows[i] = {1'b0, wg_q, 5'(i)} < rows_q;
    end
  end

  logic can_issue;
  assign can_issue = b_adv && !flush_q;

  always_comb begin
    rs_d  = rs_q;
    rg_d  = rg_q;
    rc_d  = rc_q;
    sr_d  = sr_q;
    sc_d  = sc_q;
    sp_d  = sp_q;
    mr_d  = mr_q;
    mcb_d = mcb_q;
    mk_d  = mk_q;
    mb_d  = mb_q;
    iss      = 1'b0;
    iss_kind = BPost;
    iss_mask = '1;
    rd_colmode_o = 1'b0;
    rd_row_o     = '0;
    rd_col_o     = '0;
    unique case (rs_q)
      RIdle: ;
      RCfg: begin
        if (pcfg_ready_i) begin
          rs_d = RCol;
          rc_d = '0;
        end
      end
      RCol: begin
        rd_colmode_o = 1'b1;
        rd_row_o     = {rg_q, 5'd0};
        rd_col_o     = rc_q;
        iss_kind     = BPost;
        iss_mask     = rrows;
        if (can_issue) begin
          iss  = 1'b1;
          rc_d = rc_q + 9'd1;
          if (10'(rc_q) == cols_q - 10'd1) begin
            rg_d = rg_q + 3'd1;
            rs_d = (4'(rg_q) + 4'd1 == ng) ? RWait : RCfg;
          end
        end
      end
      RWait: begin
        // Every result must be back in the bank before the drain reads it.
        if (ws_q == WIdle && !b_v_q) begin
          rs_d = mesh_q ? RMesh : RStore;
        end
      end
      RStore: begin
        rd_row_o = sr_q[7:0];
        rd_col_o = sc_q[8:0];
        iss_kind = BStore;
        if (can_issue) begin
          iss  = 1'b1;
          sp_d = sp_q + 4'(st_n);
          if (st_row_done) begin
            sc_d = '0;
            sr_d = sr_q + 9'd1;
          end else begin
            sc_d = st_cend[9:0];
          end
          if (st_last) begin
            rs_d = RTail;
          end
        end
      end
      RMesh: begin
        rd_row_o = m_row[7:0];
        rd_col_o = m_col[8:0];
        iss_kind = BMesh;
        for (int unsigned k = 0; k < 32; k++) begin
          iss_mask[k] = (m_row < rows_q) && (m_col + 10'(k) < cols_q);
        end
        if (can_issue) begin
          iss  = 1'b1;
          mb_d = mb_q + 9'd1;
          if (m_last) begin
            rs_d = RTail;
          end
          if (mb_q == 9'd511) begin
            if (mk_q != 2'(skb_q - 3'd1)) begin
              mk_d = mk_q + 2'd1;
            end else begin
              mk_d = '0;
              if (mcb_q != scb_q - 8'd1) begin
                mcb_d = mcb_q + 8'd1;
              end else begin
                mcb_d = '0;
                mr_d  = mr_q + 1'd1;
              end
            end
          end
        end
      end
      RTail: begin
        if (!b_v_q) begin
          rs_d = RIdle;
        end
      end
      default: rs_d = RIdle;
    endcase
    if (start_i) begin
      rs_d  = cfg_post_i ? RCfg : (cfg_mesh_i ? RMesh : RStore);
      rg_d  = '0;
      rc_d  = '0;
      sr_d  = '0;
      sc_d  = '0;
      sp_d  = '0;
      mr_d  = '0;
      mcb_d = '0;
      mk_d  = '0;
      mb_d  = '0;
    end
    if (abort_i) begin
      rs_d = RIdle;
    end
  end

  assign rd_en_o        = iss;
  assign prd_en_o       = iss;
  assign prd_col_o      = rc_q;
  assign pcfg_valid_o   = rs_q == RCfg;
  assign pcfg_rows_o    = (rows_q - {rg_q, 5'd0} >= 9'd32) ? 6'd32 : 6'(rows_q - {rg_q, 5'd0});
  assign post_reading_o = rs_q == RCfg || rs_q == RCol || (b_v_q && b_kind_q == BPost);

  // ---------------------------------------------------------------------------------------------
  // B stage.
  logic b_store_out;
  assign b_store_out = b_kind_q == BStore && b_line_done_q;
  always_comb begin
    if (!b_v_q) begin
      b_adv = 1'b1;
    end else begin
      unique case (b_kind_q)
        BPost:   b_adv = pin_ready_i;
        BStore:  b_adv = !b_line_done_q || st_in_ready;
        default: b_adv = mesh_in_ready;
      endcase
    end
  end
  assign wait_out_o = b_v_q && !b_adv && b_kind_q != BPost;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      b_v_q         <= 1'b0;
      b_kind_q      <= BPost;
      b_mask_q      <= '0;
      b_sp_q        <= '0;
      b_n_q         <= '0;
      b_line_done_q <= 1'b0;
      b_last_q      <= 1'b0;
      line_q        <= '0;
    end else begin
      if (b_adv) begin
        b_v_q <= iss;
        if (iss) begin
          b_kind_q      <= iss_kind;
          b_mask_q      <= iss_mask;
          b_sp_q        <= sp_q;
          b_n_q         <= st_n;
          b_line_done_q <= st_line_done;
          b_last_q      <= mb_q == 9'd511;
        end
        if (b_v_q && b_kind_q == BStore) begin
          line_q <= b_line_done_q ? '0 : line_merged;
        end
      end
      if (abort_i) begin
        b_v_q  <= 1'b0;
        line_q <= '0;
      end
    end
  end

  always_comb begin
    for (int unsigned k = 0; k < 32; k++) begin
      win_masked[32*k +: 32] = b_mask_q[k] ? rd_data_i[32*k +: 32] : 32'h0;
    end
  end

  // Segment element k goes to line position sp + k.
  logic [3:0] mrg_k [16];
  always_comb begin
    for (int unsigned p = 0; p < 16; p++) begin
      mrg_k[p] = 4'(p) - b_sp_q;
      if (5'(p) >= 5'(b_sp_q) && 5'(p) < 5'(b_sp_q) + b_n_q) begin
        line_merged[32*p +: 32] = rd_data_i[32*mrg_k[p] +: 32];
      end else begin
        line_merged[32*p +: 32] = line_q[32*p +: 32];
      end
    end
  end

  assign pin_valid_o = b_v_q && b_kind_q == BPost;
  assign pin_data_o  = win_masked;
  assign pin_gamma_o = gamma_i;
  assign pin_beta_o  = beta_i;

  // ---------------------------------------------------------------------------------------------
  // Output register slices, flushed after an abort.
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      flush_q <= 1'b0;
    end else if (abort_i) begin
      flush_q <= 1'b1;
    end else if (!st_reg_valid && st_in_ready && !mesh_reg_valid && mesh_in_ready) begin
      flush_q <= 1'b0;
    end
  end

  rsn_stream_reg #(
    .Width(512)
  ) u_st_reg (
    .clk_i,
    .rst_ni,
    .in_data_i  (line_merged),
    .in_valid_i (b_v_q && b_store_out && !flush_q && !abort_i),
    .in_ready_o (st_in_ready),
    .out_data_o (st_data_o),
    .out_valid_o(st_reg_valid),
    .out_ready_i(st_ready_i || flush_q)
  );
  assign st_valid_o = st_reg_valid && !flush_q;

  if (HasMesh) begin : gen_mesh
    logic [1024:0] mesh_out;
    rsn_stream_reg #(
      .Width(1025)
    ) u_mesh_reg (
      .clk_i,
      .rst_ni,
      .in_data_i  ({b_last_q, win_masked}),
      .in_valid_i (b_v_q && b_kind_q == BMesh && !flush_q && !abort_i),
      .in_ready_o (mesh_in_ready),
      .out_data_o (mesh_out),
      .out_valid_o(mesh_reg_valid),
      .out_ready_i(mesh_ready_i || flush_q)
    );
    assign mesh_data_o  = mesh_out[1023:0];
    assign mesh_last_o  = mesh_out[1024];
    assign mesh_valid_o = mesh_reg_valid && !flush_q;
  end else begin : gen_no_mesh
    // MemC4/5 have no MeshA path: a mesh drain is never issued to them (check_payload).
    logic unused_mesh;
    assign unused_mesh    = mesh_ready_i | b_last_q;
    assign mesh_in_ready  = 1'b1;
    assign mesh_reg_valid = 1'b0;
    assign mesh_data_o    = '0;
    assign mesh_last_o    = 1'b0;
    assign mesh_valid_o   = 1'b0;
  end

  // ---------------------------------------------------------------------------------------------
  // Post-op write side.
  logic        w_pad;  // cols is not a multiple of 32: the last word has lanes past cols
  assign w_pad = cols_q[4:0] != 5'd0;

  always_comb begin
    ws_d = ws_q;
    wg_d = wg_q;
    wc_d = wc_q;
    pout_ready_o      = 1'b0;
    wr_en_o           = 1'b0;
    wr_data_o         = pout_data_i;
    wr_only_invalid_o = 1'b0;
    setv_en_o         = 1'b0;
    unique case (ws_q)
      WIdle: ;
      WCol: begin
        pout_ready_o = 1'b1;
        if (pout_valid_i) begin
          wr_en_o = 1'b1;
          wc_d    = wc_q + 9'd1;
          if (10'(wc_q) == cols_q - 10'd1) begin
            ws_d = w_pad ? WPad : WSetv;
          end
        end
      end
      WPad: begin
        wr_en_o           = 1'b1;
        wr_data_o         = '0;
        wr_only_invalid_o = 1'b1;
        wc_d              = wc_q + 9'd1;
        if (wc_q[4:0] == 5'd31) begin
          ws_d = WSetv;
        end
      end
      WSetv: begin
        setv_en_o = 1'b1;
        wg_d      = wg_q + 3'd1;
        wc_d      = '0;
        ws_d      = (4'(wg_q) + 4'd1 == ng) ? WIdle : WCol;
      end
      default: ws_d = WIdle;
    endcase
    if (start_i) begin
      ws_d = cfg_post_i ? WCol : WIdle;
      wg_d = '0;
      wc_d = '0;
    end
    if (abort_i) begin
      ws_d = WIdle;
    end
  end

  assign wr_row_o     = {wg_q, 5'd0};
  assign wr_col_o     = wc_q;
  assign wr_mask_o    = wrows;
  assign setv_group_o = wg_q;
  assign setv_words_o = nw;
  assign setv_rows_o  = wrows;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      rs_q   <= RIdle;
      ws_q   <= WIdle;
      mesh_q <= 1'b0;
      rows_q <= '0;
      cols_q <= '0;
      srb_q  <= '0;
      scb_q  <= '0;
      skb_q  <= '0;
      rg_q   <= '0;
      rc_q   <= '0;
      sr_q   <= '0;
      sc_q   <= '0;
      sp_q   <= '0;
      mr_q   <= '0;
      mcb_q  <= '0;
      mk_q   <= '0;
      mb_q   <= '0;
      wg_q   <= '0;
      wc_q   <= '0;
    end else begin
      rs_q <= rs_d;
      ws_q <= ws_d;
      if (start_i) begin
        mesh_q <= cfg_mesh_i;
        rows_q <= cfg_rows_i;
        cols_q <= cfg_cols_i;
        srb_q  <= cfg_srb_i;
        scb_q  <= cfg_scb_i;
        skb_q  <= cfg_skb_i;
      end
      rg_q  <= rg_d;
      rc_q  <= rc_d;
      sr_q  <= sr_d;
      sc_q  <= sc_d;
      sp_q  <= sp_d;
      mr_q  <= mr_d;
      mcb_q <= mcb_d;
      mk_q  <= mk_d;
      mb_q  <= mb_d;
      wg_q  <= wg_d;
      wc_q  <= wc_d;
    end
  end

  assign busy_o = rs_q != RIdle || ws_q != WIdle || flush_q;

endmodule
