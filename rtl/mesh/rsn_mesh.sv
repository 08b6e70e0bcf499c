// MeshA / MeshB FU: per uOP, moves `blocks` 128x128 blocks (512 beats each) from every selected
// source to the engines that select it, as host/src/model/mesh.rs does
// (topology::mesh_routes: one route per distinct active source code). Routes run concurrently and
// independently; a beat leaves its source only when every destination engine takes it
// (rsn_stream_fork); the uOP ends when every route has moved its blocks. See mesh/README.md.
//
// Source index s carries code s+1: MeshA 0-2 = MemA0-2, 3-6 = MemC0-3; MeshB 0-2 = MemB0-2.
module rsn_mesh #(
  parameter int unsigned IsMeshB = 0,
  localparam int unsigned NumSrc = (IsMeshB != 0) ? 3 : 7
) (
  input  logic                   clk_i,
  input  logic                   rst_ni,
  input  logic                   abort_i,
  // uOPs of an rsn_mop_expander with PayloadWords = 2; taken into a one-entry holding register.
  /* verilator lint_off UNUSEDSIGNAL */  // routing does not depend on the iteration
  input  logic [15:0]            uop_iter_i,
  /* verilator lint_on UNUSEDSIGNAL */
  input  logic [63:0]            uop_payload_i,
  input  logic                   uop_valid_i,
  output logic                   uop_ready_o,
  // Source block streams (source s in bits [1024*s +: 1024]).
  input  logic [NumSrc*1024-1:0] src_data_i,
  /* verilator lint_off UNUSEDSIGNAL */  // block boundaries come from the route's own beat count
  input  logic [NumSrc-1:0]      src_last_i,
  /* verilator lint_on UNUSEDSIGNAL */
  input  logic [NumSrc-1:0]      src_valid_i,
  output logic [NumSrc-1:0]      src_ready_o,
  // Engine block streams (engine e in bits [1024*e +: 1024]); `last` on each block's beat 511.
  output logic [6*1024-1:0]      eng_data_o,
  output logic [5:0]             eng_last_o,
  output logic [5:0]             eng_valid_o,
  input  logic [5:0]             eng_ready_i,
  output logic                   busy_o,
  output logic                   wait_in_o,
  output logic                   wait_out_o
);

  localparam int unsigned Engines = 6;
  localparam int unsigned BeatW = 1024;
  localparam int unsigned ItemW = BeatW + 1;  // {last, data} once the route has counted the beat
  // Register slices before the route logic and after it: 1 + 3 = the 4-cycle latency of
  // bitstreams/rsn-xnn.toml [mesh]; the input slice also cuts src_ready_o from the fork.
  localparam int unsigned InSlices = 1;
  localparam int unsigned OutSlices = 3;
  localparam int unsigned SelW = $clog2(NumSrc);  // rsn_stream_mux select width; NumSrc = none
  localparam logic [SelW-1:0] SelNone = SelW'(NumSrc);
  // Cycles of flushing after abort_i: every slice drains its two entries in two cycles.
  localparam logic [1:0] FlushCycles = 2'd2;

  // Source codes each engine is wired to (bit c = code c; docs/isa.md Routing table).
  localparam logic [Engines*8-1:0] RoutesA = {rsn_isa_pkg::MeshARoutes5, rsn_isa_pkg::MeshARoutes4,
                                              rsn_isa_pkg::MeshARoutes3, rsn_isa_pkg::MeshARoutes2,
                                              rsn_isa_pkg::MeshARoutes1, rsn_isa_pkg::MeshARoutes0};
  localparam logic [Engines*8-1:0] RoutesB = {4'b0, rsn_isa_pkg::MeshBRoutes5, 4'b0, rsn_isa_pkg::MeshBRoutes4,
                                              4'b0, rsn_isa_pkg::MeshBRoutes3, 4'b0, rsn_isa_pkg::MeshBRoutes2,
                                              4'b0, rsn_isa_pkg::MeshBRoutes1, 4'b0, rsn_isa_pkg::MeshBRoutes0};
  localparam logic [Engines*8-1:0] Routes = (IsMeshB != 0) ? RoutesB : RoutesA;

  // ------------------------------------------------------------------------------------------
  // uOP decode: each engine's source index, or SelNone for code 0 and for a code the engine is
  // not wired to (the validator rejects those; ignoring the engine keeps the mesh from hanging).
  // Every wired code is <= NumSrc, so code - 1 is a valid source index.
  /* verilator lint_off UNUSEDSIGNAL */  // reserved bits (and MeshA's layout in MeshB, vice versa)
  rsn_isa_pkg::mesha_op_w0_t w0;
  rsn_isa_pkg::mesha_op_w1_t w1a;
  rsn_isa_pkg::meshb_op_w1_t w1b;
  /* verilator lint_on UNUSEDSIGNAL */
  logic [Engines*3-1:0]    code;
  logic [Engines*SelW-1:0] new_sel;

  // MeshA and MeshB word 0 share one layout (blocks in 15:0).
  assign w0  = uop_payload_i[31:0];
  assign w1a = uop_payload_i[63:32];
  assign w1b = uop_payload_i[63:32];

  always_comb begin
    if (IsMeshB != 0) begin
      code = {{1'b0, w1b.src5}, {1'b0, w1b.src4}, {1'b0, w1b.src3},
              {1'b0, w1b.src2}, {1'b0, w1b.src1}, {1'b0, w1b.src0}};
    end else begin
      code = {w1a.src5, w1a.src4, w1a.src3, w1a.src2, w1a.src1, w1a.src0};
    end
    for (int unsigned e = 0; e < Engines; e++) begin
      if (code[3*e +: 3] != 3'd0 && Routes[8*e + 32'(code[3*e +: 3])]) begin
        new_sel[SelW*e +: SelW] = SelW'(code[3*e +: 3] - 3'd1);
      end else begin
        new_sel[SelW*e +: SelW] = SelNone;
      end
    end
  end

  // ------------------------------------------------------------------------------------------
  // State. The holding register lets the next uOP start on the edge where the current one ends.
  logic                          pend_valid_q, pend_valid_d;
  logic [15:0]                   pend_blocks_q, pend_blocks_d;
  logic [Engines*SelW-1:0]       pend_sel_q, pend_sel_d;
  logic [Engines*SelW-1:0]       sel_q, sel_d;
  logic [NumSrc-1:0]             active_q, active_d;
  logic [NumSrc*16-1:0]          blocks_left_q, blocks_left_d;
  logic [NumSrc*9-1:0]           beat_q, beat_d;
  logic [1:0]                    flush_cnt_q, flush_cnt_d;
  logic                          flush;

  assign flush = (flush_cnt_q != 2'd0);

  // Route data path signals (per source).
  logic [NumSrc-1:0]             rt_valid, rt_ready;     // input slice output
  logic [NumSrc*BeatW-1:0]       rt_data;
  logic [NumSrc-1:0]             fire, last_beat, route_end;
  logic [NumSrc-1:0]             fork_in_valid, fork_in_ready;
  logic [NumSrc*ItemW-1:0]       fork_data;
  logic [NumSrc*Engines-1:0]     fork_valid, fork_ready;
  // Engine mux ready per (engine, source).
  logic [Engines*NumSrc-1:0]     mux_in_ready;

  // ------------------------------------------------------------------------------------------
  // Input slices, one chain per source; flush empties every slice independently.
  for (genvar s = 0; s < NumSrc; s++) begin : gen_src
    logic [InSlices:0]            lv, lr;
    logic [(InSlices+1)*BeatW-1:0] ld;

    assign lv[0]          = src_valid_i[s];
    assign ld[0 +: BeatW]  = src_data_i[BeatW*s +: BeatW];
    assign src_ready_o[s] = lr[0] && !flush;

    for (genvar k = 0; k < InSlices; k++) begin : gen_slice
      logic slice_ready;
      rsn_stream_reg #(
        .Width (BeatW)
      ) u_slice (
        .clk_i,
        .rst_ni,
        .in_data_i   (ld[BeatW*k +: BeatW]),
        .in_valid_i  (lv[k] && !flush),
        .in_ready_o  (slice_ready),
        .out_data_o  (ld[BeatW*(k+1) +: BeatW]),
        .out_valid_o (lv[k+1]),
        .out_ready_i (lr[k+1])
      );
      if (k == 0) begin : gen_first
        assign lr[k] = slice_ready;
      end else begin : gen_inner
        assign lr[k] = slice_ready || flush;
      end
    end

    assign rt_valid[s]   = lv[InSlices];
    assign rt_data[BeatW*s +: BeatW] = ld[BeatW*InSlices +: BeatW];
    assign lr[InSlices]  = rt_ready[s];

    // Route s: counts its beats and marks each block's beat 511. While flushing, the fork takes
    // one dummy item with every output ready, which clears its record of a half-broadcast beat.
    assign last_beat[s]     = (beat_q[9*s +: 9] == 9'd511);
    assign fork_in_valid[s] = flush || (rt_valid[s] && active_q[s]);
    assign rt_ready[s]      = flush || (fork_in_ready[s] && active_q[s]);
    assign fire[s]          = !flush && rt_valid[s] && active_q[s] && fork_in_ready[s];
    assign route_end[s]     = fire[s] && last_beat[s] && (blocks_left_q[16*s +: 16] == 16'd1);

    // Engines that do not take this route count as having taken every beat.
    for (genvar e = 0; e < Engines; e++) begin : gen_dst
      assign fork_ready[Engines*s + e] = flush || (sel_q[SelW*e +: SelW] != SelW'(s)) ||
                                        mux_in_ready[NumSrc*e + s];
    end

    rsn_stream_fork #(
      .Width (ItemW),
      .N     (Engines)
    ) u_fork (
      .clk_i,
      .rst_ni,
      .in_data_i   ({last_beat[s], rt_data[BeatW*s +: BeatW]}),
      .in_valid_i  (fork_in_valid[s]),
      .in_ready_o  (fork_in_ready[s]),
      .out_data_o  (fork_data[ItemW*s +: ItemW]),
      .out_valid_o (fork_valid[Engines*s +: Engines]),
      .out_ready_i (fork_ready[Engines*s +: Engines])
    );
  end

  // ------------------------------------------------------------------------------------------
  // Per engine: select the route's fork output, then the output slices.
  for (genvar e = 0; e < Engines; e++) begin : gen_eng
    logic [NumSrc-1:0]             mux_valid;
    logic [OutSlices:0]            lv, lr;
    logic [(OutSlices+1)*ItemW-1:0] ld;

    for (genvar s = 0; s < NumSrc; s++) begin : gen_in
      assign mux_valid[s] = fork_valid[Engines*s + e];
    end

    rsn_stream_mux #(
      .Width (ItemW),
      .N     (NumSrc)
    ) u_mux (
      .sel_i       (sel_q[SelW*e +: SelW]),
      .in_data_i   (fork_data),
      .in_valid_i  (mux_valid),
      .in_ready_o  (mux_in_ready[NumSrc*e +: NumSrc]),
      .out_data_o  (ld[0 +: ItemW]),
      .out_valid_o (lv[0]),
      .out_ready_i (lr[0])
    );

    for (genvar k = 0; k < OutSlices; k++) begin : gen_slice
      logic slice_ready;
      rsn_stream_reg #(
        .Width (ItemW)
      ) u_slice (
        .clk_i,
        .rst_ni,
        .in_data_i   (ld[ItemW*k +: ItemW]),
        .in_valid_i  (lv[k] && !flush),
        .in_ready_o  (slice_ready),
        .out_data_o  (ld[ItemW*(k+1) +: ItemW]),
        .out_valid_o (lv[k+1]),
        .out_ready_i (lr[k+1])
      );
      assign lr[k] = slice_ready || flush;
    end

    assign eng_valid_o[e]               = lv[OutSlices] && !flush;
    assign eng_data_o[BeatW*e +: BeatW] = ld[ItemW*OutSlices +: BeatW];
    assign eng_last_o[e]                = ld[ItemW*OutSlices + BeatW];
    assign lr[OutSlices]                = eng_ready_i[e] || flush;
  end

  // ------------------------------------------------------------------------------------------
  // Control.
  logic all_end;
  assign all_end     = &(~active_q | route_end);
  assign uop_ready_o = !pend_valid_q && !flush;

  always_comb begin
    pend_valid_d  = pend_valid_q;
    pend_blocks_d = pend_blocks_q;
    pend_sel_d    = pend_sel_q;
    sel_d         = sel_q;
    active_d      = active_q;
    blocks_left_d = blocks_left_q;
    beat_d        = beat_q;
    flush_cnt_d   = flush ? flush_cnt_q - 2'd1 : 2'd0;

    for (int unsigned s = 0; s < NumSrc; s++) begin
      if (fire[s]) begin
        beat_d[9*s +: 9] = beat_q[9*s +: 9] + 9'd1;
        if (last_beat[s]) begin
          blocks_left_d[16*s +: 16] = blocks_left_q[16*s +: 16] - 16'd1;
          if (blocks_left_q[16*s +: 16] == 16'd1) begin
            active_d[s] = 1'b0;
          end
        end
      end
    end

    if (pend_valid_q && all_end) begin
      // Start the held uOP: one route per source some engine selects (a zero block count, which
      // the validator rejects, makes no route).
      pend_valid_d = 1'b0;
      sel_d        = pend_sel_q;
      for (int unsigned s = 0; s < NumSrc; s++) begin
        active_d[s] = 1'b0;
        for (int unsigned e = 0; e < Engines; e++) begin
          if (pend_sel_q[SelW*e +: SelW] == SelW'(s) && pend_blocks_q != 16'd0) begin
            active_d[s] = 1'b1;
          end
        end
        blocks_left_d[16*s +: 16] = pend_blocks_q;
        beat_d[9*s +: 9]          = 9'd0;
      end
    end

    if (uop_valid_i && uop_ready_o) begin
      pend_valid_d  = 1'b1;
      pend_blocks_d = w0.blocks;
      pend_sel_d    = new_sel;
    end

    if (abort_i) begin
      pend_valid_d = 1'b0;
      active_d     = '0;
      flush_cnt_d  = FlushCycles;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      pend_valid_q  <= 1'b0;
      pend_blocks_q <= '0;
      pend_sel_q    <= {Engines{SelNone}};
      sel_q         <= {Engines{SelNone}};
      active_q      <= '0;
      blocks_left_q <= '0;
      beat_q        <= '0;
      flush_cnt_q   <= 2'd0;
    end else begin
      pend_valid_q  <= pend_valid_d;
      pend_blocks_q <= pend_blocks_d;
      pend_sel_q    <= pend_sel_d;
      sel_q         <= sel_d;
      active_q      <= active_d;
      blocks_left_q <= blocks_left_d;
      beat_q        <= beat_d;
      flush_cnt_q   <= flush_cnt_d;
    end
  end

  // ------------------------------------------------------------------------------------------
  // Status. A cycle in which no route moves a beat is a stall: for input if some active route has
  // no beat to offer, else for output (every active route holds a beat some engine refuses).
  logic any_fire, any_starved, any_blocked;
  assign any_fire    = |fire;
  assign any_starved = |(active_q & ~rt_valid);
  assign any_blocked = |(active_q & rt_valid & ~fork_in_ready);

  assign busy_o     = (|active_q) || pend_valid_q;
  assign wait_in_o  = (|active_q) && !any_fire && any_starved;
  assign wait_out_o = (|active_q) && !any_fire && !any_starved && any_blocked;

endmodule
