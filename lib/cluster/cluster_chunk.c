/*
 * Messages larger than corosync accepts in one multicast: split into numbered chunks on
 * the way out, put together again on the way in. Corosync delivers one sender's
 * messages in the order sent and every member sees the same sequence (virtual
 * synchrony), so a member that saw a message's last chunk saw all its chunks, and every
 * member completes the message at the same point of the agreed order.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include <belay/cluster.h>
#include <belay/common.h>

#include "cluster_private.h"

/* Each chunk starts with: magic, index, count (little-endian 32-bit each). */
#define CHUNK_MAGIC 0x314b4c42u /* "BLK1" */
#define HEADER_LEN 12
#define CHUNK_DATA (BL_CPG_MAX_MSG - HEADER_LEN)

struct bl_cpg_assembler {
    GHashTable *partial; /* (nodeid << 32 | pid) -> partial_t * */
    GByteArray *done;    /* the last message completed, until the next call */
};

typedef struct partial {
    uint32_t next;  /* index of the chunk expected next */
    uint32_t count; /* chunks in the message */
    GByteArray *data;
} partial_t;

GPtrArray *
bl__cpg_chunk_frames(const void *data, size_t len, size_t chunk)
{
    GPtrArray *frames = g_ptr_array_new_with_free_func((GDestroyNotify) g_bytes_unref);
    size_t count = len == 0 ? 1 : (len + chunk - 1) / chunk;

    for (size_t i = 0; i < count; i++) {
        size_t offset = i * chunk;
        size_t n = MIN(chunk, len - offset);
        uint8_t *frame = bl_malloc(HEADER_LEN + n);

        bl_le32_put(frame, CHUNK_MAGIC);
        bl_le32_put(frame + 4, (uint32_t) i);
        bl_le32_put(frame + 8, (uint32_t) count);
        if (n > 0) {
            memcpy(frame + HEADER_LEN, (const uint8_t *) data + offset, n);
        }
        g_ptr_array_add(frames, g_bytes_new_take(frame, HEADER_LEN + n));
    }
    return frames;
}

int
bl_cpg_send_large(bl_cpg_t *cpg, const void *data, size_t len)
{
    GPtrArray *frames;
    int rc = 0;

    if (len > BL_CPG_MAX_LARGE_MSG) {
        return -EMSGSIZE;
    }
    frames = bl__cpg_chunk_frames(data, len, CHUNK_DATA);
    for (guint i = 0; i < frames->len && rc == 0; i++) {
        gsize n;
        const void *frame = g_bytes_get_data(frames->pdata[i], &n);

        rc = bl_cpg_send(cpg, frame, n);
    }
    g_ptr_array_unref(frames);
    return rc;
}

static void
partial_free(gpointer data)
{
    partial_t *partial = data;

    g_byte_array_unref(partial->data);
    g_free(partial);
}

bl_cpg_assembler_t *
bl_cpg_assembler_new(void)
{
    bl_cpg_assembler_t *assembler = g_new0(bl_cpg_assembler_t, 1);

    assembler->partial = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, partial_free);
    return assembler;
}

void
bl_cpg_assembler_free(bl_cpg_assembler_t *assembler)
{
    if (assembler == NULL) {
        return;
    }
    g_hash_table_destroy(assembler->partial);
    if (assembler->done != NULL) {
        g_byte_array_unref(assembler->done);
    }
    g_free(assembler);
}

void
bl_cpg_assembler_forget(bl_cpg_assembler_t *assembler, uint32_t nodeid, uint32_t pid)
{
    uint64_t key = ((uint64_t) nodeid << 32) | pid;

    g_hash_table_remove(assembler->partial, &key);
}

/* Appends chunk INDEX of COUNT to the sender's partial message; 1 when it is complete. */
static int
append(bl_cpg_assembler_t *assembler, uint64_t key, uint32_t index, uint32_t count,
       const uint8_t *data, size_t len)
{
    partial_t *partial = g_hash_table_lookup(assembler->partial, &key);

    if (index == 0) {
        partial = g_new0(partial_t, 1);
        partial->count = count;
        partial->data = g_byte_array_new();
        g_hash_table_insert(assembler->partial, g_memdup2(&key, sizeof(key)), partial);
    } else if (partial == NULL || partial->next != index || partial->count != count) {
        /* joined in the middle of a message, or a sender's chunk went missing */
        g_hash_table_remove(assembler->partial, &key);
        return BL_EPARSE;
    }
    g_byte_array_append(partial->data, data, (guint) len);
    partial->next = index + 1;
    if (partial->next < count) {
        return 0;
    }
    assembler->done = g_byte_array_ref(partial->data);
    g_hash_table_remove(assembler->partial, &key);
    return 1;
}

int
bl_cpg_assembler_add(bl_cpg_assembler_t *assembler, uint32_t nodeid, uint32_t pid, const void *msg,
                     size_t len, const void **whole, size_t *whole_len)
{
    const uint8_t *bytes = msg;
    uint32_t index;
    uint32_t count;
    int rc;

    if (assembler->done != NULL) {
        g_byte_array_unref(assembler->done);
        assembler->done = NULL;
    }
    if (len < HEADER_LEN || bl_le32_get(bytes) != CHUNK_MAGIC) {
        return BL_EPARSE;
    }
    index = bl_le32_get(bytes + 4);
    count = bl_le32_get(bytes + 8);
    if (count == 0 || index >= count) {
        return BL_EPARSE;
    }
    if (count == 1) {
        /* the common case: no copy */
        *whole = bytes + HEADER_LEN;
        *whole_len = len - HEADER_LEN;
        return 1;
    }
    rc = append(assembler, ((uint64_t) nodeid << 32) | pid, index, count, bytes + HEADER_LEN,
                len - HEADER_LEN);
    if (rc == 1) {
        *whole = assembler->done->data;
        *whole_len = assembler->done->len;
    }
    return rc;
}
