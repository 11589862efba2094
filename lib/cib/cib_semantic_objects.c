/*
 * Per-element semantic checks: references (constraints to resources, id-refs to the
 * sets they reuse), constraints that would relate a resource to itself, operations
 * Pacemaker would refuse as duplicates, and rules whose attributes contradict.
 */
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include <belay/cib.h>

#include "cib_private.h"

static bool
is_resource(const xmlNode *node)
{
    return bl_xml_is(node, "primitive") || bl_xml_is(node, "group") || bl_xml_is(node, "clone")
           || bl_xml_is(node, "master");
}

/*
 * Edit distance allowed for a "did you mean" hint. Two even for short names, since
 * swapped letters ("vpi" for "vip") cost two; only one for names of one or two letters.
 */
static unsigned
hint_distance(const char *name)
{
    size_t len = strlen(name);

    return len <= 2 ? 1 : (len <= 10 ? 2 : 3);
}

static const char *
closest_resource(const bl__semantic_t *sem, const char *name)
{
    unsigned best = hint_distance(name) + 1;
    const char *found = NULL;

    for (guint i = 0; i < sem->resources->len; i++) {
        const char *id = bl_xml_attr(g_ptr_array_index(sem->resources, i), "id");
        unsigned d = bl_edit_distance(id, name, best - 1);

        if (d < best) {
            best = d;
            found = id;
        }
    }
    return found;
}

static const char *
closest_element(const bl__semantic_t *sem, const char *element, const char *name)
{
    unsigned best = hint_distance(name) + 1;
    const char *found = NULL;
    GHashTableIter iter;
    gpointer key, value;

    g_hash_table_iter_init(&iter, sem->ids);
    while (g_hash_table_iter_next(&iter, &key, &value)) {
        unsigned d;

        if (!bl_xml_is(value, element)) {
            continue;
        }
        d = bl_edit_distance(key, name, best - 1);
        if (d < best) {
            best = d;
            found = key;
        }
    }
    return found;
}

static void
missing(const bl__semantic_t *sem, const xmlNode *node, const char *attribute, const char *value,
        const char *hint)
{
    g_autofree char *what = bl__cib_describe(node);

    if (hint != NULL) {
        bl_err_set(sem->err, "line %ld: %s: %s '%s' does not exist (did you mean '%s'?)",
                   bl_xml_line(node), what, attribute, value, hint);
    } else {
        bl_err_set(sem->err, "line %ld: %s: %s '%s' does not exist", bl_xml_line(node), what,
                   attribute, value);
    }
}

/* ATTRIBUTE of NODE, when present, must name a primitive, group or clone. */
static bool
check_resource_ref(const bl__semantic_t *sem, const xmlNode *node, const char *attribute)
{
    const char *value = bl_xml_attr(node, attribute);
    const xmlNode *target;
    g_autofree char *what = NULL;

    if (value == NULL) {
        return false;
    }
    target = g_hash_table_lookup(sem->ids, value);
    if (target != NULL && is_resource(target)) {
        return false;
    }
    if (target == NULL && g_hash_table_lookup(sem->node_ids, value) == NULL) {
        missing(sem, node, attribute, value, closest_resource(sem, value));
        return true;
    }
    what = bl__cib_describe(node);
    if (target == NULL) {
        bl_err_set(sem->err, "line %ld: %s: %s '%s' is not a resource (it names a node)",
                   bl_xml_line(node), what, attribute, value);
    } else {
        bl_err_set(sem->err,
                   "line %ld: %s: %s '%s' is not a resource (it names the %s at line %ld)",
                   bl_xml_line(node), what, attribute, value, (const char *) target->name,
                   bl_xml_line(target));
    }
    return true;
}

static bool
contains_rule_ref(const xmlNode *node)
{
    for (const xmlNode *c = bl_xml_first_child(node, "rule"); c != NULL;
         c = bl_xml_next(c, "rule")) {
        if (bl_xml_attr(c, "id-ref") != NULL || contains_rule_ref(c)) {
            return true;
        }
    }
    return false;
}

/*
 * An id-ref reuses an element defined elsewhere, which must be of the same kind. A
 * rule reference may not lead to a rule holding references itself: that is how a
 * rule could end up inside itself, and evaluating it would never end.
 */
static bool
check_id_ref(const bl__semantic_t *sem, const xmlNode *node)
{
    const char *ref = bl_xml_attr(node, "id-ref");
    const char *name = (const char *) node->name;
    const xmlNode *target;

    if (ref == NULL) {
        return false;
    }
    target = g_hash_table_lookup(sem->ids, ref);
    if (target == NULL) {
        missing(sem, node, "id-ref", ref, closest_element(sem, name, ref));
        return true;
    }
    if (!bl_xml_is(target, name)) {
        bl_err_set(
            sem->err, "line %ld: %s (id-ref '%s'): the id names the %s at line %ld, not a %s",
            bl_xml_line(node), name, ref, (const char *) target->name, bl_xml_line(target), name);
        return true;
    }
    if (bl_xml_is(target, "rule") && contains_rule_ref(target)) {
        bl_err_set(
            sem->err,
            "line %ld: rule (id-ref '%s'): the rule it names refers to other rules itself (a referenced rule must be written out in full)",
            bl_xml_line(node), ref);
        return true;
    }
    return false;
}

/* Colocating or ordering a resource with itself is meaningless; Pacemaker refuses it. */
static bool
check_not_self(const bl__semantic_t *sem, const xmlNode *node, const char *a, const char *b,
               const char *relation)
{
    const char *first = bl_xml_attr(node, a);
    const char *second = bl_xml_attr(node, b);
    g_autofree char *what = NULL;

    if (first == NULL || second == NULL || strcmp(first, second) != 0) {
        return false;
    }
    what = bl__cib_describe(node);
    bl_err_set(sem->err,
               "line %ld: %s: resource '%s' cannot be %s itself (%s and %s name the same resource)",
               bl_xml_line(node), what, first, relation, a, b);
    return true;
}

static bool
check_location(const bl__semantic_t *sem, const xmlNode *node)
{
    const char *pattern = bl_xml_attr(node, "rsc-pattern");
    g_autofree char *what = NULL;
    char reason[128];
    regex_t regex;
    int rc;

    if (check_resource_ref(sem, node, "rsc")) {
        return true;
    }
    if (pattern == NULL) {
        return false;
    }
    rc = regcomp(&regex, pattern, REG_EXTENDED | REG_NOSUB);
    if (rc == 0) {
        regfree(&regex);
        return false;
    }
    regerror(rc, &regex, reason, sizeof(reason));
    what = bl__cib_describe(node);
    bl_err_set(sem->err, "line %ld: %s: rsc-pattern '%s' is not a valid regular expression (%s)",
               bl_xml_line(node), what, pattern, reason);
    return true;
}

static bool
check_colocation(const bl__semantic_t *sem, const xmlNode *node)
{
    return check_resource_ref(sem, node, "rsc") || check_resource_ref(sem, node, "with-rsc")
           || check_not_self(sem, node, "rsc", "with-rsc", "colocated with");
}

/*
 * An order of a resource after itself is only meaningful between different actions
 * ("demote, then promote"); then-action defaults to first-action, which defaults to
 * start.
 */
static bool
check_order(const bl__semantic_t *sem, const xmlNode *node)
{
    const char *first_action = bl_xml_attr(node, "first-action");
    const char *then_action = bl_xml_attr(node, "then-action");

    if (check_resource_ref(sem, node, "first") || check_resource_ref(sem, node, "then")) {
        return true;
    }
    first_action = first_action != NULL ? first_action : "start";
    then_action = then_action != NULL ? then_action : first_action;
    return strcmp(first_action, then_action) == 0
           && check_not_self(sem, node, "first", "then", "ordered after");
}

static bool
check_resource_set_ref(const bl__semantic_t *sem, const xmlNode *node)
{
    return check_resource_ref(sem, node, "id");
}

/*
 * A rule directly in a location constraint says what a node matching it is worth, so
 * it needs exactly one of score and score-attribute; nested rules need neither.
 */
static bool
check_rule(const bl__semantic_t *sem, const xmlNode *node)
{
    bool score = bl_xml_attr(node, "score") != NULL;
    bool attribute = bl_xml_attr(node, "score-attribute") != NULL;
    g_autofree char *what = NULL;

    if (score && attribute) {
        what = bl__cib_describe(node);
        bl_err_set(
            sem->err,
            "line %ld: %s has both score and score-attribute (use one: a fixed score, or the node attribute that holds it)",
            bl_xml_line(node), what);
        return true;
    }
    if (!score && !attribute && bl_xml_is(node->parent, "rsc_location")
        && bl_xml_attr(node, "id-ref") == NULL) {
        what = bl__cib_describe(node);
        bl_err_set(sem->err,
                   "line %ld: %s in a location constraint needs a score or a score-attribute",
                   bl_xml_line(node), what);
        return true;
    }
    return false;
}

static bool
check_expression(const bl__semantic_t *sem, const xmlNode *node)
{
    const char *operation = bl_xml_attr(node, "operation");
    g_autofree char *what = NULL;

    if (operation == NULL || bl_xml_attr(node, "value") != NULL || strcmp(operation, "defined") == 0
        || strcmp(operation, "not_defined") == 0) {
        return false;
    }
    what = bl__cib_describe(node);
    bl_err_set(sem->err, "line %ld: %s: operation '%s' needs a value to compare with",
               bl_xml_line(node), what, operation);
    return true;
}

static bool
check_fencing_level(const bl__semantic_t *sem, const xmlNode *node)
{
    const char *index = bl_xml_attr(node, "index");
    const char *devices = bl_xml_attr(node, "devices");
    g_autofree char *what = bl__cib_describe(node);
    char *end = NULL;
    long value = index != NULL ? strtol(index, &end, 10) : 1;

    if (index != NULL && (end == index || *end != '\0' || value < 1 || value > 9)) {
        bl_err_set(sem->err, "line %ld: %s: index '%s' is not valid (expected 1 to 9)",
                   bl_xml_line(node), what, index);
        return true;
    }
    if (devices != NULL
        && (devices[0] == '\0' || devices[0] == ',' || strstr(devices, ",,") != NULL
            || devices[strlen(devices) - 1] == ',')) {
        bl_err_set(sem->err,
                   "line %ld: %s: devices '%s' is not a comma-separated list of device ids",
                   bl_xml_line(node), what, devices);
        return true;
    }
    return false;
}

struct element_check {
    const char *element;
    bool (*check)(const bl__semantic_t *sem, const xmlNode *node);
};

static const struct element_check element_checks[] = {
    {"primitive", bl__semantic_check_primitive},
    {"rsc_location", check_location},
    {"rsc_colocation", check_colocation},
    {"rsc_order", check_order},
    {"resource_ref", check_resource_set_ref},
    {"rule", check_rule},
    {"expression", check_expression},
    {"date_expression", bl__semantic_check_date},
    {"date_spec", bl__semantic_check_date_fields},
    {"duration", bl__semantic_check_date_fields},
    {"fencing-level", check_fencing_level},
};

bool
bl__semantic_check_element(const bl__semantic_t *sem, const xmlNode *node)
{
    if (check_id_ref(sem, node)) {
        return true;
    }
    for (size_t i = 0; i < G_N_ELEMENTS(element_checks); i++) {
        if (bl_xml_is(node, element_checks[i].element)) {
            return element_checks[i].check(sem, node);
        }
    }
    return false;
}
