/* lib/cluster without corosync: large messages cut into chunks and put together again. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <belay/cluster.h>
#include <belay/common.h>

#include "cluster_private.h"

static uint8_t *
pattern(size_t len, uint8_t seed)
{
    uint8_t *data = bl_malloc(len + 1);

    for (size_t i = 0; i < len; i++) {
        data[i] = (uint8_t) (seed + i * 7);
    }
    return data;
}

/* Feeds FRAME; returns what add() returned. */
static int
feed(bl_cpg_assembler_t *a, uint32_t nodeid, GBytes *frame, const void **whole, size_t *len)
{
    gsize n;
    const void *data = g_bytes_get_data(frame, &n);

    return bl_cpg_assembler_add(a, nodeid, 100, data, n, whole, len);
}

/* Two senders' chunks interleaved, as corosync may deliver them: both come out whole. */
static void
test_interleaved(void **state)
{
    uint8_t *one = pattern(1000, 1);
    uint8_t *two = pattern(2500, 2);
    GPtrArray *f1 = bl__cpg_chunk_frames(one, 1000, 300);
    GPtrArray *f2 = bl__cpg_chunk_frames(two, 2500, 300);
    bl_cpg_assembler_t *a = bl_cpg_assembler_new();
    const void *whole = NULL;
    size_t len = 0;
    int done = 0;

    (void) state;
    assert_int_equal(f1->len, 4);
    assert_int_equal(f2->len, 9);
    for (guint i = 0; i < f2->len; i++) {
        if (i < f1->len) {
            int rc = feed(a, 1, f1->pdata[i], &whole, &len);

            assert_int_equal(rc, i + 1 == f1->len);
            if (rc == 1) {
                assert_int_equal(len, 1000);
                assert_memory_equal(whole, one, 1000);
                done++;
            }
        }
        if (feed(a, 2, f2->pdata[i], &whole, &len) == 1) {
            assert_int_equal(i, f2->len - 1);
            assert_int_equal(len, 2500);
            assert_memory_equal(whole, two, 2500);
            done++;
        }
    }
    assert_int_equal(done, 2);
    bl_cpg_assembler_free(a);
    g_ptr_array_unref(f1);
    g_ptr_array_unref(f2);
    free(one);
    free(two);
}

/* A member that joined mid-message drops it and takes the sender's next one. */
static void
test_joined_midway(void **state)
{
    uint8_t *data = pattern(900, 3);
    GPtrArray *frames = bl__cpg_chunk_frames(data, 900, 300);
    bl_cpg_assembler_t *a = bl_cpg_assembler_new();
    const void *whole = NULL;
    size_t len = 0;

    (void) state;
    assert_int_equal(feed(a, 1, frames->pdata[1], &whole, &len), BL_EPARSE);
    assert_int_equal(feed(a, 1, frames->pdata[2], &whole, &len), BL_EPARSE);
    for (guint i = 0; i < frames->len; i++) {
        assert_int_equal(feed(a, 1, frames->pdata[i], &whole, &len), i == 2);
    }
    assert_int_equal(len, 900);
    assert_memory_equal(whole, data, 900);
    /* a sender that left mid-message: its partial message is forgotten */
    assert_int_equal(feed(a, 1, frames->pdata[0], &whole, &len), 0);
    bl_cpg_assembler_forget(a, 1, 100);
    assert_int_equal(feed(a, 1, frames->pdata[1], &whole, &len), BL_EPARSE);
    bl_cpg_assembler_free(a);
    g_ptr_array_unref(frames);
    free(data);
}

/* A small message is one chunk, handed back without a copy; garbage is refused. */
static void
test_single_and_malformed(void **state)
{
    GPtrArray *frames = bl__cpg_chunk_frames("hello", 6, 300);
    bl_cpg_assembler_t *a = bl_cpg_assembler_new();
    const void *whole = NULL;
    size_t len = 0;
    uint8_t bad[12] = {'B', 'L', 'K', '1', 5, 0, 0, 0, 2, 0, 0, 0};

    (void) state;
    assert_int_equal(frames->len, 1);
    assert_int_equal(feed(a, 1, frames->pdata[0], &whole, &len), 1);
    assert_int_equal(len, 6);
    assert_string_equal(whole, "hello");
    assert_int_equal(bl_cpg_assembler_add(a, 1, 1, "short", 5, &whole, &len), BL_EPARSE);
    assert_int_equal(bl_cpg_assembler_add(a, 1, 1, "not a chunk header", 18, &whole, &len),
                     BL_EPARSE);
    /* index 5 of 2 */
    assert_int_equal(bl_cpg_assembler_add(a, 1, 1, bad, sizeof(bad), &whole, &len), BL_EPARSE);
    bl_cpg_assembler_free(a);
    bl_cpg_assembler_free(NULL);
    g_ptr_array_unref(frames);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_interleaved),
        cmocka_unit_test(test_joined_midway),
        cmocka_unit_test(test_single_and_malformed),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
