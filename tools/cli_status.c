/* What the status section says: where resources are active, and node_state lookup. */
#include <stdlib.h>
#include <string.h>

#include <belay/cib.h>

#include "cli_private.h"

/* A node that left the membership has had its resources stopped (or fenced) by then. */
static bool
node_state_is_up(const xmlNode *node_state)
{
    const char *in_ccm = bl_xml_attr(node_state, "in_ccm");
    const char *crmd = bl_xml_attr(node_state, "crmd");

    return !(in_ccm != NULL && strcmp(in_ccm, "false") == 0)
           && !(crmd != NULL && strcmp(crmd, "offline") == 0);
}

static long
attr_long(const xmlNode *node, const char *name, long fallback)
{
    const char *text = bl_xml_attr(node, name);
    char *end = NULL;
    long value;

    if (text == NULL) {
        return fallback;
    }
    value = strtol(text, &end, 10);
    return end != text && *end == '\0' ? value : fallback;
}

/*
 * Whether the newest completed operation of an lrm_resource leaves it active. A failed
 * stop leaves it active (it still needs recovery); a probe or monitor returning 7 (not
 * running) or a successful stop leave it inactive.
 */
static bool
lrm_resource_is_active(const xmlNode *lrm_resource)
{
    const xmlNode *newest = NULL;
    const char *operation;
    long rc;

    for (xmlNode *op = bl_xml_first_child(lrm_resource, "lrm_rsc_op"); op != NULL;
         op = bl_xml_next(op, "lrm_rsc_op")) {
        if (attr_long(op, "op-status", 0) != 0) {
            continue;
        }
        if (newest == NULL || attr_long(op, "call-id", -1) > attr_long(newest, "call-id", -1)) {
            newest = op;
        }
    }
    if (newest == NULL) {
        return false;
    }
    operation = bl_xml_attr(newest, "operation");
    rc = attr_long(newest, "rc-code", 0);
    if (operation != NULL && strcmp(operation, "stop") == 0) {
        return rc != 0;
    }
    return rc != 7;
}

/* Appends the ids of the primitives at or under RSC to IDS. */
static void
collect_primitives(const xmlNode *rsc, GPtrArray *ids)
{
    if (bl_xml_is(rsc, "primitive")) {
        g_ptr_array_add(ids, (gpointer) bl_xml_attr(rsc, "id"));
        return;
    }
    for (xmlNode *child = bl_xml_first_child(rsc, NULL); child != NULL;
         child = bl_xml_next(child, NULL)) {
        collect_primitives(child, ids);
    }
}

/* Status ids are the primitive's id, or "id:N" for an instance of a clone. */
static bool
status_id_matches(const char *status_id, GPtrArray *ids)
{
    for (guint i = 0; i < ids->len; i++) {
        const char *id = g_ptr_array_index(ids, i);
        size_t len = id != NULL ? strlen(id) : 0;

        if (id != NULL && strncmp(status_id, id, len) == 0
            && (status_id[len] == '\0' || status_id[len] == ':')) {
            return true;
        }
    }
    return false;
}

static bool
node_state_runs(const xmlNode *node_state, GPtrArray *ids)
{
    xmlNode *lrm = bl_xml_first_child(node_state, "lrm");
    xmlNode *resources = bl_xml_first_child(lrm, "lrm_resources");

    for (xmlNode *entry = bl_xml_first_child(resources, "lrm_resource"); entry != NULL;
         entry = bl_xml_next(entry, "lrm_resource")) {
        const char *id = bl_xml_attr(entry, "id");

        if (id != NULL && status_id_matches(id, ids) && lrm_resource_is_active(entry)) {
            return true;
        }
    }
    return false;
}

static gint
compare_strings(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *) a, *(char *const *) b);
}

char **
bl__cli_status_active_nodes(const xmlDoc *doc, const xmlNode *rsc)
{
    GPtrArray *ids = g_ptr_array_new();
    GPtrArray *nodes = g_ptr_array_new();
    xmlNode *status = bl_cib_section(doc, "status");

    collect_primitives(rsc, ids);
    for (xmlNode *node_state = bl_xml_first_child(status, "node_state"); node_state != NULL;
         node_state = bl_xml_next(node_state, "node_state")) {
        const char *uname = bl_xml_attr(node_state, "uname");

        if (uname != NULL && node_state_is_up(node_state) && node_state_runs(node_state, ids)) {
            g_ptr_array_add(nodes, g_strdup(uname));
        }
    }
    g_ptr_array_sort(nodes, compare_strings);
    g_ptr_array_add(nodes, NULL);
    g_ptr_array_free(ids, TRUE);
    return (char **) g_ptr_array_free(nodes, FALSE);
}

xmlNode *
bl__cli_status_node_state(xmlDoc *doc, const char *uname, const char *node_id, bool create)
{
    xmlNode *status = bl_cib_section(doc, "status");
    xmlNode *node_state;

    for (node_state = bl_xml_first_child(status, "node_state"); node_state != NULL;
         node_state = bl_xml_next(node_state, "node_state")) {
        const char *name = bl_xml_attr(node_state, "uname");
        const char *id = bl_xml_attr(node_state, "id");

        if ((name != NULL && strcmp(name, uname) == 0)
            || (node_id != NULL && id != NULL && strcmp(id, node_id) == 0)) {
            return node_state;
        }
    }
    if (!create) {
        return NULL;
    }
    if (status == NULL) {
        status = bl_xml_add_child(xmlDocGetRootElement(doc), "status");
    }
    node_state = bl_xml_add_child(status, "node_state");
    bl_xml_set_attr(node_state, "id", node_id != NULL ? node_id : uname);
    bl_xml_set_attr(node_state, "uname", uname);
    return node_state;
}

bool
bl__cli_status_knows_resource(const xmlDoc *doc, const char *id)
{
    GPtrArray *ids = g_ptr_array_new();
    xmlNode *status = bl_cib_section(doc, "status");
    bool found = false;

    g_ptr_array_add(ids, (gpointer) id);
    for (xmlNode *node_state = bl_xml_first_child(status, "node_state");
         node_state != NULL && !found; node_state = bl_xml_next(node_state, "node_state")) {
        xmlNode *resources =
            bl_xml_first_child(bl_xml_first_child(node_state, "lrm"), "lrm_resources");

        for (xmlNode *entry = bl_xml_first_child(resources, "lrm_resource"); entry != NULL;
             entry = bl_xml_next(entry, "lrm_resource")) {
            const char *entry_id = bl_xml_attr(entry, "id");

            if (entry_id != NULL && status_id_matches(entry_id, ids)) {
                found = true;
            }
        }
    }
    g_ptr_array_free(ids, TRUE);
    return found;
}

/* "fail-count-vip#monitor_10000" → does it belong to one of IDS (NULL = any resource)? */
static bool
is_failure_attribute(const char *name, GPtrArray *ids)
{
    static const char *const prefixes[] = {"fail-count-", "last-failure-", NULL};

    for (int i = 0; prefixes[i] != NULL; i++) {
        size_t len = strlen(prefixes[i]);
        char *status_id;
        bool match;

        if (strncmp(name, prefixes[i], len) != 0) {
            continue;
        }
        if (ids == NULL) {
            return true;
        }
        status_id = g_strndup(name + len, strcspn(name + len, "#"));
        match = status_id_matches(status_id, ids);
        g_free(status_id);
        return match;
    }
    return false;
}

/* Removes failure attributes of IDS from a node_state's transient attributes. */
static int
cleanup_failures(xmlNode *node_state, GPtrArray *ids)
{
    xmlNode *transient = bl_xml_first_child(node_state, "transient_attributes");
    int removed = 0;

    for (xmlNode *set = bl_xml_first_child(transient, "instance_attributes"); set != NULL;
         set = bl_xml_next(set, "instance_attributes")) {
        xmlNode *next;

        for (xmlNode *nvpair = bl_xml_first_child(set, "nvpair"); nvpair != NULL; nvpair = next) {
            const char *name = bl_xml_attr(nvpair, "name");

            next = bl_xml_next(nvpair, "nvpair");
            if (name != NULL && is_failure_attribute(name, ids)) {
                bl_xml_remove(nvpair);
                removed++;
            }
        }
    }
    return removed;
}

/* Removes the operation history (lrm_resource entries) of IDS from a node_state. */
static int
cleanup_history(xmlNode *node_state, GPtrArray *ids)
{
    xmlNode *resources = bl_xml_first_child(bl_xml_first_child(node_state, "lrm"), "lrm_resources");
    xmlNode *next;
    int removed = 0;

    for (xmlNode *entry = bl_xml_first_child(resources, "lrm_resource"); entry != NULL;
         entry = next) {
        const char *id = bl_xml_attr(entry, "id");

        next = bl_xml_next(entry, "lrm_resource");
        if (id != NULL && (ids == NULL || status_id_matches(id, ids))) {
            bl_xml_remove(entry);
            removed++;
        }
    }
    return removed;
}

int
bl__cli_status_cleanup(xmlDoc *doc, const xmlNode *rsc, const char *id, const char *uname,
                       GString *out)
{
    GPtrArray *ids = NULL;
    xmlNode *status = bl_cib_section(doc, "status");
    int total = 0;

    if (rsc != NULL || id != NULL) {
        ids = g_ptr_array_new();
        if (rsc != NULL) {
            collect_primitives(rsc, ids);
        } else {
            g_ptr_array_add(ids, (gpointer) id);
        }
    }
    for (xmlNode *node_state = bl_xml_first_child(status, "node_state"); node_state != NULL;
         node_state = bl_xml_next(node_state, "node_state")) {
        const char *name = bl_xml_attr(node_state, "uname");
        int removed;

        if (uname != NULL && (name == NULL || strcmp(name, uname) != 0)) {
            continue;
        }
        removed = cleanup_history(node_state, ids) + cleanup_failures(node_state, ids);
        if (removed > 0) {
            g_string_append_printf(out, "Cleaned up %s on %s\n", id != NULL ? id : "all resources",
                                   name != NULL ? name : bl_xml_attr(node_state, "id"));
        }
        total += removed;
    }
    if (ids != NULL) {
        g_ptr_array_free(ids, TRUE);
    }
    return total;
}
