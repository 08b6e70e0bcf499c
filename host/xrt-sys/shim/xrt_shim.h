/* C interface of the rsn XRT shim: one function per XRT C entry point the rsn backend uses.
 *
 * Why a shim: some XRT 2.13 entry points let C++ exceptions escape (xrtDeviceOpen without a
 * device), and a foreign exception unwinding into Rust aborts the process. Each function here
 * catches everything, returns 0 on success or a nonzero code (an errno value where XRT gives one,
 * -1 otherwise), and leaves a message for rsn_xrt_last_error() on the calling thread.
 * The variadic xrtRunSetArg is exposed as three typed functions so that the C++ compiler, not
 * Rust, applies the C default argument promotions. */
#ifndef RSN_XRT_SHIM_H
#define RSN_XRT_SHIM_H

#include <stddef.h>
#include <stdint.h>

#include "xrt/xrt_device.h"
#include "xrt/xrt_bo.h"
#include "xrt/xrt_kernel.h"
#include "xrt/xrt_graph.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Message of the last failed shim call on this thread (empty if none). Valid until the next
 * shim call on the same thread. */
const char* rsn_xrt_last_error(void);

int rsn_xrt_device_open(unsigned int index, xrtDeviceHandle* out);
int rsn_xrt_device_open_bdf(const char* bdf, xrtDeviceHandle* out);
int rsn_xrt_device_close(xrtDeviceHandle dev);
int rsn_xrt_device_load_xclbin_file(xrtDeviceHandle dev, const char* path);
int rsn_xrt_device_xclbin_uuid(xrtDeviceHandle dev, unsigned char out[16]);

int rsn_xrt_bo_alloc(xrtDeviceHandle dev, size_t size, xrtBufferFlags flags, xrtMemoryGroup group,
                     xrtBufferHandle* out);
int rsn_xrt_bo_free(xrtBufferHandle bo);
int rsn_xrt_bo_map(xrtBufferHandle bo, void** out);
int rsn_xrt_bo_sync(xrtBufferHandle bo, enum xclBOSyncDirection dir, size_t size, size_t offset);
int rsn_xrt_bo_address(xrtBufferHandle bo, uint64_t* out);
int rsn_xrt_bo_size(xrtBufferHandle bo, size_t* out);

int rsn_xrt_kernel_open(xrtDeviceHandle dev, const unsigned char uuid[16], const char* name, int exclusive,
                        xrtKernelHandle* out);
int rsn_xrt_kernel_close(xrtKernelHandle kernel);
int rsn_xrt_kernel_arg_group(xrtKernelHandle kernel, int argno, int* out);
int rsn_xrt_kernel_read_register(xrtKernelHandle kernel, uint32_t offset, uint32_t* out);
int rsn_xrt_kernel_write_register(xrtKernelHandle kernel, uint32_t offset, uint32_t value);

int rsn_xrt_run_open(xrtKernelHandle kernel, xrtRunHandle* out);
int rsn_xrt_run_close(xrtRunHandle run);
int rsn_xrt_run_set_arg_bo(xrtRunHandle run, int index, xrtBufferHandle bo);
int rsn_xrt_run_set_arg_u32(xrtRunHandle run, int index, uint32_t value);
int rsn_xrt_run_set_arg_u64(xrtRunHandle run, int index, uint64_t value);
int rsn_xrt_run_start(xrtRunHandle run);
int rsn_xrt_run_wait_for(xrtRunHandle run, unsigned int timeout_ms, enum ert_cmd_state* out);
int rsn_xrt_run_state(xrtRunHandle run, enum ert_cmd_state* out);

int rsn_xrt_graph_open(xrtDeviceHandle dev, const unsigned char uuid[16], const char* name, xrtGraphHandle* out);
int rsn_xrt_graph_close(xrtGraphHandle graph);
int rsn_xrt_graph_update_rtp(xrtGraphHandle graph, const char* port, const void* data, size_t size);
int rsn_xrt_graph_read_rtp(xrtGraphHandle graph, const char* port, void* data, size_t size);
int rsn_xrt_graph_run(xrtGraphHandle graph, int iterations);
int rsn_xrt_graph_wait_done(xrtGraphHandle graph, int timeout_ms);
int rsn_xrt_graph_end(xrtGraphHandle graph, uint64_t cycle);
int rsn_xrt_graph_reset(xrtGraphHandle graph);

#ifdef __cplusplus
}
#endif

#endif
