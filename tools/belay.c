/* belay: the command line of Belay (crmsh's grammar), here on a CIB file. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>

#include <belay/cib.h>

#include "cli_agent.h"
#include "cli_private.h"
#include "cli_simulate.h"

static int run_help(bl_cli_t *cli, int argc, char **argv);

static const bl_cli_command_t commands[] = {
    {"configure", bl__cli_configure_run, "change or show the configuration in crm syntax",
     "usage: belay configure VERB ...\n"
     "  One crm configure-level command: primitive, group, clone, ms, location, colocation,\n"
     "  order, property, rsc_defaults, op_defaults, delete, rename, show [xml] [ID...],\n"
     "  verify, load update|replace FILE|-, filter CMD [ID...].\n"
     "  Examples:\n"
     "    belay configure primitive vip ocf:heartbeat:IPaddr2 params ip=192.168.1.100 op monitor interval=30s\n"
     "    belay configure location vip-prefers-node1 vip 100: node1\n"
     "    belay configure show\n"},
    {"resource", bl__cli_resource_run, "move, ban, clear, clean up, start and stop resources",
     "usage: belay resource VERB RSC ...\n"
     "  move|migrate RSC [NODE] [LIFETIME]  prefer NODE (cli-prefer-RSC, INFINITY); without\n"
     "                                      NODE, ban RSC from the node it is active on\n"
     "  ban RSC [NODE] [LIFETIME]           keep RSC off NODE (cli-ban-RSC-on-NODE, -INFINITY)\n"
     "  clear|unmigrate|unmove RSC [NODE]   remove the cli-prefer/cli-ban constraints of RSC\n"
     "                                      (only those naming NODE when given)\n"
     "  cleanup [RSC [NODE]]                erase operation history and fail counts in status\n"
     "  start|stop RSC                      set meta target-role=Started|Stopped\n"
     "  meta RSC set|delete|show NAME [VALUE]   meta attributes\n"
     "  param RSC set|delete|show NAME [VALUE]  instance attributes (parameters)\n"
     "  locate RSC                          where the status section says RSC is active\n"
     "  LIFETIME is an ISO 8601 duration such as PT1H or P1D.\n"},
    {"node", bl__cli_node_run, "standby, online, maintenance and node attributes",
     "usage: belay node VERB NODE ...\n"
     "  standby|online NODE [reboot|forever]      standby on/off (default forever; reboot\n"
     "                                            lasts until the node restarts)\n"
     "  maintenance|ready NODE [reboot|forever]   maintenance on/off\n"
     "  attribute NODE set|delete|show NAME [VALUE]   permanent node attributes\n"
     "  status-attr NODE set|delete|show NAME [VALUE] transient node attributes (status)\n"},
    {"cib", bl__cli_cib_run, "create, print, query, verify, replace the CIB or print its version",
     "usage: belay cib new [--force] | show [--section NAME] | query --xpath EXPR | verify\n"
     "                 | version | replace FILE | modify|create|replace|delete\n"
     "                   [--section NAME] [--allow-create] --xml-text XML | --xml-file FILE\n"
     "  new       write an empty, valid CIB (refuses to overwrite without --force)\n"
     "  show      print the CIB, or one section: configuration, crm_config, nodes,\n"
     "            resources, constraints, rsc_defaults, op_defaults, status\n"
     "  query     print each element the XPath expression selects (exit 3 when none)\n"
     "  verify    validate the CIB and say what is wrong\n"
     "  version   print 'admin_epoch epoch num_updates digest' on one line\n"
     "  replace FILE  replace the whole CIB with FILE's (validated; live, its version\n"
     "            must be newer than the CIB's)\n"
     "  modify    set the attributes (and merge the children) of the element of XML's tag\n"
     "            and id; --allow-create adds it to the section when missing\n"
     "  create    add XML to the section (refused when its id exists)\n"
     "  replace   replace the element of XML's tag and id with XML\n"
     "  delete    delete the element of XML's tag and id (other attributes must match)\n"
     "            Live, belay-based applies these to its current CIB: nothing is fetched.\n"},
    {"help", run_help, "print help about a command", "usage: belay help [COMMAND]\n"},
    {NULL, NULL, NULL, NULL},
};

/*
 * Commands that need no CIB and keep their own output and exit codes (e.g. `agent run`
 * exits with the agent's OCF return code): main() hands the process over to them.
 */
typedef struct standalone_command {
    const char *name;
    int (*main)(int argc, char **argv);
    const char *summary;
} standalone_command_t;

static const standalone_command_t standalone_commands[] = {
    {"agent", bl_cli_agent_main, "list, describe and run resource agents (see belay agent help)"},
    {"simulate", bl_cli_simulate_main, "run the scheduler on a CIB file: placement and actions"},
    {NULL, NULL, NULL},
};

static const char main_usage[] =
    "usage: belay [--file PATH] COMMAND ARGS...\n"
    "       belay [--file PATH] -f SCRIPT|-\n"
    "\n"
    "Options:\n"
    "  --file PATH, -F PATH  work on the CIB file PATH (default: $BELAY_CIB_FILE; without\n"
    "                        either, on the cluster's CIB through the local belay-based)\n"
    "  -f SCRIPT|-           run crm commands from SCRIPT or stdin (crm -f): 'configure'\n"
    "                        enters the configure level, 'up'/'end' leave it, 'commit'\n"
    "                        commits; the whole script is written at once, or not at all\n"
    "  -h, --help            this text; 'belay help COMMAND' for a command's usage\n"
    "\n"
    "Commands:\n";

static const char exit_codes[] =
    "\n"
    "Exit codes:\n"
    "  0  success\n"
    "  1  error not listed below\n"
    "  2  usage error (unknown command, missing argument)\n"
    "  3  a named resource, node, attribute or object does not exist\n"
    "  4  invalid input or resulting CIB (syntax, schema, dangling reference, duplicate id)\n"
    "  5  the CIB (file or belay-based) cannot be read or written\n"
    "On any error the CIB file is left unchanged and one line on stderr says why.\n"
    "A live write that loses a race with another one is tried again on the new CIB for up\n"
    "to $BELAY_CIB_RETRY_S seconds (default 60).\n";

const bl_cli_command_t *
bl__cli_command_find(const char *name)
{
    for (int i = 0; commands[i].name != NULL; i++) {
        if (strcmp(commands[i].name, name) == 0) {
            return &commands[i];
        }
    }
    return NULL;
}

static void
print_main_usage(GString *out)
{
    g_string_append(out, main_usage);
    for (int i = 0; commands[i].name != NULL; i++) {
        g_string_append_printf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    }
    for (int i = 0; standalone_commands[i].name != NULL; i++) {
        g_string_append_printf(out, "  %-10s %s\n", standalone_commands[i].name,
                               standalone_commands[i].summary);
    }
    g_string_append(out, exit_codes);
}

static char *
command_hint(const char *name)
{
    const char *names[G_N_ELEMENTS(commands)];

    for (size_t i = 0; i < G_N_ELEMENTS(commands); i++) {
        names[i] = commands[i].name;
    }
    return bl__cli_did_you_mean(name, names);
}

static int
run_help(bl_cli_t *cli, int argc, char **argv)
{
    const bl_cli_command_t *command;
    char *hint;

    if (argc == 1) {
        print_main_usage(cli->out);
        return 0;
    }
    command = bl__cli_command_find(argv[1]);
    if (argc > 2 || command == NULL) {
        hint = command_hint(argv[1]);
        bl_err_set(&cli->err, "help: unknown command '%s'%s", argv[argc - 1], hint);
        free(hint);
        return BL_EUSAGE;
    }
    g_string_append(cli->out, command->usage);
    return 0;
}

static int
exit_code(int rc)
{
    switch (rc) {
    case 0:
        return BL_CLI_EXIT_OK;
    case BL_EUSAGE:
        return BL_CLI_EXIT_USAGE;
    case BL_ENOTFOUND:
        return BL_CLI_EXIT_NOTFOUND;
    case BL_EPARSE:
    case BL_ESCHEMA:
    case BL_EINVALID:
    case BL_EEXISTS:
    case BL_EDIGEST:
    case BL_EVERSION:
        return BL_CLI_EXIT_INVALID;
    default:
        return rc < 0 && rc > -1000 ? BL_CLI_EXIT_IO : BL_CLI_EXIT_ERROR;
    }
}

typedef struct options {
    const char *script; /* -f */
    bool help;
    int first; /* index of the command word */
} options_t;

/* Global options before the command; sets cli->file. */
static int
parse_options(bl_cli_t *cli, int argc, char **argv, options_t *opts)
{
    const char *env_file;
    int i = 1;

    for (; i < argc && argv[i][0] == '-' && argv[i][1] != '\0'; i++) {
        const char *arg = argv[i];
        bool has_value = i + 1 < argc;

        if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
            opts->help = true;
        } else if (strncmp(arg, "--file=", 7) == 0) {
            cli->file = arg + 7;
        } else if ((strcmp(arg, "--file") == 0 || strcmp(arg, "-F") == 0) && has_value) {
            cli->file = argv[++i];
        } else if (strcmp(arg, "-f") == 0 && has_value) {
            opts->script = argv[++i];
        } else {
            bl_err_set(&cli->err, "unknown or incomplete option '%s' (see belay --help)", arg);
            return BL_EUSAGE;
        }
    }
    opts->first = i;
    if (opts->script != NULL && i < argc) {
        bl_err_set(&cli->err, "unexpected argument '%s' after -f %s", argv[i], opts->script);
        return BL_EUSAGE;
    }
    env_file = getenv("BELAY_CIB_FILE");
    if (cli->file == NULL && env_file != NULL && env_file[0] != '\0') {
        cli->file = env_file;
    }
    return 0;
}

static int
run(bl_cli_t *cli, int argc, char **argv)
{
    options_t opts = {NULL, false, 0};
    const bl_cli_command_t *command;
    char *hint;
    int rc = parse_options(cli, argc, argv, &opts);

    if (rc != 0) {
        return rc;
    }
    if (opts.help || (opts.script == NULL && opts.first == argc)) {
        print_main_usage(cli->out);
        return opts.help ? 0 : BL_EUSAGE;
    }
    if (opts.script != NULL) {
        rc = bl__cli_script_run(cli, opts.script);
    } else {
        command = bl__cli_command_find(argv[opts.first]);
        if (command == NULL) {
            hint = command_hint(argv[opts.first]);
            bl_err_set(&cli->err, "unknown command '%s'%s (see belay --help)", argv[opts.first],
                       hint);
            free(hint);
            return BL_EUSAGE;
        }
        if (opts.first + 1 < argc
            && (strcmp(argv[opts.first + 1], "--help") == 0
                || strcmp(argv[opts.first + 1], "-h") == 0)) {
            g_string_append(cli->out, command->usage);
            return 0;
        }
        rc = command->run(cli, argc - opts.first, argv + opts.first);
    }
    return rc != 0 ? rc : bl__cli_cib_finish(cli);
}

/* A script read from stdin cannot be read twice; everything else can run again. */
static bool
opts_script_is_rerunnable(int argc, char **argv)
{
    for (int i = 1; i + 1 < argc; i++) {
        if (strcmp(argv[i], "-f") == 0 && strcmp(argv[i + 1], "-") == 0) {
            return false;
        }
    }
    return true;
}

/* The standalone command named by the first non-option word, or NULL. */
static const standalone_command_t *
find_standalone(int argc, char **argv, int *index)
{
    int i = 1;

    while (i < argc && argv[i][0] == '-') {
        bool takes_value = strcmp(argv[i], "--file") == 0 || strcmp(argv[i], "-F") == 0
                           || strcmp(argv[i], "-f") == 0;

        i += takes_value ? 2 : 1;
    }
    for (int k = 0; i < argc && standalone_commands[k].name != NULL; k++) {
        if (strcmp(argv[i], standalone_commands[k].name) == 0) {
            *index = i;
            return &standalone_commands[k];
        }
    }
    return NULL;
}

/* How long a live write that keeps losing races is tried again ($BELAY_CIB_RETRY_S). */
#define LIVE_RETRY_S_DEFAULT 60
#define LIVE_BACKOFF_FIRST_MS 5
#define LIVE_BACKOFF_MAX_MS 500

static gint64
live_deadline(void)
{
    const char *text = getenv("BELAY_CIB_RETRY_S");
    long seconds = text != NULL && *text != '\0' ? strtol(text, NULL, 10) : LIVE_RETRY_S_DEFAULT;

    return g_get_monotonic_time() + (gint64) MAX(seconds, 0) * G_USEC_PER_SEC;
}

/*
 * Live mode: another write moved the CIB since we fetched it (BL_EVERSION), or the
 * members were comparing CIBs (-EAGAIN). Runs the whole command again on the CIB as it
 * is now — fetch, re-apply, re-send — with a growing, jittered pause (so writers that
 * collided do not collide again in step) until it goes through or the deadline passes.
 */
static int
rerun_live(bl_cli_t *cli, int argc, char **argv, int rc)
{
    gint64 deadline = live_deadline();
    guint pause_ms = LIVE_BACKOFF_FIRST_MS;

    while ((rc == BL_EVERSION || rc == -EAGAIN) && g_get_monotonic_time() < deadline) {
        g_usleep((gulong) g_random_int_range((gint32) pause_ms / 2, (gint32) pause_ms + 1) * 1000);
        pause_ms = MIN(pause_ms * 2, LIVE_BACKOFF_MAX_MS);
        bl__cli_free(cli);
        *cli = (bl_cli_t){.lock_fd = -1, .out = g_string_new(NULL)};
        rc = run(cli, argc, argv);
    }
    return rc;
}

int
main(int argc, char **argv)
{
    bl_cli_t cli = {.lock_fd = -1};
    int standalone_index = 0;
    const standalone_command_t *standalone = find_standalone(argc, argv, &standalone_index);
    int rc;

    if (standalone != NULL) {
        return standalone->main(argc - standalone_index, argv + standalone_index);
    }

    xmlInitParser();
    cli.out = g_string_new(NULL);
    rc = run(&cli, argc, argv);
    if (cli.file == NULL && opts_script_is_rerunnable(argc, argv)) {
        rc = rerun_live(&cli, argc, argv, rc);
    }
    fwrite(cli.out->str, 1, cli.out->len, stdout);
    fflush(stdout);
    if (rc != 0) {
        if (cli.err == NULL) {
            bl_err_set(&cli.err, "%s", bl_strerror(rc));
        }
        /* One line, whatever a nested command (filter) put into the message. */
        g_strdelimit(cli.err, "\r\n", ' ');
        fprintf(stderr, "belay: %s\n", cli.err);
    }
    bl__cli_free(&cli);
    xmlCleanupParser();
    return exit_code(rc);
}
