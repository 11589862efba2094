/*
 * lib/common: what every part of Belay uses — allocation, error codes, error messages
 * for parsers, logging, scores (INFINITY arithmetic), durations and XML helpers.
 */
#ifndef BELAY_COMMON_H
#define BELAY_COMMON_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <libxml/tree.h>
#include <glib.h>
#include <qb/qbipcs.h>
#include <qb/qblog.h>

/* ------------------------------------------------------------------ errors */

/*
 * Library functions return 0 on success, -errno for system errors and one of these
 * (all <= -1000) for domain errors.
 */
enum bl_error {
    BL_EPARSE = -1000,       /* malformed input (XML, crm syntax, number, duration) */
    BL_ESCHEMA = -1001,      /* document does not match the CIB schema */
    BL_EINVALID = -1002,     /* well-formed but semantically invalid configuration */
    BL_ENOTFOUND = -1003,    /* a named object does not exist */
    BL_EEXISTS = -1004,      /* an object with that id already exists */
    BL_EDIGEST = -1005,      /* stored data does not match its digest (tampered/truncated) */
    BL_EVERSION = -1006,     /* a patch or update does not apply to this version */
    BL_EUNSUPPORTED = -1007, /* a feature Belay does not implement */
    BL_EUSAGE = -1008,       /* wrong command-line usage */
};

/* Returns a static description of rc (a -errno or a BL_E* value). */
const char *bl_strerror(int rc);

/*
 * Sets *err (when err is not NULL and *err is still NULL) to a newly allocated message.
 * The first error wins, so the innermost, most precise message reaches the user.
 * The caller owns *err and frees it with free().
 */
void bl_err_set(char **err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Like bl_err_set() but prefixes an existing *err: "PREFIX: old message". */
void bl_err_prefix(char **err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ------------------------------------------------------------- allocation */

/* These abort on allocation failure; results are freed with free(). */
void *bl_malloc(size_t size);
void *bl_calloc(size_t count, size_t size);
void *bl_realloc(void *ptr, size_t size);
char *bl_strdup(const char *text);
char *bl_strndup(const char *text, size_t len);
char *bl_asprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *bl_vasprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

/* Frees *(void **)pptr and sets it to NULL. Usage: bl_free(&p). */
void bl_free(void *pptr);

/* ----------------------------------------------------------------- logging */

/*
 * Sets up libqb logging for a daemon or tool named NAME: to the file named by
 * $BELAY_LOG_FILE when set, else syslog; also stderr when to_stderr is true.
 */
void bl_log_init(const char *name, bool to_stderr);
void bl_log_fini(void);

#define bl_err(fmt, ...) qb_log(LOG_ERR, fmt, ##__VA_ARGS__)
#define bl_warn(fmt, ...) qb_log(LOG_WARNING, fmt, ##__VA_ARGS__)
#define bl_notice(fmt, ...) qb_log(LOG_NOTICE, fmt, ##__VA_ARGS__)
#define bl_info(fmt, ...) qb_log(LOG_INFO, fmt, ##__VA_ARGS__)
#define bl_debug(fmt, ...) qb_log(LOG_DEBUG, fmt, ##__VA_ARGS__)

/* ------------------------------------------------------------------ scores */

/* Pacemaker's INFINITY: scores saturate at +/- this value. */
#define BL_SCORE_INFINITY 1000000
/* Buffer size that holds any score rendered by bl_score_format(). */
#define BL_SCORE_BUFSZ 16

/*
 * Parses a score: an integer (optionally signed), or INFINITY / inf with an optional
 * sign, case-insensitive. Values beyond +/-INFINITY are clamped to it.
 * Returns 0 and sets *score, or BL_EPARSE with a message in *err.
 */
int bl_score_parse(const char *text, int *score, char **err);

/* True when TEXT is a valid score (see bl_score_parse()). */
bool bl_score_valid(const char *text);

/*
 * Adds two scores with Pacemaker's rules: -INFINITY + anything = -INFINITY,
 * otherwise +INFINITY + anything = +INFINITY, otherwise the sum clamped to +/-INFINITY.
 */
int bl_score_add(int a, int b);

/* Writes "INFINITY", "-INFINITY" or the decimal value into buf; returns buf. */
const char *bl_score_format(int score, char buf[BL_SCORE_BUFSZ]);

/* --------------------------------------------------------------- durations */

/*
 * Parses a duration as Pacemaker does for intervals and timeouts: a number with an
 * optional unit (ms, msec, us, usec, s, sec, m, min, h, hr; no unit = seconds) or an
 * ISO 8601 duration (P[nD]T[nH][nM][nS]). Sets *ms (microseconds round up to 1 ms).
 * Returns 0, or BL_EPARSE with a message in *err.
 */
int bl_duration_parse_ms(const char *text, uint64_t *ms, char **err);

/* ---------------------------------------------------------------- XML help */

/*
 * Borrowed value of attribute NAME of NODE, or NULL when absent. The pointer stays
 * valid until the attribute is changed or the node freed.
 */
const char *bl_xml_attr(const xmlNode *node, const char *name);

/* Sets (or replaces) attribute NAME to VALUE; VALUE NULL removes it. */
void bl_xml_set_attr(xmlNode *node, const char *name, const char *value);

/* True when NODE is an element named NAME. */
bool bl_xml_is(const xmlNode *node, const char *name);

/* First element child of NODE (any name when NAME is NULL), or NULL. */
xmlNode *bl_xml_first_child(const xmlNode *node, const char *name);

/* Next element sibling after NODE (any name when NAME is NULL), or NULL. */
xmlNode *bl_xml_next(const xmlNode *node, const char *name);

/* First element child named NAME with id ID, or NULL. */
xmlNode *bl_xml_child_by_id(const xmlNode *node, const char *name, const char *id);

/* Finds the element with attribute id=ID anywhere under ROOT (depth first), or NULL. */
xmlNode *bl_xml_find_id(const xmlNode *root, const char *id);

/* Appends a new element NAME as last child of PARENT; returns it. */
xmlNode *bl_xml_add_child(xmlNode *parent, const char *name);

/* Unlinks and frees NODE (NULL is fine). */
void bl_xml_remove(xmlNode *node);

/*
 * Serialises NODE indented (2 spaces per level, one element per line, no XML
 * declaration). Caller frees the result.
 */
char *bl_xml_format(const xmlNode *node);

/*
 * Canonical form of NODE for digests and comparisons: attributes sorted by name,
 * whitespace-only text and comments dropped, element order kept, no indentation.
 * Caller frees the result.
 */
char *bl_xml_canonical(const xmlNode *node);

/* SHA-256 of the canonical form of NODE as 64 lowercase hex digits + NUL. */
#define BL_DIGEST_HEXLEN 64
void bl_xml_digest(const xmlNode *node, char out[BL_DIGEST_HEXLEN + 1]);

/* Source line of NODE (0 when unknown). */
long bl_xml_line(const xmlNode *node);

/*
 * Parses XML text (NAME labels error messages, e.g. a file name). Whitespace-only
 * text nodes are dropped; line numbers are kept. Returns 0 and *doc, or BL_EPARSE with
 * "NAME line N: message" in *err. Network access and external entities are disabled.
 */
int bl_xml_parse(const char *text, size_t len, const char *name, xmlDoc **doc, char **err);

/* Reads and parses a file as bl_xml_parse() does; -errno if it cannot be read. */
int bl_xml_parse_file(const char *path, xmlDoc **doc, char **err);

/* ------------------------------------------------------ wire byte order */
/* 32-bit little-endian fields of the frame and chunk headers (IPC and CPG). */
static inline void
bl_le32_put(uint8_t *out, uint32_t value)
{
    value = GUINT32_TO_LE(value);
    memcpy(out, &value, 4);
}

static inline uint32_t
bl_le32_get(const uint8_t *in)
{
    uint32_t value;

    memcpy(&value, in, 4);
    return GUINT32_FROM_LE(value);
}

/* ------------------------------------------------------------- IPC loop */

/*
 * Drives the libqb IPC service SERVICE from the glib main context CTX (NULL = the
 * default one): call before qb_ipcs_run(). Call bl_ipc_loop_detach() after
 * qb_ipcs_destroy(), once per attach.
 */
void bl_ipc_loop_attach(qb_ipcs_service_t *service, GMainContext *ctx);
void bl_ipc_loop_detach(void);

/* ------------------------------------------------------ IPC of any size */

/*
 * A libqb IPC connection carries messages of at most its buffer size (FRAME_MAX below).
 * Belay's daemons and clients send larger ones as numbered frames (lib/common/bl_ipc.c):
 * a large request goes frame by frame, each acknowledged; a large reply comes as its first
 * frame and the client asks for each next one (BL_IPC_MSG_MORE); a large event is pushed
 * frame by frame. Messages that fit in one frame travel as before, unframed. Bodies are
 * NUL-terminated text; the message ids below are reserved for the framing.
 */
#define BL_IPC_MSG_CHUNK 0x7ff0 /* a frame of a message too large for one */
#define BL_IPC_MSG_MORE 0x7ff1  /* request: send the next frame of the reply */
/* Largest message either side accepts (a bound on the memory a peer can make us use). */
#define BL_IPC_MAX_MSG (256 * 1024 * 1024)

typedef struct bl_ipc_client bl_ipc_client_t;

/*
 * Connects to the libqb IPC service NAME with buffers of FRAME_MAX bytes. DAEMON names
 * the server in messages ("belay-based"). CHUNKED false keeps every request in one frame
 * (for a server that does not reassemble): a larger one is refused with -EMSGSIZE.
 * Returns 0 and *client (free with bl_ipc_client_free()), or -errno with "cannot connect
 * to DAEMON (IPC 'NAME'): reason" in *err.
 */
int bl_ipc_client_connect(const char *name, const char *daemon, size_t frame_max, bool chunked,
                          bl_ipc_client_t **client, char **err);

/* Disconnects and frees CLIENT (NULL is fine). */
void bl_ipc_client_free(bl_ipc_client_t *client);

/*
 * Sends request ID with body TEXT (NUL-terminated, any size up to BL_IPC_MAX_MSG) and
 * waits up to TIMEOUT_MS for each frame of the reply. Returns 0 and *reply (NUL-terminated,
 * caller frees; *reply_len excludes the NUL), or -errno / BL_EPARSE with a message in *err.
 */
int bl_ipc_client_request(bl_ipc_client_t *client, int32_t id, const char *text, int timeout_ms,
                          char **reply, size_t *reply_len, char **err);

/*
 * Sends request ID with body TEXT without waiting for its reply, so that several can be in
 * flight; the server answers them in order (bl_ipc_client_recv()). TEXT must fit in one
 * frame (-EMSGSIZE otherwise). Returns 0, -EAGAIN when the request buffer is full (nothing
 * was sent; try again once the server has read), or -errno with a message in *err.
 */
int bl_ipc_client_send(bl_ipc_client_t *client, int32_t id, const char *text, char **err);

/*
 * Waits up to TIMEOUT_MS for the reply to the oldest request sent with
 * bl_ipc_client_send(). Returns 0 and *reply (caller frees), -ETIMEDOUT, -errno, or
 * BL_EPARSE (a malformed or framed reply), with a message in *err.
 */
int bl_ipc_client_recv(bl_ipc_client_t *client, int timeout_ms, char **reply, size_t *reply_len,
                       char **err);

/*
 * Waits up to TIMEOUT_MS (-1: forever) for the next whole event. Returns 0 and *event
 * (caller frees), -ETIMEDOUT (a partly received event is kept for the next call), -errno
 * when the connection failed, or BL_EPARSE, with a message in *err.
 */
int bl_ipc_client_event(bl_ipc_client_t *client, int timeout_ms, char **event, size_t *event_len,
                        char **err);

/* The descriptor that polls readable when an event may be waiting. */
int bl_ipc_client_fd(const bl_ipc_client_t *client);

/* A server's framing state for one connection. */
typedef struct bl_ipc_conn bl_ipc_conn_t;

/* New state for a connection of a service whose buffers are FRAME_MAX bytes. */
bl_ipc_conn_t *bl_ipc_conn_new(size_t frame_max);

/* Frees CONN (NULL is fine). */
void bl_ipc_conn_free(bl_ipc_conn_t *conn);

/*
 * Takes message DATA (SIZE bytes, libqb request header included) that C sent. Returns 1
 * with a whole request: *id and *body (NUL-terminated; borrowed: valid while libqb's
 * msg_process handler runs, as DATA is); 0 when it was a frame the framing itself answered;
 * BL_EPARSE with one sentence in *err for a malformed message (answer it with an error
 * reply).
 */
int bl_ipc_conn_receive(bl_ipc_conn_t *conn, qb_ipcs_connection_t *c, const void *data, size_t size,
                        int32_t *id, const char **body, char **err);

/*
 * Sends TEXT as the reply to C's request: whole, or its first frame, the rest going out as
 * the client asks for it. Returns 0 or -errno.
 */
int bl_ipc_conn_reply(bl_ipc_conn_t *conn, qb_ipcs_connection_t *c, const char *text);

/*
 * Sends TEXT to C as an event. Returns 0 when it went out, or its first frames did, or it
 * waits behind an event still going out (bl_ipc_conn_flush() sends the rest, in order);
 * -EAGAIN when C's buffer is full, or the events waiting would exceed one buffer's worth:
 * nothing of TEXT is sent then; another -errno on failure.
 */
int bl_ipc_conn_event(bl_ipc_conn_t *conn, qb_ipcs_connection_t *c, const char *text);

/* Sends what C's buffer takes of a partly sent event; true when nothing is left. */
bool bl_ipc_conn_flush(bl_ipc_conn_t *conn, qb_ipcs_connection_t *c);

/*
 * Creates and runs the libqb IPC service NAME (native, connection buffers of FRAME_MAX
 * bytes) with HANDLERS (borrowed; must outlive it), driven by the glib main context CTX
 * (NULL: the default one). Returns 0 and *service (stop it with bl_ipc_server_stop()), or
 * -errno with "cannot serve IPC 'NAME': reason" in *err and nothing left behind.
 */
int bl_ipc_server_start(const char *name, struct qb_ipcs_service_handlers *handlers,
                        GMainContext *ctx, size_t frame_max, qb_ipcs_service_t **service,
                        char **err);

/* Disconnects SERVICE's clients and destroys it (NULL is fine). */
void bl_ipc_server_stop(qb_ipcs_service_t *service);

/* ---------------------------------------------------------------- files */

/*
 * Reads the whole file PATH into a NUL-terminated buffer (*len excludes the NUL).
 * Returns 0 or -errno with "PATH: reason" in *err.
 */
int bl_file_read(const char *path, char **data, size_t *len, char **err);

/*
 * Writes DATA atomically: PATH.tmp.PID, fsync, rename over PATH, fsync of the
 * directory. Mode 0600 unless the file exists (its mode is kept).
 * Returns 0 or -errno with a message in *err.
 */
int bl_file_write_atomic(const char *path, const char *data, size_t len, char **err);

/* Levenshtein distance, capped at max+1 (for "did you mean" hints). */
unsigned bl_edit_distance(const char *a, const char *b, unsigned max);

#endif /* BELAY_COMMON_H */
