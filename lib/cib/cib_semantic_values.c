/*
 * Attribute values the schema leaves as text: enumerations, booleans, scores and
 * durations. Checked here rather than in the schema so the message can name the
 * object, quote the value and suggest the closest valid one.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <belay/cib.h>

#include "cib_private.h"

enum value_kind {
    VALUE_ENUM,
    VALUE_BOOLEAN,
    VALUE_SCORE,
    VALUE_DURATION,
};

struct value_rule {
    const char *element;
    const char *attribute;
    enum value_kind kind;
    const char *const *values; /* VALUE_ENUM: NULL-terminated */
};

static const char *const roles[] = {
    "Started", "Stopped", "Promoted", "Unpromoted", "Master", "Slave", NULL,
};
static const char *const classes[] = {
    "ocf", "lsb", "service", "systemd", "stonith", "heartbeat", "upstart", "nagios", NULL,
};
static const char *const on_fail[] = {
    "ignore", "block", "stop", "restart", "standby", "fence", "restart-container", "demote", NULL,
};
static const char *const requires[] = {"nothing", "quorum", "fencing", "unfencing", NULL};
static const char *const discovery[] = {"always", "never", "exclusive", NULL};
static const char *const boolean_ops[] = {"and", "or", NULL};
static const char *const comparisons[] = {
    "lt", "gt", "lte", "gte", "eq", "ne", "defined", "not_defined", NULL,
};
static const char *const value_types[] = {"string", "integer", "number", "version", NULL};
static const char *const value_sources[] = {"literal", "param", "meta", NULL};
static const char *const date_ops[] = {"in_range", "date_spec", "gt", "lt", NULL};
static const char *const order_kinds[] = {"Mandatory", "Optional", "Serialize", NULL};
static const char *const actions[] = {"start", "stop", "promote", "demote", NULL};
static const char *const orderings[] = {"group", "listed", NULL};
static const char *const node_types[] = {"member", "ping", NULL};

static const struct value_rule value_rules[] = {
    {"primitive", "class", VALUE_ENUM, classes},
    {"op", "role", VALUE_ENUM, roles},
    {"op", "on-fail", VALUE_ENUM, on_fail},
    {"op", "requires", VALUE_ENUM, requires},
    {"op", "enabled", VALUE_BOOLEAN, NULL},
    {"op", "record-pending", VALUE_BOOLEAN, NULL},
    {"op", "interval", VALUE_DURATION, NULL},
    {"op", "timeout", VALUE_DURATION, NULL},
    {"op", "start-delay", VALUE_DURATION, NULL},
    {"node", "type", VALUE_ENUM, node_types},
    {"node", "score", VALUE_SCORE, NULL},
    {"cluster_property_set", "score", VALUE_SCORE, NULL},
    {"meta_attributes", "score", VALUE_SCORE, NULL},
    {"instance_attributes", "score", VALUE_SCORE, NULL},
    {"utilization", "score", VALUE_SCORE, NULL},
    {"rsc_location", "score", VALUE_SCORE, NULL},
    {"rsc_location", "role", VALUE_ENUM, roles},
    {"rsc_location", "resource-discovery", VALUE_ENUM, discovery},
    {"rule", "score", VALUE_SCORE, NULL},
    {"rule", "role", VALUE_ENUM, roles},
    {"rule", "boolean-op", VALUE_ENUM, boolean_ops},
    {"expression", "operation", VALUE_ENUM, comparisons},
    {"expression", "type", VALUE_ENUM, value_types},
    {"expression", "value-source", VALUE_ENUM, value_sources},
    {"date_expression", "operation", VALUE_ENUM, date_ops},
    {"rsc_colocation", "score", VALUE_SCORE, NULL},
    {"rsc_colocation", "rsc-role", VALUE_ENUM, roles},
    {"rsc_colocation", "with-rsc-role", VALUE_ENUM, roles},
    {"rsc_colocation", "influence", VALUE_BOOLEAN, NULL},
    {"rsc_order", "kind", VALUE_ENUM, order_kinds},
    {"rsc_order", "score", VALUE_SCORE, NULL},
    {"rsc_order", "symmetrical", VALUE_BOOLEAN, NULL},
    {"rsc_order", "require-all", VALUE_BOOLEAN, NULL},
    {"rsc_order", "first-action", VALUE_ENUM, actions},
    {"rsc_order", "then-action", VALUE_ENUM, actions},
    {"resource_set", "sequential", VALUE_BOOLEAN, NULL},
    {"resource_set", "require-all", VALUE_BOOLEAN, NULL},
    {"resource_set", "ordering", VALUE_ENUM, orderings},
    {"resource_set", "action", VALUE_ENUM, actions},
    {"resource_set", "role", VALUE_ENUM, roles},
    {"resource_set", "score", VALUE_SCORE, NULL},
    {"resource_set", "kind", VALUE_ENUM, order_kinds},
};

/* Values of Pacemaker's format that name a feature Belay deliberately lacks. */
static const struct {
    const char *element;
    const char *attribute;
    const char *value;
    const char *reason;
} unsupported_values[] = {
    {"node", "type", "remote", "Belay does not support remote nodes"},
};

static const char *
unsupported_reason(const xmlNode *node, const char *attribute, const char *value)
{
    for (size_t i = 0; i < G_N_ELEMENTS(unsupported_values); i++) {
        if (bl_xml_is(node, unsupported_values[i].element)
            && strcmp(unsupported_values[i].attribute, attribute) == 0
            && strcmp(unsupported_values[i].value, value) == 0) {
            return unsupported_values[i].reason;
        }
    }
    return NULL;
}

/* Pacemaker's crm_is_true()/crm_str_to_boolean() spellings. */
static const char *const booleans[] = {
    "true", "false", "yes", "no", "on", "off", "y", "n", "1", "0", NULL,
};

static bool
in_list(const char *const *values, const char *value, bool ignore_case)
{
    for (size_t i = 0; values[i] != NULL; i++) {
        if ((ignore_case ? strcasecmp(values[i], value) : strcmp(values[i], value)) == 0) {
            return true;
        }
    }
    return false;
}

/* "a, b or c", plus " (did you mean 'x'?)" when one is close to VALUE. */
static char *
expected_values(const char *const *values, const char *value)
{
    GString *text = g_string_new(NULL);
    const char *closest = NULL;

    for (size_t i = 0; values[i] != NULL; i++) {
        if (i > 0) {
            g_string_append(text, values[i + 1] == NULL ? " or " : ", ");
        }
        g_string_append(text, values[i]);
        if (closest == NULL
            && (strcasecmp(values[i], value) == 0 || bl_edit_distance(values[i], value, 2) <= 2)) {
            closest = values[i];
        }
    }
    if (closest != NULL) {
        g_string_append_printf(text, "; did you mean '%s'?", closest);
    }
    return g_string_free(text, FALSE);
}

static bool
check_value(const bl__semantic_t *sem, const xmlNode *node, const struct value_rule *rule,
            const char *value)
{
    g_autofree char *what = NULL;
    g_autofree char *expected = NULL;
    char *inner = NULL;
    int score;
    uint64_t ms;
    bool bad;

    switch (rule->kind) {
    case VALUE_ENUM:
        bad = !in_list(rule->values, value, false);
        break;
    case VALUE_BOOLEAN:
        bad = !in_list(booleans, value, true);
        break;
    case VALUE_SCORE:
        bad = bl_score_parse(value, &score, &inner) != 0;
        break;
    default:
        bad = bl_duration_parse_ms(value, &ms, &inner) != 0;
        break;
    }
    if (!bad) {
        return false;
    }
    what = bl__cib_describe(node);
    if (inner != NULL) {
        bl_err_set(sem->err, "line %ld: %s: %s: %s", bl_xml_line(node), what, rule->attribute,
                   inner);
        free(inner);
        return true;
    }
    if (unsupported_reason(node, rule->attribute, value) != NULL) {
        bl_err_set(sem->err, "line %ld: %s: %s '%s' is not supported (%s)", bl_xml_line(node), what,
                   rule->attribute, value, unsupported_reason(node, rule->attribute, value));
        return true;
    }
    expected = expected_values(rule->kind == VALUE_ENUM ? rule->values : booleans, value);
    bl_err_set(sem->err, "line %ld: %s: %s '%s' is not valid (expected %s)", bl_xml_line(node),
               what, rule->attribute, value, expected);
    return true;
}

bool
bl__semantic_check_values(const bl__semantic_t *sem, const xmlNode *node)
{
    const char *name = (const char *) node->name;

    for (size_t i = 0; i < G_N_ELEMENTS(value_rules); i++) {
        const char *value;

        if (strcmp(value_rules[i].element, name) != 0) {
            continue;
        }
        value = bl_xml_attr(node, value_rules[i].attribute);
        if (value != NULL && check_value(sem, node, &value_rules[i], value)) {
            return true;
        }
    }
    return false;
}
