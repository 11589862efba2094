/*
 * belay simulate: the cluster status for a person, before and after the transition.
 * The layout follows crm_simulate's (and crm_mon's) so that admins find what they grep
 * for: a node list (Online/OFFLINE, standby, maintenance, UNCLEAN), every resource with
 * its agent and state, groups with their members indented, then the failed operations.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "cli_simulate.h"

static gint
compare_names(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *) a, *(const char *const *) b);
}

/* "    * Online: [ a b ]" for the nodes in NAMES (sorted), nothing when there are none. */
static void
print_node_list(const char *indent, const char *label, GPtrArray *names)
{
    if (names->len == 0) {
        return;
    }
    g_ptr_array_sort(names, compare_names);
    printf("%s* %s: [", indent, label);
    for (guint i = 0; i < names->len; i++) {
        printf(" %s", (const char *) g_ptr_array_index(names, i));
    }
    printf(" ]\n");
}

static void
print_node_group(const char *label, GPtrArray *names)
{
    print_node_list("    ", label, names);
}

static gint
compare_nodes(gconstpointer a, gconstpointer b)
{
    return strcmp((*(const bl_sched_node_state_t *const *) a)->name,
                  (*(const bl_sched_node_state_t *const *) b)->name);
}

/* Does a resource run on NODE? (A standby node may still run resources.) */
static bool
hosts_resources(const bl_sched_state_t *state, const char *node)
{
    for (size_t i = 0; i < state->n_resources; i++) {
        for (size_t n = 0; state->resources[i].nodes[n] != NULL; n++) {
            if (strcmp(state->resources[i].nodes[n], node) == 0) {
                return true;
            }
        }
    }
    return false;
}

static void
print_nodes(const bl_sched_state_t *state)
{
    g_autoptr(GPtrArray) nodes = g_ptr_array_new();
    g_autoptr(GPtrArray) online = g_ptr_array_new();
    g_autoptr(GPtrArray) offline = g_ptr_array_new();

    printf("  * Node List:\n");
    for (size_t i = 0; i < state->n_nodes; i++) {
        g_ptr_array_add(nodes, (gpointer) &state->nodes[i]);
    }
    g_ptr_array_sort(nodes, compare_nodes);
    for (guint i = 0; i < nodes->len; i++) {
        const bl_sched_node_state_t *node = g_ptr_array_index(nodes, i);
        const char *active = hosts_resources(state, node->name) ? " (with active resources)" : "";

        if (node->unclean) {
            printf("    * Node %s: UNCLEAN (%s)\n", node->name,
                   node->online ? "online" : "offline");
        } else if (node->online && node->maintenance) {
            printf("    * Node %s: maintenance\n", node->name);
        } else if (node->online && node->standby) {
            printf("    * Node %s: standby%s\n", node->name, active);
        } else if (node->online && node->shutdown) {
            printf("    * Node %s: shutting down%s\n", node->name, active);
        } else {
            g_ptr_array_add(node->online ? online : offline, (gpointer) node->name);
        }
    }
    print_node_group("Online", online);
    print_node_group("OFFLINE", offline);
}

/* " (disabled, unmanaged)", " (blocked)", ... or nothing. */
static void
append_flags(GString *text, const bl_sched_rsc_state_t *rsc)
{
    const char *flags[4];
    size_t n = 0;

    if (rsc->disabled) {
        flags[n++] = "disabled";
    }
    if (rsc->blocked) {
        flags[n++] = "blocked";
    } else if (rsc->maintenance) {
        flags[n++] = "maintenance";
    } else if (!rsc->managed) {
        flags[n++] = "unmanaged";
    }
    for (size_t i = 0; i < n; i++) {
        g_string_append(text, i == 0 ? " (" : ", ");
        g_string_append(text, flags[i]);
    }
    g_string_append(text, n > 0 ? ")" : "");
}

/* "Started node1", "FAILED node1", "Started [ node1 node2 ]", "Stopped (disabled)" ... */
static char *
rsc_status(const bl_sched_rsc_state_t *rsc)
{
    GString *text = g_string_new(NULL);
    size_t count = 0;

    while (rsc->nodes[count] != NULL) {
        count++;
    }
    g_string_append(text, count == 0      ? "Stopped"
                          : rsc->failed   ? "FAILED"
                          : rsc->starting ? "Starting"
                                          : rsc->role);
    if (count > 1) {
        /* active on several nodes: "FAILED (blocked) [ node1 node2 ]" */
        append_flags(text, rsc);
        g_string_append(text, " [");
    }
    for (size_t i = 0; i < count; i++) {
        g_string_append_printf(text, " %s", rsc->nodes[i]);
    }
    if (count > 1) {
        g_string_append(text, " ]");
    } else {
        append_flags(text, rsc);
    }
    if (rsc->orphan) {
        g_string_prepend(text, "ORPHANED ");
    }
    return g_string_free(text, false);
}

static void
print_primitive(const bl_sched_rsc_state_t *rsc, const char *indent)
{
    g_autofree char *status = rsc_status(rsc);

    printf("%s* %s\t(%s):\t %s\n", indent, rsc->id, rsc->agent, status);
}

/* Is entry I an instance of CLONE that runs plainly on one node (all its members there,
 * none failed or unmanaged)? Those are summarized as "Started: [ node ]". */
static bool
plain_instance(const bl_sched_state_t *state, const bl_sched_rsc_state_t *clone, size_t i)
{
    const bl_sched_rsc_state_t *inst = &state->resources[i];

    if (inst->nodes[0] == NULL || inst->nodes[1] != NULL) {
        return false;
    }
    for (size_t j = i; j < state->n_resources; j++) {
        const bl_sched_rsc_state_t *r = &state->resources[j];

        if (j > i && (r->group == NULL || strcmp(r->group, inst->id) != 0)) {
            break; /* past the instance's members */
        }
        if (r->failed || r->starting || r->orphan || !r->managed || r->blocked) {
            return false;
        }
        if (!r->is_group && (r->nodes[0] == NULL || strcmp(r->nodes[0], inst->nodes[0]) != 0)) {
            return false; /* a member elsewhere or stopped */
        }
    }
    return !clone->unique;
}

/* Prints instance I of a clone in full (a group instance with its members); returns the
 * index after it. */
static size_t
print_instance(const bl_sched_state_t *state, size_t i, bool print)
{
    const bl_sched_rsc_state_t *inst = &state->resources[i];
    size_t j = i + 1;

    if (inst->is_group && print) {
        g_autoptr(GString) flags = g_string_new(NULL);

        append_flags(flags, inst);
        printf("      * Resource Group: %s%s:\n", inst->id, flags->str);
    } else if (print) {
        print_primitive(inst, "      ");
    }
    while (inst->is_group && j < state->n_resources && state->resources[j].group != NULL
           && strcmp(state->resources[j].group, inst->id) == 0) {
        if (print) {
            print_primitive(&state->resources[j], "        ");
        }
        j++;
    }
    return j;
}

/* NAMES gets each node of the cluster where no instance runs (in STATE's entries FROM..TO). */
static void
stopped_nodes(const bl_sched_state_t *state, size_t from, size_t to, GPtrArray *names)
{
    for (size_t n = 0; n < state->n_nodes; n++) {
        bool active = false;

        for (size_t i = from; i < to && !active; i++) {
            for (size_t k = 0; state->resources[i].nodes[k] != NULL && !active; k++) {
                active = strcmp(state->resources[i].nodes[k], state->nodes[n].name) == 0;
            }
        }
        if (!active) {
            g_ptr_array_add(names, (gpointer) state->nodes[n].name);
        }
    }
}

/* "Clone Set: X [rsc] (promotable):" with the instances that need a line of their own,
 * then Promoted/Unpromoted/Started/Stopped node lists, as crm_mon shows clones; returns
 * the index after the clone's entries. */
static size_t
print_clone(const bl_sched_state_t *state, size_t i)
{
    const bl_sched_rsc_state_t *clone = &state->resources[i];
    static const char *const roles[] = {"Promoted", "Unpromoted", "Started"};
    g_autoptr(GPtrArray) promoted = g_ptr_array_new();
    g_autoptr(GPtrArray) unpromoted = g_ptr_array_new();
    g_autoptr(GPtrArray) started = g_ptr_array_new();
    GPtrArray *lists[3] = {promoted, unpromoted, started};
    g_autoptr(GPtrArray) stopped = g_ptr_array_new();
    g_autoptr(GString) flags = g_string_new(NULL);
    size_t j = i + 1;
    size_t idle = 0;

    /* one parenthesis: " (promotable, unique, disabled)" */
    append_flags(flags, clone);
    if (clone->promotable || clone->unique) {
        g_autoptr(GString) kind = g_string_new(" (");

        g_string_append(kind, clone->promotable ? "promotable" : "unique");
        g_string_append(kind, clone->promotable && clone->unique ? ", unique" : "");
        g_string_append(kind, flags->len > 0 ? ", " : ")");
        g_string_erase(flags, 0, flags->len > 0 ? 2 : 0);
        g_string_prepend(flags, kind->str);
    }
    printf("    * Clone Set: %s [%s]%s:\n", clone->id, clone->cloned, flags->str);
    while (j < state->n_resources && state->resources[j].clone != NULL
           && strcmp(state->resources[j].clone, clone->id) == 0) {
        const bl_sched_rsc_state_t *inst = &state->resources[j];
        bool plain = plain_instance(state, clone, j);

        /* the configured instances (clone-max) that do not run */
        idle += inst->nodes[0] == NULL && !inst->orphan;

        if (plain) {
            for (int r = 0; r < 3; r++) {
                if (strcmp(inst->role, roles[r]) == 0
                    && !g_ptr_array_find_with_equal_func(lists[r], inst->nodes[0], g_str_equal,
                                                         NULL)) {
                    g_ptr_array_add(lists[r], (gpointer) inst->nodes[0]);
                }
            }
        }
        j = print_instance(state, j, !plain && (clone->unique || inst->nodes[0] != NULL));
    }
    for (int r = 0; r < 3; r++) {
        print_node_list("      ", roles[r], lists[r]);
    }
    if (!clone->unique && idle > 0) {
        stopped_nodes(state, i + 1, j, stopped);
        print_node_list("      ", clone->disabled ? "Stopped (disabled)" : "Stopped", stopped);
    }
    return j;
}

static void
print_resources(const bl_sched_state_t *state)
{
    printf("\n  * Full List of Resources:\n");
    if (state->n_resources == 0) {
        printf("    * No resources\n");
    }
    for (size_t i = 0; i < state->n_resources; i++) {
        const bl_sched_rsc_state_t *rsc = &state->resources[i];
        g_autofree char *status = NULL;

        if (rsc->is_clone) {
            i = print_clone(state, i) - 1;
            continue;
        }
        if (rsc->is_group) {
            g_autoptr(GString) flags = g_string_new(NULL);

            append_flags(flags, rsc);
            printf("    * Resource Group: %s%s:\n", rsc->id, flags->str);
            continue;
        }
        if (rsc->orphan && rsc->nodes[0] == NULL) {
            continue; /* history of a removed resource that runs nowhere */
        }
        status = rsc_status(rsc);
        printf("%s* %s\t(%s):\t %s\n", rsc->group != NULL ? "      " : "    ", rsc->id, rsc->agent,
               status);
    }
}

static const char *
rc_name(int rc)
{
    static const char *const names[] = {
        "ok",
        "error",
        "invalid parameter",
        "unimplemented feature",
        "insufficient privileges",
        "not installed",
        "not configured",
        "not running",
        "promoted",
        "failed (promoted)",
    };

    if (rc >= 0 && rc < (int) G_N_ELEMENTS(names)) {
        return names[rc];
    }
    return rc == 190 ? "degraded" : rc == 191 ? "degraded (promoted)" : "unknown";
}

/* The executor's status when it is not "done": why no exit code counts. */
static const char *
status_name(int status)
{
    switch (status) {
    case 2:
        return "timed out";
    case 3:
        return "not supported";
    case 4:
    case 5:
    case 6:
        return "failed";
    case 7:
        return "agent not installed";
    default:
        return "error";
    }
}

static void
print_failures(const bl_sched_state_t *state)
{
    if (state->n_failures == 0) {
        return;
    }
    printf("\n  * Failed Resource Actions:\n");
    for (size_t i = 0; i < state->n_failures; i++) {
        const bl_sched_failure_t *f = &state->failures[i];
        char interval[48] = "";

        if (f->interval_ms > 0) {
            snprintf(interval, sizeof(interval), " (every %" PRIu64 " ms)", f->interval_ms);
        }
        if (f->status != 0) {
            printf("    * %s %s%s on %s: %s (rc %d: %s)\n", f->rsc, f->task, interval, f->node,
                   status_name(f->status), f->rc, rc_name(f->rc));
        } else {
            printf("    * %s %s%s on %s: rc %d: %s\n", f->rsc, f->task, interval, f->node, f->rc,
                   rc_name(f->rc));
        }
    }
}

void
bl_cli_simulate_print_state(const char *title, const bl_sched_state_t *state)
{
    printf("%s:\n", title);
    print_nodes(state);
    print_resources(state);
    print_failures(state);
}
