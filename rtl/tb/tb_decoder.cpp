// Testbench of rsn_decoder (through rsn_decoder_harness, which adds an rsn_mop_expander and an
// rsn_dram_chunker on the DDR read queue). Programs and expectations come from
// rtl/vectors (`rsn-vectors decoder`), i.e. from the Rust ISA definition. Every program's words are
// driven with random input bubbles while every output is randomly back-pressured; each queue's
// entries, the DDR-read executions and their chunks are compared exactly, in order, as is the error
// code and word of malformed programs. Also checked: outputs hold still while stalled, nothing is
// dispatched after the expected entries, `done_o`/`error_o` rise only once everything before them
// has left, and a barrier is passed only after `fus_idle_i` was seen.
#include <chrono>
#include <fstream>
#include <sstream>

#include "Vrsn_decoder_harness.h"
#include "tb_common.h"

namespace {

const char* kName = "tb_decoder";
constexpr int kQueues = 17;
const char* kQueueNames[kQueues] = {"DDR-rd", "DDR-wr", "LPDDR", "MemA0", "MemA1", "MemA2",
                                    "MemB0",  "MemB1",  "MemB2", "MemC0", "MemC1", "MemC2",
                                    "MemC3",  "MemC4",  "MemC5", "MeshA", "MeshB"};

struct Entry {
  uint32_t word;
  bool last;
};
struct Uop {
  uint32_t iter, idx, p[4];
};
struct Chunk {
  uint64_t line;
  uint32_t lines;
  bool last;
};

struct Prog {
  int id = 0;
  std::string kind;
  std::vector<uint32_t> words;
  std::deque<Entry> q[kQueues];
  std::deque<size_t> barriers;  // total entries dispatched before each barrier
  std::deque<Uop> uops;
  std::deque<Chunk> chunks;
  bool ok = true;
  uint32_t code = 0, word = 0;
  size_t n_entries = 0;
};

std::vector<Prog> load(const char* path) {
  std::ifstream f(path);
  if (!f) tb::fail(kName, tb::fmt("cannot open %s", path));
  std::vector<Prog> progs;
  std::string line;
  Prog cur;
  size_t lineno = 0;
  while (std::getline(f, line)) {
    ++lineno;
    std::istringstream s(line);
    std::string tag;
    s >> tag;
    if (tag == "program") {
      cur = Prog();
      size_t n;
      s >> std::dec >> cur.id >> n >> cur.kind;
    } else if (tag == "w") {
      uint32_t w;
      s >> std::hex >> w;
      cur.words.push_back(w);
    } else if (tag == "d") {
      int q, last;
      uint32_t w;
      s >> std::dec >> q >> last >> std::hex >> w;
      if (q < 0 || q >= kQueues) tb::fail(kName, tb::fmt("line %zu: queue %d", lineno, q));
      cur.q[q].push_back({w, last != 0});
      ++cur.n_entries;
    } else if (tag == "b") {
      size_t c;
      s >> std::dec >> c;
      cur.barriers.push_back(c);
    } else if (tag == "u") {
      Uop u;
      s >> std::dec >> u.iter >> u.idx >> std::hex >> u.p[0] >> u.p[1] >> u.p[2] >> u.p[3];
      cur.uops.push_back(u);
    } else if (tag == "c") {
      Chunk c;
      int last;
      s >> std::hex >> c.line >> std::dec >> c.lines >> last;
      c.last = last != 0;
      cur.chunks.push_back(c);
    } else if (tag == "result") {
      std::string r;
      s >> r;
      cur.ok = r == "ok";
      if (!cur.ok) s >> std::dec >> cur.code >> cur.word;
    } else if (tag == "end") {
      progs.push_back(cur);
    } else if (!tag.empty()) {
      tb::fail(kName, tb::fmt("line %zu: unknown tag %s", lineno, tag.c_str()));
    }
    if (s.fail()) tb::fail(kName, tb::fmt("line %zu: malformed: %s", lineno, line.c_str()));
  }
  return progs;
}

struct Bench {
  Vrsn_decoder_harness* m;
  tb::Clocked<Vrsn_decoder_harness> clk;
  tb::Rng rng;
  // Previous cycle's handshake state, for the hold-still check.
  bool pv[kQueues] = {}, pr[kQueues] = {};
  uint32_t pd[kQueues] = {};
  bool pl[kQueues] = {};
  bool puv = false, pur = false, pcv = false, pcr = false;
  Uop pu{};
  Chunk pc{};
  uint64_t words_in = 0, entries_out = 0, uops_out = 0, chunks_out = 0;

  Bench(Vrsn_decoder_harness* model, uint64_t seed) : m(model), clk(model), rng(seed) {}

  void reset() {
    m->in_valid_i = 0;
    m->out_ready_i = 0;
    m->uop_ready_i = 0;
    m->chunk_ready_i = 0;
    m->fus_idle_i = 0;
    clk.reset();
    for (int i = 0; i < kQueues; ++i) pv[i] = false;
    puv = pcv = false;
  }

  Uop cur_uop() const {
    Uop u;
    u.iter = m->uop_iter_o;
    u.idx = m->uop_idx_o;
    for (int i = 0; i < 4; ++i) u.p[i] = m->uop_payload_o[i];
    return u;
  }
  Chunk cur_chunk() const { return {m->chunk_line_o, m->chunk_lines_o, m->chunk_last_o != 0}; }

  // Holds the valid-without-ready rule on every output after settle().
  void check_stable(const Prog& p) {
    for (int i = 0; i < kQueues; ++i) {
      bool v = (m->out_valid_o >> i) & 1;
      if (pv[i] && !pr[i] && (!v || m->out_data_o[i] != pd[i] || ((m->out_last_o >> i) & 1) != pl[i]))
        tb::fail(kName, tb::fmt("program %d: queue %s changed while stalled", p.id, kQueueNames[i]));
    }
    if (puv && !pur) {
      Uop u = cur_uop();
      if (!m->uop_valid_o || std::memcmp(&u, &pu, sizeof u) != 0)
        tb::fail(kName, tb::fmt("program %d: uOP output changed while stalled", p.id));
    }
    if (pcv && !pcr) {
      Chunk c = cur_chunk();
      if (!m->chunk_valid_o || c.line != pc.line || c.lines != pc.lines || c.last != pc.last)
        tb::fail(kName, tb::fmt("program %d: chunk output changed while stalled", p.id));
    }
  }

  void remember() {
    for (int i = 0; i < kQueues; ++i) {
      pv[i] = (m->out_valid_o >> i) & 1;
      pr[i] = (m->out_ready_i >> i) & 1;
      pd[i] = m->out_data_o[i];
      pl[i] = (m->out_last_o >> i) & 1;
    }
    puv = m->uop_valid_o;
    pur = m->uop_ready_i;
    pu = cur_uop();
    pcv = m->chunk_valid_o;
    pcr = m->chunk_ready_i;
    pc = cur_chunk();
  }

  bool all_drained(const Prog& p) const {
    for (int i = 0; i < kQueues; ++i)
      if (!p.q[i].empty()) return false;
    return p.uops.empty() && p.chunks.empty();
  }
  bool queues_drained(const Prog& p) const {
    for (int i = 0; i < kQueues; ++i)
      if (!p.q[i].empty()) return false;
    return true;
  }

  // Runs one program; returns the cycles it took.
  uint64_t run(Prog p) {
    const size_t n = p.words.size();
    // Per-program traffic pattern: full rate, random, or heavy back-pressure.
    unsigned mode = rng.below(3);
    unsigned bubble = mode == 0 ? 0 : 30, ready = mode == 0 ? 100 : (mode == 1 ? 70 : 20);
    size_t wi = 0, dispatched = 0;
    bool in_valid = false, idle_seen = false, idle_q = false, finished = false;
    // done_o of the previous program stays up until this one's word 0 is taken.
    bool done_cleared = false;
    uint64_t limit = 200000 + 40 * (n + p.n_entries + p.uops.size() + p.chunks.size());
    uint64_t start = clk.cycles, drain_left = 0;
    for (uint64_t cyc = 0;; ++cyc) {
      if (cyc > limit)
        tb::fail(kName, tb::fmt("program %d (%s): timeout after %" PRIu64 " cycles (%zu/%zu words, %zu entries "
                                "left, %zu uOPs, %zu chunks, error_o=%d done_o=%d)",
                                p.id, p.kind.c_str(), cyc, wi, n, p.n_entries - dispatched, p.uops.size(),
                                p.chunks.size(), m->error_o, m->done_o));
      if (!in_valid && wi < n && !finished && !rng.chance(bubble)) in_valid = true;
      m->in_valid_i = in_valid;
      m->in_data_i = in_valid ? p.words[wi] : rng.u32();
      m->in_last_i = in_valid ? (wi + 1 == n) : (rng.u32() & 1);
      uint32_t rdy = 0;
      for (int i = 0; i < kQueues; ++i)
        if (finished || rng.chance(ready)) rdy |= 1u << i;
      m->out_ready_i = rdy;
      m->uop_ready_i = finished || rng.chance(ready);
      m->chunk_ready_i = finished || rng.chance(ready);
      // fus_idle_i comes in bursts, low most of the time, so a barrier that ignores it shows.
      if (rng.chance(idle_q ? 60 : 8)) idle_q = !idle_q;
      m->fus_idle_i = idle_q;
      clk.settle();
      check_stable(p);

      // Barrier bookkeeping: the next dispatch after a barrier needs an earlier idle cycle.
      bool at_barrier = !p.barriers.empty() && p.barriers.front() == dispatched;
      for (int i = 0; i < kQueues; ++i) {
        if (!(((m->out_valid_o & rdy) >> i) & 1)) continue;
        if (p.q[i].empty())
          tb::fail(kName, tb::fmt("program %d (%s): unexpected entry %08x on queue %s", p.id, p.kind.c_str(),
                                  m->out_data_o[i], kQueueNames[i]));
        Entry e = p.q[i].front();
        bool last = (m->out_last_o >> i) & 1;
        if (e.word != m->out_data_o[i] || e.last != last)
          tb::fail(kName, tb::fmt("program %d (%s): queue %s got %08x last=%d, expected %08x last=%d", p.id,
                                  p.kind.c_str(), kQueueNames[i], m->out_data_o[i], last, e.word, e.last));
        if (at_barrier && !idle_seen)
          tb::fail(kName, tb::fmt("program %d: dispatch after a barrier without fus_idle_i", p.id));
        p.q[i].pop_front();
        ++entries_out;
      }
      size_t fired = __builtin_popcount(m->out_valid_o & rdy);
      if (fired && at_barrier) {
        while (!p.barriers.empty() && p.barriers.front() == dispatched) p.barriers.pop_front();
        idle_seen = false;
      }
      dispatched += fired;
      if (m->uop_valid_o && m->uop_ready_i) {
        if (p.uops.empty()) tb::fail(kName, tb::fmt("program %d: unexpected uOP", p.id));
        Uop u = cur_uop(), e = p.uops.front();
        if (std::memcmp(&u, &e, sizeof u) != 0)
          tb::fail(kName, tb::fmt("program %d: uOP (iter %u idx %u %08x %08x %08x %08x), expected (iter %u idx %u "
                                  "%08x %08x %08x %08x)",
                                  p.id, u.iter, u.idx, u.p[0], u.p[1], u.p[2], u.p[3], e.iter, e.idx, e.p[0],
                                  e.p[1], e.p[2], e.p[3]));
        p.uops.pop_front();
        ++uops_out;
      }
      if (m->chunk_valid_o && m->chunk_ready_i) {
        if (p.chunks.empty()) tb::fail(kName, tb::fmt("program %d: unexpected chunk", p.id));
        Chunk c = cur_chunk(), e = p.chunks.front();
        if (c.line != e.line || c.lines != e.lines || c.last != e.last)
          tb::fail(kName, tb::fmt("program %d: chunk %" PRIx64 " %u last=%d, expected %" PRIx64 " %u last=%d", p.id,
                                  c.line, c.lines, c.last, e.line, e.lines, e.last));
        p.chunks.pop_front();
        ++chunks_out;
      }
      bool in_fire = in_valid && m->in_ready_o;
      if (!p.barriers.empty() && p.barriers.front() == dispatched && idle_q) idle_seen = true;

      if (!m->done_o) done_cleared = true;
      // Completion: a done/error flag only once everything before it has been dispatched.
      if (!finished) {
        if (m->error_o) {
          if (p.ok) tb::fail(kName, tb::fmt("program %d: error %u at word %u on a valid program", p.id,
                                            m->error_code_o, m->error_word_o));
          if (!queues_drained(p))
            tb::fail(kName, tb::fmt("program %d (%s): error raised with entries still expected", p.id,
                                    p.kind.c_str()));
          if (m->error_code_o != p.code || m->error_word_o != p.word)
            tb::fail(kName, tb::fmt("program %d (%s): error %u at word %u, expected %u at word %u", p.id,
                                    p.kind.c_str(), m->error_code_o, m->error_word_o, p.code, p.word));
          finished = true;
        } else if (m->done_o && done_cleared) {
          if (!p.ok)
            tb::fail(kName, tb::fmt("program %d (%s): done without error, expected error %u", p.id,
                                    p.kind.c_str(), p.code));
          if (!queues_drained(p))
            tb::fail(kName, tb::fmt("program %d: done with entries outstanding", p.id));
          // Barriers after the final dispatch: done needs fus_idle_i as well.
          for (size_t c : p.barriers)
            if (c != dispatched || !idle_seen)
              tb::fail(kName, tb::fmt("program %d: done before barrier at %zu was passed", p.id, c));
          finished = true;
        }
        if (finished) in_valid = false;
      }
      remember();
      clk.edge();
      if (in_fire) {
        ++wi;
        ++words_in;
        in_valid = false;
      }
      // After completion: wait for the expander and chunker, then watch for stray output.
      if (finished && all_drained(p)) {
        if (drain_left == 0) drain_left = 40;
        if (--drain_left == 0) break;
      }
    }
    uint64_t cycles = clk.cycles - start;
    if (!p.ok || rng.chance(10)) reset();
    return cycles;
  }
};

}  // namespace

int main(int argc, char** argv) {
  Verilated::commandArgs(argc, argv);
  if (argc < 3) tb::fail(kName, "usage: tb_decoder VECTORS SEED");
  uint64_t seed = std::strtoull(argv[2], nullptr, 10);
  auto progs = load(argv[1]);
  if (progs.size() < 100) tb::fail(kName, tb::fmt("only %zu programs in %s", progs.size(), argv[1]));
  auto* m = new Vrsn_decoder_harness;
  Bench b(m, seed);
  b.reset();
  auto t0 = std::chrono::steady_clock::now();
  size_t valid = 0, errors = 0;
  for (const auto& p : progs) {
    b.run(p);
    (p.ok ? valid : errors)++;
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("%s: PASS %zu programs (%zu valid, %zu malformed), %" PRIu64 " words in, %" PRIu64
              " queue entries, %" PRIu64 " uOPs, %" PRIu64 " chunks checked in %" PRIu64 " cycles (%.2f s)\n",
              kName, progs.size(), valid, errors, b.words_in, b.entries_out, b.uops_out, b.chunks_out,
              b.clk.cycles, secs);
  m->final();
  delete m;
  return 0;
}
