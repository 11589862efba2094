/*
 * Resource sets in rsc_order and rsc_colocation. Each constraint is expanded once into
 * the pairwise orderings and colocations Pacemaker derives from it, so the rest of the
 * scheduler never sees a set. Members are resolved through the id hash table; the
 * expansion is linear in the set sizes except where Pacemaker itself pairs every member
 * with every other (non-sequential set-to-set, anti-colocation sets).
 *
 * The two constraint types read their sets differently:
 *  - order: within a sequential set each member comes after the previous one; between
 *    sets, the later set comes after the earlier one. "sequential" between sets is
 *    honoured only when written out (absent means every member with every member), and
 *    require-all=false in the earlier set makes the later set wait for any one member.
 *  - colocation: within a sequential set each member is placed with the previous one
 *    (ordering="listed": the previous one with the next); between sets, the earlier set
 *    is placed with the later one (its first member with the later set's last member).
 */
#include <string.h>
#include <strings.h>

#include "sched_private.h"

enum { SYM_ASYMMETRIC = 0, SYM_SYMMETRIC = 1, SYM_INVERSE = 2 };

typedef struct rsc_set {
    const xmlNode *xml; /* the resource_set, id-ref resolved */
    const char *id;
    GPtrArray *members; /* bl_srsc_t * in listed order */
} rsc_set_t;

static void
set_clear(rsc_set_t *set)
{
    if (set->members != NULL) {
        g_ptr_array_free(set->members, true);
    }
    memset(set, 0, sizeof(*set));
}

/*
 * Resolves XML (a resource_set, possibly an id-ref to one) into SET. Returns 0, 1 when a
 * member names no resource (Pacemaker drops the rest of the constraint), or BL_EINVALID.
 */
static int
set_resolve(bl_sched_t *s, const char *cid, const xmlNode *xml, rsc_set_t *set)
{
    const char *ref = bl_xml_attr(xml, "id-ref");

    if (ref != NULL) {
        xml = bl_xml_find_id(xmlDocGetRootElement(s->cib), ref);
        if (xml == NULL || !bl_xml_is(xml, "resource_set")) {
            bl_err_set(s->err, "constraint '%s': id-ref '%s' names no resource_set", cid, ref);
            return BL_EINVALID;
        }
    }
    set->xml = xml;
    set->id = bl_xml_attr(xml, "id");
    set->members = g_ptr_array_new();
    for (xmlNode *child = bl_xml_first_child(xml, "resource_ref"); child != NULL;
         child = bl_xml_next(child, "resource_ref")) {
        bl_srsc_t *rsc = bl__sched_rsc_find(s, bl_xml_attr(child, "id"));

        if (rsc == NULL) {
            return 1;
        }
        g_ptr_array_add(set->members, rsc);
    }
    return 0;
}

static bl_srsc_t *
member(const rsc_set_t *set, guint i)
{
    return g_ptr_array_index(set->members, i);
}

/* An attribute that is true only when written out as true. */
static bool
explicitly_true(const xmlNode *xml, const char *name)
{
    const char *value = bl_xml_attr(xml, name);

    return value != NULL && bl__sched_true(value);
}

/* An attribute that is true unless written out as false. */
static bool
true_unless_false(const xmlNode *xml, const char *name)
{
    const char *value = bl_xml_attr(xml, name);

    return value == NULL || bl__sched_true(value);
}

/* ------------------------------------------------------------------ ordering */

/* Pacemaker's symmetry of an order (or of one of its sets, PARENT_SYM being the
 * constraint's "symmetrical"): serializing orders are never symmetric. */
static int
order_symmetry(const xmlNode *xml, int parent_kind, const char *parent_sym)
{
    const char *value = bl_xml_attr(xml, "symmetrical");
    int kind = parent_kind;

    if (bl_xml_attr(xml, "kind") != NULL || bl_xml_attr(xml, "score") != NULL) {
        kind = bl__sched_order_kind(xml);
    }
    if (value == NULL) {
        value = parent_sym;
    }
    if (bl__sched_order_kind_serializes(kind)) {
        return SYM_ASYMMETRIC;
    }
    return (value == NULL || bl__sched_true(value)) ? SYM_SYMMETRIC : SYM_ASYMMETRIC;
}

static int
set_task(bl_sched_t *s, const rsc_set_t *set, bl_task_t *task)
{
    return bl__sched_order_task(s, set->id, bl_xml_attr(set->xml, "action"), task);
}

/* Orders within one set: each member after the previous one (and the reverse for the
 * inverse action when symmetric). Serializing sets only constrain the graph's order,
 * which does not change what the transition contains. */
static int
order_within_set(bl_sched_t *s, const rsc_set_t *set, int parent_kind, const char *parent_sym)
{
    int kind = bl_xml_attr(set->xml, "kind") != NULL ? bl__sched_order_kind(set->xml)
                                                      : parent_kind;
    int symmetry = order_symmetry(set->xml, parent_kind, parent_sym);
    bl_task_t task;
    int rc = set_task(s, set, &task);

    if (rc != 0 || set->members->len < 2 || !true_unless_false(set->xml, "sequential")
        || bl__sched_order_kind_serializes(kind)) {
        return rc;
    }
    for (guint i = 1; i < set->members->len; i++) {
        bl__sched_order_rscs(s, member(set, i - 1), task, member(set, i), task,
                             bl__sched_order_flags(kind, task, symmetry));
    }
    if (symmetry == SYM_ASYMMETRIC) {
        return 0;
    }
    task = bl__sched_task_invert(task);
    for (guint i = 1; i < set->members->len; i++) {
        bl__sched_order_rscs(s, member(set, i), task, member(set, i - 1), task,
                             bl__sched_order_flags(kind, task, SYM_INVERSE));
    }
    return 0;
}

/* The pseudo-action that becomes runnable as soon as one member of SET can act. It is
 * the start of a hidden resource that is neither assigned nor reported. */
static bl_srsc_t *
one_or_more(bl_sched_t *s, const rsc_set_t *set)
{
    g_autofree char *id = bl_asprintf("one-or-more:%s", set->id);
    bl_srsc_t *pseudo = bl__sched_rsc_find(s, id);
    bl_action_t *action;

    if (pseudo != NULL) {
        return pseudo;
    }
    pseudo = bl__sched_rsc_new(s, id, BL_RSC_PRIMITIVE);
    g_ptr_array_remove_index(s->primitives, s->primitives->len - 1);
    pseudo->provisional = false;
    action = bl__sched_action(s, pseudo, BL_TASK_START, NULL, true);
    action->flags |= BL_ACT_PSEUDO | BL_ACT_RUNNABLE | BL_ACT_REQUIRES_ANY;
    return pseudo;
}

static void
order_through_one_or_more(bl_sched_t *s, const rsc_set_t *set1, bl_task_t task1,
                          const rsc_set_t *set2, bl_task_t task2, unsigned flags)
{
    bl_srsc_t *pseudo = one_or_more(s, set1);

    for (guint i = 0; i < set1->members->len; i++) {
        bl__sched_order_rscs(s, member(set1, i), task1, pseudo, BL_TASK_START,
                             BL_ORD_ONE_OR_MORE);
    }
    for (guint i = 0; i < set2->members->len; i++) {
        bl__sched_order_rscs(s, pseudo, BL_TASK_START, member(set2, i), task2,
                             flags | BL_ORD_RUNNABLE_LEFT);
    }
}

/* The member of a sequential SET that stands for it at the boundary with another set. */
static bl_srsc_t *
boundary(const rsc_set_t *set, bool first)
{
    if (set->members->len == 0 || !explicitly_true(set->xml, "sequential")) {
        return NULL;
    }
    return member(set, first ? 0 : set->members->len - 1);
}

static int
order_two_sets(bl_sched_t *s, const rsc_set_t *set1, const rsc_set_t *set2, int kind,
               int symmetry)
{
    bl_task_t task1, task2;
    int rc = set_task(s, set1, &task1);
    bool require_all = true_unless_false(set1->xml, "require-all");
    bl_srsc_t *rsc1, *rsc2;
    unsigned flags;

    if (rc == 0) {
        rc = set_task(s, set2, &task2);
    }
    if (rc != 0) {
        return rc;
    }
    if (symmetry == SYM_INVERSE) {
        task1 = bl__sched_task_invert(task1);
        task2 = bl__sched_task_invert(task2);
    }
    /* One-or-more applies to starting only: stopping waits for everything. */
    require_all = require_all || task1 == BL_TASK_STOP;
    /* Pacemaker decides "then waits for first to be runnable" on the later set's action
     * (start or promote), not the earlier one's. */
    flags = bl__sched_order_flags(kind, task2, symmetry);
    if (!require_all) {
        order_through_one_or_more(s, set1, task1, set2, task2, flags);
        return 0;
    }
    rsc1 = boundary(set1, symmetry == SYM_INVERSE);
    rsc2 = boundary(set2, symmetry != SYM_INVERSE);
    for (guint i = 0; i < (rsc1 != NULL ? 1 : set1->members->len); i++) {
        for (guint j = 0; j < (rsc2 != NULL ? 1 : set2->members->len); j++) {
            bl__sched_order_rscs(s, rsc1 != NULL ? rsc1 : member(set1, i), task1,
                                 rsc2 != NULL ? rsc2 : member(set2, j), task2, flags);
        }
    }
    return 0;
}

static int
order_sets(bl_sched_t *s, const xmlNode *xml, rsc_set_t *last, rsc_set_t *set)
{
    int kind = bl__sched_order_kind(xml);
    const char *parent_sym = bl_xml_attr(xml, "symmetrical");
    int symmetry = order_symmetry(xml, kind, NULL);
    int rc = order_within_set(s, set, kind, parent_sym);

    if (rc == 0 && last->xml != NULL) {
        rc = order_two_sets(s, last, set, kind, symmetry);
        if (rc == 0 && symmetry == SYM_SYMMETRIC) {
            rc = order_two_sets(s, set, last, kind, SYM_INVERSE);
        }
    }
    return rc;
}

int
bl__sched_unpack_order_sets(bl_sched_t *s, const xmlNode *xml)
{
    const char *id = bl_xml_attr(xml, "id");
    rsc_set_t last = {0};
    int rc = 0;

    for (xmlNode *child = bl_xml_first_child(xml, "resource_set"); child != NULL && rc == 0;
         child = bl_xml_next(child, "resource_set")) {
        rsc_set_t set = {0};

        rc = set_resolve(s, id, child, &set);
        if (rc == 0) {
            rc = order_sets(s, xml, &last, &set);
        }
        set_clear(&last);
        last = set;
    }
    set_clear(&last);
    return rc > 0 ? 0 : rc;
}

/* ---------------------------------------------------------------- colocation */

typedef struct coloc_ctx {
    bl_sched_t *s;
    const char *id;
    const char *influence; /* the constraint's influence attribute, or NULL */
} coloc_ctx_t;

static void
colocate(const coloc_ctx_t *ctx, bl_srsc_t *dependent, bl_srsc_t *primary, int score,
         const char *dependent_role, const char *primary_role)
{
    bl_coloc_t *coloc;

    if (score == 0 || dependent == primary) {
        return;
    }
    coloc = bl__sched_coloc_add(ctx->s, ctx->id, dependent, primary, score);
    bl__sched_role_parse(dependent_role, &coloc->dependent_role);
    bl__sched_role_parse(primary_role, &coloc->primary_role);
    if (ctx->influence != NULL) {
        coloc->influence = bl__sched_true(ctx->influence);
    }
}

static void
coloc_within_set(const coloc_ctx_t *ctx, const rsc_set_t *set, int score)
{
    const char *role = bl_xml_attr(set->xml, "role");
    const char *ordering = bl_xml_attr(set->xml, "ordering");
    const char *local = bl_xml_attr(set->xml, "score");

    if (local != NULL) {
        score = bl__sched_score(local);
    }
    if (score == 0 || !true_unless_false(set->xml, "sequential")) {
        return;
    }
    if (score < 0) {
        /* Pacemaker keeps every member away from every member listed before it. */
        for (guint i = 0; i < set->members->len; i++) {
            for (guint j = 0; j < i && member(set, j) != member(set, i); j++) {
                colocate(ctx, member(set, i), member(set, j), score, role, role);
            }
        }
        return;
    }
    for (guint i = 1; i < set->members->len; i++) {
        if (ordering == NULL || strcasecmp(ordering, "group") == 0) {
            colocate(ctx, member(set, i), member(set, i - 1), score, role, role);
        } else {
            colocate(ctx, member(set, i - 1), member(set, i), score, role, role);
        }
    }
}

static void
coloc_two_sets(const coloc_ctx_t *ctx, const rsc_set_t *set1, const rsc_set_t *set2, int score)
{
    const char *role1 = bl_xml_attr(set1->xml, "role");
    const char *role2 = bl_xml_attr(set2->xml, "role");
    bl_srsc_t *rsc1 = NULL;
    bl_srsc_t *rsc2 = NULL;

    if (score == 0) {
        return;
    }
    if (true_unless_false(set1->xml, "sequential") && set1->members->len > 0) {
        rsc1 = member(set1, 0);
    }
    if (true_unless_false(set2->xml, "sequential") && set2->members->len > 0) {
        rsc2 = member(set2, set2->members->len - 1);
    }
    for (guint i = 0; i < (rsc1 != NULL ? 1 : set1->members->len); i++) {
        for (guint j = 0; j < (rsc2 != NULL ? 1 : set2->members->len); j++) {
            colocate(ctx, rsc1 != NULL ? rsc1 : member(set1, i),
                     rsc2 != NULL ? rsc2 : member(set2, j), score, role1, role2);
        }
    }
}

int
bl__sched_unpack_coloc_sets(bl_sched_t *s, const xmlNode *xml)
{
    coloc_ctx_t ctx = {.s = s, .id = bl_xml_attr(xml, "id")};
    const char *score_text = bl_xml_attr(xml, "score");
    int score = score_text != NULL ? bl__sched_score(score_text) : 0;
    rsc_set_t last = {0};
    int rc = 0;

    ctx.influence = bl_xml_attr(xml, "influence");
    for (xmlNode *child = bl_xml_first_child(xml, "resource_set"); child != NULL && rc == 0;
         child = bl_xml_next(child, "resource_set")) {
        rsc_set_t set = {0};

        rc = set_resolve(s, ctx.id, child, &set);
        if (rc == 0) {
            coloc_within_set(&ctx, &set, score);
            if (last.xml != NULL) {
                coloc_two_sets(&ctx, &last, &set, score);
            }
        }
        set_clear(&last);
        last = set;
    }
    set_clear(&last);
    return rc > 0 ? 0 : rc;
}
