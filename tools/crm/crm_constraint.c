/* Colocation and order constraints, in their simple form and with resource sets. */
#include <string.h>

#include "crm_private.h"

typedef struct cons_parse {
    crm_ctx_t *ctx;
    const char *what; /* "colocation" or "order" */
    const char *id;
    bool order;
    char **err;
} cons_parse_t;

/* Splits "rsc[:qualifier]" and checks both parts; *qual is NULL when there is none. */
static int
parse_ref(cons_parse_t *cp, const char *word, char **rsc, char **qual)
{
    const char *colon = strchr(word, ':');

    *rsc = colon != NULL ? g_strndup(word, (gsize) (colon - word)) : g_strdup(word);
    *qual = colon != NULL ? g_strdup(colon + 1) : NULL;
    if (bl__crm_resource(cp->ctx, *rsc) == NULL) {
        return bl__crm_no_resource(cp->ctx, cp->what, cp->id, *rsc, cp->err);
    }
    if (*qual != NULL && !(cp->order ? bl__crm_action_valid(*qual) : bl__crm_role_valid(*qual))) {
        bl_err_set(cp->err, "%s %s: bad %s '%s' for '%s' (expected %s)", cp->what, cp->id,
                   cp->order ? "action" : "role", *qual, *rsc,
                   cp->order ? "start, stop, promote or demote"
                             : "Started, Stopped, Promoted or Unpromoted");
        return BL_EPARSE;
    }
    return 0;
}

static int
simple_form(cons_parse_t *cp, xmlNode *cons, char *const words[])
{
    static const char *const col_attrs[] = {"rsc", "with-rsc"};
    static const char *const ord_attrs[] = {"first", "then"};

    for (int i = 0; i < 2; i++) {
        const char *attr = cp->order ? ord_attrs[i] : col_attrs[i];
        g_autofree char *rsc = NULL;
        g_autofree char *qual = NULL;
        g_autofree char *qual_attr = NULL;
        int rc = parse_ref(cp, words[i], &rsc, &qual);

        if (rc != 0) {
            return rc;
        }
        bl_xml_set_attr(cons, attr, rsc);
        qual_attr = g_strdup_printf("%s-%s", attr, cp->order ? "action" : "role");
        bl_xml_set_attr(cons, qual_attr, qual);
    }
    return 0;
}

typedef struct set_state {
    xmlNode *set; /* current set, NULL = none open */
    bool bracket; /* current set was opened by ( or [ */
    char close;   /* the bracket that closes it */
    int count;    /* sets made so far */
} set_state_t;

static xmlNode *
new_set(cons_parse_t *cp, xmlNode *cons, set_state_t *st)
{
    char *base = g_strdup_printf("%s-%d", cp->id, st->count++);

    st->set = bl_xml_add_child(cons, "resource_set");
    bl__crm_id_assign(cp->ctx, st->set, base);
    g_free(base);
    return st->set;
}

static int
open_bracket(cons_parse_t *cp, xmlNode *cons, set_state_t *st, const char *word)
{
    if (st->bracket) {
        bl_err_set(cp->err, "%s %s: resource sets cannot be nested ('%s' inside a set)", cp->what,
                   cp->id, word);
        return BL_EPARSE;
    }
    new_set(cp, cons, st);
    st->bracket = true;
    st->close = word[0] == '(' ? ')' : ']';
    if (word[0] == '[') {
        bl_xml_set_attr(st->set, "require-all", "false");
    }
    bl_xml_set_attr(st->set, "sequential", "false");
    return 0;
}

static int
close_bracket(cons_parse_t *cp, set_state_t *st, const char *word)
{
    if (!st->bracket || word[0] != st->close) {
        bl_err_set(cp->err, "%s %s: unexpected '%s'", cp->what, cp->id, word);
        return BL_EPARSE;
    }
    if (bl_xml_first_child(st->set, "resource_ref") == NULL) {
        bl_err_set(cp->err, "%s %s: empty resource set", cp->what, cp->id);
        return BL_EPARSE;
    }
    st->bracket = false;
    st->set = NULL;
    return 0;
}

/* "sequential=…" or "require-all=…" inside brackets sets the set's attribute. */
static int
set_attribute(set_state_t *st, const char *word)
{
    g_autofree char *name = NULL;
    g_autofree char *value = NULL;

    if (!st->bracket || !bl__crm_split_nv(word, &name, &value)
        || !(strcmp(name, "sequential") == 0 || strcmp(name, "require-all") == 0)
        || !(strcmp(value, "true") == 0 || strcmp(value, "false") == 0)) {
        return 1;
    }
    bl_xml_set_attr(st->set, name, value);
    return 0;
}

static int
add_ref(cons_parse_t *cp, xmlNode *cons, set_state_t *st, const char *word)
{
    const char *qattr = cp->order ? "action" : "role";
    g_autofree char *rsc = NULL;
    g_autofree char *qual = NULL;
    int rc = parse_ref(cp, word, &rsc, &qual);

    if (rc != 0) {
        return rc;
    }
    if (st->set != NULL && !st->bracket && g_strcmp0(bl_xml_attr(st->set, qattr), qual) != 0) {
        st->set = NULL; /* a different role/action starts a new set */
    }
    if (st->set == NULL) {
        new_set(cp, cons, st);
        bl_xml_set_attr(st->set, qattr, qual);
    } else if (st->bracket && qual != NULL) {
        bl_xml_set_attr(st->set, qattr, qual);
    }
    bl_xml_set_attr(bl_xml_add_child(st->set, "resource_ref"), "id", rsc);
    return 0;
}

static int
set_form(cons_parse_t *cp, xmlNode *cons, char *const words[], int count)
{
    set_state_t st = {NULL, false, 0, 0};

    for (int i = 0; i < count; i++) {
        const char *w = words[i];
        int rc;

        if (strcmp(w, "(") == 0 || strcmp(w, "[") == 0) {
            rc = open_bracket(cp, cons, &st, w);
        } else if (strcmp(w, ")") == 0 || strcmp(w, "]") == 0) {
            rc = close_bracket(cp, &st, w);
        } else if ((rc = set_attribute(&st, w)) > 0) {
            rc = add_ref(cp, cons, &st, w);
        }
        if (rc != 0) {
            return rc;
        }
    }
    if (st.bracket) {
        bl_err_set(cp->err, "%s %s: missing '%c'", cp->what, cp->id, st.close);
        return BL_EPARSE;
    }
    return 0;
}

static int
count_refs(const xmlNode *cons)
{
    int n = 0;

    for (xmlNode *set = bl_xml_first_child(cons, "resource_set"); set != NULL;
         set = bl_xml_next(set, "resource_set")) {
        for (xmlNode *ref = bl_xml_first_child(set, "resource_ref"); ref != NULL;
             ref = bl_xml_next(ref, "resource_ref")) {
            n++;
        }
    }
    return n;
}

/* Resources of a colocation or order: 2 plain → simple form; more, brackets or _rsc_set_ → sets. */
static int
parse_resources(cons_parse_t *cp, xmlNode *cons, char *const words[], int count)
{
    bool force_set = count > 0 && strcmp(words[0], "_rsc_set_") == 0;
    int rc;

    if (force_set) {
        words++;
        count--;
    }
    if (count == 2 && !force_set && strchr("([)]", words[0][0]) == NULL
        && strchr("([)]", words[1][0]) == NULL) {
        return simple_form(cp, cons, words);
    }
    rc = set_form(cp, cons, words, count);
    if (rc == 0 && count_refs(cons) < 2) {
        bl_err_set(cp->err, "%s %s: needs at least two resources", cp->what, cp->id);
        rc = BL_EUSAGE;
    }
    return rc;
}

/* A trailing NAME=VALUE for the whole constraint (symmetrical=, node-attribute=). */
static int
tail_attribute(cons_parse_t *cp, xmlNode *cons, const char *name, char *const words[], int *count)
{
    g_autofree char *n = NULL;
    g_autofree char *v = NULL;

    if (*count == 0 || !bl__crm_split_nv(words[*count - 1], &n, &v)) {
        return 0;
    }
    if (strcmp(n, name) != 0) {
        bl_err_set(cp->err, "%s %s: unknown attribute '%s' (expected %s=)", cp->what, cp->id, n,
                   name);
        return BL_EPARSE;
    }
    if (strcmp(name, "symmetrical") == 0) {
        if (strcmp(v, "true") && strcmp(v, "false") && strcmp(v, "yes") && strcmp(v, "no")
            && strcmp(v, "on") && strcmp(v, "off")) {
            bl_err_set(cp->err, "%s %s: symmetrical must be true or false, not '%s'", cp->what,
                       cp->id, v);
            return BL_EPARSE;
        }
        /* crmsh writes the canonical boolean. */
        bool yes = !strcmp(v, "true") || !strcmp(v, "yes") || !strcmp(v, "on");

        bl_xml_set_attr(cons, name, yes ? "true" : "false");
    } else if (bl__crm_name_valid(v)) {
        bl_xml_set_attr(cons, name, v);
    } else {
        bl_err_set(cp->err, "%s %s: bad %s '%s'", cp->what, cp->id, name, v);
        return BL_EPARSE;
    }
    (*count)--;
    return 0;
}

/* The "SCORE:" a colocation starts with. */
static int
colocation_score(cons_parse_t *cp, xmlNode *cons, const char *word)
{
    size_t len = strlen(word);
    g_autofree char *text = NULL;
    g_autofree char *score = NULL;

    if (len < 2 || word[len - 1] != ':') {
        bl_err_set(cp->err, "%s %s: expected a score such as 'inf:' before the resources, got '%s'",
                   cp->what, cp->id, word);
        return BL_EPARSE;
    }
    text = g_strndup(word, len - 1);
    if (g_ascii_strcasecmp(text, "mandatory") == 0) {
        score = g_strdup("INFINITY");
    } else if (g_ascii_strcasecmp(text, "advisory") == 0) {
        score = g_strdup("0");
    } else if (!bl__crm_score(text, &score)) {
        bl_err_set(cp->err, "%s %s: bad score '%s' (expected an integer, inf or -inf)", cp->what,
                   cp->id, text);
        return BL_EPARSE;
    }
    bl_xml_set_attr(cons, "score", score);
    return 0;
}

/* Optional "KIND:" or "SCORE:" of an order; returns 1 when words[0] was one. */
static int
order_kind(cons_parse_t *cp, xmlNode *cons, const char *word)
{
    static const char *const kinds[] = {"Mandatory", "Optional", "Serialize"};
    size_t len = strlen(word);
    g_autofree char *text = NULL;
    g_autofree char *score = NULL;

    if (len < 2 || word[len - 1] != ':') {
        return 0;
    }
    text = g_strndup(word, len - 1);
    for (size_t i = 0; i < G_N_ELEMENTS(kinds); i++) {
        if (g_ascii_strcasecmp(text, kinds[i]) == 0) {
            bl_xml_set_attr(cons, "kind", kinds[i]);
            return 1;
        }
    }
    if (!bl__crm_score(text, &score)) {
        bl_err_set(cp->err,
                   "%s %s: bad kind '%s' (expected Mandatory, Optional, Serialize or a score)",
                   cp->what, cp->id, text);
        return BL_EPARSE;
    }
    bl_xml_set_attr(cons, "kind", strcmp(score, "0") == 0 ? "Optional" : "Mandatory");
    return 1;
}

static int
constraint_command(crm_ctx_t *ctx, bool order, int argc, char *const argv[], char **err)
{
    cons_parse_t cp = {ctx, order ? "order" : "colocation", argc > 1 ? argv[1] : "", order, err};
    xmlNode *constraints = bl__crm_section(ctx, "constraints");
    int first = 3;
    int count;
    xmlNode *old, *cons;
    int rc;

    if (argc < 4) {
        bl_err_set(err, "%s: usage: %s", cp.what,
                   order ? "order ID [KIND:] RSC[:ACTION] RSC[:ACTION]… [symmetrical=BOOL]"
                         : "colocation ID SCORE: RSC[:ROLE] RSC[:ROLE]… [node-attribute=NAME]");
        return BL_EUSAGE;
    }
    rc = bl__crm_check_new_id(ctx, cp.what, argv[1], err);
    if (rc != 0) {
        return rc;
    }
    old = bl__crm_replace_begin(ctx, argv[1]);
    cons = xmlNewNode(NULL, (const xmlChar *) (order ? "rsc_order" : "rsc_colocation"));
    bl_xml_set_attr(cons, "id", argv[1]);
    bl__crm_id_register(ctx, cons);
    if (order) {
        rc = order_kind(&cp, cons, argv[2]);
        if (rc == 0) {
            first = 2; /* no kind: argv[2] is the first resource */
        }
        rc = rc < 0 ? rc : 0;
    } else {
        rc = colocation_score(&cp, cons, argv[2]);
    }
    count = argc - first;
    if (rc == 0) {
        rc = tail_attribute(&cp, cons, order ? "symmetrical" : "node-attribute", argv + first,
                            &count);
    }
    if (rc == 0) {
        rc = parse_resources(&cp, cons, argv + first, count);
    }
    if (old != NULL && !bl_xml_is(old, (const char *) cons->name) && rc == 0) {
        bl_err_set(err, "%s %s: id '%s' is already used by a %s", cp.what, argv[1], argv[1],
                   (const char *) old->name);
        rc = BL_EEXISTS;
    }
    bl__crm_replace_end(ctx, old, cons, constraints, rc);
    return rc;
}

int
bl__crm_cmd_colocation(crm_ctx_t *ctx, int argc, char *const argv[], char **err)
{
    return constraint_command(ctx, false, argc, argv, err);
}

int
bl__crm_cmd_order(crm_ctx_t *ctx, int argc, char *const argv[], char **err)
{
    return constraint_command(ctx, true, argc, argv, err);
}
