// MemC fill side: the load (Tile, Broadcast, AddRow, Params) and then the product receive of one
// uOP into the fill bank, as host/src/model/memc.rs does (`apply_load`,
// `recv_sequence`).
//
// Every bank write is a whole 32-column word of one row, through one read-modify-write pipeline:
//   issue : bank read of word (row, w); the operand (assembled tile word, product beat) is
//           registered, or the row buffer is read (Broadcast / AddRow)
//   s1    : old word (zeros if the word is not valid) and operand, per element: keep old, take the
//           operand, or add (rsn_fp32_pkg::fp32_add_align)
//   s2    : rsn_fp32_pkg::fp32_add_round, bank write (the word becomes valid)
// The pipeline never stalls (the bank write always succeeds), so one word per cycle is accepted.
// A word is written at most once per product block and once per load, and the same word of the
// next product block comes 512 beats later, so no read ever overtakes a write in flight; between
// the load and the receive, and at the end, the pipeline is drained (FFlush).
//
// Tile lines are assembled into words (a line of 16 elements may straddle a word boundary or a row
// end, or with cols < 16 cover several rows): one line segment per cycle, a word written when
// complete, zeros past cols (the model cleared the bank). Broadcast and AddRow first buffer the
// row (cols floats) in a 2 x 16 x 512-bit row buffer, then sweep rows x ceil(cols/32) words.
module rsn_memc_fill (
  input  logic          clk_i,
  input  logic          rst_ni,
  input  logic          abort_i,
  // uOP start (only when there is fill work: a load mode or a receive) and its fields.
  input  logic          start_i,
  input  logic [2:0]    cfg_mode_i,
  input  logic          cfg_recv_i,
  input  logic          cfg_acc_i,
  input  logic [8:0]    cfg_rows_i,
  input  logic [9:0]    cfg_cols_i,
  input  logic [1:0]    cfg_rb_i,
  input  logic [2:0]    cfg_cb_i,
  input  logic [2:0]    cfg_kb_i,
  input  logic [15:0]   cfg_kiters_i,
  // Params writes wait while the drain's post-op pass still reads the old parameters.
  input  logic          hold_params_i,
  output logic          busy_o,
  output logic          wait_in_o,
  // Streams.
  input  logic [511:0]  ld_data_i,
  input  logic          ld_valid_i,
  output logic          ld_ready_o,
  input  logic [1023:0] prod_data_i,
  input  logic          prod_valid_i,
  output logic          prod_ready_o,
  // Fill bank: row-window reads and writes of whole words (column = 32 * word).
  output logic          rd_en_o,
  output logic [7:0]    rd_row_o,
  output logic [8:0]    rd_col_o,
  input  logic [1023:0] rd_data_i,
  output logic          wr_en_o,
  output logic [7:0]    wr_row_o,
  output logic [8:0]    wr_col_o,
  output logic [1023:0] wr_data_o,
  // Parameter memory writes.
  output logic          pwr_en_o,
  output logic [9:0]    pwr_pos_o,
  output logic [9:0]    pwr_cols_o,
  output logic [511:0]  pwr_data_o
);

  typedef enum logic [2:0] {
    FIdle, FTile, FRow, FSweep, FParams, FRecv, FFlush
  } fstate_e;

  // Per-element operation of a pipeline word.
  typedef enum logic [1:0] {
    KSet,     // every element = operand register (tile word, first product)
    KAdd,     // every element = old + operand register (product)
    KBcast,   // element = row buffer below cols, else 0
    KAddRow   // element = old + row buffer below cols, else old
  } kind_e;

  localparam logic [2:0] ModeTile = 3'd1, ModeBcast = 3'd2, ModeAddRow = 3'd3, ModeParams = 3'd4;

  fstate_e     st_q, st_d;
  logic        recv_pend_q, recv_pend_d;
  logic [2:0]  mode_q;
  logic        acc_q;
  logic [8:0]  rows_q;
  logic [9:0]  cols_q;
  logic [1:0]  rb_q;
  logic [2:0]  cb_q, kb_q;
  logic [15:0] kit_q;
  logic [4:0]  nw;  // words per row, ceil(cols / 32)
  assign nw = 5'((11'(cols_q) + 11'd31) >> 5);

  // Tile assembler.
  logic [8:0]    t_r_q, t_r_d;
  logic [9:0]    t_c_q, t_c_d;
  logic [3:0]    t_j_q, t_j_d;
  logic [1023:0] word_q, word_d;
  // Row-buffer / params line position (stream element index of the line's first element).
  logic [10:0]   pos_q, pos_d;
  // Sweep.
  logic [8:0]    s_r_q, s_r_d;
  logic [3:0]    s_w_q, s_w_d;
  // Receive: for t, for r, for c, for k, beat.
  logic [15:0]   r_t_q, r_t_d;
  logic          r_r_q, r_r_d;
  logic [1:0]    r_c_q, r_c_d, r_k_q, r_k_d;
  logic [8:0]    r_b_q, r_b_d;

  // Issue into the pipeline.
  logic          iss_v;
  logic [7:0]    iss_row;
  logic [3:0]    iss_word;
  kind_e         iss_kind;
  logic [1023:0] iss_opnd;

  // ---------------------------------------------------------------------------------------------
  // Tile segment: line elements j .. j+n-1 go to word positions c%32 .. c%32+n-1 of row r.
  logic [4:0]    seg_n;
  logic [5:0]    seg_hi;
  logic [4:0]    seg_sh;
  logic [10:0]   seg_cend;
  logic          seg_word_done, seg_row_done, seg_last, seg_line_done;
  logic [1023:0] seg_word;
  logic [4:0] seg_n1;  // left in the line
  logic [9:0] seg_n2;  // left in the row
  logic [5:0] seg_n3;  // left in the word
  assign seg_n1 = 5'd16 - 5'(t_j_q);
  assign seg_n2 = cols_q - t_c_q;
  assign seg_n3 = 6'd32 - 6'(t_c_q[4:0]);
  always_comb begin
    seg_n = seg_n1;
    if (10'(seg_n) > seg_n2) seg_n = 5'(seg_n2);
    if (6'(seg_n) > seg_n3) seg_n = 5'(seg_n3);
  end
  assign seg_hi        = 6'(t_c_q[4:0]) + 6'(seg_n);
  assign seg_sh        = t_c_q[4:0] - 5'(t_j_q);
  assign seg_cend      = 11'(t_c_q) + 11'(seg_n);
  assign seg_row_done  = seg_cend == 11'(cols_q);
  assign seg_word_done = seg_hi[5] || seg_row_done;
  assign seg_last      = seg_row_done && (t_r_q + 9'd1 == rows_q);
  assign seg_line_done = (5'(t_j_q) + seg_n == 5'd16) || seg_last;
  logic [4:0] seg_k [32];  // line element landing on word position p
  always_comb begin
    for (int unsigned p = 0; p < 32; p++) begin
      seg_k[p] = 5'(p) - seg_sh;
      if (6'(p) >= 6'(t_c_q[4:0]) && 6'(p) < seg_hi && !seg_k[p][4]) begin
        seg_word[32*p +: 32] = ld_data_i[32*seg_k[p][3:0] +: 32];
      end else begin
        seg_word[32*p +: 32] = word_q[32*p +: 32];
      end
    end
  end

  // ---------------------------------------------------------------------------------------------
  // Row buffer: line k at rb_mem_q[k % 2][k / 2]; a word w is both halves at address w.
  logic          rb_wr;
  logic          rb_rd;
  logic [511:0]  rb_lo_q, rb_hi_q;
  logic [511:0]  rb_even_q [16];
  logic [511:0]  rb_odd_q [16];
  always_ff @(posedge clk_i) begin
    if (rb_wr && !pos_q[4]) begin
      rb_even_q[pos_q[8:5]] <= ld_data_i;
    end
    if (rb_wr && pos_q[4]) begin
      rb_odd_q[pos_q[8:5]] <= ld_data_i;
    end
    if (rb_rd) begin
      rb_lo_q <= rb_even_q[s_w_q];
      rb_hi_q <= rb_odd_q[s_w_q];
    end
  end

  // ---------------------------------------------------------------------------------------------
  // Control.
  logic ld_fire;
  assign ld_ready_o   = (st_q == FTile && seg_line_done) || st_q == FRow ||
                        (st_q == FParams && !hold_params_i);
  assign ld_fire      = ld_valid_i && ld_ready_o;
  assign prod_ready_o = st_q == FRecv;
  assign rb_wr        = st_q == FRow && ld_valid_i;
  assign rb_rd        = st_q == FSweep;
  assign busy_o       = st_q != FIdle;
  assign wait_in_o    = ((st_q == FTile || st_q == FRow || st_q == FParams) && !ld_valid_i) ||
                        (st_q == FRecv && !prod_valid_i);

  assign pwr_en_o   = st_q == FParams && ld_fire;
  assign pwr_pos_o  = pos_q[9:0];
  assign pwr_cols_o = cols_q;
  assign pwr_data_o = ld_data_i;

  logic s1_v_q, s2_v_q;
  logic r_last_blk;
  assign r_last_blk = (r_k_q == 2'(kb_q - 3'd1)) && (r_c_q == 2'(cb_q - 3'd1)) &&
                      (r_r_q == 1'(rb_q - 2'd1)) && (r_t_q == kit_q - 16'd1);

  always_comb begin
    st_d        = st_q;
    recv_pend_d = recv_pend_q;
    t_r_d = t_r_q;
    t_c_d = t_c_q;
    t_j_d = t_j_q;
    word_d = word_q;
    pos_d = pos_q;
    s_r_d = s_r_q;
    s_w_d = s_w_q;
    r_t_d = r_t_q;
    r_r_d = r_r_q;
    r_c_d = r_c_q;
    r_k_d = r_k_q;
    r_b_d = r_b_q;
    iss_v    = 1'b0;
    iss_row  = '0;
    iss_word = '0;
    iss_kind = KSet;
    iss_opnd = seg_word;
    unique case (st_q)
      FIdle: ;
      FTile: begin
        if (ld_valid_i) begin
          if (seg_word_done) begin
            iss_v    = 1'b1;
            iss_row  = t_r_q[7:0];
            iss_word = t_c_q[8:5];
            word_d   = '0;
          end else begin
            word_d = seg_word;
          end
          t_j_d = t_j_q + 4'(seg_n);
          if (seg_row_done) begin
            t_c_d = '0;
            t_r_d = t_r_q + 9'd1;
          end else begin
            t_c_d = seg_cend[9:0];
          end
          if (seg_last) begin
            st_d = FFlush;
          end
        end
      end
      FRow: begin
        if (ld_valid_i) begin
          pos_d = pos_q + 11'd16;
          if (pos_q + 11'd16 >= 11'(cols_q)) begin
            st_d  = FSweep;
            s_r_d = '0;
            s_w_d = '0;
          end
        end
      end
      FSweep: begin
        iss_v    = 1'b1;
        iss_row  = s_r_q[7:0];
        iss_word = s_w_q;
        iss_kind = (mode_q == ModeBcast) ? KBcast : KAddRow;
        if (5'(s_w_q) == nw - 5'd1) begin
          s_w_d = '0;
          s_r_d = s_r_q + 9'd1;
          if (s_r_q + 9'd1 == rows_q) begin
            st_d = FFlush;
          end
        end else begin
          s_w_d = s_w_q + 4'd1;
        end
      end
      FParams: begin
        if (ld_fire) begin
          pos_d = pos_q + 11'd16;
          if (pos_q + 11'd16 >= {cols_q, 1'b0}) begin
            st_d = FFlush;
          end
        end
      end
      FRecv: begin
        if (prod_valid_i) begin
          iss_v    = 1'b1;
          iss_row  = {r_r_q, r_b_q[8:2]};
          iss_word = {r_c_q, r_b_q[1:0]};
          // The first partial of each block overwrites unless accumulating (memc.rs `apply_load`).
          iss_kind = (!acc_q && r_t_q == 16'd0 && r_k_q == 2'd0) ? KSet : KAdd;
          iss_opnd = prod_data_i;
          r_b_d = r_b_q + 9'd1;
          if (r_b_q == 9'd511) begin
            if (r_last_blk) begin
              st_d = FFlush;
            end
            if (r_k_q != 2'(kb_q - 3'd1)) begin
              r_k_d = r_k_q + 2'd1;
            end else begin
              r_k_d = '0;
              if (r_c_q != 2'(cb_q - 3'd1)) begin
                r_c_d = r_c_q + 2'd1;
              end else begin
                r_c_d = '0;
                if (r_r_q != 1'(rb_q - 2'd1)) begin
                  r_r_d = r_r_q + 1'd1;
                end else begin
                  r_r_d = '0;
                  r_t_d = r_t_q + 16'd1;
                end
              end
            end
          end
        end
      end
      FFlush: begin
        // The last writes must land before the receive reads, or before the drain of a later uOP.
        if (!s1_v_q && !s2_v_q) begin
          st_d        = recv_pend_q ? FRecv : FIdle;
          recv_pend_d = 1'b0;
        end
      end
      default: st_d = FIdle;
    endcase
    if (start_i) begin
      t_r_d = '0;
      t_c_d = '0;
      t_j_d = '0;
      word_d = '0;
      pos_d = '0;
      r_t_d = '0;
      r_r_d = '0;
      r_c_d = '0;
      r_k_d = '0;
      r_b_d = '0;
      recv_pend_d = 1'b0;
      unique case (cfg_mode_i)
        ModeTile: st_d = FTile;
        ModeBcast, ModeAddRow: st_d = FRow;
        ModeParams: st_d = FParams;
        default: st_d = cfg_recv_i ? FRecv : FIdle;
      endcase
      if (cfg_mode_i >= ModeTile && cfg_mode_i <= ModeParams) begin
        recv_pend_d = cfg_recv_i;
      end
    end
    if (abort_i) begin
      st_d = FIdle;
      recv_pend_d = 1'b0;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      st_q        <= FIdle;
      recv_pend_q <= 1'b0;
      mode_q      <= '0;
      acc_q       <= 1'b0;
      rows_q      <= '0;
      cols_q      <= '0;
      rb_q        <= '0;
      cb_q        <= '0;
      kb_q        <= '0;
      kit_q       <= '0;
      t_r_q       <= '0;
      t_c_q       <= '0;
      t_j_q       <= '0;
      word_q      <= '0;
      pos_q       <= '0;
      s_r_q       <= '0;
      s_w_q       <= '0;
      r_t_q       <= '0;
      r_r_q       <= '0;
      r_c_q       <= '0;
      r_k_q       <= '0;
      r_b_q       <= '0;
    end else begin
      st_q        <= st_d;
      recv_pend_q <= recv_pend_d;
      if (start_i) begin
        mode_q <= cfg_mode_i;
        acc_q  <= cfg_acc_i;
        rows_q <= cfg_rows_i;
        cols_q <= cfg_cols_i;
        rb_q   <= cfg_rb_i;
        cb_q   <= cfg_cb_i;
        kb_q   <= cfg_kb_i;
        kit_q  <= cfg_kiters_i;
      end
      t_r_q  <= t_r_d;
      t_c_q  <= t_c_d;
      t_j_q  <= t_j_d;
      word_q <= word_d;
      pos_q  <= pos_d;
      s_r_q  <= s_r_d;
      s_w_q  <= s_w_d;
      r_t_q  <= r_t_d;
      r_r_q  <= r_r_d;
      r_c_q  <= r_c_d;
      r_k_q  <= r_k_d;
      r_b_q  <= r_b_d;
    end
  end

  // ---------------------------------------------------------------------------------------------
  // Read-modify-write pipeline.
  assign rd_en_o  = iss_v;
  assign rd_row_o = iss_row;
  assign rd_col_o = {iss_word, 5'd0};

  logic [7:0]    s1_row_q, s2_row_q;
  logic [3:0]    s1_word_q, s2_word_q;
  kind_e         s1_kind_q;
  logic [1023:0] s1_opnd_q;
  logic [31:0]   s2_add_q;
  logic [1023:0] s2_val_q;
  logic [39:0]   s2_mid_q [32];

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      s1_v_q <= 1'b0;
      s2_v_q <= 1'b0;
    end else begin
      s1_v_q <= iss_v && !abort_i;
      s2_v_q <= s1_v_q && !abort_i;
    end
  end

  always_ff @(posedge clk_i) begin
    s1_row_q  <= iss_row;
    s1_word_q <= iss_word;
    s1_kind_q <= iss_kind;
    if (iss_v) begin
      s1_opnd_q <= iss_opnd;
    end
  end

  // s1: operand and per-element choice.
  logic [1023:0] opnd;
  logic [31:0]   s1_add;
  logic [1023:0] s1_val;
  logic [39:0]   s1_mid [32];
  logic [1023:0] sum;
  logic [31:0]   in_row;  // element k of the word is below cols
  logic          s1_rowbuf;
  assign s1_rowbuf = s1_kind_q == KBcast || s1_kind_q == KAddRow;
  assign opnd      = s1_rowbuf ? {rb_hi_q, rb_lo_q} : s1_opnd_q;
  always_comb begin
    for (int unsigned k = 0; k < 32; k++) begin
      in_row[k] = {1'b0, s1_word_q, 5'(k)} < cols_q;
      unique case (s1_kind_q)
        KSet: begin
          s1_add[k]          = 1'b0;
          s1_val[32*k +: 32] = opnd[32*k +: 32];
        end
        KAdd: begin
          s1_add[k]          = 1'b1;
          s1_val[32*k +: 32] = opnd[32*k +: 32];
        end
        KBcast: begin
          s1_add[k]          = 1'b0;
          s1_val[32*k +: 32] = in_row[k] ? opnd[32*k +: 32] : 32'h0;
        end
        default: begin  // KAddRow: `*c += *v` on the first cols columns
          s1_add[k]          = in_row[k];
          s1_val[32*k +: 32] = rd_data_i[32*k +: 32];
        end
      endcase
    end
  end

  // numerics::accumulate(bank, product) = bank + product; AddRow's `*c += *v` likewise. One adder
  // per lane, split by the s2 register; each half is evaluated only for a lane that adds (the
  // functions are the rsn_fp32_pkg datapaths, see there for why they are not module instances).
  always_comb begin
    for (int unsigned k = 0; k < 32; k++) begin
      s1_mid[k] = '0;
      if (s1_v_q && s1_add[k]) begin
        s1_mid[k] = rsn_fp32_pkg::fp32_add_align(rd_data_i[32*k +: 32], opnd[32*k +: 32]);
      end
      sum[32*k +: 32] = '0;
      if (s2_v_q && s2_add_q[k]) begin
        sum[32*k +: 32] = rsn_fp32_pkg::fp32_add_round(s2_mid_q[k]);
      end
    end
  end

  for (genvar k = 0; k < 32; k++) begin : gen_wr
    assign wr_data_o[32*k +: 32] = s2_add_q[k] ? sum[32*k +: 32] : s2_val_q[32*k +: 32];
  end

  always_ff @(posedge clk_i) begin
    s2_row_q  <= s1_row_q;
    s2_word_q <= s1_word_q;
    s2_add_q  <= s1_add;
    s2_val_q  <= s1_val;
    for (int unsigned k = 0; k < 32; k++) begin
      s2_mid_q[k] <= s1_mid[k];
    end
  end

  // s2: write.
  assign wr_en_o  = s2_v_q;
  assign wr_row_o = s2_row_q;
  assign wr_col_o = {s2_word_q, 5'd0};

endmodule
