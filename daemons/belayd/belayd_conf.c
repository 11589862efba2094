/*
 * belayd's configuration file: "key = value" lines, '#' comments. Strict on purpose: a
 * misspelt key silently ignored would leave a node running with a setting its admin
 * believes changed, so an unknown key, a bad value or a key given twice is an error.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <belay/common.h>

#include "belayd_private.h"

#define STATE_DIR_DEFAULT "/var/lib/belay"
#define RUN_DIR_DEFAULT "/run/belay"
#define RESPAWN_MAX_LIMIT 1000

enum key_type {
    KEY_PATH,     /* an absolute path */
    KEY_LOG,      /* an absolute path, or empty for syslog */
    KEY_COUNT,    /* 0 .. RESPAWN_MAX_LIMIT */
    KEY_DURATION, /* a positive duration (bl_duration_parse_ms) */
    KEY_LIMIT,    /* 1 .. key.max (belay-execd's limits, which refuse 0) */
};

typedef struct key {
    const char *name;
    enum key_type type;
    size_t offset;
    unsigned long max; /* KEY_LIMIT: the largest value belay-execd accepts */
} conf_key_t;

static const conf_key_t keys[] = {
    {"state_dir", KEY_PATH, offsetof(belayd_conf_t, state_dir), 0},
    {"run_dir", KEY_PATH, offsetof(belayd_conf_t, run_dir), 0},
    {"log_file", KEY_LOG, offsetof(belayd_conf_t, log_file), 0},
    {"daemon_dir", KEY_PATH, offsetof(belayd_conf_t, daemon_dir), 0},
    {"ocf_root", KEY_PATH, offsetof(belayd_conf_t, ocf_root), 0},
    {"respawn_max", KEY_COUNT, offsetof(belayd_conf_t, respawn_max), 0},
    {"respawn_window", KEY_DURATION, offsetof(belayd_conf_t, respawn_window_ms), 0},
    {"respawn_delay", KEY_DURATION, offsetof(belayd_conf_t, respawn_delay_ms), 0},
    {"respawn_delay_max", KEY_DURATION, offsetof(belayd_conf_t, respawn_delay_max_ms), 0},
    {"start_timeout", KEY_DURATION, offsetof(belayd_conf_t, start_timeout_ms), 0},
    {"stop_timeout", KEY_DURATION, offsetof(belayd_conf_t, stop_timeout_ms), 0},
    {"execd_max_parallel", KEY_LIMIT, offsetof(belayd_conf_t, execd_max_parallel), 1024},
    {"execd_max_queued", KEY_LIMIT, offsetof(belayd_conf_t, execd_max_queued), 1000000},
    {"execd_max_calls", KEY_LIMIT, offsetof(belayd_conf_t, execd_max_calls), 1000000},
    {"execd_max_client_events", KEY_LIMIT, offsetof(belayd_conf_t, execd_max_client_events),
     1000000},
};

#define N_KEYS (sizeof(keys) / sizeof(keys[0]))

void
belayd_conf_defaults(belayd_conf_t *conf, const char *daemon_dir)
{
    memset(conf, 0, sizeof(*conf));
    conf->state_dir = bl_strdup(STATE_DIR_DEFAULT);
    conf->run_dir = bl_strdup(RUN_DIR_DEFAULT);
    conf->log_file = bl_strdup("");
    conf->daemon_dir = bl_strdup(daemon_dir);
    conf->ocf_root = bl_strdup("/usr/lib/ocf");
    conf->respawn_max = 5;
    conf->respawn_window_ms = 60000;
    conf->respawn_delay_ms = 1000;
    conf->respawn_delay_max_ms = 30000;
    conf->start_timeout_ms = 60000;
    conf->stop_timeout_ms = 30000;
}

void
belayd_conf_clear(belayd_conf_t *conf)
{
    bl_free(&conf->state_dir);
    bl_free(&conf->run_dir);
    bl_free(&conf->log_file);
    bl_free(&conf->daemon_dir);
    bl_free(&conf->ocf_root);
}

static const conf_key_t *
find_key(const char *name)
{
    for (size_t i = 0; i < N_KEYS; i++) {
        if (strcmp(keys[i].name, name) == 0) {
            return &keys[i];
        }
    }
    return NULL;
}

/* ", did you mean 'KEY'?" for a near miss, else "" (static storage not needed: caller frees). */
static char *
suggestion(const char *name)
{
    const char *best = NULL;
    unsigned best_distance = 3;

    for (size_t i = 0; i < N_KEYS; i++) {
        unsigned d = bl_edit_distance(name, keys[i].name, 2);

        if (d < best_distance) {
            best_distance = d;
            best = keys[i].name;
        }
    }
    return best != NULL ? bl_asprintf(" (did you mean '%s'?)", best) : bl_strdup("");
}

static int
set_value(belayd_conf_t *conf, const conf_key_t *key, const char *value, char **err)
{
    void *field = (char *) conf + key->offset;
    char *end = NULL;
    char *why = NULL;
    unsigned long count;
    uint64_t ms = 0;

    switch (key->type) {
    case KEY_LOG:
    case KEY_PATH:
        if (value[0] != '/' && !(key->type == KEY_LOG && value[0] == '\0')) {
            bl_err_set(err, "'%s' is not an absolute path%s", value,
                       key->type == KEY_LOG ? " (leave it empty to log to syslog)" : "");
            return BL_EINVALID;
        }
        free(*(char **) field);
        *(char **) field = bl_strdup(value);
        return 0;
    case KEY_COUNT:
        errno = 0;
        count = strtoul(value, &end, 10);
        if (value[0] < '0' || value[0] > '9' || *end != '\0' || count > RESPAWN_MAX_LIMIT) {
            bl_err_set(err, "'%s' is not a number from 0 to %d", value, RESPAWN_MAX_LIMIT);
            return BL_EINVALID;
        }
        *(unsigned *) field = (unsigned) count;
        return 0;
    case KEY_LIMIT:
        count = strtoul(value, &end, 10);
        if (value[0] < '0' || value[0] > '9' || *end != '\0' || count == 0 || count > key->max) {
            bl_err_set(err, "'%s' is not a number from 1 to %lu", value, key->max);
            return BL_EINVALID;
        }
        *(unsigned *) field = (unsigned) count;
        return 0;
    case KEY_DURATION:
        if (bl_duration_parse_ms(value, &ms, &why) != 0 || ms == 0) {
            bl_err_set(err, "'%s' is not a positive duration (such as 500ms, 10s, 2min)", value);
            free(why);
            return BL_EINVALID;
        }
        *(uint64_t *) field = ms;
        return 0;
    }
    return BL_EINVALID;
}

/* One line (NUL-terminated, may be modified). SEEN[i] is the line key i was set on. */
static int
parse_line(char *line, unsigned lineno, unsigned seen[], belayd_conf_t *conf, char **err)
{
    char *eq;
    char *name;
    char *value;
    const conf_key_t *key;
    int rc;

    name = g_strstrip(line);
    if (*name == '\0' || *name == '#') {
        return 0;
    }
    eq = strchr(name, '=');
    if (eq == NULL) {
        bl_err_set(err, "line %u: expected 'key = value', got '%s'", lineno, name);
        return BL_EPARSE;
    }
    *eq = '\0';
    name = g_strstrip(name);
    value = g_strstrip(eq + 1);
    key = find_key(name);
    if (key == NULL) {
        g_autofree char *hint = suggestion(name);

        bl_err_set(err, "line %u: unknown key '%s'%s", lineno, name, hint);
        return BL_EINVALID;
    }
    if (seen[key - keys] != 0) {
        bl_err_set(err, "line %u: %s: set twice (first on line %u)", lineno, name,
                   seen[key - keys]);
        return BL_EINVALID;
    }
    seen[key - keys] = lineno;
    rc = set_value(conf, key, value, err);
    if (rc != 0) {
        bl_err_prefix(err, "line %u: %s", lineno, name);
    }
    return rc;
}

int
belayd_conf_parse(const char *text, const char *name, belayd_conf_t *conf, char **err)
{
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    unsigned seen[N_KEYS] = {0};
    int rc = 0;

    for (unsigned i = 0; rc == 0 && lines[i] != NULL; i++) {
        rc = parse_line(lines[i], i + 1, seen, conf, err);
    }
    if (rc == 0 && conf->respawn_delay_max_ms < conf->respawn_delay_ms) {
        bl_err_set(err, "respawn_delay_max is shorter than respawn_delay");
        rc = BL_EINVALID;
    }
    if (rc != 0) {
        bl_err_prefix(err, "%s", name);
    }
    return rc;
}

int
belayd_conf_load(const char *path, bool required, belayd_conf_t *conf, char **err)
{
    char *text = NULL;
    size_t len = 0;
    int rc = bl_file_read(path, &text, &len, err);

    if (rc == -ENOENT && !required) {
        bl_free(err);
        return 0;
    }
    if (rc == 0 && strlen(text) != len) {
        bl_err_set(err, "%s: holds a NUL byte; not a text file", path);
        rc = BL_EPARSE;
    }
    if (rc == 0) {
        rc = belayd_conf_parse(text, path, conf, err);
    }
    free(text);
    return rc;
}

static void
export_value(const char *env, char **field)
{
    const char *value = getenv(env);

    if (value != NULL && *value != '\0') {
        free(*field);
        *field = bl_strdup(value);
    }
    if (**field != '\0') {
        setenv(env, *field, 1);
    } else {
        unsetenv(env);
    }
}

void
belayd_conf_export(belayd_conf_t *conf)
{
    export_value("BELAY_STATE_DIR", &conf->state_dir);
    export_value("BELAY_RUN_DIR", &conf->run_dir);
    export_value("BELAY_LOG_FILE", &conf->log_file);
}
