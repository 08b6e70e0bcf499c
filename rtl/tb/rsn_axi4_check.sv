// AXI protocol checkers: SystemVerilog assertions on one AXI4 master's channels (rsn_axi4_check,
// here) and on one AXI4-Lite slave (rsn_axil_check.sv), bound to the units that own those ports
// (rtl/tb/rsn_axi_bind.sv) and compiled with Verilator --assert into their testbenches. They
// check both sides: what the RTL must do as master/slave, and what the testbench's model of the
// other side must do (a wrong model would otherwise hide RTL bugs). A violated assertion stops the
// simulation with its message (Verilator: $error, then $stop), so the testbench fails.
//
// The rules are those of the AMBA AXI protocol specification (Arm IHI 0022, "AXI4" and
// "AXI4-Lite"): a source holds VALID until READY and keeps the payload stable meanwhile; a read
// burst returns ARLEN+1 beats with RLAST on the last only; a write burst carries AWLEN+1 beats
// with WLAST on the last; no response without its request; INCR bursts do not cross 4 KiB. They
// are written here (not taken from a library) and kept to what Verilator 5.006 supports:
// concurrent `|=>` properties with $stable, and immediate assertions on counters.
//
// Not in rtl/ proper: package_xo.tcl and the co-simulation build exclude rtl/tb.

// One AXI4 master (read channels, write channels, or both), seen at its ports. Responses come in
// order (this design issues one ID per master), so one counter per channel tracks beats.
module rsn_axi4_check #(
  parameter int unsigned DataBits = 512,
  parameter bit          HasRead  = 1'b1,
  parameter bit          HasWrite = 1'b0,
  // Outstanding bursts the counters track, a power of two (checks overflow, not a protocol limit).
  parameter int unsigned MaxOutstanding = 256
) (
  // Every signal of both directions, so one bind shape fits a read-only or a write-only master;
  // the channels a master does not have are tied off by the bind and only partly looked at.
  /* verilator lint_off UNUSEDSIGNAL */
  input logic                  clk_i,
  input logic                  rst_ni,
  input logic [63:0]           araddr,
  input logic [7:0]            arlen,
  input logic [2:0]            arsize,
  input logic [1:0]            arburst,
  input logic                  arvalid,
  input logic                  arready,
  input logic [DataBits-1:0]   rdata,
  input logic [1:0]            rresp,
  input logic                  rlast,
  input logic                  rvalid,
  input logic                  rready,
  input logic [63:0]           awaddr,
  input logic [7:0]            awlen,
  input logic [2:0]            awsize,
  input logic [1:0]            awburst,
  input logic                  awvalid,
  input logic                  awready,
  input logic [DataBits-1:0]   wdata,
  input logic [DataBits/8-1:0] wstrb,
  input logic                  wlast,
  input logic                  wvalid,
  input logic                  wready,
  input logic [1:0]            bresp,
  input logic                  bvalid,
  input logic                  bready
  /* verilator lint_on UNUSEDSIGNAL */
);
  localparam int unsigned Bytes = DataBits / 8;
  localparam logic [2:0] Size = 3'($clog2(Bytes));
  localparam int unsigned IdxBits = $clog2(MaxOutstanding);
  localparam int unsigned CountBits = IdxBits + 1;

  if (MaxOutstanding != 2 ** IdxBits) begin : g_check_param
    $error("rsn_axi4_check: MaxOutstanding must be a power of two");
  end

  // Checking starts the cycle after reset is released. The checker samples the reset only the
  // way the units do (asynchronously), so binding it adds no synchronous use of their reset.
  logic active_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) active_q <= 1'b0;
    else active_q <= 1'b1;
  end

  // Handshake rules of every channel: VALID held until READY, payload stable while stalled.
  if (HasRead) begin : g_read
    assert property (@(posedge clk_i) disable iff (!active_q) (arvalid && !arready) |=> arvalid)
      else $error("AR: arvalid dropped before arready");
    assert property (@(posedge clk_i) disable iff (!active_q)
                     (arvalid && !arready) |=> ($stable(araddr) && $stable(arlen) && $stable(arsize) &&
                                                $stable(arburst)))
      else $error("AR: address or burst changed while stalled");
    assert property (@(posedge clk_i) disable iff (!active_q) (rvalid && !rready) |=> rvalid)
      else $error("R: rvalid dropped before rready (memory model)");
    assert property (@(posedge clk_i) disable iff (!active_q)
                     (rvalid && !rready) |=> ($stable(rdata) && $stable(rresp) && $stable(rlast)))
      else $error("R: data, resp or last changed while stalled (memory model)");

    // Burst form: full-width INCR beats, inside one 4 KiB page.
    always_ff @(posedge clk_i) begin
      if (active_q && arvalid) begin
        assert (arburst == 2'b01) else $error("AR: burst type %0d, this design issues INCR", arburst);
        assert (arsize == Size) else $error("AR: arsize %0d, the bus is %0d bytes", arsize, Bytes);
        assert (araddr[$clog2(Bytes)-1:0] == '0) else $error("AR: address %h not beat-aligned", araddr);
        assert ({1'b0, araddr[11:0]} + 13'((32'(arlen) + 1) * Bytes) <= 13'h1000)
          else $error("AR: burst at %h of %0d beats crosses a 4 KiB boundary", araddr, arlen + 1);
      end
    end

    // RLAST on the last beat of each burst, in AR order; no R beat without an open burst.
    logic [7:0]           len_q[MaxOutstanding];
    logic [CountBits-1:0] head_q, tail_q;
    logic [8:0]           beat_q;
    logic                 ar_hs, r_hs;
    assign ar_hs = arvalid && arready;
    assign r_hs  = rvalid && rready;
    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) begin
        head_q <= '0;
        tail_q <= '0;
        beat_q <= '0;
      end else begin
        if (ar_hs) begin
          len_q[tail_q[IdxBits-1:0]] <= arlen;
          tail_q <= tail_q + 1'b1;
          assert (tail_q - head_q < CountBits'(MaxOutstanding))
            else $error("AR: more than %0d bursts outstanding", MaxOutstanding);
        end
        if (r_hs) begin
          assert (head_q != tail_q) else $error("R: a beat with no read burst outstanding");
          if (head_q != tail_q) begin
            assert (rlast == (beat_q == {1'b0, len_q[head_q[IdxBits-1:0]]}))
              else $error("R: rlast=%0d on beat %0d of a %0d-beat burst", rlast, beat_q,
                          len_q[head_q[IdxBits-1:0]] + 1);
          end
          if (rlast) begin
            beat_q <= '0;
            head_q <= head_q + 1'b1;
          end else begin
            beat_q <= beat_q + 1'b1;
          end
        end
      end
    end
  end else begin : g_no_read
    always_ff @(posedge clk_i) begin
      if (active_q) assert (!arvalid && !rready) else $error("a write-only master drives AR or R");
    end
  end

  if (HasWrite) begin : g_write
    assert property (@(posedge clk_i) disable iff (!active_q) (awvalid && !awready) |=> awvalid)
      else $error("AW: awvalid dropped before awready");
    assert property (@(posedge clk_i) disable iff (!active_q)
                     (awvalid && !awready) |=> ($stable(awaddr) && $stable(awlen) && $stable(awsize) &&
                                                $stable(awburst)))
      else $error("AW: address or burst changed while stalled");
    assert property (@(posedge clk_i) disable iff (!active_q) (wvalid && !wready) |=> wvalid)
      else $error("W: wvalid dropped before wready");
    assert property (@(posedge clk_i) disable iff (!active_q)
                     (wvalid && !wready) |=> ($stable(wdata) && $stable(wstrb) && $stable(wlast)))
      else $error("W: data, strobes or last changed while stalled");
    assert property (@(posedge clk_i) disable iff (!active_q) (bvalid && !bready) |=> bvalid)
      else $error("B: bvalid dropped before bready (memory model)");
    assert property (@(posedge clk_i) disable iff (!active_q) (bvalid && !bready) |=> $stable(bresp))
      else $error("B: bresp changed while stalled (memory model)");

    always_ff @(posedge clk_i) begin
      if (active_q && awvalid) begin
        assert (awburst == 2'b01) else $error("AW: burst type %0d, this design issues INCR", awburst);
        assert (awsize == Size) else $error("AW: awsize %0d, the bus is %0d bytes", awsize, Bytes);
        assert (awaddr[$clog2(Bytes)-1:0] == '0) else $error("AW: address %h not beat-aligned", awaddr);
        assert ({1'b0, awaddr[11:0]} + 13'((32'(awlen) + 1) * Bytes) <= 13'h1000)
          else $error("AW: burst at %h of %0d beats crosses a 4 KiB boundary", awaddr, awlen + 1);
      end
      if (active_q && wvalid) begin
        // The writer sends whole lines, or empty beats (all strobes low) when it must finish a
        // burst it can no longer fill (rtl/dram/README.md).
        assert (wstrb == '1 || wstrb == '0)
          else $error("W: partial strobes %h (this design writes whole lines)", wstrb);
      end
    end

    // W may run ahead of AW (the protocol allows it, and rsn_dram_wr does it when AW stalls), so
    // each W burst is matched with the AW of the same position once both exist: while its AW is
    // known, WLAST must sit on beat AWLEN; either way the beats of each finished W burst must
    // number AWLEN + 1. B: at most one response per burst whose AW and last W beat were accepted.
    logic [7:0]           len_q[MaxOutstanding];
    logic [8:0]           wbeats_q[MaxOutstanding];
    logic [CountBits-1:0] aw_tail_q, w_head_q, cmp_q, b_head_q;
    logic [8:0]           beat_q;
    logic                 aw_hs, w_hs, b_hs;
    assign aw_hs = awvalid && awready;
    assign w_hs  = wvalid && wready;
    assign b_hs  = bvalid && bready;
    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) begin
        aw_tail_q <= '0;
        w_head_q  <= '0;
        cmp_q     <= '0;
        b_head_q  <= '0;
        beat_q    <= '0;
      end else begin
        if (aw_hs) begin
          len_q[aw_tail_q[IdxBits-1:0]] <= awlen;
          aw_tail_q <= aw_tail_q + 1'b1;
          assert (aw_tail_q - b_head_q < CountBits'(MaxOutstanding))
            else $error("AW: more than %0d bursts outstanding", MaxOutstanding);
        end
        if (w_hs) begin
          if (w_head_q != aw_tail_q) begin
            assert (wlast == (beat_q == {1'b0, len_q[w_head_q[IdxBits-1:0]]}))
              else $error("W: wlast=%0d on beat %0d of a %0d-beat burst", wlast, beat_q,
                          len_q[w_head_q[IdxBits-1:0]] + 1);
          end else begin
            assert (wlast || beat_q < 9'd255) else $error("W: a burst longer than 256 beats");
          end
          if (wlast) begin
            wbeats_q[w_head_q[IdxBits-1:0]] <= beat_q + 1'b1;
            beat_q   <= '0;
            w_head_q <= w_head_q + 1'b1;
            assert (w_head_q - b_head_q < CountBits'(MaxOutstanding))
              else $error("W: more than %0d bursts ahead of their responses", MaxOutstanding);
          end else begin
            beat_q <= beat_q + 1'b1;
          end
        end
        // A W burst that finished before its AW arrived: compare its length now.
        if (cmp_q != aw_tail_q && cmp_q != w_head_q) begin
          assert (wbeats_q[cmp_q[IdxBits-1:0]] == {1'b0, len_q[cmp_q[IdxBits-1:0]]} + 9'd1)
            else $error("W: a burst of %0d beats, its AW has %0d", wbeats_q[cmp_q[IdxBits-1:0]],
                        len_q[cmp_q[IdxBits-1:0]] + 1);
          cmp_q <= cmp_q + 1'b1;
        end
        if (b_hs) begin
          assert (b_head_q != aw_tail_q && b_head_q != w_head_q)
            else $error("B: a response before its burst's AW and last W beat (memory model)");
          b_head_q <= b_head_q + 1'b1;
        end
      end
    end
  end else begin : g_no_write
    always_ff @(posedge clk_i) begin
      if (active_q) assert (!awvalid && !wvalid && !bready) else $error("a read-only master drives AW, W or B");
    end
  end
endmodule

