/* Resources: the primitive/group tree, effective meta attributes, roles. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sched_private.h"

static const char *const role_names[] = {
    [BL_ROLE_UNKNOWN] = "Unknown",   [BL_ROLE_STOPPED] = "Stopped",
    [BL_ROLE_STARTED] = "Started",   [BL_ROLE_UNPROMOTED] = "Unpromoted",
    [BL_ROLE_PROMOTED] = "Promoted",
};

const char *
bl__sched_role_name(bl_role_t role)
{
    return role_names[role];
}

bool
bl__sched_role_parse(const char *text, bl_role_t *role)
{
    if (text == NULL) {
        return false;
    }
    for (int r = BL_ROLE_STOPPED; r <= BL_ROLE_PROMOTED; r++) {
        if (strcasecmp(text, role_names[r]) == 0) {
            *role = (bl_role_t) r;
            return true;
        }
    }
    if (strcasecmp(text, "Slave") == 0) {
        *role = BL_ROLE_UNPROMOTED;
        return true;
    }
    if (strcasecmp(text, "Master") == 0) {
        *role = BL_ROLE_PROMOTED;
        return true;
    }
    return false;
}

bl_srsc_t *
bl__sched_rsc_new(bl_sched_t *s, const char *id, bl_rsc_kind_t kind)
{
    bl_srsc_t *rsc = bl_calloc(1, sizeof(*rsc));

    rsc->id = bl_strdup(id);
    rsc->kind = kind;
    rsc->config_index = (int) s->all_rscs->len;
    rsc->meta = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    rsc->running_on = g_ptr_array_new();
    rsc->pending_on = g_ptr_array_new();
    rsc->restart_on = g_ptr_array_new();
    rsc->reload_on = g_ptr_array_new();
    rsc->fail_cleared_on = g_ptr_array_new();
    rsc->scores = bl_calloc((size_t) s->n_nodes + 1, sizeof(int));
    rsc->allowed = bl_calloc((size_t) s->n_nodes + 1, sizeof(bool));
    rsc->this_with = g_ptr_array_new();
    rsc->with_this = g_ptr_array_new();
    rsc->actions = g_ptr_array_new();
    rsc->known_on = g_ptr_array_new();
    rsc->instance = -1;
    rsc->role = BL_ROLE_UNKNOWN;
    rsc->next_role = BL_ROLE_UNKNOWN;
    rsc->managed = true;
    rsc->critical = true;
    rsc->needs_quorum = true;
    rsc->provisional = true;
    rsc->migration_threshold = INF;
    if (kind == BL_RSC_GROUP) {
        rsc->children = g_ptr_array_new();
    }
    g_ptr_array_add(s->all_rscs, rsc);
    g_hash_table_insert(s->rsc_by_id, rsc->id, rsc);
    if (kind == BL_RSC_PRIMITIVE) {
        g_ptr_array_add(s->primitives, rsc);
    }
    return rsc;
}

void
bl__sched_rsc_free(bl_srsc_t *rsc)
{
    free(rsc->id);
    g_hash_table_destroy(rsc->meta);
    g_ptr_array_free(rsc->running_on, true);
    g_ptr_array_free(rsc->pending_on, true);
    g_ptr_array_free(rsc->restart_on, true);
    g_ptr_array_free(rsc->reload_on, true);
    g_ptr_array_free(rsc->fail_cleared_on, true);
    if (rsc->children != NULL) {
        g_ptr_array_free(rsc->children, true);
    }
    free(rsc->scores);
    free(rsc->allowed);
    free(rsc->pre_scores);
    g_ptr_array_free(rsc->this_with, true);
    g_ptr_array_free(rsc->with_this, true);
    g_ptr_array_free(rsc->actions, true);
    free(rsc->utilization);
    if (rsc->dangling_on != NULL) {
        g_ptr_array_free(rsc->dangling_on, true);
    }
    g_ptr_array_free(rsc->known_on, true);
    free(rsc->history_id);
    if (rsc->expanded != NULL) {
        xmlFreeNode(rsc->expanded);
    }
    if (rsc->clone != NULL) {
        free(rsc->clone->count);
        g_array_free(rsc->clone->promoted_locations, true);
        free(rsc->clone);
    }
    free(rsc);
}

bl_srsc_t *
bl__sched_rsc_find(const bl_sched_t *s, const char *id)
{
    bl_srsc_t *rsc;

    if (id == NULL) {
        return NULL;
    }
    rsc = g_hash_table_lookup(s->rsc_by_id, id);
    /* Constraints naming a cloned primitive or group mean the clone. */
    return rsc != NULL ? rsc : g_hash_table_lookup(s->clone_of, id);
}

void
bl__sched_rsc_location(bl_srsc_t *rsc, const bl_snode_t *node, int score, int n_nodes)
{
    if (rsc->children != NULL) {
        for (guint i = 0; i < rsc->children->len; i++) {
            bl__sched_rsc_location(g_ptr_array_index(rsc->children, i), node, score, n_nodes);
        }
    }
    for (int i = 0; i < n_nodes; i++) {
        if (node == NULL || node->index == i) {
            rsc->scores[i] = rsc->allowed[i] ? bl_score_add(rsc->scores[i], score) : score;
            rsc->allowed[i] = true;
        }
    }
}

static void
inherit_meta(bl_sched_t *s, bl_srsc_t *rsc)
{
    GHashTableIter iter;
    gpointer key, value;

    if (rsc->parent != NULL) {
        g_hash_table_iter_init(&iter, rsc->parent->meta);
        while (g_hash_table_iter_next(&iter, &key, &value)) {
            if (!g_hash_table_contains(rsc->meta, key)) {
                g_hash_table_insert(rsc->meta, g_strdup(key), g_strdup(value));
            }
        }
    }
    g_hash_table_iter_init(&iter, s->rsc_defaults);
    while (g_hash_table_iter_next(&iter, &key, &value)) {
        if (!g_hash_table_contains(rsc->meta, key)) {
            g_hash_table_insert(rsc->meta, g_strdup(key), g_strdup(value));
        }
    }
}

static bl_multiple_active_t
parse_multiple_active(const char *text)
{
    if (text != NULL && strcasecmp(text, "block") == 0) {
        return BL_MULTI_BLOCK;
    }
    if (text != NULL && strcasecmp(text, "stop_only") == 0) {
        return BL_MULTI_STOP_ONLY;
    }
    if (text != NULL && strcasecmp(text, "stop_unexpected") == 0) {
        return BL_MULTI_STOP_UNEXPECTED;
    }
    return BL_MULTI_STOP_START;
}

static void
apply_meta(bl_sched_t *s, bl_srsc_t *rsc)
{
    const char *value;
    bl_role_t role;

    rsc->priority = bl__sched_score(g_hash_table_lookup(rsc->meta, "priority"));
    rsc->stickiness = bl__sched_score(g_hash_table_lookup(rsc->meta, "resource-stickiness"));
    value = g_hash_table_lookup(rsc->meta, "migration-threshold");
    rsc->migration_threshold = value != NULL ? bl__sched_score(value) : INF;
    value = g_hash_table_lookup(rsc->meta, "failure-timeout");
    if (value != NULL) {
        uint64_t ms = 0;

        if (bl_duration_parse_ms(value, &ms, NULL) == 0) {
            rsc->failure_timeout = (int) (ms / 1000);
        }
    }
    value = g_hash_table_lookup(rsc->meta, "is-managed");
    rsc->managed = value == NULL || bl__sched_true(value);
    if (s->maintenance_mode || bl__sched_true(g_hash_table_lookup(rsc->meta, "maintenance"))) {
        rsc->managed = false;
    }
    value = g_hash_table_lookup(rsc->meta, "requires");
    rsc->needs_quorum = value == NULL || strcasecmp(value, "nothing") != 0;
    value = g_hash_table_lookup(rsc->meta, "critical");
    rsc->critical = value == NULL || bl__sched_true(value);
    rsc->multiple_active = parse_multiple_active(g_hash_table_lookup(rsc->meta, "multiple-active"));
    /* Only target-role=Stopped restricts a primitive; Started is the default and the
     * promoted roles only mean something inside a promotable clone. */
    if (bl__sched_role_parse(g_hash_table_lookup(rsc->meta, "target-role"), &role)
        && role == BL_ROLE_STOPPED) {
        rsc->next_role = BL_ROLE_STOPPED;
    }
    if (s->symmetric) {
        bl__sched_rsc_location(rsc, NULL, 0, s->n_nodes);
    }
}

static int
unpack_group(bl_sched_t *s, const xmlNode *xml, bl_srsc_t *group, const char *suffix)
{
    for (xmlNode *child = bl_xml_first_child(xml, NULL); child != NULL;
         child = bl_xml_next(child, NULL)) {
        int rc;

        if (bl_xml_is(child, "meta_attributes") || bl_xml_is(child, "instance_attributes")
            || bl_xml_is(child, "utilization")) {
            continue;
        }
        if (!bl_xml_is(child, "primitive")) {
            bl_err_set(s->err, "group '%s': member <%s> (line %ld) is not allowed", group->id,
                       (const char *) child->name, bl_xml_line(child));
            return BL_EINVALID;
        }
        rc = bl__sched_rsc_unpack(s, child, group, suffix);
        if (rc != 0) {
            return rc;
        }
    }
    return 0;
}

static int
check_supported(bl_sched_t *s, const xmlNode *xml, const char *id)
{
    if (bl_xml_is(xml, "primitive") || bl_xml_is(xml, "group")) {
        return 0;
    }
    if (bl_xml_is(xml, "bundle")) {
        bl_err_set(s->err, "%s '%s' (line %ld): %ss are not supported yet",
                   (const char *) xml->name, id, bl_xml_line(xml), (const char *) xml->name);
        return BL_EUNSUPPORTED;
    }
    bl_err_set(s->err, "line %ld: unknown resource element <%s>", bl_xml_line(xml),
               (const char *) xml->name);
    return BL_EINVALID;
}

/* Features whose semantics are not implemented yet: refuse rather than guess. */
static int
check_primitive(bl_sched_t *s, const xmlNode *xml, bl_srsc_t *rsc)
{
    const char *class = bl_xml_attr(xml, "class");
    const char *provider = bl_xml_attr(xml, "provider");
    const char *type = bl_xml_attr(xml, "type");

    if (class != NULL && strcmp(class, "stonith") == 0) {
        s->have_stonith_resource = true;
    }
    if (class != NULL && strcmp(class, "ocf") == 0 && provider != NULL
        && strcmp(provider, "pacemaker") == 0 && type != NULL && strcmp(type, "remote") == 0) {
        bl_err_set(s->err, "primitive '%s': remote node connections are not supported yet",
                   rsc->id);
        return BL_EUNSUPPORTED;
    }
    if (g_hash_table_lookup(rsc->meta, "container") != NULL
        || g_hash_table_lookup(rsc->meta, "remote-node") != NULL) {
        bl_err_set(s->err, "primitive '%s': containers and guest nodes are not supported yet",
                   rsc->id);
        return BL_EUNSUPPORTED;
    }
    return 0;
}

int
bl__sched_rsc_unpack(bl_sched_t *s, const xmlNode *xml, bl_srsc_t *parent, const char *suffix)
{
    const char *id = bl_xml_attr(xml, "id");
    g_autofree char *full_id = NULL;
    xmlNode *expanded = NULL;
    bl_srsc_t *rsc;
    int rc;

    if (parent == NULL && (bl_xml_is(xml, "clone") || bl_xml_is(xml, "master"))) {
        return bl__sched_clone_unpack(s, xml);
    }
    if (bl_xml_is(xml, "primitive") && bl_xml_attr(xml, "template") != NULL) {
        rc = bl__sched_template_expand(s, xml, &expanded);
        if (rc != 0) {
            return rc;
        }
        xml = expanded;
        id = bl_xml_attr(xml, "id");
    }
    rc = check_supported(s, xml, id != NULL ? id : "?");
    full_id = id != NULL ? g_strconcat(id, suffix, NULL) : NULL;
    if (rc == 0
        && (id == NULL || bl__sched_rsc_find(s, full_id) != NULL
            || (suffix == NULL && g_hash_table_contains(s->clone_of, id)))) {
        bl_err_set(s->err, "line %ld: resource %s%s", bl_xml_line(xml),
                   id == NULL ? "without an id" : id, id == NULL ? "" : " is defined twice");
        rc = BL_EINVALID;
    }
    if (rc != 0) {
        if (expanded != NULL) {
            xmlFreeNode(expanded);
        }
        return rc;
    }
    rsc = bl__sched_rsc_new(s, full_id, bl_xml_is(xml, "group") ? BL_RSC_GROUP : BL_RSC_PRIMITIVE);
    rsc->expanded = g_steal_pointer(&expanded);
    rsc->parent = parent;
    if (suffix != NULL) {
        rsc->instance = parent->instance >= 0 ? parent->instance : atoi(suffix + 1);
        rsc->base_id = id;
    }
    rsc->xml = xml;
    if (parent != NULL) {
        g_ptr_array_add(parent->children, rsc);
    } else {
        g_ptr_array_add(s->resources, rsc);
    }
    rc = bl__sched_nvpairs(s, xml, "meta_attributes", rsc->meta, false);
    if (rc != 0) {
        return rc;
    }
    inherit_meta(s, rsc);
    apply_meta(s, rsc);
    if (rsc->kind == BL_RSC_PRIMITIVE) {
        return check_primitive(s, xml, rsc);
    }
    return unpack_group(s, xml, rsc, suffix);
}

int
bl__sched_unpack_resources(bl_sched_t *s)
{
    xmlNode *config = bl_xml_first_child(xmlDocGetRootElement(s->cib), "configuration");
    xmlNode *resources = bl_xml_first_child(config, "resources");

    int rc = bl__sched_templates_check(s);

    for (xmlNode *xml = bl_xml_first_child(resources, NULL); rc == 0 && xml != NULL;
         xml = bl_xml_next(xml, NULL)) {
        if (!bl_xml_is(xml, "template")) { /* (templates are not resources themselves) */
            rc = bl__sched_rsc_unpack(s, xml, NULL, NULL);
        }
    }
    return rc;
}

static const char *
nvpair_value(const xmlNode *parent, const char *set_name, const char *name)
{
    for (xmlNode *set = bl_xml_first_child(parent, set_name); set != NULL;
         set = bl_xml_next(set, set_name)) {
        for (xmlNode *pair = bl_xml_first_child(set, "nvpair"); pair != NULL;
             pair = bl_xml_next(pair, "nvpair")) {
            const char *pair_name = bl_xml_attr(pair, "name");

            if (pair_name != NULL && strcmp(pair_name, name) == 0) {
                return bl_xml_attr(pair, "value");
            }
        }
    }
    return NULL;
}

static bool
op_matches(const xmlNode *op, const char *task, uint64_t interval_ms)
{
    const char *name = bl_xml_attr(op, "name");
    const char *interval = bl_xml_attr(op, "interval");
    uint64_t ms = 0;

    if (name == NULL || strcmp(name, task) != 0) {
        return false;
    }
    if (interval != NULL && bl_duration_parse_ms(interval, &ms, NULL) != 0) {
        return false;
    }
    return ms == interval_ms;
}

const xmlNode *
bl__sched_op_config(const bl_srsc_t *rsc, const char *task, uint64_t interval_ms)
{
    xmlNode *ops = rsc->xml != NULL ? bl_xml_first_child(rsc->xml, "operations") : NULL;

    for (xmlNode *op = bl_xml_first_child(ops, "op"); op != NULL; op = bl_xml_next(op, "op")) {
        if (op_matches(op, task, interval_ms)) {
            return op;
        }
    }
    return NULL;
}

const char *
bl__sched_op_meta(const bl_sched_t *s, const bl_srsc_t *rsc, const char *task, uint64_t interval_ms,
                  const char *name)
{
    xmlNode *ops = rsc->xml != NULL ? bl_xml_first_child(rsc->xml, "operations") : NULL;
    xmlNode *config;

    for (xmlNode *op = bl_xml_first_child(ops, "op"); op != NULL; op = bl_xml_next(op, "op")) {
        if (op_matches(op, task, interval_ms)) {
            const char *value = bl_xml_attr(op, name);

            if (value == NULL) {
                value = nvpair_value(op, "meta_attributes", name);
            }
            if (value != NULL) {
                return value;
            }
        }
    }
    config = bl_xml_first_child(xmlDocGetRootElement(s->cib), "configuration");
    return nvpair_value(bl_xml_first_child(config, "op_defaults"), "meta_attributes", name);
}
