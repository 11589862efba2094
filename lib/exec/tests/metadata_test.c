/* Agent meta-data: parsing into parameters and actions, and the errors of bad documents. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include <cmocka.h>

#include <belay/common.h>
#include <belay/exec.h>

static const char sample[] =
    "<?xml version=\"1.0\"?>\n"
    "<!DOCTYPE resource-agent SYSTEM \"ra-api-1.dtd\">\n"
    "<resource-agent name=\"Sample\" version=\"2.0\">\n"
    "<version>1.1</version>\n"
    "<longdesc lang=\"de\">Lang</longdesc><longdesc lang=\"en\">  Long text  </longdesc>\n"
    "<shortdesc lang=\"de\">Kurz</shortdesc><shortdesc lang=\"en\">Short text</shortdesc>\n"
    "<parameters>\n"
    "<parameter name=\"ip\" unique=\"1\" required=\"1\">\n"
    "<longdesc lang=\"en\">The address</longdesc><shortdesc lang=\"en\">IP address</shortdesc>\n"
    "<content type=\"string\"/>\n"
    "</parameter>\n"
    "<parameter name=\"count\">\n"
    "<shortdesc>How many</shortdesc>\n"
    "<content type=\"integer\" default=\"5\"/>\n"
    "</parameter>\n"
    "<parameter name=\"bare\"/>\n"
    "</parameters>\n"
    "<actions>\n"
    "<action name=\"start\" timeout=\"20s\"/>\n"
    "<action name=\"monitor\" timeout=\"PT30S\" interval=\"10\" depth=\"0\" role=\"Promoted\"/>\n"
    "<action name=\"meta-data\" timeout=\"500ms\"/>\n"
    "</actions>\n"
    "</resource-agent>\n";

static void
test_sample(void **state)
{
    bl_agent_info_t *info = NULL;
    char *err = NULL;
    const bl_agent_param_t *p;
    const bl_agent_action_t *a;

    (void) state;
    assert_int_equal(bl_agent_info_parse(sample, strlen(sample), "Sample", &info, &err), 0);
    assert_null(err);
    assert_string_equal(info->name, "Sample");
    assert_string_equal(info->version, "1.1");
    assert_string_equal(info->shortdesc, "Short text");
    assert_string_equal(info->longdesc, "Long text");
    assert_int_equal(info->params->len, 3);
    p = info->params->pdata[0];
    assert_string_equal(p->name, "ip");
    assert_true(p->required);
    assert_true(p->unique);
    assert_null(p->default_value);
    assert_string_equal(p->shortdesc, "IP address");
    p = info->params->pdata[1];
    assert_string_equal(p->name, "count");
    assert_false(p->required);
    assert_string_equal(p->type, "integer");
    assert_string_equal(p->default_value, "5");
    assert_string_equal(p->shortdesc, "How many");
    p = info->params->pdata[2];
    assert_string_equal(p->type, "string");
    assert_null(p->shortdesc);
    assert_int_equal(info->actions->len, 3);
    a = info->actions->pdata[0];
    assert_string_equal(a->name, "start");
    assert_int_equal(a->timeout_ms, 20000);
    assert_int_equal(a->interval_ms, 0);
    a = info->actions->pdata[1];
    assert_int_equal(a->timeout_ms, 30000);
    assert_int_equal(a->interval_ms, 10000);
    assert_string_equal(a->role, "Promoted");
    assert_string_equal(a->depth, "0");
    a = info->actions->pdata[2];
    assert_int_equal(a->timeout_ms, 500);
    bl_agent_info_free(info);
}

static void
expect_error(const char *text, const char *message)
{
    bl_agent_info_t *info = NULL;
    char *err = NULL;

    assert_int_equal(bl_agent_info_parse(text, strlen(text), "ocf:x:y", &info, &err), BL_EPARSE);
    assert_null(info);
    assert_non_null(err);
    if (strstr(err, message) == NULL) {
        fail_msg("'%s' does not contain '%s'", err, message);
    }
    free(err);
}

static void
test_errors(void **state)
{
    (void) state;
    expect_error("<resource-agent name=\"a\">", "ocf:x:y line");
    expect_error("", "ocf:x:y");
    expect_error("<agent/>", "ocf:x:y line 1: root element is <agent>, expected <resource-agent>");
    expect_error("<resource-agent>\n<parameters>\n<parameter/>\n</parameters></resource-agent>",
                 "ocf:x:y line 3: parameter without a name");
    expect_error("<resource-agent><actions>\n<action timeout=\"1s\"/></actions></resource-agent>",
                 "ocf:x:y line 2: action without a name");
    expect_error("<resource-agent><actions>\n\n<action name=\"start\" timeout=\"20 parsecs\"/>"
                 "</actions></resource-agent>",
                 "ocf:x:y line 3: action 'start': invalid timeout:");
}

/* The meta-data of installed agents (ours and heartbeat's) parses. */
static void
test_real_agents(void **state)
{
    const char *srcdir = getenv("top_srcdir") != NULL ? getenv("top_srcdir") : ".";
    g_autofree char *ours = g_build_filename(srcdir, "agents/ocf/belay", NULL);
    g_autofree char *root = g_dir_make_tmp("belay-md-XXXXXX", NULL);
    g_autofree char *rd = g_build_filename(root, "resource.d", NULL);
    g_autofree char *link = g_build_filename(rd, "belay", NULL);
    g_autofree char *abs_ours = g_canonicalize_filename(ours, NULL);
    const char *specs[] = {"ocf:belay:Dummy", "ocf:belay:Stateful", NULL};

    (void) state;
    assert_int_equal(g_mkdir(rd, 0755), 0);
    assert_int_equal(symlink(abs_ours, link), 0);
    for (int i = 0; specs[i] != NULL; i++) {
        bl_exec_request_t *req = NULL;
        bl_exec_result_t res = {0};
        bl_agent_info_t *info = NULL;
        char *err = NULL;

        assert_int_equal(bl_exec_request_new("md", specs[i], "meta-data", &req, &err), 0);
        req->ocf_root = g_strdup(root);
        bl_exec_run_sync(req, NULL, &res);
        assert_int_equal(res.rc, 0);
        assert_int_equal(bl_agent_info_parse(res.out, strlen(res.out), specs[i], &info, &err), 0);
        assert_true(info->params->len >= 1);
        assert_string_equal(((bl_agent_param_t *) info->params->pdata[0])->name, "state");
        assert_true(info->actions->len >= 5);
        bl_agent_info_free(info);
        bl_exec_result_clear(&res);
        bl_exec_request_free(req);
    }
    unlink(link);
    g_rmdir(rd);
    g_rmdir(root);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sample),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_real_agents),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
