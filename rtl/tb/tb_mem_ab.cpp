// Testbench for rsn_mem_ab (rtl/mem): drives the uOPs and load elements of a vector file from
// host/examples/mem_vectors.rs with random bubbles, back-pressures the output at random, and
// checks every sent element and block `last` flag bit for bit, that a stalled output holds still,
// that nothing extra is sent, and that the unit ends idle.
//
//   tb_mem_ab VECTORS SEED [fullrate]    (fullrate: no bubbles, output always ready; for timing)
#include <fstream>
#include <sstream>

#include "Vrsn_mem_ab.h"
#include "tb_common.h"

#ifndef TB_NAME
#define TB_NAME "tb_mem_ab"
#endif

namespace {

struct Uop {
  uint32_t iter, w0, w1;
};
struct Out {
  uint32_t v;
  bool last;
};

}  // namespace

int main(int argc, char** argv) {
  Verilated::commandArgs(argc, argv);
  if (argc < 3) tb::fail(TB_NAME, "usage: tb_mem_ab VECTORS SEED");
  std::ifstream f(argv[1]);
  if (!f) tb::fail(TB_NAME, tb::fmt("cannot open %s", argv[1]));
  uint64_t seed = std::strtoull(argv[2], nullptr, 10);
  bool full_rate = argc > 3 && std::string(argv[3]) == "fullrate";

  std::vector<Uop> uops;
  std::vector<uint32_t> ins;
  std::vector<Out> outs;
  unsigned rows = 0, cols = 0, is_b = 0;
  bool ended = false;
  std::string line;
  size_t lineno = 0;
  while (std::getline(f, line)) {
    ++lineno;
    std::istringstream ss(line);
    std::string tag;
    ss >> tag;
    bool ok = true;
    if (tag == "config") {
      ok = static_cast<bool>(ss >> rows >> cols >> is_b);
    } else if (tag == "u") {
      Uop u;
      ok = static_cast<bool>(ss >> std::dec >> u.iter >> std::hex >> u.w0 >> u.w1);
      uops.push_back(u);
    } else if (tag == "i") {
      uint32_t v;
      ok = static_cast<bool>(ss >> std::hex >> v);
      ins.push_back(v);
    } else if (tag == "o") {
      uint32_t v;
      unsigned l;
      ok = static_cast<bool>(ss >> std::hex >> v >> std::dec >> l);
      outs.push_back({v, l != 0});
    } else if (tag == "end") {
      ended = true;
    } else {
      ok = false;
    }
    if (!ok) tb::fail(TB_NAME, tb::fmt("%s:%zu: bad line '%s'", argv[1], lineno, line.c_str()));
  }
  if (!ended) tb::fail(TB_NAME, tb::fmt("%s: no 'end' line (truncated file?)", argv[1]));

  auto* m = new Vrsn_mem_ab;
  tb::Clocked<Vrsn_mem_ab> clk(m);
  tb::Rng rng(seed);
  m->uop_valid_i = 0;
  m->in_valid_i = 0;
  m->out_ready_i = 0;
  clk.reset();

  size_t ui = 0, ii = 0, oi = 0;
  bool uop_v = false, in_v = false;
  // Back-pressure and bubble profiles change every few thousand cycles: full rate, light, heavy.
  const unsigned profiles[3] = {100, 70, 20};
  unsigned in_pct = 100, out_pct = 100, uop_pct = 100;
  bool prev_stall = false;
  uint32_t prev_data = 0;
  bool prev_last = false;
  uint64_t idle_since = 0, last_progress = 0;
  const uint64_t kStuck = 200000;
  while (true) {
    if (clk.cycles % 4096 == 0 && !full_rate) {
      in_pct = profiles[rng.below(3)];
      out_pct = profiles[rng.below(3)];
      uop_pct = profiles[rng.below(3)];
    }
    // A source may raise valid at random, and keeps it (and its data) until the transfer.
    if (!uop_v && ui < uops.size() && rng.chance(uop_pct)) uop_v = true;
    if (!in_v && ii < ins.size() && rng.chance(in_pct)) in_v = true;
    m->uop_valid_i = uop_v;
    if (ui < uops.size()) {
      m->uop_iter_i = uops[ui].iter;
      m->uop_payload_i = (static_cast<uint64_t>(uops[ui].w1) << 32) | uops[ui].w0;
    }
    m->in_valid_i = in_v;
    m->in_data_i = ii < ins.size() ? ins[ii] : 0;
    m->out_ready_i = rng.chance(out_pct);
    clk.settle();

    if (prev_stall && (!m->out_valid_o || m->out_data_o != prev_data || m->out_last_o != prev_last))
      tb::fail(TB_NAME, tb::fmt("cycle %" PRIu64 ": stalled output changed (element %zu)", clk.cycles, oi));
    bool out_fire = m->out_valid_o && m->out_ready_i;
    if (out_fire) {
      if (oi >= outs.size())
        tb::fail(TB_NAME, tb::fmt("cycle %" PRIu64 ": extra output %08x after %zu expected elements",
                                  clk.cycles, m->out_data_o, outs.size()));
      if (m->out_data_o != outs[oi].v || static_cast<bool>(m->out_last_o) != outs[oi].last)
        tb::fail(TB_NAME, tb::fmt("element %zu (block %zu, row %zu, col %zu): got %08x last %d, want %08x "
                                  "last %d",
                                  oi, oi / 16384, (oi / 128) % 128, oi % 128, m->out_data_o, m->out_last_o,
                                  outs[oi].v, outs[oi].last));
      ++oi;
      last_progress = clk.cycles;
    }
    prev_stall = m->out_valid_o && !m->out_ready_i;
    prev_data = m->out_data_o;
    prev_last = m->out_last_o;
    if (uop_v && m->uop_ready_o) {
      uop_v = false;
      ++ui;
      last_progress = clk.cycles;
    }
    if (in_v && m->in_ready_o) {
      in_v = false;
      ++ii;
      last_progress = clk.cycles;
    }
    bool done = ui == uops.size() && ii == ins.size() && oi == outs.size();
    clk.edge();
    if (done) {
      if (idle_since == 0) idle_since = clk.cycles;
      // Nothing more may come out, and the unit must settle idle.
      if (clk.cycles - idle_since > 300) {
        if (m->busy_o) tb::fail(TB_NAME, "busy_o still high after every element was sent");
        break;
      }
    } else if (clk.cycles - last_progress > kStuck) {
      tb::fail(TB_NAME, tb::fmt("no progress for %" PRIu64 " cycles: uOPs %zu/%zu, inputs %zu/%zu, "
                                "outputs %zu/%zu",
                                kStuck, ui, uops.size(), ii, ins.size(), oi, outs.size()));
    }
  }
  std::printf("%s: PASS %ux%u %s: %zu uOPs, %zu load elements, %zu sent elements checked, %" PRIu64
              " cycles\n",
              TB_NAME, rows, cols, is_b ? "MemB" : "MemA", uops.size(), ins.size(), outs.size(), clk.cycles);
  m->final();
  delete m;
  return 0;
}
