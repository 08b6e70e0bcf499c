// Binds the AXI protocol checkers (rsn_axi4_check.sv, rsn_axil_check.sv) into the units that own
// AXI ports: every instance of the DRAM read and write channels and of the control register
// block. Compiled with --assert into their testbenches (rtl/mk/dram.mk, rtl/mk/ctrl_regs.mk).

bind rsn_dram_rd rsn_axi4_check #(.DataBits(512), .HasRead(1'b1), .HasWrite(1'b0)) u_axi_check (
  .clk_i   (clk_i),
  .rst_ni  (rst_ni),
  .araddr  (m_axi_araddr),
  .arlen   (m_axi_arlen),
  .arsize  (m_axi_arsize),
  .arburst (m_axi_arburst),
  .arvalid (m_axi_arvalid),
  .arready (m_axi_arready),
  .rdata   (m_axi_rdata),
  .rresp   (m_axi_rresp),
  .rlast   (m_axi_rlast),
  .rvalid  (m_axi_rvalid),
  .rready  (m_axi_rready),
  .awaddr  (64'd0),
  .awlen   (8'd0),
  .awsize  (3'd0),
  .awburst (2'd0),
  .awvalid (1'b0),
  .awready (1'b0),
  .wdata   (512'd0),
  .wstrb   (64'd0),
  .wlast   (1'b0),
  .wvalid  (1'b0),
  .wready  (1'b0),
  .bresp   (2'd0),
  .bvalid  (1'b0),
  .bready  (1'b0)
);

bind rsn_dram_wr rsn_axi4_check #(.DataBits(512), .HasRead(1'b0), .HasWrite(1'b1)) u_axi_check (
  .clk_i   (clk_i),
  .rst_ni  (rst_ni),
  .araddr  (64'd0),
  .arlen   (8'd0),
  .arsize  (3'd0),
  .arburst (2'd0),
  .arvalid (1'b0),
  .arready (1'b0),
  .rdata   (512'd0),
  .rresp   (2'd0),
  .rlast   (1'b0),
  .rvalid  (1'b0),
  .rready  (1'b0),
  .awaddr  (m_axi_awaddr),
  .awlen   (m_axi_awlen),
  .awsize  (m_axi_awsize),
  .awburst (m_axi_awburst),
  .awvalid (m_axi_awvalid),
  .awready (m_axi_awready),
  .wdata   (m_axi_wdata),
  .wstrb   (m_axi_wstrb),
  .wlast   (m_axi_wlast),
  .wvalid  (m_axi_wvalid),
  .wready  (m_axi_wready),
  .bresp   (m_axi_bresp),
  .bvalid  (m_axi_bvalid),
  .bready  (m_axi_bready)
);

bind rsn_ctrl_regs rsn_axil_check #(.AddrBits(12)) u_axil_check (.*);
