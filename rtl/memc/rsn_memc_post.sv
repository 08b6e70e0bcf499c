// MemC post-op unit: softmax, LayerNorm (whole row or split across the MemC pair) and GELU over a
// group of up to 32 rows, bit for bit as host/src/numerics.rs (softmax_row, layernorm_row, gelu)
// and the model's split LayerNorm (`pair_*` in host/src/model/memc.rs).
//
// A group arrives as column beats (lane i = row i) and leaves as column beats in the same order.
// Lane i owns row i: every reduction of the contract is a left-to-right chain along a row, which
// here is one binary32 operation per column beat in that lane, so the 32 rows run in parallel and
// no chain is ever reordered. Softmax and LayerNorm need several passes over the row, so the group
// is held in a 512 x 1024-bit buffer (one write port, one registered read port) and rewritten in
// place between passes (e_j for softmax, d_j = x_j - mean for LayerNorm):
//
//   softmax:   load (max) -> exp pass (e = exp(x - m), s += e) -> recip(s) -> out (e * r)
//   LayerNorm: load (sum) [-> pair: swap sums] -> mean -> centre pass (d = x - mean, q += d*d)
//              [-> pair: swap q] -> rsqrt(q * inv_n + eps) -> out (((d * rstd) * g) + b)
//   GELU:      streams through the gelu units, no buffer
//   op 0:      load -> out unchanged (not used by MemC; keeps the unit total)
//
// Each lane has two adders and two multipliers (rsn_fp32_pkg functions), shared between the
// passes. The nonlinear functions are the lane-parallel rtl/fp FSM units (32 lanes, one control
// FSM each) in rsn_memc_post_vfn: ExpUnits / GeluUnits instances used round robin, one recip and
// one rsqrt (the recip unit also computes the group's inv_n = recip(n) for LayerNorm).
module rsn_memc_post #(
  parameter int unsigned ExpUnits  = 2,
  parameter int unsigned GeluUnits = 3,
  // Lanes with their adders and multipliers (1..32). The unit always has 32 lanes (its ports are
  // 32 floats wide) and is only ever built with 32. Fewer exist for the open fit flow alone
  // (docs/fit.md): synthesising the 32 lanes' FP call sites at once does not finish in Yosys, so
  // it measures 1 and 2 lanes and extrapolates; lanes >= FitLanes then compute zeros.
  parameter int unsigned FitLanes  = 32
) (
  input  logic          clk_i,
  input  logic          rst_ni,
  input  logic          abort_i,
  input  logic [1:0]    cfg_op_i,
  input  logic [9:0]    cfg_cols_i,
  input  logic [5:0]    cfg_rows_i,
  input  logic [31:0]   cfg_eps_i,
  input  logic          cfg_pair_i,
  input  logic [10:0]   cfg_total_i,
  input  logic          cfg_valid_i,
  output logic          cfg_ready_o,
  input  logic [1023:0] in_data_i,
  input  logic [31:0]   in_gamma_i,
  input  logic [31:0]   in_beta_i,
  input  logic          in_valid_i,
  output logic          in_ready_o,
  output logic [1023:0] out_data_o,
  output logic          out_valid_o,
  input  logic          out_ready_i,
  output logic [31:0]   pair_data_o,
  output logic          pair_valid_o,
  input  logic          pair_ready_i,
  input  logic [31:0]   pair_data_i,
  input  logic          pair_valid_i,
  output logic          pair_ready_o,
  output logic          busy_o
);

  // Not flattened into each MemC: its own C++ module in the verilated model (measured in the
  // co-simulation top: a fifth less C++, a quarter less build time, no slower).
  /* verilator no_inline_module */

  localparam int unsigned Lanes   = 32;
  localparam int unsigned MaxCols = 512;

  if (FitLanes < 1 || FitLanes > Lanes) begin : gen_bad_fit_lanes
    $error("rsn_memc_post: FitLanes must be 1..32");
  end

  localparam logic [1:0] OpNone    = 2'd0;
  localparam logic [1:0] OpSoftmax = 2'd1;
  localparam logic [1:0] OpLn      = 2'd2;
  localparam logic [1:0] OpGelu    = 2'd3;

  typedef enum logic [3:0] {
    StIdle,
    StLoad,       // take the group into the buffer; softmax max / LayerNorm sum per lane
    StExp,        // softmax: e = exp(x - m) written back, s = sum of e
    StRecip,      // softmax: hand s to the recip units
    StRecipWait,  //          r = recip(s)
    StX1,         // pair LayerNorm: send own row sums, receive the partner's
    StMean,       // LayerNorm: mean = sum * inv_n (pair: (own + partner's) * inv_n)
    StCenter,     // LayerNorm: d = x - mean written back, q = sum of d*d
    StX2,         // pair LayerNorm: send own q, receive the partner's
    StVar,        // LayerNorm: hand q * inv_n + eps to the rsqrt units
    StVarWait,    //            rstd = rsqrt(...)
    StOut,        // read the buffer, finish each element, emit column beats
    StGelu        // GELU: in -> gelu units -> out
  } state_e;

  state_e state_q, state_d;

  // Group configuration.
  logic [1:0]  op_q, op_d;
  logic [9:0]  cols_q, cols_d;
  logic [5:0]  rows_q, rows_d;
  logic [31:0] eps_q, eps_d;
  logic        pair_q, pair_d;
  logic [9:0]  last_col;

  // inv_n = recip(n) for LayerNorm: requested at cfg time, kept once it arrives.
  logic [31:0] nf_q, nf_d, invn_q, invn_d;
  logic        invn_req_q, invn_req_d, invn_have_q, invn_have_d;
  logic [10:0] n_int;
  logic [31:0] n_float;
  logic [3:0]  n_msb;
  logic [22:0] n_frac;

  // Counters: input beats, buffer read issue, results written back / emitted, pair words.
  logic [9:0] in_cnt_q, in_cnt_d;
  logic [9:0] rd_cnt_q, rd_cnt_d;
  logic [9:0] wr_cnt_q, wr_cnt_d;
  logic [5:0] send_cnt_q, send_cnt_d, recv_cnt_q, recv_cnt_d;

  // Per-lane registers: acc = running sum (LayerNorm sum, softmax s, LayerNorm q), sc = the row's
  // scalar (softmax max then r, LayerNorm mean then rstd), th = the partner's partial sum. Written
  // only when they change (acc_en, sc_en, ...), never copied onto themselves.
  logic [1023:0] acc_q, sc_q, th_q;
  logic          acc_en, sc_en;

  // Buffer read pipeline: rdata_q/prdata_q hold column ridx_q while rvalid_q.
  logic [1023:0] rdata_q;
  logic [63:0]   prdata_q;
  logic          rvalid_q, rvalid_d;
  logic [8:0]    ridx_q, ridx_d;
  logic          rd_active, sink_ready, consume, issue, ridx_last;

  // Buffer write port.
  logic          d_we;
  logic [8:0]    d_waddr;
  logic [1023:0] d_wdata;

  // Output register (cleared by abort, which a plain rsn_stream_reg cannot do).
  logic          out_valid_q, out_valid_d, out_adv, out_load;
  logic [1023:0] out_data_q;

  // Strobes.
  logic cfg_fire, in_fire, ld_fire, ld_last, ex_fire, ctr_fire, mean_fire, rc_fire, rs_fire;
  logic invn_fire, send_fire, recv_fire, gelu_out_fire;

  // Function unit arrays.
  logic [1023:0] exp_in, exp_out, rc_in, rc_out, rs_in, rs_out, gelu_out;
  logic          exp_in_valid, exp_in_ready, exp_out_valid, exp_out_ready, exp_busy;
  logic          rc_in_valid, rc_in_ready, rc_out_valid, rc_out_ready, rc_busy;
  logic          rs_in_valid, rs_in_ready, rs_out_valid, rs_out_ready, rs_busy;
  logic          gelu_in_valid, gelu_in_ready, gelu_out_valid, gelu_out_ready, gelu_busy;

  // Lane outputs.
  logic [1023:0] lane_y, lane_wdata, lane_acc, lane_sc;

  assign last_col = cols_q - 10'd1;

  // ---------------------------------------------------------------------------------------------
  // n as binary32 (n <= 1024 is exact): leading one -> exponent, the bits below -> fraction.
  assign n_int = (cfg_op_i == OpLn && cfg_pair_i) ? cfg_total_i : {1'b0, cfg_cols_i};
  always_comb begin
    n_msb = 4'd0;
    for (int unsigned b = 0; b < 11; b++) begin
      if (n_int[b]) begin
        n_msb = 4'(b);
      end
    end
  end
  // Shifting the leading one to bit 23 drops it from the 23-bit fraction.
  assign n_frac  = 23'({12'd0, n_int} << (5'd23 - {1'b0, n_msb}));
  assign n_float = (n_int == 11'd0) ? 32'h0 : {1'b0, 8'd127 + {4'd0, n_msb}, n_frac};

  // ---------------------------------------------------------------------------------------------
  // Buffer: one write port, one registered read port with enable (held while the sink stalls).
  logic [1023:0] dmem_q [MaxCols];
  logic [63:0]   pmem_q [MaxCols];

  always_ff @(posedge clk_i) begin
    if (d_we) begin
      dmem_q[d_waddr] <= d_wdata;
    end
  end
  always_ff @(posedge clk_i) begin
    if (ld_fire && op_q == OpLn) begin
      pmem_q[in_cnt_q[8:0]] <= {in_beta_i, in_gamma_i};
    end
  end
  always_ff @(posedge clk_i) begin
    if (issue) begin
      rdata_q  <= dmem_q[rd_cnt_q[8:0]];
      prdata_q <= pmem_q[rd_cnt_q[8:0]];
    end
  end

  assign rd_active  = (state_q == StExp) || (state_q == StCenter) || (state_q == StOut);
  always_comb begin
    unique case (state_q)
      StExp:    sink_ready = exp_in_ready;
      StOut:    sink_ready = out_adv;
      default:  sink_ready = 1'b1;  // StCenter never stalls
    endcase
  end
  assign consume   = rvalid_q && sink_ready && rd_active;
  assign issue     = rd_active && (rd_cnt_q != cols_q) && (!rvalid_q || consume);
  assign ridx_last = ({1'b0, ridx_q} == last_col);

  // ---------------------------------------------------------------------------------------------
  // Handshakes and strobes.
  assign cfg_ready_o = (state_q == StIdle) && !abort_i;
  assign cfg_fire    = cfg_valid_i && cfg_ready_o;

  assign in_ready_o = !abort_i && ((state_q == StLoad) ||
                      ((state_q == StGelu) && (in_cnt_q != cols_q) && gelu_in_ready));
  assign in_fire    = in_valid_i && in_ready_o;
  assign ld_fire    = in_fire && (state_q == StLoad);
  assign ld_last    = ld_fire && (in_cnt_q == last_col);

  assign exp_in        = lane_y;  // lane_y is x - m during StExp
  assign exp_in_valid  = (state_q == StExp) && rvalid_q;
  assign exp_out_ready = (state_q == StExp);
  assign ex_fire       = exp_out_valid && exp_out_ready;

  assign ctr_fire  = (state_q == StCenter) && consume;
  assign mean_fire = (state_q == StMean) && invn_have_q;

  assign rc_in_valid  = invn_req_q || (state_q == StRecip);
  assign rc_in        = invn_req_q ? {Lanes{nf_q}} : acc_q;
  assign rc_out_ready = (op_q == OpLn) ? (!invn_have_q && !invn_req_q && state_q != StIdle)
                                       : (state_q == StRecipWait);
  assign invn_fire    = (op_q == OpLn) && rc_out_valid && rc_out_ready;
  assign rc_fire      = (state_q == StRecipWait) && rc_out_valid;

  assign rs_in_valid  = (state_q == StVar);
  assign rs_out_ready = (state_q == StVarWait);
  assign rs_fire      = rs_out_valid && rs_out_ready;

  assign gelu_in_valid  = (state_q == StGelu) && in_valid_i && (in_cnt_q != cols_q);
  assign gelu_out_ready = (state_q == StGelu) && out_adv;
  assign gelu_out_fire  = gelu_out_valid && gelu_out_ready;

  // Pair words: own partial sums in row order, the partner's stored by row.
  assign pair_valid_o = ((state_q == StX1) || (state_q == StX2)) && (send_cnt_q != rows_q);
  assign pair_data_o  = acc_q[32*send_cnt_q[4:0] +: 32];
  assign pair_ready_o = ((state_q == StX1) || (state_q == StX2)) && (recv_cnt_q != rows_q);
  assign send_fire    = pair_valid_o && pair_ready_i;
  assign recv_fire    = pair_valid_i && pair_ready_o;

  assign out_adv     = !out_valid_q || out_ready_i;
  assign out_load    = ((state_q == StOut) && consume) || gelu_out_fire;
  assign out_valid_o = out_valid_q;
  assign out_data_o  = out_data_q;

  // The function units drop their work on abort_i and are idle the cycle after, as is the control,
  // so they never hold busy_o up by themselves; they are included so that busy_o never hides a
  // beat inside them.
  assign busy_o = (state_q != StIdle) || out_valid_q || exp_busy || rc_busy || rs_busy || gelu_busy;

  // ---------------------------------------------------------------------------------------------
  // Lanes: per lane two adders and two multipliers, one rsn_fp32_pkg call site each (a call site
  // is one combinational datapath in synthesis), chained a1 -> m1 -> m2 -> a2 by the operand
  // muxes (no structural loop). a - b is a + (-b) in IEEE arithmetic, bit for bit.
  //
  // Each call is made only in the cycles whose result is used (the *_on strobes: a beat taken by
  // its sink, a register written), and the lane loop only runs in such cycles (lanes_on), so an
  // idle or stalled unit costs the simulator no per-lane work (Verilator evaluates combinational
  // logic every cycle); the lane outputs are 0 otherwise, which nothing samples. The per-lane
  // registers are written only when they change (p_lane_regs).
  logic a1_on, m1_on, m2_on, a2_on, lanes_on, exp_go, out_go;
  // A beat taken by the exp units; a beat emitted from the buffer (StOut).
  assign exp_go   = exp_in_valid && exp_in_ready;
  assign out_go   = (state_q == StOut) && consume;
  // x - m (exp pass), d = x - mean (centre pass), own + partner's sum (pair mean / variance).
  assign a1_on    = exp_go || ctr_fire || (pair_q && (mean_fire || state_q == StVar));
  // d*d (centre), sum * inv_n (mean), q * inv_n (variance), e*r / d*rstd (out).
  assign m1_on    = ctr_fire || (out_go && (op_q == OpSoftmax || op_q == OpLn)) || mean_fire ||
                    (state_q == StVar);
  // (d*rstd)*gamma (LayerNorm out).
  assign m2_on    = out_go && (op_q == OpLn);
  // Running sums (load, exp pass, centre pass), + eps (variance), + beta (LayerNorm out).
  assign a2_on    = (ld_fire && op_q == OpLn) || ex_fire || ctr_fire || (state_q == StVar) || m2_on;
  // Also the loads (softmax max, buffer write data) and the plain copy out (op 0).
  assign lanes_on = a1_on || m1_on || a2_on || ld_fire || out_go;

  assign acc_en = (ld_fire && op_q == OpLn) || ex_fire || ctr_fire;
  assign sc_en  = (ld_fire && op_q == OpSoftmax) || mean_fire;

  // The contract's `v > m` (numerics::softmax_row): false with a NaN on either side and for +-0
  // against +-0; otherwise an order on sign and magnitude.
  function automatic logic fp32_gt(input logic [31:0] v, input logic [31:0] m);
    if (rsn_fp32_pkg::fp32_is_nan(v[30:0]) || rsn_fp32_pkg::fp32_is_nan(m[30:0])) begin
      fp32_gt = 1'b0;
    end else if ((v[30:0] == 31'd0) && (m[30:0] == 31'd0)) begin
      fp32_gt = 1'b0;
    end else if (v[31] != m[31]) begin
      fp32_gt = !v[31];
    end else if (!v[31]) begin
      fp32_gt = v[30:0] > m[30:0];
    end else begin
      fp32_gt = v[30:0] < m[30:0];
    end
  endfunction

  always_comb begin : p_lanes
    logic [31:0] x_in, x_rd, acc, sc, th, gamma, beta, e;
    logic [31:0] a1_a, a1_b, a1_r, a2_a, a2_b, a2_r, m1_a, m1_b, m1_r, m2_r;
    logic [31:0] norm;
    // No latches: the locals are only used while lanes_on.
    {x_in, x_rd, acc, sc, th, gamma, beta, e} = '0;
    {a1_a, a1_b, a1_r, a2_a, a2_b, a2_r, m1_a, m1_b, m1_r, m2_r, norm} = '0;
    lane_y     = '0;
    lane_wdata = '0;
    lane_acc   = '0;
    lane_sc    = '0;
    if (lanes_on) begin
      gamma = prdata_q[31:0];
      beta  = prdata_q[63:32];
      for (int l = 0; l < FitLanes; l++) begin
        x_in = in_data_i[32*l +: 32];
        x_rd = rdata_q[32*l +: 32];
        acc  = acc_q[32*l +: 32];
        sc   = sc_q[32*l +: 32];
        th   = th_q[32*l +: 32];
        e    = exp_out[32*l +: 32];

        a1_a = x_rd;
        a1_b = {~sc[31], sc[30:0]};
        if (state_q == StMean || state_q == StVar) begin
          a1_a = acc;
          a1_b = th;
        end
        a1_r = '0;
        if (a1_on) begin
          a1_r = rsn_fp32_pkg::fp32_add(a1_a, a1_b);
        end

        // (own + partner's) partial sum of a pair LayerNorm, or the own sum alone; never `+ 0`,
        // which would turn a -0 sum into +0.
        norm = pair_q ? a1_r : acc;

        m1_a = x_rd;
        m1_b = sc;
        unique case (state_q)
          StMean, StVar: begin
            m1_a = norm;
            m1_b = invn_q;
          end
          StCenter: begin
            m1_a = a1_r;
            m1_b = a1_r;
          end
          default: ;
        endcase
        m1_r = '0;
        if (m1_on) begin
          m1_r = rsn_fp32_pkg::fp32_mul(m1_a, m1_b);
        end

        m2_r = '0;
        if (m2_on) begin
          m2_r = rsn_fp32_pkg::fp32_mul(m1_r, gamma);
        end

        a2_a = acc;
        a2_b = x_in;
        unique case (state_q)
          StVar: begin
            a2_a = m1_r;
            a2_b = eps_q;
          end
          StExp:    a2_b = e;
          StCenter: a2_b = m1_r;
          StOut: begin
            a2_a = m2_r;
            a2_b = beta;
          end
          default: ;
        endcase
        a2_r = '0;
        if (a2_on) begin
          a2_r = rsn_fp32_pkg::fp32_add(a2_a, a2_b);
        end

        // The new acc (acc_en: load, exp pass or centre pass) and sc (sc_en: softmax load or mean).
        unique case (state_q)
          StLoad:  lane_acc[32*l +: 32] = (in_cnt_q == 10'd0) ? x_in : a2_r;
          StExp:   lane_acc[32*l +: 32] = (wr_cnt_q == 10'd0) ? e : a2_r;
          default: lane_acc[32*l +: 32] = (ridx_q == 9'd0) ? m1_r : a2_r;
        endcase
        if (state_q == StLoad) begin
          lane_sc[32*l +: 32] = ((in_cnt_q == 10'd0) || fp32_gt(x_in, sc)) ? x_in : sc;
        end else begin
          lane_sc[32*l +: 32] = m1_r;
        end

        // Pass results: x - m (exp input) from add1, e*r from mul1, the LayerNorm output from
        // add2 (q * inv_n + eps in StVar), or the element unchanged.
        unique case (op_q)
          OpSoftmax: lane_y[32*l +: 32] = (state_q == StOut) ? m1_r : a1_r;
          OpLn:      lane_y[32*l +: 32] = a2_r;
          default:   lane_y[32*l +: 32] = x_rd;
        endcase

        unique case (state_q)
          StExp:    lane_wdata[32*l +: 32] = e;
          StCenter: lane_wdata[32*l +: 32] = a1_r;
          default:  lane_wdata[32*l +: 32] = x_in;
        endcase
      end
    end
  end

  assign rs_in = lane_y;  // q * inv_n + eps during StVar

  always_ff @(posedge clk_i or negedge rst_ni) begin : p_lane_regs
    if (!rst_ni) begin
    end else begin
      if (acc_en) begin
        acc_q <= lane_acc;
      end
      if (sc_en) begin
        sc_q <= lane_sc;
      end
      if (rc_fire) begin
        sc_q <= rc_out;
      end
      if (rs_fire) begin
        sc_q <= rs_out;
      end
      if (recv_fire) begin
        th_q[32*recv_cnt_q[4:0] +: 32] <= pair_data_i;
      end
      if (out_load) begin
        out_data_q <= (state_q == StGelu) ? gelu_out : lane_y;
      end
    end
  end

  assign d_we    = ld_fire || ex_fire || ctr_fire;
  assign d_wdata = lane_wdata;
  always_comb begin
    unique case (state_q)
      StExp:    d_waddr = wr_cnt_q[8:0];
      StCenter: d_waddr = ridx_q;
      default:  d_waddr = in_cnt_q[8:0];
    endcase
  end

  // ---------------------------------------------------------------------------------------------
  // Control.
  always_comb begin
    state_d     = state_q;
    op_d        = op_q;
    cols_d      = cols_q;
    rows_d      = rows_q;
    eps_d       = eps_q;
    pair_d      = pair_q;
    nf_d        = nf_q;
    invn_d      = invn_q;
    invn_req_d  = invn_req_q;
    invn_have_d = invn_have_q;
    in_cnt_d    = in_cnt_q;
    rd_cnt_d    = rd_cnt_q;
    wr_cnt_d    = wr_cnt_q;
    send_cnt_d  = send_cnt_q;
    recv_cnt_d  = recv_cnt_q;
    rvalid_d    = rvalid_q;
    ridx_d      = ridx_q;
    out_valid_d = out_valid_q;

    // Read pipeline.
    if (issue) begin
      rd_cnt_d = rd_cnt_q + 10'd1;
      rvalid_d = 1'b1;
      ridx_d   = rd_cnt_q[8:0];
    end else if (consume) begin
      rvalid_d = 1'b0;
    end

    if (in_fire) begin
      in_cnt_d = in_cnt_q + 10'd1;
    end
    if (ex_fire || gelu_out_fire) begin
      wr_cnt_d = wr_cnt_q + 10'd1;
    end
    if (send_fire) begin
      send_cnt_d = send_cnt_q + 6'd1;
    end
    if (recv_fire) begin
      recv_cnt_d = recv_cnt_q + 6'd1;
    end

    if (rc_in_valid && rc_in_ready && invn_req_q) begin
      invn_req_d = 1'b0;
    end
    if (invn_fire) begin
      invn_d      = rc_out[31:0];
      invn_have_d = 1'b1;
    end

    if (out_load) begin
      out_valid_d = 1'b1;
    end else if (out_ready_i) begin
      out_valid_d = 1'b0;
    end

    unique case (state_q)
      StIdle: begin
        if (cfg_fire) begin
          op_d        = cfg_op_i;
          cols_d      = cfg_cols_i;
          rows_d      = cfg_rows_i;
          eps_d       = cfg_eps_i;
          pair_d      = cfg_pair_i;
          nf_d        = n_float;
          invn_req_d  = (cfg_op_i == OpLn);
          invn_have_d = 1'b0;
          in_cnt_d    = '0;
          wr_cnt_d    = '0;
          state_d     = (cfg_op_i == OpGelu) ? StGelu : StLoad;
        end
      end
      StLoad: begin
        if (ld_last) begin
          rd_cnt_d   = '0;
          send_cnt_d = '0;
          recv_cnt_d = '0;
          unique case (op_q)
            OpSoftmax: state_d = StExp;
            OpLn:      state_d = pair_q ? StX1 : StMean;
            default:   state_d = StOut;
          endcase
        end
      end
      StExp: begin
        if (ex_fire && wr_cnt_q == last_col) begin
          state_d = StRecip;
        end
      end
      StRecip: begin
        if (rc_in_ready) begin
          state_d = StRecipWait;
        end
      end
      StRecipWait: begin
        if (rc_fire) begin
          rd_cnt_d = '0;
          state_d  = StOut;
        end
      end
      StX1: begin
        if (send_cnt_d == rows_q && recv_cnt_d == rows_q) begin
          state_d = StMean;
        end
      end
      StMean: begin
        if (mean_fire) begin
          rd_cnt_d = '0;
          state_d  = StCenter;
        end
      end
      StCenter: begin
        if (ctr_fire && ridx_last) begin
          send_cnt_d = '0;
          recv_cnt_d = '0;
          state_d    = pair_q ? StX2 : StVar;
        end
      end
      StX2: begin
        if (send_cnt_d == rows_q && recv_cnt_d == rows_q) begin
          state_d = StVar;
        end
      end
      StVar: begin
        if (rs_in_ready) begin
          state_d = StVarWait;
        end
      end
      StVarWait: begin
        if (rs_fire) begin
          rd_cnt_d = '0;
          state_d  = StOut;
        end
      end
      StOut: begin
        if (consume && ridx_last) begin
          state_d = StIdle;
        end
      end
      StGelu: begin
        if (gelu_out_fire && wr_cnt_q == last_col) begin
          state_d = StIdle;
        end
      end
      default: state_d = StIdle;
    endcase

    if (abort_i) begin
      state_d     = StIdle;
      invn_req_d  = 1'b0;
      invn_have_d = 1'b0;
      rvalid_d    = 1'b0;
      out_valid_d = 1'b0;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q     <= StIdle;
      op_q        <= OpNone;
      cols_q      <= '0;
      rows_q      <= '0;
      eps_q       <= '0;
      pair_q      <= 1'b0;
      nf_q        <= '0;
      invn_q      <= '0;
      invn_req_q  <= 1'b0;
      invn_have_q <= 1'b0;
      in_cnt_q    <= '0;
      rd_cnt_q    <= '0;
      wr_cnt_q    <= '0;
      send_cnt_q  <= '0;
      recv_cnt_q  <= '0;
      rvalid_q    <= 1'b0;
      ridx_q      <= '0;
      out_valid_q <= 1'b0;
    end else begin
      state_q     <= state_d;
      op_q        <= op_d;
      cols_q      <= cols_d;
      rows_q      <= rows_d;
      eps_q       <= eps_d;
      pair_q      <= pair_d;
      nf_q        <= nf_d;
      invn_q      <= invn_d;
      invn_req_q  <= invn_req_d;
      invn_have_q <= invn_have_d;
      in_cnt_q    <= in_cnt_d;
      rd_cnt_q    <= rd_cnt_d;
      wr_cnt_q    <= wr_cnt_d;
      send_cnt_q  <= send_cnt_d;
      recv_cnt_q  <= recv_cnt_d;
      rvalid_q    <= rvalid_d;
      ridx_q      <= ridx_d;
      out_valid_q <= out_valid_d;
    end
  end

  // ---------------------------------------------------------------------------------------------
  // Function unit arrays.
  rsn_memc_post_vfn #(.Fn(0), .Units(ExpUnits)) u_exp (
    .clk_i, .rst_ni, .abort_i,
    .in_data_i  (exp_in),
    .in_valid_i (exp_in_valid),
    .in_ready_o (exp_in_ready),
    .out_data_o (exp_out),
    .out_valid_o(exp_out_valid),
    .out_ready_i(exp_out_ready),
    .busy_o     (exp_busy)
  );

  rsn_memc_post_vfn #(.Fn(1), .Units(1)) u_recip (
    .clk_i, .rst_ni, .abort_i,
    .in_data_i  (rc_in),
    .in_valid_i (rc_in_valid),
    .in_ready_o (rc_in_ready),
    .out_data_o (rc_out),
    .out_valid_o(rc_out_valid),
    .out_ready_i(rc_out_ready),
    .busy_o     (rc_busy)
  );

  rsn_memc_post_vfn #(.Fn(2), .Units(1)) u_rsqrt (
    .clk_i, .rst_ni, .abort_i,
    .in_data_i  (rs_in),
    .in_valid_i (rs_in_valid),
    .in_ready_o (rs_in_ready),
    .out_data_o (rs_out),
    .out_valid_o(rs_out_valid),
    .out_ready_i(rs_out_ready),
    .busy_o     (rs_busy)
  );

  rsn_memc_post_vfn #(.Fn(3), .Units(GeluUnits)) u_gelu (
    .clk_i, .rst_ni, .abort_i,
    .in_data_i  (in_data_i),
    .in_valid_i (gelu_in_valid),
    .in_ready_o (gelu_in_ready),
    .out_data_o (gelu_out),
    .out_valid_o(gelu_out_valid),
    .out_ready_i(gelu_out_ready),
    .busy_o     (gelu_busy)
  );

endmodule
