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
print_node_group(const char *label, GPtrArray *names)
{
    if (names->len == 0) {
        return;
    }
    g_ptr_array_sort(names, compare_names);
    printf("    * %s: [", label);
    for (guint i = 0; i < names->len; i++) {
        printf(" %s", (const char *) g_ptr_array_index(names, i));
    }
    printf(" ]\n");
}

static void
print_nodes(const bl_sched_state_t *state)
{
    g_autoptr(GPtrArray) online = g_ptr_array_new();
    g_autoptr(GPtrArray) offline = g_ptr_array_new();

    printf("  * Node List:\n");
    for (size_t i = 0; i < state->n_nodes; i++) {
        const bl_sched_node_state_t *node = &state->nodes[i];

        if (node->unclean) {
            printf("    * Node %s: UNCLEAN (%s)\n", node->name, node->online ? "online" : "offline");
        } else if (node->online && node->maintenance) {
            printf("    * Node %s: maintenance\n", node->name);
        } else if (node->online && node->standby) {
            printf("    * Node %s: standby\n", node->name);
        } else if (node->online && node->shutdown) {
            printf("    * Node %s: shutting down\n", node->name);
        } else {
            g_ptr_array_add(node->online ? online : offline, (gpointer) node->name);
        }
    }
    print_node_group("Online", online);
    print_node_group("OFFLINE", offline);
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
    if (count == 0) {
        g_string_append(text, "Stopped");
    } else {
        g_string_append(text, rsc->failed ? "FAILED" : "Started");
        g_string_append(text, count > 1 ? " [" : "");
        for (size_t i = 0; i < count; i++) {
            g_string_append_printf(text, " %s", rsc->nodes[i]);
        }
        g_string_append(text, count > 1 ? " ]" : "");
    }
    if (rsc->disabled) {
        g_string_append(text, " (disabled)");
    }
    if (!rsc->managed) {
        g_string_append(text, " (unmanaged)");
    }
    if (rsc->orphan) {
        g_string_append(text, " (orphan: not in the configuration)");
    }
    return g_string_free(text, false);
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

        if (rsc->is_group) {
            printf("    * Resource Group: %s%s:\n", rsc->id, rsc->disabled ? " (disabled)" : "");
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
        "ok",          "error",       "invalid parameter", "unimplemented feature",
        "insufficient privileges",    "not installed",     "not configured",
        "not running", "promoted",    "failed (promoted)",
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
