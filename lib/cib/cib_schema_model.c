/*
 * A model of xml/cib.rng for explaining schema errors: for each element name, the
 * alternative ways to write it (a <choice> between attribute sets, say "node and
 * score, or rules"), each as sets of allowed and required attributes and children.
 * Repetition (zeroOrMore, oneOrMore) merges alternatives, since each repetition may
 * take another branch; choices elsewhere multiply them, capped to stay small.
 */
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include <belay/cib.h>

#include "cib_private.h"

/* Beyond this many alternatives for one element, they are merged into one. */
#define MAX_ALTERNATIVES 64

struct bl__schema_model {
    GHashTable *elements; /* element name -> bl__schema_element_t */
    GHashTable *defines;  /* define name -> <define> node */
};

bool
bl__names_contains(const GPtrArray *names, const char *name)
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
    if (!bl__names_contains(names, name)) {
        g_ptr_array_add(names, (gpointer) name);
    }
}

static void
add_names(GPtrArray *names, const GPtrArray *more)
{
    for (guint i = 0; i < more->len; i++) {
        add_name(names, g_ptr_array_index(more, i));
    }
}

/* Keeps in KEPT only the names also in OTHER. */
static void
intersect(GPtrArray *kept, const GPtrArray *other)
{
    for (guint i = kept->len; i > 0; i--) {
        if (!bl__names_contains(other, g_ptr_array_index(kept, i - 1))) {
            g_ptr_array_remove_index(kept, i - 1);
        }
    }
}

/* ------------------------------------------------------- alternatives */

static bl__schema_alt_t *
alt_new(void)
{
    bl__schema_alt_t *alt = g_new0(bl__schema_alt_t, 1);

    alt->attributes = g_ptr_array_new();
    alt->required_attributes = g_ptr_array_new();
    alt->children = g_ptr_array_new();
    alt->required_children = g_ptr_array_new();
    alt->single_children = g_ptr_array_new();
    return alt;
}

static void
alt_free(gpointer data)
{
    bl__schema_alt_t *alt = data;

    g_ptr_array_free(alt->attributes, TRUE);
    g_ptr_array_free(alt->required_attributes, TRUE);
    g_ptr_array_free(alt->children, TRUE);
    g_ptr_array_free(alt->required_children, TRUE);
    g_ptr_array_free(alt->single_children, TRUE);
    g_free(alt);
}

/* DST gains everything SRC has: the two patterns follow each other. */
static void
alt_add(bl__schema_alt_t *dst, const bl__schema_alt_t *src)
{
    add_names(dst->attributes, src->attributes);
    add_names(dst->required_attributes, src->required_attributes);
    add_names(dst->children, src->children);
    add_names(dst->required_children, src->required_children);
    add_names(dst->single_children, src->single_children);
    dst->any_attribute = dst->any_attribute || src->any_attribute;
}

static GPtrArray *
alts_new(void)
{
    return g_ptr_array_new_with_free_func(alt_free);
}

static GPtrArray *
alts_one(bl__schema_alt_t *alt)
{
    GPtrArray *alts = alts_new();

    g_ptr_array_add(alts, alt);
    return alts;
}

/*
 * One alternative allowing what any of ALTS allows; it requires what all of them
 * require when REQUIRED, nothing otherwise. Nothing is single any more. Frees ALTS.
 */
static GPtrArray *
alts_merge(GPtrArray *alts, bool required)
{
    bl__schema_alt_t *merged = alt_new();

    for (guint i = 0; i < alts->len; i++) {
        const bl__schema_alt_t *alt = g_ptr_array_index(alts, i);

        add_names(merged->attributes, alt->attributes);
        add_names(merged->children, alt->children);
        merged->any_attribute = merged->any_attribute || alt->any_attribute;
        if (required && i == 0) {
            add_names(merged->required_attributes, alt->required_attributes);
            add_names(merged->required_children, alt->required_children);
        } else if (required) {
            intersect(merged->required_attributes, alt->required_attributes);
            intersect(merged->required_children, alt->required_children);
        }
    }
    g_ptr_array_free(alts, TRUE);
    return alts_one(merged);
}

/* Every way to write A followed by B. Frees both. */
static GPtrArray *
alts_product(GPtrArray *a, GPtrArray *b)
{
    GPtrArray *result = alts_new();

    if (a->len * b->len > MAX_ALTERNATIVES) {
        a = alts_merge(a, true);
        b = alts_merge(b, true);
    }
    for (guint i = 0; i < a->len; i++) {
        for (guint j = 0; j < b->len; j++) {
            bl__schema_alt_t *alt = alt_new();

            alt_add(alt, g_ptr_array_index(a, i));
            alt_add(alt, g_ptr_array_index(b, j));
            g_ptr_array_add(result, alt);
        }
    }
    g_ptr_array_free(a, TRUE);
    g_ptr_array_free(b, TRUE);
    return result;
}

/* ---------------------------------------------------------- patterns */

static GPtrArray *alts_of(const bl__schema_model_t *model, const xmlNode *pattern);

/* The child patterns of PARENT, one after the other. */
static GPtrArray *
alts_of_sequence(const bl__schema_model_t *model, const xmlNode *parent)
{
    GPtrArray *alts = alts_one(alt_new());

    for (const xmlNode *c = bl_xml_first_child(parent, NULL); c != NULL; c = bl_xml_next(c, NULL)) {
        alts = alts_product(alts, alts_of(model, c));
    }
    return alts;
}

/* An unnamed <attribute>: its name class lists names (<name>, <choice>) or any. */
static void
scan_name_class(const xmlNode *node, bl__schema_alt_t *alt)
{
    for (const xmlNode *c = bl_xml_first_child(node, NULL); c != NULL; c = bl_xml_next(c, NULL)) {
        if (bl_xml_is(c, "name") && c->children != NULL && c->children->type == XML_TEXT_NODE) {
            add_name(alt->attributes, (const char *) c->children->content);
        } else if (bl_xml_is(c, "anyName")) {
            alt->any_attribute = true;
        } else if (bl_xml_is(c, "choice")) {
            scan_name_class(c, alt);
        }
    }
}

static GPtrArray *
alts_of_leaf(const xmlNode *pattern)
{
    bl__schema_alt_t *alt = alt_new();
    const char *name = bl_xml_attr(pattern, "name");

    if (bl_xml_is(pattern, "attribute") && name == NULL) {
        scan_name_class(pattern, alt);
    } else if (bl_xml_is(pattern, "attribute")) {
        add_name(alt->attributes, name);
        add_name(alt->required_attributes, name);
    } else if (bl_xml_is(pattern, "element")) {
        add_name(alt->children, name);
        add_name(alt->required_children, name);
        add_name(alt->single_children, name);
    }
    return alts_one(alt);
}

static GPtrArray *
alts_of(const bl__schema_model_t *model, const xmlNode *pattern)
{
    GPtrArray *alts;

    if (bl_xml_is(pattern, "ref")) {
        return alts_of_sequence(model,
                                g_hash_table_lookup(model->defines, bl_xml_attr(pattern, "name")));
    }
    if (bl_xml_is(pattern, "group") || bl_xml_is(pattern, "interleave")) {
        return alts_of_sequence(model, pattern);
    }
    if (bl_xml_is(pattern, "choice")) {
        alts = alts_new();
        for (const xmlNode *c = bl_xml_first_child(pattern, NULL); c != NULL;
             c = bl_xml_next(c, NULL)) {
            GPtrArray *branch = alts_of(model, c);

            g_ptr_array_extend_and_steal(alts, branch);
        }
        return alts->len <= MAX_ALTERNATIVES ? alts : alts_merge(alts, true);
    }
    if (bl_xml_is(pattern, "optional")) {
        alts = alts_of_sequence(model, pattern);
        g_ptr_array_add(alts, alt_new());
        return alts;
    }
    if (bl_xml_is(pattern, "zeroOrMore") || bl_xml_is(pattern, "oneOrMore")) {
        return alts_merge(alts_of_sequence(model, pattern), bl_xml_is(pattern, "oneOrMore"));
    }
    return alts_of_leaf(pattern);
}

/* ------------------------------------------------------------- model */

static void
element_free(gpointer data)
{
    bl__schema_element_t *element = data;

    g_ptr_array_free(element->alternatives, TRUE);
    alt_free(element->all);
    g_free(element);
}

static void
add_definition(bl__schema_model_t *model, const xmlNode *definition)
{
    const char *name = bl_xml_attr(definition, "name");
    bl__schema_element_t *element = g_hash_table_lookup(model->elements, name);
    GPtrArray *alts = alts_of_sequence(model, definition);

    if (element == NULL) {
        element = g_new0(bl__schema_element_t, 1);
        element->alternatives = alts_new();
        g_hash_table_insert(model->elements, (gpointer) name, element);
    }
    g_ptr_array_extend_and_steal(element->alternatives, alts);
}

/* Visits every named <element> of the schema, wherever it is nested. */
static void
collect_elements(bl__schema_model_t *model, const xmlNode *node)
{
    for (const xmlNode *c = bl_xml_first_child(node, NULL); c != NULL; c = bl_xml_next(c, NULL)) {
        if (bl_xml_is(c, "element") && bl_xml_attr(c, "name") != NULL) {
            add_definition(model, c);
        }
        collect_elements(model, c);
    }
}

static void
summarise(gpointer key, gpointer value, gpointer data)
{
    bl__schema_element_t *element = value;
    GPtrArray *copy = alts_new();
    GPtrArray *merged;

    (void) key;
    (void) data;
    for (guint i = 0; i < element->alternatives->len; i++) {
        bl__schema_alt_t *alt = alt_new();

        alt_add(alt, g_ptr_array_index(element->alternatives, i));
        g_ptr_array_add(copy, alt);
    }
    merged = alts_merge(copy, true);
    element->all = g_ptr_array_steal_index(merged, 0);
    g_ptr_array_free(merged, TRUE);
}

bl__schema_model_t *
bl__schema_model_new(const xmlDoc *rng)
{
    bl__schema_model_t *model = g_new0(bl__schema_model_t, 1);
    const xmlNode *grammar = xmlDocGetRootElement(rng);

    model->elements = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, element_free);
    model->defines = g_hash_table_new(g_str_hash, g_str_equal);
    for (const xmlNode *c = bl_xml_first_child(grammar, "define"); c != NULL;
         c = bl_xml_next(c, "define")) {
        g_hash_table_insert(model->defines, (gpointer) bl_xml_attr(c, "name"), (gpointer) c);
    }
    collect_elements(model, grammar);
    g_hash_table_foreach(model->elements, summarise, NULL);
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

const bl__schema_element_t *
bl__schema_model_element(const bl__schema_model_t *model, const char *name)
{
    return g_hash_table_lookup(model->elements, name);
}
