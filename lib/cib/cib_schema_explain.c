/*
 * Explaining schema errors. libxml2's RELAX NG messages point at the wrong element as
 * often as not ("Element cluster_property_set has extra content: nvpair" when the
 * culprit is a <rule> three lines further), so when a document fails we walk it
 * ourselves against a model read from xml/cib.rng: per element name, which attributes
 * and children it may have and which are required. The first violation in document
 * order becomes the message. The model only ever explains: libxml2 decides validity.
 */
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include <belay/cib.h>

#include "cib_private.h"

/* What one element name allows, merged over every <element name=...> in the schema. */
struct element_model {
    GPtrArray *attributes;         /* names (borrowed from the schema document) */
    GPtrArray *required_attributes;
    GPtrArray *children;
    GPtrArray *required_children;
    bool any_attribute;            /* <attribute><anyName/>: daemon bookkeeping */
};

struct bl__schema_model {
    GHashTable *elements;          /* element name -> struct element_model */
    GHashTable *defines;           /* define name -> <define> node */
};

/* Elements and attributes of Pacemaker's format that Belay deliberately refuses. */
struct unsupported {
    const char *parent;            /* NULL: anywhere */
    const char *name;              /* element name, or "@attribute" */
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
    {"rsc_location", "resource_set", "Belay does not support resource sets in location constraints"},
    {NULL, "rsc_expression", "Belay does not support resource expressions in rules"},
    {NULL, "op_expression", "Belay does not support operation expressions in rules"},
    {"meta_attributes", "rule", "Belay does not support rules inside attribute sets"},
    {"instance_attributes", "rule", "Belay does not support rules inside attribute sets"},
    {"utilization", "rule", "Belay does not support rules inside attribute sets"},
    {"cluster_property_set", "rule", "Belay does not support rules inside attribute sets"},
};

/* ----------------------------------------------------------- the model */

static bool
contains(const GPtrArray *names, const char *name)
{
    for (guint i = 0; i < names->len; i++) {
        if (strcmp(g_ptr_array_index(names, i), name) == 0) {
            return true;
        }
    }
    return false;
}

static void
add_name(GPtrArray *names, const char *name)
{
    if (!contains(names, name)) {
        g_ptr_array_add(names, (gpointer) name);
    }
}

/* Keeps in KEPT only the names also in OTHER (required in every definition). */
static void
intersect(GPtrArray *kept, const GPtrArray *other)
{
    for (guint i = kept->len; i > 0; i--) {
        if (!contains(other, g_ptr_array_index(kept, i - 1))) {
            g_ptr_array_remove_index(kept, i - 1);
        }
    }
}

static struct element_model *
element_model_new(void)
{
    struct element_model *em = g_new0(struct element_model, 1);

    em->attributes = g_ptr_array_new();
    em->required_attributes = g_ptr_array_new();
    em->children = g_ptr_array_new();
    em->required_children = g_ptr_array_new();
    return em;
}

static void
element_model_free(gpointer data)
{
    struct element_model *em = data;

    g_ptr_array_free(em->attributes, TRUE);
    g_ptr_array_free(em->required_attributes, TRUE);
    g_ptr_array_free(em->children, TRUE);
    g_ptr_array_free(em->required_children, TRUE);
    g_free(em);
}

static void scan_pattern(const bl__schema_model_t *model, const xmlNode *pattern,
                         bool required, struct element_model *em);

static void
scan_children(const bl__schema_model_t *model, const xmlNode *parent, bool required,
              struct element_model *em)
{
    for (const xmlNode *c = bl_xml_first_child(parent, NULL); c != NULL;
         c = bl_xml_next(c, NULL)) {
        scan_pattern(model, c, required, em);
    }
}

/*
 * An attribute pattern without a name has a name class: <name>s (perhaps in a
 * <choice>) list the attributes it allows; <anyName> allows any. None is required.
 */
static void
scan_name_class(const xmlNode *node, struct element_model *em)
{
    for (const xmlNode *c = bl_xml_first_child(node, NULL); c != NULL;
         c = bl_xml_next(c, NULL)) {
        if (bl_xml_is(c, "name") && c->children != NULL
            && c->children->type == XML_TEXT_NODE) {
            add_name(em->attributes, (const char *) c->children->content);
        } else if (bl_xml_is(c, "anyName")) {
            em->any_attribute = true;
        } else if (bl_xml_is(c, "choice")) {
            scan_name_class(c, em);
        }
    }
}

/*
 * Records what PATTERN (a node of the schema inside one <element>) allows. REQUIRED is
 * false below optional, zeroOrMore and choice: only what every valid document must
 * carry counts as required.
 */
static void
scan_pattern(const bl__schema_model_t *model, const xmlNode *pattern, bool required,
             struct element_model *em)
{
    const char *name = bl_xml_attr(pattern, "name");

    if (bl_xml_is(pattern, "attribute")) {
        if (name == NULL) {
            scan_name_class(pattern, em);
            return;
        }
        add_name(em->attributes, name);
        if (required) {
            add_name(em->required_attributes, name);
        }
    } else if (bl_xml_is(pattern, "element")) {
        add_name(em->children, name);
        if (required) {
            add_name(em->required_children, name);
        }
    } else if (bl_xml_is(pattern, "ref")) {
        scan_children(model, g_hash_table_lookup(model->defines, name), required, em);
    } else if (bl_xml_is(pattern, "optional") || bl_xml_is(pattern, "zeroOrMore")
               || bl_xml_is(pattern, "choice")) {
        scan_children(model, pattern, false, em);
    } else if (bl_xml_is(pattern, "oneOrMore") || bl_xml_is(pattern, "group")
               || bl_xml_is(pattern, "interleave")) {
        scan_children(model, pattern, required, em);
    }
}

static void
merge_definition(bl__schema_model_t *model, const xmlNode *element)
{
    const char *name = bl_xml_attr(element, "name");
    struct element_model *em = g_hash_table_lookup(model->elements, name);
    struct element_model *def = element_model_new();

    scan_children(model, element, true, def);
    if (em == NULL) {
        g_hash_table_insert(model->elements, (gpointer) name, def);
        return;
    }
    for (guint i = 0; i < def->attributes->len; i++) {
        add_name(em->attributes, g_ptr_array_index(def->attributes, i));
    }
    for (guint i = 0; i < def->children->len; i++) {
        add_name(em->children, g_ptr_array_index(def->children, i));
    }
    intersect(em->required_attributes, def->required_attributes);
    intersect(em->required_children, def->required_children);
    em->any_attribute = em->any_attribute || def->any_attribute;
    element_model_free(def);
}

/* Visits every named <element> of the schema, wherever it is nested. */
static void
collect_elements(bl__schema_model_t *model, const xmlNode *node)
{
    for (const xmlNode *c = bl_xml_first_child(node, NULL); c != NULL;
         c = bl_xml_next(c, NULL)) {
        if (bl_xml_is(c, "element") && bl_xml_attr(c, "name") != NULL) {
            merge_definition(model, c);
        }
        collect_elements(model, c);
    }
}

bl__schema_model_t *
bl__schema_model_new(const xmlDoc *rng)
{
    bl__schema_model_t *model = g_new0(bl__schema_model_t, 1);
    const xmlNode *grammar = xmlDocGetRootElement(rng);

    model->elements = g_hash_table_new_full(g_str_hash, g_str_equal, NULL,
                                            element_model_free);
    model->defines = g_hash_table_new(g_str_hash, g_str_equal);
    for (const xmlNode *c = bl_xml_first_child(grammar, "define"); c != NULL;
         c = bl_xml_next(c, "define")) {
        g_hash_table_insert(model->defines, (gpointer) bl_xml_attr(c, "name"), (gpointer) c);
    }
    collect_elements(model, grammar);
    return model;
}

void
bl__schema_model_free(bl__schema_model_t *model)
{
    if (model == NULL) {
        return;
    }
    g_hash_table_destroy(model->elements);
    g_hash_table_destroy(model->defines);
    g_free(model);
}

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
explain_child(const struct element_model *parent_model, const xmlNode *parent,
              const xmlNode *child, char **err)
{
    const char *parent_name = (const char *) parent->name;
    const char *name = (const char *) child->name;
    const char *reason = unsupported_reason(parent_name, name);
    g_autofree char *expected = NULL;

    if (contains(parent_model->children, name)) {
        return false;
    }
    if (reason != NULL) {
        bl_err_set(err, "line %ld: element '%s' is not allowed in '%s' (%s)",
                   bl_xml_line(child), name, parent_name, reason);
    } else if (parent_model->children->len == 0) {
        bl_err_set(err, "line %ld: element '%s' is not allowed in '%s' (it takes no child elements)", bl_xml_line(child), name, parent_name);
    } else {
        expected = join_names(parent_model->children);
        bl_err_set(err, "line %ld: element '%s' is not allowed in '%s' (expected %s)",
                   bl_xml_line(child), name, parent_name, expected);
    }
    return true;
}

static bool
explain_attributes(const struct element_model *em, const xmlNode *node, char **err)
{
    const char *name = (const char *) node->name;
    g_autofree char *what = bl__cib_describe(node);

    for (const xmlAttr *a = node->properties; a != NULL && !em->any_attribute; a = a->next) {
        g_autofree char *key = bl_asprintf("@%s", (const char *) a->name);
        const char *reason = unsupported_reason(name, key);

        if (contains(em->attributes, (const char *) a->name)) {
            continue;
        }
        if (reason != NULL) {
            bl_err_set(err, "line %ld: %s: attribute '%s' is not allowed (%s)",
                       bl_xml_line(node), what, (const char *) a->name, reason);
        } else {
            bl_err_set(err, "line %ld: %s: attribute '%s' is not allowed on %s",
                       bl_xml_line(node), what, (const char *) a->name, name);
        }
        return true;
    }
    for (guint i = 0; i < em->required_attributes->len; i++) {
        const char *required = g_ptr_array_index(em->required_attributes, i);

        if (bl_xml_attr(node, required) == NULL) {
            bl_err_set(err, "line %ld: %s lacks the required attribute '%s'",
                       bl_xml_line(node), what, required);
            return true;
        }
    }
    return false;
}

static bool
explain_required_children(const struct element_model *em, const xmlNode *node, char **err)
{
    for (guint i = 0; i < em->required_children->len; i++) {
        const char *required = g_ptr_array_index(em->required_children, i);

        if (bl_xml_first_child(node, required) == NULL) {
            g_autofree char *what = bl__cib_describe(node);

            bl_err_set(err, "line %ld: %s lacks a required '%s' element", bl_xml_line(node),
                       what, required);
            return true;
        }
    }
    return false;
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

static bool
explain_node(const bl__schema_model_t *model, const xmlNode *node, char **err)
{
    const struct element_model *em = g_hash_table_lookup(model->elements, node->name);

    if (em == NULL) {
        /* Only reachable for the root: every child was checked against its parent. */
        bl_err_set(err, "line %ld: element '%s' is not part of the CIB schema",
                   bl_xml_line(node), (const char *) node->name);
        return true;
    }
    if (explain_attributes(em, node, err)) {
        return true;
    }
    for (const xmlNode *c = node->children; c != NULL; c = c->next) {
        if (has_text(c)) {
            bl_err_set(err, "line %ld: element '%s' must not contain text", bl_xml_line(c),
                       (const char *) node->name);
            return true;
        }
        if (c->type == XML_ELEMENT_NODE
            && (explain_child(em, node, c, err) || explain_node(model, c, err))) {
            return true;
        }
    }
    return explain_required_children(em, node, err);
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
    return explain_node(model, root, err);
}
