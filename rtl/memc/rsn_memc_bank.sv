// One MemC bank: 256 x 512 binary32 elements in 32 single-float lane RAMs, skewed as
// rtl/INTERFACES.md describes (element (r, c) in lane (r + c) % 32 at address {r, c / 32}), plus one
// valid bit per (row, 32-column word).
//
// Clearing the bank (the model's `fill(0.0)` before a Tile or Broadcast load) only clears the
// valid bits: a read returns +0.0 for every element of a word that was not written since. Writers
// keep that invariant: a word becomes valid only when all 32 of its elements have been written
// (row-window writes with wr_set_valid_i cover a whole word; column-window writes are followed by
// padding writes (wr_only_invalid_i) and a bulk set, see rsn_memc_drain).
//
// Both ports address a 32-element *window*, and carry data in window order (element k of the
// window in bits [32*k +: 32]); the skew rotation is done here:
//   row window    (colmode = 0): row `row`, columns col .. col+31 (elements past column 511 read 0)
//   column window (colmode = 1): rows row .. row+31 (row a multiple of 32), column col
// The read port is registered: rd_data_o shows the window of the last rd_en_i cycle and holds it
// while rd_en_i is low (the drain side stalls its pipeline with it). A read and a write of the same
// element in one cycle return the old value; the sequencers never do that.
module rsn_memc_bank (
  input  logic          clk_i,
  input  logic          rst_ni,
  // Every word invalid (reads as zeros) from the next cycle on.
  input  logic          clear_i,
  // Read port.
  input  logic          rd_en_i,
  input  logic          rd_colmode_i,
  input  logic [7:0]    rd_row_i,
  input  logic [8:0]    rd_col_i,
  output logic [1023:0] rd_data_o,
  // Write port. wr_mask_i selects window elements. wr_only_invalid_i (column windows) restricts
  // the write to elements whose word is not valid yet. wr_set_valid_i (row windows at a word
  // boundary, full mask) marks the word valid.
  input  logic          wr_en_i,
  input  logic          wr_colmode_i,
  input  logic [7:0]    wr_row_i,
  input  logic [8:0]    wr_col_i,
  input  logic [1023:0] wr_data_i,
  input  logic [31:0]   wr_mask_i,
  input  logic          wr_only_invalid_i,
  input  logic          wr_set_valid_i,
  // Bulk valid set: words 0 .. setv_words_i-1 of rows 32*setv_group_i + i where setv_rows_i[i].
  input  logic          setv_en_i,
  input  logic [2:0]    setv_group_i,
  input  logic [4:0]    setv_words_i,
  input  logic [31:0]   setv_rows_i
);

  localparam int unsigned Lanes = 32;
  localparam int unsigned Depth = 4096;  // 256 rows x 16 words

  // Valid bit of word w of row r at index {w, r}: a column window's 32 rows are then adjacent.
  logic [4095:0] vld_q, vld_d;

  // ---------------------------------------------------------------------------------------------
  // Lane addresses. Row window: lane l holds window element k = (l - row - col) % 32, column
  // col + k. Column window: lane l holds element i = (l - col) % 32, row row + i.
  logic [11:0] rd_addr [Lanes];
  logic [11:0] wr_addr [Lanes];
  logic [4:0]  rd_rot, wr_rot;  // lane of window element 0
  logic [31:0] wr_lane_en;
  logic [31:0] wr_lane_data [Lanes];

  assign rd_rot = rd_colmode_i ? rd_col_i[4:0] : 5'(rd_row_i) + rd_col_i[4:0];
  assign wr_rot = wr_colmode_i ? wr_col_i[4:0] : 5'(wr_row_i) + wr_col_i[4:0];

  // Valid bits of the write window's elements (for wr_only_invalid_i): column windows only.
  logic [31:0] wr_elem_vld;
  assign wr_elem_vld = vld_q[{wr_col_i[8:5], wr_row_i[7:5], 5'd0} +: 32];

  logic [4:0] rd_k [Lanes];
  logic [4:0] wr_k [Lanes];
  logic [9:0] rd_c [Lanes];
  logic [9:0] wr_c [Lanes];
  always_comb begin
    for (int unsigned l = 0; l < Lanes; l++) begin
      rd_k[l] = 5'(l) - rd_rot;
      rd_c[l] = 10'(rd_col_i) + 10'(rd_k[l]);
      rd_addr[l] = rd_colmode_i ? {rd_row_i[7:5], rd_k[l], rd_col_i[8:5]} : {rd_row_i, rd_c[l][8:5]};
      wr_k[l] = 5'(l) - wr_rot;
      wr_c[l] = 10'(wr_col_i) + 10'(wr_k[l]);
      wr_addr[l] = wr_colmode_i ? {wr_row_i[7:5], wr_k[l], wr_col_i[8:5]} : {wr_row_i, wr_c[l][8:5]};
      wr_lane_data[l] = wr_data_i[32*wr_k[l] +: 32];
      // Row-window elements past column 511 are not written.
      wr_lane_en[l] = wr_en_i && wr_mask_i[wr_k[l]] && !(wr_only_invalid_i && wr_elem_vld[wr_k[l]]) &&
                      (wr_colmode_i || !wr_c[l][9]);
    end
  end

  // Valid mask of the read window, taken with the read and held with the data.
  logic [31:0] rd_vld;
  logic [4:0] rd_w1;  // word of a row window's second part (16: past the row end)
  assign rd_w1 = 5'(rd_col_i[8:5]) + 5'd1;
  always_comb begin
    for (int unsigned k = 0; k < Lanes; k++) begin
      if (rd_colmode_i) begin
        rd_vld[k] = vld_q[{rd_col_i[8:5], rd_row_i[7:5], 5'(k)}];
      end else if (k < 32 - 32'(rd_col_i[4:0])) begin
        rd_vld[k] = vld_q[{rd_col_i[8:5], rd_row_i}];
      end else begin
        rd_vld[k] = !rd_w1[4] && vld_q[{rd_w1[3:0], rd_row_i}];
      end
    end
  end

  always_comb begin
    vld_d = vld_q;
    if (wr_en_i && wr_set_valid_i && !wr_colmode_i) begin
      vld_d[{wr_col_i[8:5], wr_row_i}] = 1'b1;
    end
    if (setv_en_i) begin
      for (int unsigned w = 0; w < 16; w++) begin
        if (5'(w) < setv_words_i) begin
          vld_d[{4'(w), setv_group_i, 5'd0} +: 32] = vld_q[{4'(w), setv_group_i, 5'd0} +: 32] | setv_rows_i;
        end
      end
    end
    if (clear_i) begin
      vld_d = '0;
    end
  end

  logic [4:0]  rd_rot_q;
  logic [31:0] rd_vld_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      // The model's banks start as zeros.
      vld_q    <= '0;
      rd_rot_q <= '0;
      rd_vld_q <= '0;
    end else begin
      vld_q <= vld_d;
      if (rd_en_i) begin
        rd_rot_q <= rd_rot;
        rd_vld_q <= rd_vld;
      end
    end
  end

  // ---------------------------------------------------------------------------------------------
  // Lane RAMs: simple dual port, registered read with enable.
  logic [31:0] lane_q [Lanes];
  for (genvar l = 0; l < Lanes; l++) begin : gen_lane
    logic [31:0] mem_q [Depth];
    always_ff @(posedge clk_i) begin
      if (wr_lane_en[l]) begin
        mem_q[wr_addr[l]] <= wr_lane_data[l];
      end
    end
    always_ff @(posedge clk_i) begin
      if (rd_en_i) begin
        lane_q[l] <= mem_q[rd_addr[l]];
      end
    end
  end

  // Back to window order; invalid words read as +0.0.
  always_comb begin
    for (int unsigned k = 0; k < Lanes; k++) begin
      rd_data_o[32*k +: 32] = rd_vld_q[k] ? lane_q[5'(k) + rd_rot_q] : 32'h0;
    end
  end

endmodule
