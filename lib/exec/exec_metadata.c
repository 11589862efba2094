/* Agent meta-data: the XML an agent prints for "meta-data", parsed into a struct. */
#include <string.h>

#include <belay/common.h>
#include <belay/exec.h>

static char *
text_of(const xmlNode *node)
{
    xmlChar *content = node != NULL ? xmlNodeGetContent(node) : NULL;
    char *text = NULL;

    if (content != NULL) {
        text = g_strstrip(g_strdup((const char *) content));
        xmlFree(content);
    }
    return text;
}

/* The English description, else the first one (agents may ship several languages). */
static char *
desc_of(const xmlNode *parent, const char *name)
{
    const xmlNode *first = bl_xml_first_child(parent, name);

    for (const xmlNode *n = first; n != NULL; n = bl_xml_next(n, name)) {
        const char *lang = bl_xml_attr(n, "lang");

        if (lang != NULL && strcmp(lang, "en") == 0) {
            return text_of(n);
        }
    }
    return text_of(first);
}

static bool
flag_of(const xmlNode *node, const char *name)
{
    const char *value = bl_xml_attr(node, name);

    return value != NULL
           && (strcmp(value, "1") == 0 || g_ascii_strcasecmp(value, "true") == 0
               || g_ascii_strcasecmp(value, "yes") == 0);
}

static void
param_free(gpointer data)
{
    bl_agent_param_t *param = data;

    g_free(param->name);
    g_free(param->type);
    g_free(param->default_value);
    g_free(param->shortdesc);
    g_free(param);
}

static void
action_free(gpointer data)
{
    bl_agent_action_t *action = data;

    g_free(action->name);
    g_free(action->role);
    g_free(action->depth);
    g_free(action);
}

static int
parse_param(const xmlNode *node, const char *name, bl_agent_info_t *info, char **err)
{
    const char *pname = bl_xml_attr(node, "name");
    const xmlNode *content = bl_xml_first_child(node, "content");
    bl_agent_param_t *param;

    if (pname == NULL || *pname == '\0') {
        bl_err_set(err, "%s line %ld: parameter without a name", name, bl_xml_line(node));
        return BL_EPARSE;
    }
    param = g_new0(bl_agent_param_t, 1);
    param->name = g_strdup(pname);
    param->required = flag_of(node, "required");
    param->unique = flag_of(node, "unique");
    param->shortdesc = desc_of(node, "shortdesc");
    param->type = g_strdup(content != NULL && bl_xml_attr(content, "type") != NULL
                               ? bl_xml_attr(content, "type")
                               : "string");
    param->default_value = g_strdup(content != NULL ? bl_xml_attr(content, "default") : NULL);
    g_ptr_array_add(info->params, param);
    return 0;
}

static int
duration_of(const xmlNode *node, const char *attr, const char *name, uint64_t *ms, char **err)
{
    const char *value = bl_xml_attr(node, attr);
    char *why = NULL;

    *ms = 0;
    if (value == NULL || bl_duration_parse_ms(value, ms, &why) == 0) {
        return 0;
    }
    bl_err_set(err, "%s line %ld: action '%s': invalid %s: %s", name, bl_xml_line(node),
               bl_xml_attr(node, "name"), attr, why);
    free(why);
    return BL_EPARSE;
}

static int
parse_action(const xmlNode *node, const char *name, bl_agent_info_t *info, char **err)
{
    const char *aname = bl_xml_attr(node, "name");
    bl_agent_action_t *action;
    uint64_t timeout;
    uint64_t interval;

    if (aname == NULL || *aname == '\0') {
        bl_err_set(err, "%s line %ld: action without a name", name, bl_xml_line(node));
        return BL_EPARSE;
    }
    if (duration_of(node, "timeout", name, &timeout, err) != 0
        || duration_of(node, "interval", name, &interval, err) != 0) {
        return BL_EPARSE;
    }
    action = g_new0(bl_agent_action_t, 1);
    action->name = g_strdup(aname);
    action->role = g_strdup(bl_xml_attr(node, "role"));
    action->depth = g_strdup(bl_xml_attr(node, "depth"));
    action->timeout_ms = timeout;
    action->interval_ms = interval;
    g_ptr_array_add(info->actions, action);
    return 0;
}

static int
parse_lists(const xmlNode *root, const char *name, bl_agent_info_t *info, char **err)
{
    const xmlNode *params = bl_xml_first_child(root, "parameters");
    const xmlNode *actions = bl_xml_first_child(root, "actions");

    for (const xmlNode *n = bl_xml_first_child(params, "parameter"); n != NULL;
         n = bl_xml_next(n, "parameter")) {
        if (parse_param(n, name, info, err) != 0) {
            return BL_EPARSE;
        }
    }
    for (const xmlNode *n = bl_xml_first_child(actions, "action"); n != NULL;
         n = bl_xml_next(n, "action")) {
        if (parse_action(n, name, info, err) != 0) {
            return BL_EPARSE;
        }
    }
    return 0;
}

int
bl_agent_info_parse(const char *text, size_t len, const char *name, bl_agent_info_t **info,
                    char **err)
{
    xmlDoc *doc = NULL;
    const xmlNode *root;
    bl_agent_info_t *result;
    int rc = bl_xml_parse(text, len, name, &doc, err);

    if (rc != 0) {
        return rc;
    }
    root = xmlDocGetRootElement(doc);
    if (!bl_xml_is(root, "resource-agent")) {
        bl_err_set(err, "%s line %ld: root element is <%s>, expected <resource-agent>", name,
                   bl_xml_line(root), root != NULL ? (const char *) root->name : "");
        xmlFreeDoc(doc);
        return BL_EPARSE;
    }
    result = g_new0(bl_agent_info_t, 1);
    result->params = g_ptr_array_new_with_free_func(param_free);
    result->actions = g_ptr_array_new_with_free_func(action_free);
    result->name = g_strdup(bl_xml_attr(root, "name"));
    result->version = text_of(bl_xml_first_child(root, "version"));
    result->shortdesc = desc_of(root, "shortdesc");
    result->longdesc = desc_of(root, "longdesc");
    rc = parse_lists(root, name, result, err);
    xmlFreeDoc(doc);
    if (rc != 0) {
        bl_agent_info_free(result);
        return rc;
    }
    *info = result;
    return 0;
}

void
bl_agent_info_free(bl_agent_info_t *info)
{
    if (info == NULL) {
        return;
    }
    g_free(info->name);
    g_free(info->version);
    g_free(info->shortdesc);
    g_free(info->longdesc);
    g_ptr_array_unref(info->params);
    g_ptr_array_unref(info->actions);
    g_free(info);
}
