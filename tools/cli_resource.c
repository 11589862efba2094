/*
 * `belay resource …`: the constraints crm_resource writes (cli-prefer-*, cli-ban-*),
 * target-role, meta attributes and params, and status cleanup.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <belay/cib.h>

#include "cli_private.h"

/* Elements of <resources> that are resources. */
static const char *const resource_tags[] = {
    "primitive", "group", "clone", "master", "bundle", NULL,
};

static bool
is_resource(const xmlNode *node)
{
    for (int i = 0; resource_tags[i] != NULL; i++) {
        if (bl_xml_is(node, resource_tags[i])) {
            return true;
        }
    }
    return false;
}

static xmlNode *
find_resource(xmlNode *parent, const char *id, GPtrArray *ids)
{
    for (xmlNode *child = bl_xml_first_child(parent, NULL); child != NULL;
         child = bl_xml_next(child, NULL)) {
        const char *child_id = bl_xml_attr(child, "id");
        xmlNode *found;

        if (!is_resource(child) || child_id == NULL) {
            continue;
        }
        if (strcmp(child_id, id) == 0) {
            return child;
        }
        g_ptr_array_add(ids, (gpointer) child_id);
        found = find_resource(child, id, ids);
        if (found != NULL) {
            return found;
        }
    }
    return NULL;
}

xmlNode *
bl__cli_resource_find(bl_cli_t *cli, const char *id)
{
    GPtrArray *ids = g_ptr_array_new();
    xmlNode *rsc = find_resource(bl_cib_section(cli->doc, "resources"), id, ids);

    if (rsc == NULL) {
        char *hint;

        g_ptr_array_add(ids, NULL);
        hint = bl__cli_did_you_mean(id, (const char *const *) ids->pdata);
        bl_err_set(&cli->err, "no resource '%s'%s", id, hint);
        free(hint);
    }
    g_ptr_array_free(ids, TRUE);
    return rsc;
}

/* -------------------------------------------------------------- constraints */

static bool
has_prefix(const char *text, const char *prefix)
{
    return strncmp(text, prefix, strlen(prefix)) == 0;
}

/* Whether a cli-* location names node UNAME (in its node attribute or a #uname rule). */
static bool
location_names_node(const xmlNode *location, const char *uname)
{
    const char *node = bl_xml_attr(location, "node");

    if (node != NULL) {
        return strcmp(node, uname) == 0;
    }
    for (xmlNode *rule = bl_xml_first_child(location, "rule"); rule != NULL;
         rule = bl_xml_next(rule, "rule")) {
        for (xmlNode *expr = bl_xml_first_child(rule, "expression"); expr != NULL;
             expr = bl_xml_next(expr, "expression")) {
            const char *attribute = bl_xml_attr(expr, "attribute");
            const char *value = bl_xml_attr(expr, "value");

            if (attribute != NULL && strcmp(attribute, "#uname") == 0 && value != NULL
                && strcmp(value, uname) == 0) {
                return true;
            }
        }
    }
    return false;
}

/*
 * Removes the cli-prefer-RSC (when PREFER) and cli-ban-RSC-on-* (when BAN) locations,
 * only those naming UNAME when it is not NULL. Returns how many went.
 */
static int
clear_constraints(xmlDoc *doc, const char *rsc, const char *uname, bool prefer, bool ban)
{
    xmlNode *constraints = bl_cib_section(doc, "constraints");
    char *prefer_id = bl_asprintf("cli-prefer-%s", rsc);
    char *ban_prefix = bl_asprintf("cli-ban-%s-on-", rsc);
    xmlNode *next;
    int removed = 0;

    for (xmlNode *location = bl_xml_first_child(constraints, "rsc_location"); location != NULL;
         location = next) {
        const char *id = bl_xml_attr(location, "id");
        bool ours;

        next = bl_xml_next(location, "rsc_location");
        if (id == NULL) {
            continue;
        }
        ours = (prefer && strcmp(id, prefer_id) == 0) || (ban && has_prefix(id, ban_prefix));
        if (ours && (uname == NULL || location_names_node(location, uname))) {
            bl_xml_remove(location);
            removed++;
        }
    }
    free(prefer_id);
    free(ban_prefix);
    return removed;
}

/* Pacemaker's date format for a lifetime's end: now + LIFETIME, in UTC. */
static int
lifetime_end(bl_cli_t *cli, const char *lifetime, char out[64])
{
    uint64_t ms = 0;
    time_t end;
    struct tm tm;
    int rc = bl_duration_parse_ms(lifetime, &ms, &cli->err);

    if (rc != 0) {
        bl_err_prefix(&cli->err, "lifetime '%s'", lifetime);
        return rc;
    }
    end = time(NULL) + (time_t) (ms / 1000);
    gmtime_r(&end, &tm);
    strftime(out, 64, "%Y-%m-%d %H:%M:%S +00:00", &tm);
    return 0;
}

/* A rule with #uname eq UNAME and a date_expression ending at END, ids from ID. */
static void
add_lifetime_rule(xmlNode *location, const char *id, const char *score, const char *uname,
                  const char *end)
{
    xmlNode *rule = bl_xml_add_child(location, "rule");
    xmlNode *expr = bl_xml_add_child(rule, "expression");
    xmlNode *date = bl_xml_add_child(rule, "date_expression");
    char *sub_id = bl_asprintf("%s-rule", id);

    bl_xml_set_attr(rule, "id", sub_id);
    bl_xml_set_attr(rule, "score", score);
    bl_xml_set_attr(rule, "boolean-op", "and");
    free(sub_id);
    sub_id = bl_asprintf("%s-expr", id);
    bl_xml_set_attr(expr, "id", sub_id);
    bl_xml_set_attr(expr, "attribute", "#uname");
    bl_xml_set_attr(expr, "operation", "eq");
    bl_xml_set_attr(expr, "value", uname);
    bl_xml_set_attr(expr, "type", "string");
    free(sub_id);
    sub_id = bl_asprintf("%s-lifetime", id);
    bl_xml_set_attr(date, "id", sub_id);
    bl_xml_set_attr(date, "operation", "lt");
    bl_xml_set_attr(date, "end", end);
    free(sub_id);
}

/* Writes a cli-* location for RSC on UNAME with SCORE (replacing one with the same id). */
static void
add_location(xmlDoc *doc, const char *id, const char *rsc, const char *score, const char *uname,
             const char *end)
{
    xmlNode *constraints = bl__cli_cib_section_ensure(doc, "constraints");
    xmlNode *location;

    bl_xml_remove(bl_xml_child_by_id(constraints, "rsc_location", id));
    location = bl_xml_add_child(constraints, "rsc_location");
    bl_xml_set_attr(location, "id", id);
    bl_xml_set_attr(location, "rsc", rsc);
    bl_xml_set_attr(location, "role", "Started");
    if (end == NULL) {
        bl_xml_set_attr(location, "node", uname);
        bl_xml_set_attr(location, "score", score);
    } else {
        add_lifetime_rule(location, id, score, uname, end);
    }
}

/* ------------------------------------------------------------ move and ban */

typedef struct placement {
    xmlNode *rsc;
    const char *node;     /* target (move) or banned node; NULL = from status */
    const char *lifetime; /* ISO 8601 duration or NULL */
} placement_t;

static bool
looks_like_lifetime(const char *text)
{
    uint64_t ms;

    return text[0] == 'P' && bl_duration_parse_ms(text, &ms, NULL) == 0;
}

/* Parses "RSC [NODE] [LIFETIME] [force]" after the verb. */
static int
parse_placement(bl_cli_t *cli, const char *verb, int argc, char **argv, placement_t *p)
{
    memset(p, 0, sizeof(*p));
    if (argc < 1) {
        bl_err_set(&cli->err,
                   "resource %s: missing resource (usage: resource %s RSC [NODE] [LIFETIME])", verb,
                   verb);
        return BL_EUSAGE;
    }
    p->rsc = bl__cli_resource_find(cli, argv[0]);
    if (p->rsc == NULL) {
        bl_err_prefix(&cli->err, "resource %s", verb);
        return BL_ENOTFOUND;
    }
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "force") == 0 || strcmp(argv[i], "--force") == 0) {
            continue;
        }
        if (p->node == NULL && bl__cli_node_lookup(cli->doc, argv[i]) != NULL) {
            p->node = argv[i];
        } else if (p->lifetime == NULL && looks_like_lifetime(argv[i])) {
            p->lifetime = argv[i];
        } else if (p->node == NULL) {
            bl__cli_node_find(cli, argv[i]);
            bl_err_prefix(&cli->err, "resource %s %s", verb, argv[0]);
            return BL_ENOTFOUND;
        } else {
            bl_err_set(&cli->err, "resource %s %s: unexpected argument '%s'", verb, argv[0],
                       argv[i]);
            return BL_EUSAGE;
        }
    }
    return 0;
}

/* The one node where P's resource is active (for move/ban without a node). */
static int
current_node(bl_cli_t *cli, const char *verb, placement_t *p)
{
    const char *id = bl_xml_attr(p->rsc, "id");
    char **nodes = bl__cli_status_active_nodes(cli->doc, p->rsc);
    int rc = 0;

    if (nodes[0] == NULL) {
        bl_err_set(&cli->err, "resource %s %s: the resource is not active anywhere; name a node",
                   verb, id);
        rc = BL_EUSAGE;
    } else if (nodes[1] != NULL) {
        char *list = g_strjoinv(", ", nodes);

        bl_err_set(&cli->err,
                   "resource %s %s: the resource is active on several nodes (%s); name one", verb,
                   id, list);
        g_free(list);
        rc = BL_EUSAGE;
    } else if (bl__cli_node_lookup(cli->doc, nodes[0]) == NULL) {
        bl_err_set(&cli->err, "resource %s %s: it runs on %s, which is not a configured node", verb,
                   id, nodes[0]);
        rc = BL_ENOTFOUND;
    } else {
        /* Borrowed from the document, which outlives the placement. */
        p->node = bl_xml_attr(bl__cli_node_lookup(cli->doc, nodes[0]), "uname");
    }
    g_strfreev(nodes);
    return rc;
}

/* cli-ban-RSC-on-NODE, score -INFINITY: keeps RSC off NODE. */
static int
ban(bl_cli_t *cli, const placement_t *p)
{
    const char *rsc = bl_xml_attr(p->rsc, "id");
    char *id = bl_asprintf("cli-ban-%s-on-%s", rsc, p->node);
    char end[64];
    int rc = 0;

    if (p->lifetime != NULL) {
        rc = lifetime_end(cli, p->lifetime, end);
    }
    if (rc == 0) {
        add_location(cli->doc, id, rsc, "-INFINITY", p->node, p->lifetime != NULL ? end : NULL);
    }
    free(id);
    return rc;
}

/*
 * move RSC NODE: drop earlier cli-prefer-RSC and the ban on NODE, then prefer NODE.
 * move RSC: ban RSC from the node it is active on, as crm_resource --move does.
 */
static int
resource_move(bl_cli_t *cli, int argc, char **argv)
{
    const char *rsc;
    placement_t p;
    char *id;
    char end[64];
    int rc = parse_placement(cli, argv[0], argc - 1, argv + 1, &p);

    if (rc != 0) {
        return rc;
    }
    if (p.node == NULL) {
        rc = current_node(cli, argv[0], &p);
        return rc != 0 ? rc : ban(cli, &p);
    }
    if (p.lifetime != NULL) {
        rc = lifetime_end(cli, p.lifetime, end);
        if (rc != 0) {
            return rc;
        }
    }
    rsc = bl_xml_attr(p.rsc, "id");
    clear_constraints(cli->doc, rsc, NULL, true, false);
    clear_constraints(cli->doc, rsc, p.node, false, true);
    id = bl_asprintf("cli-prefer-%s", rsc);
    add_location(cli->doc, id, rsc, "INFINITY", p.node, p.lifetime != NULL ? end : NULL);
    free(id);
    return 0;
}

static int
resource_ban(bl_cli_t *cli, int argc, char **argv)
{
    placement_t p;
    int rc = parse_placement(cli, argv[0], argc - 1, argv + 1, &p);

    if (rc == 0 && p.node == NULL) {
        rc = current_node(cli, argv[0], &p);
    }
    return rc != 0 ? rc : ban(cli, &p);
}

/* clear RSC [NODE]: the cli-* constraints of RSC (only those naming NODE). */
static int
resource_clear(bl_cli_t *cli, int argc, char **argv)
{
    xmlNode *rsc;

    if (argc < 2 || argc > 3) {
        bl_err_set(&cli->err, "resource %s: expected RSC [NODE]", argv[0]);
        return BL_EUSAGE;
    }
    rsc = bl__cli_resource_find(cli, argv[1]);
    if (rsc == NULL) {
        bl_err_prefix(&cli->err, "resource %s", argv[0]);
        return BL_ENOTFOUND;
    }
    if (argc == 3 && bl__cli_node_find(cli, argv[2]) == NULL) {
        bl_err_prefix(&cli->err, "resource %s %s", argv[0], argv[1]);
        return BL_ENOTFOUND;
    }
    clear_constraints(cli->doc, argv[1], argc == 3 ? argv[2] : NULL, true, true);
    return 0;
}

/* ------------------------------------------------------- status and meta */

/* cleanup [RSC [NODE]]: forget operation history and failures; configuration untouched. */
static int
resource_cleanup(bl_cli_t *cli, int argc, char **argv)
{
    xmlNode *rsc = NULL;
    const char *id = argc > 1 ? argv[1] : NULL;

    if (argc > 3) {
        bl_err_set(&cli->err, "resource cleanup: expected [RSC [NODE]]");
        return BL_EUSAGE;
    }
    if (id != NULL) {
        rsc = bl__cli_resource_find(cli, id);
        /* A resource removed from the configuration can still have history to clean. */
        if (rsc == NULL && !bl__cli_status_knows_resource(cli->doc, id)) {
            bl_err_prefix(&cli->err, "resource cleanup");
            return BL_ENOTFOUND;
        }
        bl_free(&cli->err);
    }
    if (argc == 3 && bl__cli_node_find(cli, argv[2]) == NULL) {
        bl_err_prefix(&cli->err, "resource cleanup %s", id);
        return BL_ENOTFOUND;
    }
    bl__cli_status_cleanup(cli->doc, rsc, id, argc == 3 ? argv[2] : NULL, cli->out);
    return 0;
}

/* Checks the argument count and finds the resource argv[1] (argv[0] is the verb). */
static int
resource_arg(bl_cli_t *cli, int argc, char **argv, int max, const char *usage, xmlNode **rsc)
{
    *rsc = NULL;
    if (argc < 2 || argc > max) {
        bl_err_set(&cli->err, "resource %s: expected %s", argv[0], usage);
        return BL_EUSAGE;
    }
    *rsc = bl__cli_resource_find(cli, argv[1]);
    if (*rsc == NULL) {
        bl_err_prefix(&cli->err, "resource %s", argv[0]);
        return BL_ENOTFOUND;
    }
    return 0;
}

/* start|stop RSC: meta target-role, with crmsh's ids. */
static int
resource_role(bl_cli_t *cli, int argc, char **argv)
{
    xmlNode *rsc;
    char *set_id;
    int rc = resource_arg(cli, argc, argv, 2, "RSC", &rsc);

    if (rc != 0) {
        return rc;
    }
    set_id = bl_asprintf("%s-meta_attributes", argv[1]);
    bl__cli_attr_put(rsc, "meta_attributes", set_id, "target-role",
                     strcmp(argv[0], "start") == 0 ? "Started" : "Stopped");
    free(set_id);
    return 0;
}

/* meta|param RSC set|delete|show NAME [VALUE]. */
static int
resource_attribute(bl_cli_t *cli, int argc, char **argv)
{
    bool meta = strcmp(argv[0], "meta") == 0;
    const char *tag = meta ? "meta_attributes" : "instance_attributes";
    xmlNode *rsc;
    char *set_id;
    char *what;
    int rc = resource_arg(cli, argc, argv, 5, "RSC set|delete|show NAME [VALUE]", &rsc);

    if (rc != 0) {
        return rc;
    }
    set_id = bl_asprintf("%s-%s", argv[1], tag);
    what = bl_asprintf("resource %s %s", argv[0], argv[1]);
    rc = bl__cli_attr_command(
        cli, &(bl_cli_attr_target_t){rsc, tag, set_id, what, meta ? "meta attribute" : "parameter"},
        argc - 2, argv + 2);
    free(set_id);
    free(what);
    return rc;
}

/* locate RSC: where the status section says it is active. */
static int
resource_locate(bl_cli_t *cli, int argc, char **argv)
{
    xmlNode *rsc;
    char **nodes;
    int rc = resource_arg(cli, argc, argv, 2, "RSC", &rsc);

    if (rc != 0) {
        return rc;
    }
    nodes = bl__cli_status_active_nodes(cli->doc, rsc);
    if (nodes[0] == NULL) {
        g_string_append_printf(cli->out, "resource %s is NOT running\n", argv[1]);
    }
    for (int i = 0; nodes[i] != NULL; i++) {
        g_string_append_printf(cli->out, "resource %s is running on: %s\n", argv[1], nodes[i]);
    }
    g_strfreev(nodes);
    return 0;
}

static const struct {
    const char *verb;
    int (*run)(bl_cli_t *cli, int argc, char **argv);
} verbs[] = {
    {"move", resource_move},       {"migrate", resource_move},    {"ban", resource_ban},
    {"clear", resource_clear},     {"unmigrate", resource_clear}, {"unmove", resource_clear},
    {"cleanup", resource_cleanup}, {"start", resource_role},      {"stop", resource_role},
    {"meta", resource_attribute},  {"param", resource_attribute}, {"locate", resource_locate},
};

int
bl__cli_resource_run(bl_cli_t *cli, int argc, char **argv)
{
    const char *names[G_N_ELEMENTS(verbs) + 1];
    char *hint;
    int rc;

    if (argc < 2) {
        bl_err_set(&cli->err, "resource: missing command (see 'belay help resource')");
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
    bl_err_set(&cli->err, "resource: unknown command '%s'%s", argv[1], hint);
    free(hint);
    return BL_EUSAGE;
}
