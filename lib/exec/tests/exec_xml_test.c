/* belay-execd's wire format: requests, replies and results survive the trip intact. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <belay/common.h>
#include <belay/exec.h>

static void
test_request_round_trip(void **state)
{
    g_autofree char *big = g_strnfill(64 * 1024, 'q');
    const char *values[] = {"plain",
                            "' \" < > & ;",
                            "$(touch /tmp/x) `id`",
                            "a\nb\r\nc\td",
                            "  leading and trailing  ",
                            "\n",
                            "",
                            "h\xc3\xa9llo \xe2\x82\xac",
                            big,
                            NULL};
    bl_exec_request_t *req = NULL;
    bl_exec_request_t *back = NULL;
    char *text = NULL;
    char *err = NULL;

    (void) state;
    assert_int_equal(bl_exec_request_new("web-1", "ocf:heartbeat:apache", "monitor", &req, &err),
                     0);
    for (int i = 0; values[i] != NULL; i++) {
        g_autofree char *name = g_strdup_printf("p%d", i);

        assert_int_equal(bl_exec_request_set(req, false, name, values[i], NULL), 0);
    }
    assert_int_equal(bl_exec_request_set(req, true, "target-role", "Started", NULL), 0);
    req->timeout_ms = 20000;
    req->interval_ms = 10000;
    req->ocf_root = g_strdup("/must/not/travel");
    assert_int_equal(bl_exec_request_to_text(req, &text, &err), 0);
    assert_null(strstr(text, "/must/not/travel"));
    assert_int_equal(bl_exec_request_from_text(text, strlen(text), &back, &err), 0);
    assert_null(err);
    assert_string_equal(back->rsc_id, "web-1");
    assert_string_equal(back->provider, "heartbeat");
    assert_string_equal(back->type, "apache");
    assert_string_equal(back->action, "monitor");
    assert_null(back->ocf_root);
    assert_int_equal(back->timeout_ms, 20000);
    assert_int_equal(back->interval_ms, 10000);
    for (int i = 0; values[i] != NULL; i++) {
        g_autofree char *name = g_strdup_printf("p%d", i);

        assert_string_equal(g_hash_table_lookup(back->params, name), values[i]);
    }
    assert_string_equal(g_hash_table_lookup(back->meta, "target-role"), "Started");
    free(text);
    bl_exec_request_free(req);
    bl_exec_request_free(back);
}

static void
test_request_refuses_control_bytes(void **state)
{
    bl_exec_request_t *req = NULL;
    char *text = NULL;
    char *err = NULL;

    (void) state;
    assert_int_equal(bl_exec_request_new("r", "ocf:belay:Dummy", "start", &req, NULL), 0);
    assert_int_equal(bl_exec_request_set(req, false, "bell", "ding\a", NULL), 0);
    assert_int_equal(bl_exec_request_to_text(req, &text, &err), BL_EINVALID);
    assert_null(text);
    assert_non_null(strstr(err, "param 'bell': the value holds bytes XML cannot carry"));
    free(err);
    bl_exec_request_free(req);
}

static void
expect_bad_request(const char *text, int code, const char *message)
{
    bl_exec_request_t *req = NULL;
    char *err = NULL;

    assert_int_equal(bl_exec_request_from_text(text, strlen(text), &req, &err), code);
    assert_null(req);
    if (err == NULL || strstr(err, message) == NULL) {
        fail_msg("'%s' does not contain '%s'", err, message);
    }
    free(err);
}

static void
test_request_errors(void **state)
{
    (void) state;
    expect_bad_request("<exec-run", BL_EPARSE, "executor message line");
    expect_bad_request("<exec-cancel call-id=\"1\"/>", BL_EPARSE,
                       "expected <exec-run>, got <exec-cancel>");
    expect_bad_request("<exec-run agent=\"ocf:a:b\" action=\"start\"/>", BL_EPARSE,
                       "rsc, agent and action are required");
    expect_bad_request("<exec-run rsc=\"r\" agent=\"ocf:a:../b\" action=\"start\"/>", BL_EPARSE,
                       "may not start with a dot");
    expect_bad_request("<exec-run rsc=\"r\" agent=\"ocf:a:b\" action=\"start\" timeout=\"20s\"/>",
                       BL_EPARSE, "<exec-run timeout=\"20s\">: not an unsigned number");
    expect_bad_request("<exec-run rsc=\"r\" agent=\"ocf:a:b\" action=\"start\" interval=\"-1\"/>",
                       BL_EPARSE, "not an unsigned number");
    expect_bad_request("<exec-run rsc=\"r\" agent=\"ocf:a:b\" action=\"start\">\n"
                       "<param name=\"x\"/></exec-run>",
                       BL_EPARSE, "line 2: expected <param> or <meta> with name and value");
    expect_bad_request("<exec-run rsc=\"r\" agent=\"ocf:a:b\" action=\"start\">\n\n"
                       "<param name=\"a b\" value=\"1\"/></exec-run>",
                       BL_EINVALID, "line 3: parameter 'a b'");
}

static void
test_result_round_trip(void **state)
{
    bl_exec_event_t event = {.call_id = 42, .final = true};
    bl_exec_event_t back = {0};
    char *text;
    char *err = NULL;

    (void) state;
    event.result.status = BL_EXEC_TIMEOUT;
    event.result.rc = 1;
    event.result.signo = 15;
    event.result.duration_ms = 20004;
    event.result.out = "line <1> & \"2\"\n\n";
    event.result.err = "bad \x01 byte \xff and \xc3\xa9\n";
    event.result.out_dropped = 123456;
    event.result.exit_reason = "disk full";
    event.result.message = "timed out after 20000 ms";
    text = bl_exec_result_to_text(&event);
    assert_int_equal(bl_exec_result_from_text(text, strlen(text), &back, &err), 0);
    assert_int_equal(back.call_id, 42);
    assert_true(back.final);
    assert_int_equal(back.result.status, BL_EXEC_TIMEOUT);
    assert_int_equal(back.result.rc, 1);
    assert_int_equal(back.result.signo, 15);
    assert_int_equal(back.result.duration_ms, 20004);
    assert_int_equal(back.result.out_dropped, 123456);
    assert_string_equal(back.result.out, "line <1> & \"2\"\n\n");
    assert_string_equal(back.result.err, "bad ? byte \xef\xbf\xbd and \xc3\xa9\n");
    assert_string_equal(back.result.exit_reason, "disk full");
    assert_string_equal(back.result.message, "timed out after 20000 ms");
    free(text);
    bl_exec_result_clear(&back.result);
    /* A result without the optional parts. */
    event.final = false;
    event.result = (bl_exec_result_t){.status = BL_EXEC_DONE, .rc = 7};
    text = bl_exec_result_to_text(&event);
    assert_int_equal(bl_exec_result_from_text(text, strlen(text), &back, &err), 0);
    assert_false(back.final);
    assert_int_equal(back.result.rc, 7);
    assert_string_equal(back.result.out, "");
    assert_null(back.result.exit_reason);
    assert_null(back.result.message);
    free(text);
    bl_exec_result_clear(&back.result);
}

static void
test_result_errors(void **state)
{
    bl_exec_event_t event = {0};
    char *err = NULL;
    const char *bad_status = "<exec-result call-id=\"1\" status=\"exploded\" rc=\"0\"/>";
    const char *bad_rc = "<exec-result call-id=\"1\" status=\"done\" rc=\"300\"/>";

    (void) state;
    assert_int_equal(bl_exec_result_from_text(bad_status, strlen(bad_status), &event, &err),
                     BL_EPARSE);
    assert_non_null(strstr(err, "unknown status 'exploded'"));
    bl_free(&err);
    assert_int_equal(bl_exec_result_from_text(bad_rc, strlen(bad_rc), &event, &err), BL_EPARSE);
    assert_non_null(strstr(err, "out of range"));
    bl_free(&err);
}

static void
test_reply_and_cancel(void **state)
{
    char *text = bl_exec_reply_to_text(BL_EINVALID, 0, "parameter 'a b': bad name");
    int rc = 0;
    uint64_t id = 99;
    char *message = NULL;
    char *err = NULL;

    (void) state;
    assert_int_equal(bl_exec_reply_from_text(text, strlen(text), &rc, &id, &message, &err), 0);
    assert_int_equal(rc, BL_EINVALID);
    assert_int_equal(id, 0);
    assert_string_equal(message, "parameter 'a b': bad name");
    bl_free(&message);
    free(text);
    text = bl_exec_reply_to_text(0, 7, NULL);
    assert_int_equal(bl_exec_reply_from_text(text, strlen(text), &rc, &id, &message, &err), 0);
    assert_int_equal(rc, 0);
    assert_int_equal(id, 7);
    assert_null(message);
    free(text);
    text = bl_exec_call_to_text("exec-cancel", 12345678901ULL);
    assert_int_equal(bl_exec_call_from_text(text, strlen(text), "exec-cancel", &id, &err), 0);
    assert_int_equal(id, 12345678901ULL);
    /* One kind of message is not taken for the other. */
    assert_int_equal(bl_exec_call_from_text(text, strlen(text), "exec-last", &id, &err), BL_EPARSE);
    assert_non_null(strstr(err, "expected <exec-last>, got <exec-cancel>"));
    bl_free(&err);
    free(text);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_request_round_trip),
        cmocka_unit_test(test_request_refuses_control_bytes),
        cmocka_unit_test(test_request_errors),
        cmocka_unit_test(test_result_round_trip),
        cmocka_unit_test(test_result_errors),
        cmocka_unit_test(test_reply_and_cancel),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
