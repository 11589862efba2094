/* Nodes: the configured node list, their attributes and their state from node_state. */
#include <string.h>
#include <strings.h>

#include "sched_private.h"

static void
node_free(bl_snode_t *node)
{
    if (node == NULL) {
        return;
    }
    g_hash_table_destroy(node->attrs);
    if (node->failure_attrs != NULL) {
        g_ptr_array_free(node->failure_attrs, true);
    }
    free(node->id);
    free(node->uname);
    free(node->capacity);
    free(node);
}

static int
node_new(bl_sched_t *s, const xmlNode *xml, GPtrArray *list)
{
    const char *id = bl_xml_attr(xml, "id");
    const char *uname = bl_xml_attr(xml, "uname");
    const char *type = bl_xml_attr(xml, "type");
    bl_snode_t *node;

    if (type != NULL && strcmp(type, "member") != 0 && strcmp(type, "normal") != 0) {
        bl_err_set(s->err, "node '%s': node type '%s' is not supported (only cluster members)",
                   uname != NULL ? uname : "?", type);
        return BL_EUNSUPPORTED;
    }
    if (id == NULL) {
        bl_err_set(s->err, "line %ld: node without an id", bl_xml_line(xml));
        return BL_EINVALID;
    }
    if (uname == NULL) {
        uname = id;
    }
    if (g_hash_table_contains(s->node_by_uname, uname)) {
        bl_err_set(s->err, "node '%s' is defined twice", uname);
        return BL_EINVALID;
    }
    node = bl_calloc(1, sizeof(*node));
    node->index = (int) list->len;
    node->id = bl_strdup(id);
    node->uname = bl_strdup(uname);
    node->attrs = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    g_ptr_array_add(list, node);
    g_hash_table_insert(s->node_by_uname, node->uname, node);
    g_hash_table_insert(s->node_by_id, node->id, node);
    return 0;
}

static void
add_builtin_attrs(const bl_sched_t *s, bl_snode_t *node)
{
    bool is_dc = s->dc_uuid != NULL && strcmp(s->dc_uuid, node->id) == 0;

    g_hash_table_replace(node->attrs, g_strdup("#uname"), g_strdup(node->uname));
    g_hash_table_replace(node->attrs, g_strdup("#id"), g_strdup(node->id));
    g_hash_table_replace(node->attrs, g_strdup("#kind"), g_strdup("cluster"));
    g_hash_table_replace(node->attrs, g_strdup("#is_dc"), g_strdup(is_dc ? "true" : "false"));
}

static int
unpack_node_list(bl_sched_t *s, const xmlNode *nodes, GPtrArray *list)
{
    for (xmlNode *xml = bl_xml_first_child(nodes, NULL); xml != NULL;
         xml = bl_xml_next(xml, NULL)) {
        bl_snode_t *node;
        int rc;

        if (!bl_xml_is(xml, "node")) {
            bl_err_set(s->err, "line %ld: <%s> in <nodes> is not supported", bl_xml_line(xml),
                       (const char *) xml->name);
            return BL_EUNSUPPORTED;
        }
        rc = node_new(s, xml, list);
        if (rc != 0) {
            return rc;
        }
        node = g_ptr_array_index(list, list->len - 1);
        add_builtin_attrs(s, node);
        rc = bl__sched_nvpairs(s, xml, "instance_attributes", node->attrs, false);
        if (rc != 0) {
            return rc;
        }
    }
    return 0;
}

/*
 * Without fencing a node whose controller is gone is simply down, unless it was
 * expected up: then it is unclean (it may still run resources we cannot see).
 */
static void
state_without_fencing(bl_snode_t *node, bool in_cluster, bool peer, const char *join)
{
    if (!in_cluster) {
        node->online = false;
    } else if (peer) {
        node->online = join != NULL && strcmp(join, "member") == 0;
    } else if (node->expected_up) {
        node->unclean = true;
    }
}

/*
 * With fencing, any doubt about a node makes it unclean (to be fenced); a node that is
 * joining or leaving on purpose only may not run resources yet.
 */
/* The "terminate" node attribute: true, or a time (a number that is not 0). */
static bool
termination_requested(const bl_snode_t *node)
{
    const char *value = bl__sched_node_attr(node, "terminate");

    return bl__sched_true(value) || (value != NULL && value[0] >= '1' && value[0] <= '9');
}

static void
state_with_fencing(bl_snode_t *node, const xmlNode *state, bool peer)
{
    const char *in_ccm = bl_xml_attr(state, "in_ccm");
    const char *join = bl_xml_attr(state, "join");
    const char *expected = bl_xml_attr(state, "expected");
    bool in_cluster = bl__sched_true(in_ccm);
    bool terminate = termination_requested(node);

    node->online = in_cluster;
    if (node->shutdown) {
        node->online = peer;
    } else if (in_ccm == NULL) {
        node->unclean = true;
    } else if (join != NULL && strcmp(join, "banned") == 0) {
        node->unclean = true;
    } else if (!terminate && (expected == NULL || strcmp(expected, "down") == 0)) {
        node->pending = in_cluster || peer;
        node->standby = node->standby || node->pending;
    } else if (terminate && g_strcmp0(join, "down") == 0 && !in_cluster && !peer) {
        node->online = false; /* it was just fenced as asked */
    } else if (!in_cluster || !peer || terminate) {
        node->unclean = true;
    } else if (join != NULL && strcmp(join, "member") == 0) {
        return;
    } else if (join == NULL || strcmp(join, "pending") == 0 || strcmp(join, "down") == 0) {
        node->standby = true;
        node->pending = true;
    } else {
        node->unclean = true;
    }
}

static void
unpack_node_state(bl_sched_t *s, bl_snode_t *node, const xmlNode *state)
{
    const char *in_ccm = bl_xml_attr(state, "in_ccm");
    const char *crmd = bl_xml_attr(state, "crmd");
    const char *expected = bl_xml_attr(state, "expected");
    bool in_cluster =
        bl__sched_true(in_ccm) || (in_ccm != NULL && in_ccm[0] >= '1' && in_ccm[0] <= '9');
    bool peer =
        crmd != NULL && (strcasecmp(crmd, "online") == 0 || (crmd[0] >= '1' && crmd[0] <= '9'));

    node->has_state = true;
    node->expected_up = expected != NULL && strcmp(expected, "member") == 0;
    if (s->stonith_enabled) {
        state_with_fencing(node, state, peer);
    } else {
        state_without_fencing(node, in_cluster, peer, bl_xml_attr(state, "join"));
    }
    if (!s->have_quorum && node->online && s->no_quorum_policy == BL_NOQ_SUICIDE) {
        node->unclean = true; /* every node of a partition that lost quorum fences itself */
    }
}

static int
unpack_transient(bl_sched_t *s, bl_snode_t *node, const xmlNode *state)
{
    xmlNode *transient = bl_xml_first_child(state, "transient_attributes");
    const char *shutdown;
    int rc;

    rc = bl__sched_nvpairs(s, transient, "instance_attributes", node->attrs, true);
    if (rc != 0) {
        return rc;
    }
    if (bl__sched_true(bl__sched_node_attr(node, "standby"))) {
        node->standby = true;
    }
    if (bl__sched_true(bl__sched_node_attr(node, "maintenance"))) {
        node->maintenance = true;
    }
    shutdown = bl__sched_node_attr(node, "shutdown");
    if (shutdown != NULL && strcmp(shutdown, "0") != 0) {
        node->shutdown = true;
    }
    return 0;
}

static int
unpack_states(bl_sched_t *s)
{
    xmlNode *status = bl_xml_first_child(xmlDocGetRootElement(s->cib), "status");

    for (xmlNode *state = bl_xml_first_child(status, "node_state"); state != NULL;
         state = bl_xml_next(state, "node_state")) {
        const char *id = bl_xml_attr(state, "id");
        const char *uname = bl_xml_attr(state, "uname");
        bl_snode_t *node = id != NULL ? g_hash_table_lookup(s->node_by_id, id) : NULL;
        int rc;

        if (node == NULL && uname != NULL) {
            node = g_hash_table_lookup(s->node_by_uname, uname);
        }
        if (node == NULL || node->has_state) {
            continue;
        }
        rc = unpack_transient(s, node, state);
        if (rc != 0) {
            return rc;
        }
        unpack_node_state(s, node, state);
    }
    return 0;
}

/* With fencing, a node the cluster has never seen may be running anything. */
static void
startup_fencing(bl_sched_t *s)
{
    for (int i = 0; i < s->n_nodes; i++) {
        if (!s->nodes[i]->has_state && s->stonith_enabled && s->startup_fencing) {
            s->nodes[i]->unclean = true;
        }
    }
}

int
bl__sched_unpack_nodes(bl_sched_t *s)
{
    xmlNode *config = bl_xml_first_child(xmlDocGetRootElement(s->cib), "configuration");
    GPtrArray *list = g_ptr_array_new();
    int rc;

    s->node_by_uname = g_hash_table_new(g_str_hash, g_str_equal);
    s->node_by_id = g_hash_table_new(g_str_hash, g_str_equal);
    rc = unpack_node_list(s, bl_xml_first_child(config, "nodes"), list);
    s->n_nodes = (int) list->len;
    s->nodes = (bl_snode_t **) g_ptr_array_free(list, false);
    if (rc != 0) {
        return rc;
    }
    rc = unpack_states(s);
    startup_fencing(s);
    return rc;
}

void
bl__sched_nodes_free(bl_sched_t *s)
{
    for (int i = 0; i < s->n_nodes; i++) {
        node_free(s->nodes[i]);
    }
    g_free(s->nodes);
    if (s->node_by_uname != NULL) {
        g_hash_table_destroy(s->node_by_uname);
        g_hash_table_destroy(s->node_by_id);
    }
}

bl_snode_t *
bl__sched_node_find(const bl_sched_t *s, const char *uname_or_id)
{
    bl_snode_t *node;

    if (uname_or_id == NULL) {
        return NULL;
    }
    node = g_hash_table_lookup(s->node_by_uname, uname_or_id);
    return node != NULL ? node : g_hash_table_lookup(s->node_by_id, uname_or_id);
}

bool
bl__sched_node_available(const bl_snode_t *node)
{
    return node != NULL && node->online && !node->unclean && !node->standby && !node->maintenance
           && !node->shutdown;
}

const char *
bl__sched_node_attr(const bl_snode_t *node, const char *name)
{
    return g_hash_table_lookup(node->attrs, name);
}

/* Whether the top-level resource TOP is active on some node. */
static bool
active_anywhere(const bl_srsc_t *top)
{
    return top->running_on->len > 0;
}

void
bl__sched_block_unprobed_start(bl_sched_t *s, bl_srsc_t *rsc)
{
    bl_srsc_t *top = bl__sched_rsc_top(rsc);

    if (!s->startup_probes || s->maintenance_mode || rsc->orphan || active_anywhere(top)) {
        return;
    }
    for (int n = 0; n < s->n_nodes; n++) {
        const bl_snode_t *node = s->nodes[n];

        /* A probe there cannot run before the node has joined, and until it has, the
         * resource might already be running there. */
        if (node->pending && node->online && !node->unclean && !node->maintenance
            && !g_ptr_array_find(rsc->known_on, node, NULL)) {
            for (guint i = 0; i < rsc->actions->len; i++) {
                bl_action_t *start = g_ptr_array_index(rsc->actions, i);

                if (start->task == BL_TASK_START) {
                    start->flags &= ~BL_ACT_RUNNABLE;
                }
            }
            return;
        }
    }
}
