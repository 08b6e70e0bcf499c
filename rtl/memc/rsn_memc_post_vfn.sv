// Lane-parallel nonlinear unit of the MemC post-op: `Units` instances of one contract function
// (rtl/fp: exp, recip, rsqrt or gelu), each 32 lanes wide. A beat carries one float per lane and is
// one item of one instance (round robin over the instances); beats leave in input order. The fp
// units are sequential FSMs (one item in flight, a fixed 9..19 cycles per item), so `Units` beats
// overlap and the throughput is `Units` beats per item period.
//
// Why lane-parallel instances rather than 32 scalar ones per index: one control FSM per beat
// instead of 32, and Verilator emits C++ per module instance, so 32 x Units scalar instances made
// the post-op unit too large to verilate inside the accelerator top.
//
// Order without a counter: instance k only ever holds beats k, k + Units, ...; it takes the next
// one only after its result was collected, so the instance at rd_ptr always holds the oldest beat
// not yet collected (or nothing, when rd_ptr == wr_ptr).
//
// Abort: the fp units drop their item (also one accepted in the abort cycle) and are idle the next
// cycle, so no stale result can appear later and the pointers simply restart at 0.
module rsn_memc_post_vfn #(
  parameter int unsigned Fn    = 0,  // 0 exp, 1 recip, 2 rsqrt, 3 gelu
  parameter int unsigned Units = 1   // instances, 1..16
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

  if (Units < 1 || Units > 16) begin : gen_bad_units
    $error("rsn_memc_post_vfn: Units must be 1..16");
  end
  if (Fn > 3) begin : gen_bad_fn
    $error("rsn_memc_post_vfn: Fn must be 0..3");
  end

  logic [Units-1:0]          u_in_valid, u_in_ready, u_out_valid, u_out_ready;
  logic [Units*32*Lanes-1:0] u_out_data;  // instance k: bits [32*Lanes*k +: 32*Lanes]
  logic [PtrW-1:0]           wr_ptr_q, wr_ptr_d, rd_ptr_q, rd_ptr_d;
  logic                      dispatch, collect;

  for (genvar k = 0; k < Units; k++) begin : gen_unit
    assign u_in_valid[k]  = in_valid_i && (32'(wr_ptr_q) == k);
    assign u_out_ready[k] = out_ready_i && (32'(rd_ptr_q) == k);

    if (Fn == 0) begin : gen_exp
      rsn_fp32_exp #(
        .Lanes(Lanes)
      ) u_fn (
        .clk_i,
        .rst_ni,
        .abort_i,
        .in_a_i     (in_data_i),
        .in_valid_i (u_in_valid[k]),
        .in_ready_o (u_in_ready[k]),
        .out_data_o (u_out_data[32*Lanes*k +: 32*Lanes]),
        .out_valid_o(u_out_valid[k]),
        .out_ready_i(u_out_ready[k])
      );
    end else if (Fn == 1) begin : gen_recip
      rsn_fp32_recip #(
        .Lanes(Lanes)
      ) u_fn (
        .clk_i,
        .rst_ni,
        .abort_i,
        .in_a_i     (in_data_i),
        .in_valid_i (u_in_valid[k]),
        .in_ready_o (u_in_ready[k]),
        .out_data_o (u_out_data[32*Lanes*k +: 32*Lanes]),
        .out_valid_o(u_out_valid[k]),
        .out_ready_i(u_out_ready[k])
      );
    end else if (Fn == 2) begin : gen_rsqrt
      rsn_fp32_rsqrt #(
        .Lanes(Lanes)
      ) u_fn (
        .clk_i,
        .rst_ni,
        .abort_i,
        .in_a_i     (in_data_i),
        .in_valid_i (u_in_valid[k]),
        .in_ready_o (u_in_ready[k]),
        .out_data_o (u_out_data[32*Lanes*k +: 32*Lanes]),
        .out_valid_o(u_out_valid[k]),
        .out_ready_i(u_out_ready[k])
      );
    end else begin : gen_gelu
      rsn_fp32_gelu #(
        .Lanes(Lanes)
      ) u_fn (
        .clk_i,
        .rst_ni,
        .abort_i,
        .in_a_i     (in_data_i),
        .in_valid_i (u_in_valid[k]),
        .in_ready_o (u_in_ready[k]),
        .out_data_o (u_out_data[32*Lanes*k +: 32*Lanes]),
        .out_valid_o(u_out_valid[k]),
        .out_ready_i(u_out_ready[k])
      );
    end
  end

  assign in_ready_o  = u_in_ready[wr_ptr_q] && !abort_i;
  assign dispatch    = in_valid_i && in_ready_o;
  assign out_valid_o = u_out_valid[rd_ptr_q];
  assign out_data_o  = u_out_data[32*Lanes*rd_ptr_q +: 32*Lanes];
  assign collect     = out_valid_o && out_ready_i;
  // An instance that is not idle holds a beat in progress or a result not yet collected.
  assign busy_o      = !(&u_in_ready);

  always_comb begin
    wr_ptr_d = wr_ptr_q;
    rd_ptr_d = rd_ptr_q;
    if (dispatch) begin
      wr_ptr_d = (32'(wr_ptr_q) == Units - 1) ? '0 : wr_ptr_q + PtrW'(1);
    end
    if (collect) begin
      rd_ptr_d = (32'(rd_ptr_q) == Units - 1) ? '0 : rd_ptr_q + PtrW'(1);
    end
    if (abort_i) begin
      wr_ptr_d = '0;
      rd_ptr_d = '0;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      wr_ptr_q <= '0;
      rd_ptr_q <= '0;
    end else begin
      wr_ptr_q <= wr_ptr_d;
      rd_ptr_q <= rd_ptr_d;
    end
  end

endmodule
