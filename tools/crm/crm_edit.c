/* Properties, defaults and nodes; delete and rename with their reference updates. */
#include <string.h>

#include "crm_private.h"

/* property / rsc_defaults / op_defaults [SETID:] K=V… */
static xmlNode *
find_or_make_set(crm_ctx_t *ctx, const char *verb, const char *set_id, char **err)
{
    bool property = strcmp(verb, "property") == 0;
    xmlNode *parent = bl__crm_section(ctx, property ? "crm_config" : verb);
    const char *tag = property ? "cluster_property_set" : "meta_attributes";
    xmlNode *set = bl_xml_child_by_id(parent, tag, set_id);

    if (set != NULL) {
        return set;
    }
    if (!bl__crm_id_valid(set_id) || bl__crm_id_lookup(ctx, set_id) != NULL) {
        bl_err_set(err, "%s %s: id '%s' is %s", verb, set_id, set_id,
                   bl__crm_id_valid(set_id) ? "already used by another object" : "not a valid id");
        return NULL;
    }
    set = bl_xml_add_child(parent, tag);
    bl_xml_set_attr(set, "id", set_id);
    bl__crm_ids_add_tree(ctx, set);
    return set;
}

int
bl__crm_cmd_property(crm_ctx_t *ctx, int argc, char *const argv[], char **err)
{
    const char *verb = argv[0];
    const char *def = strcmp(verb, "property") == 0       ? "cib-bootstrap-options"
                      : strcmp(verb, "rsc_defaults") == 0 ? "rsc-options"
                                                          : "op-options";
    g_autofree char *set_id = NULL;
    size_t len = argc > 1 ? strlen(argv[1]) : 0;
    int first = 1;
    xmlNode *set;

    if (len > 1 && argv[1][len - 1] == ':') {
        set_id = g_strndup(argv[1], len - 1);
        first = 2;
    } else if (argc > 1 && g_str_has_prefix(argv[1], "$id=")) {
        set_id = g_strdup(argv[1] + 4);
        first = 2;
    } else {
        set_id = g_strdup(def);
    }
    if (first >= argc) {
        bl_err_set(err, "%s %s: expected NAME=VALUE…", verb, set_id);
        return BL_EUSAGE;
    }
    for (int i = first; i < argc; i++) {
        g_autofree char *name = NULL;
        g_autofree char *value = NULL;

        if (!bl__crm_split_nv(argv[i], &name, &value) || !bl__crm_name_valid(name)) {
            bl_err_set(err, "%s %s: expected NAME=VALUE, got '%s'", verb, set_id, argv[i]);
            return BL_EPARSE;
        }
    }
    set = find_or_make_set(ctx, verb, set_id, err);
    if (set == NULL) {
        return BL_EEXISTS;
    }
    bl__crm_touch(ctx, set_id);
    crm_owner_t owner = {verb, set_id};

    return bl__crm_nvset_fill(ctx, set, &owner, argv + first, argc - first, err);
}

static xmlNode *
find_node(crm_ctx_t *ctx, const char *id, const char *uname)
{
    xmlNode *nodes = bl__crm_section(ctx, "nodes");

    for (xmlNode *n = bl_xml_first_child(nodes, "node"); n != NULL; n = bl_xml_next(n, "node")) {
        if ((id != NULL && g_strcmp0(bl_xml_attr(n, "id"), id) == 0)
            || (id == NULL && g_strcmp0(bl_xml_attr(n, "uname"), uname) == 0)) {
            return n;
        }
    }
    return NULL;
}

static int
node_sets(crm_ctx_t *ctx, xmlNode *node, char *const argv[], int argc, int i, char **err)
{
    const char *uname = bl_xml_attr(node, "uname");

    while (i < argc) {
        bool util = strcmp(argv[i], "utilization") == 0;
        const char *tag = util ? "utilization" : "instance_attributes";
        int end = i + 1;
        xmlNode *set;

        if (!util && strcmp(argv[i], "attributes") != 0) {
            bl_err_set(err, "node %s: unknown keyword '%s' (expected attributes or utilization)",
                       uname, argv[i]);
            return BL_EPARSE;
        }
        while (end < argc && strcmp(argv[end], "attributes") && strcmp(argv[end], "utilization")) {
            end++;
        }
        set = bl_xml_first_child(node, tag);
        if (set == NULL) {
            g_autofree char *base = bl__crm_node_set_id(bl_xml_attr(node, "id"), tag);

            set = bl_xml_add_child(node, tag);
            bl__crm_id_assign(ctx, set, base);
        }
        crm_owner_t owner = {"node", uname};
        int rc = bl__crm_nvset_fill(ctx, set, &owner, argv + i + 1, end - i - 1, err);

        if (rc != 0) {
            return rc;
        }
        i = end;
    }
    return 0;
}

/* node [ID:] UNAME [attributes K=V…] [utilization K=V…]: creates or updates a node. */
int
bl__crm_cmd_node(crm_ctx_t *ctx, int argc, char *const argv[], char **err)
{
    g_autofree char *id = NULL;
    const char *uname;
    size_t len = argc > 1 ? strlen(argv[1]) : 0;
    int i = 1;
    xmlNode *node;

    if (len > 1 && argv[1][len - 1] == ':') {
        id = g_strndup(argv[1], len - 1);
        i = 2;
    }
    if (i >= argc || !bl__crm_name_valid(argv[i]) || (id != NULL && !bl__crm_name_valid(id))) {
        bl_err_set(err, "node: usage: node [ID:] NAME [attributes K=V…] [utilization K=V…]");
        return BL_EUSAGE;
    }
    uname = argv[i];
    node = find_node(ctx, id, uname);
    if (node != NULL && g_strcmp0(bl_xml_attr(node, "uname"), uname) != 0) {
        bl_err_set(err, "node %s: node id %s already belongs to '%s'", uname, id,
                   bl_xml_attr(node, "uname"));
        return BL_EEXISTS;
    }
    if (node == NULL && id != NULL && find_node(ctx, NULL, uname) != NULL) {
        bl_err_set(err, "node %s: the name already belongs to node id %s", uname,
                   bl_xml_attr(find_node(ctx, NULL, uname), "id"));
        return BL_EEXISTS;
    }
    if (node == NULL) {
        if (bl__crm_id_lookup(ctx, id != NULL ? id : uname) != NULL) {
            bl_err_set(err, "node %s: id '%s' is already in use", uname, id != NULL ? id : uname);
            return BL_EEXISTS;
        }
        node = bl_xml_add_child(bl__crm_section(ctx, "nodes"), "node");
        bl_xml_set_attr(node, "id", id != NULL ? id : uname);
        bl_xml_set_attr(node, "uname", uname);
        bl__crm_ids_add_tree(ctx, node);
    }
    bl__crm_touch(ctx, bl_xml_attr(node, "id"));
    return node_sets(ctx, node, argv, argc, i + 1, err);
}

static bool
is_constraint(const xmlNode *node)
{
    return bl_xml_is(node, "rsc_location") || bl_xml_is(node, "rsc_colocation")
           || bl_xml_is(node, "rsc_order");
}

/* The qualifier (role or action) a set gives its members, as a simple-form attribute. */
static void
copy_qualifier(xmlNode *cons, const xmlNode *set, const char *attr, bool order)
{
    g_autofree char *name = g_strdup_printf("%s-%s", attr, order ? "action" : "role");

    bl_xml_set_attr(cons, name, bl_xml_attr(set, order ? "action" : "role"));
}

/*
 * Two references left in sequential sets: crmsh turns the constraint back into its simple
 * form (case 34); for one colocation set the pair is swapped, since inside a set each member
 * is placed relative to the one before it.
 */
static void
sets_to_simple(crm_ctx_t *ctx, xmlNode *cons)
{
    bool order = bl_xml_is(cons, "rsc_order");
    xmlNode *refs[2] = {NULL, NULL};
    int n = 0, sets = 0;

    for (xmlNode *set = bl_xml_first_child(cons, "resource_set"); set != NULL;
         set = bl_xml_next(set, "resource_set")) {
        sets++;
        for (xmlNode *ref = bl_xml_first_child(set, "resource_ref"); ref != NULL && n < 2;
             ref = bl_xml_next(ref, "resource_ref")) {
            refs[n++] = ref;
        }
    }
    int a = (!order && sets == 1) ? 1 : 0;
    const char *first = order ? "first" : "rsc";
    const char *second = order ? "then" : "with-rsc";

    bl_xml_set_attr(cons, first, bl_xml_attr(refs[a], "id"));
    copy_qualifier(cons, refs[a]->parent, first, order);
    bl_xml_set_attr(cons, second, bl_xml_attr(refs[1 - a], "id"));
    copy_qualifier(cons, refs[1 - a]->parent, second, order);
    while (bl_xml_first_child(cons, "resource_set") != NULL) {
        bl__crm_remove(ctx, bl_xml_first_child(cons, "resource_set"));
    }
}

/* Drops ID from CONS's resource sets; returns the number of references left. */
static int
shrink_sets(crm_ctx_t *ctx, xmlNode *cons, const char *id, bool *nonsequential, bool *changed)
{
    int left = 0;
    xmlNode *set = bl_xml_first_child(cons, "resource_set");

    while (set != NULL) {
        xmlNode *next_set = bl_xml_next(set, "resource_set");
        int in_set = 0;
        xmlNode *ref = bl_xml_first_child(set, "resource_ref");

        while (ref != NULL) {
            xmlNode *next = bl_xml_next(ref, "resource_ref");

            if (g_strcmp0(bl_xml_attr(ref, "id"), id) == 0) {
                bl_xml_remove(ref);
                *changed = true;
            } else {
                in_set++;
            }
            ref = next;
        }
        if (in_set == 0) {
            bl__crm_remove(ctx, set);
        } else if (in_set > 1 && g_strcmp0(bl_xml_attr(set, "sequential"), "false") == 0) {
            *nonsequential = true;
        }
        left += in_set;
        set = next_set;
    }
    return left;
}

static bool
names_directly(const xmlNode *cons, const char *id)
{
    static const char *const attrs[] = {"rsc", "with-rsc", "first", "then"};

    for (size_t i = 0; i < G_N_ELEMENTS(attrs); i++) {
        if (g_strcmp0(bl_xml_attr(cons, attrs[i]), id) == 0) {
            return true;
        }
    }
    return false;
}

void
bl__crm_drop_references(crm_ctx_t *ctx, const char *id)
{
    xmlNode *cons = bl_xml_first_child(bl__crm_section(ctx, "constraints"), NULL);

    while (cons != NULL) {
        xmlNode *next = bl_xml_next(cons, NULL);
        bool location = bl_xml_is(cons, "rsc_location");
        bool nonsequential = false;
        bool changed = false;

        if (is_constraint(cons) && names_directly(cons, id)) {
            bl__crm_remove(ctx, cons);
        } else if (is_constraint(cons) && bl_xml_first_child(cons, "resource_set") != NULL) {
            int left = shrink_sets(ctx, cons, id, &nonsequential, &changed);

            if (!changed) {
                /* not a constraint on ID */
            } else if (left == 0 || (!location && left < 2)) {
                bl__crm_remove(ctx, cons);
            } else if (!location && left == 2 && !nonsequential) {
                sets_to_simple(ctx, cons);
            }
        }
        cons = next;
    }
}

bool
bl__crm_deletable(const xmlNode *node)
{
    return bl__crm_is_resource(node) || is_constraint(node)
           || bl_xml_is(node, "cluster_property_set")
           || (bl_xml_is(node, "meta_attributes")
               && (bl_xml_is(node->parent, "rsc_defaults")
                   || bl_xml_is(node->parent, "op_defaults")));
}

/* Resource ids in NODE's subtree (NODE included), so their constraints can be dropped. */
static void
collect_resources(const xmlNode *node, GPtrArray *ids)
{
    if (bl__crm_is_resource(node)) {
        g_ptr_array_add(ids, g_strdup(bl_xml_attr(node, "id")));
    }
    for (xmlNode *child = bl_xml_first_child(node, NULL); child != NULL;
         child = bl_xml_next(child, NULL)) {
        collect_resources(child, ids);
    }
}

static int
resource_children(const xmlNode *node)
{
    int n = 0;

    for (xmlNode *child = bl_xml_first_child(node, NULL); child != NULL;
         child = bl_xml_next(child, NULL)) {
        n += bl__crm_is_resource(child) ? 1 : 0;
    }
    return n;
}

void
bl__crm_delete_object(crm_ctx_t *ctx, xmlNode *node)
{
    g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func(g_free);

    /* A clone of nothing or an empty group cannot exist: they go with their last child. */
    while (bl__crm_is_resource(node) && bl__crm_is_resource(node->parent)
           && resource_children(node->parent) == 1) {
        node = node->parent;
    }
    collect_resources(node, ids);
    bl__crm_remove(ctx, node);
    for (guint i = 0; i < ids->len; i++) {
        bl__crm_drop_references(ctx, g_ptr_array_index(ids, i));
    }
}

int
bl__crm_cmd_delete(crm_ctx_t *ctx, int argc, char *const argv[], char **err)
{
    if (argc < 2) {
        bl_err_set(err, "delete: usage: delete ID…");
        return BL_EUSAGE;
    }
    for (int i = 1; i < argc; i++) {
        if (!bl__crm_deletable(bl__crm_id_lookup(ctx, argv[i]))) {
            bl_err_set(err, "delete %s: no such object", argv[i]);
            return BL_ENOTFOUND;
        }
    }
    for (int i = 1; i < argc; i++) {
        xmlNode *node = bl__crm_id_lookup(ctx, argv[i]);

        /* an earlier id may have taken this one with it (a group and its member) */
        if (node != NULL) {
            bl__crm_delete_object(ctx, node);
        }
    }
    return 0;
}

static void
rename_references(crm_ctx_t *ctx, const char *old_id, const char *new_id)
{
    static const char *const attrs[] = {"rsc", "with-rsc", "first", "then"};
    xmlNode *constraints = bl__crm_section(ctx, "constraints");

    for (xmlNode *cons = bl_xml_first_child(constraints, NULL); cons != NULL;
         cons = bl_xml_next(cons, NULL)) {
        for (size_t i = 0; i < G_N_ELEMENTS(attrs); i++) {
            if (g_strcmp0(bl_xml_attr(cons, attrs[i]), old_id) == 0) {
                bl_xml_set_attr(cons, attrs[i], new_id);
            }
        }
        for (xmlNode *set = bl_xml_first_child(cons, "resource_set"); set != NULL;
             set = bl_xml_next(set, "resource_set")) {
            for (xmlNode *ref = bl_xml_first_child(set, "resource_ref"); ref != NULL;
                 ref = bl_xml_next(ref, "resource_ref")) {
                if (g_strcmp0(bl_xml_attr(ref, "id"), old_id) == 0) {
                    bl_xml_set_attr(ref, "id", new_id);
                }
            }
        }
    }
}

/* rename OLD NEW: only the object's own id changes (crmsh keeps child ids, case 35). */
int
bl__crm_cmd_rename(crm_ctx_t *ctx, int argc, char *const argv[], char **err)
{
    xmlNode *node;

    if (argc != 3) {
        bl_err_set(err, "rename: usage: rename OLD-ID NEW-ID");
        return BL_EUSAGE;
    }
    node = bl__crm_id_lookup(ctx, argv[1]);
    if (!bl__crm_deletable(node)) {
        bl_err_set(err, "rename %s: no such object", argv[1]);
        return BL_ENOTFOUND;
    }
    if (!bl__crm_id_valid(argv[2]) || bl__crm_id_lookup(ctx, argv[2]) != NULL) {
        bl_err_set(err, "rename %s: '%s' is %s", argv[1], argv[2],
                   bl__crm_id_valid(argv[2]) ? "already in use" : "not a valid id");
        return BL_EEXISTS;
    }
    g_hash_table_remove(ctx->ids, argv[1]);
    bl_xml_set_attr(node, "id", argv[2]);
    bl__crm_id_register(ctx, node);
    if (bl__crm_is_resource(node)) {
        rename_references(ctx, argv[1], argv[2]);
    }
    return 0;
}
