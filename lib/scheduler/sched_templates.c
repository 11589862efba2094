/*
 * Resource templates: <template> holds a primitive's class, provider, type, attributes and
 * operations; a <primitive template="T"> gets all of them, its own attributes winning and
 * its own operations replacing the template's of the same name and role (Pacemaker's
 * expansion). The expanded definition is a private copy: the CIB is never modified.
 */
#include <string.h>

#include "sched_private.h"

/* Operations of the same name for the same role replace each other. */
static char *
op_key(const xmlNode *op)
{
    const char *role = bl_xml_attr(op, "role");

    if (role == NULL || strcmp(role, "Started") == 0 || strcmp(role, "Unpromoted") == 0
        || strcmp(role, "Slave") == 0) {
        role = "Unknown";
    }
    return bl_asprintf("%s-%s", bl_xml_attr(op, "name") != NULL ? bl_xml_attr(op, "name") : "",
                       role);
}

static void
add_copy(xmlNode *parent, const xmlNode *child)
{
    xmlAddChild(parent, xmlCopyNode((xmlNode *) child, 1));
}

/* The primitive's operations, then the template's that it does not replace. */
static void
merge_operations(xmlNode *expanded, const xmlNode *own, const xmlNode *inherited)
{
    xmlNode *ops = xmlNewNode(NULL, (const xmlChar *) "operations");
    g_autoptr(GHashTable) keys = g_hash_table_new_full(g_str_hash, g_str_equal, free, NULL);

    for (xmlNode *op = bl_xml_first_child(own, "op"); op != NULL; op = bl_xml_next(op, "op")) {
        g_hash_table_add(keys, op_key(op));
        add_copy(ops, op);
    }
    for (xmlNode *op = bl_xml_first_child(inherited, "op"); op != NULL;
         op = bl_xml_next(op, "op")) {
        g_autofree char *key = op_key(op);

        if (!g_hash_table_contains(keys, key)) {
            add_copy(ops, op);
        }
    }
    xmlAddChild(expanded, ops);
}

/* Children of FROM other than operations. The primitive's come first: with nvpair sets,
 * the first value of a name wins (bl__sched_nvpairs). */
static void
copy_sets(xmlNode *expanded, const xmlNode *from)
{
    for (xmlNode *child = bl_xml_first_child(from, NULL); child != NULL;
         child = bl_xml_next(child, NULL)) {
        if (!bl_xml_is(child, "operations")) {
            add_copy(expanded, child);
        }
    }
}

int
bl__sched_template_expand(bl_sched_t *s, const xmlNode *primitive, xmlNode **expanded)
{
    xmlNode *config = bl_xml_first_child(xmlDocGetRootElement(s->cib), "configuration");
    const char *name = bl_xml_attr(primitive, "template");
    const char *id = bl_xml_attr(primitive, "id");
    xmlNode *template =
        bl_xml_child_by_id(bl_xml_first_child(config, "resources"), "template", name);

    if (template == NULL || id == NULL) {
        bl_err_set(s->err, "primitive '%s' (line %ld): no template '%s'", id != NULL ? id : "?",
                   bl_xml_line(primitive), name);
        return BL_EINVALID;
    }
    *expanded = xmlCopyNode(template, 2);
    xmlNodeSetName(*expanded, (const xmlChar *) "primitive");
    xmlSetProp(*expanded, (const xmlChar *) "id", (const xmlChar *) id);
    copy_sets(*expanded, primitive);
    copy_sets(*expanded, template);
    merge_operations(*expanded, bl_xml_first_child(primitive, "operations"),
                     bl_xml_first_child(template, "operations"));
    return 0;
}

/* Whether a constraint attribute or resource_ref below XML names a template. */
static const xmlNode *
template_reference(const xmlNode *xml, GHashTable *templates)
{
    static const char *const attrs[] = {"rsc", "with-rsc", "first", "then"};

    for (size_t i = 0; i < G_N_ELEMENTS(attrs); i++) {
        const char *value = bl_xml_attr(xml, attrs[i]);

        if (value != NULL && g_hash_table_contains(templates, value)) {
            return xml;
        }
    }
    if (bl_xml_is(xml, "resource_ref") && bl_xml_attr(xml, "id") != NULL
        && g_hash_table_contains(templates, bl_xml_attr(xml, "id"))) {
        return xml;
    }
    for (xmlNode *child = bl_xml_first_child(xml, NULL); child != NULL;
         child = bl_xml_next(child, NULL)) {
        const xmlNode *found = template_reference(child, templates);

        if (found != NULL) {
            return found;
        }
    }
    return NULL;
}

int
bl__sched_templates_check(bl_sched_t *s)
{
    xmlNode *config = bl_xml_first_child(xmlDocGetRootElement(s->cib), "configuration");
    xmlNode *constraints = bl_xml_first_child(config, "constraints");
    g_autoptr(GHashTable) templates = g_hash_table_new(g_str_hash, g_str_equal);

    for (xmlNode *xml = bl_xml_first_child(bl_xml_first_child(config, "resources"), "template");
         xml != NULL; xml = bl_xml_next(xml, "template")) {
        if (bl_xml_attr(xml, "id") != NULL) {
            g_hash_table_add(templates, (gpointer) bl_xml_attr(xml, "id"));
        }
    }
    for (xmlNode *xml = bl_xml_first_child(constraints, NULL);
         g_hash_table_size(templates) > 0 && xml != NULL; xml = bl_xml_next(xml, NULL)) {
        const xmlNode *found = template_reference(xml, templates);

        if (found != NULL) {
            bl_err_set(s->err,
                       "%s '%s' (line %ld): constraints that name a template are not supported yet",
                       (const char *) xml->name,
                       bl_xml_attr(xml, "id") != NULL ? bl_xml_attr(xml, "id") : "?",
                       bl_xml_line(found));
            return BL_EUNSUPPORTED;
        }
    }
    return 0;
}
