/* rsc_order: "first then then", with its kind, symmetry and actions. */
#include <string.h>
#include <strings.h>

#include "sched_private.h"

typedef enum order_kind {
    KIND_MANDATORY,
    KIND_OPTIONAL,
    KIND_SERIALIZE,
} order_kind_t;

static int
parse_task(bl_sched_t *s, const char *id, const char *text, bl_task_t *task)
{
    if (text == NULL || strcmp(text, "start") == 0) {
        *task = BL_TASK_START;
        return 0;
    }
    if (strcmp(text, "stop") == 0) {
        *task = BL_TASK_STOP;
        return 0;
    }
    if (strcmp(text, "promote") == 0) {
        *task = BL_TASK_PROMOTE;
        return 0;
    }
    if (strcmp(text, "demote") == 0) {
        *task = BL_TASK_DEMOTE;
        return 0;
    }
    bl_err_set(s->err, "rsc_order '%s': action '%s' is not supported yet", id, text);
    return BL_EUNSUPPORTED;
}

static order_kind_t
parse_kind(const xmlNode *xml)
{
    const char *kind = bl_xml_attr(xml, "kind");
    const char *score = bl_xml_attr(xml, "score");

    if (kind == NULL) {
        /* Deprecated form: a score of 0 meant optional. */
        return (score != NULL && bl__sched_score(score) == 0) ? KIND_OPTIONAL : KIND_MANDATORY;
    }
    if (strcasecmp(kind, "Optional") == 0) {
        return KIND_OPTIONAL;
    }
    if (strcasecmp(kind, "Serialize") == 0) {
        return KIND_SERIALIZE;
    }
    return KIND_MANDATORY;
}

static unsigned
kind_flags(order_kind_t kind, bl_task_t first_task, int symmetry)
{
    if (kind != KIND_MANDATORY) {
        return 0;
    }
    if (symmetry == 0) {
        return BL_ORD_ASYMMETRIC;
    }
    if (symmetry == 1) {
        return BL_ORD_IMPLIES_THEN
               | (first_task == BL_TASK_START || first_task == BL_TASK_PROMOTE
                      ? BL_ORD_RUNNABLE_LEFT
                      : 0);
    }
    return BL_ORD_IMPLIES_FIRST;
}

/* The deprecated restart-type=restart turned optional orderings into restarts. */
static unsigned
restart_type_flags(const bl_srsc_t *rsc, order_kind_t kind, unsigned flag)
{
    const char *value = g_hash_table_lookup(rsc->meta, "restart-type");

    return (kind == KIND_OPTIONAL && value != NULL && strcasecmp(value, "restart") == 0) ? flag : 0;
}

static bool
rsc_active(const bl_srsc_t *rsc)
{
    return rsc->running_on->len > 0;
}

/* Actions of FIRST with TASK; one without a node is created when there is none, so that
 * "then" still waits for something that cannot happen. */
static void
order_resources(bl_sched_t *s, bl_srsc_t *first, bl_task_t first_task, bl_srsc_t *then,
                bl_task_t then_task, unsigned flags)
{
    g_autoptr(GPtrArray) firsts = g_ptr_array_new();

    if (bl__sched_clone_order_interleaved(s, first, first_task, then, then_task, flags)) {
        /* Pacemaker keeps the clones' own ordering in the graph too */
        bl__sched_order(s, bl__sched_action(s, first, first_task, NULL, true),
                        bl__sched_action(s, then, then_task, NULL, true), BL_ORD_GRAPH_ONLY);
        return;
    }
    if ((flags & BL_ORD_ONE_OR_MORE) && first->kind == BL_RSC_CLONE) {
        /* "then" waits for any one instance: the others starting do not restart it */
        flags &= ~BL_ORD_IMPLIES_THEN;
    }
    for (guint i = 0; i < first->actions->len; i++) {
        bl_action_t *a = g_ptr_array_index(first->actions, i);

        if (a->task == first_task) {
            g_ptr_array_add(firsts, a);
        }
    }
    if (firsts->len == 0) {
        if (first == then || (first_task == BL_TASK_STOP && !rsc_active(first))) {
            return;
        }
        g_ptr_array_add(firsts, bl__sched_action(s, first, first_task, NULL, true));
    }
    for (guint i = 0; i < firsts->len; i++) {
        for (guint j = 0; j < then->actions->len; j++) {
            bl_action_t *b = g_ptr_array_index(then->actions, j);

            if (b->task == then_task) {
                bl__sched_order(s, g_ptr_array_index(firsts, i), b, flags);
            }
        }
    }
}

static bl_task_t
invert(bl_task_t task)
{
    switch (task) {
    case BL_TASK_START:
        return BL_TASK_STOP;
    case BL_TASK_PROMOTE:
        return BL_TASK_DEMOTE;
    case BL_TASK_DEMOTE:
        return BL_TASK_PROMOTE;
    default:
        return BL_TASK_START;
    }
}

static int
unpack_order(bl_sched_t *s, const xmlNode *xml)
{
    const char *id = bl_xml_attr(xml, "id");
    const char *symmetrical = bl_xml_attr(xml, "symmetrical");
    bl_srsc_t *first = bl__sched_rsc_find(s, bl_xml_attr(xml, "first"));
    bl_srsc_t *then = bl__sched_rsc_find(s, bl_xml_attr(xml, "then"));
    const char *first_text = bl_xml_attr(xml, "first-action");
    const char *then_text = bl_xml_attr(xml, "then-action");
    order_kind_t kind = parse_kind(xml);
    bl_task_t first_task, then_task;
    const char *require_all;
    bool symmetric;
    int rc;

    if (bl_xml_first_child(xml, "resource_set") != NULL) {
        return bl__sched_unpack_order_sets(s, xml);
    }
    if (first == NULL || then == NULL || first->orphan || then->orphan) {
        return 0;
    }
    rc = parse_task(s, id, first_text, &first_task);
    if (rc == 0) {
        rc = parse_task(s, id, then_text != NULL ? then_text : first_text, &then_task);
    }
    if (rc != 0) {
        return rc;
    }
    symmetric = kind != KIND_SERIALIZE && (symmetrical == NULL || bl__sched_true(symmetrical));
    require_all = bl_xml_attr(xml, "require-all");
    order_resources(
        s, first, first_task, then, then_task,
        kind_flags(kind, first_task, symmetric ? 1 : 0)
            | restart_type_flags(then, kind, BL_ORD_IMPLIES_THEN)
            | (require_all != NULL && !bl__sched_true(require_all) ? BL_ORD_ONE_OR_MORE : 0));
    if (symmetric) {
        order_resources(s, then, invert(then_task), first, invert(first_task),
                        kind_flags(kind, invert(then_task), 2)
                            | restart_type_flags(first, kind, BL_ORD_IMPLIES_FIRST));
    }
    return 0;
}

int
bl__sched_unpack_orderings(bl_sched_t *s)
{
    xmlNode *config = bl_xml_first_child(xmlDocGetRootElement(s->cib), "configuration");
    xmlNode *constraints = bl_xml_first_child(config, "constraints");

    for (xmlNode *xml = bl_xml_first_child(constraints, "rsc_order"); xml != NULL;
         xml = bl_xml_next(xml, "rsc_order")) {
        int rc = unpack_order(s, xml);

        if (rc != 0) {
            return rc;
        }
    }
    return 0;
}

/* ---------------------------------------------- shared with sched_sets.c */

int
bl__sched_order_task(bl_sched_t *s, const char *id, const char *text, bl_task_t *task)
{
    return parse_task(s, id, text, task);
}

int
bl__sched_order_kind(const xmlNode *xml)
{
    return (int) parse_kind(xml);
}

bool
bl__sched_order_kind_serializes(int kind)
{
    return kind == KIND_SERIALIZE;
}

unsigned
bl__sched_order_flags(int kind, bl_task_t first_task, int symmetry)
{
    return kind_flags((order_kind_t) kind, first_task, symmetry);
}

void
bl__sched_order_rscs(bl_sched_t *s, bl_srsc_t *first, bl_task_t first_task, bl_srsc_t *then,
                     bl_task_t then_task, unsigned flags)
{
    order_resources(s, first, first_task, then, then_task, flags);
}

bl_task_t
bl__sched_task_invert(bl_task_t task)
{
    return invert(task);
}
