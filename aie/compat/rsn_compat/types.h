// Element and stream types shared by the kernel-side compatibility headers (adf.h, aie_api/*).
//
// This is the g++ stand-in for the handful of AIE types our kernels touch. On the real AI Engine
// these come from the compiler and adf.h; here every stream is a word queue in host memory that the
// executor (rsn_compat/graph_sim.h) fills and drains.
#pragma once

#include <cfloat>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

// The numerics contract needs every float operation done once, in binary32. x87 excess precision
// (FLT_EVAL_METHOD != 0) would silently keep extra bits between the multiply and the add.
#if !defined(FLT_EVAL_METHOD) || FLT_EVAL_METHOD != 0
#error "rsn compat layer needs FLT_EVAL_METHOD == 0 (SSE or equivalent binary32 arithmetic)"
#endif
#if defined(__FAST_MATH__)
#error "rsn compat layer must not be built with -ffast-math (it breaks binary32 rounding and subnormals)"
#endif

// AIE accumulator element tag for single precision (the real one is a compiler type).
struct accfloat {};

namespace rsn_compat {

// Thrown when a kernel reads past what its producer wrote. On hardware that is a stall forever;
// run-to-completion execution turns it into a reportable error.
struct stream_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A queue of 32-bit stream words: one producer appends, each consumer keeps its own read index, so a
// broadcast stream is one queue with several readers.
struct word_queue {
  std::vector<uint32_t> words;
  std::string name;
};

// A queue of accumulator lanes carried by a cascade connection.
struct lane_queue {
  std::vector<float> lanes;
  std::string name;
};

// Kept out of line so the read fast paths inline into the kernels.
[[noreturn, gnu::cold, gnu::noinline]] inline void underflow(const char* what,
                                                              const std::string& name,
                                                              std::size_t head, std::size_t size) {
  throw stream_error(std::string(what) + " '" + name + "' read past its end (at " +
                     std::to_string(head) + " of " + std::to_string(size) + ")");
}

}  // namespace rsn_compat

template <typename T>
struct input_stream {
  rsn_compat::word_queue* q = nullptr;
  std::size_t head = 0;

  // n consecutive words (one bounds check per vector access keeps the hot loop tight).
  const uint32_t* pop_words(std::size_t n) {
    if (q->words.size() - head < n) rsn_compat::underflow("stream", q->name, head, q->words.size());
    const uint32_t* p = q->words.data() + head;
    head += n;
    return p;
  }
  uint32_t pop_word() { return *pop_words(1); }
};

template <typename T>
struct output_stream {
  rsn_compat::word_queue* q = nullptr;
  void push_word(uint32_t w) { q->words.push_back(w); }
};

template <typename T>
struct input_cascade {
  rsn_compat::lane_queue* q = nullptr;
  std::size_t head = 0;

  const float* pop_lanes(std::size_t n) {
    if (q->lanes.size() - head < n) rsn_compat::underflow("cascade", q->name, head, q->lanes.size());
    const float* p = q->lanes.data() + head;
    head += n;
    return p;
  }
};

template <typename T>
struct output_cascade {
  rsn_compat::lane_queue* q = nullptr;
  void push_lanes(const float* p, std::size_t n) { q->lanes.insert(q->lanes.end(), p, p + n); }
};

// Scalar stream access (adf.h on the AIE provides these for 32-bit element types).
inline float readincr(input_stream<float>* s) {
  const uint32_t w = s->pop_word();
  float f;
  std::memcpy(&f, &w, sizeof f);
  return f;
}

inline void writeincr(output_stream<float>* s, float v) {
  uint32_t w;
  std::memcpy(&w, &v, sizeof w);
  s->push_word(w);
}
