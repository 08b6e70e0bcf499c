// Testbench of rsn_stream_demux with N = 3: items routed by a random select (held until the
// transfer) must arrive only at the selected output, in order; in_ready_o must be the selected
// output's ready; a select >= N must stall the input.
#include "Vrsn_stream_demux.h"
#include "tb_common.h"

using tb::fail;
using tb::fmt;

int main(int argc, char** argv) {
  const char* name = TB_NAME;
  constexpr unsigned N = 3;
  tb::Rng rng(argc > 1 ? std::strtoull(argv[1], nullptr, 0) : 1);
  auto* ctx = new VerilatedContext;
  auto* m = new Vrsn_stream_demux{ctx};

  const size_t total = 200000;
  size_t routed[N] = {0, 0, 0};
  size_t sent = 0;
  bool offering = false;
  unsigned sel = rng.below(N);
  uint64_t cycles = 0;
  while (sent < total) {
    if (!offering && rng.chance(70)) offering = true;
    unsigned ready = 0;
    for (unsigned i = 0; i < N; ++i) ready |= rng.chance(50) << i;
    m->in_valid_i = offering;
    m->in_data_i = static_cast<uint32_t>(sent * 2654435761u);
    m->out_ready_i = ready;
    if (rng.chance(2)) {
      m->sel_i = 3;
      m->eval();
      if (m->out_valid_o || m->in_ready_o) fail(name, "select 3 (>= N) routed something");
    }
    m->sel_i = sel;
    m->eval();
    if (m->out_valid_o != (offering ? (1u << sel) : 0u)) fail(name, fmt("out_valid_o %x for select %u", m->out_valid_o, sel));
    if (static_cast<bool>(m->in_ready_o) != static_cast<bool>((ready >> sel) & 1)) fail(name, "in_ready_o is not the selected output's ready");
    if (offering && m->in_ready_o) {
      if (m->out_data_o != static_cast<uint32_t>(sent * 2654435761u)) fail(name, "data not forwarded");
      ++routed[sel];
      ++sent;
      offering = false;
      sel = rng.below(N);
    }
    if (++cycles > 40 * total) fail(name, "timeout");
  }
  std::printf("%s: %zu items routed (%zu/%zu/%zu), %lu evaluations\n", name, sent, routed[0], routed[1], routed[2], cycles);
  m->final();
  delete m;
  delete ctx;
  return 0;
}
