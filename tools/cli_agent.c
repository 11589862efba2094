/* `belay agent`: list installed agents, show their meta-data, run one action. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <belay/common.h>
#include <belay/exec.h>

#include "cli_agent.h"

#define EXIT_USAGE 64
#define EXIT_TIMEOUT 124
#define EXIT_SIGNAL_BASE 128

static const char usage_text[] =
    "usage: belay agent list [PROVIDER]\n"
    "       belay agent info ocf:PROVIDER:TYPE\n"
    "       belay agent run ocf:PROVIDER:TYPE ACTION [--param NAME=VALUE]... [--meta NAME=VALUE]... [--timeout DURATION] [--resource ID] [--execd]\n"
    "  --execd: run it through the node's belay-execd (IPC $BELAY_EXECD_IPC), with the daemon's OCF_ROOT\n";

static int
usage(const char *problem)
{
    if (problem != NULL) {
        fprintf(stderr, "belay agent: %s\n", problem);
    }
    fputs(usage_text, stderr);
    return EXIT_USAGE;
}

static const char *
ocf_root(void)
{
    const char *root = getenv("OCF_ROOT");

    return root != NULL && *root != '\0' ? root : BL_OCF_ROOT_DEFAULT;
}

static int
cmd_list(int argc, char **argv)
{
    GPtrArray *agents = NULL;
    char *err = NULL;

    if (argc > 2) {
        return usage("list takes at most one PROVIDER");
    }
    if (bl_agent_list(ocf_root(), argc == 2 ? argv[1] : NULL, &agents, &err) != 0) {
        fprintf(stderr, "belay agent list: %s\n", err);
        free(err);
        return EXIT_FAILURE;
    }
    for (guint i = 0; i < agents->len; i++) {
        puts(agents->pdata[i]);
    }
    g_ptr_array_unref(agents);
    return EXIT_SUCCESS;
}

static void
print_result(const bl_exec_request_t *req, const bl_exec_result_t *res)
{
    if (res->status == BL_EXEC_DONE || res->status == BL_EXEC_ERROR) {
        printf("ocf:%s:%s %s: rc=%d (%s) in %" G_GUINT64_FORMAT " ms\n", req->provider, req->type,
               req->action, res->rc, bl_ocf_rc_meaning(req->action, res->rc), res->duration_ms);
    } else {
        printf("ocf:%s:%s %s: %s (%s) in %" G_GUINT64_FORMAT " ms\n", req->provider, req->type,
               req->action, bl_exec_status_str(res->status), res->message, res->duration_ms);
    }
    if (res->status == BL_EXEC_DONE && res->message != NULL) {
        printf("note: %s\n", res->message);
    }
    if (res->exit_reason != NULL) {
        printf("exit reason: %s\n", res->exit_reason);
    }
    if (res->out != NULL && *res->out != '\0') {
        printf("stdout:\n%s%s", res->out, g_str_has_suffix(res->out, "\n") ? "" : "\n");
    }
    if (res->err != NULL && *res->err != '\0') {
        printf("stderr:\n%s%s", res->err, g_str_has_suffix(res->err, "\n") ? "" : "\n");
    }
}

static int
exit_code_of(const bl_exec_result_t *res)
{
    switch (res->status) {
    case BL_EXEC_DONE:
    case BL_EXEC_ERROR:
        return res->rc;
    case BL_EXEC_TIMEOUT:
        return EXIT_TIMEOUT;
    case BL_EXEC_SIGNALED:
        return EXIT_SIGNAL_BASE + res->signo;
    case BL_EXEC_CANCELLED:
        break;
    }
    return EXIT_FAILURE;
}

/* "NAME=VALUE" into the request; the value may itself contain '='. */
static int
add_pair(bl_exec_request_t *req, bool is_meta, const char *pair, char **err)
{
    const char *eq = strchr(pair, '=');
    g_autofree char *name = NULL;

    if (eq == NULL || eq == pair) {
        bl_err_set(err, "'%s': expected NAME=VALUE", pair);
        return BL_EUSAGE;
    }
    name = g_strndup(pair, (gsize) (eq - pair));
    return bl_exec_request_set(req, is_meta, name, eq + 1, err);
}

static int
parse_option(bl_exec_request_t *req, const char *opt, const char *value, char **err)
{
    if (strcmp(opt, "--param") == 0 || strcmp(opt, "-p") == 0) {
        return add_pair(req, false, value, err);
    }
    if (strcmp(opt, "--meta") == 0 || strcmp(opt, "-m") == 0) {
        return add_pair(req, true, value, err);
    }
    if (strcmp(opt, "--timeout") == 0 || strcmp(opt, "-t") == 0) {
        int rc = bl_duration_parse_ms(value, &req->timeout_ms, err);

        if (rc == 0 && req->timeout_ms == 0) {
            bl_err_set(err, "--timeout %s: the timeout must be positive", value);
            rc = BL_EUSAGE;
        }
        return rc;
    }
    if (strcmp(opt, "--resource") == 0 || strcmp(opt, "-r") == 0) {
        g_free(req->rsc_id);
        req->rsc_id = g_strdup(value);
        return 0;
    }
    bl_err_set(err, "unknown option '%s'", opt);
    return BL_EUSAGE;
}

static int
build_request(int argc, char **argv, bl_exec_request_t **req, bool *via_execd, char **err)
{
    const char *type = strrchr(argv[1], ':');
    int rc = bl_exec_request_new(type != NULL && type[1] != '\0' ? type + 1 : argv[1], argv[1],
                                 argv[2], req, err);

    if (rc != 0) {
        return rc;
    }
    (*req)->ocf_root = g_strdup(ocf_root());
    for (int i = 3; rc == 0 && i < argc; i += 2) {
        if (strcmp(argv[i], "--execd") == 0) {
            *via_execd = true;
            i--;
        } else if (i + 1 >= argc) {
            bl_err_set(err, "option '%s' needs a value", argv[i]);
            rc = BL_EUSAGE;
        } else {
            rc = parse_option(*req, argv[i], argv[i + 1], err);
        }
    }
    if (rc != 0) {
        bl_exec_request_free(*req);
        *req = NULL;
    }
    return rc;
}

/* Submits REQ to belay-execd and waits for its final result. */
static int
run_via_execd(const bl_exec_request_t *req, bl_exec_result_t *res, char **err)
{
    bl_exec_client_t *client = NULL;
    bl_exec_event_t event = {0};
    uint64_t call_id = 0;
    int rc = bl_exec_client_connect(NULL, &client, err);

    if (rc == 0) {
        rc = bl_exec_client_run(client, req, &call_id, err);
    }
    while (rc == 0) {
        rc = bl_exec_client_next(client, -1, &event, err);
        if (rc == 0 && event.call_id == call_id && event.final) {
            *res = event.result;
            break;
        }
        bl_exec_result_clear(&event.result);
    }
    bl_exec_client_free(client);
    return rc;
}

static int
cmd_run(int argc, char **argv)
{
    bl_exec_request_t *req = NULL;
    bl_exec_result_t res = {0};
    bool via_execd = false;
    char *err = NULL;
    int code;

    if (argc < 3) {
        return usage("run needs an agent and an action");
    }
    if (build_request(argc, argv, &req, &via_execd, &err) != 0) {
        fprintf(stderr, "belay agent run: %s\n", err);
        free(err);
        return EXIT_USAGE;
    }
    if (!via_execd) {
        bl_exec_run_sync(req, NULL, &res);
    } else if (run_via_execd(req, &res, &err) != 0) {
        fprintf(stderr, "belay agent run: %s\n", err);
        free(err);
        bl_exec_request_free(req);
        return EXIT_FAILURE;
    }
    print_result(req, &res);
    if (res.status == BL_EXEC_ERROR) {
        fprintf(stderr, "belay agent run: %s\n", res.message);
    }
    code = exit_code_of(&res);
    bl_exec_result_clear(&res);
    bl_exec_request_free(req);
    return code;
}

static char *
format_ms(uint64_t ms)
{
    if (ms == 0) {
        return g_strdup("");
    }
    if (ms % 1000 == 0) {
        return g_strdup_printf("%" G_GUINT64_FORMAT "s", ms / 1000);
    }
    return g_strdup_printf("%" G_GUINT64_FORMAT "ms", ms);
}

static void
print_params(const bl_agent_info_t *info)
{
    int name_w = 4;
    int default_w = 7;

    for (guint i = 0; i < info->params->len; i++) {
        const bl_agent_param_t *p = info->params->pdata[i];

        name_w = MAX(name_w, (int) strlen(p->name));
        default_w = MAX(default_w, p->default_value ? (int) strlen(p->default_value) : 0);
    }
    default_w = MIN(default_w, 30);
    printf("Parameters:\n  %-*s  %-8s  %-6s  %-8s  %-*s  %s\n", name_w, "NAME", "REQUIRED",
           "UNIQUE", "TYPE", default_w, "DEFAULT", "DESCRIPTION");
    for (guint i = 0; i < info->params->len; i++) {
        const bl_agent_param_t *p = info->params->pdata[i];

        printf("  %-*s  %-8s  %-6s  %-8s  %-*s  %s\n", name_w, p->name, p->required ? "yes" : "no",
               p->unique ? "yes" : "no", p->type, default_w,
               p->default_value ? p->default_value : "", p->shortdesc ? p->shortdesc : "");
    }
}

static void
print_actions(const bl_agent_info_t *info)
{
    printf("\nActions:\n  %-14s  %-8s  %-8s  %s\n", "NAME", "TIMEOUT", "INTERVAL", "ROLE");
    for (guint i = 0; i < info->actions->len; i++) {
        const bl_agent_action_t *a = info->actions->pdata[i];
        g_autofree char *timeout = format_ms(a->timeout_ms);
        g_autofree char *interval = format_ms(a->interval_ms);

        g_autofree char *line = g_strdup_printf("  %-14s  %-8s  %-8s  %s", a->name, timeout,
                                                interval, a->role ? a->role : "");

        puts(g_strchomp(line));
    }
}

static int
fetch_info(const char *spec, bl_agent_info_t **info, char **err)
{
    bl_exec_request_t *req = NULL;
    bl_exec_result_t res = {0};
    int rc = bl_exec_request_new("meta-data", spec, "meta-data", &req, err);

    if (rc != 0) {
        return rc;
    }
    req->ocf_root = g_strdup(ocf_root());
    bl_exec_run_sync(req, NULL, &res);
    if (res.status != BL_EXEC_DONE || res.rc != BL_OCF_SUCCESS) {
        bl_err_set(err, "%s meta-data: %s", spec,
                   res.status == BL_EXEC_DONE ? bl_ocf_rc_meaning("meta-data", res.rc)
                                              : res.message);
        rc = BL_EINVALID;
    } else {
        rc = bl_agent_info_parse(res.out, strlen(res.out), spec, info, err);
    }
    bl_exec_result_clear(&res);
    bl_exec_request_free(req);
    return rc;
}

static int
cmd_info(int argc, char **argv)
{
    bl_agent_info_t *info = NULL;
    char *err = NULL;

    if (argc != 2) {
        return usage("info needs exactly one agent");
    }
    if (fetch_info(argv[1], &info, &err) != 0) {
        fprintf(stderr, "belay agent info: %s\n", err);
        free(err);
        return EXIT_FAILURE;
    }
    printf("%s", argv[1]);
    if (info->version != NULL) {
        printf(" (version %s)", info->version);
    }
    printf("%s%s\n\n", info->shortdesc ? ": " : "", info->shortdesc ? info->shortdesc : "");
    print_params(info);
    print_actions(info);
    bl_agent_info_free(info);
    return EXIT_SUCCESS;
}

int
bl_cli_agent_main(int argc, char **argv)
{
    if (argc < 2) {
        return usage(NULL);
    }
    if (strcmp(argv[1], "list") == 0) {
        return cmd_list(argc - 1, argv + 1);
    }
    if (strcmp(argv[1], "info") == 0) {
        return cmd_info(argc - 1, argv + 1);
    }
    if (strcmp(argv[1], "run") == 0) {
        return cmd_run(argc - 1, argv + 1);
    }
    if (strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0) {
        fputs(usage_text, stdout);
        return EXIT_SUCCESS;
    }
    return usage("unknown subcommand");
}
