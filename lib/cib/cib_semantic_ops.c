/*
 * Primitives and date expressions: checks that need more than one attribute at a time.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <belay/cib.h>

#include "cib_private.h"

/* OCF agents live under a provider's directory; no other class has providers. */
static bool
check_provider(const bl__semantic_t *sem, const xmlNode *node)
{
    const char *class = bl_xml_attr(node, "class");
    const char *provider = bl_xml_attr(node, "provider");
    g_autofree char *what = NULL;

    if (class == NULL || (strcmp(class, "ocf") == 0) == (provider != NULL)) {
        return false;
    }
    what = bl__cib_describe(node);
    if (provider == NULL) {
        bl_err_set(sem->err,
                   "line %ld: %s: class 'ocf' needs a provider (e.g. provider=\"heartbeat\")",
                   bl_xml_line(node), what);
    } else {
        bl_err_set(sem->err,
                   "line %ld: %s: provider '%s' is only allowed with class 'ocf', not '%s'",
                   bl_xml_line(node), what, provider, class);
    }
    return true;
}

/*
 * Pacemaker identifies an operation by resource, name and interval, so two with the
 * same name and interval (10s and 10000ms are the same) cannot coexist.
 */
static bool
check_duplicate_ops(const bl__semantic_t *sem, const xmlNode *primitive)
{
    const xmlNode *operations = bl_xml_first_child(primitive, "operations");
    const char *id = bl_xml_attr(primitive, "id");
    g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);

    for (const xmlNode *op = bl_xml_first_child(operations, "op"); op != NULL;
         op = bl_xml_next(op, "op")) {
        const char *name = bl_xml_attr(op, "name");
        const char *interval = bl_xml_attr(op, "interval");
        const xmlNode *previous;
        uint64_t ms;
        char *key;

        /* A malformed interval is reported when the op itself is checked. */
        if (name == NULL || interval == NULL || bl_duration_parse_ms(interval, &ms, NULL) != 0) {
            continue;
        }
        key = g_strdup_printf("%s %" PRIu64, name, ms);
        previous = g_hash_table_lookup(seen, key);
        if (previous == NULL) {
            g_hash_table_insert(seen, key, (gpointer) op);
            continue;
        }
        g_free(key);
        {
            g_autofree char *what = bl__cib_describe(op);
            g_autofree char *other = bl__cib_describe(previous);

            bl_err_set(
                sem->err,
                "line %ld: %s of primitive '%s' has the same name and interval as %s at line %ld ('%s' every %s); Pacemaker refuses two such operations",
                bl_xml_line(op), what, id != NULL ? id : "", other, bl_xml_line(previous), name,
                interval);
        }
        return true;
    }
    return false;
}

bool
bl__semantic_check_primitive(const bl__semantic_t *sem, const xmlNode *node)
{
    return check_provider(sem, node) || check_duplicate_ops(sem, node);
}

/* What each date_expression operation needs: Pacemaker ignores the rule otherwise. */
static const char *
date_expression_fault(const xmlNode *node, const char *operation)
{
    bool start = bl_xml_attr(node, "start") != NULL;
    bool end = bl_xml_attr(node, "end") != NULL;
    bool spec = bl_xml_first_child(node, "date_spec") != NULL;
    bool duration = bl_xml_first_child(node, "duration") != NULL;

    if (strcmp(operation, "in_range") == 0) {
        if (!start && !end) {
            return "operation 'in_range' needs start, end or both";
        }
        if (duration && !start) {
            return "a duration counts from start, which is missing";
        }
    } else if (strcmp(operation, "gt") == 0 && !start) {
        return "operation 'gt' needs start";
    } else if (strcmp(operation, "lt") == 0 && !end) {
        return "operation 'lt' needs end";
    } else if (strcmp(operation, "date_spec") == 0 && !spec) {
        return "operation 'date_spec' needs a date_spec element";
    }
    if (spec && strcmp(operation, "date_spec") != 0) {
        return "a date_spec element is only used with operation 'date_spec'";
    }
    if (duration && strcmp(operation, "in_range") != 0) {
        return "a duration element is only used with operation 'in_range'";
    }
    return NULL;
}

bool
bl__semantic_check_date(const bl__semantic_t *sem, const xmlNode *node)
{
    const char *operation = bl_xml_attr(node, "operation");
    const char *fault = operation != NULL ? date_expression_fault(node, operation) : NULL;
    g_autofree char *what = NULL;

    if (fault == NULL) {
        return false;
    }
    what = bl__cib_describe(node);
    bl_err_set(sem->err, "line %ld: %s: %s", bl_xml_line(node), what, fault);
    return true;
}

/* Digits, then (when RANGE) optionally "-" and more digits: "9", "9-17". */
static bool
number_or_range(const char *text, bool range)
{
    const char *p = text;

    if (!g_ascii_isdigit(*p)) {
        return false;
    }
    while (g_ascii_isdigit(*p)) {
        p++;
    }
    if (range && *p == '-' && g_ascii_isdigit(p[1])) {
        for (p++; g_ascii_isdigit(*p); p++) {
        }
    }
    return *p == '\0';
}

bool
bl__semantic_check_date_fields(const bl__semantic_t *sem, const xmlNode *node)
{
    bool spec = bl_xml_is(node, "date_spec");

    for (const xmlAttr *a = node->properties; a != NULL; a = a->next) {
        const char *name = (const char *) a->name;
        const char *value = bl_xml_attr(node, name);
        g_autofree char *what = NULL;

        if (strcmp(name, "id") == 0 || number_or_range(value, spec)) {
            continue;
        }
        what = bl__cib_describe(node);
        bl_err_set(sem->err, "line %ld: %s: %s '%s' is not valid (expected %s)", bl_xml_line(node),
                   what, name, value, spec ? "a number or a range such as 9-17" : "a whole number");
        return true;
    }
    return false;
}
