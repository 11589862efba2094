/* Resources: primitive, group, clone and ms (a promotable clone). */
#include <string.h>

#include "crm_private.h"

/* Attributes an <op> element has; crmsh puts any other op word in the op's params. */
static const char *const op_attributes[] = {
    "id",      "name",    "interval",       "description", "start-delay", "interval-origin",
    "timeout", "enabled", "record-pending", "role",        "requires",    "on-fail",
    NULL,
};

static bool
is_section_keyword(const char *word)
{
    static const char *const keywords[] = {
        "params", "meta", "utilization", "op", "op_params", "op_meta", NULL,
    };

    return g_strv_contains(keywords, word);
}

/* Number of words from START up to the next section keyword. */
static int
section_length(char *const argv[], int argc, int start)
{
    int end = start;

    while (end < argc && !is_section_keyword(argv[end])) {
        end++;
    }
    return end - start;
}

static int
parse_agent(xmlNode *prim, const char *id, const char *spec, char **err)
{
    g_auto(GStrv) parts = g_strsplit(spec, ":", 4);
    guint n = g_strv_length(parts);

    for (guint i = 0; i < n; i++) {
        if (!bl__crm_name_valid(parts[i])) {
            n = 0;
        }
    }
    if (n == 1) {
        bl_xml_set_attr(prim, "class", "ocf");
        bl_xml_set_attr(prim, "provider", "heartbeat");
    } else if (n == 2 && strcmp(parts[0], "ocf") != 0) {
        bl_xml_set_attr(prim, "class", parts[0]);
    } else if (n == 3) {
        bl_xml_set_attr(prim, "class", parts[0]);
        bl_xml_set_attr(prim, "provider", parts[1]);
    } else {
        bl_err_set(err, "primitive %s: bad agent '%s' (expected [CLASS:[PROVIDER:]]TYPE)", id,
                   spec);
        return BL_EPARSE;
    }
    bl_xml_set_attr(prim, "type", parts[n - 1]);
    return 0;
}

static void
op_set_id(crm_ctx_t *ctx, xmlNode *op, const char *rsc, const char *given)
{
    char *base;

    if (bl_xml_attr(op, "interval") == NULL) {
        bl_xml_set_attr(op, "interval", "0");
    }
    if (given != NULL) {
        bl_xml_set_attr(op, "id", given);
        bl__crm_ids_add_tree(ctx, op);
        return;
    }
    base = g_strdup_printf("%s-%s-%s", rsc, bl_xml_attr(op, "name"), bl_xml_attr(op, "interval"));
    bl__crm_id_assign(ctx, op, base);
    g_free(base);
}

static void
op_add_params(crm_ctx_t *ctx, xmlNode *op, GPtrArray *params)
{
    xmlNode *set;

    if (params->len == 0) {
        return;
    }
    set = bl__crm_nvset_new(ctx, op, "instance_attributes", bl_xml_attr(op, "id"));
    for (guint i = 0; i < params->len; i += 2) {
        bl__crm_nvset_put(ctx, set, g_ptr_array_index(params, i), g_ptr_array_index(params, i + 1));
    }
}

/* Pacemaker identifies an op by name and interval: two of the same would clash. */
static bool
duplicate_op(const xmlNode *op)
{
    const char *interval = bl_xml_attr(op, "interval") ? bl_xml_attr(op, "interval") : "0";

    for (const xmlNode *o = op->prev; o != NULL; o = o->prev) {
        const char *other = bl_xml_attr(o, "interval") ? bl_xml_attr(o, "interval") : "0";

        if (o->type == XML_ELEMENT_NODE
            && g_strcmp0(bl_xml_attr(o, "name"), bl_xml_attr(op, "name")) == 0
            && strcmp(other, interval) == 0) {
            return true;
        }
    }
    return false;
}

/* "op NAME k=v…": words[0] is NAME. */
static int
parse_op(crm_ctx_t *ctx, xmlNode *prim, char *const words[], int count, char **err)
{
    const char *rsc = bl_xml_attr(prim, "id");
    xmlNode *ops = bl_xml_first_child(prim, "operations");
    g_autoptr(GPtrArray) params = g_ptr_array_new_with_free_func(g_free);
    g_autofree char *given = NULL;
    xmlNode *op;

    if (count < 1 || strchr(words[0], '=') != NULL || !bl__crm_name_valid(words[0])) {
        bl_err_set(err, "primitive %s: op needs an operation name (op NAME [K=V…])", rsc);
        return BL_EPARSE;
    }
    op = bl_xml_add_child(ops != NULL ? ops : bl_xml_add_child(prim, "operations"), "op");
    bl_xml_set_attr(op, "name", words[0]);
    for (int i = 1; i < count; i++) {
        char *name = NULL;
        char *value = NULL;

        if (!bl__crm_split_nv(words[i], &name, &value) || !bl__crm_name_valid(name)) {
            bl_err_set(err, "primitive %s: op %s: expected NAME=VALUE, got '%s'", rsc, words[0],
                       words[i]);
            g_free(name);
            g_free(value);
            return BL_EPARSE;
        }
        if (strcmp(name, "id") == 0) {
            g_free(given);
            given = value;
            g_free(name);
        } else if (g_strv_contains(op_attributes, name) && strcmp(name, "name") != 0) {
            bl_xml_set_attr(op, name, value);
            g_free(name);
            g_free(value);
        } else {
            g_ptr_array_add(params, name);
            g_ptr_array_add(params, value);
        }
    }
    if (given != NULL
        && (!bl__crm_name_valid(given)
            || (bl__crm_id_lookup(ctx, given) != NULL && !ctx->update))) {
        bl_err_set(err, "primitive %s: op %s: id '%s' is %s", rsc, words[0], given,
                   bl__crm_name_valid(given) ? "already in use" : "not valid");
        return BL_EEXISTS;
    }
    if (duplicate_op(op)) {
        bl_err_set(err, "primitive %s: a %s op with interval %s is already defined", rsc, words[0],
                   bl_xml_attr(op, "interval") ? bl_xml_attr(op, "interval") : "0");
        return BL_EINVALID;
    }
    op_set_id(ctx, op, rsc, given);
    op_add_params(ctx, op, params);
    return 0;
}

static xmlNode *
last_op(xmlNode *prim)
{
    xmlNode *ops = bl_xml_first_child(prim, "operations");
    xmlNode *last = NULL;

    for (xmlNode *op = bl_xml_first_child(ops, "op"); op != NULL; op = bl_xml_next(op, "op")) {
        last = op;
    }
    return last;
}

/* One section keyword (params, meta, utilization, op_params, op_meta) with its words. */
static int
parse_set_section(crm_ctx_t *ctx, xmlNode *owner, const char *keyword, char *const words[],
                  int count, char **err)
{
    bool op = bl_xml_is(owner, "op");
    crm_owner_t who = {op ? "primitive" : (const char *) owner->name,
                       bl_xml_attr(op ? owner->parent->parent : owner, "id")};
    const char *tag = "instance_attributes";
    xmlNode *set;

    if (strcmp(keyword, "meta") == 0 || strcmp(keyword, "op_meta") == 0) {
        tag = "meta_attributes";
    } else if (strcmp(keyword, "utilization") == 0) {
        tag = "utilization";
    }
    set = bl__crm_nvset_new(ctx, owner, tag, bl_xml_attr(owner, "id"));
    return bl__crm_nvset_fill(ctx, set, &who, words, count, err);
}

/*
 * The sections after a resource's head: [params|meta|utilization K=V…]… and, for
 * primitives, [op NAME K=V… [op_params K=V…] [op_meta K=V…]]…
 */
static int
parse_sections(crm_ctx_t *ctx, xmlNode *rsc, char *const argv[], int argc, int i, char **err)
{
    bool primitive = bl_xml_is(rsc, "primitive");
    const char *id = bl_xml_attr(rsc, "id");

    while (i < argc) {
        const char *keyword = argv[i];
        int count = section_length(argv, argc, i + 1);
        xmlNode *owner = rsc;
        int rc;

        if (!is_section_keyword(keyword)) {
            bl_err_set(err, "%s %s: unknown keyword '%s' (expected params, meta%s)",
                       (const char *) rsc->name, id, keyword,
                       primitive ? ", utilization or op" : "");
            return BL_EPARSE;
        }
        if (!primitive && strcmp(keyword, "params") != 0 && strcmp(keyword, "meta") != 0) {
            bl_err_set(err, "%s %s: '%s' is only allowed in a primitive", (const char *) rsc->name,
                       id, keyword);
            return BL_EPARSE;
        }
        if (strcmp(keyword, "op") == 0) {
            rc = parse_op(ctx, rsc, argv + i + 1, count, err);
        } else {
            if (g_str_has_prefix(keyword, "op_") && (owner = last_op(rsc)) == NULL) {
                bl_err_set(err, "primitive %s: %s must follow an op", id, keyword);
                return BL_EPARSE;
            }
            rc = parse_set_section(ctx, owner, keyword, argv + i + 1, count, err);
        }
        if (rc != 0) {
            return rc;
        }
        i += count + 1;
    }
    return 0;
}

/* crmsh puts attribute sets before ops; keep the XML in that shape whatever the typing order. */
static void
operations_last(xmlNode *prim)
{
    xmlNode *ops = bl_xml_first_child(prim, "operations");

    if (ops != NULL) {
        xmlUnlinkNode(ops);
        xmlAddChild(prim, ops);
    }
}

static int
build_primitive(crm_ctx_t *ctx, xmlNode *prim, int argc, char *const argv[], char **err)
{
    const char *id = argv[1];
    int i = 3;
    int count;
    int rc = parse_agent(prim, id, argv[2], err);

    if (rc != 0) {
        return rc;
    }
    if (i < argc && g_str_has_prefix(argv[i], "description=")) {
        bl_xml_set_attr(prim, "description", argv[i] + strlen("description="));
        i++;
    }
    /* As in crmsh, NAME=VALUE words before any keyword are params. */
    for (count = 0; i + count < argc && strchr(argv[i + count], '=') != NULL; count++) {
    }
    if (count > 0) {
        rc = parse_set_section(ctx, prim, "params", argv + i, count, err);
        i += count;
    }
    if (rc == 0) {
        rc = parse_sections(ctx, prim, argv, argc, i, err);
    }
    operations_last(prim);
    return rc;
}

int
bl__crm_cmd_primitive(crm_ctx_t *ctx, int argc, char *const argv[], char **err)
{
    xmlNode *resources = bl__crm_section(ctx, "resources");
    xmlNode *old, *prim;
    int rc;

    if (argc < 3) {
        bl_err_set(
            err,
            "primitive: usage: primitive ID [CLASS:[PROVIDER:]]TYPE [params K=V…] [meta K=V…] [op NAME K=V…]…");
        return BL_EUSAGE;
    }
    rc = bl__crm_check_new_id(ctx, "primitive", argv[1], err);
    if (rc != 0) {
        return rc;
    }
    old = bl__crm_replace_begin(ctx, argv[1]);
    if (old != NULL && !bl_xml_is(old, "primitive")) {
        bl__crm_replace_end(ctx, old, NULL, resources, BL_EEXISTS);
        bl_err_set(err, "primitive %s: id '%s' is already used by a %s", argv[1], argv[1],
                   (const char *) old->name);
        return BL_EEXISTS;
    }
    prim = xmlNewNode(NULL, (const xmlChar *) "primitive");
    bl_xml_set_attr(prim, "id", argv[1]);
    bl__crm_id_register(ctx, prim);
    rc = build_primitive(ctx, prim, argc, argv, err);
    bl__crm_replace_end(ctx, old, prim, resources, rc);
    return rc;
}

/* In update mode a container being replaced gives its children back to <resources>. */
static void
unwrap_container(crm_ctx_t *ctx, xmlNode *old)
{
    xmlNode *child = bl_xml_first_child(old, NULL);

    while (child != NULL) {
        xmlNode *next = bl_xml_next(child, NULL);

        if (bl__crm_is_resource(child)) {
            xmlUnlinkNode(child);
            xmlAddPrevSibling(old, child);
            /* replace_begin took the whole old subtree out of the index */
            bl__crm_ids_add_tree(ctx, child);
        }
        child = next;
    }
}

static int
check_member(crm_ctx_t *ctx, const char *what, const char *id, const char *name, bool group,
             char **err)
{
    xmlNode *rsc = bl__crm_resource(ctx, name);

    if (rsc == NULL) {
        return bl__crm_no_resource(ctx, what, id, name, err);
    }
    if (!bl_xml_is(rsc, "primitive") && (group || !bl_xml_is(rsc, "group"))) {
        bl_err_set(err, "%s %s: '%s' is a %s; a %s can only contain %s", what, id, name,
                   (const char *) rsc->name, what, group ? "primitives" : "a primitive or a group");
        return BL_EINVALID;
    }
    if (!bl_xml_is(rsc->parent, "resources")) {
        bl_err_set(err, "%s %s: %s '%s' is already in %s '%s'", what, id, (const char *) rsc->name,
                   name, (const char *) rsc->parent->name, bl_xml_attr(rsc->parent, "id"));
        return BL_EINVALID;
    }
    return 0;
}

static int
check_members(crm_ctx_t *ctx, const char *what, const char *id, char *const names[], int count,
              char **err)
{
    bool group = strcmp(what, "group") == 0;

    if (count == 0 || (!group && count != 1)) {
        bl_err_set(err, "%s %s: expected %s", what, id,
                   group ? "one or more primitives" : "exactly one resource to clone");
        return BL_EUSAGE;
    }
    for (int i = 0; i < count; i++) {
        int rc = check_member(ctx, what, id, names[i], group, err);

        if (rc != 0) {
            return rc;
        }
        for (int j = 0; j < i; j++) {
            if (strcmp(names[i], names[j]) == 0) {
                bl_err_set(err, "%s %s: '%s' is listed twice", what, id, names[i]);
                return BL_EINVALID;
            }
        }
    }
    return 0;
}

/*
 * Pacemaker 2 spells master/slave as a clone with meta promotable=true (the <master>
 * element is deprecated), so ms writes that: promotable comes first in the meta set.
 */
static void
make_promotable(crm_ctx_t *ctx, xmlNode *clone)
{
    xmlNode *meta = bl_xml_first_child(clone, "meta_attributes");
    xmlNode *first;

    if (meta == NULL) {
        meta = bl__crm_nvset_new(ctx, clone, "meta_attributes", bl_xml_attr(clone, "id"));
    }
    first = bl_xml_first_child(meta, NULL);
    bl__crm_nvset_put(ctx, meta, "promotable", "true");
    if (first != NULL) {
        xmlNode *last = meta->last;

        if (g_strcmp0(bl_xml_attr(last, "name"), "promotable") == 0) {
            xmlUnlinkNode(last);
            xmlAddPrevSibling(first, last);
        }
    }
}

/* group ID RSC… [meta…] [params…]; clone ID RSC [meta…] [params…]; ms ID RSC [meta…]. */
static int
container_command(crm_ctx_t *ctx, const char *what, int argc, char *const argv[], char **err)
{
    xmlNode *resources = bl__crm_section(ctx, "resources");
    const char *tag = strcmp(what, "group") == 0 ? "group" : "clone";
    int count = argc >= 2 ? section_length(argv, argc, 2) : 0;
    xmlNode *old, *node;
    int rc;

    if (argc < 2) {
        bl_err_set(err, "%s: usage: %s ID RESOURCE%s [meta K=V…] [params K=V…]", what, what,
                   strcmp(tag, "group") == 0 ? "…" : "");
        return BL_EUSAGE;
    }
    rc = bl__crm_check_new_id(ctx, what, argv[1], err);
    if (rc != 0) {
        return rc;
    }
    old = bl__crm_replace_begin(ctx, argv[1]);
    if (old != NULL && !bl_xml_is(old, tag) && !bl_xml_is(old, "master")) {
        bl__crm_replace_end(ctx, old, NULL, resources, BL_EEXISTS);
        bl_err_set(err, "%s %s: id '%s' is already used by a %s", what, argv[1], argv[1],
                   (const char *) old->name);
        return BL_EEXISTS;
    }
    if (old != NULL) {
        unwrap_container(ctx, old);
    }
    rc = check_members(ctx, what, argv[1], argv + 2, count, err);
    if (rc != 0) {
        bl__crm_replace_end(ctx, old, NULL, resources, rc);
        return rc;
    }
    node = xmlNewNode(NULL, (const xmlChar *) tag);
    bl_xml_set_attr(node, "id", argv[1]);
    bl__crm_id_register(ctx, node);
    rc = parse_sections(ctx, node, argv, argc, 2 + count, err);
    if (rc == 0 && strcmp(what, "ms") == 0) {
        make_promotable(ctx, node);
    }
    for (int i = 0; rc == 0 && i < count; i++) {
        xmlNode *member = bl__crm_resource(ctx, argv[2 + i]);

        xmlUnlinkNode(member);
        xmlAddChild(node, member);
    }
    bl__crm_replace_end(ctx, old, node, resources, rc);
    return rc;
}

int
bl__crm_cmd_group(crm_ctx_t *ctx, int argc, char *const argv[], char **err)
{
    return container_command(ctx, "group", argc, argv, err);
}

int
bl__crm_cmd_clone(crm_ctx_t *ctx, int argc, char *const argv[], char **err)
{
    return container_command(ctx, strcmp(argv[0], "ms") == 0 ? "ms" : "clone", argc, argv, err);
}
