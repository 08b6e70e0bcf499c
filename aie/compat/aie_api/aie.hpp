// g++ stand-in for the subset of AMD's AIE API (aie_api/aie.hpp) that the rsn kernels use.
//
// Semantics follow the numerics contract (host/src/numerics.rs): a floating-point multiply
// produces a binary32 product, and mac rounds that product to binary32 before the add. Lane loops
// are written out so the compiler cannot fuse them (build with -ffp-contract=off as well).
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <cstring>
#include <type_traits>

#include "../rsn_compat/types.h"

namespace aie {

namespace detail {
// GCC vector types used only as storage, so that lanes live in SIMD registers; every operation
// below still goes lane by lane.
typedef float f32x4 __attribute__((vector_size(16)));
typedef float f32x8 __attribute__((vector_size(32)));
typedef float f32x16 __attribute__((vector_size(64)));
template <unsigned N>
struct simd;
template <>
struct simd<4> {
  using type = f32x4;
};
template <>
struct simd<8> {
  using type = f32x8;
};
template <>
struct simd<16> {
  using type = f32x16;
};
}  // namespace detail

template <typename T, unsigned N>
class vector {
 public:
  static_assert(std::is_same_v<T, float>, "rsn compat: only float vectors are modelled");
  static_assert(N == 4 || N == 8 || N == 16, "rsn compat: 4, 8 or 16 lanes");

  vector() = default;

  static constexpr unsigned size() { return N; }

  T get(unsigned i) const { return v_[i]; }
  void set(T x, unsigned i) { v_[i] = x; }
  T operator[](unsigned i) const { return v_[i]; }

  // Lanes [idx*M, idx*M + M) as a narrower vector, as aie::vector::extract does.
  template <unsigned M>
  vector<T, M> extract(unsigned idx) const {
    static_assert(M <= N && N % M == 0, "extract: sub-vector must divide the vector");
    vector<T, M> r;
    for (unsigned i = 0; i < M; ++i) r.set(v_[idx * M + i], i);
    return r;
  }

 private:
  typename detail::simd<N>::type v_;
};

template <typename Tag, unsigned N>
class accum {
 public:
  static_assert(std::is_same_v<Tag, accfloat>, "rsn compat: only accfloat accumulators");

  accum() = default;

  static constexpr unsigned size() { return N; }

  template <typename T>
  vector<T, N> to_vector() const {
    static_assert(std::is_same_v<T, float>, "accfloat converts to float");
    vector<T, N> r;
    for (unsigned i = 0; i < N; ++i) r.set(l_[i], i);
    return r;
  }

  float lane(unsigned i) const { return l_[i]; }
  void set_lane(float x, unsigned i) { l_[i] = x; }
  void load_lanes(const float* p) { std::memcpy(&l_, p, sizeof l_); }
  void store_lanes(float* p) const { std::memcpy(p, &l_, sizeof l_); }

 private:
  typename detail::simd<N>::type l_;
};

// Vector load and store. The AIE requires vector-size alignment; the C++ tests define
// RSN_COMPAT_CHECK_ALIGN so a kernel that breaks it fails here rather than on hardware.
template <typename T, unsigned N>
inline void check_align([[maybe_unused]] const T* p) {
#ifdef RSN_COMPAT_CHECK_ALIGN
  if (reinterpret_cast<std::uintptr_t>(p) % (sizeof(T) * N) != 0) {
    throw std::logic_error("aie::load_v/store_v: pointer not aligned to the vector size");
  }
#endif
}

template <unsigned N, typename T>
vector<T, N> load_v(const T* p) {
  check_align<T, N>(p);
  vector<T, N> r;
  for (unsigned i = 0; i < N; ++i) r.set(p[i], i);
  return r;
}

template <typename T, unsigned N>
void store_v(T* p, const vector<T, N>& v) {
  check_align<T, N>(p);
  for (unsigned i = 0; i < N; ++i) p[i] = v[i];
}

// Scalar times vector: each lane is one binary32 product.
template <typename T, unsigned N>
accum<accfloat, N> mul(T a, const vector<T, N>& b) {
  accum<accfloat, N> r;
  for (unsigned i = 0; i < N; ++i) r.set_lane(a * b[i], i);
  return r;
}

// Lane-wise vector product.
template <typename T, unsigned N>
accum<accfloat, N> mul(const vector<T, N>& a, const vector<T, N>& b) {
  accum<accfloat, N> r;
  for (unsigned i = 0; i < N; ++i) r.set_lane(a[i] * b[i], i);
  return r;
}

// acc + a*b per lane with the product rounded to binary32 first (two roundings, never fused).
template <typename T, unsigned N>
accum<accfloat, N> mac(const accum<accfloat, N>& acc, T a, const vector<T, N>& b) {
  accum<accfloat, N> r;
  for (unsigned i = 0; i < N; ++i) {
    const float p = a * b[i];
    r.set_lane(acc.lane(i) + p, i);
  }
  return r;
}

template <typename T, unsigned N>
accum<accfloat, N> mac(const accum<accfloat, N>& acc, const vector<T, N>& a,
                       const vector<T, N>& b) {
  accum<accfloat, N> r;
  for (unsigned i = 0; i < N; ++i) {
    const float p = a[i] * b[i];
    r.set_lane(acc.lane(i) + p, i);
  }
  return r;
}

}  // namespace aie
