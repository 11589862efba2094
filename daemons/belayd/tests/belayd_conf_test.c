/* belayd's configuration file: every key, comments, and one precise error per mistake. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <belay/common.h>

#include "../belayd_private.h"

static void
test_defaults_and_keys(void **state)
{
    belayd_conf_t conf;
    char *err = NULL;
    const char *text = "# a comment\n"
                       "\n"
                       "state_dir = /srv/belay/state\n"
                       "   run_dir=/srv/belay/run   \n"
                       "log_file =\n"
                       "daemon_dir = /opt/belay/sbin\n"
                       "ocf_root = /opt/ocf\n"
                       "respawn_max = 0\n"
                       "respawn_window = 2min\n"
                       "respawn_delay = 250ms\n"
                       "respawn_delay_max = 4s\n"
                       "start_timeout = 90\n"
                       "stop_timeout = PT1M\n"
                       "execd_max_parallel = 8\n"
                       "execd_max_queued = 50\n"
                       "execd_max_calls = 200\n"
                       "execd_max_client_events = 1000000\n";

    (void) state;
    belayd_conf_defaults(&conf, "/usr/sbin");
    assert_string_equal(conf.state_dir, "/var/lib/belay");
    assert_string_equal(conf.run_dir, "/run/belay");
    assert_string_equal(conf.daemon_dir, "/usr/sbin");
    assert_int_equal(conf.respawn_max, 5);
    /* unset: belay-execd keeps its own defaults */
    assert_int_equal(conf.execd_max_queued, 0);
    assert_int_equal(conf.execd_max_calls, 0);
    if (belayd_conf_parse(text, "belay.conf", &conf, &err) != 0) {
        fail_msg("%s", err);
    }
    assert_string_equal(conf.state_dir, "/srv/belay/state");
    assert_string_equal(conf.run_dir, "/srv/belay/run");
    assert_string_equal(conf.log_file, "");
    assert_string_equal(conf.daemon_dir, "/opt/belay/sbin");
    assert_string_equal(conf.ocf_root, "/opt/ocf");
    assert_int_equal(conf.respawn_max, 0);
    assert_int_equal(conf.respawn_window_ms, 120000);
    assert_int_equal(conf.respawn_delay_ms, 250);
    assert_int_equal(conf.respawn_delay_max_ms, 4000);
    assert_int_equal(conf.start_timeout_ms, 90000);
    assert_int_equal(conf.stop_timeout_ms, 60000);
    assert_int_equal(conf.execd_max_parallel, 8);
    assert_int_equal(conf.execd_max_queued, 50);
    assert_int_equal(conf.execd_max_calls, 200);
    assert_int_equal(conf.execd_max_client_events, 1000000);
    belayd_conf_clear(&conf);
}

/* TEXT must be refused with exactly MESSAGE. */
static void
refused(const char *text, const char *message)
{
    belayd_conf_t conf;
    char *err = NULL;

    belayd_conf_defaults(&conf, "/usr/sbin");
    assert_int_not_equal(belayd_conf_parse(text, "/etc/belay/belay.conf", &conf, &err), 0);
    assert_non_null(err);
    assert_string_equal(err, message);
    free(err);
    belayd_conf_clear(&conf);
}

static void
test_errors_name_file_line_and_key(void **state)
{
    (void) state;
    refused(
        "state_dir = /a\nrespawn_maxx = 3\n",
        "/etc/belay/belay.conf: line 2: unknown key 'respawn_maxx' (did you mean 'respawn_max'?)");
    refused("colour = blue\n", "/etc/belay/belay.conf: line 1: unknown key 'colour'");
    refused("\n\nrespawn_max = lots\n",
            "/etc/belay/belay.conf: line 3: respawn_max: 'lots' is not a number from 0 to 1000");
    refused("respawn_max = -1\n",
            "/etc/belay/belay.conf: line 1: respawn_max: '-1' is not a number from 0 to 1000");
    refused("respawn_max = 1001\n",
            "/etc/belay/belay.conf: line 1: respawn_max: '1001' is not a number from 0 to 1000");
    refused(
        "stop_timeout = soon\n",
        "/etc/belay/belay.conf: line 1: stop_timeout: 'soon' is not a positive duration (such as 500ms, 10s, 2min)");
    refused(
        "stop_timeout = 0\n",
        "/etc/belay/belay.conf: line 1: stop_timeout: '0' is not a positive duration (such as 500ms, 10s, 2min)");
    refused("state_dir = var/lib\n",
            "/etc/belay/belay.conf: line 1: state_dir: 'var/lib' is not an absolute path");
    refused(
        "log_file = belay.log\n",
        "/etc/belay/belay.conf: line 1: log_file: 'belay.log' is not an absolute path (leave it empty to log to syslog)");
    refused("run_dir /run/x\n",
            "/etc/belay/belay.conf: line 1: expected 'key = value', got 'run_dir /run/x'");
    refused("run_dir = /a\n# again\nrun_dir = /b\n",
            "/etc/belay/belay.conf: line 3: run_dir: set twice (first on line 1)");
    refused(
        "execd_max_queued = 0\n",
        "/etc/belay/belay.conf: line 1: execd_max_queued: '0' is not a number from 1 to 1000000");
    refused(
        "execd_max_calls = 1000001\n",
        "/etc/belay/belay.conf: line 1: execd_max_calls: '1000001' is not a number from 1 to 1000000");
    refused(
        "execd_max_parallel = 1025\n",
        "/etc/belay/belay.conf: line 1: execd_max_parallel: '1025' is not a number from 1 to 1024");
    refused(
        "execd_max_client_events = 10k\n",
        "/etc/belay/belay.conf: line 1: execd_max_client_events: '10k' is not a number from 1 to 1000000");
    refused("execd_max_calls = 5\nexecd_max_calls = 6\n",
            "/etc/belay/belay.conf: line 2: execd_max_calls: set twice (first on line 1)");
    refused(
        "execd_max_queue = 5\n",
        "/etc/belay/belay.conf: line 1: unknown key 'execd_max_queue' (did you mean 'execd_max_queued'?)");
    refused("respawn_delay = 10s\nrespawn_delay_max = 1s\n",
            "/etc/belay/belay.conf: respawn_delay_max is shorter than respawn_delay");
}

static void
test_load(void **state)
{
    belayd_conf_t conf;
    char *err = NULL;
    g_autofree char *dir = g_dir_make_tmp("belayd-conf-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "belay.conf", NULL);
    g_autofree char *missing = g_build_filename(dir, "missing.conf", NULL);

    (void) state;
    belayd_conf_defaults(&conf, "/usr/sbin");
    /* The default path may be absent; a path the admin named must exist. */
    assert_int_equal(belayd_conf_load(missing, false, &conf, &err), 0);
    assert_null(err);
    assert_int_not_equal(belayd_conf_load(missing, true, &conf, &err), 0);
    assert_non_null(strstr(err, "missing.conf"));
    bl_free(&err);
    assert_true(g_file_set_contents(path, "respawn_max = 2\n", -1, NULL));
    assert_int_equal(belayd_conf_load(path, true, &conf, &err), 0);
    assert_int_equal(conf.respawn_max, 2);
    assert_true(g_file_set_contents(path, "respawn_max = 2\0x", 17, NULL));
    assert_int_not_equal(belayd_conf_load(path, true, &conf, &err), 0);
    assert_non_null(strstr(err, "NUL byte"));
    bl_free(&err);
    belayd_conf_clear(&conf);
    unlink(path);
    rmdir(dir);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults_and_keys),
        cmocka_unit_test(test_errors_name_file_line_and_key),
        cmocka_unit_test(test_load),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
