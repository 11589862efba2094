/* Cluster options, rsc_defaults and nvpair sets: how the CIB's name/value lists are read. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sched_private.h"

int
bl__sched_score(const char *text)
{
    long long value;
    char *end = NULL;

    if (text == NULL || *text == '\0') {
        return 0;
    }
    if (strcasecmp(text, "INFINITY") == 0 || strcasecmp(text, "+INFINITY") == 0) {
        return INF;
    }
    if (strcasecmp(text, "-INFINITY") == 0) {
        return -INF;
    }
    /* Like Pacemaker, take the leading integer and ignore the rest ("1.0" is 1). */
    value = strtoll(text, &end, 10);
    if (value >= INF) {
        return INF;
    }
    if (value <= -INF) {
        return -INF;
    }
    return (int) value;
}

bool
bl__sched_true(const char *text)
{
    static const char *const yes[] = {"true", "on", "yes", "y", "1", NULL};

    if (text == NULL) {
        return false;
    }
    for (int i = 0; yes[i] != NULL; i++) {
        if (strcasecmp(text, yes[i]) == 0) {
            return true;
        }
    }
    return false;
}

static int
set_applies(bl_sched_t *s, const xmlNode *set, bool *applies)
{
    *applies = true;
    for (xmlNode *rule = bl_xml_first_child(set, "rule"); rule != NULL;
         rule = bl_xml_next(rule, "rule")) {
        int rc = bl__sched_rule_eval(s, rule, NULL, applies);

        if (rc != 0 || !*applies) {
            return rc;
        }
    }
    return 0;
}

static void
add_pairs(const xmlNode *set, GHashTable *table, bool overwrite)
{
    for (xmlNode *pair = bl_xml_first_child(set, "nvpair"); pair != NULL;
         pair = bl_xml_next(pair, "nvpair")) {
        const char *name = bl_xml_attr(pair, "name");
        const char *value = bl_xml_attr(pair, "value");

        if (name == NULL || value == NULL) {
            continue;
        }
        if (g_ascii_strcasecmp(value, "#default") == 0) {
            /* "#default" means: no explicit value (forget one set earlier) */
            g_hash_table_remove(table, name);
            continue;
        }
        if (overwrite || !g_hash_table_contains(table, name)) {
            g_hash_table_replace(table, g_strdup(name), g_strdup(value));
        }
    }
}

/* Pacemaker's order of nvpair sets: cib-bootstrap-options first, then by descending
 * "score" (stable, so document order among equals). */
static gint
compare_sets(gconstpointer a, gconstpointer b)
{
    const xmlNode *x = *(const xmlNode *const *) a;
    const xmlNode *y = *(const xmlNode *const *) b;
    int sx, sy;

    if (g_strcmp0(bl_xml_attr(x, "id"), "cib-bootstrap-options") == 0) {
        return -1;
    }
    if (g_strcmp0(bl_xml_attr(y, "id"), "cib-bootstrap-options") == 0) {
        return 1;
    }
    sx = bl__sched_score(bl_xml_attr(x, "score"));
    sy = bl__sched_score(bl_xml_attr(y, "score"));
    return (sx > sy) ? -1 : (sx < sy);
}

int
bl__sched_nvpairs(bl_sched_t *s, const xmlNode *parent, const char *set_name, GHashTable *table,
                  bool overwrite)
{
    g_autoptr(GPtrArray) sets = g_ptr_array_new();

    if (parent == NULL) {
        return 0;
    }
    for (xmlNode *set = bl_xml_first_child(parent, set_name); set != NULL;
         set = bl_xml_next(set, set_name)) {
        g_ptr_array_add(sets, set);
    }
    g_ptr_array_sort(sets, compare_sets);
    for (guint i = 0; i < sets->len; i++) {
        const xmlNode *set = g_ptr_array_index(sets, i);
        bool applies = true;
        int rc;

        if (bl_xml_attr(set, "id-ref") != NULL) {
            bl_err_set(s->err, "%s '%s': id-ref references are not supported yet", set_name,
                       bl_xml_attr(set, "id-ref"));
            return BL_EUNSUPPORTED;
        }
        rc = set_applies(s, set, &applies);
        if (rc != 0) {
            return rc;
        }
        if (applies) {
            add_pairs(set, table, overwrite);
        }
    }
    return 0;
}

static bl_no_quorum_t
parse_no_quorum(const char *text)
{
    if (text == NULL || strcasecmp(text, "stop") == 0) {
        return BL_NOQ_STOP;
    }
    if (strcasecmp(text, "freeze") == 0) {
        return BL_NOQ_FREEZE;
    }
    if (strcasecmp(text, "ignore") == 0) {
        return BL_NOQ_IGNORE;
    }
    if (strcasecmp(text, "demote") == 0) {
        return BL_NOQ_DEMOTE;
    }
    if (strcasecmp(text, "suicide") == 0) {
        return BL_NOQ_SUICIDE;
    }
    return BL_NOQ_STOP;
}

static const char *
option(GHashTable *options, const char *name, const char *fallback)
{
    const char *value = g_hash_table_lookup(options, name);

    return value != NULL ? value : fallback;
}

/* True when VERSION ("3.0.14") is below MAJOR.MINOR.PATCH; a missing one is old. */
static bool
feature_set_below(const char *version, int major, int minor, int patch)
{
    int v[3] = {0, 0, 0};

    if (version == NULL) {
        return true;
    }
    sscanf(version, "%d.%d.%d", &v[0], &v[1], &v[2]);
    if (v[0] != major) {
        return v[0] < major;
    }
    if (v[1] != minor) {
        return v[1] < minor;
    }
    return v[2] < patch;
}

/* no-quorum-policy=suicide needs fencing, and a partition that never had quorum (the CIB's
 * no-quorum-panic unset) has not lost it: otherwise Pacemaker falls back to stop. */
static bool
suicide_possible(const bl_sched_t *s, const xmlNode *root)
{
    const char *panic = bl_xml_attr(root, "no-quorum-panic");

    return s->stonith_enabled && (s->have_quorum || (panic != NULL && atoi(panic) != 0));
}

/* The first nvpair "provides=unfencing" or "requires=unfencing" in a meta_attributes set
 * anywhere below XML (resources or rsc_defaults), or NULL. */
static const xmlNode *
find_unfencing(const xmlNode *xml)
{
    for (xmlNode *child = bl_xml_first_child(xml, NULL); child != NULL;
         child = bl_xml_next(child, NULL)) {
        const xmlNode *found = NULL;

        if (bl_xml_is(child, "nvpair") && bl_xml_is(xml, "meta_attributes")) {
            const char *name = bl_xml_attr(child, "name");

            if ((g_strcmp0(name, "provides") == 0 || g_strcmp0(name, "requires") == 0)
                && g_strcmp0(bl_xml_attr(child, "value"), "unfencing") == 0) {
                return child;
            }
        }
        found = find_unfencing(child);
        if (found != NULL) {
            return found;
        }
    }
    return NULL;
}

/* Unfencing (a device that provides it or a resource that requires it) makes Pacemaker
 * schedule "on" fencing of nodes and order starts after it: not built yet. */
static int
refuse_unfencing(bl_sched_t *s, const xmlNode *config)
{
    const xmlNode *found = find_unfencing(bl_xml_first_child(config, "resources"));
    const xmlNode *owner;

    if (found == NULL) {
        found = find_unfencing(bl_xml_first_child(config, "rsc_defaults"));
    }
    if (found == NULL) {
        return 0;
    }
    owner = found->parent->parent;
    bl_err_set(s->err, "%s '%s' (line %ld): %s=unfencing: unfencing is not supported yet",
               (const char *) owner->name,
               bl_xml_attr(owner, "id") != NULL ? bl_xml_attr(owner, "id") : "", bl_xml_line(found),
               bl_xml_attr(found, "name"));
    return BL_EUNSUPPORTED;
}

int
bl__sched_unpack_config(bl_sched_t *s)
{
    xmlNode *root = xmlDocGetRootElement(s->cib);
    xmlNode *config = bl_xml_first_child(root, "configuration");
    g_autoptr(GHashTable) options = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    const char *value;
    int rc;

    rc = bl__sched_nvpairs(s, bl_xml_first_child(config, "crm_config"), "cluster_property_set",
                           options, false);
    if (rc != 0) {
        return rc;
    }
    s->symmetric = bl__sched_true(option(options, "symmetric-cluster", "true"));
    s->stonith_enabled = bl__sched_true(option(options, "stonith-enabled", "true"));
    s->no_quorum_policy = parse_no_quorum(option(options, "no-quorum-policy", "stop"));
    s->stop_orphan_resources = bl__sched_true(option(options, "stop-orphan-resources", "true"));
    s->maintenance_mode = bl__sched_true(option(options, "maintenance-mode", "false"));
    s->stop_all = bl__sched_true(option(options, "stop-all-resources", "false"));
    s->startup_probes = bl__sched_true(option(options, "enable-startup-probes", "true"));
    /* A watchdog (SBD) fences nodes by self-fencing: it counts as a fencing device. */
    s->have_stonith_resource = bl__sched_true(option(options, "have-watchdog", "false"));
    s->have_quorum = bl__sched_true(bl_xml_attr(root, "have-quorum"));
    if (s->no_quorum_policy == BL_NOQ_SUICIDE && !suicide_possible(s, root)) {
        s->no_quorum_policy = BL_NOQ_STOP;
    }
    s->startup_fencing = bl__sched_true(option(options, "startup-fencing", "true"));
    value = option(options, "stonith-action", "reboot");
    s->fence_action =
        (strcasecmp(value, "off") == 0 || strcasecmp(value, "poweroff") == 0) ? "off" : "reboot";
    if (strcasecmp(option(options, "node-health-strategy", "none"), "none") != 0
        || bl__sched_true(option(options, "shutdown-lock", "false"))) {
        bl_err_set(s->err, "cluster option %s is not supported yet",
                   bl__sched_true(option(options, "shutdown-lock", "false"))
                       ? "shutdown-lock"
                       : "node-health-strategy");
        return BL_EUNSUPPORTED;
    }
    rc = refuse_unfencing(s, config);
    if (rc != 0) {
        return rc;
    }
    if (bl_xml_first_child(bl_xml_first_child(config, "tags"), NULL) != NULL) {
        bl_err_set(s->err, "configuration <tags> are not supported yet");
        return BL_EUNSUPPORTED;
    }
    s->placement = bl__sched_util_strategy(option(options, "placement-strategy", "default"));
    s->dc_uuid = bl_xml_attr(root, "dc-uuid");
    s->legacy_failcounts = feature_set_below(bl_xml_attr(root, "crm_feature_set"), 3, 0, 13);

    s->rsc_defaults = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    return bl__sched_nvpairs(s, bl_xml_first_child(config, "rsc_defaults"), "meta_attributes",
                             s->rsc_defaults, false);
}

bool
bl__sched_can_fence(const bl_sched_t *s)
{
    return s->stonith_enabled && s->have_stonith_resource
           && (s->have_quorum || s->no_quorum_policy == BL_NOQ_IGNORE);
}

bool
bl__sched_can_fence_node(const bl_sched_t *s, const bl_snode_t *node)
{
    /* Without quorum, a node still in our membership can be fenced: it cannot be
     * running on the other side of a split. */
    return bl__sched_can_fence(s)
           || (s->stonith_enabled && s->have_stonith_resource && node != NULL && node->online);
}
