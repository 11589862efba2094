/*
 * placement-strategy and utilization. With a strategy other than "default", nodes have
 * capacities and primitives have demands (the nvpairs of their <utilization> sets); a
 * primitive may only be placed where the remaining capacity covers its demand, and every
 * placement consumes capacity. Attribute names are numbered once per run, so capacities
 * and demands are plain int vectors; a name a node does not declare counts as 0.
 *
 * As in Pacemaker 2.1.5:
 *  - resources are assigned in a different order: priority, then the (colocation-merged)
 *    score on the node they run on, then their scores node by node;
 *  - before choosing a node, a primitive is banned from nodes that cannot hold it and
 *    every not-yet-placed resource that must be colocated with it (mandatory
 *    colocations, followed both ways); when no node can hold them all, only from nodes
 *    that cannot hold the primitive alone, and the node with most room is preferred;
 *  - "balanced" prefers, among equal scores, the node with more remaining capacity in
 *    more attributes; "minimal" ignores how many resources a node already has.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sched_private.h"

bl_placement_t
bl__sched_util_strategy(const char *text)
{
    if (text == NULL) {
        return BL_PLACE_DEFAULT;
    }
    if (strcasecmp(text, "utilization") == 0) {
        return BL_PLACE_UTILIZATION;
    }
    if (strcasecmp(text, "minimal") == 0) {
        return BL_PLACE_MINIMAL;
    }
    if (strcasecmp(text, "balanced") == 0) {
        return BL_PLACE_BALANCED;
    }
    return BL_PLACE_DEFAULT;
}

/* Pacemaker reads utilization values as integers; anything else counts as 0. */
static int
util_value(const char *text)
{
    char *end = NULL;
    long long value;

    if (text == NULL) {
        return 0;
    }
    value = strtoll(text, &end, 10);
    if (end == text) {
        return 0;
    }
    if (value > INT_MAX) {
        return INT_MAX;
    }
    return value < INT_MIN + 1 ? INT_MIN + 1 : (int) value;
}

/* Reads the <utilization> sets of XML into a new table, numbering unseen names. */
static int
read_table(bl_sched_t *s, const xmlNode *xml, GHashTable *names, GHashTable **table)
{
    GHashTableIter iter;
    gpointer key;
    int rc;

    *table = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    rc = bl__sched_nvpairs(s, xml, "utilization", *table, false);
    g_hash_table_iter_init(&iter, *table);
    while (g_hash_table_iter_next(&iter, &key, NULL)) {
        if (!g_hash_table_contains(names, key)) {
            g_hash_table_insert(names, g_strdup(key), GINT_TO_POINTER(g_hash_table_size(names)));
        }
    }
    return rc;
}

static int *
to_vector(const bl_sched_t *s, GHashTable *names, GHashTable *table, int absent)
{
    int *vector = bl_calloc((size_t) s->n_util + 1, sizeof(int));
    GHashTableIter iter;
    gpointer key, value;

    for (int i = 0; i < s->n_util; i++) {
        vector[i] = absent;
    }
    g_hash_table_iter_init(&iter, table);
    while (g_hash_table_iter_next(&iter, &key, &value)) {
        vector[GPOINTER_TO_INT(g_hash_table_lookup(names, key))] = util_value(value);
    }
    return vector;
}

static const xmlNode *
nodes_section(const bl_sched_t *s)
{
    xmlNode *config = bl_xml_first_child(xmlDocGetRootElement(s->cib), "configuration");

    return bl_xml_first_child(config, "nodes");
}

/* Capacity tables of the nodes (NULL where a node has no entry) and demand tables of the
 * primitives, in index order. */
static int
read_tables(bl_sched_t *s, GHashTable *names, GHashTable **node_tables, GHashTable **rsc_tables)
{
    int rc = 0;

    for (xmlNode *xml = bl_xml_first_child(nodes_section(s), "node"); xml != NULL && rc == 0;
         xml = bl_xml_next(xml, "node")) {
        bl_snode_t *node = g_hash_table_lookup(s->node_by_id, bl_xml_attr(xml, "id"));

        if (node != NULL && node_tables[node->index] == NULL) {
            rc = read_table(s, xml, names, &node_tables[node->index]);
        }
    }
    for (guint i = 0; i < s->primitives->len && rc == 0; i++) {
        bl_srsc_t *rsc = g_ptr_array_index(s->primitives, i);

        if (rsc->xml != NULL) {
            rc = read_table(s, rsc->xml, names, &rsc_tables[i]);
        }
    }
    return rc;
}

int
bl__sched_unpack_utilization(bl_sched_t *s)
{
    g_autoptr(GHashTable) names = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    GHashTable **node_tables = NULL;
    GHashTable **rsc_tables = NULL;
    int rc;

    if (s->placement == BL_PLACE_DEFAULT) {
        return 0; /* utilization is ignored: keep the default path free of it */
    }
    node_tables = bl_calloc((size_t) s->n_nodes + 1, sizeof(GHashTable *));
    rsc_tables = bl_calloc((size_t) s->primitives->len + 1, sizeof(GHashTable *));
    rc = read_tables(s, names, node_tables, rsc_tables);
    s->n_util = (int) g_hash_table_size(names);
    for (int i = 0; i < s->n_nodes; i++) {
        if (rc == 0) {
            s->nodes[i]->capacity = node_tables[i] != NULL
                                        ? to_vector(s, names, node_tables[i], 0)
                                        : bl_calloc((size_t) s->n_util + 1, sizeof(int));
        }
        if (node_tables[i] != NULL) {
            g_hash_table_destroy(node_tables[i]);
        }
    }
    for (guint i = 0; i < s->primitives->len; i++) {
        bl_srsc_t *rsc = g_ptr_array_index(s->primitives, i);

        if (rsc_tables[i] != NULL && rc == 0 && g_hash_table_size(rsc_tables[i]) > 0) {
            rsc->utilization = to_vector(s, names, rsc_tables[i], BL_UTIL_NONE);
        }
        if (rsc_tables[i] != NULL) {
            g_hash_table_destroy(rsc_tables[i]);
        }
    }
    free(node_tables);
    free(rsc_tables);
    return rc;
}

/* ------------------------------------------------------------ capacity checks */

static bool
enough_capacity(const bl_sched_t *s, const bl_snode_t *node, const int *demand)
{
    for (int i = 0; demand != NULL && i < s->n_util; i++) {
        if (demand[i] != BL_UTIL_NONE && demand[i] > node->capacity[i]) {
            return false;
        }
    }
    return true;
}

int
bl__sched_util_compare(const bl_sched_t *s, const bl_snode_t *a, const bl_snode_t *b)
{
    int result = 0;

    for (int i = 0; i < s->n_util; i++) {
        if (a->capacity[i] > b->capacity[i]) {
            result--;
        } else if (a->capacity[i] < b->capacity[i]) {
            result++;
        }
    }
    return result;
}

void
bl__sched_util_consume(bl_sched_t *s, const bl_srsc_t *rsc, bl_snode_t *node)
{
    if (s->placement == BL_PLACE_DEFAULT || rsc->utilization == NULL) {
        return;
    }
    for (int i = 0; i < s->n_util; i++) {
        if (rsc->utilization[i] != BL_UTIL_NONE) {
            node->capacity[i] -= rsc->utilization[i];
        }
    }
}

void
bl__sched_util_release(bl_sched_t *s, const bl_srsc_t *rsc, bl_snode_t *node)
{
    if (s->placement == BL_PLACE_DEFAULT || rsc->utilization == NULL) {
        return;
    }
    for (int i = 0; i < s->n_util; i++) {
        if (rsc->utilization[i] != BL_UTIL_NONE) {
            node->capacity[i] += rsc->utilization[i];
        }
    }
}

/*
 * "RSC and its colocated resources", as Pacemaker collects them before placing RSC: the
 * resources reachable through mandatory colocations, followed both ways. A group stands
 * for its members (all of them, or only the first when they are not colocated). A clone
 * is not followed to dependents that are not clones: whether those end up with one of
 * its instances is not known yet.
 */
typedef struct coloc_walk {
    const bl_srsc_t *orig; /* the resource being placed: colocations back to it are loops */
    GPtrArray *list;
    GHashTable *seen;
} coloc_walk_t;

static bool
group_colocated(const bl_srsc_t *group)
{
    const char *value = g_hash_table_lookup(group->meta, "collocated");

    return value == NULL || bl__sched_true(value) || bl__sched_rsc_clone(group) != NULL;
}

/* A colocation by role whose dependent is an assigned promotable instance decides its
 * role, not its node. */
static bool
affects_location(const bl_coloc_t *coloc, const bl_srsc_t *dependent)
{
    const bl_srsc_t *parent = dependent->parent;

    return coloc->dependent_role < BL_ROLE_UNPROMOTED || dependent->provisional || parent == NULL
           || parent->kind != BL_RSC_CLONE || !parent->clone->promotable;
}

static void walk_resource(coloc_walk_t *walk, bl_srsc_t *rsc);

static void
walk_colocations(coloc_walk_t *walk, bl_srsc_t *rsc)
{
    if (!g_hash_table_add(walk->seen, rsc)) {
        return;
    }
    g_ptr_array_add(walk->list, rsc);
    for (guint i = 0; i < rsc->this_with->len; i++) {
        const bl_coloc_t *coloc = g_ptr_array_index(rsc->this_with, i);

        if (coloc->primary != walk->orig && coloc->score >= INF && affects_location(coloc, rsc)) {
            walk_resource(walk, coloc->primary);
        }
    }
    for (guint i = 0; i < rsc->with_this->len; i++) {
        const bl_coloc_t *coloc = g_ptr_array_index(rsc->with_this, i);

        if (coloc->dependent == walk->orig
            || (rsc->kind == BL_RSC_CLONE && coloc->dependent->kind != BL_RSC_CLONE)) {
            continue;
        }
        if (coloc->score >= INF && affects_location(coloc, coloc->dependent)) {
            walk_resource(walk, coloc->dependent);
        }
    }
}

static void
walk_resource(coloc_walk_t *walk, bl_srsc_t *rsc)
{
    if (rsc->kind == BL_RSC_GROUP) {
        guint members = group_colocated(rsc) ? rsc->children->len : MIN(rsc->children->len, 1);

        for (guint m = 0; m < members; m++) {
            walk_resource(walk, g_ptr_array_index(rsc->children, m));
        }
    }
    walk_colocations(walk, rsc);
}

static void
add_primitive_demand(const bl_sched_t *s, int *sum, const bl_srsc_t *rsc)
{
    if (!rsc->provisional || rsc->utilization == NULL) {
        return;
    }
    for (int i = 0; i < s->n_util; i++) {
        if (rsc->utilization[i] != BL_UTIL_NONE) {
            sum[i] = (sum[i] == BL_UTIL_NONE ? 0 : sum[i]) + rsc->utilization[i];
        }
    }
}

/* Members already in the walk add their own demand. */
static void
add_group_demand(const bl_sched_t *s, int *sum, const bl_srsc_t *group, GHashTable *seen)
{
    guint members = group_colocated(group) ? group->children->len : MIN(group->children->len, 1);

    for (guint m = 0; group->provisional && m < members; m++) {
        const bl_srsc_t *member = g_ptr_array_index(group->children, m);

        if (!g_hash_table_contains(seen, member)) {
            add_primitive_demand(s, sum, member);
        }
    }
}

static void
add_instance_demand(const bl_sched_t *s, int *sum, const bl_srsc_t *instance, GHashTable *seen)
{
    if (instance->kind == BL_RSC_GROUP) {
        add_group_demand(s, sum, instance, seen);
    } else {
        add_primitive_demand(s, sum, instance);
    }
}

static bool
any_member_seen(const bl_srsc_t *instance, GHashTable *seen)
{
    for (guint m = 0; instance->children != NULL && m < instance->children->len; m++) {
        if (g_hash_table_contains(seen, g_ptr_array_index(instance->children, m))) {
            return true;
        }
    }
    return false;
}

/* An unplaced clone counts as one instance: the first, unless instances (or members of
 * cloned groups) are in the walk already; a cloned group with a member there counts. */
static void
add_clone_demand(const bl_sched_t *s, int *sum, const bl_srsc_t *clone, GHashTable *seen)
{
    bool existing = false;

    if (!clone->provisional || clone->children->len == 0) {
        return;
    }
    for (guint i = 0; i < clone->children->len; i++) {
        const bl_srsc_t *instance = g_ptr_array_index(clone->children, i);

        if (g_hash_table_contains(seen, instance)) {
            existing = true;
        } else if (any_member_seen(instance, seen)) {
            add_instance_demand(s, sum, instance, seen);
            existing = true;
        }
    }
    if (!existing) {
        add_instance_demand(s, sum, g_ptr_array_index(clone->children, 0), seen);
    }
}

/* The demand of every not-yet-placed resource colocated with RSC, RSC included. */
static int *
colocated_demand(bl_sched_t *s, bl_srsc_t *rsc)
{
    g_autoptr(GPtrArray) list = g_ptr_array_new();
    g_autoptr(GHashTable) seen = g_hash_table_new(NULL, NULL);
    coloc_walk_t walk = {.orig = rsc, .list = list, .seen = seen};
    int *sum = bl_calloc((size_t) s->n_util + 1, sizeof(int));

    for (int i = 0; i < s->n_util; i++) {
        sum[i] = BL_UTIL_NONE;
    }
    walk_resource(&walk, rsc);
    for (guint i = 0; i < list->len; i++) {
        const bl_srsc_t *other = g_ptr_array_index(list, i);

        if (other->kind == BL_RSC_GROUP) {
            add_group_demand(s, sum, other, seen);
        } else if (other->kind == BL_RSC_CLONE) {
            add_clone_demand(s, sum, other, seen);
        } else {
            add_primitive_demand(s, sum, other);
        }
    }
    return sum;
}

static bool
candidate(const bl_sched_t *s, const bl_srsc_t *rsc, int n)
{
    return rsc->allowed[n] && rsc->scores[n] >= 0 && bl__sched_node_available(s->nodes[n]);
}

static void
ban_lacking(bl_sched_t *s, bl_srsc_t *rsc, const int *demand)
{
    for (int n = 0; n < s->n_nodes; n++) {
        if (candidate(s, rsc, n) && !enough_capacity(s, s->nodes[n], demand)) {
            bl__sched_rsc_location(rsc, s->nodes[n], -INF, s->n_nodes);
        }
    }
}

bl_snode_t *
bl__sched_util_ban(bl_sched_t *s, bl_srsc_t *rsc)
{
    g_autofree int *demand = NULL;
    bl_snode_t *roomiest = NULL;
    bool any_capable = false;

    if (s->placement == BL_PLACE_DEFAULT) {
        return NULL;
    }
    demand = colocated_demand(s, rsc);
    for (int n = 0; n < s->n_nodes; n++) {
        if (!candidate(s, rsc, n)) {
            continue;
        }
        any_capable = any_capable || enough_capacity(s, s->nodes[n], demand);
        if (roomiest == NULL || bl__sched_util_compare(s, s->nodes[n], roomiest) < 0) {
            roomiest = s->nodes[n];
        }
    }
    if (any_capable) {
        ban_lacking(s, rsc, demand);
        return NULL;
    }
    ban_lacking(s, rsc, rsc->utilization);
    return roomiest;
}

/* ------------------------------------------------------------ assignment order */

typedef struct rsc_rank {
    int priority;
    int current; /* merged score on the node it runs on, -INFINITY if none */
    int *merged; /* merged score per node, -INFINITY where not allowed */
} rsc_rank_t;

typedef struct sort_ctx {
    const bl_sched_t *s;
    GHashTable *ranks;  /* bl_srsc_t * -> rsc_rank_t * */
    bl_snode_t **nodes; /* nodes in Pacemaker's order for this comparison */
} sort_ctx_t;

/* The resource's scores with those of the resources it is colocated with folded in,
 * as Pacemaker computes them to compare resources (a group speaks through its last
 * member, which carries the others through the group's internal colocations). */
static int *
merged_scores(bl_sched_t *s, bl_srsc_t *rsc)
{
    bl_srsc_t *own = rsc;
    size_t size = sizeof(int) * (size_t) s->n_nodes + 1;
    int *work;
    g_autofree bool *allowed = NULL;

    if (rsc->kind == BL_RSC_GROUP && rsc->children->len > 0) {
        own = g_ptr_array_index(rsc->children, rsc->children->len - 1);
    }
    work = g_memdup2(own->scores, size);
    allowed = g_memdup2(own->allowed, sizeof(bool) * (size_t) s->n_nodes + 1);
    own->merging = true; /* a colocation loop back to it adds nothing */
    for (int pass = 0; pass < (own != rsc ? 2 : 1); pass++) {
        const bl_srsc_t *from = pass == 0 ? own : rsc;

        for (guint i = 0; i < from->this_with->len; i++) {
            const bl_coloc_t *coloc = g_ptr_array_index(from->this_with, i);

            bl__sched_coloc_merge(s, coloc->primary, work, allowed, coloc->node_attribute,
                                  coloc->score / (double) INF, true, false);
        }
    }
    own->merging = false;
    for (int n = 0; n < s->n_nodes; n++) {
        work[n] = allowed[n] ? work[n] : -INF;
    }
    return work;
}

/* Pacemaker's node order without a resource: available first, then (balanced) more
 * remaining capacity, then name; nothing is assigned yet, so counts are all equal. */
static gint
compare_plain_nodes(gconstpointer a, gconstpointer b, gpointer data)
{
    const bl_sched_t *s = data;
    const bl_snode_t *x = *(bl_snode_t *const *) a;
    const bl_snode_t *y = *(bl_snode_t *const *) b;
    bool ax = bl__sched_node_available(x);
    bool ay = bl__sched_node_available(y);

    if (ax != ay) {
        return ax ? -1 : 1;
    }
    if (s->placement == BL_PLACE_BALANCED) {
        int c = bl__sched_util_compare(s, x, y);

        if (c != 0) {
            return c < 0 ? -1 : 1;
        }
    }
    return strcmp(x->uname, y->uname);
}

static gint
compare_ranked(gconstpointer a, gconstpointer b, gpointer data)
{
    const sort_ctx_t *ctx = data;
    const rsc_rank_t *x = g_hash_table_lookup(ctx->ranks, *(bl_srsc_t *const *) a);
    const rsc_rank_t *y = g_hash_table_lookup(ctx->ranks, *(bl_srsc_t *const *) b);

    if (x->priority != y->priority) {
        return x->priority > y->priority ? -1 : 1;
    }
    if (x->current != y->current) {
        return x->current > y->current ? -1 : 1;
    }
    for (int i = 0; i < ctx->s->n_nodes; i++) {
        int n = ctx->nodes[i]->index;

        if (x->merged[n] != y->merged[n]) {
            return x->merged[n] > y->merged[n] ? -1 : 1;
        }
    }
    return 0;
}

static void
rank_free(gpointer data)
{
    rsc_rank_t *rank = data;

    free(rank->merged);
    free(rank);
}

/* The node a resource runs on, as Pacemaker's pe__current_node reports it. */
static const bl_snode_t *
current_node(const bl_srsc_t *rsc)
{
    if (rsc->kind == BL_RSC_GROUP) {
        for (guint i = 0; i < rsc->children->len; i++) {
            const bl_srsc_t *member = g_ptr_array_index(rsc->children, i);

            if (member->running_on->len > 0) {
                return g_ptr_array_index(member->running_on, 0);
            }
        }
        return NULL;
    }
    return rsc->running_on->len > 0 ? g_ptr_array_index(rsc->running_on, 0) : NULL;
}

void
bl__sched_util_sort(bl_sched_t *s, GPtrArray *assign_order)
{
    g_autoptr(GHashTable) ranks = g_hash_table_new_full(NULL, NULL, NULL, rank_free);
    g_autoptr(GPtrArray) nodes = g_ptr_array_new();
    sort_ctx_t ctx = {.s = s, .ranks = ranks};

    if (s->placement == BL_PLACE_DEFAULT) {
        return;
    }
    for (int i = 0; i < s->n_nodes; i++) {
        g_ptr_array_add(nodes, s->nodes[i]);
    }
    g_ptr_array_sort_with_data(nodes, compare_plain_nodes, s);
    ctx.nodes = (bl_snode_t **) nodes->pdata;
    for (guint i = 0; i < assign_order->len; i++) {
        bl_srsc_t *rsc = g_ptr_array_index(assign_order, i);
        rsc_rank_t *rank = bl_calloc(1, sizeof(*rank));
        const bl_snode_t *current = current_node(rsc);

        rank->priority = rsc->priority;
        rank->merged = merged_scores(s, rsc);
        rank->current = current != NULL ? rank->merged[current->index] : -INF;
        g_hash_table_insert(ranks, rsc, rank);
    }
    g_ptr_array_sort_with_data(assign_order, compare_ranked, &ctx);
}
