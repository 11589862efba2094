/*
 * rsc_colocation: "dependent with primary". Mandatory scores (+/-INFINITY) restrict the
 * dependent once its primary is placed; finite scores are preferences. Before a primary
 * is placed, the dependents' own preferences are merged into its scores, scaled by
 * score/INFINITY, so that "web with vip" pulls vip towards where web would like to be.
 */
#include <string.h>

#include "sched_private.h"

/* Pacemaker's colocation list order: higher priority first, groups before primitives,
 * then by id. */
static int
compare_rsc(const bl_srsc_t *a, const bl_srsc_t *b)
{
    if (a->priority != b->priority) {
        return (a->priority > b->priority) ? -1 : 1;
    }
    if (a->kind != b->kind) {
        return (a->kind > b->kind) ? -1 : 1;
    }
    return strcmp(a->id, b->id);
}

/* Inserts before the first element that is not smaller, as g_list_insert_sorted does. */
static void
insert_sorted(GPtrArray *list, bl_coloc_t *coloc, bool by_primary)
{
    guint at = 0;

    while (at < list->len) {
        const bl_coloc_t *other = g_ptr_array_index(list, at);
        int cmp = by_primary ? compare_rsc(coloc->primary, other->primary)
                             : compare_rsc(coloc->dependent, other->dependent);

        if (cmp <= 0) {
            break;
        }
        at++;
    }
    g_ptr_array_insert(list, (gint) at, coloc);
}

static bl_coloc_t *
coloc_new(bl_sched_t *s, const char *id, bl_srsc_t *dependent, bl_srsc_t *primary, int score)
{
    bl_coloc_t *coloc = bl_calloc(1, sizeof(*coloc));

    coloc->id = id;
    coloc->dependent = dependent;
    coloc->primary = primary;
    coloc->score = score;
    coloc->influence = dependent->critical;
    g_ptr_array_add(s->colocs, coloc);
    return coloc;
}

void
bl__sched_coloc_insert(GPtrArray *list, bl_coloc_t *coloc, bool by_primary)
{
    insert_sorted(list, coloc, by_primary);
}

static void
coloc_link(bl_coloc_t *coloc)
{
    insert_sorted(coloc->dependent->this_with, coloc, true);
    insert_sorted(coloc->primary->with_this, coloc, false);
}

bl_coloc_t *
bl__sched_coloc_add(bl_sched_t *s, const char *id, bl_srsc_t *dependent, bl_srsc_t *primary,
                    int score)
{
    bl_coloc_t *coloc = coloc_new(s, id, dependent, primary, score);

    coloc_link(coloc);
    return coloc;
}

static int
unpack_colocation(bl_sched_t *s, const xmlNode *xml)
{
    const char *id = bl_xml_attr(xml, "id");
    bl_srsc_t *dependent = bl__sched_rsc_find(s, bl_xml_attr(xml, "rsc"));
    bl_srsc_t *primary = bl__sched_rsc_find(s, bl_xml_attr(xml, "with-rsc"));
    const char *influence = bl_xml_attr(xml, "influence");
    int score = bl__sched_score(bl_xml_attr(xml, "score"));
    bl_coloc_t *coloc;

    if (bl_xml_first_child(xml, "resource_set") != NULL) {
        return bl__sched_unpack_coloc_sets(s, xml);
    }
    /* Like Pacemaker: constraints naming unknown resources, or scoring 0, do nothing. */
    if (dependent == NULL || primary == NULL || dependent->orphan || primary->orphan
        || score == 0) {
        return 0;
    }
    coloc = coloc_new(s, id, dependent, primary, score);
    bl__sched_role_parse(bl_xml_attr(xml, "rsc-role"), &coloc->dependent_role);
    bl__sched_role_parse(bl_xml_attr(xml, "with-rsc-role"), &coloc->primary_role);
    /* Started means any role. */
    if (coloc->dependent_role == BL_ROLE_STARTED) {
        coloc->dependent_role = BL_ROLE_UNKNOWN;
    }
    if (coloc->primary_role == BL_ROLE_STARTED) {
        coloc->primary_role = BL_ROLE_UNKNOWN;
    }
    coloc->node_attribute = bl_xml_attr(xml, "node-attribute");
    if (influence != NULL) {
        coloc->influence = bl__sched_true(influence);
    }
    coloc_link(coloc);
    return 0;
}

int
bl__sched_unpack_colocations(bl_sched_t *s)
{
    xmlNode *config = bl_xml_first_child(xmlDocGetRootElement(s->cib), "configuration");
    xmlNode *constraints = bl_xml_first_child(config, "constraints");

    for (xmlNode *xml = bl_xml_first_child(constraints, "rsc_colocation"); xml != NULL;
         xml = bl_xml_next(xml, "rsc_colocation")) {
        int rc = unpack_colocation(s, xml);

        if (rc != 0) {
            return rc;
        }
    }
    return 0;
}

static const char *
coloc_attr(const bl_coloc_t *coloc)
{
    return coloc->node_attribute != NULL ? coloc->node_attribute : "#uname";
}

static bool
any_available(const bl_sched_t *s, const int *scores, const bool *allowed)
{
    for (int i = 0; i < s->n_nodes; i++) {
        if (allowed[i] && scores[i] >= 0 && bl__sched_node_available(s->nodes[i])) {
            return true;
        }
    }
    return false;
}

/* The group member that stands for a colocated group as a primary. */
static bl_srsc_t *
primary_member(bl_srsc_t *primary, int score)
{
    if (primary->kind != BL_RSC_GROUP || primary->children->len == 0) {
        return primary;
    }
    if (score >= INF) {
        return g_ptr_array_index(primary->children, primary->children->len - 1);
    }
    return g_ptr_array_index(primary->children, 0);
}

void
bl__sched_coloc_apply(bl_sched_t *s, const bl_coloc_t *coloc)
{
    bl__sched_coloc_apply_to(s, coloc, coloc->dependent);
}

void
bl__sched_coloc_apply_to(bl_sched_t *s, const bl_coloc_t *coloc, bl_srsc_t *dependent)
{
    bl_srsc_t *primary = primary_member(coloc->primary, coloc->score);

    if (dependent->kind == BL_RSC_GROUP) {
        dependent = g_ptr_array_index(dependent->children, 0);
    }
    if (!dependent->provisional
        || (coloc->dependent_role != BL_ROLE_UNKNOWN
            && coloc->dependent_role != dependent->next_role)) {
        return;
    }
    if (coloc->primary->kind == BL_RSC_CLONE) {
        bl__sched_clone_coloc_apply(s, coloc, dependent);
        return;
    }
    if (coloc->primary->provisional || primary->provisional
        || (coloc->primary_role != BL_ROLE_UNKNOWN && coloc->primary_role != primary->next_role)) {
        return;
    }
    bl__sched_coloc_apply_node(s, coloc, dependent, primary->assigned);
}

void
bl__sched_coloc_apply_node(bl_sched_t *s, const bl_coloc_t *coloc, bl_srsc_t *dependent,
                           const bl_snode_t *primary_node)
{
    const char *attr = coloc_attr(coloc);
    const char *value = NULL;
    g_autofree int *work = NULL;

    if (primary_node != NULL) {
        value = bl__sched_node_attr(primary_node, attr);
    } else if (coloc->score < 0) {
        return; /* anti-colocation with something that is not running */
    }
    work = g_memdup2(dependent->scores, sizeof(int) * (size_t) s->n_nodes);
    for (int i = 0; i < s->n_nodes; i++) {
        const char *mine = bl__sched_node_attr(s->nodes[i], attr);

        if (!dependent->allowed[i]) {
            continue;
        }
        if (primary_node == NULL) {
            work[i] = -INF;
        } else if (value != NULL && mine != NULL && g_ascii_strcasecmp(value, mine) == 0) {
            if (coloc->score < INF) {
                work[i] = bl_score_add(coloc->score, work[i]);
            }
        } else if (coloc->score >= INF) {
            work[i] = -INF;
        }
    }
    if (coloc->score <= -INF || coloc->score >= INF || any_available(s, work, dependent->allowed)) {
        memcpy(dependent->scores, work, sizeof(int) * (size_t) s->n_nodes);
    }
}

/* Best score RSC has on an available node whose ATTR equals VALUE (-INFINITY if none). */
static int
best_matching(const bl_sched_t *s, const bl_srsc_t *rsc, const char *attr, const char *value)
{
    int best = -INF;

    for (int i = 0; i < s->n_nodes; i++) {
        const char *mine = bl__sched_node_attr(s->nodes[i], attr);

        if (rsc->allowed[i] && rsc->scores[i] > best && bl__sched_node_available(s->nodes[i])
            && value != NULL && mine != NULL && g_ascii_strcasecmp(value, mine) == 0) {
            best = rsc->scores[i];
        }
    }
    return best;
}

/*
 * One top-level merge (Pacemaker's add_colocated_node_scores and its recursion). Like
 * Pacemaker's, a merge visits every path of colocations from its resource (a resource is
 * kept from appearing twice on one path, not from being reached by two): a chain of K
 * members (a colocation set) is walked again for each member assigned before the rest,
 * K^2/2 visits in all, and every colocation that crosses the chain as a shortcut multiplies
 * the paths below it. What a visit adds depends on the scores it meets, rollbacks included,
 * so the visits are kept and made cheap instead: nodes that are not allowed, or already at
 * -INFINITY, never change during the merge (-INFINITY absorbs every addition), so a visit
 * looks only at the "live" nodes listed once at the start, and a rollback restores only
 * those from a buffer reused per depth.
 *
 * Within one merge a visit is a pure function of the resource, the colocation's attribute
 * and factor, and the live scores it starts from, as long as no resource can be met again
 * below itself (the merging flag never cuts a path). Along long mandatory chains the live
 * scores soon all reach +/-INFINITY, and from then on the same few starting scores come
 * back on every path: a visit starting from such scores is remembered with the scores it
 * leaves, and a later one starting from the same reuses them, so the walk no longer
 * multiplies. Other starting scores rarely repeat (remembering them costs more than it
 * saves) and are walked as before. When the colocations reachable from the merge's
 * resource form a cycle, which visits are cut depends on the path: no memo then.
 */
typedef struct memo_key {
    const bl_srsc_t *rsc;
    const char *attr;
    double factor;
    int n_live;
    int live[]; /* [n_live] scores the visit starts from */
} memo_key_t;

typedef struct merge_ctx {
    bl_sched_t *s;
    int *work;
    bool this_with;
    int *live; /* indices of nodes allowed in work and above -INFINITY at the start */
    int n_live;
    bool *usable;  /* [n_nodes]: the node is available (can host resources) */
    GArray *saved; /* int: one saved copy of the live scores per recursion depth */
    guint depth;
    GHashTable *memo;  /* memo_key_t * -> int[n_live] after the visit; NULL: no memo */
    memo_key_t *probe; /* key of the visit being looked up */
} merge_ctx_t;

/* The weighted preference of RSC for node I, or false when it changes nothing. */
static bool
weight_on(const merge_ctx_t *ctx, const bl_srsc_t *rsc, int i, const char *attr, double factor,
          int *weight)
{
    const bl_sched_t *s = ctx->s;
    int score;
    double weighted;

    if (attr == NULL) {
        /* node names are unique: the only matching node is the node itself */
        score = (rsc->allowed[i] && ctx->usable[i]) ? rsc->scores[i] : -INF;
    } else {
        score = best_matching(s, rsc, attr, bl__sched_node_attr(s->nodes[i], attr));
    }
    if (factor < 0 && score < 0) {
        return false; /* a double negative must not become a preference */
    }
    weighted = factor * score;
    *weight = (int) (weighted < 0 ? weighted - 0.5 : weighted + 0.5);
    if (*weight == 0 && score != 0) {
        *weight = factor > 0 ? 1 : -1;
    }
    return true;
}

/* Adds RSC's weighted preferences to the live nodes (matched by ATTR, NULL: #uname);
 * returns whether one of them can still host (allowed, available, score >= 0). */
static bool
add_matching(merge_ctx_t *ctx, const bl_srsc_t *rsc, const char *attr, double factor)
{
    bool any = false;

    if (attr != NULL && strcmp(attr, "#uname") == 0) {
        attr = NULL; /* compared once here rather than for every node */
    }

    for (int l = 0; l < ctx->n_live; l++) {
        int i = ctx->live[l];
        int weight = 0;

        /* -INFINITY absorbs every addition: nothing to compute */
        if (ctx->work[i] > -INF && weight_on(ctx, rsc, i, attr, factor, &weight)) {
            ctx->work[i] = bl_score_add(weight, ctx->work[i]);
        }
        any = any || (ctx->work[i] >= 0 && ctx->usable[i]);
    }
    return any;
}

/* The live scores saved at the current depth (valid until the next deeper save). */
static int *
saved_at(merge_ctx_t *ctx, guint depth)
{
    guint need = (depth + 1) * (guint) ctx->n_live;

    if (ctx->saved->len < need) {
        g_array_set_size(ctx->saved, need);
    }
    return &g_array_index(ctx->saved, int, depth *(guint) ctx->n_live);
}

static gsize
memo_key_size(const merge_ctx_t *ctx)
{
    return sizeof(memo_key_t) + sizeof(int) * (gsize) ctx->n_live;
}

static guint
memo_hash(gconstpointer data)
{
    const memo_key_t *key = data;
    uint64_t hash = (uint64_t) (uintptr_t) key->rsc ^ ((uint64_t) (uintptr_t) key->attr << 1);

    for (int l = 0; l < key->n_live; l++) {
        hash = (hash ^ (uint32_t) key->live[l]) * 0x100000001b3ULL; /* FNV-1a step */
    }
    hash ^= hash >> 33; /* spread the high bits into the low ones the table uses */
    return (guint) (hash * 0xff51afd7ed558ccdULL >> 32);
}

static gboolean
memo_equal(gconstpointer a, gconstpointer b)
{
    const memo_key_t *x = a;
    const memo_key_t *y = b;

    return x->rsc == y->rsc && x->attr == y->attr && x->factor == y->factor
           && memcmp(x->live, y->live, sizeof(int) * (gsize) x->n_live) == 0;
}

/* True when every live score is +/-INFINITY (SCORES: the live scores, or NULL for the
 * work as it is now). */
static bool
saturated(const merge_ctx_t *ctx, const int *scores)
{
    for (int l = 0; l < ctx->n_live; l++) {
        int score = scores != NULL ? scores[l] : ctx->work[ctx->live[l]];

        if (score > -INF && score < INF) {
            return false;
        }
    }
    return true;
}

/* Replays a remembered visit; false when there is none. */
static bool
memo_replay(merge_ctx_t *ctx, const bl_srsc_t *rsc, const char *attr, double factor)
{
    const int *after;

    if (ctx->memo == NULL || !saturated(ctx, NULL)) {
        return false;
    }
    ctx->probe->rsc = rsc;
    ctx->probe->attr = attr;
    ctx->probe->factor = factor;
    for (int l = 0; l < ctx->n_live; l++) {
        ctx->probe->live[l] = ctx->work[ctx->live[l]];
    }
    after = g_hash_table_lookup(ctx->memo, ctx->probe);
    for (int l = 0; after != NULL && l < ctx->n_live; l++) {
        ctx->work[ctx->live[l]] = after[l];
    }
    return after != NULL;
}

/* Remembers what the visit that started from the scores saved at this depth left. */
static void
memo_record(merge_ctx_t *ctx, const bl_srsc_t *rsc, const char *attr, double factor)
{
    const int *before = saved_at(ctx, ctx->depth);
    memo_key_t *key;
    int *after;

    if (ctx->memo == NULL || !saturated(ctx, before)) {
        return;
    }
    key = g_malloc(memo_key_size(ctx));
    key->rsc = rsc;
    key->attr = attr;
    key->factor = factor;
    key->n_live = ctx->n_live;
    memcpy(key->live, before, sizeof(int) * (gsize) ctx->n_live);
    after = g_new(int, (gsize) ctx->n_live + 1);
    for (int l = 0; l < ctx->n_live; l++) {
        after[l] = ctx->work[ctx->live[l]];
    }
    g_hash_table_insert(ctx->memo, key, after);
}

/* The resource a visit of RSC walks on from, as merge_visit() does (a group's first
 * member stands for it). */
static const bl_srsc_t *
walked(const bl_srsc_t *rsc)
{
    while (rsc->kind == BL_RSC_GROUP && rsc->children->len > 0) {
        rsc = g_ptr_array_index(rsc->children, 0);
    }
    return rsc;
}

/* True when a walk from RSC can come back to a resource already on its path. STATE holds
 * 1 for resources on the path, 2 for those fully explored. */
static bool
reaches_cycle(const merge_ctx_t *ctx, const bl_srsc_t *rsc, GHashTable *state)
{
    GPtrArray *list;
    int seen;

    rsc = walked(rsc);
    if (rsc->merging) {
        return false; /* cut on every path of this merge alike */
    }
    seen = GPOINTER_TO_INT(g_hash_table_lookup(state, rsc));
    if (seen != 0) {
        return seen == 1;
    }
    g_hash_table_insert(state, (gpointer) rsc, GINT_TO_POINTER(1));
    list = ctx->this_with ? rsc->this_with : rsc->with_this;
    for (guint i = 0; i < list->len; i++) {
        const bl_coloc_t *coloc = g_ptr_array_index(list, i);

        if (!ctx->this_with && !(coloc->influence || coloc->primary->running_on->len == 0)) {
            continue;
        }
        if (reaches_cycle(ctx, ctx->this_with ? coloc->primary : coloc->dependent, state)) {
            return true;
        }
    }
    g_hash_table_insert(state, (gpointer) rsc, GINT_TO_POINTER(2));
    return false;
}

static void merge_children(merge_ctx_t *ctx, bl_srsc_t *rsc, double factor);

static void
merge_visit(merge_ctx_t *ctx, bl_srsc_t *rsc, const char *attr, double factor)
{
    int *saved;

    if (rsc->merging) {
        return;
    }
    if (rsc->kind == BL_RSC_GROUP && rsc->children->len > 0) {
        /* The first member already carries the other members' preferences through the
         * group's internal colocations. */
        merge_visit(ctx, g_ptr_array_index(rsc->children, 0), attr, factor);
        return;
    }
    if (memo_replay(ctx, rsc, attr, factor)) {
        return;
    }
    saved = saved_at(ctx, ctx->depth);
    for (int l = 0; l < ctx->n_live; l++) {
        saved[l] = ctx->work[ctx->live[l]];
    }
    if (!add_matching(ctx, rsc, attr, factor)) {
        /* Rolling back: these optional preferences would leave nowhere to run. */
        for (int l = 0; l < ctx->n_live; l++) {
            ctx->work[ctx->live[l]] = saved[l];
        }
        return;
    }
    merge_children(ctx, rsc, factor);
    memo_record(ctx, rsc, attr, factor);
}

static void
merge_children(merge_ctx_t *ctx, bl_srsc_t *rsc, double factor)
{
    GPtrArray *list;

    rsc->merging = true;
    ctx->depth++;
    list = ctx->this_with ? rsc->this_with : rsc->with_this;
    for (guint i = 0; i < list->len; i++) {
        const bl_coloc_t *coloc = g_ptr_array_index(list, i);
        bl_srsc_t *other = ctx->this_with ? coloc->primary : coloc->dependent;
        double nested = (factor < 0 ? -1.0 : 1.0) * coloc->score / (double) INF;

        if (!ctx->this_with && !(coloc->influence || coloc->primary->running_on->len == 0)) {
            continue;
        }
        merge_visit(ctx, other, coloc->node_attribute, nested);
    }
    ctx->depth--;
    rsc->merging = false;
}

void
bl__sched_coloc_merge(bl_sched_t *s, bl_srsc_t *rsc, int *work, bool *work_allowed,
                      const char *attr, double factor, bool this_with, bool initial)
{
    g_autofree int *live = g_new(int, (gsize) s->n_nodes + 1);
    g_autofree bool *usable = g_new(bool, (gsize) s->n_nodes + 1);
    merge_ctx_t ctx = {
        .s = s, .work = work, .this_with = this_with, .live = live, .usable = usable};

    for (int i = 0; i < s->n_nodes; i++) {
        usable[i] = bl__sched_node_available(s->nodes[i]);
        if (work_allowed[i] && work[i] > -INF) {
            live[ctx.n_live++] = i;
        }
    }
    (void) initial;
    if (ctx.n_live == 0) {
        return; /* nowhere left to prefer: every visit would roll back */
    }
    ctx.saved = g_array_new(false, false, sizeof(int));
    if (!rsc->merging) {
        g_autoptr(GHashTable) state = g_hash_table_new(NULL, NULL);

        if (!reaches_cycle(&ctx, rsc, state)) {
            ctx.memo = g_hash_table_new_full(memo_hash, memo_equal, g_free, g_free);
            ctx.probe = g_malloc(memo_key_size(&ctx));
            ctx.probe->n_live = ctx.n_live;
        }
    }
    merge_visit(&ctx, rsc, attr, factor);
    g_array_free(ctx.saved, true);
    if (ctx.memo != NULL) {
        g_hash_table_destroy(ctx.memo);
        g_free(ctx.probe);
    }
}
