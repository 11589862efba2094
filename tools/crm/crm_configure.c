/* Entry points: one configure command, a script of them, and load/filter, which run scripts. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <belay/cib.h>

#include "crm_private.h"

/* load and filter run scripts that may themselves load: bound the nesting. */
#define MAX_DEPTH 8

static int
cmd_verify(crm_ctx_t *ctx, int argc, char *const argv[], char **err)
{
    (void) argc;
    (void) argv;
    return bl_cib_validate(ctx->doc, err);
}

/* commit, end and up only matter to an interactive crm shell working on a live cluster. */
static int
cmd_noop(crm_ctx_t *ctx, int argc, char *const argv[], char **err)
{
    (void) ctx;
    if (argc > 1) {
        bl_err_set(err, "%s: takes no arguments", argv[0]);
        return BL_EUSAGE;
    }
    return 0;
}

static const struct {
    const char *verb;
    crm_cmd_fn fn;
} commands[] = {
    {"primitive", bl__crm_cmd_primitive},
    {"group", bl__crm_cmd_group},
    {"clone", bl__crm_cmd_clone},
    {"ms", bl__crm_cmd_clone},
    {"location", bl__crm_cmd_location},
    {"colocation", bl__crm_cmd_colocation},
    {"collocation", bl__crm_cmd_colocation},
    {"order", bl__crm_cmd_order},
    {"property", bl__crm_cmd_property},
    {"rsc_defaults", bl__crm_cmd_property},
    {"op_defaults", bl__crm_cmd_property},
    {"node", bl__crm_cmd_node},
    {"delete", bl__crm_cmd_delete},
    {"rename", bl__crm_cmd_rename},
    {"filter", bl__crm_cmd_filter},
    {"load", bl__crm_cmd_load},
    {"show", bl__crm_cmd_show},
    {"verify", cmd_verify},
    {"commit", cmd_noop},
    {"end", cmd_noop},
    {"up", cmd_noop},
};

int
bl__crm_dispatch(crm_ctx_t *ctx, int argc, char *const argv[], char **err)
{
    if (argc < 1 || argv[0] == NULL) {
        bl_err_set(err, "configure: missing command");
        return BL_EUSAGE;
    }
    for (size_t i = 0; i < G_N_ELEMENTS(commands); i++) {
        if (strcmp(argv[0], commands[i].verb) == 0) {
            return commands[i].fn(ctx, argc, argv, err);
        }
    }
    bl_err_set(err, "configure: unknown command '%s'", argv[0]);
    return BL_EUSAGE;
}

/* Errors leave the document as it was: restore the configuration saved before. */
static void
restore_configuration(crm_ctx_t *ctx, xmlNode *saved)
{
    xmlReplaceNode(ctx->config, saved);
    xmlFreeNode(ctx->config);
    ctx->config = saved;
    bl__crm_ids_drop(ctx);
}

static int
run_saved(crm_ctx_t *ctx, int (*fn)(crm_ctx_t *, const void *, const char *, char **),
          const void *arg, const char *name, char **err)
{
    xmlNode *saved = xmlDocCopyNode(ctx->config, ctx->doc, 1);
    int rc = fn(ctx, arg, name, err);

    if (rc != 0) {
        restore_configuration(ctx, saved);
    } else {
        xmlFreeNode(saved);
    }
    return rc;
}

static int
configure_one(crm_ctx_t *ctx, const void *argv, const char *name, char **err)
{
    char *const *words = argv;

    (void) name;
    return bl__crm_dispatch(ctx, (int) g_strv_length((char **) words), words, err);
}

/*
 * What a failed VERB may have changed, and so must be saved before it runs: most commands
 * check everything before they touch the document, so copying the whole configuration
 * (a fifth of a second for 10,000 resources) is kept for those that run scripts.
 */
static const char *
scope_of(const char *verb)
{
    static const char *const whole[] = {"load", "filter", NULL};

    if (g_strv_contains(whole, verb)) {
        return "configuration";
    }
    if (strcmp(verb, "property") == 0) {
        return "crm_config";
    }
    if (strcmp(verb, "rsc_defaults") == 0 || strcmp(verb, "op_defaults") == 0) {
        return verb;
    }
    return strcmp(verb, "node") == 0 ? "nodes" : NULL;
}

/* Runs one command; on failure puts back the section it may have changed (or removes it). */
static int
run_scoped(crm_ctx_t *ctx, char *const words[], char **err)
{
    const char *scope = scope_of(words[0]);
    xmlNode *section, *saved = NULL;
    int rc;

    if (scope == NULL) {
        return configure_one(ctx, words, NULL, err);
    }
    if (strcmp(scope, "configuration") == 0) {
        return run_saved(ctx, configure_one, words, NULL, err);
    }
    section = bl_xml_first_child(ctx->config, scope);
    if (section != NULL) {
        saved = xmlDocCopyNode(section, ctx->doc, 1);
    }
    rc = configure_one(ctx, words, NULL, err);
    section = bl_xml_first_child(ctx->config, scope);
    if (rc != 0 && section != NULL) {
        bl__crm_ids_drop(ctx);
        if (saved != NULL) {
            xmlReplaceNode(section, saved);
            saved = NULL;
        }
        bl_xml_remove(section);
    }
    xmlFreeNode(saved);
    return rc;
}

int
bl_crm_configure(xmlDoc *doc, int argc, char *const argv[], GString *out, char **err)
{
    crm_ctx_t ctx;
    g_auto(GStrv) words = g_new0(char *, argc + 1);
    int rc = bl__crm_ctx_init(&ctx, doc, out, err);

    for (int i = 0; i < argc; i++) {
        words[i] = g_strdup(argv[i]);
    }
    if (rc == 0) {
        rc = argc < 1 ? (bl_err_set(err, "configure: missing command"), BL_EUSAGE)
                      : run_scoped(&ctx, words, err);
    }
    bl__crm_ctx_fini(&ctx);
    return rc;
}

/*
 * Next logical line of TEXT from *pos: backslash-newline joins lines, and so does a newline
 * inside quotes (show quotes values that contain one). *line counts physical lines.
 */
static char *
next_line(const char *text, size_t *pos, int *line)
{
    GString *buf = g_string_new(NULL);
    const char *p = text + *pos + strspn(text + *pos, " \t");
    char quote = 0;

    (*line)++;
    if (*p == '#') {
        /* a comment is one physical line, whatever quotes it holds */
        p += strcspn(p, "\n");
        *pos = (size_t) (p - text) + (*p == '\n' ? 1 : 0);
        return g_string_free(buf, FALSE);
    }
    for (; *p != '\0'; p++) {
        if (*p == '\\' && p[1] != '\0' && quote != '\'') {
            bool continuation = p[1] == '\n' && quote == 0;

            *line += p[1] == '\n' ? 1 : 0;
            g_string_append_len(buf, continuation ? " " : p, continuation ? 1 : 2);
            p++;
            continue;
        }
        if (*p == '\n' && quote == 0) {
            p++;
            break;
        }
        if (*p == '\r' && p[1] == '\n' && quote == 0) {
            continue;
        }
        if (*p == '\n') {
            (*line)++;
        }
        if (quote == 0 && (*p == '\'' || *p == '"')) {
            quote = *p;
        } else if (*p == quote) {
            quote = 0;
        }
        g_string_append_c(buf, *p);
    }
    *pos = (size_t) (p - text);
    return g_string_free(buf, FALSE);
}

static int
run_line(crm_ctx_t *ctx, const char *line, char **err)
{
    g_auto(GStrv) words = NULL;
    int count = 0;
    int rc = bl_crm_split(line, &words, &count, err);

    if (rc != 0 || count == 0 || words[0][0] == '#') {
        return rc;
    }
    return bl__crm_dispatch(ctx, count, words, err);
}

int
bl__crm_script_run(crm_ctx_t *ctx, const char *text, const char *name, char **err)
{
    size_t pos = 0;
    int line = 0;
    int rc = 0;

    while (rc == 0 && text[pos] != '\0') {
        int first = line + 1;
        g_autofree char *logical = next_line(text, &pos, &line);

        rc = run_line(ctx, logical, err);
        if (rc != 0) {
            bl_err_prefix(err, "%s line %d", name, first);
        }
    }
    return rc;
}

static int
script_saved(crm_ctx_t *ctx, const void *text, const char *name, char **err)
{
    return bl__crm_script_run(ctx, text, name, err);
}

int
bl_crm_configure_script(xmlDoc *doc, const char *text, const char *name, GString *out, char **err)
{
    crm_ctx_t ctx;
    int rc = bl__crm_ctx_init(&ctx, doc, out, err);

    if (rc == 0) {
        rc = run_saved(&ctx, script_saved, text, name != NULL ? name : "script", err);
    }
    bl__crm_ctx_fini(&ctx);
    return rc;
}

/* A nested script (load, filter) in update or replace mode. */
static int
run_nested(crm_ctx_t *ctx, const char *text, const char *name, bool update, char **err)
{
    bool saved_update = ctx->update;
    int rc;

    if (ctx->depth >= MAX_DEPTH) {
        bl_err_set(err, "%s: scripts nested more than %d deep", name, MAX_DEPTH);
        return BL_EINVALID;
    }
    ctx->depth++;
    ctx->update = update;
    rc = bl__crm_script_run(ctx, text, name, err);
    ctx->update = saved_update;
    ctx->depth--;
    return rc;
}

static int
read_stdin(char **data, char **err)
{
    GString *buf = g_string_new(NULL);
    char chunk[4096];
    ssize_t n;

    while ((n = read(STDIN_FILENO, chunk, sizeof(chunk))) != 0) {
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            int rc = -errno;

            bl_err_set(err, "load: cannot read standard input: %s", g_strerror(errno));
            g_string_free(buf, TRUE);
            return rc;
        }
        g_string_append_len(buf, chunk, n);
    }
    *data = g_string_free(buf, FALSE);
    return 0;
}

/* Everything but the nodes goes: the script says what the configuration is. */
static void
clear_configuration(crm_ctx_t *ctx)
{
    static const char *const sections[] = {
        "crm_config", "resources", "constraints", "rsc_defaults", "op_defaults",
    };

    for (size_t i = 0; i < G_N_ELEMENTS(sections); i++) {
        xmlNode *section = bl_xml_first_child(ctx->config, sections[i]);

        while (section != NULL && bl_xml_first_child(section, NULL) != NULL) {
            bl_xml_remove(bl_xml_first_child(section, NULL));
        }
    }
    bl__crm_ids_drop(ctx);
}

/* load update|replace FILE|- */
int
bl__crm_cmd_load(crm_ctx_t *ctx, int argc, char *const argv[], char **err)
{
    g_autofree char *data = NULL;
    size_t len = 0;
    bool update = argc == 3 && strcmp(argv[1], "update") == 0;
    int rc;

    if (argc != 3 || (!update && strcmp(argv[1], "replace") != 0)) {
        bl_err_set(err, "load: usage: load update|replace FILE|-");
        return BL_EUSAGE;
    }
    if (strcmp(argv[2], "-") == 0) {
        rc = read_stdin(&data, err);
    } else {
        rc = bl_file_read(argv[2], &data, &len, err);
        if (rc != 0) {
            bl_err_prefix(err, "load");
        }
    }
    if (rc != 0) {
        return rc;
    }
    if (!update) {
        clear_configuration(ctx);
    }
    return run_nested(ctx, data, strcmp(argv[2], "-") == 0 ? "stdin" : argv[2], update, err);
}

/*
 * Runs "/bin/sh -c COMMAND" with INPUT on its standard input and collects its standard
 * output. The input goes through a temporary file so a command that writes before it
 * reads everything cannot deadlock us.
 */
static int
run_filter(const char *command, const char *input, char **output, char **err)
{
    FILE *in = tmpfile();
    int pipefd[2];
    GString *buf;
    char chunk[4096];
    ssize_t n;
    int status = 0;
    pid_t pid;

    if (in == NULL || fputs(input, in) == EOF || fflush(in) != 0 || fseek(in, 0, SEEK_SET) != 0
        || pipe(pipefd) != 0) {
        int rc = -errno;

        bl_err_set(err, "filter: cannot set up the command's input: %s", g_strerror(errno));
        if (in != NULL) {
            fclose(in);
        }
        return rc;
    }
    pid = fork();
    if (pid == 0) {
        dup2(fileno(in), STDIN_FILENO);
        dup2(pipefd[1], STDOUT_FILENO);
        close(pipefd[0]);
        close(pipefd[1]);
        execl("/bin/sh", "sh", "-c", command, (char *) NULL);
        _exit(127);
    }
    close(pipefd[1]);
    fclose(in);
    buf = g_string_new(NULL);
    while (pid > 0
           && ((n = read(pipefd[0], chunk, sizeof(chunk))) > 0 || (n < 0 && errno == EINTR))) {
        if (n > 0) {
            g_string_append_len(buf, chunk, n);
        }
    }
    close(pipefd[0]);
    while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (pid < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        bl_err_set(err, "filter: command '%s' failed (%s %d)", command,
                   pid < 0             ? "fork error"
                   : WIFEXITED(status) ? "exit status"
                                       : "signal",
                   pid < 0             ? errno
                   : WIFEXITED(status) ? WEXITSTATUS(status)
                                       : WTERMSIG(status));
        g_string_free(buf, TRUE);
        return BL_EINVALID;
    }
    *output = g_string_free(buf, FALSE);
    return 0;
}

/*
 * Objects that were filtered but that the output no longer defines are deleted, as in
 * crmsh: `filter "grep -v …"` removes objects.
 */
static void
delete_untouched(crm_ctx_t *ctx, GPtrArray *shown)
{
    for (guint i = 0; i < shown->len; i++) {
        const char *id = g_ptr_array_index(shown, i);
        xmlNode *node = bl__crm_id_lookup(ctx, id);

        if (!g_hash_table_contains(ctx->touched, id) && bl__crm_deletable(node)) {
            bl__crm_delete_object(ctx, node);
        }
    }
}

/* filter COMMAND [ID…]: the objects' crm text through the admin's command, loaded back. */
int
bl__crm_cmd_filter(crm_ctx_t *ctx, int argc, char *const argv[], char **err)
{
    g_autoptr(GPtrArray) shown = g_ptr_array_new_with_free_func(g_free);
    GHashTable *outer = ctx->touched;
    GString *text = g_string_new(NULL);
    g_autofree char *output = NULL;
    int rc;

    if (argc < 2) {
        bl_err_set(err, "filter: usage: filter COMMAND [ID…]");
        g_string_free(text, TRUE);
        return BL_EUSAGE;
    }
    rc = bl__crm_render(ctx->config, argc > 2 ? argv + 2 : NULL, text, shown, err);
    if (rc == 0) {
        rc = run_filter(argv[1], text->str, &output, err);
    }
    if (rc == 0) {
        ctx->touched = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        rc = run_nested(ctx, output, "filter output", true, err);
        if (rc == 0) {
            delete_untouched(ctx, shown);
        }
        g_hash_table_destroy(ctx->touched);
        ctx->touched = outer;
    }
    g_string_free(text, TRUE);
    return rc;
}
