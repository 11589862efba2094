/* tools/crm internals shared by the command files: the per-operation context and helpers. */
#ifndef BELAY_CRM_PRIVATE_H
#define BELAY_CRM_PRIVATE_H

#include <stdbool.h>

#include <glib.h>
#include <libxml/tree.h>

#include <belay/crm.h>

/*
 * One run of commands over a document. The id index maps every id defined under
 * <configuration> to its element, so that each command looks ids up in O(1) instead of
 * walking the document (a 10,000-primitive script would otherwise be quadratic).
 * Commands that restructure the document wholesale drop the index; it is rebuilt lazily.
 */
typedef struct crm_ctx {
    xmlDoc *doc;
    xmlNode *config;     /* <configuration> */
    GHashTable *ids;     /* id (owned) -> element (borrowed); NULL = rebuild */
    GString *out;        /* text output of show */
    bool update;         /* load update: objects with an existing id replace it */
    int depth;           /* nesting of load/filter, bounds recursion */
    GHashTable *touched; /* during filter: ids of the objects its output defined */
} crm_ctx_t;

/* Who a set belongs to, for messages: "primitive vip", "property cib-bootstrap-options". */
typedef struct crm_owner {
    const char *what;
    const char *id;
} crm_owner_t;

/* A command handler: argv[0] is the verb. */
typedef int (*crm_cmd_fn)(crm_ctx_t *ctx, int argc, char *const argv[], char **err);

/* ---- context, ids (crm_ctx.c) */
int bl__crm_ctx_init(crm_ctx_t *ctx, xmlDoc *doc, GString *out, char **err);
void bl__crm_ctx_fini(crm_ctx_t *ctx);
void bl__crm_ids_drop(crm_ctx_t *ctx);
xmlNode *bl__crm_id_lookup(crm_ctx_t *ctx, const char *id);
void bl__crm_ids_add_tree(crm_ctx_t *ctx, xmlNode *node);
void bl__crm_ids_remove_tree(crm_ctx_t *ctx, xmlNode *node);
/* Indexes NODE under its id attribute (which must not change while indexed). */
void bl__crm_id_register(crm_ctx_t *ctx, xmlNode *node);
/* Sets id on NODE: BASE, or BASE-0, BASE-1… when taken; registers it. */
const char *bl__crm_id_assign(crm_ctx_t *ctx, xmlNode *node, const char *base);
bool bl__crm_id_valid(const char *id);
/* Default id of a node's attribute set, as Pacemaker's crm_attribute writes it. */
char *bl__crm_node_set_id(const char *node_id, const char *tag);
xmlNode *bl__crm_section(crm_ctx_t *ctx, const char *name);
bool bl__crm_is_resource(const xmlNode *node);
xmlNode *bl__crm_resource(crm_ctx_t *ctx, const char *id);
/* Error "WHAT ID: no resource 'NAME' (did you mean 'X'?)"; returns BL_ENOTFOUND. */
int bl__crm_no_resource(crm_ctx_t *ctx, const char *what, const char *id, const char *name,
                        char **err);
/* Checks a new object's id: valid and unused (unless update mode replaces it). */
int bl__crm_check_new_id(crm_ctx_t *ctx, const char *what, const char *id, char **err);
/* Inserts NODE into PARENT, before BEFORE when not NULL; indexes its ids. */
void bl__crm_insert(crm_ctx_t *ctx, xmlNode *parent, xmlNode *node, xmlNode *before);
/* Unlinks and frees NODE after removing its ids from the index. */
void bl__crm_remove(crm_ctx_t *ctx, xmlNode *node);
/*
 * Update mode (load update, filter): returns the existing object ID that the command
 * replaces, with its ids taken out of the index, or NULL. replace_end puts NODE in its
 * place (or last in PARENT) when rc is 0, else discards NODE and restores OLD's ids.
 */
xmlNode *bl__crm_replace_begin(crm_ctx_t *ctx, const char *id);
void bl__crm_replace_end(crm_ctx_t *ctx, xmlNode *old, xmlNode *node, xmlNode *parent, int rc);

/* ---- shared parsing helpers (crm_ctx.c) */
bool bl__crm_split_nv(const char *word, char **name, char **value);
bool bl__crm_name_valid(const char *name);
/* crmsh's score syntax: [+-]inf/INF/infinity/INFINITY or digits; writes the XML form. */
bool bl__crm_score(const char *text, char **xml_score);
bool bl__crm_role_valid(const char *role);
bool bl__crm_action_valid(const char *action);
/* Adds an nvpair set (TAG, id = OWNER-TAG) under PARENT from words NAME=VALUE. */
xmlNode *bl__crm_nvset_new(crm_ctx_t *ctx, xmlNode *parent, const char *tag, const char *owner);
int bl__crm_nvset_fill(crm_ctx_t *ctx, xmlNode *set, const crm_owner_t *owner, char *const words[],
                       int count, char **err);
/* Sets NAME=VALUE in SET, updating an existing nvpair of that name in place. */
xmlNode *bl__crm_nvset_put(crm_ctx_t *ctx, xmlNode *set, const char *name, const char *value);

/* ---- commands */
int bl__crm_cmd_primitive(crm_ctx_t *ctx, int argc, char *const argv[], char **err);
int bl__crm_cmd_group(crm_ctx_t *ctx, int argc, char *const argv[], char **err);
int bl__crm_cmd_clone(crm_ctx_t *ctx, int argc, char *const argv[], char **err);
int bl__crm_cmd_location(crm_ctx_t *ctx, int argc, char *const argv[], char **err);
int bl__crm_cmd_colocation(crm_ctx_t *ctx, int argc, char *const argv[], char **err);
int bl__crm_cmd_order(crm_ctx_t *ctx, int argc, char *const argv[], char **err);
int bl__crm_cmd_property(crm_ctx_t *ctx, int argc, char *const argv[], char **err);
int bl__crm_cmd_node(crm_ctx_t *ctx, int argc, char *const argv[], char **err);
int bl__crm_cmd_delete(crm_ctx_t *ctx, int argc, char *const argv[], char **err);
int bl__crm_cmd_rename(crm_ctx_t *ctx, int argc, char *const argv[], char **err);
int bl__crm_cmd_filter(crm_ctx_t *ctx, int argc, char *const argv[], char **err);
int bl__crm_cmd_load(crm_ctx_t *ctx, int argc, char *const argv[], char **err);
int bl__crm_cmd_show(crm_ctx_t *ctx, int argc, char *const argv[], char **err);

/* Parses one rule (words after "rule") into a new <rule> under LOC (crm_rule.c). */
int bl__crm_rule_parse(crm_ctx_t *ctx, xmlNode *loc, char *const words[], int count, char **err);
/* Appends the crm text of RULE (after "rule ") to OUT (crm_rule.c). */
void bl__crm_rule_show(GString *out, const xmlNode *rule, const char *loc_id);

/* Records that the running filter output defined object ID (crm_ctx.c). */
void bl__crm_touch(crm_ctx_t *ctx, const char *id);
/* True when NODE is an object delete accepts; deletes it with its dangling references. */
bool bl__crm_deletable(const xmlNode *node);
void bl__crm_delete_object(crm_ctx_t *ctx, xmlNode *node);

/* Removes every constraint reference to resource ID (crm_edit.c). */
void bl__crm_drop_references(crm_ctx_t *ctx, const char *id);

/* Runs a script within CTX (crm_configure.c). */
int bl__crm_script_run(crm_ctx_t *ctx, const char *text, const char *name, char **err);
/* Dispatches one command within CTX (crm_configure.c). */
int bl__crm_dispatch(crm_ctx_t *ctx, int argc, char *const argv[], char **err);
/* Renders the objects whose ids are in IDS (NULL = all) in crm syntax (crm_show.c). */
/* SHOWN (may be NULL) receives copies of the ids of the objects rendered. */
int bl__crm_render(xmlNode *config, char *const ids[], GString *text, GPtrArray *shown, char **err);
/* Appends VALUE quoted as crmsh does when it needs quoting (crm_show.c). */
void bl__crm_quote(GString *out, const char *value);

#endif /* BELAY_CRM_PRIVATE_H */
