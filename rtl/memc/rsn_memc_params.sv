// MemC parameter memory: gamma[0..511] and beta[0..511] (the model's `params`, gamma at 0 and beta
// at MEMC_COLS). A Params load streams gamma (cols floats) then beta (cols floats), 16 per line;
// line k holds stream positions 16k .. 16k+15, so one line may carry the end of gamma and the start
// of beta. Each of the two memories is 16 single-float lanes (element e in lane e % 16 at address
// e / 16), so any 16 consecutive elements are written in one cycle. The post-op pass reads
// gamma[c] and beta[c] together, registered (held while rd_en_i is low). The model's parameters
// start as zeros: one flag per element, cleared by reset, says whether it was ever written.
module rsn_memc_params (
  input  logic          clk_i,
  input  logic          rst_ni,
  input  logic          wr_en_i,
  input  logic [9:0]    wr_pos_i,   // stream position of the line's element 0 (a multiple of 16)
  input  logic [9:0]    wr_cols_i,  // cols of the load: gamma and beta lengths
  input  logic [511:0]  wr_data_i,
  input  logic          rd_en_i,
  input  logic [8:0]    rd_col_i,
  output logic [31:0]   rd_gamma_o,
  output logic [31:0]   rd_beta_o
);

  localparam int unsigned Lanes = 16;

  logic [15:0] g_en, b_en;
  logic [4:0]  g_addr [Lanes];
  logic [4:0]  b_addr [Lanes];
  logic [31:0] g_data [Lanes];
  logic [31:0] b_data [Lanes];
  logic [3:0]  b_j [Lanes];
  logic [10:0] b_pos [Lanes];

  always_comb begin
    for (int unsigned l = 0; l < Lanes; l++) begin
      // Gamma element wr_pos_i + l sits in lane l (wr_pos_i is line aligned).
      g_en[l]   = wr_en_i && (11'(wr_pos_i) + 11'(l) < 11'(wr_cols_i));
      g_addr[l] = wr_pos_i[8:4];
      g_data[l] = wr_data_i[32*l +: 32];
      // Beta element e = pos - cols sits in lane e % 16: the line element j with
      // (wr_pos_i + j - cols) % 16 = l.
      b_j[l]    = 4'(l) + wr_cols_i[3:0];
      b_pos[l]  = 11'(wr_pos_i) + 11'(b_j[l]) - 11'(wr_cols_i);  // beta index (wraps if negative)
      b_en[l]   = wr_en_i && (11'(wr_pos_i) + 11'(b_j[l]) >= 11'(wr_cols_i)) &&
                  (b_pos[l] < 11'(wr_cols_i));
      b_addr[l] = b_pos[l][8:4];
      b_data[l] = wr_data_i[32*b_j[l] +: 32];
    end
  end

  logic [31:0] g_q [Lanes];
  logic [31:0] b_q [Lanes];
  logic [3:0]  rd_lane_q;
  for (genvar l = 0; l < Lanes; l++) begin : gen_lane
    logic [31:0] g_mem_q [32];
    logic [31:0] b_mem_q [32];
    always_ff @(posedge clk_i) begin
      if (g_en[l]) begin
        g_mem_q[g_addr[l]] <= g_data[l];
      end
      if (b_en[l]) begin
        b_mem_q[b_addr[l]] <= b_data[l];
      end
    end
    always_ff @(posedge clk_i) begin
      if (rd_en_i) begin
        g_q[l] <= g_mem_q[rd_col_i[8:4]];
        b_q[l] <= b_mem_q[rd_col_i[8:4]];
      end
    end
  end

  logic [511:0] g_vld_q, g_vld_d, b_vld_q, b_vld_d;
  logic         g_vld_rd_q, b_vld_rd_q;
  always_comb begin
    g_vld_d = g_vld_q;
    b_vld_d = b_vld_q;
    for (int unsigned l = 0; l < Lanes; l++) begin
      if (g_en[l]) begin
        g_vld_d[{g_addr[l], 4'(l)}] = 1'b1;
      end
      if (b_en[l]) begin
        b_vld_d[{b_addr[l], 4'(l)}] = 1'b1;
      end
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      g_vld_q    <= '0;
      b_vld_q    <= '0;
      g_vld_rd_q <= 1'b0;
      b_vld_rd_q <= 1'b0;
      rd_lane_q  <= '0;
    end else begin
      g_vld_q <= g_vld_d;
      b_vld_q <= b_vld_d;
      if (rd_en_i) begin
        g_vld_rd_q <= g_vld_q[rd_col_i];
        b_vld_rd_q <= b_vld_q[rd_col_i];
        rd_lane_q  <= rd_col_i[3:0];
      end
    end
  end

  assign rd_gamma_o = g_vld_rd_q ? g_q[rd_lane_q] : 32'h0;
  assign rd_beta_o  = b_vld_rd_q ? b_q[rd_lane_q] : 32'h0;

endmodule
