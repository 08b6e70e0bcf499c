// Run-to-completion executor for graphs built with the compat ADF layer.
//
// Given the input and output PLIOs of a (sub)graph, it finds every kernel behind them, checks that
// each kernel port is connected, instantiates each kernel object once, and on run() invokes every
// kernel once in cascade/stream dependency order. Because every stream is an unbounded queue, a
// kernel may run to completion before its consumers start; the result equals that of the
// concurrent hardware for any graph whose kernels read and write a fixed, data-independent number
// of words (true of the MME kernels). A read past the produced data, data left unread, or an RTP
// not written before run() is reported as a rsn_compat::stream_error / std::logic_error.
//
// Not thread-safe; use one graph_sim per thread. Queues keep their capacity across runs, so after
// the first run() no heap allocation happens for same-sized inputs.
#pragma once

#include <adf.h>

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

namespace rsn_compat {

class graph_sim {
 public:
  graph_sim(const std::vector<const adf::input_plio*>& inputs,
            const std::vector<const adf::output_plio*>& outputs);
  ~graph_sim();
  graph_sim(const graph_sim&) = delete;
  graph_sim& operator=(const graph_sim&) = delete;

  std::size_t kernel_count() const;

  // Replace the data of input PLIO `i` with `n` 64-bit beats. The AIE interface delivers the low
  // 32 bits of a beat to the stream first.
  void write_beats(std::size_t i, const uint64_t* beats, std::size_t n);
  // Beats produced on output PLIO `j` by the last run (low word = earlier stream word).
  std::size_t output_beat_count(std::size_t j) const;
  void read_beats(std::size_t j, uint64_t* beats, std::size_t n) const;

  // Write the synchronous runtime parameter behind graph port `p` (must reach a kernel here).
  void update(const adf::port<adf::input>& p, uint32_t value);

  // One invocation of every kernel.
  void run();

 private:
  struct kernel_inst;
  struct rtp_slot {
    const adf::detail::node* port = nullptr;
    uint32_t value = 0;
    bool written = false;
  };

  std::vector<kernel_inst> kernels_;  // dependency order
  std::deque<word_queue> word_queues_;
  std::deque<lane_queue> lane_queues_;
  std::deque<input_stream<float>> in_streams_;
  std::deque<output_stream<float>> out_streams_;
  std::deque<input_cascade<accfloat>> in_cascades_;
  std::deque<output_cascade<accfloat>> out_cascades_;
  std::deque<rtp_slot> rtps_;
  std::vector<word_queue*> inputs_;
  std::vector<const word_queue*> outputs_;
  std::vector<std::string> output_names_;
};

}  // namespace rsn_compat
