/*
 * Semantic checks: what a schema cannot express. Two passes over the configuration,
 * each linear: the first records every id (hash tables), the second checks values
 * and references against them. The status section gets only the checks that keep
 * it unambiguous (one node_state per node, one lrm_resource per resource and node).
 */
#include <stdlib.h>
#include <string.h>

#include <belay/cib.h>

#include "cib_private.h"

/*
 * Elements whose id attribute names something defined elsewhere (a reference), not
 * a new object. <node> ids live in their own space: Pacemaker does not type them as
 * XML IDs, and a node may share its id with a resource ("1" vs "1" never collide in
 * practice, but "db" the node and "db" the resource may).
 */
static bool
id_is_reference(const xmlNode *node)
{
    return bl_xml_is(node, "resource_ref");
}

/* XML NCName rules, as Pacemaker's schema types ids: crmsh and the CLI rely on them. */
static bool
id_valid(const char *id)
{
    const unsigned char *p = (const unsigned char *) id;

    if (!(g_ascii_isalpha(*p) || *p == '_' || *p >= 0x80)) {
        return false;
    }
    for (p++; *p != '\0'; p++) {
        if (!(g_ascii_isalnum(*p) || *p == '_' || *p == '-' || *p == '.' || *p >= 0x80)) {
            return false;
        }
    }
    return true;
}

static bool
record_unique(const bl__semantic_t *sem, GHashTable *table, const char *key, const xmlNode *node,
              const char *what)
{
    const xmlNode *previous = g_hash_table_lookup(table, key);

    if (previous == NULL) {
        g_hash_table_insert(table, (gpointer) key, (gpointer) node);
        return false;
    }
    bl_err_set(sem->err, "line %ld: %s: %s '%s' is already used by the %s at line %ld",
               bl_xml_line(node), (const char *) node->name, what, key,
               (const char *) previous->name, bl_xml_line(previous));
    return true;
}

static bool
record_node(bl__semantic_t *sem, const xmlNode *node)
{
    const char *id = bl_xml_attr(node, "id");
    const char *uname = bl_xml_attr(node, "uname");

    if (id != NULL && record_unique(sem, sem->node_ids, id, node, "id")) {
        return true;
    }
    return uname != NULL && record_unique(sem, sem->unames, uname, node, "uname");
}

static bool
record_ids(bl__semantic_t *sem, const xmlNode *node)
{
    const char *id = bl_xml_attr(node, "id");

    if (bl_xml_is(node, "node")) {
        if (record_node(sem, node)) {
            return true;
        }
    } else if (id != NULL && !id_is_reference(node)) {
        if (!id_valid(id)) {
            bl_err_set(
                sem->err,
                "line %ld: %s: id '%s' is not a valid id (it must start with a letter or '_' and contain only letters, digits, '-', '_' and '.')",
                bl_xml_line(node), (const char *) node->name, id);
            return true;
        }
        if (record_unique(sem, sem->ids, id, node, "id")) {
            return true;
        }
    }
    if (id != NULL
        && (bl_xml_is(node, "primitive") || bl_xml_is(node, "group") || bl_xml_is(node, "clone")
            || bl_xml_is(node, "master"))) {
        g_ptr_array_add(sem->resources, (gpointer) node);
    }
    for (const xmlNode *c = bl_xml_first_child(node, NULL); c != NULL; c = bl_xml_next(c, NULL)) {
        if (record_ids(sem, c)) {
            return true;
        }
    }
    return false;
}

static bool
check_tree(const bl__semantic_t *sem, const xmlNode *node)
{
    if (bl__semantic_check_values(sem, node) || bl__semantic_check_element(sem, node)) {
        return true;
    }
    for (const xmlNode *c = bl_xml_first_child(node, NULL); c != NULL; c = bl_xml_next(c, NULL)) {
        if (check_tree(sem, c)) {
            return true;
        }
    }
    return false;
}

/* One lrm_resource per resource within one node's lrm. */
static bool
check_lrm(const bl__semantic_t *sem, const xmlNode *node_state)
{
    const xmlNode *lrm = bl_xml_first_child(node_state, "lrm");
    const xmlNode *list = bl_xml_first_child(lrm, "lrm_resources");
    g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);

    for (const xmlNode *r = bl_xml_first_child(list, "lrm_resource"); r != NULL;
         r = bl_xml_next(r, "lrm_resource")) {
        const char *id = bl_xml_attr(r, "id");

        if (id != NULL && record_unique(sem, seen, id, r, "id")) {
            return true;
        }
    }
    return false;
}

static bool
check_status(const bl__semantic_t *sem, const xmlNode *status)
{
    g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);

    for (const xmlNode *n = bl_xml_first_child(status, "node_state"); n != NULL;
         n = bl_xml_next(n, "node_state")) {
        const char *id = bl_xml_attr(n, "id");

        if (id != NULL && record_unique(sem, seen, id, n, "id")) {
            return true;
        }
        if (check_lrm(sem, n)) {
            return true;
        }
    }
    return false;
}

int
bl_cib_validate_semantics(const xmlDoc *doc, char **err)
{
    const xmlNode *configuration = bl_cib_section(doc, "configuration");
    const xmlNode *status = bl_cib_section(doc, "status");
    bl__semantic_t sem = {
        .ids = g_hash_table_new(g_str_hash, g_str_equal),
        .node_ids = g_hash_table_new(g_str_hash, g_str_equal),
        .unames = g_hash_table_new(g_str_hash, g_str_equal),
        .resources = g_ptr_array_new(),
        .err = err,
    };
    bool failed = false;

    if (configuration != NULL) {
        failed = record_ids(&sem, configuration) || check_tree(&sem, configuration);
    }
    if (!failed && status != NULL) {
        failed = check_status(&sem, status);
    }
    g_hash_table_destroy(sem.ids);
    g_hash_table_destroy(sem.node_ids);
    g_hash_table_destroy(sem.unames);
    g_ptr_array_free(sem.resources, TRUE);
    return failed ? BL_EINVALID : 0;
}
