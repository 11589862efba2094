/*
 * Tickets (rsc_ticket): a resource may run only while a ticket is granted to the cluster
 * and not in standby (status/tickets/ticket_state). When a ticket it holds is lost, its
 * loss-policy applies: stop it, demote it (for rsc-role=Promoted), fence the nodes it runs
 * on, or freeze it where it is. A ticket for the promoted role only keeps instances from
 * being promoted.
 */
#include <string.h>

#include "sched_private.h"

typedef enum loss_policy {
    LOSS_STOP = 0,
    LOSS_DEMOTE,
    LOSS_FENCE,
    LOSS_FREEZE,
} loss_policy_t;

typedef struct ticket_rule {
    const char *id;
    bool granted;
    bool standby;
    bl_role_t role; /* BL_ROLE_UNKNOWN: any role */
    loss_policy_t loss;
} ticket_rule_t;

/* The ticket's state in the status section (a ticket never granted has none). */
static void
ticket_state(const bl_sched_t *s, const char *ticket, ticket_rule_t *rule)
{
    xmlNode *status = bl_xml_first_child(xmlDocGetRootElement(s->cib), "status");

    rule->granted = false;
    rule->standby = false;
    for (xmlNode *list = bl_xml_first_child(status, "tickets"); list != NULL;
         list = bl_xml_next(list, "tickets")) {
        xmlNode *state = bl_xml_child_by_id(list, "ticket_state", ticket);

        if (state != NULL) {
            rule->granted = bl__sched_true(bl_xml_attr(state, "granted"));
            rule->standby = bl__sched_true(bl_xml_attr(state, "standby"));
            return;
        }
    }
}

static int
parse_loss_policy(bl_sched_t *s, const char *id, const char *text, ticket_rule_t *rule)
{
    if (text == NULL) {
        /* Pacemaker's default: demote what needs the ticket to be promoted, else stop. */
        rule->loss = rule->role == BL_ROLE_PROMOTED ? LOSS_DEMOTE : LOSS_STOP;
    } else if (strcmp(text, "stop") == 0) {
        rule->loss = LOSS_STOP;
    } else if (strcmp(text, "demote") == 0) {
        rule->loss = rule->role == BL_ROLE_PROMOTED ? LOSS_DEMOTE : LOSS_STOP;
    } else if (strcmp(text, "fence") == 0) {
        rule->loss = s->stonith_enabled ? LOSS_FENCE : LOSS_STOP;
    } else if (strcmp(text, "freeze") == 0) {
        rule->loss = LOSS_FREEZE;
    } else {
        bl_err_set(s->err,
                   "rsc_ticket '%s': loss-policy '%s' is not one of stop, demote, fence, freeze",
                   id, text);
        return BL_EINVALID;
    }
    return 0;
}

/* The role an instance is in as the ticket sees it (a started promotable instance is an
 * unpromoted one). */
static bl_role_t
current_role(const bl_srsc_t *rsc)
{
    const bl_srsc_t *clone = bl__sched_rsc_clone(rsc);

    if (rsc->role == BL_ROLE_STARTED && clone != NULL && clone->clone->promotable) {
        return BL_ROLE_UNPROMOTED;
    }
    return rsc->role;
}

static void
block_promotion(bl_srsc_t *rsc)
{
    bl_srsc_t *clone = bl__sched_rsc_clone(rsc);

    rsc->promotion_blocked = true;
    if (clone != NULL) {
        clone->promotion_blocked = true;
    }
}

/* The ticket is lost while RSC (a primitive) is active: its loss-policy applies. */
static void
ticket_lost(bl_sched_t *s, bl_srsc_t *rsc, const ticket_rule_t *rule)
{
    bool role_matches = rule->role == BL_ROLE_UNKNOWN || rule->role == current_role(rsc);

    switch (rule->loss) {
    case LOSS_STOP:
        bl__sched_rsc_location(rsc, NULL, -INF, s->n_nodes);
        break;
    case LOSS_DEMOTE:
        if (rule->role != BL_ROLE_PROMOTED) {
            bl__sched_rsc_location(rsc, NULL, -INF, s->n_nodes);
        }
        break;
    case LOSS_FENCE:
        if (!role_matches) {
            return;
        }
        bl__sched_rsc_location(rsc, NULL, -INF, s->n_nodes);
        for (guint i = 0; i < rsc->running_on->len; i++) {
            ((bl_snode_t *) g_ptr_array_index(rsc->running_on, i))->unclean = true;
        }
        break;
    case LOSS_FREEZE:
        if (role_matches) {
            rsc->managed = false;
            rsc->blocked = true;
        }
        break;
    }
}

static void
apply_ticket(bl_sched_t *s, bl_srsc_t *rsc, const ticket_rule_t *rule)
{
    if (rsc->kind != BL_RSC_PRIMITIVE) {
        for (guint i = 0; i < rsc->children->len; i++) {
            apply_ticket(s, g_ptr_array_index(rsc->children, i), rule);
        }
        return;
    }
    if (rule->role == BL_ROLE_PROMOTED && (!rule->granted || rule->standby)) {
        block_promotion(rsc);
    }
    if (!rule->granted && rsc->running_on->len > 0) {
        ticket_lost(s, rsc, rule);
    } else if ((!rule->granted || rule->standby)
               && (rule->role != BL_ROLE_PROMOTED || rule->loss == LOSS_STOP)) {
        bl__sched_rsc_location(rsc, NULL, -INF, s->n_nodes);
    }
}

static int
apply_to_id(bl_sched_t *s, const char *constraint, const char *rsc_id, const ticket_rule_t *rule)
{
    bl_srsc_t *rsc = rsc_id != NULL ? bl__sched_rsc_find(s, rsc_id) : NULL;

    (void) constraint;
    if (rsc != NULL && !rsc->orphan) {
        /* (like locations, tickets of resources that do not exist are ignored) */
        apply_ticket(s, rsc, rule);
    }
    return 0;
}

static int
parse_role(bl_sched_t *s, const char *id, const char *text, bl_role_t *role)
{
    *role = BL_ROLE_UNKNOWN;
    if (text != NULL && !bl__sched_role_parse(text, role)) {
        bl_err_set(s->err, "rsc_ticket '%s': unknown role '%s'", id, text);
        return BL_EINVALID;
    }
    return 0;
}

/* rsc_ticket with resource_set children: each set's resources, with the set's role. */
static int
unpack_ticket_sets(bl_sched_t *s, const xmlNode *xml, ticket_rule_t *rule, const char *policy)
{
    for (xmlNode *set = bl_xml_first_child(xml, "resource_set"); set != NULL;
         set = bl_xml_next(set, "resource_set")) {
        int rc = parse_role(s, rule->id, bl_xml_attr(set, "role"), &rule->role);

        if (rc == 0) {
            rc = parse_loss_policy(s, rule->id, policy, rule);
        }
        for (xmlNode *ref = bl_xml_first_child(set, "resource_ref"); rc == 0 && ref != NULL;
             ref = bl_xml_next(ref, "resource_ref")) {
            rc = apply_to_id(s, rule->id, bl_xml_attr(ref, "id"), rule);
        }
        if (rc != 0) {
            return rc;
        }
    }
    return 0;
}

int
bl__sched_unpack_ticket(bl_sched_t *s, const xmlNode *xml)
{
    ticket_rule_t rule = {.id = bl_xml_attr(xml, "id")};
    const char *ticket = bl_xml_attr(xml, "ticket");
    const char *policy = bl_xml_attr(xml, "loss-policy");
    int rc;

    if (rule.id == NULL || ticket == NULL) {
        bl_err_set(s->err, "line %ld: rsc_ticket without an id or a ticket", bl_xml_line(xml));
        return BL_EINVALID;
    }
    ticket_state(s, ticket, &rule);
    if (bl_xml_first_child(xml, "resource_set") != NULL) {
        return unpack_ticket_sets(s, xml, &rule, policy);
    }
    rc = parse_role(s, rule.id, bl_xml_attr(xml, "rsc-role"), &rule.role);
    if (rc == 0) {
        rc = parse_loss_policy(s, rule.id, policy, &rule);
    }
    return rc != 0 ? rc : apply_to_id(s, rule.id, bl_xml_attr(xml, "rsc"), &rule);
}
