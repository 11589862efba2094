/* Bounded capture of an agent's output: keep the head and the tail, count the middle. */
#include <string.h>

#include <belay/common.h>

#include "exec_private.h"

#define MIN_LIMIT 64

void
bl__capture_init(bl_capture_t *cap, size_t limit)
{
    memset(cap, 0, sizeof(*cap));
    limit = limit < MIN_LIMIT ? MIN_LIMIT : limit;
    /* Errors tend to come last, so the tail gets the larger share. */
    cap->head_max = limit / 4;
    cap->tail_max = limit - cap->head_max;
    cap->head = bl_malloc(cap->head_max);
    cap->ring = bl_malloc(cap->tail_max);
}

static void
ring_add(bl_capture_t *cap, const char *data, size_t len)
{
    if (len >= cap->tail_max) {
        memcpy(cap->ring, data + len - cap->tail_max, cap->tail_max);
        cap->ring_pos = 0;
        cap->ring_len = cap->tail_max;
        return;
    }
    while (len > 0) {
        size_t chunk = MIN(len, cap->tail_max - cap->ring_pos);

        memcpy(cap->ring + cap->ring_pos, data, chunk);
        cap->ring_pos = (cap->ring_pos + chunk) % cap->tail_max;
        cap->ring_len = MIN(cap->ring_len + chunk, cap->tail_max);
        data += chunk;
        len -= chunk;
    }
}

void
bl__capture_add(bl_capture_t *cap, const char *data, size_t len)
{
    size_t to_head = MIN(len, cap->head_max - cap->head_len);

    memcpy(cap->head + cap->head_len, data, to_head);
    cap->head_len += to_head;
    cap->total += len;
    if (len > to_head) {
        ring_add(cap, data + to_head, len - to_head);
    }
}

char *
bl__capture_finish(bl_capture_t *cap, size_t *dropped)
{
    GString *text = g_string_new_len(cap->head, (gssize) cap->head_len);
    size_t start = (cap->ring_pos + cap->tail_max - cap->ring_len) % cap->tail_max;
    size_t first = MIN(cap->ring_len, cap->tail_max - start);

    *dropped = cap->total - cap->head_len - cap->ring_len;
    if (*dropped > 0) {
        g_string_append_printf(text, "\n[... %zu bytes dropped ...]\n", *dropped);
    }
    g_string_append_len(text, cap->ring + start, (gssize) first);
    g_string_append_len(text, cap->ring, (gssize) (cap->ring_len - first));
    bl_free(&cap->head);
    bl_free(&cap->ring);
    return g_string_free(text, FALSE);
}
