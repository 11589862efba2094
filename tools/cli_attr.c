/* Attribute sets (meta, params, node attributes), unique ids and did-you-mean hints. */
#include <stdlib.h>
#include <string.h>

#include "cli_private.h"

static bool
is_attribute_set(const xmlNode *node)
{
    return bl_xml_is(node, "meta_attributes") || bl_xml_is(node, "instance_attributes")
           || bl_xml_is(node, "utilization");
}

char *
bl__cli_unique_id(const xmlDoc *doc, const char *id)
{
    const xmlNode *root = xmlDocGetRootElement(doc);
    char *candidate = bl_strdup(id);

    for (unsigned i = 1; bl_xml_find_id(root, candidate) != NULL; i++) {
        free(candidate);
        candidate = bl_asprintf("%s-%u", id, i);
    }
    return candidate;
}

char *
bl__cli_did_you_mean(const char *name, const char *const *candidates)
{
    size_t len = strlen(name);
    /* Short names tolerate one or two typos; long ones about a third of their length. */
    unsigned max = len / 3 > 2 ? (unsigned) (len / 3) : 2;
    unsigned best_distance = max + 1;
    const char *best = NULL;

    for (size_t i = 0; candidates != NULL && candidates[i] != NULL; i++) {
        unsigned distance = bl_edit_distance(name, candidates[i], max);

        if (distance < best_distance) {
            best_distance = distance;
            best = candidates[i];
        }
    }
    return best == NULL ? bl_strdup("") : bl_asprintf(" (did you mean '%s'?)", best);
}

xmlNode *
bl__cli_attr_set(xmlNode *parent, const char *tag, const char *set_id, bool create)
{
    xmlNode *set = bl_xml_first_child(parent, tag);
    xmlNode *after = NULL;
    char *id;

    if (set != NULL || !create) {
        return set;
    }
    for (xmlNode *child = bl_xml_first_child(parent, NULL); child != NULL;
         child = bl_xml_next(child, NULL)) {
        if (is_attribute_set(child)) {
            after = child;
        }
    }
    /* crmsh's order: attribute sets first (params, then meta), then operations/members. */
    set = xmlNewDocNode(parent->doc, NULL, (const xmlChar *) tag, NULL);
    if (after != NULL) {
        xmlAddNextSibling(after, set);
    } else if (bl_xml_first_child(parent, NULL) != NULL) {
        xmlAddPrevSibling(bl_xml_first_child(parent, NULL), set);
    } else {
        xmlAddChild(parent, set);
    }
    id = bl__cli_unique_id(parent->doc, set_id);
    bl_xml_set_attr(set, "id", id);
    free(id);
    return set;
}

xmlNode *
bl__cli_attr_find(const xmlNode *parent, const char *tag, const char *name)
{
    for (xmlNode *set = bl_xml_first_child(parent, tag); set != NULL; set = bl_xml_next(set, tag)) {
        for (xmlNode *nvpair = bl_xml_first_child(set, "nvpair"); nvpair != NULL;
             nvpair = bl_xml_next(nvpair, "nvpair")) {
            const char *nvname = bl_xml_attr(nvpair, "name");

            if (nvname != NULL && strcmp(nvname, name) == 0) {
                return nvpair;
            }
        }
    }
    return NULL;
}

bool
bl__cli_attr_put(xmlNode *parent, const char *tag, const char *set_id, const char *name,
                 const char *value)
{
    xmlNode *nvpair = bl__cli_attr_find(parent, tag, name);
    xmlNode *set;
    char *wanted;
    char *id;

    if (nvpair != NULL) {
        const char *old = bl_xml_attr(nvpair, "value");

        if (old != NULL && strcmp(old, value) == 0) {
            return false;
        }
        bl_xml_set_attr(nvpair, "value", value);
        return true;
    }
    set = bl__cli_attr_set(parent, tag, set_id, true);
    nvpair = bl_xml_add_child(set, "nvpair");
    wanted = bl_asprintf("%s-%s", bl_xml_attr(set, "id"), name);
    id = bl__cli_unique_id(parent->doc, wanted);
    free(wanted);
    bl_xml_set_attr(nvpair, "id", id);
    bl_xml_set_attr(nvpair, "name", name);
    bl_xml_set_attr(nvpair, "value", value);
    free(id);
    return true;
}

int
bl__cli_attr_remove(xmlNode *parent, const char *tag, const char *name)
{
    int removed = 0;
    xmlNode *nvpair;

    while ((nvpair = bl__cli_attr_find(parent, tag, name)) != NULL) {
        xmlNode *set = nvpair->parent;

        bl_xml_remove(nvpair);
        removed++;
        /* An empty set is noise that crmsh would show as an empty "meta" clause. */
        if (bl_xml_first_child(set, NULL) == NULL) {
            bl_xml_remove(set);
        }
    }
    return removed;
}

static void
attr_list(GString *out, const xmlNode *parent, const char *tag)
{
    for (xmlNode *set = bl_xml_first_child(parent, tag); set != NULL; set = bl_xml_next(set, tag)) {
        for (xmlNode *nvpair = bl_xml_first_child(set, "nvpair"); nvpair != NULL;
             nvpair = bl_xml_next(nvpair, "nvpair")) {
            const char *value = bl_xml_attr(nvpair, "value");

            g_string_append_printf(out, "%s=%s\n", bl_xml_attr(nvpair, "name"),
                                   value != NULL ? value : "");
        }
    }
}

int
bl__cli_attr_command(bl_cli_t *cli, const bl_cli_attr_target_t *target, int argc, char **argv)
{
    xmlNode *parent = target->parent;
    const char *tag = target->tag;
    const char *what = target->what;
    const char *kind = target->kind;
    const char *verb = argc > 0 ? argv[0] : "";
    const char *value;
    xmlNode *nvpair;

    if (strcmp(verb, "set") == 0 && argc == 3) {
        bl__cli_attr_put(parent, tag, target->set_id, argv[1], argv[2]);
        return 0;
    }
    if (strcmp(verb, "delete") == 0 && argc == 2) {
        if (bl__cli_attr_remove(parent, tag, argv[1]) == 0) {
            bl_err_set(&cli->err, "%s: no %s '%s'", what, kind, argv[1]);
            return BL_ENOTFOUND;
        }
        return 0;
    }
    if (strcmp(verb, "show") == 0 && argc <= 2) {
        if (argc == 1) {
            attr_list(cli->out, parent, tag);
            return 0;
        }
        nvpair = bl__cli_attr_find(parent, tag, argv[1]);
        if (nvpair == NULL) {
            bl_err_set(&cli->err, "%s: no %s '%s'", what, kind, argv[1]);
            return BL_ENOTFOUND;
        }
        value = bl_xml_attr(nvpair, "value");
        g_string_append_printf(cli->out, "%s\n", value != NULL ? value : "");
        return 0;
    }
    bl_err_set(&cli->err, "%s: expected set NAME VALUE, delete NAME or show [NAME]", what);
    return BL_EUSAGE;
}
