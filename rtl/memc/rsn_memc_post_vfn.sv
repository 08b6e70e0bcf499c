// Lane-parallel nonlinear unit of the MemC post-op: 32 lanes x `Units` instances of one contract
// function (rtl/fp: exp, recip, rsqrt or gelu). A beat carries one float per lane; all 32 lanes of a
// beat go to the same instance index (round robin over the `Units` indices), and beats leave in
// input order. The fp units are sequential FSMs (one item in flight, 14..39 cycles per item), so
// `Units` beats overlap and the throughput is `Units` beats per item period.
//
// Abort: the fp units have no abort of their own. Instead every instance still busy when abort_i is
// seen is marked for discard; its result is taken and dropped when it appears, and an instance is
// only given new work once idle, so stale results can never be mistaken for new ones.
module rsn_memc_post_vfn #(
  parameter int unsigned Fn    = 0,  // 0 exp, 1 recip, 2 rsqrt, 3 gelu
  parameter int unsigned Units = 1   // instances per lane, 1..16
) (
  input  logic          clk_i,
  input  logic          rst_ni,
  input  logic          abort_i,
  input  logic [1023:0] in_data_i,
  input  logic          in_valid_i,
  output logic          in_ready_o,
  output logic [1023:0] out_data_o,
  output logic          out_valid_o,
  input  logic          out_ready_i,
  output logic          busy_o
);

  localparam int unsigned Lanes = 32;
  localparam int unsigned PtrW  = (Units > 1) ? $clog2(Units) : 1;
  localparam int unsigned CntW  = $clog2(Units + 1);

  if (Units < 1 || Units > 16) begin : gen_bad_units
    $error("rsn_memc_post_vfn: Units must be 1..16");
  end
  if (Fn > 3) begin : gen_bad_fn
    $error("rsn_memc_post_vfn: Fn must be 0..3");
  end

  logic [Units*Lanes-1:0]    u_in_valid, u_in_ready, u_out_valid, u_out_ready;
  logic [Units*Lanes*32-1:0] u_out_data;
  logic [Units*Lanes-1:0]    discard_q, discard_d;
  logic [Units-1:0]          all_in_ready, all_out_valid;
  logic [PtrW-1:0]           wr_ptr_q, wr_ptr_d, rd_ptr_q, rd_ptr_d;
  logic [CntW-1:0]           inflight_q, inflight_d;
  logic                      dispatch, collect;

  for (genvar k = 0; k < Units; k++) begin : gen_unit
    assign all_in_ready[k]  = &u_in_ready[k*Lanes +: Lanes];
    assign all_out_valid[k] = &u_out_valid[k*Lanes +: Lanes];

    for (genvar l = 0; l < Lanes; l++) begin : gen_lane
      localparam int unsigned I = k * Lanes + l;

      // All lanes of an instance index start together: one beat is one item for each of them.
      assign u_in_valid[I]  = in_valid_i && !abort_i && (32'(wr_ptr_q) == k) && all_in_ready[k];
      assign u_out_ready[I] = discard_q[I] || (collect && (32'(rd_ptr_q) == k));

      if (Fn == 0) begin : gen_exp
        rsn_fp32_exp u_fn (
          .clk_i,
          .rst_ni,
          .in_a_i     (in_data_i[32*l +: 32]),
          .in_valid_i (u_in_valid[I]),
          .in_ready_o (u_in_ready[I]),
          .out_data_o (u_out_data[32*I +: 32]),
          .out_valid_o(u_out_valid[I]),
          .out_ready_i(u_out_ready[I])
        );
      end else if (Fn == 1) begin : gen_recip
        rsn_fp32_recip u_fn (
          .clk_i,
          .rst_ni,
          .in_a_i     (in_data_i[32*l +: 32]),
          .in_valid_i (u_in_valid[I]),
          .in_ready_o (u_in_ready[I]),
          .out_data_o (u_out_data[32*I +: 32]),
          .out_valid_o(u_out_valid[I]),
          .out_ready_i(u_out_ready[I])
        );
      end else if (Fn == 2) begin : gen_rsqrt
        rsn_fp32_rsqrt u_fn (
          .clk_i,
          .rst_ni,
          .in_a_i     (in_data_i[32*l +: 32]),
          .in_valid_i (u_in_valid[I]),
          .in_ready_o (u_in_ready[I]),
          .out_data_o (u_out_data[32*I +: 32]),
          .out_valid_o(u_out_valid[I]),
          .out_ready_i(u_out_ready[I])
        );
      end else begin : gen_gelu
        rsn_fp32_gelu u_fn (
          .clk_i,
          .rst_ni,
          .in_a_i     (in_data_i[32*l +: 32]),
          .in_valid_i (u_in_valid[I]),
          .in_ready_o (u_in_ready[I]),
          .out_data_o (u_out_data[32*I +: 32]),
          .out_valid_o(u_out_valid[I]),
          .out_ready_i(u_out_ready[I])
        );
      end
    end
  end

  assign in_ready_o = all_in_ready[wr_ptr_q] && !abort_i;
  assign dispatch   = in_valid_i && in_ready_o;
  // inflight != 0 guarantees the rd_ptr instance holds a live item, never a discarded one.
  assign out_valid_o = all_out_valid[rd_ptr_q] && (inflight_q != '0);
  assign out_data_o  = u_out_data[Lanes*32*rd_ptr_q +: Lanes*32];
  assign collect     = out_valid_o && out_ready_i && !abort_i;
  assign busy_o      = (inflight_q != '0) || (discard_q != '0);

  always_comb begin
    wr_ptr_d   = wr_ptr_q;
    rd_ptr_d   = rd_ptr_q;
    inflight_d = inflight_q;
    if (dispatch) begin
      wr_ptr_d = (32'(wr_ptr_q) == Units - 1) ? '0 : wr_ptr_q + PtrW'(1);
    end
    if (collect) begin
      rd_ptr_d = (32'(rd_ptr_q) == Units - 1) ? '0 : rd_ptr_q + PtrW'(1);
    end
    if (dispatch && !collect) begin
      inflight_d = inflight_q + CntW'(1);
    end else if (collect && !dispatch) begin
      inflight_d = inflight_q - CntW'(1);
    end
    // A busy instance (not idle) at abort time holds or will produce a result nobody wants.
    discard_d = (discard_q | (abort_i ? ~u_in_ready : '0)) & ~(u_out_valid & u_out_ready);
    if (abort_i) begin
      wr_ptr_d   = '0;
      rd_ptr_d   = '0;
      inflight_d = '0;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      wr_ptr_q   <= '0;
      rd_ptr_q   <= '0;
      inflight_q <= '0;
      discard_q  <= '0;
    end else begin
      wr_ptr_q   <= wr_ptr_d;
      rd_ptr_q   <= rd_ptr_d;
      inflight_q <= inflight_d;
      discard_q  <= discard_d;
    end
  end

endmodule
