/* rsc_location: fixed node scores and rule-based scores. */
#include <string.h>

#include "sched_private.h"

static int
rule_score(const bl_sched_t *s, const xmlNode *rule, const bl_snode_t *node, int *score)
{
    const char *text = bl_xml_attr(rule, "score");
    const char *attr = bl_xml_attr(rule, "score-attribute");

    if (text != NULL) {
        *score = bl__sched_score(text);
    } else if (attr != NULL) {
        const char *value = bl__sched_node_attr(node, attr);

        /* A node without the attribute must not be chosen because of the rule. */
        *score = value != NULL ? bl__sched_score(value) : -INF;
    } else {
        *score = 0;
    }
    (void) s;
    return 0;
}

/*
 * A location constraint on a colocated group scores its first member only (the others
 * follow it through the group's internal colocations) and merely allows the nodes for the
 * later members; otherwise each member would count the preference once more.
 */
static void
add_location(bl_sched_t *s, bl_srsc_t *rsc, const bl_snode_t *node, int score)
{
    const char *colocated;

    if (rsc->kind == BL_RSC_CLONE) {
        rsc->scores[node->index] =
            rsc->allowed[node->index] ? bl_score_add(rsc->scores[node->index], score) : score;
        rsc->allowed[node->index] = true;
        for (guint i = 0; i < rsc->children->len; i++) {
            add_location(s, g_ptr_array_index(rsc->children, i), node, score);
        }
        return;
    }
    if (rsc->kind != BL_RSC_GROUP) {
        bl__sched_rsc_location(rsc, node, score, s->n_nodes);
        return;
    }
    colocated = g_hash_table_lookup(rsc->meta, "collocated");
    for (guint i = 0; i < rsc->children->len; i++) {
        bool full = i == 0 || (colocated != NULL && !bl__sched_true(colocated));

        bl__sched_rsc_location(g_ptr_array_index(rsc->children, i), node, full ? score : 0,
                               s->n_nodes);
    }
    rsc->scores[node->index] =
        rsc->allowed[node->index] ? bl_score_add(rsc->scores[node->index], score) : score;
    rsc->allowed[node->index] = true;
}

/* Role=Promoted preferences only count when choosing the instances to promote. */
static bool
promoted_only(const bl_srsc_t *rsc, bl_role_t role)
{
    return role == BL_ROLE_PROMOTED && rsc->kind == BL_RSC_CLONE && rsc->clone->promotable;
}

static int
apply_rule(bl_sched_t *s, bl_srsc_t *rsc, const xmlNode *rule, bool promoted)
{
    for (int i = 0; i < s->n_nodes; i++) {
        bool matched = false;
        int score = 0;
        int rc = bl__sched_rule_eval(s, rule, s->nodes[i], &matched);

        if (rc != 0) {
            bl_err_prefix(s->err, "rsc_location for '%s'", rsc->id);
            return rc;
        }
        if (matched) {
            rule_score(s, rule, s->nodes[i], &score);
            if (promoted) {
                bl__sched_clone_promoted_location(s, rsc, s->nodes[i], score);
            } else {
                add_location(s, rsc, s->nodes[i], score);
            }
        }
    }
    return 0;
}

static int
apply_to(bl_sched_t *s, const xmlNode *xml, bl_srsc_t *rsc)
{
    const char *id = bl_xml_attr(xml, "id");
    const char *node_name = bl_xml_attr(xml, "node");
    const char *role_text = bl_xml_attr(xml, "role");
    bl_role_t role = BL_ROLE_UNKNOWN;

    bool promoted = false;

    if (role_text != NULL && bl__sched_role_parse(role_text, &role) && role != BL_ROLE_STARTED) {
        /* Role-specific preferences only concern promotable clones. */
        if (!promoted_only(rsc, role)) {
            return 0;
        }
        promoted = true;
    }
    if (node_name != NULL) {
        bl_snode_t *node = bl__sched_node_find(s, node_name);
        int score = bl__sched_score(bl_xml_attr(xml, "score"));

        if (node != NULL && promoted) {
            bl__sched_clone_promoted_location(s, rsc, node, score);
        } else if (node != NULL) {
            add_location(s, rsc, node, score);
        }
        return 0;
    }
    for (xmlNode *rule = bl_xml_first_child(xml, "rule"); rule != NULL;
         rule = bl_xml_next(rule, "rule")) {
        const char *rule_role = bl_xml_attr(rule, "role");
        bool rule_promoted = promoted;
        int rc;

        if (rule_role != NULL && bl__sched_role_parse(rule_role, &role)
            && role != BL_ROLE_STARTED) {
            if (!promoted_only(rsc, role)) {
                continue;
            }
            rule_promoted = true;
        }
        rc = apply_rule(s, rsc, rule, rule_promoted);
        if (rc != 0) {
            return rc;
        }
    }
    (void) id;
    return 0;
}

static int
apply_pattern(bl_sched_t *s, const xmlNode *xml, const char *pattern)
{
    g_autoptr(GRegex) regex = g_regex_new(pattern, 0, 0, NULL);

    if (regex == NULL) {
        bl_err_set(s->err, "rsc_location '%s': invalid rsc-pattern '%s'", bl_xml_attr(xml, "id"),
                   pattern);
        return BL_EINVALID;
    }
    for (guint i = 0; i < s->all_rscs->len; i++) {
        bl_srsc_t *rsc = g_ptr_array_index(s->all_rscs, i);
        int rc;

        if (rsc->orphan || rsc->instance >= 0 || !g_regex_match(regex, rsc->id, 0, NULL)) {
            continue;
        }
        rc = apply_to(s, xml, rsc);
        if (rc != 0) {
            return rc;
        }
    }
    return 0;
}

static int
unpack_location(bl_sched_t *s, const xmlNode *xml)
{
    const char *id = bl_xml_attr(xml, "id");
    const char *rsc_id = bl_xml_attr(xml, "rsc");
    const char *pattern = bl_xml_attr(xml, "rsc-pattern");
    bl_srsc_t *rsc;

    if (bl_xml_first_child(xml, "resource_set") != NULL) {
        bl_err_set(s->err, "rsc_location '%s': resource sets are not supported yet", id);
        return BL_EUNSUPPORTED;
    }
    if (rsc_id == NULL && pattern != NULL) {
        return apply_pattern(s, xml, pattern);
    }
    rsc = bl__sched_rsc_find(s, rsc_id);
    if (rsc == NULL || rsc->orphan) {
        /* Pacemaker ignores constraints about resources that do not exist. */
        return 0;
    }
    return apply_to(s, xml, rsc);
}

int
bl__sched_unpack_locations(bl_sched_t *s)
{
    xmlNode *config = bl_xml_first_child(xmlDocGetRootElement(s->cib), "configuration");
    xmlNode *constraints = bl_xml_first_child(config, "constraints");

    for (xmlNode *xml = bl_xml_first_child(constraints, NULL); xml != NULL;
         xml = bl_xml_next(xml, NULL)) {
        int rc = 0;

        if (bl_xml_is(xml, "rsc_location")) {
            rc = unpack_location(s, xml);
        } else if (bl_xml_is(xml, "rsc_ticket")) {
            rc = bl__sched_unpack_ticket(s, xml);
        } else if (!bl_xml_is(xml, "rsc_colocation") && !bl_xml_is(xml, "rsc_order")) {
            bl_err_set(s->err, "line %ld: constraint <%s> is not supported", bl_xml_line(xml),
                       (const char *) xml->name);
            rc = BL_EUNSUPPORTED;
        }
        if (rc != 0) {
            return rc;
        }
    }
    return 0;
}
