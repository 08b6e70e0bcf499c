// Testbench for rsn_instr_fetch (rtl/top): an AXI4 read slave model (random AR acceptance, random
// latency per burst, random gaps between R beats, bursts answered in order) over a memory whose
// 32-bit word at byte address a is a hash of a. Random programs (start address 4-byte aligned,
// often mid-line and near 4 KiB boundaries; lengths 0 to a few thousand words) are fetched with
// random output back-pressure. Checks: every word and `last` exactly, nothing extra, a stalled
// output holds still, every burst legal (INCR, size 6, <= 64 beats, 64-byte aligned, no 4 KiB
// crossing, AR held stable until taken), the program's lines requested exactly once, in order,
// and nothing outside them; busy_o falls at the end; no hang. Some runs abort at a random cycle
// (no word may follow, outstanding bursts are drained, no new request), some get an error
// response on one beat (fault_o rises, exactly the words of the lines before it come out), and
// some see stray start pulses while busy (ignored). A final full-rate run measures throughput.
//
//   tb_instr_fetch SEED [RUNS]
#include <algorithm>
#include <deque>

#include "Vrsn_instr_fetch.h"
#include "tb_common.h"

#ifndef TB_NAME
#define TB_NAME "tb_instr_fetch"
#endif

namespace {

uint32_t mem_word(uint64_t a) {
  uint64_t z = (a >> 2) + 0x9e3779b97f4a7c15ull;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return static_cast<uint32_t>(z ^ (z >> 31));
}

struct Burst {
  uint64_t addr;
  unsigned beats, sent = 0;
  uint64_t ready_at;
};

struct Run {
  uint64_t addr;
  uint32_t words;
  bool abort = false, error = false, stray_start = false;
  uint64_t abort_at = 0;     // cycles after start
  uint64_t error_line = 0;   // program line (0 = the first) answered with SLVERR
};

struct Profile {
  unsigned arready_pct = 100, rgap_pct = 0, out_pct = 100, lat_min = 5, lat_max = 120;
};

}  // namespace

int main(int argc, char** argv) {
  Verilated::commandArgs(argc, argv);
  if (argc < 2) tb::fail(TB_NAME, "usage: tb_instr_fetch SEED [RUNS]");
  uint64_t seed = std::strtoull(argv[1], nullptr, 10);
  unsigned nruns = argc > 2 ? std::strtoul(argv[2], nullptr, 10) : 300;
  tb::Rng rng(seed);

  auto* m = new Vrsn_instr_fetch;
  tb::Clocked<Vrsn_instr_fetch> clk(m);
  m->abort_i = 0;
  m->start_i = 0;
  m->m_axi_arready = 0;
  m->m_axi_rvalid = 0;
  m->out_ready_i = 0;
  // A real falling edge of rst_ni (the model starts with it low, which is no edge): the
  // asynchronous reset loads non-zero reset values.
  m->clk_i = 0;
  m->rst_ni = 1;
  m->eval();
  clk.reset();

  uint64_t total_words = 0, total_bursts = 0, max_outst = 0, n_abort = 0, n_error = 0, n_zero = 0, n_cross = 0;
  uint64_t full_rate_cycles = 0, full_rate_words = 0;

  for (unsigned ri = 0; ri <= nruns; ++ri) {
    bool full_rate = ri == nruns;  // the final run measures throughput
    Run r;
    Profile p;
    if (full_rate) {
      r.addr = 0x10000000ull + 4 * 5;  // mid-line start
      r.words = 8192;
      p.lat_min = p.lat_max = 64;
    } else {
      // Start address: random in a 40-bit space, often a few lines before a 4 KiB boundary.
      uint64_t a = (static_cast<uint64_t>(rng.u32()) << 8 | rng.below(256)) & ~3ull;
      if (rng.chance(50)) a = (a & ~0xfffull) + 0x1000 - 64 * (1 + rng.below(4)) + 4 * rng.below(16);
      if (rng.chance(10)) a |= 0xffffff0000000000ull;  // high address bits are carried too
      r.addr = a;
      switch (rng.below(8)) {
        case 0: r.words = 0; break;
        case 1: r.words = 1 + rng.below(3); break;
        case 2: r.words = 1 + rng.below(40); break;
        case 3: case 4: r.words = 1 + rng.below(600); break;
        default: r.words = 1 + rng.below(3000); break;
      }
      r.abort = r.words > 0 && rng.chance(10);
      r.error = !r.abort && r.words > 0 && rng.chance(10);
      r.stray_start = rng.chance(15);
      static const unsigned pct[3] = {100, 60, 15};
      p.arready_pct = pct[rng.below(3)];
      p.rgap_pct = 100 - pct[rng.below(3)];
      p.out_pct = pct[rng.below(3)];
      p.lat_min = 1 + rng.below(20);
      p.lat_max = p.lat_min + rng.below(200);
    }
    uint64_t first_line = r.addr >> 6;
    uint64_t nlines = r.words ? ((r.addr + 4ull * r.words - 1) >> 6) - first_line + 1 : 0;
    if (r.error) r.error_line = rng.below(static_cast<unsigned>(nlines));
    if (r.abort) r.abort_at = 1 + rng.below(std::min<uint64_t>(4ull * r.words + 200, 20000));
    // Words the decoder must see: all, or those of the lines before the faulty one.
    uint64_t want_words = r.words;
    if (r.error) {
      uint64_t off = (r.addr >> 2) & 15;
      want_words = std::min<uint64_t>(r.words, r.error_line * 16 > off ? r.error_line * 16 - off : 0);
    }
    if ((r.addr & 0xfff) + 4ull * r.words > 0x1000) ++n_cross;

    // Start pulse.
    if (m->busy_o) tb::fail(TB_NAME, tb::fmt("run %u: busy before start", ri));
    m->start_i = 1;
    m->addr_i = r.addr;
    m->words_i = r.words;
    clk.settle();
    clk.edge();
    m->start_i = 0;
    m->addr_i = rng.next();  // the unit must have latched them
    m->words_i = rng.u32();

    std::deque<Burst> bursts;  // accepted, in order
    uint64_t next_line = first_line, lines_req = 0, emitted = 0, cyc = 0, last_progress = 0;
    bool aborted = false, prev_ar_stall = false, prev_out_stall = false, prev_last = false, saw_fault = false;
    uint64_t prev_araddr = 0;
    uint32_t prev_arlen = 0, prev_data = 0;
    uint64_t first_word_cyc = 0, last_word_cyc = 0;
    bool r_hold = false;  // R beat presented and not yet taken
    bool r_gap = false;
    bool stopped = false, ar_allowed = false;
    while (true) {
      ++cyc;
      // ---- drive
      m->abort_i = (r.abort && cyc >= r.abort_at && cyc < r.abort_at + 1 + (r.abort_at & 1)) ? 1 : 0;
      // A stray start only while busy (an idle unit would take it).
      m->start_i = (r.stray_start && m->busy_o && rng.chance(2)) ? 1 : 0;
      m->m_axi_arready = rng.chance(p.arready_pct);
      if (!r_hold) r_gap = rng.chance(p.rgap_pct);
      bool rv = !bursts.empty() && bursts.front().ready_at <= clk.cycles && !r_gap;
      if (rv) {
        Burst& b = bursts.front();
        uint64_t la = b.addr + 64ull * b.sent;
        for (int w = 0; w < 16; ++w) m->m_axi_rdata[w] = mem_word(la + 4 * w);
        m->m_axi_rlast = b.sent + 1 == b.beats;
        uint64_t pl = (la >> 6) - first_line;
        m->m_axi_rresp = (r.error && pl == r.error_line) ? 2 : 0;
      }
      m->m_axi_rvalid = rv;
      m->out_ready_i = rng.chance(p.out_pct);
      clk.settle();
      // After an abort or a fault only a request already on AR may still be taken.
      if ((m->abort_i && !aborted) || (m->fault_o && !stopped)) ar_allowed = m->m_axi_arvalid;
      if (m->abort_i) aborted = true;
      if (m->fault_o) stopped = true;
      if (aborted) stopped = true;

      // ---- check AR
      if (prev_ar_stall && (!m->m_axi_arvalid || m->m_axi_araddr != prev_araddr || m->m_axi_arlen != prev_arlen))
        tb::fail(TB_NAME, tb::fmt("run %u cycle %" PRIu64 ": AR changed while stalled", ri, cyc));
      if (m->m_axi_arvalid && m->m_axi_arready) {
        uint64_t a = m->m_axi_araddr;
        unsigned beats = m->m_axi_arlen + 1u;
        if (m->m_axi_arsize != 6 || m->m_axi_arburst != 1)
          tb::fail(TB_NAME, tb::fmt("run %u: AR size %u burst %u", ri, m->m_axi_arsize, m->m_axi_arburst));
        if (beats > 64 || (a & 63) != 0 || (a & 0xfff) + 64ull * beats > 0x1000)
          tb::fail(TB_NAME, tb::fmt("run %u: illegal burst addr %016" PRIx64 " len %u", ri, a, beats));
        if ((a >> 6) != next_line)
          tb::fail(TB_NAME, tb::fmt("run %u: burst at line %" PRIx64 ", want %" PRIx64, ri, a >> 6, next_line));
        if (lines_req + beats > nlines)
          tb::fail(TB_NAME, tb::fmt("run %u: requests %" PRIu64 " lines beyond the program's %" PRIu64, ri,
                                    lines_req + beats, nlines));
        if (stopped && !ar_allowed)
          tb::fail(TB_NAME, tb::fmt("run %u: new request after %s", ri, aborted ? "abort" : "fault"));
        ar_allowed = false;
        next_line += beats;
        lines_req += beats;
        bursts.push_back({a, beats, 0, clk.cycles + p.lat_min + rng.below(p.lat_max - p.lat_min + 1)});
        max_outst = std::max<uint64_t>(max_outst, bursts.size());
        ++total_bursts;
        last_progress = cyc;
      }
      prev_ar_stall = m->m_axi_arvalid && !m->m_axi_arready;
      prev_araddr = m->m_axi_araddr;
      prev_arlen = m->m_axi_arlen;

      // ---- check R
      r_hold = rv && !m->m_axi_rready;
      if (rv && m->m_axi_rready) {
        Burst& b = bursts.front();
        if (++b.sent == b.beats) bursts.pop_front();
        last_progress = cyc;
      }

      // ---- check words
      // (An abort may drop a stalled word: the stream is abandoned with it.)
      if (prev_out_stall && !aborted && (!m->out_valid_o || m->out_data_o != prev_data || m->out_last_o != prev_last))
        tb::fail(TB_NAME, tb::fmt("run %u cycle %" PRIu64 ": stalled word output changed (word %" PRIu64
                                  ", addr %016" PRIx64 ", %u words, error %d)",
                                  ri, cyc, emitted, r.addr, r.words, r.error));
      if (m->out_valid_o && aborted && !m->abort_i)
        tb::fail(TB_NAME, tb::fmt("run %u: word output valid after abort", ri));
      if (m->out_valid_o && m->out_ready_i) {
        if (emitted >= want_words)
          tb::fail(TB_NAME, tb::fmt("run %u: extra word %08x after %" PRIu64 " (addr %016" PRIx64 ", %u words%s)", ri,
                                    m->out_data_o, emitted, r.addr, r.words, r.error ? ", error" : ""));
        uint32_t want = mem_word(r.addr + 4 * emitted);
        bool want_last = emitted + 1 == r.words;
        if (m->out_data_o != want || m->out_last_o != want_last)
          tb::fail(TB_NAME, tb::fmt("run %u word %" PRIu64 " (addr %016" PRIx64 ", %u words): got %08x last %d, "
                                    "want %08x last %d",
                                    ri, emitted, r.addr, r.words, m->out_data_o, m->out_last_o, want, want_last));
        if (emitted == 0) first_word_cyc = cyc;
        last_word_cyc = cyc;
        ++emitted;
        last_progress = cyc;
      }
      prev_out_stall = m->out_valid_o && !m->out_ready_i;
      prev_data = m->out_data_o;
      prev_last = m->out_last_o;
      if (m->fault_o) saw_fault = true;
      if (m->fault_o && !r.error) tb::fail(TB_NAME, tb::fmt("run %u: fault_o without an error response", ri));
      bool idle = !m->busy_o && bursts.empty() && !m->m_axi_arvalid;
      clk.edge();

      bool finished = aborted ? (idle && cyc > r.abort_at + 2) : (emitted == want_words && idle);
      if (finished) break;
      if (cyc - last_progress > 20000)
        tb::fail(TB_NAME, tb::fmt("run %u: no progress for 20000 cycles (addr %016" PRIx64 ", %u words, %" PRIu64
                                  " emitted, %" PRIu64 "/%" PRIu64 " lines requested, %zu bursts open, busy %d)",
                                  ri, r.addr, r.words, emitted, lines_req, nlines, bursts.size(), m->busy_o));
    }
    // The unit must stay idle; a finished, non-aborted run requested every line of the program
    // (an error stops the requests early).
    for (int c = 0; c < 5; ++c) {
      m->m_axi_rvalid = 0;
      m->m_axi_arready = 1;
      m->abort_i = 0;
      m->start_i = 0;
      clk.settle();
      if (m->busy_o || m->m_axi_arvalid || m->out_valid_o)
        tb::fail(TB_NAME, tb::fmt("run %u: not idle after the end (busy %d arvalid %d valid %d)", ri, m->busy_o,
                                  m->m_axi_arvalid, m->out_valid_o));
      clk.edge();
    }
    if (!r.abort && !r.error && lines_req != nlines)
      tb::fail(TB_NAME, tb::fmt("run %u: %" PRIu64 " of %" PRIu64 " lines requested", ri, lines_req, nlines));
    if (r.error && !saw_fault) tb::fail(TB_NAME, tb::fmt("run %u: error response but no fault_o", ri));
    if (r.error && !m->fault_o) tb::fail(TB_NAME, tb::fmt("run %u: fault_o not sticky", ri));
    if (r.abort && m->fault_o) tb::fail(TB_NAME, tb::fmt("run %u: fault_o after abort", ri));
    if (r.words == 0 && (lines_req || emitted)) tb::fail(TB_NAME, "zero-word program fetched something");
    n_abort += r.abort;
    n_error += r.error;
    n_zero += r.words == 0;
    total_words += emitted;
    if (full_rate) {
      full_rate_cycles = last_word_cyc - first_word_cyc + 1;
      full_rate_words = emitted;
      if (full_rate_cycles > full_rate_words + full_rate_words / 100 + 16)
        tb::fail(TB_NAME, tb::fmt("full rate: %" PRIu64 " words took %" PRIu64 " cycles", full_rate_words,
                                  full_rate_cycles));
    }
    // A fault clears with the next start (checked at the next run's first cycle) or an abort.
    if (m->fault_o && rng.chance(50)) {
      m->abort_i = 1;
      clk.settle();
      clk.edge();
      m->abort_i = 0;
      clk.settle();
      if (m->fault_o) tb::fail(TB_NAME, "abort_i did not clear fault_o");
    }
    if (m->fault_o) {
      m->start_i = 1;
      m->addr_i = 0;
      m->words_i = 0;
      clk.settle();
      clk.edge();
      m->start_i = 0;
      clk.settle();
      if (m->fault_o) tb::fail(TB_NAME, "start_i did not clear fault_o");
    }
  }
  std::printf("%s: PASS %u runs (%" PRIu64 " zero-length, %" PRIu64 " aborted, %" PRIu64 " with an error response, "
              "%" PRIu64 " crossing 4 KiB), %" PRIu64 " words checked, %" PRIu64 " bursts, up to %" PRIu64
              " outstanding; full rate: %" PRIu64 " words in %" PRIu64 " cycles, %" PRIu64 " cycles total\n",
              TB_NAME, nruns + 1, n_zero, n_abort, n_error, n_cross, total_words, total_bursts, max_outst,
              full_rate_words, full_rate_cycles, clk.cycles);
  m->final();
  delete m;
  return 0;
}
