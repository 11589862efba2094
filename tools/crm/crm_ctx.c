/* The per-operation context of the crm grammar: id index, lookups, shared parsing helpers. */
#include <string.h>

#include <belay/cib.h>

#include "crm_private.h"

/* Elements whose "id" attribute is a reference, not a definition. */
static bool
id_is_reference(const xmlNode *node)
{
    return bl_xml_is(node, "resource_ref");
}

void
bl__crm_ids_add_tree(crm_ctx_t *ctx, xmlNode *node)
{
    const char *id;

    if (ctx->ids == NULL) {
        return;
    }
    id = bl_xml_attr(node, "id");
    if (id != NULL && !id_is_reference(node)) {
        g_hash_table_replace(ctx->ids, (gpointer) id, node);
    }
    for (xmlNode *child = bl_xml_first_child(node, NULL); child != NULL;
         child = bl_xml_next(child, NULL)) {
        bl__crm_ids_add_tree(ctx, child);
    }
}

void
bl__crm_ids_remove_tree(crm_ctx_t *ctx, xmlNode *node)
{
    const char *id;

    if (ctx->ids == NULL) {
        return;
    }
    id = bl_xml_attr(node, "id");
    if (id != NULL && !id_is_reference(node) && g_hash_table_lookup(ctx->ids, id) == node) {
        g_hash_table_remove(ctx->ids, id);
    }
    for (xmlNode *child = bl_xml_first_child(node, NULL); child != NULL;
         child = bl_xml_next(child, NULL)) {
        bl__crm_ids_remove_tree(ctx, child);
    }
}

int
bl__crm_ctx_init(crm_ctx_t *ctx, xmlDoc *doc, GString *out, char **err)
{
    memset(ctx, 0, sizeof(*ctx));
    ctx->doc = doc;
    ctx->out = out;
    ctx->config = bl_cib_section(doc, "configuration");
    if (ctx->config == NULL) {
        bl_err_set(err, "the CIB has no configuration section");
        return BL_EINVALID;
    }
    return 0;
}

void
bl__crm_ctx_fini(crm_ctx_t *ctx)
{
    bl__crm_ids_drop(ctx);
}

void
bl__crm_ids_drop(crm_ctx_t *ctx)
{
    if (ctx->ids != NULL) {
        g_hash_table_destroy(ctx->ids);
        ctx->ids = NULL;
    }
}

xmlNode *
bl__crm_id_lookup(crm_ctx_t *ctx, const char *id)
{
    if (ctx->ids == NULL) {
        /* Keys are the id attributes' own text (no copy: 100,000 ids cost a fifth of a
         * second to duplicate); every change to an indexed id goes through the index. */
        ctx->ids = g_hash_table_new(g_str_hash, g_str_equal);
        bl__crm_ids_add_tree(ctx, ctx->config);
    }
    return g_hash_table_lookup(ctx->ids, id);
}

void
bl__crm_id_register(crm_ctx_t *ctx, xmlNode *node)
{
    bl__crm_id_lookup(ctx, ""); /* builds the index when needed */
    g_hash_table_replace(ctx->ids, (gpointer) bl_xml_attr(node, "id"), node);
}

const char *
bl__crm_id_assign(crm_ctx_t *ctx, xmlNode *node, const char *base)
{
    char *id = g_strdup(base);

    for (unsigned n = 0; bl__crm_id_lookup(ctx, id) != NULL; n++) {
        g_free(id);
        id = g_strdup_printf("%s-%u", base, n);
    }
    bl_xml_set_attr(node, "id", id);
    g_free(id);
    bl__crm_id_register(ctx, node);
    return bl_xml_attr(node, "id");
}

/* XML ids are NCNames: a letter or '_' first, then letters, digits, '.', '-', '_'. */
bool
bl__crm_id_valid(const char *id)
{
    if (id == NULL || !(g_ascii_isalpha(id[0]) || id[0] == '_')) {
        return false;
    }
    for (const char *p = id; *p != '\0'; p++) {
        if (!g_ascii_isalnum(*p) && *p != '.' && *p != '-' && *p != '_') {
            return false;
        }
    }
    return true;
}

/* "num-1-instance_attributes" (case 31): ids cannot start with a digit, node ids often do. */
char *
bl__crm_node_set_id(const char *node_id, const char *tag)
{
    bool digit = node_id != NULL && g_ascii_isdigit(node_id[0]);

    return g_strdup_printf("%s%s-%s", digit ? "num-" : "", node_id, tag);
}

xmlNode *
bl__crm_section(crm_ctx_t *ctx, const char *name)
{
    xmlNode *section = bl_xml_first_child(ctx->config, name);

    if (section == NULL) {
        section = bl_xml_add_child(ctx->config, name);
    }
    return section;
}

bool
bl__crm_is_resource(const xmlNode *node)
{
    return bl_xml_is(node, "primitive") || bl_xml_is(node, "group") || bl_xml_is(node, "clone")
           || bl_xml_is(node, "master");
}

xmlNode *
bl__crm_resource(crm_ctx_t *ctx, const char *id)
{
    xmlNode *node = bl__crm_id_lookup(ctx, id);

    return bl__crm_is_resource(node) ? node : NULL;
}

static void
closest_resource(const xmlNode *parent, const char *name, const char **best, unsigned *dist)
{
    for (xmlNode *child = bl_xml_first_child(parent, NULL); child != NULL;
         child = bl_xml_next(child, NULL)) {
        if (!bl__crm_is_resource(child)) {
            continue;
        }
        unsigned d = bl_edit_distance(name, bl_xml_attr(child, "id"), 3);

        if (d < *dist) {
            *dist = d;
            *best = bl_xml_attr(child, "id");
        }
        closest_resource(child, name, best, dist);
    }
}

int
bl__crm_no_resource(crm_ctx_t *ctx, const char *what, const char *id, const char *name, char **err)
{
    const char *best = NULL;
    unsigned dist = 3;

    closest_resource(bl_xml_first_child(ctx->config, "resources"), name, &best, &dist);
    if (best != NULL) {
        bl_err_set(err, "%s %s: no resource '%s' (did you mean '%s'?)", what, id, name, best);
    } else {
        bl_err_set(err, "%s %s: no resource '%s'", what, id, name);
    }
    return BL_ENOTFOUND;
}

int
bl__crm_check_new_id(crm_ctx_t *ctx, const char *what, const char *id, char **err)
{
    if (!bl__crm_id_valid(id)) {
        bl_err_set(
            err,
            "%s: '%s' is not a valid id (a letter or '_' first, then letters, digits, '.', '-' or '_')",
            what, id);
        return BL_EPARSE;
    }
    if (bl__crm_id_lookup(ctx, id) != NULL && !ctx->update) {
        bl_err_set(err, "%s %s: id '%s' is already in use", what, id, id);
        return BL_EEXISTS;
    }
    return 0;
}

void
bl__crm_insert(crm_ctx_t *ctx, xmlNode *parent, xmlNode *node, xmlNode *before)
{
    if (before != NULL) {
        xmlAddPrevSibling(before, node);
    } else {
        xmlAddChild(parent, node);
    }
    bl__crm_ids_add_tree(ctx, node);
}

void
bl__crm_remove(crm_ctx_t *ctx, xmlNode *node)
{
    bl__crm_ids_remove_tree(ctx, node);
    bl_xml_remove(node);
}

xmlNode *
bl__crm_replace_begin(crm_ctx_t *ctx, const char *id)
{
    xmlNode *old;

    if (!ctx->update) {
        return NULL;
    }
    old = bl__crm_id_lookup(ctx, id);
    if (old != NULL) {
        /* Free the old object's ids so the new one gets the same generated ids. */
        bl__crm_ids_remove_tree(ctx, old);
    }
    return old;
}

void
bl__crm_replace_end(crm_ctx_t *ctx, xmlNode *old, xmlNode *node, xmlNode *parent, int rc)
{
    if (rc != 0) {
        if (node != NULL) {
            bl__crm_remove(ctx, node);
        }
        if (old != NULL) {
            bl__crm_ids_add_tree(ctx, old);
        }
        return;
    }
    if (old != NULL && old->parent != NULL) {
        xmlAddPrevSibling(old, node);
        bl_xml_remove(old);
    } else {
        xmlAddChild(parent, node);
    }
    bl__crm_ids_add_tree(ctx, node);
    bl__crm_touch(ctx, bl_xml_attr(node, "id"));
}

void
bl__crm_touch(crm_ctx_t *ctx, const char *id)
{
    if (ctx->touched != NULL && id != NULL) {
        g_hash_table_add(ctx->touched, g_strdup(id));
    }
}

bool
bl__crm_split_nv(const char *word, char **name, char **value)
{
    const char *eq = strchr(word, '=');

    if (eq == NULL || eq == word) {
        return false;
    }
    *name = g_strndup(word, (gsize) (eq - word));
    *value = g_strdup(eq + 1);
    return true;
}

/* Names are printed unquoted by show, so they must survive word splitting. */
bool
bl__crm_name_valid(const char *name)
{
    if (name[0] == '\0' || name[0] == '$' || name[0] == '@') {
        return false;
    }
    for (const char *p = name; *p != '\0'; p++) {
        if (g_ascii_isspace(*p) || strchr("=\"'\\()[]{}", *p) != NULL
            || (unsigned char) *p < 0x20) {
            return false;
        }
    }
    return true;
}

bool
bl__crm_score(const char *text, char **xml_score)
{
    const char *p = text;
    const char *sign = "";

    if (*p == '+' || *p == '-') {
        sign = *p == '+' ? "+" : "-";
        p++;
    }
    if (strcmp(p, "inf") == 0 || strcmp(p, "infinity") == 0 || strcmp(p, "INF") == 0
        || strcmp(p, "INFINITY") == 0) {
        *xml_score = g_strdup_printf("%sINFINITY", sign);
        return true;
    }
    if (*p == '\0' || strlen(p) > 9) {
        return false;
    }
    for (const char *d = p; *d != '\0'; d++) {
        if (!g_ascii_isdigit(*d)) {
            return false;
        }
    }
    *xml_score = g_strdup(text);
    return true;
}

bool
bl__crm_role_valid(const char *role)
{
    static const char *const roles[] = {
        "Started", "Stopped", "Promoted", "Unpromoted", "Master", "Slave", NULL,
    };

    return g_strv_contains(roles, role);
}

bool
bl__crm_action_valid(const char *action)
{
    static const char *const actions[] = {"start", "stop", "promote", "demote", NULL};

    return g_strv_contains(actions, action);
}

xmlNode *
bl__crm_nvset_new(crm_ctx_t *ctx, xmlNode *parent, const char *tag, const char *owner)
{
    xmlNode *set = bl_xml_add_child(parent, tag);
    char *base = g_strdup_printf("%s-%s", owner, tag);

    bl__crm_id_assign(ctx, set, base);
    g_free(base);
    return set;
}

xmlNode *
bl__crm_nvset_put(crm_ctx_t *ctx, xmlNode *set, const char *name, const char *value)
{
    xmlNode *nvpair;
    char *base;

    for (nvpair = bl_xml_first_child(set, "nvpair"); nvpair != NULL;
         nvpair = bl_xml_next(nvpair, "nvpair")) {
        if (g_strcmp0(bl_xml_attr(nvpair, "name"), name) == 0) {
            bl_xml_set_attr(nvpair, "value", value);
            return nvpair;
        }
    }
    nvpair = bl_xml_add_child(set, "nvpair");
    base = g_strdup_printf("%s-%s", bl_xml_attr(set, "id"), name);
    bl__crm_id_assign(ctx, nvpair, base);
    bl_xml_set_attr(nvpair, "name", name);
    bl_xml_set_attr(nvpair, "value", value);
    g_free(base);
    return nvpair;
}

/* Gives NODE the explicit id NEW_ID (show prints ids that are not the generated ones). */
static int
rename_to(crm_ctx_t *ctx, xmlNode *node, const char *new_id, const crm_owner_t *owner, char **err)
{
    if (strcmp(new_id, bl_xml_attr(node, "id")) == 0) {
        return 0;
    }
    if (!bl__crm_name_valid(new_id) || (bl__crm_id_lookup(ctx, new_id) != NULL && !ctx->update)) {
        bl_err_set(err, "%s %s: id '%s' is %s", owner->what, owner->id, new_id,
                   bl__crm_name_valid(new_id) ? "already in use" : "not valid");
        return BL_EEXISTS;
    }
    bl__crm_ids_remove_tree(ctx, node);
    bl_xml_set_attr(node, "id", new_id);
    bl__crm_ids_add_tree(ctx, node);
    return 0;
}

/* One word of a set: NAME=VALUE, $NVPAIR-ID:NAME=VALUE, or (first) $id=SET-ID. */
static int
nvset_word(crm_ctx_t *ctx, xmlNode *set, const crm_owner_t *owner, const char *word, bool first,
           char **err)
{
    g_autofree char *nv_id = NULL;
    g_autofree char *name = NULL;
    g_autofree char *value = NULL;
    const char *colon = strchr(word, ':');
    const char *eq = strchr(word, '=');

    if (first && g_str_has_prefix(word, "$id=")) {
        return rename_to(ctx, set, word + 4, owner, err);
    }
    if (word[0] == '$' && colon != NULL && eq != NULL && colon < eq) {
        nv_id = g_strndup(word + 1, (gsize) (colon - word - 1));
        word = colon + 1;
    }
    if (!bl__crm_split_nv(word, &name, &value) || !bl__crm_name_valid(name)) {
        bl_err_set(err, "%s %s: expected NAME=VALUE, got '%s'", owner->what, owner->id, word);
        return BL_EPARSE;
    }
    xmlNode *nvpair = bl__crm_nvset_put(ctx, set, name, value);

    return nv_id != NULL ? rename_to(ctx, nvpair, nv_id, owner, err) : 0;
}

/*
 * Fills SET from NAME=VALUE words. A leading "$id=X" names the set and "$X:NAME=VALUE" an
 * nvpair explicitly: show prints them when they are not the generated ids.
 */
int
bl__crm_nvset_fill(crm_ctx_t *ctx, xmlNode *set, const crm_owner_t *owner, char *const words[],
                   int count, char **err)
{
    for (int i = 0; i < count; i++) {
        int rc = nvset_word(ctx, set, owner, words[i], i == 0, err);

        if (rc != 0) {
            return rc;
        }
    }
    return 0;
}
