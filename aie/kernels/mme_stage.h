// The three MME cascade-stage kernels (ADF kernel classes; state = the stage's tile buffers).
//
// Port numbering (ADF numbers inputs and outputs separately, in argument order):
//   first:  in[0] A stream, in[1] B stream, in[2] blocks RTP;                out[0] cascade
//   middle: in[0] A stream, in[1] B stream, in[2] cascade, in[3] blocks RTP; out[0] cascade
//   last:   in[0] A stream, in[1] B stream, in[2] cascade, in[3] blocks RTP; out[0] C stream
#pragma once

#include <adf.h>
#include <cstdint>

#include "mme_core.h"

struct MmePorts {
  static constexpr unsigned kInA = 0;
  static constexpr unsigned kInB = 1;
  static constexpr unsigned kInCascade = 2;  // middle and last stages
  static constexpr unsigned kOut = 0;        // cascade (first, middle) or C stream (last)
};

class MmeFirstStage {
 public:
  static constexpr unsigned kInBlocks = 2;
  void run(input_stream<float>* a, input_stream<float>* b, output_cascade<accfloat>* acc_out,
           uint32_t blocks);
  static void registerKernelClass() { REGISTER_FUNCTION(MmeFirstStage::run); }

 private:
  rsn_mme::TileBuffers buf_;
};

class MmeMiddleStage {
 public:
  static constexpr unsigned kInBlocks = 3;
  void run(input_stream<float>* a, input_stream<float>* b, input_cascade<accfloat>* acc_in,
           output_cascade<accfloat>* acc_out, uint32_t blocks);
  static void registerKernelClass() { REGISTER_FUNCTION(MmeMiddleStage::run); }

 private:
  rsn_mme::TileBuffers buf_;
};

class MmeLastStage {
 public:
  static constexpr unsigned kInBlocks = 3;
  void run(input_stream<float>* a, input_stream<float>* b, input_cascade<accfloat>* acc_in,
           output_stream<float>* c, uint32_t blocks);
  static void registerKernelClass() { REGISTER_FUNCTION(MmeLastStage::run); }

 private:
  rsn_mme::TileBuffers buf_;
};
