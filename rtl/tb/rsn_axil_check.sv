// AXI4-Lite protocol checker: SystemVerilog assertions on one AXI4-Lite slave's ports (the
// control registers' s_axi_control), checking the master's (testbench's) obligations and the
// slave's. The rules, the binding and how a failure stops the testbench: rsn_axi4_check.sv.

// One AXI4-Lite slave, seen at its ports: the master's (testbench's) obligations and the slave's.
module rsn_axil_check #(
  parameter int unsigned AddrBits = 12
) (
  input logic                clk_i,
  input logic                rst_ni,
  input logic [AddrBits-1:0] s_axi_awaddr,
  input logic                s_axi_awvalid,
  input logic                s_axi_awready,
  input logic [31:0]         s_axi_wdata,
  input logic [3:0]          s_axi_wstrb,
  input logic                s_axi_wvalid,
  input logic                s_axi_wready,
  input logic [1:0]          s_axi_bresp,
  input logic                s_axi_bvalid,
  input logic                s_axi_bready,
  input logic [AddrBits-1:0] s_axi_araddr,
  input logic                s_axi_arvalid,
  input logic                s_axi_arready,
  input logic [31:0]         s_axi_rdata,
  input logic [1:0]          s_axi_rresp,
  input logic                s_axi_rvalid,
  input logic                s_axi_rready
);
  // Checking starts the cycle after reset is released (the reset is only sampled asynchronously,
  // as rsn_ctrl_regs does).
  logic active_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) active_q <= 1'b0;
    else active_q <= 1'b1;
  end

  // Master side (the testbench): held valids, stable payloads.
  assert property (@(posedge clk_i) disable iff (!active_q) (s_axi_awvalid && !s_axi_awready) |=>
                   (s_axi_awvalid && $stable(s_axi_awaddr)))
    else $error("AW: dropped or changed before awready (master)");
  assert property (@(posedge clk_i) disable iff (!active_q) (s_axi_wvalid && !s_axi_wready) |=>
                   (s_axi_wvalid && $stable(s_axi_wdata) && $stable(s_axi_wstrb)))
    else $error("W: dropped or changed before wready (master)");
  assert property (@(posedge clk_i) disable iff (!active_q) (s_axi_arvalid && !s_axi_arready) |=>
                   (s_axi_arvalid && $stable(s_axi_araddr)))
    else $error("AR: dropped or changed before arready (master)");
  // Slave side (rsn_ctrl_regs): held responses, stable payloads.
  assert property (@(posedge clk_i) disable iff (!active_q) (s_axi_bvalid && !s_axi_bready) |=>
                   (s_axi_bvalid && $stable(s_axi_bresp)))
    else $error("B: bvalid dropped or bresp changed before bready");
  assert property (@(posedge clk_i) disable iff (!active_q) (s_axi_rvalid && !s_axi_rready) |=>
                   (s_axi_rvalid && $stable(s_axi_rdata) && $stable(s_axi_rresp)))
    else $error("R: rvalid dropped or rdata changed before rready");

  // No response without a request: B only after an AW and a W were both accepted (each may come
  // first), R only after an AR. AXI4-Lite has no bursts, so counts of handshakes suffice.
  logic [15:0] aw_q, w_q, b_q, ar_q, r_q;
  logic        aw_hs, w_hs, b_hs, ar_hs, r_hs;
  assign aw_hs = s_axi_awvalid && s_axi_awready;
  assign w_hs  = s_axi_wvalid && s_axi_wready;
  assign b_hs  = s_axi_bvalid && s_axi_bready;
  assign ar_hs = s_axi_arvalid && s_axi_arready;
  assign r_hs  = s_axi_rvalid && s_axi_rready;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      aw_q <= '0;
      w_q  <= '0;
      b_q  <= '0;
      ar_q <= '0;
      r_q  <= '0;
    end else begin
      aw_q <= aw_q + 16'(aw_hs);
      w_q  <= w_q + 16'(w_hs);
      b_q  <= b_q + 16'(b_hs);
      ar_q <= ar_q + 16'(ar_hs);
      r_q  <= r_q + 16'(r_hs);
    end
  end
  always_ff @(posedge clk_i) begin
    if (active_q) begin
      if (s_axi_bvalid) begin
        assert (b_q != aw_q && b_q != w_q) else $error("B: a response with no write (AW and W) accepted");
      end
      if (s_axi_rvalid) begin
        assert (r_q != ar_q) else $error("R: a response with no read accepted");
      end
    end
  end
endmodule
