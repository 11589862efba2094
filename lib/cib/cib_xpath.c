/* XPath queries on a CIB: the elements an expression selects, copied into one document. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include <belay/cib.h>

/* libxml2 reports an XPath error here instead of printing it: parsers never log. */
static void
keep_error(void *user_data, xmlErrorPtr error)
{
    xmlError *last = user_data;

    if (last->code == 0) {
        last->code = error->code;
        last->int1 = error->int1;
    }
}

/* Some XPath errors go to libxml2's generic handler (stderr) too: silenced meanwhile. */
static void
silent(void *ctx, const char *msg, ...)
{
    (void) ctx;
    (void) msg;
}

static const char *
kind_name(xmlElementType type)
{
    switch (type) {
    case XML_ATTRIBUTE_NODE:
        return "an attribute";
    case XML_TEXT_NODE:
    case XML_CDATA_SECTION_NODE:
        return "text";
    default:
        return "a node that is not an element";
    }
}

/* Copies every selected element under RESULT; BL_EINVALID when one is not an element. */
static int
copy_matches(const xmlNodeSet *set, const char *expr, xmlNode *result, char **err)
{
    for (int i = 0; set != NULL && i < set->nodeNr; i++) {
        const xmlNode *node = set->nodeTab[i];

        if (node->type == XML_DOCUMENT_NODE) {
            node = xmlDocGetRootElement((xmlDoc *) node);
        }
        if (node == NULL || node->type != XML_ELEMENT_NODE) {
            bl_err_set(err,
                       "xpath '%s': selects %s, not an element (select the element that holds it)",
                       expr, node != NULL ? kind_name(node->type) : "nothing");
            return BL_EINVALID;
        }
        xmlAddChild(result, xmlDocCopyNode((xmlNode *) node, result->doc, 1));
    }
    return 0;
}

int
bl_cib_xpath(const xmlDoc *doc, const char *expr, xmlDoc **result, char **err)
{
    xmlXPathContext *ctx = xmlXPathNewContext((xmlDoc *) doc);
    xmlGenericErrorFunc saved = xmlGenericError;
    void *saved_ctx = xmlGenericErrorContext;
    xmlError last = {0};
    xmlXPathObject *found;
    xmlNode *root;
    int rc;

    ctx->error = keep_error;
    ctx->userData = &last;
    xmlSetGenericErrorFunc(NULL, silent);
    found = xmlXPathEvalExpression((const xmlChar *) expr, ctx);
    xmlSetGenericErrorFunc(saved_ctx, saved);
    if (found == NULL) {
        bl_err_set(err, "xpath '%s': invalid expression (%s at character %d)", expr,
                   last.code == XML_XPATH_UNDEF_VARIABLE_ERROR ? "unknown variable"
                   : last.code == XML_XPATH_UNKNOWN_FUNC_ERROR ? "unknown function"
                                                               : "syntax error",
                   last.int1 + 1);
        xmlXPathFreeContext(ctx);
        return BL_EPARSE;
    }
    if (found->type != XPATH_NODESET) {
        bl_err_set(
            err,
            "xpath '%s': gives a value, not elements (a path such as //primitive[@id='web'] selects elements)",
            expr);
        rc = BL_EINVALID;
        goto done;
    }
    *result = xmlNewDoc((const xmlChar *) "1.0");
    root = xmlNewDocNode(*result, NULL, (const xmlChar *) "xpath-result", NULL);
    xmlDocSetRootElement(*result, root);
    rc = copy_matches(found->nodesetval, expr, root, err);
    if (rc == 0 && xmlChildElementCount(root) == 0) {
        bl_err_set(err, "xpath '%s': no element matches", expr);
        rc = BL_ENOTFOUND;
    }
    if (rc != 0) {
        xmlFreeDoc(*result);
        *result = NULL;
    }
done:
    xmlXPathFreeObject(found);
    xmlXPathFreeContext(ctx);
    return rc;
}
