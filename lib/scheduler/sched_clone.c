/*
 * Clones: a <clone> (or legacy <master>) runs clone-max instances of one primitive or
 * group, named "ID:N". Instances are ordinary resources below the clone: they are
 * unpacked from the same definition, inherit the clone's meta attributes, and are
 * assigned by the clone (Pacemaker's distribute_children): instances already active keep
 * their node when allowed, then the rest go to the best nodes, at most clone-node-max per
 * node. Anonymous instances (no globally-unique) are interchangeable: an operation
 * history recorded under the configured id is matched to an instance on each node.
 */
#include <stdlib.h>
#include <string.h>

#include "sched_private.h"

static bl_role_t instance_role(const bl_srsc_t *rsc);

bl_srsc_t *
bl__sched_rsc_top(bl_srsc_t *rsc)
{
    while (rsc->parent != NULL) {
        rsc = rsc->parent;
    }
    return rsc;
}

bl_srsc_t *
bl__sched_rsc_clone(const bl_srsc_t *rsc)
{
    for (bl_srsc_t *p = rsc->parent; p != NULL; p = p->parent) {
        if (p->kind == BL_RSC_CLONE) {
            return p;
        }
    }
    return NULL;
}

const char *
bl__sched_rsc_name(const bl_srsc_t *rsc)
{
    const bl_srsc_t *clone = rsc->base_id != NULL ? bl__sched_rsc_clone(rsc) : NULL;

    return clone != NULL && !clone->clone->unique ? rsc->base_id : rsc->id;
}

static bool unique_capable(const xmlNode *template);

/*
 * Kept for Pacemaker compatibility: a cloned group forced to be anonymous (globally-unique
 * set, but a member's agent class cannot run distinct instances) is made anonymous by
 * Pacemaker while it unpacks that member, for the instances unpacked so far only. The
 * other members of the last instance stay unique, and the transition graph names their
 * actions by instance ("dummy:1"), which is how the controller records them.
 */
static bool
named_as_unique(const bl_srsc_t *rsc)
{
    const bl_srsc_t *group = rsc->parent;
    const bl_srsc_t *clone = group != NULL ? group->parent : NULL;

    return rsc->kind == BL_RSC_PRIMITIVE && group != NULL && group->kind == BL_RSC_GROUP
           && clone != NULL && clone->kind == BL_RSC_CLONE && clone->clone->forced_anonymous
           && g_ptr_array_index(clone->children, clone->children->len - 1) == group
           && rsc->xml != NULL && unique_capable(rsc->xml);
}

const char *
bl__sched_rsc_graph_id(const bl_srsc_t *rsc)
{
    return named_as_unique(rsc) ? rsc->id : bl__sched_rsc_name(rsc);
}

static int
meta_int(const bl_srsc_t *rsc, const char *name, const char *legacy, int fallback)
{
    const char *value = g_hash_table_lookup(rsc->meta, name);

    if (value == NULL && legacy != NULL) {
        value = g_hash_table_lookup(rsc->meta, legacy);
    }
    return value != NULL ? bl__sched_score(value) : fallback;
}

/* Only OCF (and fencing) agents can run as distinct instances; other classes are
 * anonymous whatever globally-unique says. */
static bool
unique_capable(const xmlNode *template)
{
    const char *class = bl_xml_attr(template, "class");

    if (bl_xml_is(template, "group")) {
        for (xmlNode *member = bl_xml_first_child(template, "primitive"); member != NULL;
             member = bl_xml_next(member, "primitive")) {
            if (!unique_capable(member)) {
                return false;
            }
        }
        return true;
    }
    return class != NULL && (strcmp(class, "ocf") == 0 || strcmp(class, "stonith") == 0);
}

static void
clone_options(bl_sched_t *s, bl_srsc_t *clone, const xmlNode *xml)
{
    bl_clone_t *options = clone->clone;
    const char *value;

    options->clone_max = meta_int(clone, "clone-max", NULL, s->n_nodes);
    options->clone_node_max = meta_int(clone, "clone-node-max", NULL, 1);
    options->clone_min = meta_int(clone, "clone-min", NULL, 0);
    options->promoted_max = meta_int(clone, "promoted-max", "master-max", 1);
    options->promoted_node_max = meta_int(clone, "promoted-node-max", "master-node-max", 1);
    options->forced_anonymous = bl__sched_true(g_hash_table_lookup(clone->meta, "globally-unique"))
                                && !unique_capable(options->template_xml);
    options->unique = bl__sched_true(g_hash_table_lookup(clone->meta, "globally-unique"))
                      && !options->forced_anonymous;
    if (!options->unique) {
        /* An anonymous instance stands for the resource on its node: one per node. */
        options->clone_node_max = MIN(options->clone_node_max, 1);
    }
    if (options->forced_anonymous) {
        options->clone_max = MIN(options->clone_max, s->n_nodes);
    }
    options->interleave = bl__sched_true(g_hash_table_lookup(clone->meta, "interleave"));
    options->promotable =
        bl_xml_is(xml, "master") || bl__sched_true(g_hash_table_lookup(clone->meta, "promotable"));
    clone->priority = bl__sched_score(g_hash_table_lookup(clone->meta, "priority"));
    value = g_hash_table_lookup(clone->meta, "is-managed");
    clone->managed = (value == NULL || bl__sched_true(value)) && !s->maintenance_mode;
    if (s->symmetric) {
        bl__sched_rsc_location(clone, NULL, 0, s->n_nodes);
    }
}

/* Effective meta attributes: own, then rsc_defaults; clone instances are sticky (1) unless
 * configured otherwise, as in Pacemaker. */
static int
clone_meta(bl_sched_t *s, bl_srsc_t *clone, const xmlNode *xml)
{
    GHashTableIter iter;
    gpointer key, value;
    int rc = bl__sched_nvpairs(s, xml, "meta_attributes", clone->meta, false);

    if (rc != 0) {
        return rc;
    }
    g_hash_table_iter_init(&iter, s->rsc_defaults);
    while (g_hash_table_iter_next(&iter, &key, &value)) {
        if (!g_hash_table_contains(clone->meta, key)) {
            g_hash_table_insert(clone->meta, g_strdup(key), g_strdup(value));
        }
    }
    if (!g_hash_table_contains(clone->meta, "resource-stickiness")) {
        g_hash_table_insert(clone->meta, g_strdup("resource-stickiness"), g_strdup("1"));
    }
    return 0;
}

/* Registers the configured ids of the cloned resource (and its members) as the clone's. */
static int
register_template(bl_sched_t *s, bl_srsc_t *clone, const xmlNode *template)
{
    const char *id = bl_xml_attr(template, "id");

    if (id == NULL || bl__sched_rsc_find(s, id) != NULL) {
        bl_err_set(s->err, "line %ld: resource %s%s", bl_xml_line(template),
                   id == NULL ? "without an id" : id, id == NULL ? "" : " is defined twice");
        return BL_EINVALID;
    }
    g_hash_table_insert(s->clone_of, (gpointer) id, clone);
    if (!bl_xml_is(template, "group")) {
        return 0;
    }
    for (xmlNode *member = bl_xml_first_child(template, "primitive"); member != NULL;
         member = bl_xml_next(member, "primitive")) {
        int rc = register_template(s, clone, member);

        if (rc != 0) {
            return rc;
        }
    }
    return 0;
}

static void
leaves_of(bl_srsc_t *rsc, GPtrArray *out)
{
    if (rsc->kind == BL_RSC_PRIMITIVE) {
        g_ptr_array_add(out, rsc);
        return;
    }
    for (guint i = 0; i < rsc->children->len; i++) {
        leaves_of(g_ptr_array_index(rsc->children, i), out);
    }
}

/* Instance target roles: Unpromoted keeps an instance from being promoted (Promoted is
 * only the highest role allowed, not a reason to promote). */
static void
instance_roles(bl_srsc_t *clone, bl_srsc_t *instance)
{
    g_autoptr(GPtrArray) leaves = g_ptr_array_new();

    leaves_of(instance, leaves);
    for (guint i = 0; i < leaves->len; i++) {
        bl_srsc_t *leaf = g_ptr_array_index(leaves, i);
        bl_role_t role;

        if (clone->clone->promotable
            && bl__sched_role_parse(g_hash_table_lookup(leaf->meta, "target-role"), &role)
            && role == BL_ROLE_UNPROMOTED) {
            leaf->next_role = role;
        }
    }
}

static bl_srsc_t *
instance_new(bl_sched_t *s, bl_srsc_t *clone, int *rc)
{
    char suffix[24];

    snprintf(suffix, sizeof(suffix), ":%d", clone->clone->next_instance++);
    *rc = bl__sched_rsc_unpack(s, clone->clone->template_xml, clone, suffix);
    if (*rc != 0) {
        return NULL;
    }
    instance_roles(clone, g_ptr_array_index(clone->children, clone->children->len - 1));
    return g_ptr_array_index(clone->children, clone->children->len - 1);
}

static const xmlNode *
find_template(const xmlNode *xml)
{
    const xmlNode *found = NULL;

    for (xmlNode *child = bl_xml_first_child(xml, NULL); child != NULL;
         child = bl_xml_next(child, NULL)) {
        if (bl_xml_is(child, "primitive") || bl_xml_is(child, "group")) {
            if (found != NULL) {
                return NULL;
            }
            found = child;
        }
    }
    return found;
}

int
bl__sched_clone_unpack(bl_sched_t *s, const xmlNode *xml)
{
    const char *id = bl_xml_attr(xml, "id");
    const xmlNode *template = find_template(xml);
    bl_srsc_t *clone;
    int rc;

    if (id == NULL || bl__sched_rsc_find(s, id) != NULL) {
        bl_err_set(s->err, "line %ld: resource %s%s", bl_xml_line(xml),
                   id == NULL ? "without an id" : id, id == NULL ? "" : " is defined twice");
        return BL_EINVALID;
    }
    if (template == NULL) {
        bl_err_set(s->err, "%s '%s' (line %ld): must contain exactly one primitive or group",
                   (const char *) xml->name, id, bl_xml_line(xml));
        return BL_EINVALID;
    }
    clone = bl__sched_rsc_new(s, id, BL_RSC_CLONE);
    clone->xml = xml;
    clone->children = g_ptr_array_new();
    clone->clone = bl_calloc(1, sizeof(*clone->clone));
    clone->clone->template_xml = template;
    clone->clone->count = bl_calloc((size_t) s->n_nodes + 1, sizeof(int));
    clone->clone->promoted_locations = g_array_new(false, false, sizeof(bl_clone_location_t));
    g_ptr_array_add(s->resources, clone);
    rc = clone_meta(s, clone, xml);
    if (rc == 0) {
        clone_options(s, clone, xml); /* needs template_xml */
        rc = register_template(s, clone, template);
    }
    for (int i = 0; rc == 0 && i < clone->clone->clone_max; i++) {
        instance_new(s, clone, &rc);
    }
    return rc;
}

/* ------------------------------------------------------------------ status */

/* "rsc:3" -> "rsc"; anything else unchanged. */
static char *
strip_instance(const char *id)
{
    const char *colon = strrchr(id, ':');

    if (colon == NULL || colon[1] == '\0' || strspn(colon + 1, "0123456789") != strlen(colon + 1)) {
        return g_strdup(id);
    }
    return g_strndup(id, (gsize) (colon - id));
}

static bl_srsc_t *
leaf_with_base(bl_srsc_t *instance, const char *base)
{
    if (instance->kind == BL_RSC_PRIMITIVE) {
        return strcmp(instance->base_id, base) == 0 ? instance : NULL;
    }
    for (guint i = 0; i < instance->children->len; i++) {
        bl_srsc_t *found = leaf_with_base(g_ptr_array_index(instance->children, i), base);

        if (found != NULL) {
            return found;
        }
    }
    return NULL;
}

static bool
pending_elsewhere(const bl_srsc_t *leaf, const bl_snode_t *node)
{
    for (guint i = 0; i < leaf->pending_on->len; i++) {
        if (g_ptr_array_index(leaf->pending_on, i) != node) {
            return true;
        }
    }
    return false;
}

static void
mark_orphan(bl_srsc_t *rsc)
{
    rsc->orphan = true;
    for (guint i = 0; rsc->children != NULL && i < rsc->children->len; i++) {
        mark_orphan(g_ptr_array_index(rsc->children, i));
    }
}

/* Pacemaker's find_anonymous_clone: the instance active on NODE, else the first inactive
 * one, else a new orphan instance. */
static bl_srsc_t *
find_anonymous(bl_sched_t *s, bl_srsc_t *clone, bl_snode_t *node, const char *base)
{
    bl_srsc_t *inactive = NULL;
    bool skip_inactive = false;
    bl_srsc_t *orphan;
    int rc = 0;

    for (guint i = 0; i < clone->children->len; i++) {
        bl_srsc_t *instance = g_ptr_array_index(clone->children, i);
        bl_srsc_t *leaf = leaf_with_base(instance, base);

        if (instance->running_on->len > 0) {
            if (g_ptr_array_index(instance->running_on, 0) != node || leaf == NULL) {
                continue;
            }
            if (leaf->running_on->len == 0) {
                return leaf;
            }
            /* A second history of the same resource on this node (the clone was unique
             * once): an orphan, even if instance numbers are free. */
            skip_inactive = true;
        } else if (inactive == NULL && !instance->blocked && leaf != NULL
                   && !pending_elsewhere(leaf, node)) {
            inactive = leaf;
        }
    }
    if (inactive != NULL && !skip_inactive) {
        return inactive;
    }
    orphan = instance_new(s, clone, &rc);
    if (orphan == NULL) {
        return NULL;
    }
    /* An instance beyond clone-max runs nowhere. */
    bl__sched_rsc_location(orphan, NULL, -INF, s->n_nodes);
    mark_orphan(orphan);
    return leaf_with_base(orphan, base);
}

bl_srsc_t *
bl__sched_clone_history_rsc(bl_sched_t *s, bl_snode_t *node, const char *id)
{
    g_autofree char *base = strip_instance(id);
    bl_srsc_t *clone = g_hash_table_lookup(s->clone_of, base);
    bl_srsc_t *rsc;

    if (clone == NULL || clone->clone->unique) {
        return NULL;
    }
    rsc = find_anonymous(s, clone, node, base);
    if (rsc != NULL && rsc->history_id == NULL) {
        rsc->history_id = bl_strdup(id);
    }
    return rsc;
}

/* -------------------------------------------------------------- assignment */

bl_snode_t *
bl__sched_instance_node(const bl_srsc_t *instance, bool current)
{
    if (instance->kind == BL_RSC_PRIMITIVE) {
        if (current) {
            return instance->running_on->len > 0 ? g_ptr_array_index(instance->running_on, 0)
                                                 : NULL;
        }
        return instance->assigned;
    }
    for (guint i = 0; i < instance->children->len; i++) {
        bl_snode_t *node =
            bl__sched_instance_node(g_ptr_array_index(instance->children, i), current);

        if (node != NULL) {
            return node;
        }
    }
    return NULL;
}

static bool
any_leaf(const bl_srsc_t *rsc, bool (*test)(const bl_srsc_t *))
{
    if (rsc->kind == BL_RSC_PRIMITIVE) {
        return test(rsc);
    }
    for (guint i = 0; i < rsc->children->len; i++) {
        if (any_leaf(g_ptr_array_index(rsc->children, i), test)) {
            return true;
        }
    }
    return false;
}

static bool
leaf_failed(const bl_srsc_t *rsc)
{
    return rsc->failed;
}

static bool
leaf_blocked(const bl_srsc_t *rsc)
{
    return rsc->blocked;
}

bl_role_t
bl__sched_instance_next_role(const bl_srsc_t *instance)
{
    while (instance->kind != BL_RSC_PRIMITIVE && instance->children->len > 0) {
        instance = g_ptr_array_index(instance->children, 0);
    }
    return instance->next_role;
}

void
bl__sched_instance_set_next_role(bl_srsc_t *instance, bl_role_t role)
{
    instance->next_role = role;
    for (guint i = 0; instance->children != NULL && i < instance->children->len; i++) {
        bl__sched_instance_set_next_role(g_ptr_array_index(instance->children, i), role);
    }
}

bl_role_t
bl__sched_instance_role(const bl_srsc_t *instance)
{
    return instance_role(instance);
}

static bl_role_t
instance_role(const bl_srsc_t *rsc)
{
    bl_role_t role = rsc->kind == BL_RSC_PRIMITIVE ? rsc->role : BL_ROLE_UNKNOWN;

    for (guint i = 0; rsc->children != NULL && i < rsc->children->len; i++) {
        bl_role_t child = instance_role(g_ptr_array_index(rsc->children, i));

        role = child > role ? child : role;
    }
    return role;
}

static const bl_srsc_t *
first_leaf(const bl_srsc_t *rsc)
{
    while (rsc->kind != BL_RSC_PRIMITIVE && rsc->children->len > 0) {
        rsc = g_ptr_array_index(rsc->children, 0);
    }
    return rsc;
}

static gint
compare_desc(gconstpointer a, gconstpointer b)
{
    int x = *(const int *) a;
    int y = *(const int *) b;

    return (x < y) - (x > y);
}

/* The instance's allowed node scores, best first (-INFINITY pads the rest). */
static int *
sorted_scores(const bl_sched_t *s, const bl_srsc_t *instance)
{
    const bl_srsc_t *leaf = first_leaf(instance);
    int *scores = bl_calloc((size_t) s->n_nodes + 1, sizeof(int));

    for (int n = 0; n < s->n_nodes; n++) {
        scores[n] = leaf->allowed[n] ? leaf->scores[n] : -INF;
    }
    qsort(scores, (size_t) s->n_nodes, sizeof(int), compare_desc);
    return scores;
}

/* Scores compared node by node, best first: the instance with better nodes goes first. */
int
bl__sched_instance_compare_scores(const bl_sched_t *s, const bl_srsc_t *x, const bl_srsc_t *y)
{
    g_autofree int *sx = sorted_scores(s, x);
    g_autofree int *sy = sorted_scores(s, y);

    for (int n = 0; n < s->n_nodes; n++) {
        if (sx[n] != sy[n]) {
            return sx[n] > sy[n] ? -1 : 1;
        }
    }
    return 0;
}

/* Order in which instances are assigned: active ones on usable nodes first, then by
 * role, healthy before failed, then by their node scores, then by instance number. */
static gint
compare_instances(gconstpointer a, gconstpointer b, gpointer data)
{
    const bl_srsc_t *x = *(bl_srsc_t *const *) a;
    const bl_srsc_t *y = *(bl_srsc_t *const *) b;
    int by_scores;
    const bl_snode_t *nx = bl__sched_instance_node(x, true);
    const bl_snode_t *ny = bl__sched_instance_node(y, true);
    bool ux = nx != NULL && bl__sched_node_available(nx);
    bool uy = ny != NULL && bl__sched_node_available(ny);
    bl_role_t rx = instance_role(x);
    bl_role_t ry = instance_role(y);
    bool fx = any_leaf(x, leaf_failed);
    bool fy = any_leaf(y, leaf_failed);

    if (ux != uy) {
        return ux ? -1 : 1;
    }
    if (rx != ry) {
        return rx > ry ? -1 : 1;
    }
    if (fx != fy) {
        return fx ? 1 : -1;
    }
    by_scores = bl__sched_instance_compare_scores(data, x, y);
    if (by_scores != 0) {
        return by_scores;
    }
    return (x->instance > y->instance) - (x->instance < y->instance);
}

static void
set_score(bl_srsc_t *rsc, int node, int score)
{
    rsc->scores[node] = score;
    for (guint i = 0; rsc->children != NULL && i < rsc->children->len; i++) {
        set_score(g_ptr_array_index(rsc->children, i), node, score);
    }
}

/* Pacemaker's can_run_instance: bans the nodes where the instance may not go. */
static void
restrict_instance(bl_sched_t *s, bl_srsc_t *clone, bl_srsc_t *instance)
{
    const bl_srsc_t *first = instance;

    while (first->kind == BL_RSC_GROUP && first->children->len > 0) {
        first = g_ptr_array_index(first->children, 0);
    }
    for (int n = 0; n < s->n_nodes; n++) {
        if (!first->allowed[n]) {
            continue;
        }
        if (!bl__sched_node_available(s->nodes[n]) || !clone->allowed[n]) {
            set_score(instance, n, -INF);
        } else if (clone->scores[n] < 0) {
            set_score(instance, n, clone->scores[n]);
        } else if (clone->clone->count[n] >= clone->clone->clone_node_max) {
            set_score(instance, n, -INF);
        }
    }
}

/* The clone's colocations as the instance's own (Pacemaker's append_parent_colocation):
 * all of them when some node gets no instance, else only the mandatory and negative. */
static void
inherit_colocations(bl_srsc_t *clone, bl_srsc_t *instance, bool all)
{
    for (guint i = 0; i < clone->this_with->len; i++) {
        bl_coloc_t *coloc = g_ptr_array_index(clone->this_with, i);

        if (all || coloc->score < 0 || coloc->score >= INF) {
            g_ptr_array_insert(instance->this_with, 0, coloc);
        }
    }
    for (guint i = 0; i < clone->with_this->len; i++) {
        bl_coloc_t *coloc = g_ptr_array_index(clone->with_this, i);

        if (!coloc->influence && clone->running_on->len > 0) {
            continue;
        }
        if (all || coloc->score < 0) {
            g_ptr_array_insert(instance->with_this, 0, coloc);
        }
    }
}

typedef struct saved_leaf {
    bl_srsc_t *rsc;
    int *scores;
    bl_role_t next_role;
} saved_leaf_t;

static GArray *
save_leaves(bl_sched_t *s, bl_srsc_t *instance)
{
    g_autoptr(GPtrArray) leaves = g_ptr_array_new();
    GArray *saved = g_array_new(false, false, sizeof(saved_leaf_t));

    leaves_of(instance, leaves);
    for (guint i = 0; i < leaves->len; i++) {
        bl_srsc_t *leaf = g_ptr_array_index(leaves, i);
        saved_leaf_t entry = {
            .rsc = leaf,
            .scores = g_memdup2(leaf->scores, sizeof(int) * (size_t) s->n_nodes),
            .next_role = leaf->next_role,
        };

        g_array_append_val(saved, entry);
    }
    return saved;
}

/* Undoes an assignment that did not land on the preferred node (or just frees SAVED). */
static void
restore_leaves(bl_sched_t *s, bl_srsc_t *instance, GArray *saved, bool undo)
{
    for (guint i = 0; i < saved->len; i++) {
        saved_leaf_t *entry = &g_array_index(saved, saved_leaf_t, i);
        bl_srsc_t *leaf = entry->rsc;

        if (undo) {
            if (leaf->assigned != NULL) {
                /* the node gets back what the undone assignment took */
                leaf->assigned->assigned_count--;
                bl__sched_util_release(s, leaf, leaf->assigned);
            }
            memcpy(leaf->scores, entry->scores, sizeof(int) * (size_t) s->n_nodes);
            leaf->assigned = NULL;
            leaf->provisional = true;
            leaf->next_role = entry->next_role;
            free(leaf->pre_scores);
            leaf->pre_scores = NULL;
        }
        free(entry->scores);
    }
    if (undo) {
        instance->provisional = true;
        instance->assigned = NULL;
    }
    g_array_free(saved, true);
}

static void
set_prefer(bl_srsc_t *rsc, bl_snode_t *node)
{
    rsc->prefer = node;
    for (guint i = 0; rsc->children != NULL && i < rsc->children->len; i++) {
        set_prefer(g_ptr_array_index(rsc->children, i), node);
    }
}

static bool
assign_instance(bl_sched_t *s, bl_srsc_t *clone, bl_srsc_t *instance, bl_snode_t *prefer,
                bool all_colocations)
{
    const bl_srsc_t *first = instance;
    bl_snode_t *chosen;
    GArray *saved;

    if (!instance->provisional) {
        return bl__sched_instance_node(instance, false) != NULL;
    }
    if (instance->assigning) {
        return false;
    }
    if (!instance->inherited) {
        instance->inherited = true;
        inherit_colocations(clone, instance, all_colocations);
    }
    while (first->kind == BL_RSC_GROUP && first->children->len > 0) {
        first = g_ptr_array_index(first->children, 0);
    }
    if (prefer != NULL && (!first->allowed[prefer->index] || first->scores[prefer->index] < 0)) {
        return false;
    }
    restrict_instance(s, clone, instance);
    saved = save_leaves(s, instance);
    set_prefer(instance, prefer);
    chosen = bl__sched_assign(s, instance);
    set_prefer(instance, NULL);
    if (prefer != NULL && chosen != prefer) {
        restore_leaves(s, instance, saved, true);
        return false;
    }
    restore_leaves(s, instance, saved, false);
    if (chosen != NULL) {
        clone->clone->count[chosen->index]++;
    }
    return chosen != NULL;
}

static int
available_nodes(const bl_sched_t *s, const bl_srsc_t *clone)
{
    int count = 0;

    for (int n = 0; n < s->n_nodes; n++) {
        count += clone->allowed[n] && bl__sched_node_available(s->nodes[n]);
    }
    return count;
}

/* Pacemaker's distribute_children: first keep active instances where they are (at most
 * an even share per node), then assign the rest. */
static void
distribute(bl_sched_t *s, bl_srsc_t *clone, GPtrArray *instances)
{
    int max = clone->clone->clone_max;
    int available = available_nodes(s, clone);
    bool all_colocations = max < available;
    int share = available > 0 ? max / available : 0;
    int assigned = 0;

    share = share < 1 ? 1 : share;
    for (guint i = 0; i < instances->len && assigned < max; i++) {
        bl_srsc_t *instance = g_ptr_array_index(instances, i);
        bl_snode_t *current = bl__sched_instance_node(instance, true);

        if (current == NULL || !instance->provisional || any_leaf(instance, leaf_failed)
            || !bl__sched_node_available(current) || clone->clone->count[current->index] >= share) {
            continue;
        }
        if (assign_instance(s, clone, instance, current, all_colocations)) {
            assigned++;
        }
    }
    for (guint i = 0; i < instances->len; i++) {
        bl_srsc_t *instance = g_ptr_array_index(instances, i);

        if (!instance->provisional) {
            continue;
        }
        if (assigned >= max) {
            bl__sched_rsc_location(instance, NULL, -INF, s->n_nodes);
            bl__sched_assign(s, instance);
        } else if (assign_instance(s, clone, instance, NULL, all_colocations)) {
            assigned++;
        }
    }
}

/* Merges DEPENDENT's preferences into the clone's scores, as Pacemaker does for clones
 * (only positive): a node the merge would make negative keeps 0, or 1 if it was positive. */
void
bl__sched_clone_merge_positive(bl_sched_t *s, bl_srsc_t *clone, int *scores, bl_srsc_t *other,
                               const bl_coloc_t *coloc)
{
    size_t size = sizeof(int) * (size_t) s->n_nodes;
    g_autofree int *work = g_memdup2(scores, size);

    bl__sched_coloc_merge(s, other, work, clone->allowed, coloc->node_attribute,
                          coloc->score / (double) INF, false, false);
    for (int n = 0; n < s->n_nodes; n++) {
        if (work[n] >= 0 || scores[n] < 0) {
            scores[n] = work[n];
        } else if (scores[n] > 0) {
            scores[n] = 1;
        }
    }
}

static void
clone_colocations_first(bl_sched_t *s, bl_srsc_t *clone)
{
    for (guint i = 0; i < clone->this_with->len; i++) {
        const bl_coloc_t *coloc = g_ptr_array_index(clone->this_with, i);

        bl__sched_assign(s, coloc->primary);
    }
    for (guint i = 0; i < clone->with_this->len; i++) {
        const bl_coloc_t *coloc = g_ptr_array_index(clone->with_this, i);

        if (!coloc->influence && clone->running_on->len > 0) {
            continue;
        }
        bl__sched_clone_merge_positive(s, clone, clone->scores, coloc->dependent, coloc);
    }
}

bl_snode_t *
bl__sched_clone_assign(bl_sched_t *s, bl_srsc_t *clone)
{
    g_autoptr(GPtrArray) instances = NULL;

    if (!clone->provisional || clone->assigning) {
        return NULL;
    }
    if (clone->clone->promotable) {
        bl__sched_promote_add_scores(s, clone);
    }
    clone->assigning = true;
    clone_colocations_first(s, clone);
    clone->pre_scores = g_memdup2(clone->scores, sizeof(int) * (size_t) s->n_nodes);
    instances = g_ptr_array_copy(clone->children, NULL, NULL);
    g_ptr_array_sort_with_data(instances, compare_instances, s);
    distribute(s, clone, instances);
    if (clone->clone->promotable) {
        bl__sched_promote_assign(s, clone);
    }
    clone->provisional = false;
    clone->assigning = false;
    return NULL;
}

/* -------------------------------------------------------------- colocation */

/* Nodes by RSC's score, then fewer resources assigned, then name. */
static gint
compare_for_pairing(gconstpointer a, gconstpointer b, gpointer data)
{
    const bl_srsc_t *rsc = data;
    const bl_snode_t *x = *(bl_snode_t *const *) a;
    const bl_snode_t *y = *(bl_snode_t *const *) b;

    if (rsc->scores[x->index] != rsc->scores[y->index]) {
        return rsc->scores[x->index] > rsc->scores[y->index] ? -1 : 1;
    }
    if (x->assigned_count != y->assigned_count) {
        return x->assigned_count < y->assigned_count ? -1 : 1;
    }
    return strcmp(x->uname, y->uname);
}

/* A clone instance of PRIMARY on the node where INSTANCE is (or would best be); ROLE, when
 * known, is the instance's required next role. Pacemaker's find_compatible_child. */
static bl_srsc_t *
compatible_instance(bl_sched_t *s, const bl_srsc_t *instance, const bl_srsc_t *primary,
                    bl_role_t role, bool current)
{
    bl_snode_t *node = bl__sched_instance_node(instance, current);
    const bl_srsc_t *first = instance;
    g_autoptr(GPtrArray) nodes = g_ptr_array_new();

    while (first->kind != BL_RSC_PRIMITIVE && first->children->len > 0) {
        first = g_ptr_array_index(first->children, 0);
    }
    if (node != NULL) {
        g_ptr_array_add(nodes, node);
    } else {
        for (int n = 0; n < s->n_nodes; n++) {
            if (first->allowed[n]) {
                g_ptr_array_add(nodes, s->nodes[n]);
            }
        }
        g_ptr_array_sort_with_data(nodes, compare_for_pairing, (gpointer) first);
    }
    for (guint i = 0; i < nodes->len; i++) {
        for (guint c = 0; c < primary->children->len; c++) {
            bl_srsc_t *candidate = g_ptr_array_index(primary->children, c);
            bl_role_t next = bl__sched_instance_next_role(candidate);

            if (role != BL_ROLE_UNKNOWN && next != role) {
                continue;
            }
            if (bl__sched_instance_node(candidate, current) == g_ptr_array_index(nodes, i)) {
                return candidate;
            }
        }
    }
    return NULL;
}

static void
ban_except(bl_sched_t *s, bl_srsc_t *dependent, const bool *keep, const int *add)
{
    for (int n = 0; n < s->n_nodes; n++) {
        if (!keep[n]) {
            dependent->scores[n] = -INF;
            dependent->allowed[n] = true;
        } else if (add != NULL) {
            dependent->scores[n] = bl_score_add(dependent->scores[n], add[n]);
        }
    }
}

/* Pacemaker's update_dependent_with_promotable: with the instances in the primary role. */
static void
with_promotable(bl_sched_t *s, const bl_coloc_t *coloc, bl_srsc_t *dependent)
{
    g_autofree bool *keep = bl_calloc((size_t) s->n_nodes + 1, sizeof(bool));
    g_autofree int *add = bl_calloc((size_t) s->n_nodes + 1, sizeof(int));
    bl_srsc_t *clone = coloc->primary;

    for (guint i = 0; i < clone->children->len; i++) {
        bl_srsc_t *instance = g_ptr_array_index(clone->children, i);
        bl_snode_t *node = bl__sched_instance_node(instance, false);

        if (node == NULL || bl__sched_instance_next_role(instance) != coloc->primary_role) {
            continue;
        }
        if (coloc->score < INF) {
            bl__sched_coloc_apply_node(s, coloc, dependent, node);
        }
        keep[node->index] = true;
        add[node->index] = first_leaf(instance)->scores[node->index];
    }
    if (coloc->score >= INF
        && (coloc->dependent_role != BL_ROLE_PROMOTED || coloc->primary_role != BL_ROLE_PROMOTED)) {
        ban_except(s, dependent, keep, add);
    }
}

void
bl__sched_clone_coloc_apply(bl_sched_t *s, const bl_coloc_t *coloc, bl_srsc_t *dependent)
{
    bl_srsc_t *clone = coloc->primary;
    g_autofree bool *keep = NULL;

    if (clone->provisional) {
        return;
    }
    if (clone->clone->promotable && coloc->primary_role != BL_ROLE_UNKNOWN) {
        with_promotable(s, coloc, dependent);
        return;
    }
    if (coloc->primary_role >= BL_ROLE_UNPROMOTED) {
        return; /* a role only instances of promotable clones have: never satisfied */
    }
    if (coloc->dependent->kind == BL_RSC_CLONE && coloc->dependent->clone->interleave) {
        bl_srsc_t *instance = bl__sched_rsc_top(dependent) == coloc->dependent ? dependent : NULL;
        bl_srsc_t *pair;

        while (instance != NULL && instance->parent != coloc->dependent) {
            instance = instance->parent;
        }
        pair = instance != NULL ? compatible_instance(s, instance, clone, BL_ROLE_UNKNOWN, false)
                                : NULL;
        if (pair != NULL) {
            bl__sched_coloc_apply_node(s, coloc, dependent, bl__sched_instance_node(pair, false));
        } else if (coloc->score >= INF) {
            bl__sched_rsc_location(dependent, NULL, -INF, s->n_nodes);
        }
        return;
    }
    if (coloc->score >= INF) {
        keep = bl_calloc((size_t) s->n_nodes + 1, sizeof(bool));
        for (guint i = 0; i < clone->children->len; i++) {
            bl_srsc_t *instance = g_ptr_array_index(clone->children, i);
            bl_snode_t *node = bl__sched_instance_node(instance, false);

            if (node != NULL && !any_leaf(instance, leaf_blocked)) {
                keep[node->index] = true;
            }
        }
        ban_except(s, dependent, keep, NULL);
        return;
    }
    for (guint i = 0; i < clone->children->len; i++) {
        bl_snode_t *node = bl__sched_instance_node(g_ptr_array_index(clone->children, i), false);

        if (node != NULL) {
            bl__sched_coloc_apply_node(s, coloc, dependent, node);
        }
    }
}

/* ----------------------------------------------------------------- actions */

void
bl__sched_clone_actions(bl_sched_t *s, bl_srsc_t *clone)
{
    static const bl_task_t tasks[] = {BL_TASK_START,   BL_TASK_RUNNING, BL_TASK_STOP,
                                      BL_TASK_STOPPED, BL_TASK_PROMOTE, BL_TASK_PROMOTED,
                                      BL_TASK_DEMOTE,  BL_TASK_DEMOTED};
    size_t count = clone->clone->promotable ? G_N_ELEMENTS(tasks) : 4;

    for (size_t i = 0; i < count; i++) {
        bl__sched_action(s, clone, tasks[i], NULL, true);
    }
    bl__sched_clone_migration_flags(clone);
}

bl_task_t
bl__sched_instance_task(bl_task_t task)
{
    switch (task) {
    case BL_TASK_RUNNING:
        return BL_TASK_START;
    case BL_TASK_STOPPED:
        return BL_TASK_STOP;
    case BL_TASK_PROMOTED:
        return BL_TASK_PROMOTE;
    case BL_TASK_DEMOTED:
        return BL_TASK_DEMOTE;
    default:
        return task;
    }
}

/* The action standing for INSTANCE doing TASK: its own (primitive) or its group's. */
static bl_action_t *
instance_action(const bl_srsc_t *instance, bl_task_t task)
{
    if (instance->kind != BL_RSC_PRIMITIVE) {
        return bl__sched_action_find(instance, task, NULL);
    }
    for (guint i = 0; i < instance->actions->len; i++) {
        bl_action_t *action = g_ptr_array_index(instance->actions, i);

        if (action->task == task) {
            return action;
        }
    }
    return NULL;
}

static bl_task_t
group_completion(bl_task_t task)
{
    return task == BL_TASK_START ? BL_TASK_RUNNING : task == BL_TASK_STOP ? BL_TASK_STOPPED : task;
}

unsigned
bl__sched_clone_action_flags(const bl_action_t *action, const bl_snode_t *node)
{
    unsigned flags = BL_ACT_OPTIONAL | BL_ACT_RUNNABLE | BL_ACT_PSEUDO;
    bl_task_t task = bl__sched_instance_task(action->task);
    int runnable = 0;
    /* With clone-min, what waits for the clone's start needs that many instances. */
    int needed = action->task == BL_TASK_RUNNING && action->rsc->clone->clone_min > 1
                     ? action->rsc->clone->clone_min
                     : 1;

    for (guint i = 0; i < action->rsc->children->len; i++) {
        const bl_srsc_t *instance = g_ptr_array_index(action->rsc->children, i);
        /* a group instance counts once all its members can (its "running") */
        const bl_action_t *child = instance_action(
            instance, instance->kind == BL_RSC_GROUP ? group_completion(task) : task);
        unsigned child_flags;

        if (child == NULL
            || (node != NULL && instance->kind == BL_RSC_PRIMITIVE && child->node != node)) {
            continue;
        }
        child_flags = bl__sched_action_flags_on(child, node);
        /* (an "at least N" gate is never required by the instances themselves) */
        if (!(child_flags & BL_ACT_OPTIONAL) && needed == 1) {
            flags &= ~BL_ACT_OPTIONAL;
        }
        runnable += (child_flags & BL_ACT_RUNNABLE) ? 1 : 0;
    }
    if (runnable < needed) {
        flags &= ~BL_ACT_RUNNABLE;
    }
    return flags;
}

/* Interleaving found no instance to wait for on the node: the instance may not run. */
static void
inhibit(bl_srsc_t *instance)
{
    g_autoptr(GPtrArray) leaves = g_ptr_array_new();

    leaves_of(instance, leaves);
    for (guint i = 0; i < leaves->len; i++) {
        bl_srsc_t *leaf = g_ptr_array_index(leaves, i);

        for (guint a = 0; a < leaf->actions->len; a++) {
            bl_action_t *action = g_ptr_array_index(leaf->actions, a);

            if (action->task == BL_TASK_START || action->task == BL_TASK_PROMOTE) {
                action->flags &= ~BL_ACT_RUNNABLE;
            } else if (action->task == BL_TASK_STOP && leaf->managed) {
                action->flags &= ~BL_ACT_OPTIONAL;
            }
        }
    }
}

bool
bl__sched_clone_order_interleaved(bl_sched_t *s, bl_srsc_t *first, bl_task_t first_task,
                                  bl_srsc_t *then, bl_task_t then_task, unsigned flags)
{
    bool current = first_task == BL_TASK_STOP || first_task == BL_TASK_DEMOTE;
    const bl_srsc_t *decider;

    if (first == then || first->kind != BL_RSC_CLONE || then->kind != BL_RSC_CLONE) {
        return false;
    }
    decider = (then_task == BL_TASK_STOP || then_task == BL_TASK_DEMOTE) ? first : then;
    /* clone-min counts the first clone's instances cluster-wide, so it does not interleave */
    if (!decider->clone->interleave || first->clone->clone_min > 0
        || (flags & BL_ORD_ONE_OR_MORE)) {
        return false;
    }
    for (guint i = 0; i < then->children->len; i++) {
        bl_srsc_t *instance = g_ptr_array_index(then->children, i);
        bl_srsc_t *pair = compatible_instance(s, instance, first, BL_ROLE_UNKNOWN, current);

        if (pair == NULL) {
            if (!current && (flags & (BL_ORD_RUNNABLE_LEFT | BL_ORD_IMPLIES_THEN))) {
                inhibit(instance);
            }
            continue;
        }
        bl__sched_order(s, instance_action(pair, first_task), instance_action(instance, then_task),
                        flags);
    }
    return true;
}

void
bl__sched_clone_promoted_location(bl_sched_t *s, bl_srsc_t *clone, const bl_snode_t *node,
                                  int score)
{
    bl_clone_location_t location = {.node = node->index, .score = score};

    (void) s;
    g_array_append_val(clone->clone->promoted_locations, location);
}
