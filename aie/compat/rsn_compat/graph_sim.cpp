#include "graph_sim.h"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

namespace rsn_compat {

using adf::detail::node;
using adf::detail::node_kind;
using adf::detail::port_kind;

struct graph_sim::kernel_inst {
  std::shared_ptr<node> n;
  void* obj = nullptr;
  std::string label;
  std::vector<void*> ins, outs;
  std::vector<input_stream<float>*> streams;
  std::vector<input_cascade<accfloat>*> cascades;
};

namespace {

std::string label_of(const node& k, std::size_t ordinal) {
  std::string names;
  for (std::size_t i = 0; i < k.ins.size(); ++i) {
    if (k.ins[i] != port_kind::stream_in || k.in_edges[i].empty()) continue;
    const node& src = *k.in_edges[i][0].src.n;
    if (src.kind != node_kind::input_plio) continue;
    names += names.empty() ? "" : ",";
    names += src.name;
  }
  return "kernel#" + std::to_string(ordinal) + (names.empty() ? "" : "(" + names + ")");
}

}  // namespace

graph_sim::graph_sim(const std::vector<const adf::input_plio*>& inputs,
                     const std::vector<const adf::output_plio*>& outputs) {
  std::set<const node*> in_set, out_set;
  for (const auto* p : inputs) {
    if (p == nullptr || !p->node()) throw std::logic_error("graph_sim: unset input_plio");
    in_set.insert(p->node().get());
  }
  for (const auto* p : outputs) {
    if (p == nullptr || !p->node()) throw std::logic_error("graph_sim: unset output_plio");
    out_set.insert(p->node().get());
  }

  // Discover every kernel reachable over data edges from the given PLIOs.
  std::vector<std::shared_ptr<node>> found;
  std::set<const node*> seen;
  std::vector<std::shared_ptr<node>> work;
  const auto visit = [&](const std::shared_ptr<node>& n) {
    if (n->kind == node_kind::kernel && seen.insert(n.get()).second) {
      found.push_back(n);
      work.push_back(n);
    }
  };
  for (const auto* p : inputs) {
    for (const auto& e : p->node()->out_edges[0]) visit(e.dst.n);
  }
  for (const auto* p : outputs) {
    for (const auto& e : p->node()->in_edges[0]) visit(e.src.n);
  }
  while (!work.empty()) {
    const std::shared_ptr<node> k = work.back();
    work.pop_back();
    for (const auto& es : k->in_edges) {
      for (const auto& e : es) {
        if (e.src.n->kind == node_kind::input_plio && !in_set.count(e.src.n.get())) {
          throw std::logic_error("graph_sim: kernel fed by input_plio '" + e.src.n->name +
                                 "' that was not given to the simulator");
        }
        visit(e.src.n);
      }
    }
    for (const auto& es : k->out_edges) {
      for (const auto& e : es) {
        if (e.dst.n->kind == node_kind::output_plio && !out_set.count(e.dst.n.get())) {
          throw std::logic_error("graph_sim: kernel drives output_plio '" + e.dst.n->name +
                                 "' that was not given to the simulator");
        }
        visit(e.dst.n);
      }
    }
  }
  for (const auto* p : outputs) {
    if (p->node()->in_edges[0].empty()) {
      throw std::logic_error("graph_sim: output_plio '" + p->node()->name + "' has no source");
    }
  }

  // Every kernel port must be connected.
  for (std::size_t i = 0; i < found.size(); ++i) {
    const node& k = *found[i];
    const std::string label = label_of(k, i);
    for (std::size_t p = 0; p < k.ins.size(); ++p) {
      if (k.in_edges[p].empty()) {
        throw std::logic_error("graph_sim: " + label + " in[" + std::to_string(p) + "] (" +
                               adf::detail::kind_name(k.ins[p]) + ") is not connected");
      }
    }
    for (std::size_t p = 0; p < k.outs.size(); ++p) {
      if (k.out_edges[p].empty()) {
        throw std::logic_error("graph_sim: " + label + " out[" + std::to_string(p) + "] (" +
                               adf::detail::kind_name(k.outs[p]) + ") is not connected");
      }
    }
  }

  // Dependency order (Kahn) over kernel-to-kernel edges.
  std::map<const node*, std::size_t> pending;
  for (const auto& k : found) {
    std::size_t deps = 0;
    for (const auto& es : k->in_edges) {
      for (const auto& e : es) deps += e.src.n->kind == node_kind::kernel ? 1 : 0;
    }
    pending[k.get()] = deps;
  }
  std::vector<std::shared_ptr<node>> order;
  std::vector<std::shared_ptr<node>> ready;
  for (const auto& k : found) {
    if (pending[k.get()] == 0) ready.push_back(k);
  }
  while (!ready.empty()) {
    const std::shared_ptr<node> k = ready.front();
    ready.erase(ready.begin());
    order.push_back(k);
    for (const auto& es : k->out_edges) {
      for (const auto& e : es) {
        if (e.dst.n->kind == node_kind::kernel && --pending[e.dst.n.get()] == 0) ready.push_back(e.dst.n);
      }
    }
  }
  if (order.size() != found.size()) throw std::logic_error("graph_sim: kernel graph has a cycle");

  // Queues: one per data source (input PLIO or kernel output), shared by all its readers.
  std::map<std::pair<const node*, unsigned>, word_queue*> words_of;
  std::map<std::pair<const node*, unsigned>, lane_queue*> lanes_of;
  for (const auto* p : inputs) {
    if (p->node()->width_bits != 64) {
      throw std::logic_error("graph_sim: input_plio '" + p->node()->name + "' is not 64-bit");
    }
    word_queues_.emplace_back();
    word_queues_.back().name = p->node()->name;
    words_of[{p->node().get(), 0}] = &word_queues_.back();
    inputs_.push_back(&word_queues_.back());
  }
  kernels_.reserve(order.size());
  for (std::size_t i = 0; i < order.size(); ++i) {
    kernel_inst ki;
    ki.n = order[i];
    ki.label = label_of(*order[i], i);
    for (unsigned p = 0; p < ki.n->outs.size(); ++p) {
      const std::string qname = ki.label + ".out[" + std::to_string(p) + "]";
      if (ki.n->outs[p] == port_kind::stream_out) {
        word_queues_.emplace_back();
        word_queues_.back().name = qname;
        words_of[{ki.n.get(), p}] = &word_queues_.back();
        out_streams_.push_back(output_stream<float>{&word_queues_.back()});
        ki.outs.push_back(&out_streams_.back());
      } else {
        lane_queues_.emplace_back();
        lane_queues_.back().name = qname;
        lanes_of[{ki.n.get(), p}] = &lane_queues_.back();
        out_cascades_.push_back(output_cascade<accfloat>{&lane_queues_.back()});
        ki.outs.push_back(&out_cascades_.back());
      }
    }
    kernels_.push_back(std::move(ki));
  }
  // Inputs bind to the queues of their sources; order guarantees kernel sources exist already.
  for (auto& ki : kernels_) {
    for (unsigned p = 0; p < ki.n->ins.size(); ++p) {
      const auto& e = ki.n->in_edges[p][0];
      const std::pair<const node*, unsigned> src{e.src.n.get(),
                                                 e.src.n->kind == node_kind::kernel ? e.src.idx : 0u};
      switch (ki.n->ins[p]) {
        case port_kind::stream_in:
          in_streams_.push_back(input_stream<float>{words_of.at(src), 0});
          ki.ins.push_back(&in_streams_.back());
          ki.streams.push_back(&in_streams_.back());
          break;
        case port_kind::cascade_in:
          in_cascades_.push_back(input_cascade<accfloat>{lanes_of.at(src), 0});
          ki.ins.push_back(&in_cascades_.back());
          ki.cascades.push_back(&in_cascades_.back());
          break;
        case port_kind::rtp_in: {
          const auto it = std::find_if(rtps_.begin(), rtps_.end(),
                                       [&](const rtp_slot& s) { return s.port == src.first; });
          if (it == rtps_.end()) {
            rtps_.push_back(rtp_slot{src.first, 0, false});
            ki.ins.push_back(&rtps_.back().value);
          } else {
            ki.ins.push_back(&it->value);
          }
          break;
        }
        default:
          throw std::logic_error("graph_sim: bad input kind");
      }
    }
  }
  for (const auto* p : outputs) {
    const auto& e = p->node()->in_edges[0][0];
    outputs_.push_back(words_of.at({e.src.n.get(), e.src.idx}));
    output_names_.push_back(p->node()->name);
  }
  for (auto& ki : kernels_) ki.obj = ki.n->make();
}

std::size_t graph_sim::kernel_count() const { return kernels_.size(); }

graph_sim::~graph_sim() {
  for (auto& ki : kernels_) {
    if (ki.obj != nullptr) ki.n->destroy(ki.obj);
  }
}

void graph_sim::write_beats(std::size_t i, const uint64_t* beats, std::size_t n) {
  if (i >= inputs_.size()) throw std::out_of_range("graph_sim::write_beats: no such input");
  std::vector<uint32_t>& w = inputs_[i]->words;
  w.resize(2 * n);
  for (std::size_t t = 0; t < n; ++t) {
    w[2 * t] = static_cast<uint32_t>(beats[t]);
    w[2 * t + 1] = static_cast<uint32_t>(beats[t] >> 32);
  }
}

std::size_t graph_sim::output_beat_count(std::size_t j) const {
  if (j >= outputs_.size()) throw std::out_of_range("graph_sim::output_beat_count: no such output");
  return outputs_[j]->words.size() / 2;
}

void graph_sim::read_beats(std::size_t j, uint64_t* beats, std::size_t n) const {
  if (j >= outputs_.size()) throw std::out_of_range("graph_sim::read_beats: no such output");
  const std::vector<uint32_t>& w = outputs_[j]->words;
  if (w.size() != 2 * n) {
    throw stream_error("output_plio '" + output_names_[j] + "' carried " + std::to_string(w.size()) +
                       " words, expected " + std::to_string(2 * n));
  }
  for (std::size_t t = 0; t < n; ++t) {
    beats[t] = static_cast<uint64_t>(w[2 * t]) | (static_cast<uint64_t>(w[2 * t + 1]) << 32);
  }
}

void graph_sim::update(const adf::port<adf::input>& p, uint32_t value) {
  for (auto& s : rtps_) {
    if (s.port == p.node().get()) {
      s.value = value;
      s.written = true;
      return;
    }
  }
  throw std::logic_error("graph_sim::update: that port drives no kernel of this simulation");
}

void graph_sim::run() {
  for (const auto& s : rtps_) {
    if (!s.written) {
      throw std::logic_error("graph_sim::run: a synchronous runtime parameter was not written");
    }
  }
  for (auto& q : word_queues_) {
    if (std::find(inputs_.begin(), inputs_.end(), &q) == inputs_.end()) q.words.clear();
  }
  for (auto& q : lane_queues_) q.lanes.clear();
  for (auto& s : in_streams_) s.head = 0;
  for (auto& s : in_cascades_) s.head = 0;
  for (auto& s : rtps_) s.written = false;

  for (auto& ki : kernels_) ki.n->invoke(ki.obj, ki.ins.data(), ki.outs.data());

  for (const auto& ki : kernels_) {
    for (const auto* s : ki.streams) {
      if (s->head != s->q->words.size()) {
        throw stream_error(ki.label + " left " + std::to_string(s->q->words.size() - s->head) +
                           " words of stream '" + s->q->name + "' unread");
      }
    }
    for (const auto* s : ki.cascades) {
      if (s->head != s->q->lanes.size()) {
        throw stream_error(ki.label + " left " + std::to_string(s->q->lanes.size() - s->head) +
                           " lanes of cascade '" + s->q->name + "' unread");
      }
    }
  }
}

}  // namespace rsn_compat
