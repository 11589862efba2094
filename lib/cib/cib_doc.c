/* The CIB as a document: create, parse, load, save, find sections. */
#include <stdlib.h>
#include <string.h>

#include <belay/cib.h>

/* Sections of <configuration>, in Pacemaker's order. */
static const char *const config_sections[] = {
    "crm_config", "nodes", "resources", "constraints", NULL,
};

xmlDoc *
bl_cib_new_empty(void)
{
    xmlDoc *doc = xmlNewDoc((const xmlChar *) "1.0");
    xmlNode *root = xmlNewDocNode(doc, NULL, (const xmlChar *) "cib", NULL);
    xmlNode *configuration;

    xmlDocSetRootElement(doc, root);
    bl_xml_set_attr(root, "admin_epoch", "0");
    bl_xml_set_attr(root, "epoch", "0");
    bl_xml_set_attr(root, "num_updates", "0");
    bl_xml_set_attr(root, "validate-with", "pacemaker-3.9");
    configuration = bl_xml_add_child(root, "configuration");
    for (int i = 0; config_sections[i] != NULL; i++) {
        bl_xml_add_child(configuration, config_sections[i]);
    }
    bl_xml_add_child(root, "status");
    return doc;
}

int
bl_cib_parse(const char *text, size_t len, const char *name, xmlDoc **doc, char **err)
{
    int rc = bl_xml_parse(text, len, name, doc, err);
    xmlNode *root;

    if (rc != 0) {
        return rc;
    }
    root = xmlDocGetRootElement(*doc);
    if (!bl_xml_is(root, "cib")) {
        bl_err_set(err, "%s line %ld: the root element is '%s', expected 'cib'", name,
                   bl_xml_line(root), (const char *) root->name);
        xmlFreeDoc(*doc);
        *doc = NULL;
        return BL_EPARSE;
    }
    return 0;
}

int
bl_cib_load(const char *path, xmlDoc **doc, char **err)
{
    char *data = NULL;
    size_t len = 0;
    int rc = bl_file_read(path, &data, &len, err);

    *doc = NULL;
    if (rc == 0) {
        rc = bl_cib_parse(data, len, path, doc, err);
    }
    free(data);
    return rc;
}

int
bl_cib_save(const char *path, const xmlDoc *doc, char **err)
{
    char *text = bl_xml_format(xmlDocGetRootElement(doc));
    int rc = bl_file_write_atomic(path, text, strlen(text), err);

    free(text);
    return rc;
}

xmlNode *
bl_cib_section(const xmlDoc *doc, const char *name)
{
    xmlNode *root = xmlDocGetRootElement(doc);
    xmlNode *configuration;

    if (root == NULL) {
        return NULL;
    }
    if (strcmp(name, "cib") == 0) {
        return root;
    }
    if (strcmp(name, "configuration") == 0 || strcmp(name, "status") == 0) {
        return bl_xml_first_child(root, name);
    }
    configuration = bl_xml_first_child(root, "configuration");
    return bl_xml_first_child(configuration, name);
}
