/*
 * tools/: the belay program. Every command works on one working copy of the CIB (loaded
 * from --file / BELAY_CIB_FILE) and ends through the same write path: validate, bump the
 * version, write atomically — or, on any error, leave the file untouched.
 */
#ifndef BELAY_CLI_PRIVATE_H
#define BELAY_CLI_PRIVATE_H

#include <stdbool.h>

#include <glib.h>
#include <libxml/tree.h>

#include <belay/common.h>

/* Process exit codes of belay (documented in `belay --help`). */
enum bl_cli_exit {
    BL_CLI_EXIT_OK = 0,
    BL_CLI_EXIT_ERROR = 1,    /* the command failed for a reason not listed below */
    BL_CLI_EXIT_USAGE = 2,    /* bad command line (unknown command, missing argument, no CIB) */
    BL_CLI_EXIT_NOTFOUND = 3, /* a named resource, node, attribute or object does not exist */
    BL_CLI_EXIT_INVALID = 4,  /* the input or the resulting CIB is invalid */
    BL_CLI_EXIT_IO = 5,       /* the CIB file cannot be read or written */
};

/* The state of one belay run. */
typedef struct bl_cli {
    const char *file; /* CIB file, NULL when none was given (live mode) */
    xmlDoc *doc;      /* working copy, NULL until bl__cli_cib_load() */
    char *loaded;     /* canonical form of the file as loaded: was anything changed? */
    char *checkpoint; /* canonical form at the last commit point */
    char checkpoint_digest[BL_DIGEST_HEXLEN + 1]; /* configuration digest there */
    GString *out;                                 /* what goes to stdout */
    char *err;                                    /* the one error sentence (see bl_err_set()) */
    int lock_fd; /* the CIB's directory, locked while this run uses the file; -1 before */
    struct bl_cib_client *client; /* live mode: the connection to belay-based, kept for the write */
} bl_cli_t;

/* A command: NAME ARGS… with argv[0] = NAME. Returns 0 or a -errno / BL_E* code. */
typedef int (*bl_cli_run_fn)(bl_cli_t *cli, int argc, char **argv);

typedef struct bl_cli_command {
    const char *name;
    bl_cli_run_fn run;
    const char *summary; /* one line for `belay --help` */
    const char *usage;   /* full text for `belay help NAME` */
} bl_cli_command_t;

/* ------------------------------------------------------------ cli_cib.c */

/* Loads cli->file into cli->doc (once). BL_EUSAGE when there is no file (live mode). */
int bl__cli_cib_load(bl_cli_t *cli);

/*
 * A commit point: when the working copy changed since the last one, validates it and
 * bumps epoch (configuration changed, by digest) or num_updates (status only).
 */
int bl__cli_cib_checkpoint(bl_cli_t *cli);

/* Commits (see bl__cli_cib_checkpoint()) and writes the file when anything changed. */
int bl__cli_cib_finish(bl_cli_t *cli);

/*
 * The configuration section NAME (constraints, nodes, …) of DOC, created in Pacemaker's
 * order (with <configuration> itself) when the file has none.
 */
xmlNode *bl__cli_cib_section_ensure(xmlDoc *doc, const char *name);

/*
 * Live mode: sends `configure ARGV…` (a command that only changes the CIB) to belay-based,
 * which runs it on its current CIB — nothing is fetched, no version can be raced. Returns
 * 1 when it does not apply (a file, a script, another command, or BELAY_CIB_FETCH set:
 * then fetch, edit and send a diff), else the write's outcome.
 */
int bl__cli_cib_live_configure(bl_cli_t *cli, int argc, char **argv);

/* Frees what cli holds (not cli itself). */
void bl__cli_free(bl_cli_t *cli);

/* `belay cib new|show|verify`. */
int bl__cli_cib_run(bl_cli_t *cli, int argc, char **argv);

/* ------------------------------------------------------ cli_configure.c */

/* `belay configure VERB …`: one configure-level command on the working copy. */
int bl__cli_configure_run(bl_cli_t *cli, int argc, char **argv);

/*
 * One configure-level command, argv[0] = VERB, on the loaded working copy: `commit` is a
 * commit point (bl__cli_cib_checkpoint()), anything else goes to bl_crm_configure().
 */
int bl__cli_configure_exec(bl_cli_t *cli, int argc, char **argv);

/* ------------------------------------------------------------ cli_attr.c */

/*
 * The first <TAG> set (meta_attributes, instance_attributes) under PARENT; when absent
 * and CREATE, a new one with id SET_ID inserted where crmsh puts it. NULL otherwise.
 */
xmlNode *bl__cli_attr_set(xmlNode *parent, const char *tag, const char *set_id, bool create);

/*
 * Sets NAME=VALUE in the first TAG set of PARENT (created with id SET_ID when missing);
 * an existing nvpair NAME in any TAG set of PARENT is updated in place. New nvpairs get
 * the id "<set id>-NAME" (made unique in DOC). Returns true when something changed.
 */
bool bl__cli_attr_put(xmlNode *parent, const char *tag, const char *set_id, const char *name,
                      const char *value);

/* The nvpair NAME in a TAG set of PARENT, or NULL. */
xmlNode *bl__cli_attr_find(const xmlNode *parent, const char *tag, const char *name);

/* Removes every nvpair NAME from PARENT's TAG sets (and sets left empty); count removed. */
int bl__cli_attr_remove(xmlNode *parent, const char *tag, const char *name);

/* Where `… set|delete|show NAME [VALUE]` works, and how messages name it. */
typedef struct bl_cli_attr_target {
    xmlNode *parent;    /* the element holding the sets (primitive, node, …) */
    const char *tag;    /* meta_attributes or instance_attributes */
    const char *set_id; /* id of a set created for `set` */
    const char *what;   /* the object, for messages: "resource meta vip" */
    const char *kind;   /* the attribute kind, for messages: "meta attribute" */
} bl_cli_attr_target_t;

/* `set|delete|show [NAME [VALUE]]` (argv[0] = set, delete or show) on TARGET. */
int bl__cli_attr_command(bl_cli_t *cli, const bl_cli_attr_target_t *target, int argc, char **argv);

/* "ID" made unique in DOC: ID itself when free, else ID-1, ID-2, … Caller frees. */
char *bl__cli_unique_id(const xmlDoc *doc, const char *id);

/*
 * " (did you mean 'X'?)" for the candidate closest to NAME, or "" when none is close.
 * CANDIDATES is a NULL-terminated array. Caller frees.
 */
char *bl__cli_did_you_mean(const char *name, const char *const *candidates);

/* ---------------------------------------------------------- cli_status.c */

/*
 * Nodes (unames) where resource RSC (a primitive, group or clone id) is active according
 * to the status section: NULL-terminated, sorted, free with g_strfreev().
 */
char **bl__cli_status_active_nodes(const xmlDoc *doc, const xmlNode *rsc);

/* True when the status section has operation history of resource ID (even if unconfigured). */
bool bl__cli_status_knows_resource(const xmlDoc *doc, const char *id);

/*
 * Erases the operation history (lrm_resource) and the fail-count-* / last-failure-*
 * transient attributes of resource RSC (its primitives), or of the status id ID when RSC
 * is NULL (an orphan), or of every resource when both are NULL; on node UNAME only when
 * not NULL. Appends "Cleaned up ID on NODE" lines to OUT; returns how much was removed.
 */
int bl__cli_status_cleanup(xmlDoc *doc, const xmlNode *rsc, const char *id, const char *uname,
                           GString *out);

/* The <node_state> of node UNAME (NODE_ID when known), created when CREATE, or NULL. */
xmlNode *bl__cli_status_node_state(xmlDoc *doc, const char *uname, const char *node_id,
                                   bool create);

/* ------------------------------------------------------- cli_resource.c */

/* `belay resource VERB …`. */
int bl__cli_resource_run(bl_cli_t *cli, int argc, char **argv);

/*
 * The resource element (primitive, group, clone, master, bundle) with id ID, or NULL
 * with BL_ENOTFOUND's message ("no resource 'X' (did you mean 'Y'?)") in cli->err.
 */
xmlNode *bl__cli_resource_find(bl_cli_t *cli, const char *id);

/* ----------------------------------------------------------- cli_node.c */

/* `belay node VERB …`. */
int bl__cli_node_run(bl_cli_t *cli, int argc, char **argv);

/* The <node> of the configuration with uname NAME, or NULL. */
xmlNode *bl__cli_node_lookup(const xmlDoc *doc, const char *name);

/* Like bl__cli_node_lookup(), with "no node 'X' (did you mean 'Y'?)" in cli->err. */
xmlNode *bl__cli_node_find(bl_cli_t *cli, const char *name);

/* --------------------------------------------------------- cli_script.c */

/* `belay -f FILE|-`: crm's batch mode over the working copy. */
int bl__cli_script_run(bl_cli_t *cli, const char *path);

/* ---------------------------------------------------------------- belay.c */

/* The command NAME at top level, or NULL. */
const bl_cli_command_t *bl__cli_command_find(const char *name);

#endif /* BELAY_CLI_PRIVATE_H */
