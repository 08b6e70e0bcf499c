// Testbench for rsn_mem_ab (rtl/mem) on a vector file from rtl/vectors (`rsn-vectors mem`). Two runs,
// each on a fresh model:
//
// 1. Stalls: starts the file's `abort` uOP, aborts it at a random point mid-way and checks the
//    unit goes idle and quiet within a few cycles; then runs the `zero` uOPs and every `u` uOP with
//    random bubbles on the uOP and line inputs and random back-pressure on the block output.
// 2. Full rate: the `u` uOPs with no bubbles and the output always ready; each uOP's cycle count
//    must be exactly 1 + max(load cycles, 512 * blocks), where a load takes one cycle per line plus
//    one per line that crosses a stream-row boundary (one per row segment when rows are short).
//
// Both runs pack the load elements into 16-float lines and check every element of every 32-float
// beat and every `last` bit, that a stalled output holds still, that nothing extra is sent, that
// nothing hangs (watchdog), that wait_in_o/wait_out_o are low while the unit is idle, and that
// the unit ends idle.
//
//   tb_mem_ab VECTORS SEED
#include <fstream>
#include <sstream>

#include "Vrsn_mem_ab.h"
#include "tb_common.h"

#ifndef TB_NAME
#define TB_NAME "tb_mem_ab"
#endif

namespace {

constexpr unsigned kLine = 16;   // floats per load beat
constexpr unsigned kBeat = 32;   // floats per block beat
constexpr unsigned kBlockBeats = 512;
constexpr uint64_t kStuck = 200000;

struct Uop {
  uint32_t iter, w0, w1;
  unsigned rows, cols, tr, blocks;  // the load's shape (0 0 0: none) and the blocks sent
};
struct Out {
  uint32_t v;
  bool last;
};

struct Vectors {
  unsigned rows = 0, cols = 0, is_b = 0;
  std::vector<Uop> aborted, zero, uops;
  std::vector<uint32_t> ins;
  std::vector<Out> outs;
};

Vectors load(const char* path) {
  std::ifstream f(path);
  if (!f) tb::fail(TB_NAME, tb::fmt("cannot open %s", path));
  Vectors v;
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
      ok = static_cast<bool>(ss >> v.rows >> v.cols >> v.is_b);
    } else if (tag == "u" || tag == "abort" || tag == "zero") {
      Uop u;
      ok = static_cast<bool>(ss >> std::dec >> u.iter >> std::hex >> u.w0 >> u.w1 >> std::dec >> u.rows >> u.cols >>
                             u.tr >> u.blocks);
      (tag == "u" ? v.uops : tag == "abort" ? v.aborted : v.zero).push_back(u);
    } else if (tag == "i") {
      uint32_t x;
      ok = static_cast<bool>(ss >> std::hex >> x);
      v.ins.push_back(x);
    } else if (tag == "o") {
      uint32_t x;
      unsigned l;
      ok = static_cast<bool>(ss >> std::hex >> x >> std::dec >> l);
      v.outs.push_back({x, l != 0});
    } else if (tag == "end") {
      ended = true;
    } else {
      ok = false;
    }
    if (!ok) tb::fail(TB_NAME, tb::fmt("%s:%zu: bad line '%s'", path, lineno, line.c_str()));
  }
  if (!ended) tb::fail(TB_NAME, tb::fmt("%s: no 'end' line (truncated file?)", path));
  if (v.aborted.size() != 1 || v.zero.empty()) tb::fail(TB_NAME, "vectors lack the abort/zero uOPs");
  if (v.ins.size() % kLine != 0 || v.outs.size() % kBeat != 0)
    tb::fail(TB_NAME, "load elements or sent elements are not whole lines / beats");
  for (size_t i = 0; i < v.outs.size(); ++i)
    if (v.outs[i].last != (i % (kBeat * kBlockBeats) == kBeat * kBlockBeats - 1))
      tb::fail(TB_NAME, tb::fmt("vector element %zu: unexpected last flag", i));
  return v;
}

// Cycles the unit needs for a load at full rate: one per row segment of each line (a stream row
// is `run` elements long).
uint64_t load_cycles(const Uop& u) {
  uint64_t total = static_cast<uint64_t>(u.rows) * u.cols, run = u.tr ? u.rows : u.cols, cycles = 0;
  for (uint64_t e = 0; e < total; e += kLine) cycles += (e + kLine - 1) / run - e / run + 1;
  return cycles;
}

struct Bench {
  Vrsn_mem_ab* m;
  tb::Clocked<Vrsn_mem_ab> clk;
  tb::Rng rng;
  bool prev_stall = false;
  uint32_t prev_data[kBeat] = {};
  bool prev_last = false;

  explicit Bench(uint64_t seed) : m(new Vrsn_mem_ab), clk(m), rng(seed) {
    m->abort_i = 0;
    m->uop_valid_i = 0;
    m->in_valid_i = 0;
    m->out_ready_i = 0;
    clk.reset();
  }
  ~Bench() {
    m->final();
    delete m;
  }

  void drive_uop(const Uop& u) {
    m->uop_iter_i = u.iter;
    m->uop_payload_i = (static_cast<uint64_t>(u.w1) << 32) | u.w0;
  }
  void drive_line(const uint32_t* e) {
    for (unsigned k = 0; k < kLine; ++k) m->in_data_i[k] = e ? e[k] : 0;
  }

  // Checks made every cycle after settle(): status consistency and a stalled output holding.
  void check_cycle(const char* phase) {
    if (!m->busy_o && (m->wait_in_o || m->wait_out_o))
      tb::fail(TB_NAME, tb::fmt("%s, cycle %" PRIu64 ": wait_in_o/wait_out_o high while idle", phase, clk.cycles));
    if (prev_stall) {
      bool same = m->out_valid_o && static_cast<bool>(m->out_last_o) == prev_last;
      for (unsigned k = 0; k < kBeat; ++k) same = same && m->out_data_o[k] == prev_data[k];
      if (!same) tb::fail(TB_NAME, tb::fmt("%s, cycle %" PRIu64 ": stalled output changed", phase, clk.cycles));
    }
  }
  void note_output() {
    prev_stall = m->out_valid_o && !m->out_ready_i;
    for (unsigned k = 0; k < kBeat; ++k) prev_data[k] = m->out_data_o[k];
    prev_last = m->out_last_o;
  }
  // Compares the beat on the output with expected elements outs[oi..oi+31].
  void check_beat(const char* phase, const std::vector<Out>& outs, size_t oi) {
    if (oi + kBeat > outs.size())
      tb::fail(TB_NAME, tb::fmt("%s, cycle %" PRIu64 ": extra output beat after %zu expected elements", phase,
                                clk.cycles, outs.size()));
    for (unsigned k = 0; k < kBeat; ++k) {
      size_t e = oi + k;
      if (m->out_data_o[k] != outs[e].v)
        tb::fail(TB_NAME, tb::fmt("%s: element %zu (block %zu, row %zu, col %zu): got %08x, want %08x", phase, e,
                                  e / 16384, (e / 128) % 128, e % 128, m->out_data_o[k], outs[e].v));
    }
    if (static_cast<bool>(m->out_last_o) != outs[oi + kBeat - 1].last)
      tb::fail(TB_NAME, tb::fmt("%s: beat %zu: last %d, want %d", phase, oi / kBeat, m->out_last_o,
                                outs[oi + kBeat - 1].last));
  }
};

// Run 1, first part: start the abort uOP, abort it mid-way, check the unit recovers.
void abort_phase(Bench& b, const Vectors& v) {
  const char* ph = "abort";
  const Uop& u = v.aborted[0];
  std::vector<uint32_t> line(kLine);
  uint64_t abort_at = 0, t0 = b.clk.cycles;
  // The abort comes at a random point once the uOP runs; the output is held back for the last
  // few cycles before it, so the read pipeline and the output slice are full of beats to drop.
  const uint64_t when = t0 + 64 + b.rng.below(1000);
  bool uop_v = true, in_v = false, started = false;
  size_t beats = 0;
  unsigned after = 0;
  while (true) {
    // Random lines with bubbles until the abort.
    if (!in_v && b.rng.chance(70)) {
      in_v = true;
      for (auto& x : line) x = b.rng.u32();
    }
    bool aborting = abort_at == 0 && b.clk.cycles == when;
    b.m->abort_i = aborting;
    b.drive_uop(u);
    b.m->uop_valid_i = uop_v && !aborting && abort_at == 0;
    b.m->in_valid_i = in_v && !aborting && abort_at == 0;
    b.drive_line(line.data());
    b.m->out_ready_i = b.clk.cycles + 8 < when && b.rng.chance(60);
    b.clk.settle();
    if (abort_at == 0) b.check_cycle(ph);
    if (aborting && (!started || !b.m->busy_o || !b.m->out_valid_o))
      tb::fail(TB_NAME, "abort: the uOP is not running with beats waiting at the abort (test setup)");
    if (b.m->out_valid_o && b.m->out_ready_i) {
      // Bank 0 is all zeros: every element sent before the abort is +0.0.
      for (unsigned k = 0; k < kBeat; ++k)
        if (b.m->out_data_o[k] != 0) tb::fail(TB_NAME, tb::fmt("abort: beat %zu element %u not zero", beats, k));
      if (static_cast<bool>(b.m->out_last_o) != (beats % kBlockBeats == kBlockBeats - 1))
        tb::fail(TB_NAME, tb::fmt("abort: beat %zu: wrong last flag", beats));
      ++beats;
    }
    b.note_output();
    if (b.m->uop_valid_i && b.m->uop_ready_o) {
      uop_v = false;
      started = true;
    }
    if (b.m->in_valid_i && b.m->in_ready_o) in_v = false;
    b.clk.edge();
    if (aborting) {
      abort_at = b.clk.cycles;
      b.prev_stall = false;  // the stream may be left half-transferred
    }
    if (abort_at != 0) {
      // From the cycle after the abort: idle, no beat offered, no line taken (the buffered beats
      // are dropped, not sent); within 3 cycles a new uOP is welcome.
      after = static_cast<unsigned>(b.clk.cycles - abort_at) + 1;
      b.m->abort_i = 0;
      b.m->uop_valid_i = 0;
      b.m->in_valid_i = 0;
      b.m->out_ready_i = b.rng.chance(50);
      b.m->eval();
      if (b.m->busy_o || b.m->out_valid_o || b.m->in_ready_o || b.m->wait_in_o || b.m->wait_out_o ||
          (after >= 3 && !b.m->uop_ready_o))
        tb::fail(TB_NAME, tb::fmt("abort: %u cycles after the abort: busy %d out_valid %d in_ready %d uop_ready %d",
                                  after, b.m->busy_o, b.m->out_valid_o, b.m->in_ready_o, b.m->uop_ready_o));
      if (after > 40) break;
    }
    if (b.clk.cycles - t0 > kStuck) tb::fail(TB_NAME, "abort: the abort never happened");
  }
  std::printf("%s: abort after %" PRIu64 " cycles (%zu beats sent, all zero): idle and quiet at once, "
              "ready for a uOP within 3 cycles\n",
              TB_NAME, abort_at - t0, beats);
}

// Drives uOPs and lines, takes and checks beats. Returns per-uOP cycle costs (fire to fire, the
// last one to busy_o falling).
std::vector<uint64_t> stream_phase(Bench& b, const char* ph, const std::vector<Uop>& uops,
                                   const std::vector<uint32_t>& ins, const std::vector<Out>& outs, bool full_rate) {
  size_t ui = 0, li = 0, oi = 0;
  const size_t lines = ins.size() / kLine;
  bool uop_v = false, in_v = false;
  // Back-pressure and bubble profiles change every few thousand cycles: full rate, light, heavy.
  const unsigned profiles[3] = {100, 70, 20};
  unsigned in_pct = 100, out_pct = 100, uop_pct = 100;
  uint64_t idle_since = 0, last_progress = b.clk.cycles, last_fire = 0;
  std::vector<uint64_t> cost;
  b.prev_stall = false;
  while (true) {
    if (b.clk.cycles % 4096 == 0 && !full_rate) {
      in_pct = profiles[b.rng.below(3)];
      out_pct = profiles[b.rng.below(3)];
      uop_pct = profiles[b.rng.below(3)];
    }
    // A source may raise valid at random, and keeps it (and its data) until the transfer.
    if (!uop_v && ui < uops.size() && b.rng.chance(uop_pct)) uop_v = true;
    if (!in_v && li < lines && b.rng.chance(in_pct)) in_v = true;
    b.m->abort_i = 0;
    b.m->uop_valid_i = uop_v;
    if (ui < uops.size()) b.drive_uop(uops[ui]);
    b.m->in_valid_i = in_v;
    b.drive_line(li < lines ? &ins[li * kLine] : nullptr);
    b.m->out_ready_i = b.rng.chance(out_pct);
    b.clk.settle();
    b.check_cycle(ph);
    if (b.m->out_valid_o && b.m->out_ready_i) {
      b.check_beat(ph, outs, oi);
      oi += kBeat;
      last_progress = b.clk.cycles;
    }
    b.note_output();
    if (uop_v && b.m->uop_ready_o) {
      if (ui > 0) cost.push_back(b.clk.cycles - last_fire);
      last_fire = b.clk.cycles;
      uop_v = false;
      ++ui;
      last_progress = b.clk.cycles;
    }
    if (ui == uops.size() && cost.size() + 1 == uops.size() && !b.m->busy_o && b.clk.cycles > last_fire)
      cost.push_back(b.clk.cycles - last_fire);
    if (in_v && b.m->in_ready_o) {
      in_v = false;
      ++li;
      last_progress = b.clk.cycles;
    }
    bool done = ui == uops.size() && li == lines && oi == outs.size();
    b.clk.edge();
    if (done) {
      if (idle_since == 0) idle_since = b.clk.cycles;
      // Nothing more may come out, and the unit must settle idle.
      if (b.clk.cycles - idle_since > 300) {
        if (b.m->busy_o) tb::fail(TB_NAME, tb::fmt("%s: busy_o still high after every element was sent", ph));
        break;
      }
    } else if (b.clk.cycles - last_progress > kStuck) {
      tb::fail(TB_NAME, tb::fmt("%s: no progress for %" PRIu64 " cycles: uOPs %zu/%zu, lines %zu/%zu, "
                                "elements out %zu/%zu",
                                ph, kStuck, ui, uops.size(), li, lines, oi, outs.size()));
    }
  }
  return cost;
}

}  // namespace

int main(int argc, char** argv) {
  Verilated::commandArgs(argc, argv);
  if (argc < 3) tb::fail(TB_NAME, "usage: tb_mem_ab VECTORS SEED");
  Vectors v = load(argv[1]);
  uint64_t seed = std::strtoull(argv[2], nullptr, 10);

  {
    // Run 1: abort, then the zero uOPs (16 zeros each) ahead of the vectors' uOPs and lines.
    Bench b(seed);
    abort_phase(b, v);
    std::vector<Uop> uops = v.zero;
    uops.insert(uops.end(), v.uops.begin(), v.uops.end());
    std::vector<uint32_t> ins(v.zero.size() * kLine, 0);
    ins.insert(ins.end(), v.ins.begin(), v.ins.end());
    uint64_t c0 = b.clk.cycles;
    stream_phase(b, "stalls", uops, ins, v.outs, false);
    std::printf("%s: stalls: %zu uOPs, %zu lines, %zu beats checked in %" PRIu64 " cycles\n", TB_NAME, uops.size(),
                ins.size() / kLine, v.outs.size() / kBeat, b.clk.cycles - c0);
  }
  {
    // Run 2: full rate, exact cycle counts.
    Bench b(seed ^ 0x5bd1e995u);
    std::vector<uint64_t> cost = stream_phase(b, "fullrate", v.uops, v.ins, v.outs, true);
    if (cost.size() != v.uops.size()) tb::fail(TB_NAME, "fullrate: uOP costs not all measured");
    uint64_t measured = 0, formula = 0, lines = 0, crossings = 0;
    for (size_t k = 0; k < v.uops.size(); ++k) {
      const Uop& u = v.uops[k];
      uint64_t l = load_cycles(u), s = static_cast<uint64_t>(kBlockBeats) * u.blocks;
      uint64_t nl = (static_cast<uint64_t>(u.rows) * u.cols + kLine - 1) / kLine;
      uint64_t want = 1 + std::max(l, s);
      if (cost[k] != want)
        tb::fail(TB_NAME, tb::fmt("fullrate: uOP %zu (load %ux%u%s, %u blocks) took %" PRIu64 " cycles, want %" PRIu64,
                                  k, u.rows, u.cols, u.tr ? " transposed" : "", u.blocks, cost[k], want));
      measured += cost[k];
      formula += 1 + std::max(nl, s);
      lines += nl;
      crossings += l - nl;
    }
    std::printf("%s: fullrate: %zu uOPs in %" PRIu64 " cycles (= 1 + max(load cycles, 512*blocks) each); "
                "formula 1 + max(ceil(rows*cols/16), 512*blocks): %" PRIu64 "; %" PRIu64 " lines, %" PRIu64
                " extra cycles for row-crossing lines\n",
                TB_NAME, v.uops.size(), measured, formula, lines, crossings);
  }
  std::printf("%s: PASS %ux%u %s: %zu uOPs, %zu load elements, %zu sent elements checked (twice)\n", TB_NAME, v.rows,
              v.cols, v.is_b ? "MemB" : "MemA", v.uops.size(), v.ins.size(), v.outs.size());
  return 0;
}
