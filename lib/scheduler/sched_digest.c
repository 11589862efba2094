/*
 * Definition changes: the controller records with each operation a digest of the
 * resource parameters it ran with (op-digest, and op-restart-digest over the parameters
 * that force a restart). When today's parameters digest differently, the resource must be
 * restarted (or reloaded, when the agent supports it) to pick them up.
 */
#include <stdlib.h>
#include <string.h>

#include "sched_private.h"

#define DEFAULT_OP_TIMEOUT_MS 20000 /* an operation without a configured timeout */

/* Pacemaker's digest input: ' <parameters a="1" b="2"/>' + newline, names sorted. */
static void
append_escaped(GString *out, const char *value)
{
    for (const char *p = value; *p != '\0'; p++) {
        switch (*p) {
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
        default:
            g_string_append_c(out, *p);
            break;
        }
    }
}

static bool
listed(const char *list, const char *name)
{
    g_auto(GStrv) names = g_strsplit(list, " ", -1);

    for (int i = 0; names[i] != NULL; i++) {
        if (strcmp(names[i], name) == 0) {
            return true;
        }
    }
    return false;
}

/* Parameters the secure digest leaves out: the listed ones, and pcmk_* for fence devices. */
static bool
secure_excluded(const bl_srsc_t *rsc, const char *secure, const char *name)
{
    const char *class = rsc->xml != NULL ? bl_xml_attr(rsc->xml, "class") : NULL;

    if (listed(secure, name)) {
        return true;
    }
    return class != NULL && strcmp(class, "stonith") == 0 && strncmp(name, "pcmk_", 5) == 0;
}

static char *digest_params(const bl_srsc_t *rsc, GHashTable *params, const char *only,
                           const char *secure);

static char *
digest_of(bl_sched_t *s, const bl_srsc_t *rsc, const xmlNode *op_config, const char *only,
          const char *secure)
{
    g_autoptr(GHashTable) params = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);

    /* a resource's parameters include those set on its group or clone */
    for (const bl_srsc_t *p = rsc; p != NULL; p = p->parent) {
        if (p->xml != NULL) {
            bl__sched_nvpairs(s, p->xml, "instance_attributes", params, false);
        }
    }
    if (op_config != NULL) {
        /* the operation's own parameters come on top of the resource's */
        bl__sched_nvpairs(s, op_config, "instance_attributes", params, true);
    }
    return digest_params(rsc, params, only, secure);
}

static char *
digest_params(const bl_srsc_t *rsc, GHashTable *params, const char *only, const char *secure)
{
    g_autoptr(GList) names = NULL;
    GString *text = g_string_new(" <parameters");
    char *digest;

    names = g_list_sort(g_hash_table_get_keys(params), (GCompareFunc) strcmp);
    for (GList *iter = names; iter != NULL; iter = iter->next) {
        if ((only != NULL && !listed(only, iter->data))
            || (secure != NULL && secure_excluded(rsc, secure, iter->data))) {
            continue;
        }
        g_string_append_printf(text, " %s=\"", (const char *) iter->data);
        append_escaped(text, g_hash_table_lookup(params, iter->data));
        g_string_append_c(text, '"');
    }
    g_string_append(text, "/>\n");
    digest = g_compute_checksum_for_string(G_CHECKSUM_MD5, text->str, (gssize) text->len);
    g_string_free(text, true);
    return digest;
}

char *
bl__sched_params_digest(bl_sched_t *s, const bl_srsc_t *rsc, const xmlNode *op_config,
                        const char *only)
{
    return digest_of(s, rsc, op_config, only, NULL);
}

static bool
has_op_params(bl_sched_t *s, const xmlNode *op_config)
{
    g_autoptr(GHashTable) params = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);

    if (op_config != NULL) {
        bl__sched_nvpairs(s, op_config, "instance_attributes", params, false);
    }
    return g_hash_table_size(params) > 0;
}

/* A recurring operation's digest covers its timeout too; a change means rescheduling it
 * (1), never a restart. Without a digest nothing can be said (0). */
static int
recurring_changed(bl_sched_t *s, const bl_srsc_t *rsc, const xmlNode *config, const xmlNode *op)
{
    const char *recorded = bl_xml_attr(op, "op-digest");
    const char *task = bl_xml_attr(op, "operation");
    uint64_t interval_ms = strtoull(bl_xml_attr(op, "interval"), NULL, 10);
    const char *timeout = bl__sched_op_meta(s, rsc, task, interval_ms, "timeout");
    uint64_t timeout_ms = DEFAULT_OP_TIMEOUT_MS;
    g_autofree char *calc = NULL;

    if (recorded == NULL) {
        return 0;
    }
    if (timeout == NULL || bl_duration_parse_ms(timeout, &timeout_ms, NULL) != 0) {
        timeout_ms = DEFAULT_OP_TIMEOUT_MS;
    }
    calc = bl__sched_recurring_digest(s, rsc, config, timeout_ms);
    return strcmp(calc, recorded) == 0 ? 0 : 1;
}

/* What a recorded operation's digests say: 0 unchanged, 1 reload, 2 restart. */
int
bl__sched_definition_change(bl_sched_t *s, const bl_srsc_t *rsc, const xmlNode *op)
{
    const char *all = bl_xml_attr(op, "op-digest");
    const char *restart = bl_xml_attr(op, "op-restart-digest");
    const char *secure = bl_xml_attr(op, "op-secure-digest");
    const char *task = bl_xml_attr(op, "operation");
    const char *interval = bl_xml_attr(op, "interval");
    uint64_t interval_ms = interval != NULL ? strtoull(interval, NULL, 10) : 0;
    const xmlNode *config = task != NULL ? bl__sched_op_config(rsc, task, interval_ms) : NULL;

    if (interval_ms > 0) {
        return recurring_changed(s, rsc, config, op);
    }
    if (restart != NULL) {
        const char *force = bl_xml_attr(op, "op-force-restart");
        g_autofree char *calc = bl__sched_params_digest(s, rsc, config, force);

        if (strcmp(calc, restart) != 0) {
            return 2;
        }
    }
    if (secure != NULL) {
        /* Like crm_simulate, trust the digest that leaves out sanitized secrets. */
        const char *names = bl_xml_attr(op, "op-secure-params");
        g_autofree char *calc = digest_of(s, rsc, config, NULL, names != NULL ? names : "");

        if (strcmp(calc, secure) == 0) {
            return 0;
        }
    }
    if (all != NULL) {
        g_autofree char *calc = bl__sched_params_digest(s, rsc, config, NULL);

        if (strcmp(calc, all) == 0) {
            return 0;
        }
    }
    /* A reload cannot apply parameters of the operation itself: with such parameters on a
     * one-shot operation, any change means a restart (as Pacemaker decides). */
    if (restart != NULL && has_op_params(s, config)
        && (interval == NULL || strtoull(interval, NULL, 10) == 0)) {
        return 2;
    }
    return restart != NULL ? 1 : 2;
}

char *
bl__sched_recurring_digest(bl_sched_t *s, const bl_srsc_t *rsc, const xmlNode *op_config,
                           uint64_t timeout_ms)
{
    g_autoptr(GHashTable) params = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);

    if (rsc->xml != NULL) {
        bl__sched_nvpairs(s, rsc->xml, "instance_attributes", params, false);
    }
    if (op_config != NULL) {
        bl__sched_nvpairs(s, op_config, "instance_attributes", params, true);
    }
    g_hash_table_replace(params, g_strdup("CRM_meta_timeout"),
                         g_strdup_printf("%" G_GUINT64_FORMAT, timeout_ms));
    return digest_params(rsc, params, NULL, NULL);
}
