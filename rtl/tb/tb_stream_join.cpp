// Testbench of rsn_stream_join with N = 3, Width = 16: three independent random input streams;
// the output must carry item k of every input side by side, and each input must be consumed
// exactly when the output transfers.
#include "Vrsn_stream_join.h"
#include "tb_common.h"

using tb::fail;
using tb::fmt;

int main(int argc, char** argv) {
  const char* name = TB_NAME;
  constexpr unsigned N = 3;
  tb::Rng rng(argc > 1 ? std::strtoull(argv[1], nullptr, 0) : 1);
  auto* ctx = new VerilatedContext;
  auto* m = new Vrsn_stream_join{ctx};
  m->in_valid_i = 0;
  m->out_ready_i = 0;
  m->eval();

  const size_t total = 200000;
  std::vector<uint16_t> items[N];
  for (auto& v : items)
    for (size_t i = 0; i < total; ++i) v.push_back(static_cast<uint16_t>(rng.u32()));
  size_t pos[N] = {0, 0, 0};
  bool offering[N] = {false, false, false};
  size_t out = 0;
  uint64_t cycles = 0;
  while (out < total) {
    unsigned valid = 0;
    uint64_t data = 0;
    for (unsigned i = 0; i < N; ++i) {
      if (!offering[i] && pos[i] < total && rng.chance(60)) offering[i] = true;
      valid |= offering[i] << i;
      data |= static_cast<uint64_t>(items[i][pos[i] < total ? pos[i] : total - 1]) << (16 * i);
    }
    m->in_valid_i = valid;
    m->in_data_i = data;
    m->out_ready_i = rng.chance(70);
    m->eval();
    const bool fire = m->out_valid_o && m->out_ready_i;
    if (static_cast<bool>(m->out_valid_o) != (valid == (1u << N) - 1)) fail(name, "out_valid_o is not the AND of the inputs");
    if (fire) {
      for (unsigned i = 0; i < N; ++i) {
        const uint16_t got = static_cast<uint16_t>(m->out_data_o >> (16 * i));
        if (got != items[i][out]) fail(name, fmt("output %zu lane %u: got %04x want %04x", out, i, got, items[i][out]));
      }
      ++out;
    }
    for (unsigned i = 0; i < N; ++i) {
      const bool took = offering[i] && ((m->in_ready_o >> i) & 1);
      if (took != fire) fail(name, fmt("input %u consumed=%d but output fired=%d", i, took, fire));
      if (took) {
        ++pos[i];
        offering[i] = false;
      }
    }
    if (++cycles > 40 * total) fail(name, "timeout");
  }
  std::printf("%s: %zu joined items from %u inputs, %lu evaluations\n", name, out, N, cycles);
  m->final();
  delete m;
  delete ctx;
  return 0;
}
