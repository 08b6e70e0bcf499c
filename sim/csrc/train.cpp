// The training run of the profile-guided build (build.rs): replays the traces in sim/train/ (what
// the `sim` backend sent the harness for a few representative programs, recorded with
// RSN_SIM_RECORD) through the harness's C API, linked against the instrumented model, so GCC sees
// the branches and call counts of real programs. The rsn crate cannot run here (it depends on this
// crate), hence traces instead of programs.
//
// Host data written to DDR and LPDDR is not in the traces: it is made here from a seed, uniform in
// [-1, 1] like the benchmarks' operands. The engines' products come from a plain loop instead of
// the AI Engine kernels: the trainer then needs nothing from the rsn-aie crate, and the products'
// exact bits do not matter for a profile (the outputs of a training run are never looked at).

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "harness.h"
#include "rsn_aie.h"

extern "C" int rsn_aie_engine_block(const float* a, const float* b, float* c) {
  std::memset(c, 0, 128 * 128 * sizeof(float));
  for (int i = 0; i < 128; i++)
    for (int k = 0; k < 128; k++) {
      float x = a[i * 128 + k];
      for (int j = 0; j < 128; j++) c[i * 128 + j] += x * b[k * 128 + j];
    }
  return RSN_AIE_OK;
}

extern "C" size_t rsn_aie_last_error(char* buf, size_t len) {
  if (buf && len) buf[0] = 0;
  return 0;
}

namespace {

// A run that does not finish within this many cycles is a stale trace (the kernel's own watchdog
// normally stops a stuck program much earlier).
constexpr uint64_t kMaxRunCycles = 20'000'000;

[[noreturn]] void die(const std::string& where, const std::string& what) {
  std::fprintf(stderr, "rsn-sim trainer: %s: %s\n", where.c_str(), what.c_str());
  std::exit(1);
}

uint64_t splitmix(uint64_t& s) {
  uint64_t z = (s += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

std::string sim_error(void* sim) {
  char buf[512];
  rsn_sim_last_error(sim, buf, sizeof buf);
  return buf;
}

// Returns the PL cycles the trace took.
uint64_t replay(const char* path) {
  std::ifstream in(path);
  if (!in) die(path, "cannot open");
  void* sim = nullptr;
  uint64_t cycles = 0, seed = 0x5eed;
  std::string line;
  std::vector<uint8_t> buf;
  for (unsigned no = 1; std::getline(in, line); no++) {
    std::string where = std::string(path) + ":" + std::to_string(no);
    std::istringstream ls(line);
    std::string op;
    if (!(ls >> op) || op[0] == '#') continue;
    if (op == "new") {
      if (sim) {
        cycles += rsn_sim_cycles(sim);
        rsn_sim_free(sim);
      }
      rsn_sim_config c{};
      ls >> c.mem_bytes[0] >> c.mem_bytes[1] >> c.mem_bytes[2] >> c.ddr_rd_bytes_per_cycle >>
          c.ddr_wr_bytes_per_cycle >> c.lpddr_bytes_per_cycle >> c.ddr_latency >> c.lpddr_latency >>
          c.instr_latency >> c.engine_block_cycles >> c.engine_latency >> c.engine_out_cycles;
      if (!ls) die(where, "bad new line");
      sim = rsn_sim_new(&c);
      if (!sim) die(where, "rsn_sim_new failed");
      continue;
    }
    if (!sim) die(where, "`" + op + "` before `new`");
    int rc = RSN_SIM_OK;
    if (op == "data" || op == "zero" || op == "fill") {
      int mem;
      uint64_t off, len = 0;
      std::string hex;
      ls >> mem >> off;
      if (op == "data") {
        ls >> hex;
        len = hex.size() / 2;
        buf.resize(len);
        for (uint64_t i = 0; i < len; i++) buf[i] = static_cast<uint8_t>(std::stoul(hex.substr(2 * i, 2), nullptr, 16));
      } else {
        ls >> len;
        buf.assign(len, 0);
        if (op == "fill") {
          for (uint64_t i = 0; i + 4 <= len; i += 4) {
            float v = static_cast<float>(static_cast<double>(splitmix(seed) >> 11) * 0x1p-52 - 1.0);
            std::memcpy(&buf[i], &v, 4);
          }
        }
      }
      if (!ls) die(where, "bad " + op + " line");
      rc = rsn_sim_mem_write(sim, mem, off, buf.data(), len);
    } else if (op == "wr") {
      uint32_t off, v;
      if (!(ls >> off >> v)) die(where, "bad wr line");
      rc = rsn_sim_reg_write(sim, off, v);
    } else if (op == "rd") {
      uint32_t off, v;
      if (!(ls >> off)) die(where, "bad rd line");
      rc = rsn_sim_reg_read(sim, off, &v);
    } else if (op == "blocks") {
      uint32_t b[6];
      for (auto& x : b) ls >> x;
      if (!ls) die(where, "bad blocks line");
      rsn_sim_set_engine_blocks(sim, b);
    } else if (op == "run") {
      int done = 0;
      uint64_t t0 = rsn_sim_cycles(sim);
      while (!done && rc == RSN_SIM_OK) {
        if (rsn_sim_cycles(sim) - t0 > kMaxRunCycles) die(where, "the program did not finish: a stale trace?");
        rc = rsn_sim_run(sim, 1u << 20, &done);
      }
    } else {
      die(where, "unknown operation `" + op + "`");
    }
    if (rc != RSN_SIM_OK) die(where, "harness error " + std::to_string(rc) + ": " + sim_error(sim));
  }
  if (sim) {
    cycles += rsn_sim_cycles(sim);
    rsn_sim_free(sim);
  }
  return cycles;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s TRACE...\n", argv[0]);
    return 2;
  }
  for (int i = 1; i < argc; i++) {
    auto t0 = std::chrono::steady_clock::now();
    uint64_t cycles = replay(argv[i]);
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("%s: %llu PL cycles in %.2f s\n", argv[i], static_cast<unsigned long long>(cycles), s);
  }
  return 0;
}
