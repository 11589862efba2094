/* Rules: node attribute expressions, date expressions, nested rules with and/or. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "sched_private.h"

static int64_t
days_from_civil(int64_t y, unsigned m, unsigned d)
{
    /* Howard Hinnant's algorithm: days since 1970-01-01 in the proleptic Gregorian calendar. */
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned) (y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

    return era * 146097 + (int64_t) doe - 719468;
}

static int
parse_offset(const char *p, int *offset)
{
    int hours = 0;
    int minutes = 0;
    int sign;

    *offset = 0;
    if (*p == '\0' || ((*p == 'Z' || *p == 'z') && p[1] == '\0')) {
        return 0;
    }
    if (*p != '+' && *p != '-') {
        return -1;
    }
    sign = (*p == '-') ? -1 : 1;
    if (sscanf(p + 1, "%2d:%2d", &hours, &minutes) < 1
        && sscanf(p + 1, "%2d%2d", &hours, &minutes) < 1) {
        return -1;
    }
    *offset = sign * (hours * 3600 + minutes * 60);
    return 0;
}

int
bl_sched_date_parse(const char *text, int64_t *epoch, char **err)
{
    int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, used = 0;
    int offset = 0;
    const char *p;

    if (text != NULL && text[0] == '@') {
        char *end = NULL;
        long long value = strtoll(text + 1, &end, 10);

        if (end != text + 1 && *end == '\0') {
            *epoch = value;
            return 0;
        }
    }
    if (text != NULL && sscanf(text, "%4d-%3d%n", &year, &day, &used) == 2 && used == 8
        && (text[8] == '\0' || text[8] == 'T' || text[8] == ' ')) {
        /* ISO 8601 ordinal date YYYY-DDD */
        if (day < 1 || day > 366) {
            goto bad;
        }
        month = 1;
    } else if (text == NULL || sscanf(text, "%4d-%2d-%2d%n", &year, &month, &day, &used) < 3
               || month < 1 || month > 12 || day < 1 || day > 31) {
        goto bad;
    }
    p = text + used;
    if (*p == 'T' || *p == ' ') {
        int n = 0;

        if (sscanf(p + 1, "%2d:%2d%n", &hour, &minute, &n) < 2) {
            goto bad;
        }
        p += 1 + n;
        if (*p == ':' && sscanf(p + 1, "%2d%n", &second, &n) == 1) {
            p += 1 + n;
        }
        while (*p == ' ') {
            p++;
        }
    }
    if (parse_offset(p, &offset) != 0 || hour > 24 || minute > 59 || second > 60) {
        goto bad;
    }
    *epoch = days_from_civil(year, (unsigned) month, (unsigned) day) * 86400 + hour * 3600
             + minute * 60 + second - offset;
    return 0;
bad:
    bl_err_set(err, "invalid date '%s' (expected YYYY-MM-DD[ HH:MM[:SS]] or YYYY-MM-DDTHH:MM:SSZ)",
               text != NULL ? text : "");
    return BL_EPARSE;
}

/* Pacemaker's comparison: -1/0/1, falling back to strings when numbers do not parse. */
static int
compare_typed(const char *left, const char *right, const char *type)
{
    if (left == NULL || right == NULL) {
        return (left == right) ? 0 : (left == NULL ? -1 : 1);
    }
    if (strcasecmp(type, "integer") == 0) {
        /* Pacemaker reads the leading integer: "3.4" and "3.6" are both 3. */
        char *end_l = NULL;
        char *end_r = NULL;
        long long l = strtoll(left, &end_l, 10);
        long long r = strtoll(right, &end_r, 10);

        if (end_l != left && end_r != right) {
            return (l < r) ? -1 : (l > r);
        }
    } else if (strcasecmp(type, "number") == 0) {
        char *end_l = NULL;
        char *end_r = NULL;
        double l = strtod(left, &end_l);
        double r = strtod(right, &end_r);

        if (end_l != left && *end_l == '\0' && end_r != right && *end_r == '\0') {
            return (l < r) ? -1 : (l > r);
        }
    } else if (strcasecmp(type, "version") == 0) {
        const char *a = left;
        const char *b = right;

        while (*a != '\0' || *b != '\0') {
            long x = strtol(a, (char **) &a, 10);
            long y = strtol(b, (char **) &b, 10);

            if (x != y) {
                return (x < y) ? -1 : 1;
            }
            a += (*a == '.');
            b += (*b == '.');
            if ((*a != '\0' && !isdigit((unsigned char) *a))
                || (*b != '\0' && !isdigit((unsigned char) *b))) {
                break;
            }
        }
        return 0;
    }
    int cmp = strcasecmp(left, right);

    return (cmp < 0) ? -1 : (cmp > 0);
}

static int
eval_attr_expr(const bl_sched_t *s, const xmlNode *expr, const bl_snode_t *node, bool *matched)
{
    const char *attr = bl_xml_attr(expr, "attribute");
    const char *op = bl_xml_attr(expr, "operation");
    const char *value = bl_xml_attr(expr, "value");
    const char *type = bl_xml_attr(expr, "type");
    const char *source = bl_xml_attr(expr, "value-source");
    const char *actual;
    int cmp;

    if (attr == NULL || op == NULL) {
        bl_err_set(s->err, "expression '%s': attribute and operation are required",
                   bl_xml_attr(expr, "id"));
        return BL_EINVALID;
    }
    if (source != NULL && strcmp(source, "literal") != 0) {
        bl_err_set(s->err, "expression '%s': value-source '%s' is not supported yet",
                   bl_xml_attr(expr, "id"), source);
        return BL_EUNSUPPORTED;
    }
    actual = node != NULL ? bl__sched_node_attr(node, attr) : NULL;
    if (strcasecmp(op, "defined") == 0 || strcasecmp(op, "not_defined") == 0) {
        *matched = (actual != NULL) == (strcasecmp(op, "defined") == 0);
        return 0;
    }
    if (type == NULL) {
        bool ordered = strcasecmp(op, "lt") == 0 || strcasecmp(op, "lte") == 0
                       || strcasecmp(op, "gt") == 0 || strcasecmp(op, "gte") == 0;

        type = ordered ? "number" : "string";
    }
    cmp = compare_typed(actual, value, type);
    if (strcasecmp(op, "eq") == 0) {
        *matched = cmp == 0;
    } else if (strcasecmp(op, "ne") == 0) {
        *matched = cmp != 0;
    } else if (actual == NULL || value == NULL) {
        *matched = false;
    } else if (strcasecmp(op, "lt") == 0) {
        *matched = cmp < 0;
    } else if (strcasecmp(op, "lte") == 0) {
        *matched = cmp <= 0;
    } else if (strcasecmp(op, "gt") == 0) {
        *matched = cmp > 0;
    } else if (strcasecmp(op, "gte") == 0) {
        *matched = cmp >= 0;
    } else {
        bl_err_set(s->err, "expression '%s': unknown operation '%s'", bl_xml_attr(expr, "id"), op);
        return BL_EINVALID;
    }
    return 0;
}

static int
date_attr(const bl_sched_t *s, const xmlNode *expr, const char *name, int64_t *when, bool *set)
{
    const char *text = bl_xml_attr(expr, name);

    *set = text != NULL;
    if (text == NULL) {
        return 0;
    }
    if (bl_sched_date_parse(text, when, s->err) != 0) {
        bl_err_prefix(s->err, "date_expression '%s'", bl_xml_attr(expr, "id"));
        return BL_EINVALID;
    }
    return 0;
}

static int
eval_date_expr(const bl_sched_t *s, const xmlNode *expr, bool *matched)
{
    const char *op = bl_xml_attr(expr, "operation");
    int64_t start = 0, end = 0;
    bool has_start, has_end;

    if (op == NULL) {
        op = "in_range";
    }
    if (strcmp(op, "date_spec") == 0 || bl_xml_first_child(expr, "duration") != NULL) {
        bl_err_set(s->err, "date_expression '%s': %s is not supported yet", bl_xml_attr(expr, "id"),
                   strcmp(op, "date_spec") == 0 ? "date_spec" : "duration");
        return BL_EUNSUPPORTED;
    }
    if (date_attr(s, expr, "start", &start, &has_start) != 0
        || date_attr(s, expr, "end", &end, &has_end) != 0) {
        return BL_EINVALID;
    }
    if (strcmp(op, "gt") == 0) {
        *matched = has_start && s->now > start;
    } else if (strcmp(op, "lt") == 0) {
        *matched = has_end && s->now < end;
    } else if (strcmp(op, "in_range") == 0) {
        *matched = (!has_start || s->now >= start) && (!has_end || s->now <= end);
    } else {
        bl_err_set(s->err, "date_expression '%s': unknown operation '%s'", bl_xml_attr(expr, "id"),
                   op);
        return BL_EINVALID;
    }
    return 0;
}

static int
eval_child(const bl_sched_t *s, const xmlNode *child, const bl_snode_t *node, bool *matched)
{
    if (bl_xml_is(child, "expression")) {
        return eval_attr_expr(s, child, node, matched);
    }
    if (bl_xml_is(child, "date_expression")) {
        return eval_date_expr(s, child, matched);
    }
    if (bl_xml_is(child, "rule")) {
        return bl__sched_rule_eval(s, child, node, matched);
    }
    bl_err_set(s->err, "rule element <%s> (line %ld) is not supported yet",
               (const char *) child->name, bl_xml_line(child));
    return BL_EUNSUPPORTED;
}

int
bl__sched_rule_eval(const bl_sched_t *s, const xmlNode *rule, const bl_snode_t *node, bool *matched)
{
    const char *op = bl_xml_attr(rule, "boolean-op");
    bool is_or = op != NULL && strcasecmp(op, "or") == 0;
    bool result = !is_or;

    if (bl_xml_attr(rule, "id-ref") != NULL) {
        bl_err_set(s->err, "rule id-ref '%s' is not supported yet", bl_xml_attr(rule, "id-ref"));
        return BL_EUNSUPPORTED;
    }
    for (xmlNode *child = bl_xml_first_child(rule, NULL); child != NULL;
         child = bl_xml_next(child, NULL)) {
        bool value = false;
        int rc = eval_child(s, child, node, &value);

        if (rc != 0) {
            return rc;
        }
        if (is_or && value) {
            result = true;
            break;
        }
        if (!is_or && !value) {
            result = false;
            break;
        }
    }
    *matched = result;
    return 0;
}
