/* crm syntax from the CIB, in crmsh's layout (`crm configure show`). */
#include <string.h>

#include "crm_private.h"

/* crmsh leaves a value bare when it is only word characters, '.' and '-'. */
static bool
needs_quotes(const char *value)
{
    if (value[0] == '\0') {
        return true;
    }
    for (const unsigned char *p = (const unsigned char *) value; *p != '\0'; p++) {
        if (!(g_ascii_isalnum(*p) || *p == '_' || *p == '.' || *p == '-' || *p >= 0x80)) {
            return true;
        }
    }
    return false;
}

void
bl__crm_quote(GString *out, const char *value)
{
    if (!needs_quotes(value)) {
        g_string_append(out, value);
        return;
    }
    g_string_append_c(out, '"');
    for (const char *p = value; *p != '\0'; p++) {
        /* crmsh escapes only '"'; escaping '\\' too keeps such values loadable. */
        if (*p == '"' || *p == '\\') {
            g_string_append_c(out, '\\');
        }
        g_string_append_c(out, *p);
    }
    g_string_append_c(out, '"');
}

static void
append_nv(GString *out, const char *name, const char *value)
{
    g_string_append(out, name);
    if (value != NULL) {
        g_string_append_c(out, '=');
        bl__crm_quote(out, value);
    }
}

/* An nvpair as NAME=VALUE, prefixed "$ID:" (crmsh's syntax) when its id is not SET-NAME. */
static void
append_nvpair(GString *out, const xmlNode *set, const xmlNode *nv)
{
    const char *name = bl_xml_attr(nv, "name");
    g_autofree char *expected = g_strdup_printf("%s-%s", bl_xml_attr(set, "id"), name);

    if (g_strcmp0(bl_xml_attr(nv, "id"), expected) != 0 && bl_xml_attr(nv, "id") != NULL) {
        g_string_append_printf(out, "$%s:", bl_xml_attr(nv, "id"));
    }
    append_nv(out, name != NULL ? name : "", bl_xml_attr(nv, "value"));
}

/* Pieces of one object, joined with crmsh's " \\\n\t" continuation. */
typedef struct pieces {
    GPtrArray *list;
} pieces_t;

static GString *
piece_new(pieces_t *p)
{
    GString *s = g_string_new(NULL);

    g_ptr_array_add(p->list, s);
    return s;
}

static void
pieces_flush(pieces_t *p, GString *text)
{
    for (guint i = 0; i < p->list->len; i++) {
        GString *s = g_ptr_array_index(p->list, i);

        if (i > 0) {
            g_string_append(text, " \\\n\t");
        }
        g_string_append(text, s->str);
        g_string_free(s, TRUE);
    }
    g_string_append_c(text, '\n');
    g_ptr_array_set_size(p->list, 0);
}

static bool
earlier_sibling_has_id(const xmlNode *node, const char *id)
{
    for (const xmlNode *s = node->prev; s != NULL; s = s->prev) {
        if (s->type == XML_ELEMENT_NODE && xmlStrEqual(s->name, node->name)
            && g_strcmp0(bl_xml_attr(s, "id"), id) == 0) {
            return true;
        }
    }
    return false;
}

/*
 * True when NODE's id is the one the parser would generate for it: BASE, or BASE-0, BASE-1…
 * when an earlier sibling of its kind took those. show prints an id only when it is not,
 * so show → load gives back the same XML.
 */
static bool
is_default_id(const xmlNode *node, const char *base)
{
    g_autofree char *expected = g_strdup(base);

    for (unsigned n = 0; earlier_sibling_has_id(node, expected); n++) {
        g_free(expected);
        expected = g_strdup_printf("%s-%u", base, n);
    }
    return g_strcmp0(bl_xml_attr(node, "id"), expected) == 0;
}

/* "params [$id=X] k=v …" for an nvpair set; OWNER is the id its default id derives from. */
static void
show_set(pieces_t *p, const xmlNode *set, const char *keyword, const char *default_base)
{
    GString *s = piece_new(p);

    g_string_append(s, keyword);
    if (!is_default_id(set, default_base)) {
        g_string_append_printf(s, " $id=%s", bl_xml_attr(set, "id"));
    }
    for (xmlNode *nv = bl_xml_first_child(set, "nvpair"); nv != NULL;
         nv = bl_xml_next(nv, "nvpair")) {
        g_string_append_c(s, ' ');
        append_nvpair(s, set, nv);
    }
}

static const char *
set_keyword(const xmlNode *set, bool op)
{
    if (bl_xml_is(set, "instance_attributes")) {
        return op ? "op_params" : "params";
    }
    if (bl_xml_is(set, "meta_attributes")) {
        return op ? "op_meta" : "meta";
    }
    if (bl_xml_is(set, "utilization")) {
        return op ? NULL : "utilization";
    }
    return NULL;
}

/* Attribute sets of a resource or op, in document order. */
static void
show_sets(pieces_t *p, const xmlNode *owner, bool op)
{
    for (xmlNode *c = bl_xml_first_child(owner, NULL); c != NULL; c = bl_xml_next(c, NULL)) {
        const char *keyword = set_keyword(c, op);

        if (keyword != NULL) {
            g_autofree char *base =
                g_strdup_printf("%s-%s", bl_xml_attr(owner, "id"), (const char *) c->name);

            show_set(p, c, keyword, base);
        }
    }
}

static void
show_op(pieces_t *p, const xmlNode *op, const char *rsc)
{
    GString *s = piece_new(p);
    const char *name = bl_xml_attr(op, "name");
    const char *interval = bl_xml_attr(op, "interval");
    g_autofree char *base =
        g_strdup_printf("%s-%s-%s", rsc, name, interval != NULL ? interval : "0");

    g_string_append_printf(s, "op %s", name != NULL ? name : "");
    for (xmlAttr *a = op->properties; a != NULL; a = a->next) {
        const char *an = (const char *) a->name;

        if (strcmp(an, "id") != 0 && strcmp(an, "name") != 0) {
            g_string_append_c(s, ' ');
            append_nv(s, an, bl_xml_attr(op, an));
        }
    }
    if (g_strcmp0(bl_xml_attr(op, "id"), base) != 0) {
        g_string_append_printf(s, " id=%s", bl_xml_attr(op, "id"));
    }
    show_sets(p, op, true);
}

static void
show_primitive(pieces_t *p, const xmlNode *prim)
{
    GString *head = piece_new(p);
    const char *cls = bl_xml_attr(prim, "class");
    const char *provider = bl_xml_attr(prim, "provider");
    const char *id = bl_xml_attr(prim, "id");

    g_string_append_printf(head, "primitive %s ", id);
    if (g_strcmp0(cls, "ocf") == 0 && g_strcmp0(provider, "heartbeat") == 0) {
        g_string_append(head, bl_xml_attr(prim, "type"));
    } else if (provider != NULL) {
        g_string_append_printf(head, "%s:%s:%s", cls, provider, bl_xml_attr(prim, "type"));
    } else {
        g_string_append_printf(head, "%s:%s", cls, bl_xml_attr(prim, "type"));
    }
    if (bl_xml_attr(prim, "description") != NULL) {
        append_nv(piece_new(p), "description", bl_xml_attr(prim, "description"));
    }
    show_sets(p, prim, false);
    for (xmlNode *op = bl_xml_first_child(bl_xml_first_child(prim, "operations"), "op"); op != NULL;
         op = bl_xml_next(op, "op")) {
        show_op(p, op, id);
    }
}

static void
show_container(pieces_t *p, const xmlNode *node)
{
    GString *head = piece_new(p);
    const char *keyword = bl_xml_is(node, "master") ? "ms" : (const char *) node->name;

    g_string_append_printf(head, "%s %s", keyword, bl_xml_attr(node, "id"));
    for (xmlNode *c = bl_xml_first_child(node, NULL); c != NULL; c = bl_xml_next(c, NULL)) {
        if (bl__crm_is_resource(c)) {
            g_string_append_printf(head, " %s", bl_xml_attr(c, "id"));
        }
    }
    show_sets(p, node, false);
}

/* crmsh shows INFINITY as inf; a score-attribute stands where the score would. */
static char *
score_text(const xmlNode *node)
{
    const char *score = bl_xml_attr(node, "score");
    GString *s;
    const char *inf;

    if (score == NULL) {
        return g_strdup(bl_xml_attr(node, "score-attribute"));
    }
    s = g_string_new(score);
    inf = strstr(s->str, "INFINITY");
    if (inf != NULL) {
        gssize at = inf - s->str;

        g_string_erase(s, at, 8);
        g_string_insert(s, at, "inf");
    }
    return g_string_free(s, FALSE);
}

static void
show_expression(GString *s, const xmlNode *expr)
{
    const char *op = bl_xml_attr(expr, "operation");
    const char *type = bl_xml_attr(expr, "type");
    const char *value = bl_xml_attr(expr, "value");

    if (value == NULL) {
        g_string_append_printf(s, "%s %s", op, bl_xml_attr(expr, "attribute"));
        return;
    }
    g_string_append_printf(s, "%s ", bl_xml_attr(expr, "attribute"));
    if (type != NULL) {
        g_string_append_printf(s, "%s:", type);
    }
    g_string_append_printf(s, "%s ", op);
    bl__crm_quote(s, value);
}

static void
show_date_expression(GString *s, const xmlNode *expr)
{
    const char *op = bl_xml_attr(expr, "operation");

    if (g_strcmp0(op, "gt") == 0 || g_strcmp0(op, "lt") == 0) {
        g_string_append_printf(s, "date %s ", op);
        bl__crm_quote(s, bl_xml_attr(expr, strcmp(op, "gt") == 0 ? "start" : "end"));
        return;
    }
    g_string_append_printf(s, "date %s", g_strcmp0(op, "date_spec") == 0 ? "spec" : "in");
    for (int i = 0; i < 2 && g_strcmp0(op, "in_range") == 0; i++) {
        const char *name = i == 0 ? "start" : "end";

        if (bl_xml_attr(expr, name) != NULL) {
            g_string_append_c(s, ' ');
            append_nv(s, name, bl_xml_attr(expr, name));
        }
    }
    for (xmlNode *c = bl_xml_first_child(expr, NULL); c != NULL; c = bl_xml_next(c, NULL)) {
        for (xmlAttr *a = c->properties; a != NULL; a = a->next) {
            if (strcmp((const char *) a->name, "id") != 0) {
                g_string_append_c(s, ' ');
                append_nv(s, (const char *) a->name, bl_xml_attr(c, (const char *) a->name));
            }
        }
    }
}

void
bl__crm_rule_show(GString *s, const xmlNode *rule, const char *loc_id)
{
    g_autofree char *base = g_strdup_printf("%s-rule", loc_id);
    g_autofree char *score = score_text(rule);
    const char *bool_op = bl_xml_attr(rule, "boolean-op");
    bool first = true;

    if (!is_default_id(rule, base)) {
        g_string_append_printf(s, "$id=%s ", bl_xml_attr(rule, "id"));
    }
    if (bl_xml_attr(rule, "role") != NULL) {
        g_string_append_printf(s, "$role=%s ", bl_xml_attr(rule, "role"));
    }
    if (score != NULL && strcmp(score, "inf") != 0) {
        g_string_append_printf(s, "%s: ", score);
    }
    for (xmlNode *c = bl_xml_first_child(rule, NULL); c != NULL; c = bl_xml_next(c, NULL)) {
        if (!bl_xml_is(c, "expression") && !bl_xml_is(c, "date_expression")) {
            continue;
        }
        if (!first) {
            g_string_append_printf(s, " %s ", bool_op != NULL ? bool_op : "and");
        }
        first = false;
        if (bl_xml_is(c, "expression")) {
            show_expression(s, c);
        } else {
            show_date_expression(s, c);
        }
    }
}

static void
show_location(pieces_t *p, const xmlNode *loc)
{
    GString *head = piece_new(p);
    const char *id = bl_xml_attr(loc, "id");

    g_string_append_printf(head, "location %s ", id);
    if (bl_xml_attr(loc, "rsc") != NULL) {
        g_string_append(head, bl_xml_attr(loc, "rsc"));
    } else {
        g_string_append_printf(head, "/%s/", bl_xml_attr(loc, "rsc-pattern"));
    }
    if (bl_xml_attr(loc, "role") != NULL) {
        g_string_append_printf(head, " role=%s", bl_xml_attr(loc, "role"));
    }
    if (bl_xml_attr(loc, "resource-discovery") != NULL) {
        g_string_append_printf(head, " resource-discovery=%s",
                               bl_xml_attr(loc, "resource-discovery"));
    }
    if (bl_xml_attr(loc, "node") != NULL) {
        g_autofree char *score = score_text(loc);

        g_string_append_printf(head, " %s: %s", score != NULL ? score : "",
                               bl_xml_attr(loc, "node"));
    }
    for (xmlNode *rule = bl_xml_first_child(loc, "rule"); rule != NULL;
         rule = bl_xml_next(rule, "rule")) {
        GString *s = piece_new(p);

        g_string_append(s, "rule ");
        bl__crm_rule_show(s, rule, id);
    }
}

static void
show_ref(GString *s, const char *rsc, const char *qual)
{
    g_string_append_printf(s, " %s", rsc);
    if (qual != NULL) {
        g_string_append_printf(s, ":%s", qual);
    }
}

/* Resource sets as crmsh writes them: ( … ) unordered, [ … ] optional. */
/*
 * One resource set: bare when it has no attributes, else in ( ) (sequential=false) or
 * [ ] (require-all=false too), with any attribute the brackets do not imply spelled out.
 */
static void
show_one_set(GString *body, const xmlNode *set, const char *qattr)
{
    const char *sequential = bl_xml_attr(set, "sequential");
    const char *require_all = bl_xml_attr(set, "require-all");
    bool optional = g_strcmp0(require_all, "false") == 0;
    bool bracket = sequential != NULL || require_all != NULL;

    g_string_append(body, !bracket ? "" : optional ? " [" : " (");
    for (xmlNode *ref = bl_xml_first_child(set, "resource_ref"); ref != NULL;
         ref = bl_xml_next(ref, "resource_ref")) {
        show_ref(body, bl_xml_attr(ref, "id"), bl_xml_attr(set, qattr));
    }
    if (bracket && g_strcmp0(sequential, "false") != 0) {
        /* crmsh prints sequential=true for a [ ] set without the attribute */
        g_string_append_printf(body, " sequential=%s", sequential != NULL ? sequential : "true");
    }
    if (bracket && !optional && require_all != NULL) {
        g_string_append_printf(body, " require-all=%s", require_all);
    }
    g_string_append(body, !bracket ? "" : optional ? " ]" : " )");
}

/* Resource sets as crmsh writes them: ( … ) unordered, [ … ] optional. */
static void
show_sets_constraint(GString *s, const xmlNode *cons, bool order)
{
    GString *body = g_string_new(NULL);
    const xmlNode *last = NULL;
    int refs = 0;

    for (xmlNode *set = bl_xml_first_child(cons, "resource_set"); set != NULL;
         set = bl_xml_next(set, "resource_set")) {
        show_one_set(body, set, order ? "action" : "role");
        for (xmlNode *ref = bl_xml_first_child(set, "resource_ref"); ref != NULL;
             ref = bl_xml_next(ref, "resource_ref")) {
            refs++;
        }
        last = set;
    }
    /* Sets that the two-resource syntax would read back as the simple form. */
    if (refs <= 2 && g_strcmp0(bl_xml_attr(last, "sequential"), "false") != 0
        && g_strcmp0(bl_xml_attr(last, "require-all"), "false") != 0) {
        g_string_append(s, " _rsc_set_");
    }
    g_string_append(s, body->str);
    g_string_free(body, TRUE);
}

static void
show_colocation_order(pieces_t *p, const xmlNode *cons)
{
    bool order = bl_xml_is(cons, "rsc_order");
    GString *head = piece_new(p);
    g_autofree char *score = score_text(cons);
    const char *kind = bl_xml_attr(cons, "kind");

    g_string_append_printf(head, "%s %s", order ? "order" : "colocation", bl_xml_attr(cons, "id"));
    if (score != NULL || kind != NULL) {
        g_string_append_printf(head, " %s:", score != NULL ? score : kind);
    }
    if (bl_xml_first_child(cons, "resource_set") != NULL) {
        show_sets_constraint(head, cons, order);
    } else if (order) {
        show_ref(head, bl_xml_attr(cons, "first"), bl_xml_attr(cons, "first-action"));
        show_ref(head, bl_xml_attr(cons, "then"), bl_xml_attr(cons, "then-action"));
    } else {
        show_ref(head, bl_xml_attr(cons, "rsc"), bl_xml_attr(cons, "rsc-role"));
        show_ref(head, bl_xml_attr(cons, "with-rsc"), bl_xml_attr(cons, "with-rsc-role"));
    }
    if (order && bl_xml_attr(cons, "symmetrical") != NULL) {
        g_string_append_printf(head, " symmetrical=%s", bl_xml_attr(cons, "symmetrical"));
    }
    if (!order && bl_xml_attr(cons, "node-attribute") != NULL) {
        g_string_append_printf(head, " node-attribute=%s", bl_xml_attr(cons, "node-attribute"));
    }
}

static void
show_property_set(pieces_t *p, const xmlNode *set, const char *keyword)
{
    GString *head = piece_new(p);
    const char *id = bl_xml_attr(set, "id");

    if (needs_quotes(id)) {
        g_string_append_printf(head, "%s $id=\"%s\"", keyword, id);
    } else {
        g_string_append_printf(head, "%s %s:", keyword, id);
    }
    for (xmlNode *nv = bl_xml_first_child(set, "nvpair"); nv != NULL;
         nv = bl_xml_next(nv, "nvpair")) {
        append_nvpair(piece_new(p), set, nv);
    }
}

static void
show_node(pieces_t *p, const xmlNode *node)
{
    GString *head = piece_new(p);
    const char *id = bl_xml_attr(node, "id");
    const char *uname = bl_xml_attr(node, "uname");

    if (g_strcmp0(id, uname) == 0 || id == NULL) {
        g_string_append_printf(head, "node %s", uname);
    } else {
        g_string_append_printf(head, "node %s: %s", id, uname);
    }
    for (xmlNode *c = bl_xml_first_child(node, NULL); c != NULL; c = bl_xml_next(c, NULL)) {
        bool util = bl_xml_is(c, "utilization");
        g_autofree char *base = bl__crm_node_set_id(id, (const char *) c->name);

        if (util || bl_xml_is(c, "instance_attributes")) {
            show_set(p, c, util ? "utilization" : "attributes", base);
        }
    }
}

/* crmsh's display order: nodes, primitives, groups, ms, clones, constraints, properties… */
enum {
    RANK_NODE,
    RANK_PRIMITIVE,
    RANK_GROUP,
    RANK_MS,
    RANK_CLONE,
    RANK_CONSTRAINT,
    RANK_PROPERTY,
    RANK_RSC_DEFAULTS,
    RANK_OP_DEFAULTS,
};

typedef struct show_obj {
    int rank;
    const char *id;
    const xmlNode *node;
} show_obj_t;

static void
add_obj(GArray *objs, int rank, const xmlNode *node)
{
    show_obj_t obj = {rank, bl_xml_attr(node, "id"), node};

    if (obj.id != NULL) {
        g_array_append_val(objs, obj);
    }
}

static void
collect_resources(GArray *objs, const xmlNode *parent)
{
    for (xmlNode *c = bl_xml_first_child(parent, NULL); c != NULL; c = bl_xml_next(c, NULL)) {
        if (bl_xml_is(c, "primitive")) {
            add_obj(objs, RANK_PRIMITIVE, c);
        } else if (bl_xml_is(c, "group")) {
            add_obj(objs, RANK_GROUP, c);
        } else if (bl_xml_is(c, "master")) {
            add_obj(objs, RANK_MS, c);
        } else if (bl_xml_is(c, "clone")) {
            add_obj(objs, RANK_CLONE, c);
        }
        if (bl__crm_is_resource(c)) {
            collect_resources(objs, c);
        }
    }
}

static void
collect_children(GArray *objs, const xmlNode *parent, const char *tag, int rank)
{
    for (xmlNode *c = bl_xml_first_child(parent, NULL); c != NULL; c = bl_xml_next(c, NULL)) {
        if (tag == NULL ? (bl_xml_is(c, "rsc_location") || bl_xml_is(c, "rsc_colocation")
                           || bl_xml_is(c, "rsc_order"))
                        : bl_xml_is(c, tag)) {
            add_obj(objs, rank, c);
        }
    }
}

static gint
compare_obj(gconstpointer a, gconstpointer b)
{
    const show_obj_t *x = a;
    const show_obj_t *y = b;

    if (x->rank != y->rank) {
        return x->rank - y->rank;
    }
    return strcmp(x->id, y->id);
}

static void
show_one(pieces_t *p, const show_obj_t *obj)
{
    switch (obj->rank) {
    case RANK_NODE:
        show_node(p, obj->node);
        break;
    case RANK_PRIMITIVE:
        show_primitive(p, obj->node);
        break;
    case RANK_GROUP:
    case RANK_MS:
    case RANK_CLONE:
        show_container(p, obj->node);
        break;
    case RANK_CONSTRAINT:
        if (bl_xml_is(obj->node, "rsc_location")) {
            show_location(p, obj->node);
        } else {
            show_colocation_order(p, obj->node);
        }
        break;
    case RANK_PROPERTY:
        show_property_set(p, obj->node, "property");
        break;
    case RANK_RSC_DEFAULTS:
        show_property_set(p, obj->node, "rsc_defaults");
        break;
    default:
        show_property_set(p, obj->node, "op_defaults");
        break;
    }
}

static bool
wanted(const show_obj_t *obj, char *const ids[], bool *found)
{
    if (ids == NULL) {
        return true;
    }
    for (int i = 0; ids[i] != NULL; i++) {
        if (strcmp(ids[i], obj->id) == 0
            || (obj->rank == RANK_NODE
                && g_strcmp0(ids[i], bl_xml_attr(obj->node, "uname")) == 0)) {
            found[i] = true;
            return true;
        }
    }
    return false;
}

static GArray *
collect_all(xmlNode *config)
{
    GArray *objs = g_array_new(FALSE, FALSE, sizeof(show_obj_t));

    collect_children(objs, bl_xml_first_child(config, "nodes"), "node", RANK_NODE);
    collect_resources(objs, bl_xml_first_child(config, "resources"));
    collect_children(objs, bl_xml_first_child(config, "constraints"), NULL, RANK_CONSTRAINT);
    collect_children(objs, bl_xml_first_child(config, "crm_config"), "cluster_property_set",
                     RANK_PROPERTY);
    collect_children(objs, bl_xml_first_child(config, "rsc_defaults"), "meta_attributes",
                     RANK_RSC_DEFAULTS);
    collect_children(objs, bl_xml_first_child(config, "op_defaults"), "meta_attributes",
                     RANK_OP_DEFAULTS);
    g_array_sort(objs, compare_obj);
    return objs;
}

int
bl__crm_render(xmlNode *config, char *const ids[], GString *text, GPtrArray *shown, char **err)
{
    GArray *objs = collect_all(config);
    pieces_t p = {g_ptr_array_new()};
    guint n = ids != NULL ? g_strv_length((char **) ids) : 0;
    g_autofree bool *found = g_new0(bool, n + 1);
    int rc = 0;

    for (guint i = 0; i < objs->len; i++) {
        const show_obj_t *obj = &g_array_index(objs, show_obj_t, i);

        if (wanted(obj, ids, found)) {
            if (shown != NULL) {
                g_ptr_array_add(shown, g_strdup(obj->id));
            }
            show_one(&p, obj);
            pieces_flush(&p, text);
        }
    }
    for (guint i = 0; i < n; i++) {
        if (!found[i]) {
            bl_err_set(err, "show: no object '%s'", ids[i]);
            rc = BL_ENOTFOUND;
            break;
        }
    }
    g_ptr_array_free(p.list, TRUE);
    g_array_free(objs, TRUE);
    return rc;
}

char *
bl_crm_show(const xmlDoc *doc, char *const ids[], char **err)
{
    xmlNode *config = bl_xml_first_child(xmlDocGetRootElement(doc), "configuration");
    GString *text = g_string_new(NULL);

    if (config == NULL) {
        bl_err_set(err, "the CIB has no configuration section");
        g_string_free(text, TRUE);
        return NULL;
    }
    if (bl__crm_render(config, ids, text, NULL, err) != 0) {
        g_string_free(text, TRUE);
        return NULL;
    }
    return g_string_free(text, FALSE);
}

/* show [xml] [ID…] */
int
bl__crm_cmd_show(crm_ctx_t *ctx, int argc, char *const argv[], char **err)
{
    bool xml = argc > 1 && strcmp(argv[1], "xml") == 0;
    int first = xml ? 2 : 1;
    g_auto(GStrv) ids = NULL;

    if (argc > first) {
        ids = g_new0(char *, argc - first + 1);
        for (int i = first; i < argc; i++) {
            ids[i - first] = g_strdup(argv[i]);
        }
    }
    if (!xml) {
        GString *text = g_string_new(NULL);
        int rc = bl__crm_render(ctx->config, ids, text, NULL, err);

        /* all or nothing: no partial listing before an unknown id */
        if (rc == 0 && ctx->out != NULL) {
            g_string_append(ctx->out, text->str);
        }
        g_string_free(text, TRUE);
        return rc;
    }
    if (ids == NULL) {
        g_autofree char *all = bl_xml_format(ctx->config);

        if (ctx->out != NULL) {
            g_string_append(ctx->out, all);
        }
        return 0;
    }
    for (int i = 0; ids[i] != NULL; i++) {
        xmlNode *node = bl__crm_id_lookup(ctx, ids[i]);

        if (node == NULL) {
            bl_err_set(err, "show %s: no such object", ids[i]);
            return BL_ENOTFOUND;
        }
        if (ctx->out != NULL) {
            g_autofree char *one = bl_xml_format(node);

            g_string_append(ctx->out, one);
        }
    }
    return 0;
}
