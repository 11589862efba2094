/* Location constraints and their rules (attribute, date and date_spec expressions). */
#include <string.h>

#include "crm_private.h"

typedef struct rule_parse {
    crm_ctx_t *ctx;
    const char *loc; /* location id, for messages */
    xmlNode *rule;
    char *const *words;
    int count;
    int pos;
    char **err;
} rule_parse_t;

static const char *const attr_ops[] = {"lt", "gt", "lte", "gte", "eq", "ne", NULL};
static const char *const value_types[] = {"string", "integer", "number", "version", NULL};
/* The fields Pacemaker's schema allows in <date_spec> and <duration>. */
static const char *const date_spec_fields[] = {
    "hours", "monthdays", "weekdays", "yeardays", "months",  "weeks",
    "years", "weekyears", "moon",     "minutes",  "seconds", NULL,
};
static const char *const duration_fields[] = {
    "years", "months", "weeks", "days", "hours", "minutes", "seconds", NULL,
};

static const char *
peek(const rule_parse_t *rp)
{
    return rp->pos < rp->count ? rp->words[rp->pos] : NULL;
}

static const char *
take(rule_parse_t *rp, const char *expected)
{
    if (rp->pos >= rp->count) {
        bl_err_set(rp->err, "location %s: rule ends early (expected %s)", rp->loc, expected);
        return NULL;
    }
    return rp->words[rp->pos++];
}

static bool
is_bool_op(const char *word)
{
    return word != NULL && (strcmp(word, "and") == 0 || strcmp(word, "or") == 0);
}

static xmlNode *
new_expression(rule_parse_t *rp, const char *tag)
{
    xmlNode *expr = bl_xml_add_child(rp->rule, tag);
    char *base = g_strdup_printf("%s-expression", bl_xml_attr(rp->rule, "id"));

    bl__crm_id_assign(rp->ctx, expr, base);
    g_free(base);
    return expr;
}

static xmlNode *
new_sub(rule_parse_t *rp, xmlNode *expr, const char *tag)
{
    xmlNode *sub = bl_xml_add_child(expr, tag);
    char *base = g_strdup_printf("%s-%s", bl_xml_attr(expr, "id"), tag);

    bl__crm_id_assign(rp->ctx, sub, base);
    g_free(base);
    return sub;
}

/* date in start=… end=… [duration K=V…] | date spec K=V… : K=V words up to and/or. */
static int
date_nvpairs(rule_parse_t *rp, xmlNode *expr, bool spec)
{
    xmlNode *sub = NULL;

    while (peek(rp) != NULL && !is_bool_op(peek(rp))) {
        g_autofree char *name = NULL;
        g_autofree char *value = NULL;

        if (!bl__crm_split_nv(take(rp, "NAME=VALUE"), &name, &value) || !bl__crm_name_valid(name)) {
            bl_err_set(rp->err, "location %s: date: expected NAME=VALUE, got '%s'", rp->loc,
                       rp->words[rp->pos - 1]);
            return BL_EPARSE;
        }
        if (!spec && (strcmp(name, "start") == 0 || strcmp(name, "end") == 0)) {
            bl_xml_set_attr(expr, name, value);
            continue;
        }
        if (!g_strv_contains(spec ? date_spec_fields : duration_fields, name)) {
            bl_err_set(rp->err, "location %s: unknown %s field '%s'", rp->loc,
                       spec ? "date spec" : "date range", name);
            return BL_EPARSE;
        }
        if (sub == NULL) {
            sub = new_sub(rp, expr, spec ? "date_spec" : "duration");
        }
        bl_xml_set_attr(sub, name, value);
    }
    return 0;
}

static int
date_expression(rule_parse_t *rp)
{
    const char *op = take(rp, "in, gt, lt or spec after date");
    xmlNode *expr;

    if (op == NULL) {
        return BL_EPARSE;
    }
    expr = new_expression(rp, "date_expression");
    if (strcmp(op, "gt") == 0 || strcmp(op, "lt") == 0) {
        const char *date = take(rp, "a date");

        if (date == NULL) {
            return BL_EPARSE;
        }
        bl_xml_set_attr(expr, "operation", op);
        bl_xml_set_attr(expr, strcmp(op, "gt") == 0 ? "start" : "end", date);
        return 0;
    }
    if (strcmp(op, "in") == 0 || strcmp(op, "in_range") == 0) {
        bl_xml_set_attr(expr, "operation", "in_range");
        return date_nvpairs(rp, expr, false);
    }
    if (strcmp(op, "spec") == 0 || strcmp(op, "date_spec") == 0) {
        bl_xml_set_attr(expr, "operation", "date_spec");
        return date_nvpairs(rp, expr, true);
    }
    bl_err_set(rp->err, "location %s: unknown date operation '%s' (expected in, gt, lt or spec)",
               rp->loc, op);
    return BL_EPARSE;
}

/* "TYPE:OP" (crmsh) sets the value type; so does a "TYPE:" prefix on the value. */
static int
attr_expression(rule_parse_t *rp, const char *attribute)
{
    const char *op = take(rp, "an operator");
    const char *value = op != NULL ? take(rp, "a value") : NULL;
    const char *colon = op != NULL ? strchr(op, ':') : NULL;
    g_autofree char *type = colon != NULL ? g_strndup(op, (gsize) (colon - op)) : NULL;
    xmlNode *expr;

    if (value == NULL) {
        return BL_EPARSE;
    }
    if (colon != NULL) {
        op = colon + 1;
    }
    if (!g_strv_contains(attr_ops, op) || (type != NULL && !g_strv_contains(value_types, type))) {
        bl_err_set(
            rp->err,
            "location %s: bad operator '%s' in rule (expected [TYPE:]lt, gt, lte, gte, eq or ne)",
            rp->loc, rp->words[rp->pos - 2]);
        return BL_EPARSE;
    }
    colon = strchr(value, ':');
    if (type == NULL && colon != NULL) {
        g_autofree char *prefix = g_strndup(value, (gsize) (colon - value));

        if (g_strv_contains(value_types, prefix)) {
            type = g_steal_pointer(&prefix);
            value = colon + 1;
        }
    }
    expr = new_expression(rp, "expression");
    bl_xml_set_attr(expr, "attribute", attribute);
    bl_xml_set_attr(expr, "operation", op);
    bl_xml_set_attr(expr, "type", type);
    bl_xml_set_attr(expr, "value", value);
    return 0;
}

static int
one_expression(rule_parse_t *rp)
{
    const char *word = take(rp, "an expression");
    xmlNode *expr;

    if (word == NULL) {
        return BL_EPARSE;
    }
    if (strcmp(word, "defined") == 0 || strcmp(word, "not_defined") == 0) {
        const char *attribute = take(rp, "an attribute name");

        if (attribute == NULL) {
            return BL_EPARSE;
        }
        if (!bl__crm_name_valid(attribute)) {
            bl_err_set(rp->err, "location %s: bad attribute name '%s' in rule", rp->loc, attribute);
            return BL_EPARSE;
        }
        expr = new_expression(rp, "expression");
        bl_xml_set_attr(expr, "attribute", attribute);
        bl_xml_set_attr(expr, "operation", word);
        return 0;
    }
    if (strcmp(word, "date") == 0) {
        return date_expression(rp);
    }
    if (!bl__crm_name_valid(word)) {
        bl_err_set(rp->err, "location %s: bad attribute name '%s' in rule", rp->loc, word);
        return BL_EPARSE;
    }
    return attr_expression(rp, word);
}

static int
expressions(rule_parse_t *rp)
{
    const char *bool_op = NULL;
    int rc = one_expression(rp);

    while (rc == 0 && peek(rp) != NULL) {
        const char *op = take(rp, "and or or");

        if (!is_bool_op(op)) {
            bl_err_set(rp->err, "location %s: expected 'and' or 'or' in rule, got '%s'", rp->loc,
                       op);
            return BL_EPARSE;
        }
        if (bool_op != NULL && strcmp(op, bool_op) != 0) {
            bl_err_set(
                rp->err,
                "location %s: a rule uses one boolean operator; use several rules to mix 'and' and 'or'",
                rp->loc);
            return BL_EPARSE;
        }
        bool_op = op;
        rc = one_expression(rp);
    }
    if (rc == 0 && bool_op != NULL && strcmp(bool_op, "or") == 0) {
        bl_xml_set_attr(rp->rule, "boolean-op", "or");
    }
    return rc;
}

/* crmsh writes "mandatory"/"advisory" as scores and any other name as score-attribute. */
static int
score_attribute(crm_ctx_t *ctx, xmlNode *node, const char *text, bool allow_attribute,
                const char *loc, char **err)
{
    g_autofree char *score = NULL;

    (void) ctx;
    if (g_ascii_strcasecmp(text, "mandatory") == 0) {
        score = g_strdup("INFINITY");
    } else if (g_ascii_strcasecmp(text, "advisory") == 0) {
        score = g_strdup("0");
    } else if (!bl__crm_score(text, &score)) {
        if (!allow_attribute || !bl__crm_name_valid(text)) {
            bl_err_set(err, "location %s: bad score '%s' (expected an integer, inf or -inf)", loc,
                       text);
            return BL_EPARSE;
        }
        bl_xml_set_attr(node, "score-attribute", text);
        return 0;
    }
    bl_xml_set_attr(node, "score", score);
    return 0;
}

static int
rule_head(rule_parse_t *rp, const char **given_id)
{
    const char *word;

    while ((word = peek(rp)) != NULL) {
        size_t len = strlen(word);

        if (g_str_has_prefix(word, "$id=") || g_str_has_prefix(word, "id=")) {
            *given_id = strchr(word, '=') + 1;
        } else if (g_str_has_prefix(word, "$role=") || g_str_has_prefix(word, "role=")) {
            const char *role = strchr(word, '=') + 1;

            if (!bl__crm_role_valid(role)) {
                bl_err_set(rp->err, "location %s: bad role '%s' in rule", rp->loc, role);
                return BL_EPARSE;
            }
            bl_xml_set_attr(rp->rule, "role", role);
        } else if (len > 1 && word[len - 1] == ':') {
            g_autofree char *text = g_strndup(word, len - 1);

            rp->pos++;
            return score_attribute(rp->ctx, rp->rule, text, true, rp->loc, rp->err);
        } else {
            break;
        }
        rp->pos++;
    }
    bl_xml_set_attr(rp->rule, "score", "INFINITY");
    return 0;
}

int
bl__crm_rule_parse(crm_ctx_t *ctx, xmlNode *loc, char *const words[], int count, char **err)
{
    rule_parse_t rp = {ctx, bl_xml_attr(loc, "id"), NULL, words, count, 0, err};
    const char *given_id = NULL;
    g_autofree char *base = NULL;
    int rc;

    rp.rule = bl_xml_add_child(loc, "rule");
    rc = rule_head(&rp, &given_id);
    if (rc != 0) {
        return rc;
    }
    if (given_id != NULL) {
        rc = bl__crm_check_new_id(ctx, "location", given_id, err);
        if (rc != 0) {
            return rc;
        }
        bl_xml_set_attr(rp.rule, "id", given_id);
        bl__crm_ids_add_tree(ctx, rp.rule);
    } else {
        base = g_strdup_printf("%s-rule", rp.loc);
        bl__crm_id_assign(ctx, rp.rule, base);
    }
    return expressions(&rp);
}

/* location ID RSC [role=…] [resource-discovery=…] (SCORE: NODE | rule … [rule …]…) */
static int
location_head(crm_ctx_t *ctx, xmlNode *loc, char *const argv[], int argc, int *pos, char **err)
{
    const char *id = argv[1];

    if (bl__crm_resource(ctx, argv[2]) == NULL) {
        return bl__crm_no_resource(ctx, "location", id, argv[2], err);
    }
    bl_xml_set_attr(loc, "rsc", argv[2]);
    for (*pos = 3; *pos < argc; (*pos)++) {
        const char *w = argv[*pos];

        if (g_str_has_prefix(w, "role=")) {
            if (!bl__crm_role_valid(w + 5)) {
                bl_err_set(err, "location %s: bad role '%s'", id, w + 5);
                return BL_EPARSE;
            }
            bl_xml_set_attr(loc, "role", w + 5);
        } else if (g_str_has_prefix(w, "resource-discovery=")) {
            const char *v = w + strlen("resource-discovery=");

            if (strcmp(v, "always") && strcmp(v, "never") && strcmp(v, "exclusive")) {
                bl_err_set(
                    err,
                    "location %s: resource-discovery must be always, never or exclusive, not '%s'",
                    id, v);
                return BL_EPARSE;
            }
            bl_xml_set_attr(loc, "resource-discovery", v);
        } else {
            return 0;
        }
    }
    return 0;
}

static int
location_rules(crm_ctx_t *ctx, xmlNode *loc, char *const argv[], int argc, int pos, char **err)
{
    while (pos < argc) {
        int end = pos + 1;
        int rc;

        while (end < argc && strcmp(argv[end], "rule") != 0) {
            end++;
        }
        rc = bl__crm_rule_parse(ctx, loc, argv + pos + 1, end - pos - 1, err);
        if (rc != 0) {
            return rc;
        }
        pos = end;
    }
    return 0;
}

static int
build_location(crm_ctx_t *ctx, xmlNode *loc, int argc, char *const argv[], char **err)
{
    const char *id = argv[1];
    int pos = 3;
    int rc = location_head(ctx, loc, argv, argc, &pos, err);
    size_t len;

    if (rc != 0) {
        return rc;
    }
    if (pos < argc && strcmp(argv[pos], "rule") == 0) {
        return location_rules(ctx, loc, argv, argc, pos, err);
    }
    len = pos < argc ? strlen(argv[pos]) : 0;
    if (len < 2 || argv[pos][len - 1] != ':' || pos + 2 != argc) {
        bl_err_set(err, "location %s: expected 'SCORE: NODE' or 'rule …' after the resource", id);
        return BL_EPARSE;
    }
    g_autofree char *score = g_strndup(argv[pos], len - 1);

    if (!bl__crm_name_valid(argv[pos + 1])) {
        bl_err_set(err, "location %s: bad node name '%s'", id, argv[pos + 1]);
        return BL_EPARSE;
    }
    rc = score_attribute(ctx, loc, score, false, id, err);
    bl_xml_set_attr(loc, "node", argv[pos + 1]);
    return rc;
}

int
bl__crm_cmd_location(crm_ctx_t *ctx, int argc, char *const argv[], char **err)
{
    xmlNode *constraints = bl__crm_section(ctx, "constraints");
    xmlNode *old, *loc;
    int rc;

    if (argc < 4) {
        bl_err_set(
            err,
            "location: usage: location ID RESOURCE [role=ROLE] SCORE: NODE | location ID RESOURCE rule [SCORE:] EXPRESSION");
        return BL_EUSAGE;
    }
    rc = bl__crm_check_new_id(ctx, "location", argv[1], err);
    if (rc != 0) {
        return rc;
    }
    old = bl__crm_replace_begin(ctx, argv[1]);
    loc = xmlNewNode(NULL, (const xmlChar *) "rsc_location");
    bl_xml_set_attr(loc, "id", argv[1]);
    bl__crm_id_register(ctx, loc);
    rc = build_location(ctx, loc, argc, argv, err);
    if (rc == 0 && old != NULL && !bl_xml_is(old, "rsc_location")) {
        bl_err_set(err, "location %s: id '%s' is already used by a %s", argv[1], argv[1],
                   (const char *) old->name);
        rc = BL_EEXISTS;
    }
    bl__crm_replace_end(ctx, old, loc, constraints, rc);
    return rc;
}
