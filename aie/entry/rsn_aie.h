/* C ABI of the AI Engine model: the real MME kernels and graph, run through the compat layer.
 * All matrices are row-major FP32. Every function returns RSN_AIE_OK or a negative status; after a
 * failure rsn_aie_last_error() gives the message (per thread). Thread-safe: each thread keeps its
 * own reusable simulation context. */
#ifndef RSN_AIE_H
#define RSN_AIE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define RSN_AIE_OK 0
#define RSN_AIE_ERR_NULL (-1)     /* a required pointer was NULL */
#define RSN_AIE_ERR_ARG (-2)      /* an argument was out of range (message says which) */
#define RSN_AIE_ERR_GRAPH (-3)    /* the graph or a kernel broke the stream protocol */
#define RSN_AIE_ERR_INTERNAL (-4) /* anything else (e.g. out of memory) */

/* Largest `blocks` accepted by the multi-block entries (bounds the context's memory). */
#define RSN_AIE_MAX_BLOCKS 64u

/* One engine block product c = a x b, 128x128 each: the blocks are serialised onto the engine's
 * 32 input PLIO streams as the PL sends them, the 64 kernels run, the 16 output streams are
 * gathered into c. */
int rsn_aie_engine_block(const float* a_blk, const float* b_blk, float* c_blk);

/* `blocks` consecutive block products in one program (RTP blocks = `blocks`): a, b and c each hold
 * `blocks` 128x128 blocks back to back. */
int rsn_aie_engine_blocks(const float* a, const float* b, float* c, uint32_t blocks);

/* One output tile's four-stage cascade through its graph: c (32x32) = a (32x128) x b (128x32),
 * repeated over `blocks` consecutive (a, b, c) triples. */
int rsn_aie_cascade(const float* a, const float* b, float* c, uint32_t blocks);

/* One kernel alone. stage 0 = first (writes 1024 accumulator lanes per block to out), 1 = middle
 * (reads acc_in, writes out), 2 = last (reads acc_in, writes the 32x32 C tile to out). a and b are
 * `blocks` 32x32 tiles; acc_in and out hold 1024 floats per block (accumulators in cascade order:
 * row-major over the tile). */
int rsn_aie_kernel_stage(int stage, const float* a, const float* b, const float* acc_in, float* out,
                         uint32_t blocks);

/* Copies the calling thread's last error message (NUL-terminated, truncated to len) and returns
 * its full length. */
size_t rsn_aie_last_error(char* buf, size_t len);

#ifdef __cplusplus
}
#endif

#endif
