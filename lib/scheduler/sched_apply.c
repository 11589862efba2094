/*
 * Writing into a CIB's status section what crm_simulate writes: the results of a
 * transition's operations (each assumed to succeed) so that the output can be scheduled
 * again, and events injected before a run (a node coming up or going down, an operation
 * result such as a failed monitor). Callers pass a copy when the original must stay.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "sched_private.h"

#define SIMULATED_UUID "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx"

static xmlNode *
status_section(xmlDoc *cib)
{
    xmlNode *root = xmlDocGetRootElement(cib);
    xmlNode *status = bl_xml_first_child(root, "status");

    return status != NULL ? status : bl_xml_add_child(root, "status");
}

/* The <node> of the configuration named NAME (uname or id), or NULL. */
static const xmlNode *
configured_node(xmlDoc *cib, const char *name)
{
    xmlNode *config = bl_xml_first_child(xmlDocGetRootElement(cib), "configuration");
    xmlNode *nodes = bl_xml_first_child(config, "nodes");

    for (xmlNode *node = bl_xml_first_child(nodes, "node"); node != NULL;
         node = bl_xml_next(node, "node")) {
        const char *uname = bl_xml_attr(node, "uname");
        const char *id = bl_xml_attr(node, "id");

        if ((uname != NULL && strcmp(uname, name) == 0) || (id != NULL && strcmp(id, name) == 0)) {
            return node;
        }
    }
    return NULL;
}

/* NODE's node_state (matched by id, else uname), created when there is none. */
static xmlNode *
node_state(xmlDoc *cib, const char *id, const char *uname)
{
    xmlNode *status = status_section(cib);
    xmlNode *state;

    for (state = bl_xml_first_child(status, "node_state"); state != NULL;
         state = bl_xml_next(state, "node_state")) {
        const char *state_id = bl_xml_attr(state, "id");
        const char *state_uname = bl_xml_attr(state, "uname");

        if ((state_id != NULL && strcmp(state_id, id) == 0)
            || (state_id == NULL && state_uname != NULL && strcmp(state_uname, uname) == 0)) {
            return state;
        }
    }
    state = bl_xml_add_child(status, "node_state");
    bl_xml_set_attr(state, "id", id);
    bl_xml_set_attr(state, "uname", uname);
    return state;
}

static void
set_membership(xmlNode *state, bool up)
{
    bl_xml_set_attr(state, "in_ccm", up ? "true" : "false");
    bl_xml_set_attr(state, "crmd", up ? "online" : "offline");
    bl_xml_set_attr(state, "join", up ? "member" : "down");
    bl_xml_set_attr(state, "expected", up ? "member" : "down");
}

/* The first NAME child of PARENT (whatever its id: older CIBs use other ids), or a new one. */
static xmlNode *
child_or_new(xmlNode *parent, const char *name, const char *id)
{
    xmlNode *child = bl_xml_first_child(parent, name);

    if (child == NULL) {
        child = bl_xml_add_child(parent, name);
        bl_xml_set_attr(child, "id", id);
    }
    return child;
}

/*
 * The lrm_resource elements of each node_state by id, built on first use: a transition
 * records thousands of results, and a scan of the node's histories per result made
 * applying them quadratic. The first element of an id wins, as in a scan.
 */
typedef struct histories {
    xmlNode *list;     /* the lrm_resources element indexed */
    GHashTable *by_id; /* id (owned) -> lrm_resource */
    bool repeated;     /* some id is there twice: a removal needs a new scan */
} histories_t;

static void
histories_free(gpointer data)
{
    histories_t *h = data;

    g_hash_table_destroy(h->by_id);
    g_free(h);
}

/* An empty index: node_state -> histories_t. */
static GHashTable *
histories_index_new(void)
{
    return g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, histories_free);
}

static histories_t *
histories_of(GHashTable *index, xmlNode *state, xmlNode *list)
{
    histories_t *h = g_hash_table_lookup(index, state);

    if (h != NULL && h->list == list) {
        return h;
    }
    h = g_new0(histories_t, 1);
    h->list = list;
    h->by_id = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    for (xmlNode *child = bl_xml_first_child(list, "lrm_resource"); child != NULL;
         child = bl_xml_next(child, "lrm_resource")) {
        const char *id = bl_xml_attr(child, "id");

        if (id != NULL && g_hash_table_contains(h->by_id, id)) {
            h->repeated = true;
        } else if (id != NULL) {
            g_hash_table_insert(h->by_id, g_strdup(id), child);
        }
    }
    g_hash_table_insert(index, state, h);
    return h;
}

/* Removes HISTORY, an lrm_resource of STATE, from the document and from INDEX. */
static void
history_remove(GHashTable *index, xmlNode *state, xmlNode *history)
{
    histories_t *h = g_hash_table_lookup(index, state);
    const char *id = bl_xml_attr(history, "id");

    if (h != NULL && h->repeated) {
        g_hash_table_remove(index, state);
    } else if (h != NULL && id != NULL && g_hash_table_lookup(h->by_id, id) == history) {
        g_hash_table_remove(h->by_id, id);
    }
    bl_xml_remove(history);
}

/*
 * The lrm_resource recording RSC's operations in STATE, created with the agent's
 * class/provider/type when there is none. An anonymous clone instance (AGENT has a
 * long-id) keeps a history recorded under its instance id; otherwise, as the controller
 * and crm_simulate do, it is recorded under the configured id.
 */
static xmlNode *
lrm_resource(GHashTable *index, xmlNode *state, const char *rsc, const xmlNode *agent)
{
    xmlNode *lrm = child_or_new(state, "lrm", bl_xml_attr(state, "id"));
    xmlNode *list = child_or_new(lrm, "lrm_resources", NULL);
    histories_t *h = histories_of(index, state, list);
    const char *long_id = bl_xml_attr(agent, "long-id");
    xmlNode *history = long_id != NULL ? g_hash_table_lookup(h->by_id, long_id) : NULL;
    const char *names[] = {"class", "provider", "type"};

    if (history == NULL) {
        history = g_hash_table_lookup(h->by_id, rsc);
    }
    if (history == NULL) {
        history = bl_xml_add_child(list, "lrm_resource");
        bl_xml_set_attr(history, "id", rsc);
        for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
            bl_xml_set_attr(history, names[i], bl_xml_attr(agent, names[i]));
        }
        g_hash_table_insert(h->by_id, g_strdup(rsc), history);
    }
    return history;
}

/* What applying a transition's results works on: the CIB and its indexes. */
typedef struct apply {
    xmlDoc *cib;
    GHashTable *histories; /* node_state -> histories_t */
    GHashTable *states;    /* "ID UNAME" -> node_state, as node_state() finds it */
} apply_t;

/* node_state() once per node: node_states are only ever added while results are applied,
 * so the one found for a node stays the one to find. */
static xmlNode *
cached_state(apply_t *a, const char *id, const char *uname)
{
    g_autofree char *key = g_strdup_printf("%s %s", id, uname);
    xmlNode *state = g_hash_table_lookup(a->states, key);

    if (state == NULL) {
        state = node_state(a->cib, id, uname);
        g_hash_table_insert(a->states, g_steal_pointer(&key), state);
    }
    return state;
}

static int
next_call_id(xmlDoc *cib)
{
    int max = 0;
    xmlNode *status = status_section(cib);

    for (xmlNode *ns = bl_xml_first_child(status, "node_state"); ns != NULL;
         ns = bl_xml_next(ns, "node_state")) {
        xmlNode *list = bl_xml_first_child(bl_xml_first_child(ns, "lrm"), "lrm_resources");

        for (xmlNode *r = bl_xml_first_child(list, "lrm_resource"); r != NULL;
             r = bl_xml_next(r, "lrm_resource")) {
            for (xmlNode *op = bl_xml_first_child(r, "lrm_rsc_op"); op != NULL;
                 op = bl_xml_next(op, "lrm_rsc_op")) {
                const char *call = bl_xml_attr(op, "call-id");
                int value = call != NULL ? atoi(call) : 0;

                max = value > max ? value : max;
            }
        }
    }
    return max + 1;
}

/* One operation's result, as the controller records it. */
typedef struct op_result {
    const char *rsc;
    const char *task;
    uint64_t interval_ms;
    int rc;
    int target_rc;
    int call_id;
    int action_id;
    int64_t now;
    const char *digest;         /* NULL: unknown */
    const char *migrate_source; /* migrate_to/migrate_from only */
    const char *migrate_target;
    const char *record_id; /* a notification's own record (its operation key), else NULL */
} op_result_t;

/* A completed operation supersedes the record of the same operation still in progress;
 * a completed start or stop supersedes any start or stop still in progress. */
static void
drop_pending(xmlNode *history, const op_result_t *r)
{
    xmlNode *op = bl_xml_first_child(history, "lrm_rsc_op");

    while (op != NULL) {
        xmlNode *next = bl_xml_next(op, "lrm_rsc_op");
        const char *task = bl_xml_attr(op, "operation");
        const char *status = bl_xml_attr(op, "op-status");
        const char *interval = bl_xml_attr(op, "interval");
        uint64_t interval_ms = interval != NULL ? strtoull(interval, NULL, 10) : 0;

        bool same = task != NULL && interval_ms == r->interval_ms
                    && (strcmp(task, r->task) == 0 || r->interval_ms == 0);

        if (same && status != NULL && strcmp(status, "-1") == 0) {
            bl_xml_remove(op);
        }
        op = next;
    }
}

static void
record_op(xmlNode *history, const op_result_t *r)
{
    bool probe = strcmp(r->task, "monitor") == 0 && r->interval_ms == 0;
    bool failed = r->rc != r->target_rc && !(probe && (r->rc == 0 || r->rc == 7 || r->rc == 8));
    g_autofree char *key = g_strdup_printf("%s_%s_%" PRIu64, r->rsc, r->task, r->interval_ms);
    bool migration = r->migrate_source != NULL && r->migrate_target != NULL;
    /* migrations keep their own records next to the last operation's */
    g_autofree char *id = r->record_id != NULL              ? g_strdup(r->record_id)
                          : r->interval_ms > 0 || migration ? g_strdup(key)
                          : failed ? g_strdup_printf("%s_last_failure_0", r->rsc)
                                   : g_strdup_printf("%s_last_0", r->rsc);
    g_autofree char *tkey =
        g_strdup_printf("%d:-1:%d:%s", r->action_id, r->target_rc, SIMULATED_UUID);
    g_autofree char *magic = g_strdup_printf("0:%d;%s", r->rc, tkey);
    g_autofree char *call = g_strdup_printf("%d", r->call_id);
    g_autofree char *rc = g_strdup_printf("%d", r->rc);
    g_autofree char *interval = g_strdup_printf("%" PRIu64, r->interval_ms);
    g_autofree char *when = g_strdup_printf("%" PRId64, r->now);
    xmlNode *previous;
    xmlNode *op;

    if (r->record_id == NULL) {
        drop_pending(history, r);
    }
    /* A new record, so that no attribute of the previous one (a digest) survives, but in
     * the previous one's place: crm_simulate updates a record where it is, and the
     * scheduler's sort of pending and simulated records keeps document order for ties. */
    previous = bl_xml_child_by_id(history, "lrm_rsc_op", id);
    op = bl_xml_add_child(history, "lrm_rsc_op");
    if (previous != NULL) {
        xmlAddPrevSibling(previous, op);
        bl_xml_remove(previous);
    }
    bl_xml_set_attr(op, "id", id);
    bl_xml_set_attr(op, "operation_key", key);
    bl_xml_set_attr(op, "operation", r->task);
    bl_xml_set_attr(op, "crm-debug-origin", "belay-simulate");
    bl_xml_set_attr(op, "transition-key", tkey);
    bl_xml_set_attr(op, "transition-magic", magic);
    bl_xml_set_attr(op, "call-id", call);
    bl_xml_set_attr(op, "rc-code", rc);
    bl_xml_set_attr(op, "op-status", "0");
    bl_xml_set_attr(op, "interval", interval);
    bl_xml_set_attr(op, "last-rc-change", when);
    if (migration) {
        bl_xml_set_attr(op, "migrate_source", r->migrate_source);
        bl_xml_set_attr(op, "migrate_target", r->migrate_target);
    }
    bl_xml_set_attr(op, "exec-time", "0");
    bl_xml_set_attr(op, "queue-time", "0");
    bl_xml_set_attr(op, "op-digest", r->digest);
}

/* --------------------------------------------------------- a transition's results */

static int
int_attr(const xmlNode *xml, const char *name, int fallback)
{
    const char *value = bl_xml_attr(xml, name);

    return value != NULL ? atoi(value) : fallback;
}

/* A cancelled recurring operation no longer runs: the controller deletes its record. */
static void
forget_recurring(xmlNode *history, const char *task, uint64_t interval_ms)
{
    xmlNode *op = bl_xml_first_child(history, "lrm_rsc_op");

    while (op != NULL && task != NULL) {
        xmlNode *next = bl_xml_next(op, "lrm_rsc_op");
        const char *op_task = bl_xml_attr(op, "operation");
        const char *interval = bl_xml_attr(op, "interval");

        if (op_task != NULL && strcmp(op_task, task) == 0 && interval != NULL
            && strtoull(interval, NULL, 10) == interval_ms) {
            bl_xml_remove(op);
        }
        op = next;
    }
}

/*
 * A reprobe: the request is consumed. The simulated probes find every resource as the
 * history says, so the history stays (a controller would replace it with their results).
 */
static void
reprobe(xmlDoc *cib, const xmlNode *op)
{
    xmlNode *state = node_state(cib, bl_xml_attr(op, "on_node_uuid"), bl_xml_attr(op, "on_node"));
    xmlNode *transient = bl_xml_first_child(state, "transient_attributes");

    for (xmlNode *set = bl_xml_first_child(transient, "instance_attributes"); set != NULL;
         set = bl_xml_next(set, "instance_attributes")) {
        xmlNode *nv = bl_xml_first_child(set, "nvpair");

        while (nv != NULL) {
            xmlNode *next = bl_xml_next(nv, "nvpair");
            const char *name = bl_xml_attr(nv, "name");

            if (name != NULL && strcmp(name, "probe_complete") == 0) {
                bl_xml_remove(nv);
            }
            nv = next;
        }
    }
}

static void
apply_rsc_op(const bl_sched_result_t *result, apply_t *a, const xmlNode *op, int call_id)
{
    const xmlNode *primitive = bl_xml_first_child(op, "primitive");
    const xmlNode *attrs = bl_xml_first_child(op, "attributes");
    const char *interval = bl_xml_attr(attrs, "CRM_meta_interval");
    xmlNode *state = cached_state(a, bl_xml_attr(op, "on_node_uuid"), bl_xml_attr(op, "on_node"));
    op_result_t r = {
        .rsc = bl_xml_attr(primitive, "id"),
        .task = bl_xml_attr(op, "operation"),
        .interval_ms = interval != NULL ? strtoull(interval, NULL, 10) : 0,
        .target_rc = int_attr(attrs, "CRM_meta_op_target_rc", 0),
        .call_id = call_id,
        .action_id = int_attr(op, "id", 0),
        .now = result->now,
        .digest = g_hash_table_lookup(result->graph_digests, bl_xml_attr(op, "id")),
        .migrate_source = bl_xml_attr(attrs, "CRM_meta_migrate_source"),
        .migrate_target = bl_xml_attr(attrs, "CRM_meta_migrate_target"),
    };

    /* notifications are recorded beside the operation they are about, as crm_simulate
     * does (the scheduler ignores them) */
    if (strcmp(r.task, "notify") == 0) {
        r.record_id = bl_xml_attr(op, "operation_key");
    }

    r.rc = r.target_rc;
    if (strcmp(r.task, "delete") == 0) {
        /* the controller forgets the resource's history on the node */
        history_remove(a->histories, state, lrm_resource(a->histories, state, r.rsc, primitive));
        return;
    }
    if (strcmp(r.task, "cancel") == 0) {
        forget_recurring(lrm_resource(a->histories, state, r.rsc, primitive),
                         bl_xml_attr(attrs, "CRM_meta_operation"), r.interval_ms);
        return;
    }
    if (strcmp(r.task, "reload-agent") == 0) {
        /* the agent now runs with today's parameters, as after a start */
        r.task = "start";
    }
    record_op(lrm_resource(a->histories, state, r.rsc, primitive), &r);
}

/* Removes RSC's fail-count-* and last-failure-* attributes from STATE. */
static void
clear_failcounts(xmlNode *state, const char *rsc)
{
    xmlNode *transient = bl_xml_first_child(state, "transient_attributes");
    g_autofree char *count = g_strdup_printf("fail-count-%s", rsc);
    g_autofree char *last = g_strdup_printf("last-failure-%s", rsc);

    for (xmlNode *set = bl_xml_first_child(transient, "instance_attributes"); set != NULL;
         set = bl_xml_next(set, "instance_attributes")) {
        xmlNode *nv = bl_xml_first_child(set, "nvpair");

        while (nv != NULL) {
            xmlNode *next = bl_xml_next(nv, "nvpair");
            const char *name = bl_xml_attr(nv, "name");
            const char *rest = name == NULL                    ? NULL
                               : g_str_has_prefix(name, count) ? name + strlen(count)
                               : g_str_has_prefix(name, last)  ? name + strlen(last)
                                                               : NULL;

            if (rest != NULL && (*rest == '\0' || *rest == '#')) {
                bl_xml_remove(nv);
            }
            nv = next;
        }
    }
}

/* The controller clearing RSC's failures also deletes the record of its last failure on
 * the node (else that record would ask for the same clearing again). Like the controller,
 * it looks under RSC's configured id only. */
static void
forget_last_failure(xmlNode *state, const char *rsc)
{
    xmlNode *list = bl_xml_first_child(bl_xml_first_child(state, "lrm"), "lrm_resources");
    xmlNode *history = rsc != NULL ? bl_xml_child_by_id(list, "lrm_resource", rsc) : NULL;
    g_autofree char *id = g_strdup_printf("%s_last_failure_0", rsc);

    if (history != NULL) {
        bl_xml_remove(bl_xml_child_by_id(history, "lrm_rsc_op", id));
    }
}

/* A fenced node is down and has forgotten everything it ran; a shut down node is down;
 * cleared failures are gone. */
static void
apply_crm_event(apply_t *a, const xmlNode *event)
{
    const char *task = bl_xml_attr(event, "operation");
    xmlNode *state =
        cached_state(a, bl_xml_attr(event, "on_node_uuid"), bl_xml_attr(event, "on_node"));

    if (task != NULL && strcmp(task, "clear_failcount") == 0) {
        clear_failcounts(state, bl_xml_attr(bl_xml_first_child(event, "primitive"), "id"));
        forget_last_failure(state, bl_xml_attr(bl_xml_first_child(event, "primitive"), "id"));
        return;
    }
    set_membership(state, false);
    if (task != NULL && strcmp(task, "stonith") == 0) {
        g_hash_table_remove(a->histories, state);
        bl_xml_remove(bl_xml_first_child(state, "lrm"));
        bl_xml_remove(bl_xml_first_child(state, "transient_attributes"));
    }
}

/* Synapses in an order where each comes after its inputs, so call ids follow execution. */
static void
execution_order(const xmlNode *graph, GPtrArray *order)
{
    g_autoptr(GHashTable) done = g_hash_table_new(g_str_hash, g_str_equal);
    bool progress = true;

    while (progress) {
        progress = false;
        for (xmlNode *syn = bl_xml_first_child(graph, "synapse"); syn != NULL;
             syn = bl_xml_next(syn, "synapse")) {
            xmlNode *action = xmlFirstElementChild(bl_xml_first_child(syn, "action_set"));
            xmlNode *inputs = bl_xml_first_child(syn, "inputs");
            bool ready = !g_hash_table_contains(done, bl_xml_attr(action, "id"));

            for (xmlNode *t = bl_xml_first_child(inputs, "trigger"); ready && t != NULL;
                 t = bl_xml_next(t, "trigger")) {
                ready = g_hash_table_contains(done, bl_xml_attr(xmlFirstElementChild(t), "id"));
            }
            if (ready) {
                g_hash_table_add(done, (gpointer) bl_xml_attr(action, "id"));
                g_ptr_array_add(order, action);
                progress = true;
            }
        }
    }
}

int
bl_sched_result_apply(const bl_sched_result_t *result, xmlDoc *cib, char **err)
{
    g_autoptr(GPtrArray) order = g_ptr_array_new();
    g_autoptr(GHashTable) histories = histories_index_new();
    g_autoptr(GHashTable) states = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    apply_t a = {.cib = cib, .histories = histories, .states = states};
    int call_id;

    if (result->graph == NULL) {
        bl_err_set(err, "the run did not build a transition graph (options.graph)");
        return BL_EINVALID;
    }
    call_id = next_call_id(cib);
    execution_order(xmlDocGetRootElement(result->graph), order);
    for (guint i = 0; i < order->len; i++) {
        const xmlNode *action = g_ptr_array_index(order, i);

        const char *task = bl_xml_attr(action, "operation");

        if (bl_xml_is(action, "rsc_op") && task != NULL && strcmp(task, "probe_again") == 0) {
            reprobe(cib, action);
        } else if (bl_xml_is(action, "rsc_op")) {
            apply_rsc_op(result, &a, action, call_id++);
        } else if (bl_xml_is(action, "crm_event")) {
            apply_crm_event(&a, action);
        }
    }
    return 0;
}

/* ----------------------------------------------------------------- injections */

int
bl_sched_inject_node(xmlDoc *cib, const char *node, bool up, char **err)
{
    const xmlNode *config = configured_node(cib, node);

    if (config == NULL) {
        bl_err_set(err, "node '%s': no such node in the configuration", node);
        return BL_ENOTFOUND;
    }
    set_membership(node_state(cib, bl_xml_attr(config, "id"), bl_xml_attr(config, "uname")), up);
    return 0;
}

/* Tasks whose names hold '_' (the operation key is RSC_TASK_INTERVAL). */
static const char *const tasks[] = {
    "migrate_to", "migrate_from", "monitor",      "start",  "stop",      "promote",
    "demote",     "notify",       "reload-agent", "reload", "meta-data", "validate-all",
};

typedef struct op_spec {
    char *rsc;
    const char *task;
    uint64_t interval_ms;
    char *node;
    int rc;
} op_spec_t;

static bool
parse_number(const char *text, long long max, long long *value)
{
    char *end = NULL;

    if (text[0] < '0' || text[0] > '9') {
        return false;
    }
    *value = strtoll(text, &end, 10);
    return *end == '\0' && *value <= max;
}

/* "RSC_TASK_INTERVAL" -> rsc, task, interval; false when it is not one. */
static bool
parse_key(char *key, op_spec_t *spec)
{
    char *last = strrchr(key, '_');
    long long interval;

    if (last == NULL || !parse_number(last + 1, INT64_MAX, &interval)) {
        return false;
    }
    *last = '\0';
    spec->interval_ms = (uint64_t) interval;
    for (size_t i = 0; i < G_N_ELEMENTS(tasks); i++) {
        size_t len = strlen(tasks[i]);
        size_t key_len = strlen(key);

        if (key_len > len + 1 && key[key_len - len - 1] == '_'
            && strcmp(key + key_len - len, tasks[i]) == 0) {
            spec->task = tasks[i];
            spec->rsc = g_strndup(key, key_len - len - 1);
            return true;
        }
    }
    return false;
}

static int
parse_op_spec(const char *text, op_spec_t *spec, char **err)
{
    g_autofree char *copy = g_strdup(text);
    char *at = strrchr(copy, '@');
    char *eq = at != NULL ? strchr(at, '=') : NULL;
    long long rc;

    if (at == NULL || eq == NULL || eq == at + 1) {
        bl_err_set(err, "'%s': expected RSC_TASK_INTERVAL@NODE=RC, e.g. web_monitor_10000@node1=7",
                   text);
        return BL_EPARSE;
    }
    *at = '\0';
    *eq = '\0';
    if (!parse_number(eq + 1, 255, &rc)) {
        bl_err_set(err, "'%s': the result '%s' is not an exit code (0-255)", text, eq + 1);
        return BL_EPARSE;
    }
    if (!parse_key(copy, spec)) {
        bl_err_set(err, "'%s': '%s' is not an operation key RSC_TASK_INTERVAL (interval in ms)",
                   text, copy);
        return BL_EPARSE;
    }
    spec->node = g_strdup(at + 1);
    spec->rc = (int) rc;
    return 0;
}

static const xmlNode *
configured_primitive(xmlDoc *cib, const char *id)
{
    xmlNode *config = bl_xml_first_child(xmlDocGetRootElement(cib), "configuration");
    xmlNode *found = bl_xml_find_id(bl_xml_first_child(config, "resources"), id);

    return found != NULL && bl_xml_is(found, "primitive") ? found : NULL;
}

/* Adds one to the transient attribute NAME of STATE (as the attribute manager would). */
static void
transient_attr(xmlNode *state, const char *name, const char *value, bool increment)
{
    xmlNode *transient = child_or_new(state, "transient_attributes", bl_xml_attr(state, "id"));
    g_autofree char *set_id = g_strdup_printf("status-%s", bl_xml_attr(state, "id"));
    xmlNode *set = child_or_new(transient, "instance_attributes", set_id);
    g_autofree char *nv_id = g_strdup_printf("status-%s-%s", bl_xml_attr(state, "id"), name);
    xmlNode *nv = NULL;
    g_autofree char *count = NULL;

    for (xmlNode *n = bl_xml_first_child(set, "nvpair"); n != NULL && nv == NULL;
         n = bl_xml_next(n, "nvpair")) {
        const char *n_name = bl_xml_attr(n, "name");

        nv = n_name != NULL && strcmp(n_name, name) == 0 ? n : NULL;
    }
    if (nv == NULL) {
        nv = bl_xml_add_child(set, "nvpair");
        bl_xml_set_attr(nv, "id", nv_id);
        bl_xml_set_attr(nv, "name", name);
    }
    if (increment) {
        const char *old = bl_xml_attr(nv, "value");

        count = g_strdup_printf("%d", (old != NULL ? atoi(old) : 0) + 1);
        value = count;
    }
    bl_xml_set_attr(nv, "value", value);
}

static void
inject_failcount(xmlNode *state, const op_spec_t *spec, int64_t now)
{
    g_autofree char *suffix =
        g_strdup_printf("%s#%s_%" PRIu64, spec->rsc, spec->task, spec->interval_ms);
    g_autofree char *fail_count = g_strdup_printf("fail-count-%s", suffix);
    g_autofree char *last_failure = g_strdup_printf("last-failure-%s", suffix);
    g_autofree char *when = g_strdup_printf("%" PRId64, now);

    transient_attr(state, fail_count, NULL, true);
    transient_attr(state, last_failure, when, false);
}

/*
 * The op-digest the controller would record with SPEC's operation: the agent ran with
 * today's parameters. NULL when the configuration cannot be unpacked (then the result
 * carries no digest, which a later run reads as a definition change).
 */
static char *
injected_digest(const xmlDoc *cib, const op_spec_t *spec, int64_t now)
{
    bl_sched_options_t options = {.now = now};
    bl_sched_t s;
    char *digest = NULL;
    const bl_srsc_t *rsc;
    const xmlNode *config;

    bl__sched_init(&s, cib, &options, NULL);
    if (bl__sched_unpack_config(&s) == 0 && bl__sched_unpack_nodes(&s) == 0
        && bl__sched_unpack_resources(&s) == 0
        && (rsc = bl__sched_rsc_find(&s, spec->rsc)) != NULL) {
        config = bl__sched_op_config(rsc, spec->task, spec->interval_ms);
        if (spec->interval_ms == 0) {
            digest = bl__sched_params_digest(&s, rsc, config, NULL);
        } else {
            const char *timeout =
                bl__sched_op_meta(&s, rsc, spec->task, spec->interval_ms, "timeout");
            uint64_t timeout_ms = 20000;

            if (timeout != NULL && bl_duration_parse_ms(timeout, &timeout_ms, NULL) != 0) {
                timeout_ms = 20000;
            }
            digest = bl__sched_recurring_digest(&s, rsc, config, timeout_ms);
        }
    }
    bl__sched_free(&s);
    return digest;
}

int
bl_sched_inject_op(xmlDoc *cib, const char *spec_text, int64_t now, char **err)
{
    op_spec_t spec = {0};
    g_autoptr(GHashTable) index = histories_index_new();
    g_autofree char *digest = NULL;
    const xmlNode *node;
    const xmlNode *primitive;
    xmlNode *state;
    int rc = parse_op_spec(spec_text, &spec, err);
    bool probe;

    if (rc != 0) {
        goto done;
    }
    node = configured_node(cib, spec.node);
    primitive = configured_primitive(cib, spec.rsc);
    if (node == NULL || primitive == NULL) {
        bl_err_set(err, "'%s': no %s '%s' in the configuration", spec_text,
                   node == NULL ? "node" : "primitive", node == NULL ? spec.node : spec.rsc);
        rc = BL_ENOTFOUND;
        goto done;
    }
    probe = strcmp(spec.task, "monitor") == 0 && spec.interval_ms == 0;
    digest = injected_digest(cib, &spec, now);
    state = node_state(cib, bl_xml_attr(node, "id"), bl_xml_attr(node, "uname"));
    record_op(lrm_resource(index, state, spec.rsc, primitive),
              &(op_result_t){.rsc = spec.rsc,
                             .task = spec.task,
                             .interval_ms = spec.interval_ms,
                             .rc = spec.rc,
                             .target_rc = probe ? 7 : 0,
                             .call_id = next_call_id(cib),
                             .now = now,
                             .digest = digest});
    if (spec.rc != 0 && !(probe && spec.rc == 7)) {
        inject_failcount(state, &spec, now);
    }
done:
    g_free(spec.rsc);
    g_free(spec.node);
    return rc;
}
