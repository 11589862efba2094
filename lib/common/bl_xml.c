/* XML helpers over libxml2: attributes, children, parsing, formatting, canonical form. */
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <libxml/parser.h>
#include <libxml/xmlsave.h>

#include <belay/common.h>

const char *
bl_xml_attr(const xmlNode *node, const char *name)
{
    if (node == NULL || node->type != XML_ELEMENT_NODE) {
        return NULL;
    }
    for (const xmlAttr *attr = node->properties; attr != NULL; attr = attr->next) {
        if (strcmp((const char *) attr->name, name) == 0) {
            if (attr->children == NULL) {
                return "";
            }
            /* Parsed attributes are a single text node; others are joined by libxml2. */
            if (attr->children->next == NULL && attr->children->type == XML_TEXT_NODE) {
                return (const char *) attr->children->content;
            }
            return "";
        }
    }
    return NULL;
}

void
bl_xml_set_attr(xmlNode *node, const char *name, const char *value)
{
    if (value == NULL) {
        xmlUnsetProp(node, (const xmlChar *) name);
        return;
    }
    xmlSetProp(node, (const xmlChar *) name, (const xmlChar *) value);
}

bool
bl_xml_is(const xmlNode *node, const char *name)
{
    return node != NULL && node->type == XML_ELEMENT_NODE
           && strcmp((const char *) node->name, name) == 0;
}

static xmlNode *
first_element_from(const xmlNode *node, const char *name)
{
    for (; node != NULL; node = node->next) {
        if (node->type == XML_ELEMENT_NODE
            && (name == NULL || strcmp((const char *) node->name, name) == 0)) {
            return (xmlNode *) node;
        }
    }
    return NULL;
}

xmlNode *
bl_xml_first_child(const xmlNode *node, const char *name)
{
    return node == NULL ? NULL : first_element_from(node->children, name);
}

xmlNode *
bl_xml_next(const xmlNode *node, const char *name)
{
    return node == NULL ? NULL : first_element_from(node->next, name);
}

xmlNode *
bl_xml_child_by_id(const xmlNode *node, const char *name, const char *id)
{
    for (xmlNode *child = bl_xml_first_child(node, name); child != NULL;
         child = bl_xml_next(child, name)) {
        const char *child_id = bl_xml_attr(child, "id");

        if (child_id != NULL && strcmp(child_id, id) == 0) {
            return child;
        }
    }
    return NULL;
}

xmlNode *
bl_xml_find_id(const xmlNode *root, const char *id)
{
    const char *root_id = bl_xml_attr(root, "id");

    if (root == NULL) {
        return NULL;
    }
    if (root_id != NULL && strcmp(root_id, id) == 0) {
        return (xmlNode *) root;
    }
    for (xmlNode *child = bl_xml_first_child(root, NULL); child != NULL;
         child = bl_xml_next(child, NULL)) {
        xmlNode *found = bl_xml_find_id(child, id);

        if (found != NULL) {
            return found;
        }
    }
    return NULL;
}

xmlNode *
bl_xml_add_child(xmlNode *parent, const char *name)
{
    return xmlNewChild(parent, NULL, (const xmlChar *) name, NULL);
}

void
bl_xml_remove(xmlNode *node)
{
    if (node != NULL) {
        xmlUnlinkNode(node);
        xmlFreeNode(node);
    }
}

char *
bl_xml_format(const xmlNode *node)
{
    xmlBuffer *buffer = xmlBufferCreate();
    char *result;

    xmlNodeDump(buffer, node->doc, (xmlNode *) node, 0, 1);
    result = bl_asprintf("%s\n", (const char *) xmlBufferContent(buffer));
    xmlBufferFree(buffer);
    return result;
}

static void
append_escaped(GString *out, const char *text, bool in_attribute)
{
    /* Copies runs of plain characters at once: most values need no escaping. */
    const char *special = in_attribute ? "&<>\"\n\t\r" : "&<>\r";

    for (const char *p = text; *p != '\0'; p++) {
        size_t plain = strcspn(p, special);

        g_string_append_len(out, p, (gssize) plain);
        p += plain;
        switch (*p) {
        case '\0':
            return;
        case '&':
            g_string_append(out, "&amp;");
            break;
        case '<':
            g_string_append(out, "&lt;");
            break;
        case '>':
            g_string_append(out, "&gt;");
            break;
        case '"':
            g_string_append(out, "&quot;");
            break;
        case '\n':
            g_string_append(out, "&#10;");
            break;
        case '\t':
            g_string_append(out, "&#9;");
            break;
        default:
            g_string_append(out, "&#13;");
            break;
        }
    }
}

static int
compare_attr_names(const void *a, const void *b)
{
    const xmlAttr *const *x = a;
    const xmlAttr *const *y = b;

    return strcmp((const char *) (*x)->name, (const char *) (*y)->name);
}

static bool
is_blank(const char *text)
{
    for (; *text != '\0'; text++) {
        if (*text != ' ' && *text != '\t' && *text != '\n' && *text != '\r') {
            return false;
        }
    }
    return true;
}

/* Appends the value of ATTR escaped; parsed values are one text node, read in place. */
static void
append_attr_value(GString *out, const xmlAttr *attr)
{
    const xmlNode *text = attr->children;
    xmlChar *value;

    if (text != NULL && text->next == NULL && text->type == XML_TEXT_NODE) {
        append_escaped(out, (const char *) text->content, true);
        return;
    }
    value = xmlNodeGetContent((const xmlNode *) attr);
    append_escaped(out, value ? (const char *) value : "", true);
    xmlFree(value);
}

/*
 * Appends the canonical form of NODE to OUT. With SUM, OUT is a window: full windows go
 * into the checksum, so a digest never holds a whole large CIB's text in memory.
 */
static void
canonical_element(GString *out, GChecksum *sum, const xmlNode *node)
{
    /* Digests of large CIBs run this per element: no allocation for usual sizes. */
    const xmlAttr *stack_attrs[16];
    const xmlAttr **attrs = stack_attrs;
    size_t count = 0;
    size_t capacity = G_N_ELEMENTS(stack_attrs);

    for (const xmlAttr *attr = node->properties; attr != NULL; attr = attr->next) {
        if (count == capacity) {
            capacity *= 2;
            attrs = (attrs == stack_attrs) ? memcpy(bl_malloc(capacity * sizeof(*attrs)),
                                                    stack_attrs, sizeof(stack_attrs))
                                           : bl_realloc(attrs, capacity * sizeof(*attrs));
        }
        attrs[count++] = attr;
    }
    qsort(attrs, count, sizeof(*attrs), compare_attr_names);
    g_string_append_c(out, '<');
    g_string_append(out, (const char *) node->name);
    for (size_t i = 0; i < count; i++) {
        g_string_append_c(out, ' ');
        g_string_append(out, (const char *) attrs[i]->name);
        g_string_append(out, "=\"");
        append_attr_value(out, attrs[i]);
        g_string_append_c(out, '"');
    }
    if (attrs != stack_attrs) {
        free(attrs);
    }
    g_string_append_c(out, '>');
    for (const xmlNode *child = node->children; child != NULL; child = child->next) {
        if (child->type == XML_ELEMENT_NODE) {
            canonical_element(out, sum, child);
        } else if ((child->type == XML_TEXT_NODE || child->type == XML_CDATA_SECTION_NODE)
                   && !is_blank((const char *) child->content)) {
            append_escaped(out, (const char *) child->content, false);
        }
    }
    g_string_append(out, "</");
    g_string_append(out, (const char *) node->name);
    g_string_append_c(out, '>');
    if (sum != NULL && out->len >= 65536) {
        g_checksum_update(sum, (const guchar *) out->str, (gssize) out->len);
        g_string_truncate(out, 0);
    }
}

char *
bl_xml_canonical(const xmlNode *node)
{
    GString *out = g_string_sized_new(4096);
    char *result;

    canonical_element(out, NULL, node);
    result = bl_strndup(out->str, out->len);
    g_string_free(out, TRUE);
    return result;
}

void
bl_xml_digest(const xmlNode *node, char out[BL_DIGEST_HEXLEN + 1])
{
    GString *window = g_string_sized_new(65536 + 4096);
    GChecksum *sum = g_checksum_new(G_CHECKSUM_SHA256);

    canonical_element(window, sum, node);
    g_checksum_update(sum, (const guchar *) window->str, (gssize) window->len);
    memcpy(out, g_checksum_get_string(sum), BL_DIGEST_HEXLEN);
    out[BL_DIGEST_HEXLEN] = '\0';
    g_checksum_free(sum);
    g_string_free(window, TRUE);
}

long
bl_xml_line(const xmlNode *node)
{
    return node == NULL ? 0 : xmlGetLineNo(node);
}

static char *
trim_message(const char *message)
{
    char *copy = bl_strdup(message ? message : "malformed XML");
    size_t n = strlen(copy);

    while (n > 0 && (copy[n - 1] == '\n' || copy[n - 1] == ' ')) {
        copy[--n] = '\0';
    }
    return copy;
}

/* Keeps the parser's first error: later ones are usually consequences of it. */
struct first_error {
    int line;
    char *message;
};

static void
keep_first_error(void *user_data, xmlError *error)
{
    xmlParserCtxt *ctxt = user_data;
    struct first_error *first = ctxt->_private;

    if (first->message == NULL && error != NULL && error->level >= XML_ERR_ERROR) {
        first->line = error->line;
        first->message = trim_message(error->message);
    }
}

/* Swallows libxml2's context-free messages (encoding errors): parsers never print. */
static void
discard_generic_error(void *user_data, const char *fmt, ...)
{
    (void) user_data;
    (void) fmt;
}

int
bl_xml_parse(const char *text, size_t len, const char *name, xmlDoc **doc, char **err)
{
    xmlParserCtxt *ctxt = xmlNewParserCtxt();
    /* HUGE lifts libxml2's size limits (a saved CIB of thousands of resources is over
     * 10 MB, beyond its input lookup limit) and nothing else: no recovery, no DTD, no
     * entity loading, so a malformed document is still refused. */
    int options = XML_PARSE_NOBLANKS | XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING
                  | XML_PARSE_BIG_LINES | XML_PARSE_HUGE;
    xmlGenericErrorFunc saved_handler = xmlGenericError;
    void *saved_context = xmlGenericErrorContext;
    struct first_error first = {0, NULL};
    int rc = 0;

    *doc = NULL;
    if (ctxt == NULL) {
        abort();
    }
    ctxt->linenumbers = 1;
    ctxt->_private = &first;
    ctxt->sax->serror = keep_first_error;
    if (len > (size_t) INT32_MAX) {
        bl_err_set(err, "%s: document too large", name);
        rc = BL_EPARSE;
        goto done;
    }
    /* libxml2 keeps this handler per thread, so restoring it is safe. */
    xmlSetGenericErrorFunc(NULL, discard_generic_error);
    *doc = xmlCtxtReadMemory(ctxt, text, (int) len, name, NULL, options);
    xmlSetGenericErrorFunc(saved_context, saved_handler);
    if (*doc == NULL || !ctxt->wellFormed || xmlDocGetRootElement(*doc) == NULL) {
        if (first.message == NULL) {
            first.message = trim_message("no root element");
        }
        bl_err_set(err, "%s line %d: malformed XML: %s", name, first.line, first.message);
        xmlFreeDoc(*doc);
        *doc = NULL;
        rc = BL_EPARSE;
    }
done:
    free(first.message);
    xmlFreeParserCtxt(ctxt);
    return rc;
}

int
bl_xml_parse_file(const char *path, xmlDoc **doc, char **err)
{
    char *data = NULL;
    size_t len = 0;
    int rc = bl_file_read(path, &data, &len, err);

    *doc = NULL;
    if (rc == 0) {
        rc = bl_xml_parse(data, len, path, doc, err);
    }
    free(data);
    return rc;
}
