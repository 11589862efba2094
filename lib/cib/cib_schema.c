/*
 * Schema validation: xml/cib.rng, embedded in the library, compiled once per process
 * by libxml2's RELAX NG engine. When a document fails, the message comes from
 * bl__schema_explain() (precise: names the element, its id and the fix) or, for faults
 * it cannot see, from the first error libxml2 reported, rewritten as a sentence.
 */
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <libxml/relaxng.h>
#include <libxml/xmlerror.h>

#include <belay/cib.h>

#include "cib_private.h"

/* The compiled schema and its model, built on first use and kept for the process. */
struct schema {
    xmlDoc *rng_doc;
    xmlRelaxNG *rng;
    bl__schema_model_t *model;
};

/* The first error libxml2 reports that points at a node: it names the real culprit. */
struct first_error {
    int code;
    const xmlNode *node;
};

/*
 * How often a child may appear. The schema allows these children in any order and
 * number because libxml2 is quadratic on the <interleave> that would say it (see
 * xml/cib.rng); the counts are checked here instead.
 */
struct child_count {
    const char *parent;
    const char *child;
    bool required;
};

static const struct child_count child_counts[] = {
    {"configuration", "crm_config", true},
    {"configuration", "nodes", true},
    {"configuration", "resources", true},
    {"configuration", "constraints", true},
    {"configuration", "rsc_defaults", false},
    {"configuration", "op_defaults", false},
    {"configuration", "fencing-topology", false},
    {"node_state", "transient_attributes", false},
    {"node_state", "lrm", false},
};

static bool
check_child_counts(const xmlNode *node, char **err)
{
    for (size_t i = 0; i < G_N_ELEMENTS(child_counts); i++) {
        const struct child_count *rule = &child_counts[i];
        const xmlNode *first;
        const xmlNode *second;

        if (!bl_xml_is(node, rule->parent)) {
            continue;
        }
        first = bl_xml_first_child(node, rule->child);
        second = first != NULL ? bl_xml_next(first, rule->child) : NULL;
        if (first == NULL && rule->required) {
            bl_err_set(err, "line %ld: element '%s' lacks a required '%s' element",
                       bl_xml_line(node), rule->parent, rule->child);
            return true;
        }
        if (second != NULL) {
            bl_err_set(
                err,
                "line %ld: element '%s' may appear only once in '%s' (the first is at line %ld)",
                bl_xml_line(second), rule->child, rule->parent, bl_xml_line(first));
            return true;
        }
    }
    return false;
}

static int
check_counts(const xmlDoc *doc, char **err)
{
    const xmlNode *status = bl_cib_section(doc, "status");

    if (check_child_counts(bl_cib_section(doc, "configuration"), err)) {
        return BL_ESCHEMA;
    }
    for (const xmlNode *n = bl_xml_first_child(status, "node_state"); n != NULL;
         n = bl_xml_next(n, "node_state")) {
        if (check_child_counts(n, err)) {
            return BL_ESCHEMA;
        }
    }
    return 0;
}

static void
ignore_error(void *data, xmlError *error)
{
    (void) data;
    (void) error;
}

static struct schema *
schema_build(void)
{
    struct schema *schema = g_new0(struct schema, 1);
    xmlRelaxNGParserCtxt *parser;
    char *err = NULL;

    /* The schema is ours and built in: failing to read it is a build defect. */
    if (bl_xml_parse((const char *) bl__cib_schema_rng, bl__cib_schema_rng_len, "cib.rng",
                     &schema->rng_doc, &err)
        != 0) {
        g_error("embedded CIB schema: %s", err);
    }
    parser = xmlRelaxNGNewDocParserCtxt(schema->rng_doc);
    xmlRelaxNGSetParserStructuredErrors(parser, ignore_error, NULL);
    schema->rng = xmlRelaxNGParse(parser);
    xmlRelaxNGFreeParserCtxt(parser);
    if (schema->rng == NULL) {
        g_error("embedded CIB schema does not compile");
    }
    schema->model = bl__schema_model_new(schema->rng_doc);
    return schema;
}

/* Thread-safe lazy initialisation; the schema lives until the process exits. */
static const struct schema *
schema_get(void)
{
    static struct schema *schema = NULL;

    if (g_once_init_enter(&schema)) {
        g_once_init_leave(&schema, schema_build());
    }
    return schema;
}

/*
 * The first error says what went wrong, but may have no node ("Extra element %s in
 * interleave"); the first error with a node says where.
 */
static void
keep_first_error(void *data, xmlError *error)
{
    struct first_error *first = data;

    if (error == NULL) {
        return;
    }
    if (first->code == 0) {
        first->code = error->code;
    }
    if (first->node == NULL && error->node != NULL) {
        first->node = error->node;
    }
}

/* Rewrites libxml2's first error ("Element %s has extra content: %s") as a sentence. */
static void
translate_error(const struct first_error *first, char **err)
{
    const xmlNode *node = first->node;
    char *what = bl__cib_describe(node);
    long line = bl_xml_line(node);

    switch (first->code) {
    case XML_RELAXNG_ERR_ATTRVALID:
    case XML_RELAXNG_ERR_INVALIDATTR:
        bl_err_set(
            err,
            "line %ld: %s: this combination of attributes is not allowed (some exclude each other or need a partner)",
            line, what);
        break;
    case XML_RELAXNG_ERR_ELEMWRONG:
    case XML_RELAXNG_ERR_EXTRACONTENT:
    case XML_RELAXNG_ERR_INTEREXTRA:
    case XML_RELAXNG_ERR_ELEMNAME:
    case XML_RELAXNG_ERR_CONTENTVALID:
        bl_err_set(
            err,
            "line %ld: %s is not allowed here (out of place, or repeated where only one may appear)",
            line, what);
        break;
    default:
        bl_err_set(err, "line %ld: %s does not match the CIB schema", line, what);
        break;
    }
    free(what);
}

int
bl_cib_validate_schema(const xmlDoc *doc, char **err)
{
    const struct schema *schema = schema_get();
    xmlRelaxNGValidCtxt *ctxt = xmlRelaxNGNewValidCtxt(schema->rng);
    struct first_error first = {0, NULL};
    int rc;

    if (ctxt == NULL) {
        abort();
    }
    xmlRelaxNGSetValidStructuredErrors(ctxt, keep_first_error, &first);
    /* libxml2 takes a mutable document but only marks nodes during the walk. */
    rc = xmlRelaxNGValidateDoc(ctxt, (xmlDoc *) doc);
    xmlRelaxNGFreeValidCtxt(ctxt);
    if (rc == 0) {
        return check_counts(doc, err);
    }
    if (bl__schema_explain(schema->model, doc, err)) {
        return BL_ESCHEMA;
    }
    if (first.node != NULL) {
        translate_error(&first, err);
    } else {
        bl_err_set(err, "line %ld: the document does not match the CIB schema",
                   bl_xml_line(xmlDocGetRootElement(doc)));
    }
    return BL_ESCHEMA;
}

int
bl_cib_validate(const xmlDoc *doc, char **err)
{
    int rc = bl_cib_validate_schema(doc, err);

    return rc != 0 ? rc : bl_cib_validate_semantics(doc, err);
}
