// Shared helpers for the Verilator testbenches: a seeded RNG, clocking, vector-file loading and
// failure reporting. Every testbench keeps its whole cycle loop in C++ and exits non-zero on the
// first protocol violation or after reporting the first few data mismatches.
#pragma once

#include <cinttypes>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <string>
#include <vector>

#include "verilated.h"

namespace tb {

// xorshift64*: deterministic per seed, independent of the C++ library.
struct Rng {
  uint64_t s;
  explicit Rng(uint64_t seed) : s(seed ? seed : 0x9e3779b97f4a7c15ull) {}
  uint64_t next() {
    s ^= s >> 12;
    s ^= s << 25;
    s ^= s >> 27;
    return s * 0x2545f4914f6cdd1dull;
  }
  uint32_t u32() { return static_cast<uint32_t>(next() >> 32); }
  // True with probability pct/100.
  bool chance(unsigned pct) { return (next() >> 40) % 100 < pct; }
  unsigned below(unsigned n) { return static_cast<unsigned>((next() >> 33) % n); }
};

[[noreturn]] inline void fail(const char* tb_name, const std::string& msg) {
  std::fprintf(stderr, "%s: FAIL: %s\n", tb_name, msg.c_str());
  std::exit(1);
}

inline std::string fmt(const char* f, ...) __attribute__((format(printf, 1, 2)));
inline std::string fmt(const char* f, ...) {
  char buf[512];
  va_list ap;
  va_start(ap, f);
  std::vsnprintf(buf, sizeof buf, f, ap);
  va_end(ap);
  return buf;
}

// Drive one full clock cycle: outputs of the previous edge are visible before the call; the
// caller sets inputs, calls settle() to evaluate combinational paths, samples, then edge().
template <class M>
struct Clocked {
  M* m;
  uint64_t cycles = 0;
  explicit Clocked(M* model) : m(model) {}
  void settle() { m->eval(); }
  void edge() {
    m->clk_i = 1;
    m->eval();
    m->clk_i = 0;
    m->eval();
    ++cycles;
  }
  void reset() {
    m->clk_i = 0;
    m->rst_ni = 0;
    m->eval();
    m->rst_ni = 1;
    m->eval();
  }
};

// One test vector: up to two inputs and the expected result, all binary32 bit patterns.
struct Vec {
  uint32_t in[2];
  uint32_t want;
};

// Reads lines of `nin + 1` hex words. Any malformed line is an error naming the line.
inline std::vector<Vec> load_vectors(const char* tb_name, const char* path, int nin) {
  FILE* f = std::fopen(path, "r");
  if (!f) fail(tb_name, fmt("cannot open vector file %s", path));
  std::vector<Vec> v;
  char line[256];
  unsigned long lineno = 0;
  while (std::fgets(line, sizeof line, f)) {
    ++lineno;
    if (line[0] == '\n' || line[0] == '#') continue;
    Vec x{};
    int n = (nin == 2) ? std::sscanf(line, "%" SCNx32 " %" SCNx32 " %" SCNx32, &x.in[0], &x.in[1], &x.want)
                       : std::sscanf(line, "%" SCNx32 " %" SCNx32, &x.in[0], &x.want);
    if (n != nin + 1) {
      std::fclose(f);
      fail(tb_name, fmt("%s:%lu: expected %d hex words", path, lineno, nin + 1));
    }
    v.push_back(x);
  }
  std::fclose(f);
  if (v.empty()) fail(tb_name, fmt("%s holds no vectors", path));
  return v;
}

inline bool is_nan(uint32_t x) { return (x & 0x7f800000u) == 0x7f800000u && (x & 0x007fffffu) != 0; }

// NaN results are compared by NaN-ness (the host may produce any payload; the RTL always gives
// 0x7fc00000, which is checked separately), everything else bit for bit.
inline bool result_matches(uint32_t got, uint32_t want) {
  if (is_nan(want)) return got == 0x7fc00000u;
  return got == want;
}

}  // namespace tb
