/*
 * Explaining schema errors. libxml2's RELAX NG messages point at the wrong element as
 * often as not ("Element cluster_property_set has extra content: nvpair" when the
 * culprit is a <rule> three lines further), so when a document fails we walk it
 * ourselves against a model read from xml/cib.rng (cib_schema_model.c): per element
 * name, the ways to write it. The first violation in document order becomes the
 * message. The model only ever explains: libxml2 decides validity.
 */
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include <belay/cib.h>

#include "cib_private.h"

/* Elements and attributes of Pacemaker's format that Belay deliberately refuses. */
struct unsupported {
    const char *parent; /* NULL: anywhere */
    const char *name;   /* element name, or "@attribute" */
    const char *reason;
};

static const struct unsupported unsupported[] = {
    {NULL, "bundle", "Belay does not support bundles"},
    {NULL, "template", "Belay does not support resource templates"},
    {"primitive", "@template", "Belay does not support resource templates"},
    {NULL, "tags", "Belay does not support tags"},
    {NULL, "rsc_ticket", "Belay does not support tickets"},
    {NULL, "tickets", "Belay does not support tickets"},
    {NULL, "acls", "Belay does not support ACLs"},
    {NULL, "alerts", "Belay does not support alerts"},
    {NULL, "master_slave", "use a clone with meta attribute promotable=true"},
    {"rsc_location", "resource_set",
     "Belay does not support resource sets in location constraints"},
    {NULL, "rsc_expression", "Belay does not support resource expressions in rules"},
    {NULL, "op_expression", "Belay does not support operation expressions in rules"},
    {"meta_attributes", "rule", "Belay does not support rules inside attribute sets"},
    {"instance_attributes", "rule", "Belay does not support rules inside attribute sets"},
    {"utilization", "rule", "Belay does not support rules inside attribute sets"},
    {"cluster_property_set", "rule", "Belay does not support rules inside attribute sets"},
};

/* ------------------------------------------------------------ messages */

char *
bl__cib_describe(const xmlNode *node)
{
    const char *id = bl_xml_attr(node, "id");
    const char *ref = bl_xml_attr(node, "id-ref");

    if (id != NULL) {
        return bl_asprintf("%s '%s'", (const char *) node->name, id);
    }
    if (ref != NULL) {
        return bl_asprintf("%s (id-ref '%s')", (const char *) node->name, ref);
    }
    return bl_asprintf("element '%s'", (const char *) node->name);
}

static const char *
unsupported_reason(const char *parent, const char *name)
{
    for (size_t i = 0; i < G_N_ELEMENTS(unsupported); i++) {
        if (strcmp(unsupported[i].name, name) == 0
            && (unsupported[i].parent == NULL || strcmp(unsupported[i].parent, parent) == 0)) {
            return unsupported[i].reason;
        }
    }
    return NULL;
}

/* "a, b or c" */
static char *
join_names(const GPtrArray *names)
{
    GString *text = g_string_new(NULL);

    for (guint i = 0; i < names->len; i++) {
        if (i > 0) {
            g_string_append(text, i + 1 == names->len ? " or " : ", ");
        }
        g_string_append(text, g_ptr_array_index(names, i));
    }
    return g_string_free(text, FALSE);
}

/* ------------------------------------------------------------- the walk */

static bool
explain_child(const bl__schema_element_t *parent_model, const xmlNode *parent, const xmlNode *child,
              char **err)
{
    const GPtrArray *allowed = parent_model->all->children;
    const char *parent_name = (const char *) parent->name;
    const char *name = (const char *) child->name;
    const char *reason = unsupported_reason(parent_name, name);
    g_autofree char *expected = NULL;

    if (bl__names_contains(allowed, name)) {
        return false;
    }
    if (reason != NULL) {
        bl_err_set(err, "line %ld: element '%s' is not allowed in '%s' (%s)", bl_xml_line(child),
                   name, parent_name, reason);
    } else if (allowed->len == 0) {
        bl_err_set(err,
                   "line %ld: element '%s' is not allowed in '%s' (it takes no child elements)",
                   bl_xml_line(child), name, parent_name);
    } else {
        expected = join_names(allowed);
        bl_err_set(err, "line %ld: element '%s' is not allowed in '%s' (expected %s)",
                   bl_xml_line(child), name, parent_name, expected);
    }
    return true;
}

/* An attribute no way of writing the element allows. */
static bool
explain_unknown_attribute(const bl__schema_element_t *em, const xmlNode *node, char **err)
{
    const char *name = (const char *) node->name;
    g_autofree char *what = NULL;

    for (const xmlAttr *a = node->properties; a != NULL && !em->all->any_attribute; a = a->next) {
        g_autofree char *key = bl_asprintf("@%s", (const char *) a->name);
        const char *reason = unsupported_reason(name, key);

        if (bl__names_contains(em->all->attributes, (const char *) a->name)) {
            continue;
        }
        what = bl__cib_describe(node);
        if (reason != NULL) {
            bl_err_set(err, "line %ld: %s: attribute '%s' is not allowed (%s)", bl_xml_line(node),
                       what, (const char *) a->name, reason);
        } else {
            bl_err_set(err, "line %ld: %s: attribute '%s' is not allowed on %s", bl_xml_line(node),
                       what, (const char *) a->name, name);
        }
        return true;
    }
    return false;
}

/* How NODE departs from ALT: what is missing, extra or repeated (NULL: nothing). */
struct departure {
    unsigned cost;
    const char *missing_attribute;
    const char *extra_attribute;
    const char *missing_child;
    const xmlNode *extra_child;
    const xmlNode *repeated_child; /* the second occurrence */
};

static void
note(const char **slot, const char *name, unsigned *cost)
{
    if (*slot == NULL) {
        *slot = name;
    }
    (*cost)++;
}

static void
compare_children(const bl__schema_alt_t *alt, const GPtrArray *known, const xmlNode *node,
                 struct departure *d)
{
    g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);

    for (guint i = 0; i < alt->required_children->len; i++) {
        if (bl_xml_first_child(node, g_ptr_array_index(alt->required_children, i)) == NULL) {
            note(&d->missing_child, g_ptr_array_index(alt->required_children, i), &d->cost);
        }
    }
    for (const xmlNode *c = bl_xml_first_child(node, NULL); c != NULL; c = bl_xml_next(c, NULL)) {
        const char *name = (const char *) c->name;

        if (!bl__names_contains(known, name)) {
            continue; /* an unknown child gets its own message */
        }
        if (!bl__names_contains(alt->children, name)) {
            d->extra_child = d->extra_child != NULL ? d->extra_child : c;
            d->cost++;
        } else if (g_hash_table_contains(seen, name)
                   && bl__names_contains(alt->single_children, name)) {
            d->repeated_child = d->repeated_child != NULL ? d->repeated_child : c;
            d->cost++;
        }
        g_hash_table_add(seen, (gpointer) name);
    }
}

static struct departure
compare(const bl__schema_alt_t *alt, const bl__schema_element_t *em, const xmlNode *node)
{
    struct departure d = {0, NULL, NULL, NULL, NULL, NULL};

    for (guint i = 0; i < alt->required_attributes->len; i++) {
        const char *name = g_ptr_array_index(alt->required_attributes, i);

        if (bl_xml_attr(node, name) == NULL) {
            note(&d.missing_attribute, name, &d.cost);
        }
    }
    for (const xmlAttr *a = node->properties; a != NULL && !alt->any_attribute; a = a->next) {
        if (!bl__names_contains(alt->attributes, (const char *) a->name)) {
            note(&d.extra_attribute, (const char *) a->name, &d.cost);
        }
    }
    compare_children(alt, em->all->children, node, &d);
    return d;
}

static void
report_departure(const struct departure *d, const xmlNode *node, char **err)
{
    g_autofree char *what = bl__cib_describe(node);
    long line = bl_xml_line(node);

    if (d->missing_attribute != NULL) {
        bl_err_set(err, "line %ld: %s lacks the required attribute '%s'", line, what,
                   d->missing_attribute);
    } else if (d->extra_attribute != NULL) {
        bl_err_set(
            err,
            "line %ld: %s: attribute '%s' cannot be combined with the other attributes or elements here",
            line, what, d->extra_attribute);
    } else if (d->missing_child != NULL) {
        bl_err_set(err, "line %ld: %s lacks a required '%s' element", line, what, d->missing_child);
    } else if (d->extra_child != NULL) {
        bl_err_set(
            err,
            "line %ld: element '%s' cannot be combined with the other attributes or elements of %s",
            bl_xml_line(d->extra_child), (const char *) d->extra_child->name, what);
    } else {
        const xmlNode *first = bl_xml_first_child(node, (const char *) d->repeated_child->name);

        bl_err_set(err,
                   "line %ld: element '%s' may appear only once in %s (the first is at line %ld)",
                   bl_xml_line(d->repeated_child), (const char *) d->repeated_child->name, what,
                   bl_xml_line(first));
    }
}

/* NODE fits none of the ways to write it: explain the nearest one. */
static bool
explain_combination(const bl__schema_element_t *em, const xmlNode *node, char **err)
{
    struct departure best = {0, NULL, NULL, NULL, NULL, NULL};

    for (guint i = 0; i < em->alternatives->len; i++) {
        struct departure d = compare(g_ptr_array_index(em->alternatives, i), em, node);

        if (d.cost == 0) {
            return false;
        }
        if (i == 0 || d.cost < best.cost) {
            best = d;
        }
    }
    if (em->alternatives->len == 0) {
        return false;
    }
    report_departure(&best, node, err);
    return true;
}

static bool
has_text(const xmlNode *node)
{
    if (node->type != XML_TEXT_NODE && node->type != XML_CDATA_SECTION_NODE) {
        return false;
    }
    for (const xmlChar *p = node->content; p != NULL && *p != '\0'; p++) {
        if (!g_ascii_isspace(*p)) {
            return true;
        }
    }
    return false;
}

/*
 * Two walks in document order: the first reports what is not allowed at all (unknown
 * attributes and elements, text), the second what is allowed piecewise but not in this
 * combination. A missing element is thus never blamed where a misplaced one is the cause.
 */
static bool
explain_node(const bl__schema_model_t *model, const xmlNode *node, bool combinations, char **err)
{
    const bl__schema_element_t *em = bl__schema_model_element(model, (const char *) node->name);

    if (em == NULL) {
        /* Only reachable for the root: every child was checked against its parent. */
        bl_err_set(err, "line %ld: element '%s' is not part of the CIB schema", bl_xml_line(node),
                   (const char *) node->name);
        return true;
    }
    if (combinations ? explain_combination(em, node, err)
                     : explain_unknown_attribute(em, node, err)) {
        return true;
    }
    for (const xmlNode *c = node->children; c != NULL; c = c->next) {
        if (!combinations && has_text(c)) {
            bl_err_set(err, "line %ld: element '%s' must not contain text", bl_xml_line(c),
                       (const char *) node->name);
            return true;
        }
        if (c->type == XML_ELEMENT_NODE
            && ((!combinations && explain_child(em, node, c, err))
                || explain_node(model, c, combinations, err))) {
            return true;
        }
    }
    return false;
}

bool
bl__schema_explain(const bl__schema_model_t *model, const xmlDoc *doc, char **err)
{
    const xmlNode *root = xmlDocGetRootElement(doc);

    if (root == NULL) {
        bl_err_set(err, "line 1: the document has no root element");
        return true;
    }
    if (!bl_xml_is(root, "cib")) {
        bl_err_set(err, "line %ld: the root element is '%s', expected 'cib'", bl_xml_line(root),
                   (const char *) root->name);
        return true;
    }
    return explain_node(model, root, false, err) || explain_node(model, root, true, err);
}
