/* Node ids and names from corosync's nodelist, read through cmap. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <corosync/cmap.h>
#include <glib.h>

#include <belay/cluster.h>
#include <belay/common.h>

#include "cluster_private.h"

#define NODELIST_PREFIX "nodelist.node."

bool
bl_cluster_nodelist_key_parse(const char *key, unsigned *index, const char **field)
{
    const char *p;
    char *end = NULL;
    unsigned long n;

    if (key == NULL || strncmp(key, NODELIST_PREFIX, strlen(NODELIST_PREFIX)) != 0) {
        return false;
    }
    p = key + strlen(NODELIST_PREFIX);
    if (*p < '0' || *p > '9') {
        return false;
    }
    errno = 0;
    n = strtoul(p, &end, 10);
    /* corosync supports far fewer nodes; the bound keeps the slot array small */
    if (errno != 0 || n >= 1024 || *end != '.' || end[1] == '\0') {
        return false;
    }
    *index = (unsigned) n;
    *field = end + 1;
    return true;
}

/* One slot per nodelist.node.N, filled field by field as cmap iterates. */
typedef struct slot {
    bool has_id;
    bl_cluster_node_t node;
} slot_t;

static void
slot_fill(cmap_handle_t cmap, const char *key, slot_t *slot, const char *field)
{
    char *text = NULL;

    if (strcmp(field, "nodeid") == 0) {
        slot->has_id = cmap_get_uint32(cmap, key, &slot->node.id) == CS_OK;
    } else if (strcmp(field, "name") == 0 && slot->node.name == NULL) {
        if (cmap_get_string(cmap, key, &text) == CS_OK) {
            slot->node.name = bl_strdup(text);
            free(text);
        }
    } else if (strcmp(field, "ring0_addr") == 0 && slot->node.ring0_addr == NULL) {
        if (cmap_get_string(cmap, key, &text) == CS_OK) {
            slot->node.ring0_addr = bl_strdup(text);
            free(text);
        }
    }
}

static int
read_slots(cmap_handle_t cmap, GArray *slots)
{
    cmap_iter_handle_t iter;
    char key[CMAP_KEYNAME_MAXLEN + 1];
    size_t value_len;
    cmap_value_types_t type;
    cs_error_t rc;

    rc = cmap_iter_init(cmap, NODELIST_PREFIX, &iter);
    if (rc != CS_OK) {
        return bl_cluster_rc(rc);
    }
    while (cmap_iter_next(cmap, iter, key, &value_len, &type) == CS_OK) {
        unsigned index;
        const char *field;

        if (!bl_cluster_nodelist_key_parse(key, &index, &field)) {
            continue;
        }
        if (index >= slots->len) {
            g_array_set_size(slots, index + 1);
        }
        slot_fill(cmap, key, &g_array_index(slots, slot_t, index), field);
    }
    cmap_iter_finalize(cmap, iter);
    return 0;
}

static int
compare_nodes(const void *a, const void *b)
{
    const bl_cluster_node_t *x = a;
    const bl_cluster_node_t *y = b;

    return (x->id > y->id) - (x->id < y->id);
}

/* Moves the slots that have a node id into a new list (sorted by id). */
static bl_cluster_nodelist_t *
slots_to_list(GArray *slots)
{
    bl_cluster_nodelist_t *list = g_new0(bl_cluster_nodelist_t, 1);

    list->nodes = g_new0(bl_cluster_node_t, slots->len + 1);
    for (guint i = 0; i < slots->len; i++) {
        slot_t *slot = &g_array_index(slots, slot_t, i);

        if (!slot->has_id) {
            free(slot->node.name);
            free(slot->node.ring0_addr);
            continue;
        }
        if (slot->node.name == NULL && slot->node.ring0_addr != NULL) {
            slot->node.name = bl_strdup(slot->node.ring0_addr);
        }
        list->nodes[list->n_nodes++] = slot->node;
    }
    qsort(list->nodes, list->n_nodes, sizeof(*list->nodes), compare_nodes);
    return list;
}

int
bl_cluster_nodelist_load(bl_cluster_nodelist_t **list)
{
    cmap_handle_t cmap;
    GArray *slots;
    cs_error_t cs;
    int rc;

    cs = cmap_initialize(&cmap);
    if (cs != CS_OK) {
        return bl_cluster_rc(cs);
    }
    slots = g_array_new(FALSE, TRUE, sizeof(slot_t));
    rc = read_slots(cmap, slots);
    cmap_finalize(cmap);
    if (rc == 0) {
        *list = slots_to_list(slots);
    } else {
        for (guint i = 0; i < slots->len; i++) {
            free(g_array_index(slots, slot_t, i).node.name);
            free(g_array_index(slots, slot_t, i).node.ring0_addr);
        }
    }
    g_array_free(slots, TRUE);
    return rc;
}

const char *
bl_cluster_nodelist_name(const bl_cluster_nodelist_t *list, uint32_t id)
{
    bl_cluster_node_t key = {.id = id};
    const bl_cluster_node_t *node;

    if (list == NULL || list->n_nodes == 0) {
        return NULL;
    }
    node = bsearch(&key, list->nodes, list->n_nodes, sizeof(*list->nodes), compare_nodes);
    return node != NULL ? node->name : NULL;
}

uint32_t
bl_cluster_nodelist_id(const bl_cluster_nodelist_t *list, const char *name)
{
    if (list == NULL || name == NULL) {
        return 0;
    }
    for (size_t i = 0; i < list->n_nodes; i++) {
        const bl_cluster_node_t *node = &list->nodes[i];

        if (g_strcmp0(node->name, name) == 0 || g_strcmp0(node->ring0_addr, name) == 0) {
            return node->id;
        }
    }
    return 0;
}

void
bl_cluster_nodelist_free(bl_cluster_nodelist_t **list)
{
    if (list == NULL || *list == NULL) {
        return;
    }
    for (size_t i = 0; i < (*list)->n_nodes; i++) {
        free((*list)->nodes[i].name);
        free((*list)->nodes[i].ring0_addr);
    }
    g_free((*list)->nodes);
    g_free(*list);
    *list = NULL;
}

void
bl__cluster_nodelist_refresh(bl_cluster_nodelist_t **cache, const uint32_t *ids, size_t n_ids)
{
    bl_cluster_nodelist_t *fresh = NULL;
    bool complete = *cache != NULL;

    for (size_t i = 0; complete && i < n_ids; i++) {
        complete = bl_cluster_nodelist_name(*cache, ids[i]) != NULL;
    }
    /* a failed reload keeps the old list: names are a convenience, never fatal */
    if (!complete && bl_cluster_nodelist_load(&fresh) == 0) {
        bl_cluster_nodelist_free(cache);
        *cache = fresh;
    }
}
