/* The result of a run and its normalized text views (placement, actions, scores). */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "sched_private.h"

static const char *const task_names[] = {
    [BL_TASK_STOP] = "stop",
    [BL_TASK_START] = "start",
    [BL_TASK_STOPPED] = "stopped",
    [BL_TASK_RUNNING] = "running",
    [BL_TASK_MIGRATE_TO] = "migrate_to",
    [BL_TASK_MIGRATE_FROM] = "migrate_from",
    [BL_TASK_PROMOTE] = "promote",
    [BL_TASK_DEMOTE] = "demote",
    [BL_TASK_PROMOTED] = "promoted",
    [BL_TASK_DEMOTED] = "demoted",
};

bool
bl__sched_action_happens(const bl_action_t *action)
{
    return !(action->flags & BL_ACT_OPTIONAL) && (action->flags & BL_ACT_RUNNABLE)
           && action->node != NULL && action->rsc->managed;
}

bool
bl__sched_action_executes(const bl_action_t *action)
{
    bool listed = !(action->flags & BL_ACT_OPTIONAL) || (action->flags & BL_ACT_PRINT);

    return listed && (action->flags & BL_ACT_RUNNABLE) && action->node != NULL
           && action->rsc->managed && !(action->flags & BL_ACT_PSEUDO);
}

/*
 * Compares the runs of digits at *A and *B by value, then by length (leading zeros sort
 * after: "7" < "07"), and moves both past their run. Values are compared digit by digit
 * so that no run is too long for a number.
 */
static int
compare_digit_runs(const char **a, const char **b)
{
    const char *x = *a;
    const char *y = *b;
    size_t zeros_x = strspn(x, "0");
    size_t zeros_y = strspn(y, "0");
    size_t len_x = zeros_x;
    size_t len_y = zeros_y;
    int by_digits;

    while (isdigit((unsigned char) x[len_x])) {
        len_x++;
    }
    while (isdigit((unsigned char) y[len_y])) {
        len_y++;
    }
    *a = x + len_x;
    *b = y + len_y;
    if (len_x - zeros_x != len_y - zeros_y) {
        return len_x - zeros_x < len_y - zeros_y ? -1 : 1;
    }
    by_digits = memcmp(x + zeros_x, y + zeros_y, len_x - zeros_x);
    if (by_digits != 0) {
        return by_digits < 0 ? -1 : 1;
    }
    return len_x == len_y ? 0 : (len_x < len_y ? -1 : 1);
}

int
bl__sched_node_name_compare(const char *a, const char *b)
{
    const char *x = a;
    const char *y = b;
    int c;

    while (*x != '\0' && *y != '\0') {
        if (isdigit((unsigned char) *x) && isdigit((unsigned char) *y)) {
            c = compare_digit_runs(&x, &y);
        } else {
            c = tolower((unsigned char) *x) - tolower((unsigned char) *y);
            x++;
            y++;
        }
        if (c != 0) {
            return c < 0 ? -1 : 1;
        }
    }
    if (*x != *y) {
        return *x == '\0' ? -1 : 1;
    }
    /* equal but for case: byte order keeps the listing stable */
    c = strcmp(a, b);
    return (c > 0) - (c < 0);
}

static gint
compare_lines(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *) a, *(char *const *) b);
}

/* Sorts LINES byte-wise and drops duplicates. */
static void
sort_unique(GPtrArray *lines)
{
    guint kept = 0;

    g_ptr_array_sort(lines, compare_lines);
    for (guint i = 0; i < lines->len; i++) {
        char *line = g_ptr_array_index(lines, i);

        if (kept > 0 && strcmp(g_ptr_array_index(lines, kept - 1), line) == 0) {
            free(line);
            continue;
        }
        lines->pdata[kept++] = line;
    }
    /* The tail now holds moved or freed pointers: the array must not free them again. */
    for (guint i = kept; i < lines->len; i++) {
        lines->pdata[i] = NULL;
    }
    g_ptr_array_set_size(lines, kept);
}

static bool
promotable_instance(const bl_srsc_t *rsc)
{
    const bl_srsc_t *clone = bl__sched_rsc_clone(rsc);

    return clone != NULL && clone->clone->promotable;
}

/* Role changes in the order the transition makes them: demote, stop, start, promote. */
static void
apply_actions(const bl_srsc_t *rsc, bl_role_t *roles, bl_role_t started)
{
    static const bl_task_t order[] = {BL_TASK_DEMOTE, BL_TASK_STOP, BL_TASK_START, BL_TASK_PROMOTE};

    for (size_t o = 0; o < G_N_ELEMENTS(order); o++) {
        for (guint i = 0; i < rsc->actions->len; i++) {
            const bl_action_t *action = g_ptr_array_index(rsc->actions, i);
            int n;

            if (action->task != order[o] || !bl__sched_action_happens(action)) {
                continue;
            }
            n = action->node->index;
            switch (action->task) {
            case BL_TASK_DEMOTE:
                roles[n] = roles[n] > BL_ROLE_STOPPED ? BL_ROLE_UNPROMOTED : roles[n];
                break;
            case BL_TASK_STOP:
                roles[n] = BL_ROLE_STOPPED;
                break;
            case BL_TASK_START:
                roles[n] = started;
                break;
            default:
                roles[n] = BL_ROLE_PROMOTED;
                break;
            }
        }
    }
}

/* RSC's role on each node once the transition's actions have all succeeded, in ROLES. */
static void
final_roles(const bl_sched_t *s, const bl_srsc_t *rsc, bl_role_t *roles)
{
    bl_role_t started = promotable_instance(rsc) ? BL_ROLE_UNPROMOTED : BL_ROLE_STARTED;
    bl_role_t current = rsc->role;

    if (current == BL_ROLE_STARTED || current <= BL_ROLE_STOPPED) {
        current = started;
    } else if (started == BL_ROLE_STARTED) {
        current = BL_ROLE_STARTED;
    }
    for (guint i = 0; i < rsc->running_on->len; i++) {
        roles[((bl_snode_t *) g_ptr_array_index(rsc->running_on, i))->index] = current;
    }
    apply_actions(rsc, roles, started);
    for (guint i = 0; i < rsc->pending_on->len; i++) {
        int n = ((bl_snode_t *) g_ptr_array_index(rsc->pending_on, i))->index;

        roles[n] = roles[n] > BL_ROLE_STOPPED ? roles[n] : started;
    }
    for (int n = 0; n < s->n_nodes; n++) {
        if (s->nodes[n]->unclean && bl__sched_can_fence_node(s, s->nodes[n])) {
            roles[n] = BL_ROLE_STOPPED; /* fenced: nothing runs there afterwards */
        }
    }
}

/* An unmanaged primitive left on a node that is down counts as active there, but not for
 * its group or clone (add_running). */
static bool
counts_for_parent(const bl_srsc_t *rsc, const bl_snode_t *node)
{
    return node->online || rsc->managed;
}

/* Whether RSC (or a member) is active after the transition where its parents see it. */
static bool
runs_after(const bl_sched_t *s, const bl_srsc_t *rsc)
{
    g_autofree bl_role_t *roles = NULL;

    if (rsc->kind != BL_RSC_PRIMITIVE) {
        for (guint i = 0; i < rsc->children->len; i++) {
            if (runs_after(s, g_ptr_array_index(rsc->children, i))) {
                return true;
            }
        }
        return false;
    }
    roles = bl_calloc((size_t) s->n_nodes + 1, sizeof(bl_role_t));
    final_roles(s, rsc, roles);
    for (int n = 0; n < s->n_nodes; n++) {
        if (roles[n] > BL_ROLE_STOPPED && counts_for_parent(rsc, s->nodes[n])) {
            return true;
        }
    }
    return false;
}

/*
 * Pacemaker reports a group or clone, and so its members, only where it counts as
 * running: a member left on a node that is down is reported there only if its group or
 * clone runs somewhere that counts, else (as crm_simulate shows it) it is stopped.
 */
static bool
reported_on(const bl_sched_t *s, const bl_srsc_t *rsc, const bl_snode_t *node)
{
    const bl_srsc_t *top = rsc;

    while (top->parent != NULL) {
        top = top->parent;
    }
    return top == rsc || counts_for_parent(rsc, node) || runs_after(s, top);
}

/* Where RSC runs once the transition's actions have all succeeded; true if anywhere. */
static bool
placement_of(const bl_sched_t *s, const bl_srsc_t *rsc, GPtrArray *lines)
{
    g_autofree bl_role_t *roles = bl_calloc((size_t) s->n_nodes + 1, sizeof(bl_role_t));
    bool any = false;

    final_roles(s, rsc, roles);
    for (int n = 0; n < s->n_nodes; n++) {
        if (roles[n] > BL_ROLE_STOPPED && reported_on(s, rsc, s->nodes[n])) {
            g_ptr_array_add(lines, bl_asprintf("%s %s %s", bl__sched_rsc_name(rsc),
                                               bl__sched_role_name(roles[n]), s->nodes[n]->uname));
            any = true;
        }
    }
    if (!any && !rsc->orphan && rsc->base_id == NULL) {
        g_ptr_array_add(lines, bl_asprintf("%s Stopped -", rsc->id));
    }
    return any;
}

/* A cloned primitive with no active instance is shown once as stopped. */
static void
stopped_clones(GHashTable *active, GPtrArray *lines)
{
    GHashTableIter iter;
    gpointer key, value;

    g_hash_table_iter_init(&iter, active);
    while (g_hash_table_iter_next(&iter, &key, &value)) {
        if (value == NULL) {
            g_ptr_array_add(lines, bl_asprintf("%s Stopped -", (const char *) key));
        }
    }
}

static void
scores_of(const bl_sched_t *s, const bl_srsc_t *rsc, GString *out)
{
    char buf[BL_SCORE_BUFSZ];

    if (rsc->kind != BL_RSC_PRIMITIVE) {
        for (guint i = 0; i < rsc->children->len; i++) {
            scores_of(s, g_ptr_array_index(rsc->children, i), out);
        }
        return;
    }
    for (int n = 0; n < s->n_nodes; n++) {
        int score = rsc->pre_scores != NULL ? rsc->pre_scores[n] : rsc->scores[n];

        if (!rsc->allowed[n] || !bl__sched_node_available(s->nodes[n])) {
            score = -INF;
        }
        g_string_append_printf(out, "%s %s %s\n", rsc->id, s->nodes[n]->uname,
                               bl_score_format(score, buf));
    }
}

/* A changed definition is reloaded where the resource keeps running without a restart. */
static void
reloads(const bl_srsc_t *rsc, GPtrArray *lines)
{
    for (guint i = 0; rsc->managed && i < rsc->reload_on->len; i++) {
        const bl_snode_t *node = g_ptr_array_index(rsc->reload_on, i);
        bool restarted = false;
        bool stays = false;

        for (guint a = 0; a < rsc->actions->len; a++) {
            const bl_action_t *action = g_ptr_array_index(rsc->actions, a);

            if (action->node == node && action->task == BL_TASK_STOP) {
                restarted = restarted || bl__sched_action_happens(action);
            }
        }
        stays = rsc->assigned == node;
        if (!restarted && stays) {
            g_ptr_array_add(lines,
                            bl_asprintf("reload %s %s", bl__sched_rsc_graph_id(rsc), node->uname));
        }
    }
}

/* Unclean nodes are fenced when fencing is possible. */
static void
fencing(const bl_sched_t *s, GPtrArray *lines)
{
    for (int n = 0; n < s->n_nodes; n++) {
        if (s->nodes[n]->unclean && bl__sched_can_fence_node(s, s->nodes[n])) {
            g_ptr_array_add(lines, bl_asprintf("fence %s %s", s->nodes[n]->uname, s->fence_action));
        }
    }
}

/* A node shutting down is shut down once every stop there can happen. */
/* Resources in maintenance (cluster-wide or their own) and nodes in maintenance are left
 * alone, so their stops never hold a shutdown back. */
static bool
in_maintenance(const bl_sched_t *s, const bl_action_t *action)
{
    return s->maintenance_mode || action->node->maintenance
           || bl__sched_true(g_hash_table_lookup(action->rsc->meta, "maintenance"));
}

static void
shutdowns(const bl_sched_t *s, GPtrArray *lines)
{
    for (int n = 0; n < s->n_nodes; n++) {
        const bl_snode_t *node = s->nodes[n];
        bool runnable = true;

        if (!node->online || !node->shutdown || node->unclean) {
            continue;
        }
        for (guint i = 0; i < s->actions->len && runnable; i++) {
            const bl_action_t *action = g_ptr_array_index(s->actions, i);

            if (action->node == node && action->task == BL_TASK_STOP
                && (action->rsc->managed || action->rsc->blocked) && !in_maintenance(s, action)
                && !(action->flags & BL_ACT_RUNNABLE)) {
                runnable = false;
            }
        }
        if (runnable) {
            g_ptr_array_add(lines, bl_asprintf("shutdown %s -", node->uname));
        }
    }
}

bl_sched_result_t *
bl__sched_result_build(const bl_sched_t *s)
{
    bl_sched_result_t *result = bl_calloc(1, sizeof(*result));
    g_autoptr(GHashTable) clone_active = g_hash_table_new(g_str_hash, g_str_equal);

    result->placement = g_ptr_array_new_with_free_func(free);
    result->actions = g_ptr_array_new_with_free_func(free);
    result->scores = g_string_new(NULL);
    for (guint i = 0; i < s->primitives->len; i++) {
        const bl_srsc_t *rsc = g_ptr_array_index(s->primitives, i);

        bool active = placement_of(s, rsc, result->placement);

        if (rsc->base_id != NULL
            && (active || !g_hash_table_contains(clone_active, rsc->base_id))) {
            g_hash_table_insert(clone_active, (gpointer) rsc->base_id,
                                active ? (gpointer) rsc : NULL);
        }
        for (guint a = 0; a < rsc->actions->len; a++) {
            const bl_action_t *action = g_ptr_array_index(rsc->actions, a);

            if (bl__sched_action_executes(action)) {
                g_ptr_array_add(result->actions,
                                bl_asprintf("%s %s %s", task_names[action->task],
                                            bl__sched_rsc_graph_id(rsc), action->node->uname));
            }
        }
        reloads(rsc, result->actions);
    }
    stopped_clones(clone_active, result->placement);
    shutdowns(s, result->actions);
    fencing(s, result->actions);
    for (guint i = 0; s->record_scores && s->assign_order != NULL && i < s->assign_order->len;
         i++) {
        scores_of(s, g_ptr_array_index(s->assign_order, i), result->scores);
    }
    sort_unique(result->placement);
    sort_unique(result->actions);
    return result;
}

void
bl_sched_result_free(bl_sched_result_t *result)
{
    if (result == NULL) {
        return;
    }
    g_ptr_array_free(result->placement, true);
    g_ptr_array_free(result->actions, true);
    g_string_free(result->scores, true);
    bl__sched_state_free(result->state);
    bl__sched_score_log_free(result->score_log);
    if (result->graph != NULL) {
        xmlFreeDoc(result->graph);
        g_hash_table_destroy(result->graph_digests);
    }
    free(result);
}

static char *
join_lines(const GPtrArray *lines)
{
    size_t total = 1;
    char *text;
    char *at;

    /* One allocation: growing a string line by line reallocated it thousands of times
     * on large CIBs. */
    for (guint i = 0; i < lines->len; i++) {
        total += strlen(g_ptr_array_index(lines, i)) + 1;
    }
    text = bl_malloc(total);
    at = text;
    for (guint i = 0; i < lines->len; i++) {
        const char *line = g_ptr_array_index(lines, i);
        size_t len = strlen(line);

        memcpy(at, line, len);
        at[len] = '\n';
        at += len + 1;
    }
    *at = '\0';
    return text;
}

char *
bl_sched_result_placement(const bl_sched_result_t *result)
{
    return join_lines(result->placement);
}

char *
bl_sched_result_actions(const bl_sched_result_t *result)
{
    return join_lines(result->actions);
}

char *
bl_sched_result_scores(const bl_sched_result_t *result)
{
    return bl_strdup(result->scores->str);
}
