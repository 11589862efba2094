/*
 * `belay -f FILE|-`: crm's batch mode. Lines run at crm's levels (top, configure,
 * resource, node); `commit` is a commit point. The whole script is one transaction:
 * the file is written once at the end, and not at all when any line fails.
 *
 * Consecutive configure-level lines go to the grammar as one batch
 * (bl_crm_configure_script()): one command at a time would copy and index the whole
 * document per line, which made a 10,000-line script quadratic.
 */
#include <stdlib.h>
#include <string.h>

#include <belay/crm.h>

#include "cli_private.h"

typedef enum level {
    LEVEL_TOP,
    LEVEL_CONFIGURE,
    LEVEL_RESOURCE,
    LEVEL_NODE,
} level_t;

static const char *const level_names[] = {"", "configure", "resource", "node"};

typedef struct script {
    bl_cli_t *cli;
    level_t level;
    bool quit;
    const char *label; /* names the script in messages: its path, or "stdin" */
    int line;          /* first line of the logical line being run */
    GString *batch;    /* configure-level lines not run yet, each at its own line number */
    int batch_lines;   /* lines in batch */
    bool positioned;   /* the error message already names its line */
} script_t;

/* Runs the pending configure-level lines; the grammar's messages name file and line. */
static int
flush_batch(script_t *s)
{
    int rc;

    if (s->batch->len == 0) {
        return 0;
    }
    rc = bl__cli_cib_load(s->cli);
    if (rc == 0) {
        rc = bl_crm_configure_script(s->cli->doc, s->batch->str, s->label, s->cli->out,
                                     &s->cli->err);
        s->positioned = rc != 0;
    }
    g_string_truncate(s->batch, 0);
    s->batch_lines = 0;
    return rc;
}

/* Queues LINE; blank lines before it keep its line number in the grammar's messages. */
static void
batch_add(script_t *s, const char *line)
{
    while (s->batch_lines < s->line - 1) {
        g_string_append_c(s->batch, '\n');
        s->batch_lines++;
    }
    g_string_append(s->batch, line);
    g_string_append_c(s->batch, '\n');
    s->batch_lines++;
}

static bool
word_is(const char *word, const char *name)
{
    return strcmp(word, name) == 0;
}

static level_t
level_named(const char *name)
{
    for (int i = LEVEL_CONFIGURE; i <= LEVEL_NODE; i++) {
        if (word_is(name, level_names[i])) {
            return (level_t) i;
        }
    }
    return LEVEL_TOP;
}

/* Leaving a level commits what was done there, as crmsh does in batch mode. */
static int
leave_level(script_t *s)
{
    s->level = LEVEL_TOP;
    return bl__cli_cib_checkpoint(s->cli);
}

/* Lines that move between levels or end the script; true when ARGV was one of them. */
static bool
navigate(script_t *s, int argc, char **argv, int *rc)
{
    *rc = 0;
    if (word_is(argv[0], "up") || word_is(argv[0], "end")
        || (word_is(argv[0], "cd") && (argc == 1 || word_is(argv[1], "..")))) {
        *rc = leave_level(s);
        return true;
    }
    if (word_is(argv[0], "quit") || word_is(argv[0], "exit") || word_is(argv[0], "bye")) {
        s->quit = true;
        return true;
    }
    if (word_is(argv[0], "cd") && argc == 2 && level_named(argv[1]) != LEVEL_TOP) {
        *rc = leave_level(s);
        s->level = level_named(argv[1]);
        return true;
    }
    if (s->level == LEVEL_TOP && argc == 1 && level_named(argv[0]) != LEVEL_TOP) {
        s->level = level_named(argv[0]);
        return true;
    }
    return false;
}

/* A top-level line: a one-line command (`configure primitive …`), committed at once. */
static int
run_top(script_t *s, int argc, char **argv)
{
    const bl_cli_command_t *command;
    int rc;

    if (word_is(argv[0], "commit") || word_is(argv[0], "verify")) {
        rc = bl__cli_cib_load(s->cli);
        return rc != 0 ? rc : bl__cli_configure_exec(s->cli, argc, argv);
    }
    /* It writes at once, which would break the script's all-or-nothing promise. */
    if (word_is(argv[0], "cib") && argc > 1 && word_is(argv[1], "new")) {
        bl_err_set(
            &s->cli->err,
            "cib new is not available in scripts (run it before: belay --file PATH cib new)");
        return BL_EUSAGE;
    }
    command = bl__cli_command_find(argv[0]);
    if (command == NULL || word_is(argv[0], "help")) {
        bl_err_set(&s->cli->err, "unknown command '%s' (expected configure, resource, node or cib)",
                   argv[0]);
        return BL_EUSAGE;
    }
    rc = command->run(s->cli, argc, argv);
    return rc != 0 ? rc : bl__cli_cib_checkpoint(s->cli);
}

static int
run_words(script_t *s, int argc, char **argv)
{
    char **shifted;
    int rc;

    if (navigate(s, argc, argv, &rc)) {
        return rc;
    }
    switch (s->level) {
    case LEVEL_CONFIGURE:
        rc = bl__cli_cib_load(s->cli);
        return rc != 0 ? rc : bl__cli_configure_exec(s->cli, argc, argv);
    case LEVEL_RESOURCE:
    case LEVEL_NODE:
        if (word_is(argv[0], "commit")) {
            return bl__cli_cib_checkpoint(s->cli);
        }
        /* The level's commands are the top-level command with its name in front. */
        shifted = g_new0(char *, argc + 2);
        shifted[0] = (char *) level_names[s->level];
        memcpy(shifted + 1, argv, sizeof(char *) * argc);
        rc = s->level == LEVEL_RESOURCE ? bl__cli_resource_run(s->cli, argc + 1, shifted)
                                        : bl__cli_node_run(s->cli, argc + 1, shifted);
        g_free(shifted);
        return rc;
    case LEVEL_TOP:
    default:
        return run_top(s, argc, argv);
    }
}

/* Whether a configure-level line can wait in the batch (not navigation, not commit). */
static bool
batchable(const script_t *s, int argc, char **argv)
{
    static const char *const special[] = {"up", "end", "cd", "quit", "exit", "bye", "commit", NULL};

    if (s->level != LEVEL_CONFIGURE || argc == 0) {
        return false;
    }
    for (int i = 0; special[i] != NULL; i++) {
        if (word_is(argv[0], special[i])) {
            return false;
        }
    }
    return true;
}

/* One logical line (continuations joined): queue it, or run the queue and then it. */
static int
run_line(script_t *s, const char *line)
{
    char **words = NULL;
    int count = 0;
    int rc;

    while (g_ascii_isspace(*line)) {
        line++;
    }
    if (*line == '\0' || *line == '#') {
        return 0;
    }
    rc = bl_crm_split(line, &words, &count, &s->cli->err);
    if (rc == 0 && batchable(s, count, words)) {
        batch_add(s, line);
    } else if (rc == 0 && count > 0) {
        rc = flush_batch(s);
        rc = rc != 0 ? rc : run_words(s, count, words);
    }
    g_strfreev(words);
    return rc;
}

static bool
ends_with_backslash(const char *line)
{
    size_t len = strlen(line);

    return len > 0 && line[len - 1] == '\\';
}

/* Runs the logical line in LOGICAL (starting at s->line) and names its line on error. */
static int
run_logical(script_t *s, GString *logical)
{
    int rc = run_line(s, logical->str);

    if (rc != 0 && !s->positioned) {
        bl_err_prefix(&s->cli->err, "%s line %d", s->label, s->line);
    }
    g_string_truncate(logical, 0);
    return rc;
}

static int
run_text(script_t *s, char *text)
{
    char **lines = g_strsplit(text, "\n", -1);
    GString *logical = g_string_new(NULL);
    int rc = 0;

    for (int i = 0; lines[i] != NULL && rc == 0 && !s->quit; i++) {
        if (logical->len == 0) {
            s->line = i + 1;
        }
        g_string_append(logical, lines[i]);
        if (ends_with_backslash(logical->str)) {
            g_string_truncate(logical, logical->len - 1);
            continue;
        }
        rc = run_logical(s, logical);
    }
    if (rc == 0 && !s->quit && logical->len > 0) {
        rc = run_logical(s, logical);
    }
    if (rc == 0) {
        rc = flush_batch(s);
    }
    g_string_free(logical, TRUE);
    g_strfreev(lines);
    return rc;
}

int
bl__cli_script_run(bl_cli_t *cli, const char *path)
{
    bool from_stdin = strcmp(path, "-") == 0;
    script_t s = {
        .cli = cli,
        .level = LEVEL_TOP,
        .label = from_stdin ? "stdin" : path,
        .batch = g_string_new(NULL),
    };
    char *text = NULL;
    int rc = bl_file_read(from_stdin ? "/dev/stdin" : path, &text, NULL, &cli->err);

    if (rc == 0) {
        rc = run_text(&s, text);
    }
    g_string_free(s.batch, TRUE);
    free(text);
    return rc;
}
