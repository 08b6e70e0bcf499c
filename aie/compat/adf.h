// g++ stand-in for the subset of ADF (adf.h) that the rsn kernels and graph use.
//
// Kernel side: input_stream/output_stream<float>, input_cascade/output_cascade<accfloat>,
// readincr/writeincr, REGISTER_FUNCTION and the chess loop pragmas (empty here).
// Graph side: adf::graph, kernel::create_object, input_plio/output_plio, port<input>, connect<>,
// source(), runtime<ratio>(). Building a graph records a node/edge structure that a host program can
// walk (tools/ports_dump.cpp) and that rsn_compat::graph_sim executes.
// Everything not used by aie/kernels and aie/graph is deliberately absent.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "rsn_compat/types.h"

// Compiler hints of the AIE toolchain; they only steer scheduling, so they vanish here.
#define chess_prepare_for_pipelining
#define chess_loop_range(...)

#define REGISTER_FUNCTION(fn) ::adf::detail::register_function(&fn)

namespace adf {

// Port direction tags of port<T>.
struct input {};
struct output {};
// Connection kind tag for runtime parameters (data connections are deduced from the endpoints).
struct parameter {};
// Attribute tag of runtime<>().
struct ratio {};

enum plio_type { plio_32_bits = 32, plio_64_bits = 64, plio_128_bits = 128 };

namespace detail {

enum class port_kind { stream_in, stream_out, cascade_in, cascade_out, rtp_in };
enum class node_kind { kernel, input_plio, output_plio, graph_port };

constexpr bool is_input_kind(port_kind k) {
  return k == port_kind::stream_in || k == port_kind::cascade_in || k == port_kind::rtp_in;
}

inline const char* kind_name(port_kind k) {
  switch (k) {
    case port_kind::stream_in: return "input stream";
    case port_kind::stream_out: return "output stream";
    case port_kind::cascade_in: return "input cascade";
    case port_kind::cascade_out: return "output cascade";
    case port_kind::rtp_in: return "runtime parameter";
  }
  return "?";
}

struct node;

// One end of a connection: port `idx` on the input (is_out == false) or output side of node n.
struct port_ref {
  std::shared_ptr<node> n;
  bool is_out = false;
  unsigned idx = 0;
};

struct edge {
  port_ref src;
  port_ref dst;
  bool parameter = false;
};

using invoker = std::function<void(void* obj, void* const* ins, void* const* outs)>;

struct node {
  node_kind kind = node_kind::kernel;
  std::string name;  // PLIO name; empty for kernels and graph ports
  // Kernels.
  std::vector<port_kind> ins, outs;
  invoker invoke;
  std::function<void*()> make;
  std::function<void(void*)> destroy;
  std::string source;
  double ratio = 0.0;
  // PLIOs.
  unsigned width_bits = 0;
  std::string file;
  // Connectivity, indexed by port: edges arriving at each input, edges leaving each output.
  std::vector<std::vector<edge>> in_edges, out_edges;
};

// Every PLIO ever created in this process, in creation order (what ports_dump lists).
inline std::vector<std::shared_ptr<node>>& plio_registry() {
  static std::vector<std::shared_ptr<node>> r;
  return r;
}
inline std::mutex& registry_mutex() {
  static std::mutex m;
  return m;
}

inline std::string describe(const port_ref& p) {
  if (!p.n) return "<unset port>";
  switch (p.n->kind) {
    case node_kind::input_plio: return "input_plio '" + p.n->name + "'";
    case node_kind::output_plio: return "output_plio '" + p.n->name + "'";
    case node_kind::graph_port: return "graph port";
    case node_kind::kernel: break;
  }
  return std::string("kernel ") + (p.is_out ? "out[" : "in[") + std::to_string(p.idx) + "]";
}

[[noreturn]] inline void connect_error(const port_ref& src, const port_ref& dst,
                                       const std::string& why) {
  throw std::logic_error("adf::connect(" + describe(src) + " -> " + describe(dst) + "): " + why);
}

inline void add_edge(const port_ref& src, const port_ref& dst, bool parameter) {
  if (!src.n || !dst.n) throw std::logic_error("adf::connect: endpoint of an unset kernel/plio/port");
  const auto fail = [&](const std::string& why) { connect_error(src, dst, why); };
  // Source side.
  port_kind src_kind = port_kind::stream_out;
  switch (src.n->kind) {
    case node_kind::input_plio: src_kind = port_kind::stream_out; break;
    case node_kind::graph_port:
      if (!parameter) fail("graph ports carry runtime parameters only");
      src_kind = port_kind::rtp_in;
      break;
    case node_kind::output_plio: connect_error(src, dst, "an output_plio is a sink");
    case node_kind::kernel:
      if (!src.is_out || src.idx >= src.n->outs.size()) fail("no such kernel output");
      src_kind = src.n->outs[src.idx];
      break;
  }
  // Destination side.
  port_kind dst_kind = port_kind::stream_in;
  switch (dst.n->kind) {
    case node_kind::output_plio:
      dst_kind = port_kind::stream_in;
      if (!dst.n->in_edges[0].empty()) fail("output_plio already has a source");
      break;
    case node_kind::input_plio: connect_error(src, dst, "an input_plio is a source");
    case node_kind::graph_port: connect_error(src, dst, "graph ports are not destinations here");
    case node_kind::kernel:
      if (dst.is_out || dst.idx >= dst.n->ins.size()) fail("no such kernel input");
      dst_kind = dst.n->ins[dst.idx];
      if (!dst.n->in_edges[dst.idx].empty()) fail("kernel input already connected");
      break;
  }
  const bool ok = parameter ? (src_kind == port_kind::rtp_in && dst_kind == port_kind::rtp_in)
                            : ((src_kind == port_kind::stream_out && dst_kind == port_kind::stream_in) ||
                               (src_kind == port_kind::cascade_out && dst_kind == port_kind::cascade_in));
  if (!ok) fail(std::string("cannot connect ") + kind_name(src_kind) + " to " + kind_name(dst_kind));
  if (src_kind == port_kind::cascade_out && !src.n->out_edges[src.idx].empty()) {
    fail("a cascade output has exactly one destination");
  }
  const edge e{src, dst, parameter};
  const unsigned si = src.n->kind == node_kind::kernel ? src.idx : 0;
  const unsigned di = dst.n->kind == node_kind::kernel ? dst.idx : 0;
  src.n->out_edges[si].push_back(e);
  dst.n->in_edges[di].push_back(e);
}

// Kernel argument classification: which argument types are ports, of which kind.
template <typename T>
struct arg_traits {
  static constexpr bool supported = false;
};
template <>
struct arg_traits<input_stream<float>*> {
  static constexpr bool supported = true;
  static constexpr port_kind kind = port_kind::stream_in;
};
template <>
struct arg_traits<output_stream<float>*> {
  static constexpr bool supported = true;
  static constexpr port_kind kind = port_kind::stream_out;
};
template <>
struct arg_traits<input_cascade<accfloat>*> {
  static constexpr bool supported = true;
  static constexpr port_kind kind = port_kind::cascade_in;
};
template <>
struct arg_traits<output_cascade<accfloat>*> {
  static constexpr bool supported = true;
  static constexpr port_kind kind = port_kind::cascade_out;
};
template <>
struct arg_traits<uint32_t> {
  static constexpr bool supported = true;
  static constexpr port_kind kind = port_kind::rtp_in;
};

// Index of argument I among the arguments on the same side (inputs or outputs), as ADF numbers
// k.in[] and k.out[].
template <std::size_t I, typename... A>
constexpr unsigned port_index() {
  constexpr bool in[] = {is_input_kind(arg_traits<A>::kind)...};
  unsigned n = 0;
  for (std::size_t i = 0; i < I; ++i) {
    if (in[i] == in[I]) ++n;
  }
  return n;
}

template <typename T>
T fetch(void* p) {
  if constexpr (std::is_pointer_v<T>) {
    return static_cast<T>(p);
  } else {
    return *static_cast<const T*>(p);
  }
}

template <typename K, typename... A, std::size_t... I>
void call(void (K::*fn)(A...), K* obj, void* const* ins, void* const* outs,
          std::index_sequence<I...>) {
  (obj->*fn)(fetch<A>((is_input_kind(arg_traits<A>::kind) ? ins : outs)[port_index<I, A...>()])...);
}

// Set by kernel::create_object around K::registerKernelClass().
inline node*& pending_registration() {
  thread_local node* n = nullptr;
  return n;
}

template <typename K, typename... A>
void register_function(void (K::*fn)(A...)) {
  static_assert((arg_traits<A>::supported && ...),
                "rsn compat: kernel arguments must be float streams, accfloat cascades or uint32_t RTPs");
  node* n = pending_registration();
  if (n == nullptr) throw std::logic_error("REGISTER_FUNCTION outside kernel::create_object");
  if (n->invoke) throw std::logic_error("a kernel class registers exactly one function");
  (n->ins.clear(), n->outs.clear());
  ((is_input_kind(arg_traits<A>::kind) ? n->ins : n->outs).push_back(arg_traits<A>::kind), ...);
  n->invoke = [fn](void* obj, void* const* ins, void* const* outs) {
    call(fn, static_cast<K*>(obj), ins, outs, std::index_sequence_for<A...>{});
  };
}

// k.in[i] / k.out[i] and plio.out[0] / plio.in[0].
class port_array {
 public:
  port_array(std::shared_ptr<node> n, bool is_out) : n_(std::move(n)), is_out_(is_out) {}
  port_ref operator[](unsigned i) const { return port_ref{n_, is_out_, i}; }

 private:
  std::shared_ptr<node> n_;
  bool is_out_;
};

}  // namespace detail

class graph {
 public:
  virtual ~graph() = default;
};

class kernel {
 public:
  kernel() : in(nullptr, false), out(nullptr, true) {}
  kernel(const kernel& o) : in(o.n_, false), out(o.n_, true), n_(o.n_) {}
  kernel& operator=(const kernel& o) {
    n_ = o.n_;
    in = detail::port_array(n_, false);
    out = detail::port_array(n_, true);
    return *this;
  }

  template <typename K, typename... CtorArgs>
  static kernel create_object(CtorArgs... args) {
    auto n = std::make_shared<detail::node>();
    n->kind = detail::node_kind::kernel;
    detail::pending_registration() = n.get();
    K::registerKernelClass();
    detail::pending_registration() = nullptr;
    if (!n->invoke) throw std::logic_error("kernel class did not REGISTER_FUNCTION its entry point");
    n->make = [args...]() -> void* { return new K(args...); };
    n->destroy = [](void* p) { delete static_cast<K*>(p); };
    n->in_edges.resize(n->ins.size());
    n->out_edges.resize(n->outs.size());
    return kernel(std::move(n));
  }

  const std::shared_ptr<detail::node>& node() const { return n_; }

  detail::port_array in;
  detail::port_array out;

 private:
  explicit kernel(std::shared_ptr<detail::node> n) : in(n, false), out(n, true), n_(std::move(n)) {}
  std::shared_ptr<detail::node> n_;
};

inline std::string& source(kernel& k) {
  if (!k.node()) throw std::logic_error("adf::source on an unset kernel");
  return k.node()->source;
}

template <typename Attr>
double& runtime(kernel& k) {
  static_assert(std::is_same_v<Attr, ratio>, "only runtime<ratio> is modelled");
  if (!k.node()) throw std::logic_error("adf::runtime on an unset kernel");
  return k.node()->ratio;
}

namespace detail {
inline std::shared_ptr<node> make_plio(node_kind kind, const std::string& name, plio_type w,
                                       const std::string& file) {
  auto n = std::make_shared<node>();
  n->kind = kind;
  n->name = name;
  n->width_bits = static_cast<unsigned>(w);
  n->file = file;
  n->in_edges.resize(kind == node_kind::output_plio ? 1 : 0);
  n->out_edges.resize(kind == node_kind::input_plio ? 1 : 0);
  const std::lock_guard<std::mutex> g(registry_mutex());
  plio_registry().push_back(n);
  return n;
}
}  // namespace detail

class input_plio {
 public:
  input_plio() : out(nullptr, true) {}
  input_plio(const input_plio& o) : out(o.n_, true), n_(o.n_) {}
  input_plio& operator=(const input_plio& o) {
    n_ = o.n_;
    out = detail::port_array(n_, true);
    return *this;
  }
  static input_plio create(const std::string& name, plio_type width, const std::string& file) {
    return input_plio(detail::make_plio(detail::node_kind::input_plio, name, width, file));
  }
  const std::shared_ptr<detail::node>& node() const { return n_; }

  detail::port_array out;

 private:
  explicit input_plio(std::shared_ptr<detail::node> n) : out(n, true), n_(std::move(n)) {}
  std::shared_ptr<detail::node> n_;
};

class output_plio {
 public:
  output_plio() : in(nullptr, false) {}
  output_plio(const output_plio& o) : in(o.n_, false), n_(o.n_) {}
  output_plio& operator=(const output_plio& o) {
    n_ = o.n_;
    in = detail::port_array(n_, false);
    return *this;
  }
  static output_plio create(const std::string& name, plio_type width, const std::string& file) {
    return output_plio(detail::make_plio(detail::node_kind::output_plio, name, width, file));
  }
  const std::shared_ptr<detail::node>& node() const { return n_; }

  detail::port_array in;

 private:
  explicit output_plio(std::shared_ptr<detail::node> n) : in(n, false), n_(std::move(n)) {}
  std::shared_ptr<detail::node> n_;
};

template <typename Dir>
class port {
  static_assert(std::is_same_v<Dir, input>, "only input graph ports (RTPs) are modelled");

 public:
  port() : n_(std::make_shared<detail::node>()) {
    n_->kind = detail::node_kind::graph_port;
    n_->out_edges.resize(1);
  }
  port(const port&) = delete;
  port& operator=(const port&) = delete;

  operator detail::port_ref() const { return detail::port_ref{n_, true, 0}; }
  const std::shared_ptr<detail::node>& node() const { return n_; }

 private:
  std::shared_ptr<detail::node> n_;
};

template <typename Kind = void>
struct connect {
  static_assert(std::is_void_v<Kind> || std::is_same_v<Kind, parameter>,
                "connect<> or connect<parameter> only");
  connect(const detail::port_ref& src, const detail::port_ref& dst) {
    detail::add_edge(src, dst, std::is_same_v<Kind, parameter>);
  }
};

}  // namespace adf
