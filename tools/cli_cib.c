/* The write path every command shares, and `belay cib new|show|verify`. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <belay/cib.h>

#include "cli_private.h"

/* Sections `cib show --section` knows, in document order. */
static const char *const section_names[] = {
    "cib",         "configuration", "crm_config",  "nodes",  "resources",
    "constraints", "rsc_defaults",  "op_defaults", "status", NULL,
};

static char *
doc_canonical(const xmlDoc *doc)
{
    return bl_xml_canonical(xmlDocGetRootElement(doc));
}

static void
configuration_digest(const xmlDoc *doc, char out[BL_DIGEST_HEXLEN + 1])
{
    const xmlNode *configuration = bl_cib_section(doc, "configuration");

    if (configuration == NULL) {
        memset(out, '0', BL_DIGEST_HEXLEN);
        out[BL_DIGEST_HEXLEN] = '\0';
        return;
    }
    bl_xml_digest(configuration, out);
}

/* Remembers the working copy as it is now as the last commit point. */
static void
mark_checkpoint(bl_cli_t *cli)
{
    free(cli->checkpoint);
    cli->checkpoint = doc_canonical(cli->doc);
    configuration_digest(cli->doc, cli->checkpoint_digest);
}

/*
 * Serialises belay runs on one CIB file: without it two concurrent commands both read the
 * old file and the second rename drops the first one's change. The lock is on the
 * directory because every write replaces the file itself (rename).
 */
static int
lock_cib(bl_cli_t *cli)
{
    char *copy;
    int fd;
    int rc = 0;

    if (cli->lock_fd >= 0) {
        return 0;
    }
    copy = bl_strdup(cli->file);
    fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    while (fd >= 0 && flock(fd, LOCK_EX) != 0 && errno == EINTR) {
        continue;
    }
    if (fd < 0) {
        rc = -errno;
        bl_err_set(&cli->err, "%s: cannot open its directory to lock it: %s", cli->file,
                   strerror(-rc));
    }
    cli->lock_fd = fd;
    free(copy);
    return rc;
}

xmlNode *
bl__cli_cib_section_ensure(xmlDoc *doc, const char *name)
{
    return bl_cib_section_ensure(doc, name);
}

/*
 * Where the CIB comes from and goes back to: a file (--file / BELAY_CIB_FILE), or the
 * local belay-based (live mode), which gets the change as a diff against the version
 * fetched, so that a write racing another one is refused rather than lost.
 */
typedef struct cib_backend {
    int (*load)(bl_cli_t *cli);
    int (*save)(bl_cli_t *cli);
} cib_backend_t;

static int
file_load(bl_cli_t *cli)
{
    int rc = lock_cib(cli);

    return rc != 0 ? rc : bl_cib_load(cli->file, &cli->doc, &cli->err);
}

static int
file_save(bl_cli_t *cli)
{
    return bl_cib_save(cli->file, cli->doc, &cli->err);
}

/* The connection to belay-based, opened once per run (setting one up maps its buffers). */
static int
live_client(bl_cli_t *cli)
{
    int rc;

    if (cli->client != NULL) {
        return 0;
    }
    rc = bl_cib_client_connect_small(NULL, &cli->client, &cli->err);
    if (rc != 0) {
        char *why = cli->err;

        cli->err = NULL;
        bl_err_set(&cli->err, "%s (or work on a CIB file: --file PATH or BELAY_CIB_FILE)", why);
        free(why);
    }
    return rc;
}

static int
live_load(bl_cli_t *cli)
{
    int rc = live_client(cli);

    return rc != 0 ? rc : bl_cib_client_query(cli->client, NULL, &cli->doc, &cli->err);
}

static int
live_save(bl_cli_t *cli)
{
    xmlDoc *base = NULL;
    xmlDoc *diff = NULL;
    int rc = bl_xml_parse(cli->loaded, strlen(cli->loaded), "CIB as fetched", &base, &cli->err);

    if (rc == 0) {
        rc = bl_cib_diff(base, cli->doc, &diff, &cli->err);
    }
    if (rc == 0) {
        rc = live_client(cli);
    }
    if (rc == 0) {
        rc = bl_cib_client_patch(cli->client, diff, &cli->err);
    }
    xmlFreeDoc(diff);
    xmlFreeDoc(base);
    return rc;
}

static const cib_backend_t file_backend = {file_load, file_save};
static const cib_backend_t live_backend = {live_load, live_save};

static const cib_backend_t *
backend(const bl_cli_t *cli)
{
    return cli->file != NULL ? &file_backend : &live_backend;
}

int
bl__cli_cib_load(bl_cli_t *cli)
{
    int rc;

    if (cli->doc != NULL) {
        return 0;
    }
    rc = backend(cli)->load(cli);
    if (rc != 0) {
        return rc;
    }
    cli->loaded = doc_canonical(cli->doc);
    cli->checkpoint = bl_strdup(cli->loaded);
    configuration_digest(cli->doc, cli->checkpoint_digest);
    return 0;
}

int
bl__cli_cib_checkpoint(bl_cli_t *cli)
{
    char digest[BL_DIGEST_HEXLEN + 1];
    char *now;
    int rc;

    if (cli->doc == NULL) {
        return 0;
    }
    now = doc_canonical(cli->doc);
    rc = strcmp(now, cli->checkpoint);
    free(now);
    if (rc == 0) {
        return 0;
    }
    rc = bl_cib_validate(cli->doc, &cli->err);
    if (rc != 0) {
        bl_err_prefix(&cli->err, "the resulting CIB is invalid, nothing was written");
        return rc;
    }
    /* The digest, not the command, decides: a resource command may touch either section. */
    configuration_digest(cli->doc, digest);
    bl_cib_version_bump(cli->doc, strcmp(digest, cli->checkpoint_digest) != 0);
    mark_checkpoint(cli);
    return 0;
}

int
bl__cli_cib_finish(bl_cli_t *cli)
{
    int rc = bl__cli_cib_checkpoint(cli);

    if (rc != 0 || cli->doc == NULL || strcmp(cli->checkpoint, cli->loaded) == 0) {
        return rc;
    }
    return backend(cli)->save(cli);
}

void
bl__cli_free(bl_cli_t *cli)
{
    if (cli->doc != NULL) {
        xmlFreeDoc(cli->doc);
        cli->doc = NULL;
    }
    bl_free(&cli->loaded);
    bl_free(&cli->checkpoint);
    bl_free(&cli->err);
    if (cli->lock_fd >= 0) {
        close(cli->lock_fd); /* releases the lock */
        cli->lock_fd = -1;
    }
    bl_cib_client_free(cli->client);
    cli->client = NULL;
    if (cli->out != NULL) {
        g_string_free(cli->out, TRUE);
        cli->out = NULL;
    }
}

static int
cib_new(bl_cli_t *cli, int argc, char **argv)
{
    bool force = argc == 2 && strcmp(argv[1], "--force") == 0;
    struct stat st;
    xmlDoc *doc;
    int rc;

    if (argc > 2 || (argc == 2 && !force)) {
        bl_err_set(&cli->err, "cib new: unexpected argument '%s' (usage: cib new [--force])",
                   argv[argc - 1]);
        return BL_EUSAGE;
    }
    if (cli->file == NULL) {
        bl_err_set(
            &cli->err,
            "cib new: needs --file PATH or BELAY_CIB_FILE (the cluster's CIB already exists)");
        return BL_EUSAGE;
    }
    rc = lock_cib(cli);
    if (rc != 0) {
        return rc;
    }
    if (!force && stat(cli->file, &st) == 0) {
        bl_err_set(&cli->err, "cib new: %s already exists (use --force to overwrite it)",
                   cli->file);
        return BL_EEXISTS;
    }
    doc = bl_cib_new_empty();
    rc = bl_cib_validate(doc, &cli->err);
    if (rc == 0) {
        rc = bl_cib_save(cli->file, doc, &cli->err);
    }
    xmlFreeDoc(doc);
    return rc;
}

static bool
is_section_name(const char *name)
{
    for (int i = 0; section_names[i] != NULL; i++) {
        if (strcmp(section_names[i], name) == 0) {
            return true;
        }
    }
    return false;
}

/* The section named by "--section NAME" / "--section=NAME" in argv, "cib" when absent. */
static int
parse_section_option(bl_cli_t *cli, int argc, char **argv, const char **name)
{
    *name = "cib";
    if (argc == 3 && strcmp(argv[1], "--section") == 0) {
        *name = argv[2];
    } else if (argc == 2 && strncmp(argv[1], "--section=", 10) == 0) {
        *name = argv[1] + 10;
    } else if (argc != 1) {
        bl_err_set(&cli->err,
                   "cib show: unexpected argument '%s' (usage: cib show [--section NAME])",
                   argv[1]);
        return BL_EUSAGE;
    }
    if (!is_section_name(*name)) {
        char *hint = bl__cli_did_you_mean(*name, section_names);

        bl_err_set(&cli->err, "cib show: unknown section '%s'%s", *name, hint);
        free(hint);
        return BL_EUSAGE;
    }
    return 0;
}

/* Appends NODE as XML, ending in a newline. */
static void
print_element(bl_cli_t *cli, const xmlNode *node)
{
    char *text = bl_xml_format(node);

    g_string_append(cli->out, text);
    if (cli->out->len > 0 && cli->out->str[cli->out->len - 1] != '\n') {
        g_string_append_c(cli->out, '\n');
    }
    free(text);
}

/* Live mode: only the section travels, not the whole CIB. */
static int
show_live_section(bl_cli_t *cli, const char *name)
{
    xmlDoc *section = NULL;
    int rc = live_client(cli);

    if (rc == 0) {
        rc = bl_cib_client_query(cli->client, strcmp(name, "cib") == 0 ? NULL : name, &section,
                                 &cli->err);
    }
    if (rc == BL_ENOTFOUND) {
        bl_free(&cli->err);
        bl_err_set(&cli->err, "cib show: the CIB has no %s section", name);
    }
    if (rc == 0) {
        print_element(cli, xmlDocGetRootElement(section));
    }
    xmlFreeDoc(section);
    return rc;
}

static int
cib_show(bl_cli_t *cli, int argc, char **argv)
{
    const char *name;
    xmlNode *section;
    int rc = parse_section_option(cli, argc, argv, &name);

    if (rc == 0 && cli->file == NULL && cli->doc == NULL) {
        return show_live_section(cli, name);
    }
    if (rc == 0) {
        rc = bl__cli_cib_load(cli);
    }
    if (rc != 0) {
        return rc;
    }
    section = bl_cib_section(cli->doc, name);
    if (section == NULL) {
        bl_err_set(&cli->err, "cib show: the CIB has no %s section", name);
        return BL_ENOTFOUND;
    }
    print_element(cli, section);
    return 0;
}

/* The elements EXPR selects: from the daemon in live mode, else from the file. */
static int
xpath_result(bl_cli_t *cli, const char *expr, xmlDoc **result)
{
    int rc;

    if (cli->file != NULL || cli->doc != NULL) {
        rc = bl__cli_cib_load(cli);
        return rc != 0 ? rc : bl_cib_xpath(cli->doc, expr, result, &cli->err);
    }
    rc = live_client(cli);
    return rc != 0 ? rc : bl_cib_client_xpath(cli->client, expr, result, &cli->err);
}

/* `cib query --xpath EXPR`: each selected element as XML. */
static int
cib_query(bl_cli_t *cli, int argc, char **argv)
{
    const char *expr = NULL;
    xmlDoc *result = NULL;
    int rc;

    if (argc == 3 && strcmp(argv[1], "--xpath") == 0) {
        expr = argv[2];
    } else if (argc == 2 && strncmp(argv[1], "--xpath=", 8) == 0) {
        expr = argv[1] + 8;
    }
    if (expr == NULL || *expr == '\0') {
        bl_err_set(&cli->err, "cib query: expected --xpath EXPR (usage: cib query --xpath EXPR)");
        return BL_EUSAGE;
    }
    rc = xpath_result(cli, expr, &result);
    if (rc != 0) {
        return rc;
    }
    for (const xmlNode *node = bl_xml_first_child(xmlDocGetRootElement(result), NULL); node != NULL;
         node = bl_xml_next(node, NULL)) {
        print_element(cli, node);
    }
    xmlFreeDoc(result);
    return 0;
}

static int
cib_verify(bl_cli_t *cli, int argc, char **argv)
{
    bl_cib_version_t version;
    int rc;

    if (argc != 1) {
        bl_err_set(&cli->err, "cib verify: unexpected argument '%s' (usage: cib verify)", argv[1]);
        return BL_EUSAGE;
    }
    rc = bl__cli_cib_load(cli);
    if (rc == 0) {
        rc = bl_cib_version_get(cli->doc, &version, &cli->err);
    }
    if (rc == 0) {
        rc = bl_cib_validate(cli->doc, &cli->err);
    }
    if (rc != 0) {
        bl_err_prefix(&cli->err, "%s", cli->file != NULL ? cli->file : "CIB");
    }
    return rc;
}

/* `cib version`: "admin_epoch epoch num_updates digest", one line for scripts. */
static int
cib_version(bl_cli_t *cli, int argc, char **argv)
{
    bl_cib_version_t version = {0};
    char digest[BL_DIGEST_HEXLEN + 1];
    bl_cib_client_t *client = NULL;
    int rc;

    if (argc != 1) {
        bl_err_set(&cli->err, "cib version: unexpected argument '%s' (usage: cib version)",
                   argv[1]);
        return BL_EUSAGE;
    }
    if (cli->file != NULL) {
        rc = bl__cli_cib_load(cli);
        if (rc == 0) {
            rc = bl_cib_version_get(cli->doc, &version, &cli->err);
        }
        if (rc == 0) {
            bl_cib_digest(cli->doc, digest);
        }
    } else {
        rc = bl_cib_client_connect_small(NULL, &client, &cli->err);
        if (rc == 0) {
            rc = bl_cib_client_version(client, &version, digest, &cli->err);
        }
        bl_cib_client_free(client);
    }
    if (rc == 0) {
        g_string_append_printf(cli->out, "%" PRId64 " %" PRId64 " %" PRId64 " %s\n",
                               version.admin_epoch, version.epoch, version.num_updates, digest);
    }
    return rc;
}

/* What `cib modify|create|replace|delete` was given. */
typedef struct edit_args {
    const char *verb;
    const char *section;
    bool allow_create;
    const char *xml_text;
    const char *xml_file;
} edit_args_t;

/* Takes the value of OPTION ("--option VALUE" or "--option=VALUE") at argv[*i]. */
static bool
option_value(const char *option, int argc, char **argv, int *i, const char **value)
{
    size_t len = strlen(option);

    if (strcmp(argv[*i], option) == 0 && *i + 1 < argc) {
        *value = argv[++*i];
        return true;
    }
    if (strncmp(argv[*i], option, len) == 0 && argv[*i][len] == '=') {
        *value = argv[*i] + len + 1;
        return true;
    }
    return false;
}

static int
parse_edit_args(bl_cli_t *cli, int argc, char **argv, edit_args_t *args)
{
    args->verb = argv[0];
    for (int i = 1; i < argc; i++) {
        if (option_value("--section", argc, argv, &i, &args->section)
            || option_value("--xml-text", argc, argv, &i, &args->xml_text)
            || option_value("--xml-file", argc, argv, &i, &args->xml_file)) {
            continue;
        }
        if (strcmp(argv[i], "--allow-create") == 0 && strcmp(args->verb, "modify") == 0) {
            args->allow_create = true;
            continue;
        }
        bl_err_set(
            &cli->err,
            "cib %s: unexpected argument '%s' (usage: cib %s [--section NAME]%s --xml-text XML | --xml-file FILE)",
            args->verb, argv[i], args->verb,
            strcmp(args->verb, "modify") == 0 ? " [--allow-create]" : "");
        return BL_EUSAGE;
    }
    if ((args->xml_text == NULL) == (args->xml_file == NULL)) {
        bl_err_set(&cli->err, "cib %s: expected one of --xml-text XML or --xml-file FILE",
                   args->verb);
        return BL_EUSAGE;
    }
    return 0;
}

/* <cib-edit> with the one operation ARGS describe. */
static int
build_edit(bl_cli_t *cli, const edit_args_t *args, xmlDoc **edit)
{
    xmlDoc *element = NULL;
    xmlNode *op;
    int rc = args->xml_text != NULL ? bl_xml_parse(args->xml_text, strlen(args->xml_text),
                                                   "--xml-text", &element, &cli->err)
                                    : bl_xml_parse_file(args->xml_file, &element, &cli->err);

    if (rc != 0) {
        bl_err_prefix(&cli->err, "cib %s", args->verb);
        return rc == BL_EPARSE ? BL_EINVALID : rc;
    }
    *edit = xmlNewDoc((const xmlChar *) "1.0");
    xmlDocSetRootElement(*edit, xmlNewDocNode(*edit, NULL, (const xmlChar *) "cib-edit", NULL));
    op = bl_xml_add_child(xmlDocGetRootElement(*edit), args->verb);
    bl_xml_set_attr(op, "section", args->section);
    if (args->allow_create) {
        bl_xml_set_attr(op, "create", "true");
    }
    xmlAddChild(op, xmlDocCopyNode(xmlDocGetRootElement(element), *edit, 1));
    xmlFreeDoc(element);
    return 0;
}

/*
 * `cib modify|create|replace|delete`, as cibadmin's: live, the daemon applies the edit to
 * its current CIB (nothing is fetched); on a file, it is applied to the working copy,
 * which is validated and written as for every other command.
 */
static int
cib_edit(bl_cli_t *cli, int argc, char **argv)
{
    edit_args_t args = {0};
    xmlDoc *edit = NULL;
    int rc = parse_edit_args(cli, argc, argv, &args);

    if (rc == 0) {
        rc = build_edit(cli, &args, &edit);
    }
    if (rc == 0 && cli->file == NULL && cli->doc == NULL) {
        rc = live_client(cli);
        rc = rc != 0 ? rc : bl_cib_client_edit(cli->client, edit, &cli->err);
    } else if (rc == 0) {
        rc = bl__cli_cib_load(cli);
        rc = rc != 0 ? rc : bl_cib_edit_apply(cli->doc, edit, NULL, NULL, &cli->err);
    }
    /* The daemon's messages already start with the operation ("modify: no nvpair ..."). */
    if (rc != 0 && rc != BL_EUSAGE && cli->err != NULL && strncmp(cli->err, "cib ", 4) != 0) {
        if (strncmp(cli->err, args.verb, strlen(args.verb)) == 0) {
            char *named = bl_asprintf("cib %s", cli->err);

            free(cli->err);
            cli->err = named;
        } else {
            bl_err_prefix(&cli->err, "cib %s", args.verb);
        }
    }
    xmlFreeDoc(edit);
    return rc;
}

/* Commands of `belay configure` that belay-based runs itself (it refuses the others). */
static const char *const daemon_verbs[] = {
    "primitive",   "group",       "clone",  "ms",       "location",
    "colocation",  "collocation", "order",  "property", "rsc_defaults",
    "op_defaults", "node",        "delete", "rename",   NULL,
};

int
bl__cli_cib_live_configure(bl_cli_t *cli, int argc, char **argv)
{
    bool known = false;
    xmlDoc *edit;
    xmlNode *crm;
    int rc;

    for (int i = 0; daemon_verbs[i] != NULL && argc > 0; i++) {
        known = known || strcmp(daemon_verbs[i], argv[0]) == 0;
    }
    if (!known || cli->file != NULL || cli->doc != NULL || getenv("BELAY_CIB_FETCH") != NULL) {
        return 1;
    }
    edit = xmlNewDoc((const xmlChar *) "1.0");
    xmlDocSetRootElement(edit, xmlNewDocNode(edit, NULL, (const xmlChar *) "cib-edit", NULL));
    crm = bl_xml_add_child(xmlDocGetRootElement(edit), "crm");
    for (int i = 0; i < argc; i++) {
        xmlNewTextChild(crm, NULL, (const xmlChar *) "arg", (const xmlChar *) argv[i]);
    }
    rc = live_client(cli);
    if (rc == 0) {
        rc = bl_cib_client_edit(cli->client, edit, &cli->err);
    }
    xmlFreeDoc(edit);
    return rc;
}

/*
 * `cib replace FILE`: FILE's CIB, validated, replaces the whole CIB, as cibadmin --replace
 * does. The daemon takes it only when its version is newer than the current one.
 */
static int
cib_replace(bl_cli_t *cli, int argc, char **argv)
{
    xmlDoc *doc = NULL;
    int rc;

    if (argc != 2) {
        bl_err_set(&cli->err, "cib replace: expected one file (usage: cib replace FILE)");
        return BL_EUSAGE;
    }
    rc = bl_cib_load(argv[1], &doc, &cli->err);
    if (rc == 0 && cli->file != NULL) {
        rc = lock_cib(cli);
        rc = rc != 0 ? rc : bl_cib_validate(doc, &cli->err);
        rc = rc != 0 ? rc : bl_cib_save(cli->file, doc, &cli->err);
    } else if (rc == 0) {
        rc = live_client(cli);
        rc = rc != 0 ? rc : bl_cib_client_replace(cli->client, doc, &cli->err);
    }
    if (rc != 0) {
        bl_err_prefix(&cli->err, "cib replace %s", argv[1]);
    }
    xmlFreeDoc(doc);
    return rc;
}

int
bl__cli_cib_run(bl_cli_t *cli, int argc, char **argv)
{
    static const char *const verbs[] = {"new",    "show",   "query",   "verify", "version",
                                        "modify", "create", "replace", "delete", NULL};
    char *hint;

    if (argc < 2) {
        bl_err_set(
            &cli->err,
            "cib: missing command (new, show, query, verify, version, modify, create, replace or delete)");
        return BL_EUSAGE;
    }
    if (strcmp(argv[1], "new") == 0) {
        return cib_new(cli, argc - 1, argv + 1);
    }
    if (strcmp(argv[1], "show") == 0) {
        return cib_show(cli, argc - 1, argv + 1);
    }
    if (strcmp(argv[1], "query") == 0) {
        return cib_query(cli, argc - 1, argv + 1);
    }
    if (strcmp(argv[1], "verify") == 0) {
        return cib_verify(cli, argc - 1, argv + 1);
    }
    if (strcmp(argv[1], "version") == 0) {
        return cib_version(cli, argc - 1, argv + 1);
    }
    if (strcmp(argv[1], "replace") == 0 && argc == 3 && strncmp(argv[2], "--", 2) != 0) {
        return cib_replace(cli, argc - 1, argv + 1);
    }
    for (int i = 5; verbs[i] != NULL; i++) {
        if (strcmp(argv[1], verbs[i]) == 0) {
            return cib_edit(cli, argc - 1, argv + 1);
        }
    }
    hint = bl__cli_did_you_mean(argv[1], verbs);
    bl_err_set(&cli->err, "cib: unknown command '%s'%s", argv[1], hint);
    free(hint);
    return BL_EUSAGE;
}
