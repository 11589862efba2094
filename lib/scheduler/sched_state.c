/*
 * The state before the transition, kept in the result for printers (`belay simulate`'s
 * "Current cluster status"): nodes, resources with their role and nodes, and the failed
 * operations of the status section. Everything is copied, since the working set is freed
 * when the run ends.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "sched_private.h"

struct bl_sched_state_data {
    bl_sched_state_t pub;
    GArray *nodes;     /* bl_sched_node_state_t */
    GArray *resources; /* bl_sched_rsc_state_t */
    GArray *failures;  /* bl_sched_failure_t */
    GPtrArray *owned;  /* strings and vectors the entries point to (g_free) */
    /* Only while capturing: */
    GHashTable *histories; /* id -> first lrm_resource, built when an orphan needs one */
    GHashTable *listed;    /* "rsc\ntask\ninterval\nnode" of the failures listed */
};

static const char *
keep(struct bl_sched_state_data *state, const char *text)
{
    char *copy = text != NULL ? g_strdup(text) : NULL;

    if (copy != NULL) {
        g_ptr_array_add(state->owned, copy);
    }
    return copy;
}

static void
capture_nodes(const bl_sched_t *s, struct bl_sched_state_data *state)
{
    for (int n = 0; n < s->n_nodes; n++) {
        const bl_snode_t *node = s->nodes[n];
        bl_sched_node_state_t entry = {
            .name = keep(state, node->uname),
            .online = node->online,
            .unclean = node->unclean,
            .standby = node->standby,
            .maintenance = node->maintenance,
            .shutdown = node->shutdown,
        };

        g_array_append_val(state->nodes, entry);
    }
}

/*
 * The lrm_resource of an orphan names its agent, since no configuration does. The status
 * section is indexed once, on the first orphan, rather than searched for each.
 */
static const xmlNode *
history_of(const bl_sched_t *s, struct bl_sched_state_data *state, const char *id)
{
    xmlNode *status = bl_xml_first_child(xmlDocGetRootElement(s->cib), "status");

    if (state->histories == NULL) {
        state->histories = g_hash_table_new(g_str_hash, g_str_equal);
        for (xmlNode *ns = bl_xml_first_child(status, "node_state"); ns != NULL;
             ns = bl_xml_next(ns, "node_state")) {
            xmlNode *list = bl_xml_first_child(bl_xml_first_child(ns, "lrm"), "lrm_resources");

            for (xmlNode *rsc = bl_xml_first_child(list, "lrm_resource"); rsc != NULL;
                 rsc = bl_xml_next(rsc, "lrm_resource")) {
                const char *rid = bl_xml_attr(rsc, "id");

                if (rid != NULL && !g_hash_table_contains(state->histories, rid)) {
                    g_hash_table_insert(state->histories, (gpointer) rid, rsc);
                }
            }
        }
    }
    return g_hash_table_lookup(state->histories, id);
}

static const char *
agent_of(const bl_sched_t *s, const bl_srsc_t *rsc, struct bl_sched_state_data *state)
{
    const xmlNode *xml = rsc->xml != NULL ? rsc->xml : history_of(s, state, rsc->id);
    const char *class = bl_xml_attr(xml, "class");
    const char *provider = bl_xml_attr(xml, "provider");
    const char *type = bl_xml_attr(xml, "type");
    char *agent;

    if (class == NULL || type == NULL) {
        return keep(state, "unknown");
    }
    agent = provider != NULL ? g_strdup_printf("%s:%s:%s", class, provider, type)
                             : g_strdup_printf("%s:%s", class, type);
    g_ptr_array_add(state->owned, agent);
    return agent;
}

static const char *const *
node_names(struct bl_sched_state_data *state, const GPtrArray *nodes)
{
    const char **names = g_new0(const char *, nodes->len + 1);

    for (guint i = 0; i < nodes->len; i++) {
        names[i] = ((const bl_snode_t *) g_ptr_array_index(nodes, i))->uname;
        names[i] = keep(state, names[i]);
    }
    g_ptr_array_add(state->owned, names);
    return names;
}

static bool
disabled(const bl_srsc_t *rsc)
{
    const char *target = g_hash_table_lookup(rsc->meta, "target-role");
    bl_role_t role;

    return target != NULL && bl__sched_role_parse(target, &role) && role == BL_ROLE_STOPPED;
}

/* A promotable instance is Promoted or Unpromoted where it runs (a group instance by its
 * highest member); a clone names what it clones. */
static void
capture_clone(const bl_srsc_t *rsc, struct bl_sched_state_data *state, bl_sched_rsc_state_t *entry)
{
    const bl_srsc_t *clone = rsc->kind == BL_RSC_CLONE ? rsc : bl__sched_rsc_clone(rsc);

    if (clone == NULL) {
        return;
    }
    if (rsc == clone) {
        entry->is_clone = true;
        entry->promotable = clone->clone->promotable;
        entry->unique = clone->clone->unique;
        entry->cloned = keep(state, bl_xml_attr(clone->clone->template_xml, "id"));
        return;
    }
    entry->clone = keep(state, clone->id);
    if (rsc->kind != BL_RSC_GROUP) {
        entry->id = keep(state, bl__sched_rsc_name(rsc)); /* group instances keep ":N" */
    }
    if (clone->clone->promotable && entry->nodes[0] != NULL) {
        bl_role_t role = rsc->kind == BL_RSC_GROUP ? bl__sched_instance_role(rsc) : rsc->role;

        entry->role = role == BL_ROLE_PROMOTED ? "Promoted" : "Unpromoted";
    }
}

static void
capture_rsc(const bl_sched_t *s, const bl_srsc_t *rsc, struct bl_sched_state_data *state)
{
    bl_sched_rsc_state_t entry = {
        .id = keep(state, rsc->id),
        .group = rsc->parent != NULL ? keep(state, rsc->parent->id) : NULL,
        .is_group = rsc->kind == BL_RSC_GROUP,
        .managed = rsc->managed,
        .orphan = rsc->orphan,
        .disabled = disabled(rsc),
        .blocked = rsc->blocked,
        .starting = rsc->kind == BL_RSC_PRIMITIVE && rsc->pending_on->len > 0,
        .maintenance =
            s->maintenance_mode || bl__sched_true(g_hash_table_lookup(rsc->meta, "maintenance")),
    };
    g_autoptr(GPtrArray) on = g_ptr_array_new();

    if (rsc->kind == BL_RSC_GROUP) {
        for (guint i = 0; i < rsc->children->len; i++) {
            const bl_srsc_t *member = g_ptr_array_index(rsc->children, i);

            entry.failed = entry.failed || member->failed;
            for (guint n = 0; n < member->running_on->len; n++) {
                gpointer node = g_ptr_array_index(member->running_on, n);

                if (!g_ptr_array_find(on, node, NULL)) {
                    g_ptr_array_add(on, node);
                }
            }
        }
    } else {
        entry.agent = agent_of(s, rsc, state);
        entry.failed = rsc->failed;
        g_ptr_array_extend(on, rsc->running_on, NULL, NULL);
    }
    entry.nodes = node_names(state, on);
    entry.role = on->len > 0 ? "Started" : "Stopped";
    capture_clone(rsc, state, &entry);
    g_array_append_val(state->resources, entry);
    for (guint i = 0; rsc->children != NULL && i < rsc->children->len; i++) {
        capture_rsc(s, g_ptr_array_index(rsc->children, i), state);
    }
}

static int
int_attr(const xmlNode *xml, const char *name, int fallback)
{
    const char *value = bl_xml_attr(xml, name);

    return value != NULL ? atoi(value) : fallback;
}

/* Expected rc: the third field of transition-key "action:transition:target_rc:uuid". */
static int
expected_rc(const xmlNode *op)
{
    const char *key = bl_xml_attr(op, "transition-key");
    const char *magic = bl_xml_attr(op, "transition-magic");
    const char *p;

    if (key == NULL && magic != NULL && strchr(magic, ';') != NULL) {
        key = strchr(magic, ';') + 1;
    }
    p = key != NULL ? strchr(key, ':') : NULL;
    p = p != NULL ? strchr(p + 1, ':') : NULL;
    return p != NULL ? atoi(p + 1) : 0;
}

/* A failure: the executor reported an error, or the agent returned what was not expected
 * (a probe may find the resource running, stopped or promoted: none of them is a failure). */
static bool
is_failure(const xmlNode *op, const char *task, uint64_t interval_ms)
{
    int status = int_attr(op, "op-status", 0);
    int rc = int_attr(op, "rc-code", 0);

    bool probe = strcmp(task, "monitor") == 0 && interval_ms == 0;
    bool expected = probe ? (rc == 0 || rc == 7 || rc == 8) : rc == expected_rc(op);

    if (status == -1 || status == 1) {
        return false; /* pending or cancelled */
    }
    if (status == 4) {
        return !expected; /* an error status with the expected result counts as done */
    }
    return status != 0 || !expected;
}

/* Records F as listed; false when an equal failure already was. */
static bool
first_listing(struct bl_sched_state_data *state, const bl_sched_failure_t *f)
{
    char *key =
        g_strdup_printf("%s\n%s\n%" PRIu64 "\n%s", f->rsc, f->task, f->interval_ms, f->node);

    if (g_hash_table_contains(state->listed, key)) {
        g_free(key);
        return false;
    }
    g_hash_table_add(state->listed, key);
    return true;
}

static void
capture_history(struct bl_sched_state_data *state, const xmlNode *rsc, const char *node)
{
    for (xmlNode *op = bl_xml_first_child(rsc, "lrm_rsc_op"); op != NULL;
         op = bl_xml_next(op, "lrm_rsc_op")) {
        const char *task = bl_xml_attr(op, "operation");
        const char *interval = bl_xml_attr(op, "interval");
        bl_sched_failure_t f = {
            .rsc = bl_xml_attr(rsc, "id"),
            .task = task,
            .interval_ms = interval != NULL ? strtoull(interval, NULL, 10) : 0,
            .node = node,
            .rc = int_attr(op, "rc-code", 0),
            .status = int_attr(op, "op-status", 0),
        };

        if (f.rsc == NULL || task == NULL || !is_failure(op, task, f.interval_ms)
            || !first_listing(state, &f)) {
            continue;
        }
        f.rsc = keep(state, f.rsc);
        f.task = keep(state, f.task);
        f.node = keep(state, f.node);
        g_array_append_val(state->failures, f);
    }
}

static void
capture_failures(const bl_sched_t *s, struct bl_sched_state_data *state)
{
    xmlNode *status = bl_xml_first_child(xmlDocGetRootElement(s->cib), "status");

    for (xmlNode *ns = bl_xml_first_child(status, "node_state"); ns != NULL;
         ns = bl_xml_next(ns, "node_state")) {
        const bl_snode_t *node = bl__sched_node_find(s, bl_xml_attr(ns, "id"));
        xmlNode *list = bl_xml_first_child(bl_xml_first_child(ns, "lrm"), "lrm_resources");

        if (node == NULL) {
            node = bl__sched_node_find(s, bl_xml_attr(ns, "uname"));
        }
        for (xmlNode *rsc = bl_xml_first_child(list, "lrm_resource"); node != NULL && rsc != NULL;
             rsc = bl_xml_next(rsc, "lrm_resource")) {
            capture_history(state, rsc, node->uname);
        }
    }
}

void
bl__sched_state_capture(const bl_sched_t *s, bl_sched_result_t *result)
{
    struct bl_sched_state_data *state = g_new0(struct bl_sched_state_data, 1);

    state->nodes = g_array_new(false, true, sizeof(bl_sched_node_state_t));
    state->resources = g_array_new(false, true, sizeof(bl_sched_rsc_state_t));
    state->failures = g_array_new(false, true, sizeof(bl_sched_failure_t));
    state->owned = g_ptr_array_new_with_free_func(g_free);
    capture_nodes(s, state);
    /* by priority, as Pacemaker lists them */
    for (guint i = 0; i < s->assign_order->len; i++) {
        capture_rsc(s, g_ptr_array_index(s->assign_order, i), state);
    }
    state->listed = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    capture_failures(s, state);
    g_hash_table_destroy(state->listed);
    state->listed = NULL;
    if (state->histories != NULL) {
        g_hash_table_destroy(state->histories);
        state->histories = NULL;
    }
    state->pub.n_nodes = state->nodes->len;
    state->pub.nodes = (const bl_sched_node_state_t *) (void *) state->nodes->data;
    state->pub.n_resources = state->resources->len;
    state->pub.resources = (const bl_sched_rsc_state_t *) (void *) state->resources->data;
    state->pub.n_failures = state->failures->len;
    state->pub.failures = (const bl_sched_failure_t *) (void *) state->failures->data;
    result->state = state;
}

void
bl__sched_state_free(struct bl_sched_state_data *state)
{
    if (state == NULL) {
        return;
    }
    g_array_free(state->nodes, true);
    g_array_free(state->resources, true);
    g_array_free(state->failures, true);
    g_ptr_array_free(state->owned, true);
    g_free(state);
}

const bl_sched_state_t *
bl_sched_result_state(const bl_sched_result_t *result)
{
    return result->state != NULL ? &result->state->pub : NULL;
}
