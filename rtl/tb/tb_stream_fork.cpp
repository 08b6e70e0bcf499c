// Testbench of rsn_stream_fork with N = 3: every output must receive every item exactly once and
// in order while the outputs stall independently; out_valid_o must not depend on out_ready_i; the
// input is released only once all outputs took the item.
#include "Vrsn_stream_fork.h"
#include "tb_common.h"

using tb::fail;
using tb::fmt;

int main(int argc, char** argv) {
  const char* name = TB_NAME;
  constexpr unsigned N = 3;
  tb::Rng rng(argc > 1 ? std::strtoull(argv[1], nullptr, 0) : 1);
  auto* ctx = new VerilatedContext;
  auto* m = new Vrsn_stream_fork{ctx};
  tb::Clocked<Vrsn_stream_fork> clk(m);
  m->in_valid_i = 0;
  m->out_ready_i = 0;
  clk.reset();

  std::vector<uint32_t> items;
  uint64_t recv[N] = {0, 0, 0};
  size_t sent = 0;
  bool offering = false;
  const size_t total = 200000;
  items.reserve(total);
  for (size_t i = 0; i < total; ++i) items.push_back(rng.u32());
  while (sent < total) {
    if (!offering && rng.chance(70)) offering = true;
    m->in_valid_i = offering;
    m->in_data_i = items[sent];
    m->out_ready_i = 0;
    clk.settle();
    const unsigned valid_a = m->out_valid_o;
    unsigned ready = 0;
    for (unsigned i = 0; i < N; ++i) ready |= rng.chance(50) << i;
    m->out_ready_i = ready;
    clk.settle();
    if (valid_a != m->out_valid_o) fail(name, "out_valid_o depends on out_ready_i");
    for (unsigned i = 0; i < N; ++i) {
      if ((m->out_valid_o >> i) & (ready >> i) & 1) {
        if (recv[i] != sent) fail(name, fmt("output %u took item %zu twice or out of order", i, sent));
        if (m->out_data_o != items[sent]) fail(name, fmt("output %u item %zu: bad data", i, sent));
        ++recv[i];
      }
    }
    if (offering && m->in_ready_o) {
      for (unsigned i = 0; i < N; ++i)
        if (recv[i] != sent + 1) fail(name, fmt("input released before output %u took item %zu", i, sent));
      ++sent;
      offering = false;
    }
    if (clk.cycles > 40 * total) fail(name, "timeout");
    clk.edge();
  }
  std::printf("%s: %zu items to %u outputs, %lu cycles\n", name, sent, N, clk.cycles);
  m->final();
  delete m;
  delete ctx;
  return 0;
}
