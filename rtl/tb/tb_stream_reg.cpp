// Testbench of rsn_stream_reg: random traffic with random back-pressure must come out complete,
// in order and unmodified; data must stay stable while stalled; with no stalls the slice must
// sustain one item per cycle; in_ready_o must not depend combinationally on out_ready_i.
#include "Vrsn_stream_reg.h"
#include "tb_common.h"

using tb::fail;
using tb::fmt;

int main(int argc, char** argv) {
  const char* name = TB_NAME;
  tb::Rng rng(argc > 1 ? std::strtoull(argv[1], nullptr, 0) : 1);
  auto* ctx = new VerilatedContext;
  auto* m = new Vrsn_stream_reg{ctx};
  tb::Clocked<Vrsn_stream_reg> clk(m);
  m->in_valid_i = 0;
  m->out_ready_i = 0;
  clk.reset();

  std::deque<uint32_t> expect;
  uint64_t sent = 0, recv = 0, full_rate_recv = 0, full_rate_cycles = 0;
  bool offering = false, held = false;
  uint32_t offer = 0, held_data = 0;
  const uint64_t total = 300000;
  while (recv < total) {
    const bool phase_full = ((clk.cycles >> 10) & 3) == 0;  // a quarter of the time: no stalls
    if (!offering && sent < total && (phase_full || rng.chance(60))) {
      offering = true;
      offer = rng.u32();
    }
    m->in_valid_i = offering;
    m->in_data_i = offer;
    // ready is registered: flipping out_ready_i must not change in_ready_o before the edge.
    m->out_ready_i = 0;
    clk.settle();
    const bool ready_a = m->in_ready_o;
    m->out_ready_i = phase_full || rng.chance(50);
    clk.settle();
    if (ready_a != static_cast<bool>(m->in_ready_o)) fail(name, "in_ready_o depends on out_ready_i combinationally");
    if (held && (!m->out_valid_o || m->out_data_o != held_data)) fail(name, fmt("cycle %lu: output changed while stalled", clk.cycles));
    if (m->out_valid_o && m->out_ready_i) {
      if (expect.empty()) fail(name, "output without input");
      if (m->out_data_o != expect.front()) fail(name, fmt("item %lu: got %08x want %08x", recv, m->out_data_o, expect.front()));
      expect.pop_front();
      ++recv;
      if (phase_full) ++full_rate_recv;
    }
    if (phase_full) ++full_rate_cycles;
    held = m->out_valid_o && !m->out_ready_i;
    held_data = m->out_data_o;
    if (offering && m->in_ready_o) {
      expect.push_back(offer);
      ++sent;
      offering = false;
    }
    if (clk.cycles > 20 * total) fail(name, "timeout");
    clk.edge();
  }
  // Each full-rate phase loses at most two cycles to refilling the slice.
  if (full_rate_recv + 2 * (full_rate_cycles / 1024 + 1) < full_rate_cycles) fail(name, fmt("throughput: %lu items in %lu unstalled cycles", full_rate_recv, full_rate_cycles));
  std::printf("%s: %lu items, %lu cycles, %lu/%lu items in unstalled cycles\n", name, recv, clk.cycles, full_rate_recv, full_rate_cycles);
  m->final();
  delete m;
  delete ctx;
  return 0;
}
