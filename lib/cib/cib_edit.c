/*
 * Edits by element, as cibadmin --modify/--create/--replace/--delete make them: a change
 * that names the elements it touches (tag and id) instead of recording two versions of the
 * whole document, so that belay-based can apply it to whatever its CIB is when the write
 * is delivered — no version to race, nothing to retry.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <belay/cib.h>

/* Sections an operation may name, the configuration's in Pacemaker's order. */
static const char *const config_order[] = {
    "crm_config", "nodes", "resources", "constraints", "rsc_defaults", "op_defaults", NULL,
};

static bool
known_section(const char *name)
{
    if (strcmp(name, "configuration") == 0 || strcmp(name, "status") == 0) {
        return true;
    }
    for (int i = 0; config_order[i] != NULL; i++) {
        if (strcmp(config_order[i], name) == 0) {
            return true;
        }
    }
    return false;
}

xmlNode *
bl_cib_section_ensure(xmlDoc *doc, const char *name)
{
    xmlNode *root = xmlDocGetRootElement(doc);
    xmlNode *configuration = bl_xml_first_child(root, "configuration");
    xmlNode *section = bl_cib_section(doc, name);
    bool after = false;

    if (section != NULL) {
        return section;
    }
    if (configuration == NULL) {
        xmlNode *first = bl_xml_first_child(root, NULL);

        configuration = xmlNewDocNode(doc, NULL, (const xmlChar *) "configuration", NULL);
        if (first != NULL) {
            xmlAddPrevSibling(first, configuration);
        } else {
            xmlAddChild(root, configuration);
        }
    }
    section = xmlNewDocNode(doc, NULL, (const xmlChar *) name, NULL);
    /* Keep Pacemaker's section order: before the first section that comes later. */
    for (int i = 0; config_order[i] != NULL; i++) {
        xmlNode *later = after ? bl_xml_first_child(configuration, config_order[i]) : NULL;

        if (later != NULL) {
            xmlAddPrevSibling(later, section);
            return section;
        }
        after = after || strcmp(config_order[i], name) == 0;
    }
    xmlAddChild(configuration, section);
    return section;
}

/* The first element under SCOPE (SCOPE itself included) with tag TAG and id ID. */
static xmlNode *
find_element(xmlNode *scope, const char *tag, const char *id)
{
    if (bl_xml_is(scope, tag) && g_strcmp0(bl_xml_attr(scope, "id"), id) == 0) {
        return scope;
    }
    for (xmlNode *child = bl_xml_first_child(scope, NULL); child != NULL;
         child = bl_xml_next(child, NULL)) {
        xmlNode *found = find_element(child, tag, id);

        if (found != NULL) {
            return found;
        }
    }
    return NULL;
}

/* TARGET's child matching CHILD: same tag and id, or without an id, the first of that tag. */
static xmlNode *
matching_child(const xmlNode *target, const xmlNode *child)
{
    const char *tag = (const char *) child->name;
    const char *id = bl_xml_attr(child, "id");

    for (xmlNode *candidate = bl_xml_first_child(target, tag); candidate != NULL;
         candidate = bl_xml_next(candidate, tag)) {
        if (id == NULL || g_strcmp0(bl_xml_attr(candidate, "id"), id) == 0) {
            return candidate;
        }
    }
    return NULL;
}

/* Pacemaker's modify: UPDATE's attributes set on TARGET, its children merged alike. */
static void
merge(xmlNode *target, const xmlNode *update)
{
    for (const xmlAttr *attr = update->properties; attr != NULL; attr = attr->next) {
        xmlChar *value = xmlNodeGetContent((const xmlNode *) attr);

        bl_xml_set_attr(target, (const char *) attr->name, (const char *) value);
        xmlFree(value);
    }
    for (const xmlNode *child = bl_xml_first_child(update, NULL); child != NULL;
         child = bl_xml_next(child, NULL)) {
        xmlNode *existing = matching_child(target, child);

        if (existing != NULL) {
            merge(existing, child);
        } else {
            xmlAddChild(target, xmlDocCopyNode((xmlNode *) child, target->doc, 1));
        }
    }
}

/* The element an operation carries: exactly one. */
static const xmlNode *
op_element(const xmlNode *op, const char *verb, char **err)
{
    const xmlNode *element = bl_xml_first_child(op, NULL);

    if (element == NULL || bl_xml_next(element, NULL) != NULL) {
        bl_err_set(err, "%s: expected exactly one element to %s", verb, verb);
        return NULL;
    }
    return element;
}

/* Where OP applies: its section (created for CREATE when missing), or the whole CIB. */
static xmlNode *
op_scope(xmlDoc *doc, const xmlNode *op, const char *verb, bool create, char **err)
{
    const char *name = bl_xml_attr(op, "section");
    xmlNode *section;

    if (name == NULL) {
        if (create) {
            bl_err_set(err, "%s: needs a section (e.g. section=\"resources\")", verb);
        }
        return create ? NULL : xmlDocGetRootElement(doc);
    }
    if (!known_section(name)) {
        bl_err_set(err, "%s: unknown section '%s'", verb, name);
        return NULL;
    }
    section = bl_cib_section(doc, name);
    if (section == NULL && create && strcmp(name, "configuration") != 0
        && strcmp(name, "status") != 0) {
        section = bl_cib_section_ensure(doc, name);
    }
    if (section == NULL) {
        bl_err_set(err, "%s: the CIB has no %s section", verb, name);
    }
    return section;
}

/* Names ELEMENT for messages: "primitive 'web'", or "crm_config" without an id. */
static char *
describe(const xmlNode *element)
{
    const char *id = bl_xml_attr(element, "id");

    return id != NULL ? bl_asprintf("%s '%s'", element->name, id)
                      : bl_strdup((const char *) element->name);
}

/* The existing element ELEMENT names under SCOPE, or NULL with *err set. */
static xmlNode *
find_target(xmlNode *scope, const xmlNode *element, const char *verb, char **err)
{
    const char *id = bl_xml_attr(element, "id");
    xmlNode *target = NULL;
    char *what;

    if (id == NULL && bl_xml_is(scope, (const char *) element->name)) {
        return scope;
    }
    if (id == NULL) {
        bl_err_set(err, "%s: element '%s' has no id, so it names nothing to %s", verb,
                   element->name, verb);
        return NULL;
    }
    target = find_element(scope, (const char *) element->name, id);
    if (target == NULL && err != NULL) {
        what = describe(element);
        bl_err_set(err, "%s: no %s in %s", verb, what, scope->name);
        free(what);
    }
    return target;
}

static int
op_modify(xmlDoc *doc, const xmlNode *op, char **err)
{
    const xmlNode *element = op_element(op, "modify", err);
    bool create = g_strcmp0(bl_xml_attr(op, "create"), "true") == 0;
    xmlNode *scope = element != NULL ? op_scope(doc, op, "modify", create, err) : NULL;
    xmlNode *target;

    if (scope == NULL) {
        return BL_EPARSE;
    }
    target = find_target(scope, element, "modify", create ? NULL : err);
    if (target != NULL) {
        merge(target, element);
        return 0;
    }
    if (!create) {
        return BL_ENOTFOUND;
    }
    xmlAddChild(scope, xmlDocCopyNode((xmlNode *) element, doc, 1));
    return 0;
}

static int
op_create(xmlDoc *doc, const xmlNode *op, char **err)
{
    const xmlNode *element = op_element(op, "create", err);
    xmlNode *scope = element != NULL ? op_scope(doc, op, "create", true, err) : NULL;
    const char *id = element != NULL ? bl_xml_attr(element, "id") : NULL;

    if (scope == NULL) {
        return BL_EPARSE;
    }
    if (id != NULL && find_element(scope, (const char *) element->name, id) != NULL) {
        char *what = describe(element);

        bl_err_set(err, "create: %s already exists in %s", what, scope->name);
        free(what);
        return BL_EEXISTS;
    }
    xmlAddChild(scope, xmlDocCopyNode((xmlNode *) element, doc, 1));
    return 0;
}

static int
op_replace(xmlDoc *doc, const xmlNode *op, char **err)
{
    const xmlNode *element = op_element(op, "replace", err);
    xmlNode *scope = element != NULL ? op_scope(doc, op, "replace", false, err) : NULL;
    xmlNode *target = scope != NULL ? find_target(scope, element, "replace", err) : NULL;

    if (target == NULL) {
        return scope == NULL ? BL_EPARSE : BL_ENOTFOUND;
    }
    if (target == xmlDocGetRootElement(doc)) {
        bl_err_set(err, "replace: the whole CIB is replaced with a replace request, not an edit");
        return BL_EPARSE;
    }
    xmlReplaceNode(target, xmlDocCopyNode((xmlNode *) element, doc, 1));
    xmlFreeNode(target);
    return 0;
}

/* True when every attribute of ELEMENT has the same value on TARGET. */
static bool
attributes_match(const xmlNode *target, const xmlNode *element)
{
    for (const xmlAttr *attr = element->properties; attr != NULL; attr = attr->next) {
        xmlChar *value = xmlNodeGetContent((const xmlNode *) attr);
        bool same =
            g_strcmp0(bl_xml_attr(target, (const char *) attr->name), (const char *) value) == 0;

        xmlFree(value);
        if (!same) {
            return false;
        }
    }
    return true;
}

/*
 * cibadmin --delete: the element of that tag and id, when the other attributes given
 * match too. When none matches, or its known section is absent, there is nothing to
 * delete and the operation succeeds without a change, as Pacemaker's does (scripts that
 * clean up rely on it). An element without an id or an unknown section is still refused.
 */
static int
op_delete(xmlDoc *doc, const xmlNode *op, char **err)
{
    const xmlNode *element = op_element(op, "delete", err);
    const char *section = bl_xml_attr(op, "section");
    xmlNode *scope = NULL;
    xmlNode *target = NULL;

    if (element != NULL && section != NULL && known_section(section)
        && bl_cib_section(doc, section) == NULL) {
        return 0;
    }
    scope = element != NULL ? op_scope(doc, op, "delete", false, err) : NULL;
    if (scope != NULL && bl_xml_attr(element, "id") != NULL) {
        target = find_element(scope, (const char *) element->name, bl_xml_attr(element, "id"));
        if (target == NULL || !attributes_match(target, element)) {
            return 0;
        }
    } else if (scope != NULL) {
        target = find_target(scope, element, "delete", err);
    }
    if (target == NULL) {
        return BL_EPARSE;
    }
    if (target->parent == NULL || target->parent->type != XML_ELEMENT_NODE
        || target == bl_xml_first_child(xmlDocGetRootElement(doc), "configuration")
        || target == bl_cib_section(doc, "status")) {
        bl_err_set(err, "delete: %s cannot be deleted", target->name);
        return BL_EPARSE;
    }
    bl_xml_remove(target);
    return 0;
}

bool
bl_cib_edit_is_element_op(const xmlNode *op)
{
    return bl_xml_is(op, "modify") || bl_xml_is(op, "create") || bl_xml_is(op, "replace")
           || bl_xml_is(op, "delete");
}

int
bl_cib_edit_op_apply(xmlDoc *doc, const xmlNode *op, char **err)
{
    if (bl_xml_is(op, "modify")) {
        return op_modify(doc, op, err);
    }
    if (bl_xml_is(op, "create")) {
        return op_create(doc, op, err);
    }
    if (bl_xml_is(op, "replace")) {
        return op_replace(doc, op, err);
    }
    if (bl_xml_is(op, "delete")) {
        return op_delete(doc, op, err);
    }
    bl_err_set(err, "edit: unknown operation '%s' (modify, create, replace, delete or crm)",
               op->name);
    return BL_EPARSE;
}

int
bl_cib_edit_apply(xmlDoc *doc, const xmlDoc *edit, bl_cib_edit_hook_fn hook, void *data, char **err)
{
    const xmlNode *root = xmlDocGetRootElement(edit);
    unsigned n = 0;
    bool several;

    if (!bl_xml_is(root, "cib-edit")) {
        bl_err_set(err, "edit: the root element is '%s', expected 'cib-edit'",
                   root != NULL ? (const char *) root->name : "(none)");
        return BL_EPARSE;
    }
    several = bl_xml_next(bl_xml_first_child(root, NULL), NULL) != NULL;
    for (const xmlNode *op = bl_xml_first_child(root, NULL); op != NULL;
         op = bl_xml_next(op, NULL)) {
        int rc = hook != NULL && !bl_cib_edit_is_element_op(op)
                     ? hook(doc, op, data, err)
                     : bl_cib_edit_op_apply(doc, op, err);

        n++;
        if (rc != 0) {
            if (several) {
                bl_err_prefix(err, "operation %u", n);
            }
            return rc;
        }
    }
    if (n == 0) {
        bl_err_set(err, "edit: no operation (modify, create, replace, delete or crm)");
        return BL_EPARSE;
    }
    return 0;
}
