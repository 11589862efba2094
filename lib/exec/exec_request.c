/* Requests: what to run, and the environment the agent gets. */
#include <string.h>

#include <belay/common.h>
#include <belay/exec.h>

#include "exec_private.h"

/* Pacemaker's default operation timeout. */
#define DEFAULT_TIMEOUT_MS 20000
#define CLEAN_PATH "/usr/sbin:/usr/bin:/sbin:/bin"

/* Provider and type become path components: no '/', no leading dot, no oddities. */
static bool
safe_component(const char *text)
{
    if (*text == '\0' || *text == '.') {
        return false;
    }
    for (const char *p = text; *p != '\0'; p++) {
        if (!g_ascii_isalnum(*p) && strchr("._+-", *p) == NULL) {
            return false;
        }
    }
    return true;
}

static bool
safe_name(const char *text, const char *extra_chars)
{
    if (*text == '\0' || g_ascii_isdigit(*text)) {
        return false;
    }
    for (const char *p = text; *p != '\0'; p++) {
        if (!g_ascii_isalnum(*p) && *p != '_' && strchr(extra_chars, *p) == NULL) {
            return false;
        }
    }
    return true;
}

static GHashTable *
new_table(void)
{
    return g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
}

static int
check_spec(char **parts, const char *spec, char **err)
{
    if (g_strv_length(parts) != 3) {
        if (g_strv_length(parts) >= 1 && strcmp(parts[0], "ocf") != 0) {
            bl_err_set(err, "agent '%s': class '%s' is not supported (only ocf)", spec, parts[0]);
            return BL_EUNSUPPORTED;
        }
        bl_err_set(err, "agent '%s': expected ocf:PROVIDER:TYPE", spec);
        return BL_EPARSE;
    }
    if (strcmp(parts[0], "ocf") != 0) {
        bl_err_set(err, "agent '%s': class '%s' is not supported (only ocf)", spec, parts[0]);
        return BL_EUNSUPPORTED;
    }
    if (!safe_component(parts[1]) || !safe_component(parts[2])) {
        bl_err_set(
            err,
            "agent '%s': provider and type may hold only letters, digits and ._+- and may not start with a dot",
            spec);
        return BL_EPARSE;
    }
    return 0;
}

int
bl_exec_request_new(const char *rsc_id, const char *spec, const char *action,
                    bl_exec_request_t **req, char **err)
{
    g_auto(GStrv) parts = g_strsplit(spec, ":", -1);
    bl_exec_request_t *r;
    int rc = check_spec(parts, spec, err);

    if (rc != 0) {
        return rc;
    }
    if (rsc_id == NULL || *rsc_id == '\0') {
        bl_err_set(err, "agent '%s': a resource id is required", spec);
        return BL_EPARSE;
    }
    if (!safe_name(action, "-")) {
        bl_err_set(err, "agent '%s': invalid action name '%s'", spec, action);
        return BL_EPARSE;
    }
    r = g_new0(bl_exec_request_t, 1);
    r->rsc_id = g_strdup(rsc_id);
    r->standard = g_strdup(parts[0]);
    r->provider = g_strdup(parts[1]);
    r->type = g_strdup(parts[2]);
    r->action = g_strdup(action);
    r->params = new_table();
    r->meta = new_table();
    *req = r;
    return 0;
}

int
bl_exec_request_set(bl_exec_request_t *req, bool is_meta, const char *name, const char *value,
                    char **err)
{
    if (!safe_name(name, is_meta ? "-" : "")) {
        bl_err_set(
            err,
            "%s '%s': names may hold only letters, digits and underscores%s and may not start with a digit",
            is_meta ? "meta attribute" : "parameter", name, is_meta ? " (or dashes)" : "");
        return BL_EINVALID;
    }
    /* OCF_RESKEY_CRM_meta_* belongs to meta attributes; a parameter may not shadow one. */
    if (!is_meta && g_str_has_prefix(name, "CRM_meta_")) {
        bl_err_set(err,
                   "parameter '%s': names starting with CRM_meta_ are reserved for meta attributes",
                   name);
        return BL_EINVALID;
    }
    g_hash_table_replace(is_meta ? req->meta : req->params, g_strdup(name), g_strdup(value));
    return 0;
}

static GHashTable *
copy_table(GHashTable *from)
{
    GHashTable *to = new_table();
    GHashTableIter iter;
    gpointer key;
    gpointer value;

    g_hash_table_iter_init(&iter, from);
    while (g_hash_table_iter_next(&iter, &key, &value)) {
        g_hash_table_insert(to, g_strdup(key), g_strdup(value));
    }
    return to;
}

bl_exec_request_t *
bl_exec_request_copy(const bl_exec_request_t *req)
{
    bl_exec_request_t *r = g_new0(bl_exec_request_t, 1);

    r->rsc_id = g_strdup(req->rsc_id);
    r->standard = g_strdup(req->standard);
    r->provider = g_strdup(req->provider);
    r->type = g_strdup(req->type);
    r->action = g_strdup(req->action);
    r->ocf_root = g_strdup(req->ocf_root);
    r->params = copy_table(req->params);
    r->meta = copy_table(req->meta);
    r->timeout_ms = req->timeout_ms;
    r->interval_ms = req->interval_ms;
    return r;
}

void
bl_exec_request_free(bl_exec_request_t *req)
{
    if (req == NULL) {
        return;
    }
    g_free(req->rsc_id);
    g_free(req->standard);
    g_free(req->provider);
    g_free(req->type);
    g_free(req->action);
    g_free(req->ocf_root);
    g_hash_table_unref(req->params);
    g_hash_table_unref(req->meta);
    g_free(req);
}

const char *
bl__exec_root(const bl_exec_request_t *req)
{
    return req->ocf_root != NULL ? req->ocf_root : BL_OCF_ROOT_DEFAULT;
}

uint64_t
bl__exec_timeout(const bl_exec_request_t *req)
{
    return req->timeout_ms > 0 ? req->timeout_ms : DEFAULT_TIMEOUT_MS;
}

static void
add_table(GPtrArray *env, GHashTable *table, const char *prefix, bool dashes)
{
    GHashTableIter iter;
    gpointer key;
    gpointer value;

    g_hash_table_iter_init(&iter, table);
    while (g_hash_table_iter_next(&iter, &key, &value)) {
        char *entry = g_strdup_printf("%s%s=%s", prefix, (char *) key, (char *) value);

        /* Pacemaker turns dashes of meta names into underscores: shells cannot read them. */
        for (char *p = entry + strlen(prefix); dashes && *p != '='; p++) {
            *p = (*p == '-') ? '_' : *p;
        }
        g_ptr_array_add(env, entry);
    }
}

/* Replaces the entry of the same name in ENV (from index FIRST on), or appends. */
static void
put_entry(GPtrArray *env, guint first, const char *entry)
{
    const char *eq = strchr(entry, '=');
    size_t name_len = eq != NULL ? (size_t) (eq - entry) + 1 : strlen(entry);

    for (guint i = first; i < env->len; i++) {
        if (strncmp(env->pdata[i], entry, name_len) == 0) {
            g_free(env->pdata[i]);
            env->pdata[i] = g_strdup(entry);
            return;
        }
    }
    g_ptr_array_add(env, g_strdup(entry));
}

char **
bl_exec_request_env(const bl_exec_request_t *req, const char *const *extra)
{
    GPtrArray *env = g_ptr_array_new();
    g_autoptr(GHashTable) meta = copy_table(req->meta);
    guint base;

    g_ptr_array_add(env, g_strdup_printf("OCF_ROOT=%s", bl__exec_root(req)));
    g_ptr_array_add(env, g_strdup("OCF_RA_VERSION_MAJOR=1"));
    g_ptr_array_add(env, g_strdup("OCF_RA_VERSION_MINOR=1"));
    g_ptr_array_add(env, g_strdup_printf("OCF_RESOURCE_INSTANCE=%s", req->rsc_id));
    g_ptr_array_add(env, g_strdup_printf("OCF_RESOURCE_TYPE=%s", req->type));
    g_ptr_array_add(env, g_strdup_printf("OCF_RESOURCE_PROVIDER=%s", req->provider));
    add_table(env, req->params, "OCF_RESKEY_", false);
    /* The agent sees the timeout actually enforced and the interval, both in ms. */
    g_hash_table_replace(meta, g_strdup("timeout"),
                         g_strdup_printf("%" G_GUINT64_FORMAT, bl__exec_timeout(req)));
    g_hash_table_replace(meta, g_strdup("interval"),
                         g_strdup_printf("%" G_GUINT64_FORMAT, req->interval_ms));
    add_table(env, meta, "OCF_RESKEY_CRM_meta_", true);
    base = env->len;
    g_ptr_array_add(env, g_strdup("PATH=" CLEAN_PATH));
    g_ptr_array_add(env, g_strdup("HA_LOGFACILITY=none"));
    for (size_t i = 0; extra != NULL && extra[i] != NULL; i++) {
        put_entry(env, base, extra[i]);
    }
    g_ptr_array_add(env, NULL);
    return (char **) g_ptr_array_free(env, FALSE);
}
