// Self-test of the AXI protocol checkers (tb/rsn_axi4_check.sv, tb/rsn_axil_check.sv): the checkers are only worth
// something if they fire. Top rsn_axi_check_tb instantiates one read+write rsn_axi4_check and one
// rsn_axil_check. `tb_axi_check CASE` drives a short legal exchange (case "ok": must pass) or the
// same exchange with one rule broken (every other case: the run must stop with that assertion;
// mk/axi_check.mk checks the exit status and the message).
#include <cstdio>
#include <cstring>
#include <functional>
#include <string>

#include "Vrsn_axi_check_tb.h"
#include "verilated.h"

namespace {

struct Bench {
  Vrsn_axi_check_tb m;
  void tick() {
    m.clk_i = 1;
    m.eval();
    m.clk_i = 0;
    m.eval();
  }
  void idle() {
    m.arvalid = m.rvalid = m.awvalid = m.wvalid = m.bvalid = 0;
    m.arready = m.rready = m.awready = m.wready = m.bready = 0;
    m.s_axi_awvalid = m.s_axi_wvalid = m.s_axi_arvalid = 0;
    m.s_axi_bvalid = m.s_axi_rvalid = 0;
    m.s_axi_awready = m.s_axi_wready = m.s_axi_arready = 0;
    m.s_axi_bready = m.s_axi_rready = 0;
    m.arsize = m.awsize = 6;  // 64-byte beats
    m.arburst = m.awburst = 1;
    m.wstrb = ~0ull;
  }
};

}  // namespace

int main(int argc, char** argv) {
  Verilated::commandArgs(argc, argv);
  if (argc < 2) {
    std::fprintf(stderr, "usage: tb_axi_check CASE\n");
    return 2;
  }
  const std::string c = argv[1];
  Bench b;
  b.idle();
  b.m.rst_ni = 0;
  b.m.clk_i = 0;
  b.m.eval();
  b.tick();
  b.m.rst_ni = 1;
  b.tick();  // the checkers start the cycle after reset is released
  auto& m = b.m;

  // AXI4 read: a 2-beat burst at 0x1000, stalled one cycle on AR and on R.
  m.araddr = c == "ar_4k" ? 0x1fc0 : 0x1000;
  m.arlen = 1;
  m.arvalid = 1;
  b.tick();  // stalled
  if (c == "ar_drop") m.arvalid = 0;
  if (c == "ar_change") m.araddr = 0x2000;
  m.arready = 1;
  b.tick();
  m.arvalid = 0;
  m.arready = 0;
  m.rvalid = 1;
  m.rlast = c == "r_early_last";
  m.rdata[0] = 1;
  b.tick();  // stalled
  if (c == "r_change") m.rdata[0] = 2;
  m.rready = 1;
  b.tick();
  m.rlast = c != "r_no_last";
  b.tick();
  m.rvalid = 0;
  m.rlast = 0;
  m.rready = 0;
  b.tick();
  if (c == "r_orphan") {  // one beat more than the burst had
    m.rvalid = m.rready = m.rlast = 1;
    b.tick();
    m.rvalid = m.rready = m.rlast = 0;
  }

  // AXI4 write: a 2-beat burst, W after AW, then B.
  if (c == "w_ahead_long") {  // a whole W burst ahead of its AW (legal), but 3 beats for AWLEN 1
    m.wvalid = m.wready = 1;
    b.tick();
    b.tick();
    m.wlast = 1;
    b.tick();
    m.wvalid = m.wready = m.wlast = 0;
  }
  m.awaddr = 0x3000;
  m.awlen = 1;
  m.awvalid = 1;
  m.awready = 1;
  b.tick();
  m.awvalid = 0;
  m.awready = 0;
  m.wvalid = 1;
  m.wlast = 0;
  if (c == "w_strb") m.wstrb = 0xffffull;
  b.tick();  // stalled
  if (c == "w_drop") m.wvalid = 0;
  m.wready = 1;
  b.tick();
  m.wlast = c != "w_no_last";
  if (c == "b_early") m.bvalid = 1, m.bready = 1;
  b.tick();
  m.wvalid = 0;
  m.wlast = 0;
  m.wready = 0;
  m.bvalid = 1;
  m.bready = 0;
  b.tick();  // stalled
  if (c == "b_drop") m.bvalid = 0;
  m.bready = 1;
  b.tick();
  m.bvalid = 0;
  m.bready = 0;
  b.tick();

  // AXI4-Lite: a write (W before AW) and a read, responses stalled one cycle.
  m.s_axi_wvalid = 1;
  m.s_axi_wready = 1;
  m.s_axi_wdata = 5;
  if (c == "lite_b_orphan") m.s_axi_bvalid = 1;
  b.tick();
  m.s_axi_wvalid = 0;
  m.s_axi_wready = 0;
  m.s_axi_bvalid = 0;
  m.s_axi_awvalid = 1;
  m.s_axi_awaddr = 0x10;
  b.tick();  // stalled
  if (c == "lite_aw_change") m.s_axi_awaddr = 0x14;
  m.s_axi_awready = 1;
  b.tick();
  m.s_axi_awvalid = 0;
  m.s_axi_awready = 0;
  m.s_axi_bvalid = 1;
  b.tick();  // stalled
  if (c == "lite_b_drop") m.s_axi_bvalid = 0;
  m.s_axi_bready = 1;
  b.tick();
  m.s_axi_bvalid = 0;
  m.s_axi_bready = 0;
  m.s_axi_arvalid = 1;
  m.s_axi_arready = 1;
  b.tick();
  m.s_axi_arvalid = 0;
  m.s_axi_arready = 0;
  m.s_axi_rvalid = 1;
  m.s_axi_rdata = 7;
  b.tick();  // stalled
  if (c == "lite_r_change") m.s_axi_rdata = 8;
  m.s_axi_rready = 1;
  b.tick();
  m.s_axi_rvalid = 0;
  m.s_axi_rready = 0;
  if (c == "lite_r_orphan") m.s_axi_rvalid = 1;
  b.tick();
  b.tick();
  m.final();
  std::printf("tb_axi_check %s: no assertion fired\n", c.c_str());
  return 0;
}
