/* lib/exec internals shared between its files. */
#ifndef BELAY_EXEC_PRIVATE_H
#define BELAY_EXEC_PRIVATE_H

#include <sys/types.h>

#include <belay/exec.h>

/* OCF_ROOT of REQ (its own or the default); borrowed. */
const char *bl__exec_root(const bl_exec_request_t *req);

/* Timeout of REQ in ms, the default applied. */
uint64_t bl__exec_timeout(const bl_exec_request_t *req);

/* TEXT with bytes XML cannot carry replaced; caller frees. */
char *bl__exec_xml_clean(const char *text);

/* Deep copy of FROM into *TO. */
void bl__exec_result_copy(bl_exec_result_t *to, const bl_exec_result_t *from);

/*
 * Bounded capture of a stream: the first head_max bytes and the last tail_max bytes
 * are kept, the middle is only counted, so a flooding agent costs a fixed amount of
 * memory.
 */
typedef struct bl_capture {
    char *head;
    size_t head_len;
    size_t head_max;
    char *ring;      /* last bytes, circular */
    size_t ring_pos; /* next write position */
    size_t ring_len;
    size_t tail_max;
    size_t total;
} bl_capture_t;

void bl__capture_init(bl_capture_t *cap, size_t limit);
void bl__capture_add(bl_capture_t *cap, const char *data, size_t len);

/*
 * The captured text (head, a marker naming the dropped byte count when bytes were
 * dropped, tail), NUL-terminated; *dropped gets that count. Releases the capture.
 */
char *bl__capture_finish(bl_capture_t *cap, size_t *dropped);

/* One running agent process. */
typedef struct bl_child bl_child_t;

/* Called once when the child is over; RES belongs to the callee (clear it). */
typedef void (*bl_child_done_fn)(bl_child_t *child, bl_exec_result_t *res, void *user_data);

typedef struct bl_child_params {
    GMainContext *ctx;
    uint64_t kill_grace_ms;
    size_t output_limit;
    const char *const *extra_env;
    bl_child_done_fn done;
    void *user_data;
} bl_child_params_t;

/*
 * Starts the agent of REQ. Returns the child, or NULL with *res filled (status
 * BL_EXEC_ERROR) when it could not be started; DONE is then never called.
 */
bl_child_t *bl__child_start(const bl_exec_request_t *req, const bl_child_params_t *params,
                            bl_exec_result_t *res);

/* Process id (= process group id) of CHILD. */
pid_t bl__child_pid(const bl_child_t *child);

/* Kills CHILD's group (SIGTERM, SIGKILL after the grace); it completes as CANCELLED. */
void bl__child_cancel(bl_child_t *child);

/*
 * Frees CHILD. A child still running is killed with SIGKILL (its whole group) and
 * reaped here; DONE is not called.
 */
void bl__child_free(bl_child_t *child);

#endif /* BELAY_EXEC_PRIVATE_H */
