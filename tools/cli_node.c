/*
 * `belay node …`: standby/online, maintenance/ready and node attributes. Lifetime
 * "forever" lives in the node's instance_attributes in <nodes>, lifetime "reboot" in the
 * node's transient attributes in <status> (gone when the node restarts), as crmsh and
 * crm_attribute write them.
 */
#include <stdlib.h>
#include <string.h>

#include <belay/cib.h>

#include "cli_private.h"

xmlNode *
bl__cli_node_lookup(const xmlDoc *doc, const char *name)
{
    xmlNode *nodes = bl_cib_section(doc, "nodes");

    for (xmlNode *node = bl_xml_first_child(nodes, "node"); node != NULL;
         node = bl_xml_next(node, "node")) {
        const char *uname = bl_xml_attr(node, "uname");

        if (uname != NULL && strcmp(uname, name) == 0) {
            return node;
        }
    }
    return NULL;
}

xmlNode *
bl__cli_node_find(bl_cli_t *cli, const char *name)
{
    xmlNode *node = bl__cli_node_lookup(cli->doc, name);
    GPtrArray *unames;
    char *hint;

    if (node != NULL) {
        return node;
    }
    unames = g_ptr_array_new();
    for (xmlNode *each = bl_xml_first_child(bl_cib_section(cli->doc, "nodes"), "node");
         each != NULL; each = bl_xml_next(each, "node")) {
        if (bl_xml_attr(each, "uname") != NULL) {
            g_ptr_array_add(unames, (gpointer) bl_xml_attr(each, "uname"));
        }
    }
    g_ptr_array_add(unames, NULL);
    hint = bl__cli_did_you_mean(name, (const char *const *) unames->pdata);
    bl_err_set(&cli->err, "no node '%s'%s", name, hint);
    free(hint);
    g_ptr_array_free(unames, TRUE);
    return NULL;
}

/* crmsh's id for a node's attribute set: XML ids cannot start with a digit. */
static char *
node_set_id(const xmlNode *node)
{
    const char *id = bl_xml_attr(node, "id");

    if (id == NULL) {
        id = bl_xml_attr(node, "uname");
    }
    return g_ascii_isdigit(id[0]) ? bl_asprintf("num-%s-instance_attributes", id)
                                  : bl_asprintf("%s-instance_attributes", id);
}

/* The transient_attributes of NODE in <status>, created when CREATE. */
static xmlNode *
transient_attributes(xmlDoc *doc, const xmlNode *node, bool create)
{
    const char *id = bl_xml_attr(node, "id");
    xmlNode *node_state = bl__cli_status_node_state(doc, bl_xml_attr(node, "uname"), id, create);
    xmlNode *transient = bl_xml_first_child(node_state, "transient_attributes");

    if (transient == NULL && create) {
        transient = bl_xml_add_child(node_state, "transient_attributes");
        bl_xml_set_attr(transient, "id", bl_xml_attr(node_state, "id"));
    }
    return transient;
}

/* NAME=VALUE on NODE for LIFETIME "forever" (configuration) or "reboot" (status). */
static void
node_attr_put(xmlDoc *doc, xmlNode *node, bool reboot, const char *name, const char *value)
{
    char *set_id;

    if (reboot) {
        xmlNode *transient = transient_attributes(doc, node, true);

        set_id = bl_asprintf("status-%s", bl_xml_attr(transient, "id"));
        bl__cli_attr_put(transient, "instance_attributes", set_id, name, value);
    } else {
        set_id = node_set_id(node);
        bl__cli_attr_put(node, "instance_attributes", set_id, name, value);
    }
    free(set_id);
}

/* Finds NODE (argv[1]) and the optional lifetime argv[2] (reboot|forever). */
static int
node_args(bl_cli_t *cli, int argc, char **argv, xmlNode **node, const char **lifetime)
{
    *node = NULL;
    *lifetime = NULL;
    if (argc < 2 || argc > 3) {
        bl_err_set(&cli->err, "node %s: expected NODE [reboot|forever]", argv[0]);
        return BL_EUSAGE;
    }
    if (argc == 3) {
        if (strcmp(argv[2], "reboot") != 0 && strcmp(argv[2], "forever") != 0) {
            bl_err_set(&cli->err, "node %s %s: unknown lifetime '%s' (expected reboot or forever)",
                       argv[0], argv[1], argv[2]);
            return BL_EUSAGE;
        }
        *lifetime = argv[2];
    }
    *node = bl__cli_node_find(cli, argv[1]);
    if (*node == NULL) {
        bl_err_prefix(&cli->err, "node %s", argv[0]);
        return BL_ENOTFOUND;
    }
    return 0;
}

/*
 * standby|online NODE [reboot|forever]. A bare `online` also turns off a reboot-lifetime
 * standby, since that one would otherwise keep the node in standby.
 */
static int
node_standby(bl_cli_t *cli, int argc, char **argv)
{
    bool standby = strcmp(argv[0], "standby") == 0;
    const char *value = standby ? "on" : "off";
    const char *lifetime;
    xmlNode *node;
    xmlNode *transient;
    int rc = node_args(cli, argc, argv, &node, &lifetime);

    if (rc != 0) {
        return rc;
    }
    if (lifetime != NULL && strcmp(lifetime, "reboot") == 0) {
        node_attr_put(cli->doc, node, true, "standby", value);
        return 0;
    }
    node_attr_put(cli->doc, node, false, "standby", value);
    transient = transient_attributes(cli->doc, node, false);
    if (!standby && lifetime == NULL
        && bl__cli_attr_find(transient, "instance_attributes", "standby") != NULL) {
        node_attr_put(cli->doc, node, true, "standby", value);
    }
    return 0;
}

/* maintenance|ready NODE [reboot|forever]: the node's maintenance attribute on/off. */
static int
node_maintenance(bl_cli_t *cli, int argc, char **argv)
{
    const char *value = strcmp(argv[0], "maintenance") == 0 ? "on" : "off";
    const char *lifetime;
    xmlNode *node;
    int rc = node_args(cli, argc, argv, &node, &lifetime);

    if (rc == 0) {
        node_attr_put(cli->doc, node, lifetime != NULL && strcmp(lifetime, "reboot") == 0,
                      "maintenance", value);
    }
    return rc;
}

/* attribute|status-attr NODE set|delete|show NAME [VALUE]. */
static int
node_attribute(bl_cli_t *cli, int argc, char **argv)
{
    bool status = strcmp(argv[0], "status-attr") == 0;
    xmlNode *node;
    xmlNode *parent;
    char *set_id;
    char *what;
    int rc;

    if (argc < 3 || argc > 5) {
        bl_err_set(&cli->err, "node %s: expected NODE set|delete|show NAME [VALUE]", argv[0]);
        return BL_EUSAGE;
    }
    node = bl__cli_node_find(cli, argv[1]);
    if (node == NULL) {
        bl_err_prefix(&cli->err, "node %s", argv[0]);
        return BL_ENOTFOUND;
    }
    parent = status ? transient_attributes(cli->doc, node, strcmp(argv[2], "set") == 0) : node;
    what = bl_asprintf("node %s %s", argv[0], argv[1]);
    if (parent == NULL) {
        /* Nothing recorded in status: a detached element answers "no such attribute". */
        parent = xmlNewDocNode(cli->doc, NULL, (const xmlChar *) "transient_attributes", NULL);
        rc = bl__cli_attr_command(
            cli,
            &(bl_cli_attr_target_t){parent, "instance_attributes", "", what, "status attribute"},
            argc - 2, argv + 2);
        xmlFreeNode(parent);
    } else {
        set_id = status ? bl_asprintf("status-%s", bl_xml_attr(parent, "id")) : node_set_id(node);
        rc = bl__cli_attr_command(
            cli,
            &(bl_cli_attr_target_t){parent, "instance_attributes", set_id, what,
                                    status ? "status attribute" : "attribute"},
            argc - 2, argv + 2);
        free(set_id);
    }
    free(what);
    return rc;
}

static const struct {
    const char *verb;
    int (*run)(bl_cli_t *cli, int argc, char **argv);
} verbs[] = {
    {"standby", node_standby},   {"online", node_standby},      {"maintenance", node_maintenance},
    {"ready", node_maintenance}, {"attribute", node_attribute}, {"status-attr", node_attribute},
};

int
bl__cli_node_run(bl_cli_t *cli, int argc, char **argv)
{
    const char *names[G_N_ELEMENTS(verbs) + 1];
    char *hint;
    int rc;

    if (argc < 2) {
        bl_err_set(&cli->err, "node: missing command (see 'belay help node')");
        return BL_EUSAGE;
    }
    for (size_t i = 0; i < G_N_ELEMENTS(verbs); i++) {
        if (strcmp(argv[1], verbs[i].verb) == 0) {
            rc = bl__cli_cib_load(cli);
            return rc != 0 ? rc : verbs[i].run(cli, argc - 1, argv + 1);
        }
        names[i] = verbs[i].verb;
    }
    names[G_N_ELEMENTS(verbs)] = NULL;
    hint = bl__cli_did_you_mean(argv[1], names);
    bl_err_set(&cli->err, "node: unknown command '%s'%s", argv[1], hint);
    free(hint);
    return BL_EUSAGE;
}
