// Minimal N-API binding: map a file into an external ArrayBuffer, msync ranges, unmap.
// Everything else (layout, allocation, logging) lives in TypeScript on top of typed views.
#define _GNU_SOURCE
#include <errno.h>
#include <node_api.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct {
  void* addr;
  size_t len;
  int unmapped;
} mapping_t;

#define CHECK(call)                                                      \
  do {                                                                   \
    if ((call) != napi_ok) {                                             \
      napi_throw_error(env, NULL, "pmem native: N-API call failed");     \
      return NULL;                                                       \
    }                                                                    \
  } while (0)

static napi_value throw_errno(napi_env env, const char* what) {
  char msg[256];
  snprintf(msg, sizeof msg, "%s: %s", what, strerror(errno));
  napi_throw_error(env, "ERR_PMEM_NATIVE", msg);
  return NULL;
}

static void finalize(napi_env env, void* data, void* hint) {
  mapping_t* m = (mapping_t*)hint;
  if (!m->unmapped) munmap(m->addr, m->len);
  free(m);
}

// map(fd: number, length: number) -> ArrayBuffer backed by MAP_SHARED memory.
static napi_value Map(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int32_t fd;
  double dlen;
  CHECK(napi_get_value_int32(env, argv[0], &fd));
  CHECK(napi_get_value_double(env, argv[1], &dlen));
  size_t len = (size_t)dlen;
  void* addr = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (addr == MAP_FAILED) return throw_errno(env, "mmap");
  mapping_t* m = (mapping_t*)malloc(sizeof(mapping_t));
  m->addr = addr;
  m->len = len;
  m->unmapped = 0;
  napi_value ab;
  if (napi_create_external_arraybuffer(env, addr, len, finalize, m, &ab) != napi_ok) {
    munmap(addr, len);
    free(m);
    napi_throw_error(env, "ERR_PMEM_NATIVE", "cannot wrap mapping in an ArrayBuffer");
    return NULL;
  }
  return ab;
}

// msync(buffer, offset, length): offset/length must be page aligned by the caller.
static napi_value Msync(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  void* data;
  size_t blen;
  double off, len;
  CHECK(napi_get_arraybuffer_info(env, argv[0], &data, &blen));
  CHECK(napi_get_value_double(env, argv[1], &off));
  CHECK(napi_get_value_double(env, argv[2], &len));
  if (off < 0 || len < 0 || (size_t)off + (size_t)len > blen) {
    napi_throw_range_error(env, "ERR_PMEM_NATIVE", "msync range outside mapping");
    return NULL;
  }
  if (len > 0 && msync((char*)data + (size_t)off, (size_t)len, MS_SYNC) != 0)
    return throw_errno(env, "msync");
  return NULL;
}

// fence(): orders this thread's stores; msync already implies it, kept for DAX-style callers.
static napi_value Fence(napi_env env, napi_callback_info info) {
  __sync_synchronize();
  return NULL;
}

// detach(buffer): closing a heap must make every JS view unusable at once. The pages are
// unmapped by the finalizer when V8 drops the backing store, never while a view could reach them.
static napi_value Detach(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  CHECK(napi_detach_arraybuffer(env, argv[0]));
  return NULL;
}

static napi_value Init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"map", NULL, Map, NULL, NULL, NULL, napi_default, NULL},
      {"msync", NULL, Msync, NULL, NULL, NULL, napi_default, NULL},
      {"fence", NULL, Fence, NULL, NULL, NULL, napi_default, NULL},
      {"detach", NULL, Detach, NULL, NULL, NULL, napi_default, NULL},
  };
  CHECK(napi_define_properties(env, exports, sizeof props / sizeof props[0], props));
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
