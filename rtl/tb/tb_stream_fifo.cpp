// Testbench of rsn_stream_fifo (built twice: Depth 8 without fall-through, Depth 4 with). Random
// traffic and back-pressure; checks order and data, usage_o against a model, that in_ready_o is
// exactly !full, that a full FIFO really holds Depth items, and the fall-through latency rule.
#include "Vrsn_stream_fifo.h"
#include "tb_common.h"

using tb::fail;
using tb::fmt;

int main(int argc, char** argv) {
  const char* name = TB_NAME;
  const bool fall_through = std::strstr(name, "_ft") != nullptr;
  const unsigned depth = fall_through ? 4 : 8;
  tb::Rng rng(argc > 1 ? std::strtoull(argv[1], nullptr, 0) : 1);
  auto* ctx = new VerilatedContext;
  auto* m = new Vrsn_stream_fifo{ctx};
  tb::Clocked<Vrsn_stream_fifo> clk(m);
  m->in_valid_i = 0;
  m->out_ready_i = 0;
  clk.reset();

  std::deque<uint32_t> expect;
  uint64_t sent = 0, recv = 0, saw_full = 0, bypassed = 0;
  bool offering = false, held = false;
  uint32_t offer = 0, held_data = 0;
  const uint64_t total = 300000;
  while (recv < total) {
    // Phases biased towards filling and towards draining, so full and empty are both frequent.
    const unsigned phase = (clk.cycles >> 7) % 3;
    const unsigned p_in = phase == 0 ? 90 : phase == 1 ? 30 : 60;
    const unsigned p_out = phase == 0 ? 30 : phase == 1 ? 90 : 60;
    if (!offering && sent < total && rng.chance(p_in)) {
      offering = true;
      offer = rng.u32();
    }
    m->in_valid_i = offering;
    m->in_data_i = offer;
    m->out_ready_i = rng.chance(p_out);
    clk.settle();
    const size_t stored = expect.size();
    if (m->usage_o != stored) fail(name, fmt("cycle %lu: usage_o %u, model %zu", clk.cycles, m->usage_o, stored));
    if (static_cast<bool>(m->in_ready_o) != (stored < depth)) fail(name, fmt("cycle %lu: in_ready_o %d with %zu stored", clk.cycles, m->in_ready_o, stored));
    if (stored == depth) ++saw_full;
    const bool want_valid = stored > 0 || (fall_through && offering);
    if (static_cast<bool>(m->out_valid_o) != want_valid) fail(name, fmt("cycle %lu: out_valid_o %d, expected %d", clk.cycles, m->out_valid_o, want_valid));
    if (held && (!m->out_valid_o || m->out_data_o != held_data)) fail(name, fmt("cycle %lu: output changed while stalled", clk.cycles));
    const bool in_fire = offering && m->in_ready_o;
    if (in_fire) expect.push_back(offer);
    if (m->out_valid_o && m->out_ready_i) {
      if (m->out_data_o != expect.front()) fail(name, fmt("item %lu: got %08x want %08x", recv, m->out_data_o, expect.front()));
      if (stored == 0) ++bypassed;
      expect.pop_front();
      ++recv;
    }
    held = m->out_valid_o && !m->out_ready_i;
    held_data = m->out_data_o;
    if (in_fire) {
      ++sent;
      offering = false;
    }
    if (clk.cycles > 20 * total) fail(name, "timeout");
    clk.edge();
  }
  if (saw_full == 0) fail(name, "the FIFO never filled: test is not exercising back-pressure");
  if (fall_through && bypassed == 0) fail(name, "fall-through path never used");
  std::printf("%s: %lu items, %lu cycles, full in %lu cycles, %lu items bypassed\n", name, recv, clk.cycles, saw_full, bypassed);
  m->final();
  delete m;
  delete ctx;
  return 0;
}
