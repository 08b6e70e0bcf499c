// Testbench of rsn_stream_mux with N = 3: a random schedule of selects (held until the selected
// input transfers, as the handshake rule requires); the output must be the scheduled inputs'
// items in order, unselected inputs must see ready low, and a select >= N must idle the output.
#include "Vrsn_stream_mux.h"
#include "tb_common.h"

using tb::fail;
using tb::fmt;

int main(int argc, char** argv) {
  const char* name = TB_NAME;
  constexpr unsigned N = 3;
  tb::Rng rng(argc > 1 ? std::strtoull(argv[1], nullptr, 0) : 1);
  auto* ctx = new VerilatedContext;
  auto* m = new Vrsn_stream_mux{ctx};

  const size_t total = 200000;
  size_t next_item[N] = {0, 0, 0};
  bool offering[N] = {false, false, false};
  size_t out = 0;
  unsigned sel = rng.below(N);
  uint64_t cycles = 0, idle_checks = 0;
  auto item = [](unsigned i, size_t k) { return static_cast<uint32_t>(i * 0x10000000u + k); };
  while (out < total) {
    unsigned valid = 0;
    for (unsigned i = 0; i < N; ++i) {
      if (!offering[i] && rng.chance(50)) offering[i] = true;
      valid |= offering[i] << i;
      m->in_data_i[i] = item(i, next_item[i]);
    }
    m->in_valid_i = valid;
    m->out_ready_i = rng.chance(70);
    // Occasionally probe an out-of-range select: nothing may be forwarded.
    if (rng.chance(2)) {
      m->sel_i = 3;
      m->eval();
      if (m->out_valid_o || m->in_ready_o) fail(name, "select 3 (>= N) forwarded something");
      ++idle_checks;
    }
    m->sel_i = sel;
    m->eval();
    if (static_cast<bool>(m->out_valid_o) != offering[sel]) fail(name, "out_valid_o is not the selected input's valid");
    if ((m->in_ready_o & ~(1u << sel)) != 0) fail(name, "an unselected input saw ready");
    if (m->out_valid_o && m->out_ready_i) {
      if (m->out_data_o != item(sel, next_item[sel])) fail(name, fmt("output %zu: got %08x want %08x", out, m->out_data_o, item(sel, next_item[sel])));
      if (!((m->in_ready_o >> sel) & 1)) fail(name, "selected input not consumed on transfer");
      ++next_item[sel];
      offering[sel] = false;
      ++out;
      sel = rng.below(N);
    }
    if (++cycles > 40 * total) fail(name, "timeout");
  }
  std::printf("%s: %zu items through %u inputs, %lu evaluations, %lu out-of-range probes\n", name, out, N, cycles, idle_checks);
  m->final();
  delete m;
  delete ctx;
  return 0;
}
