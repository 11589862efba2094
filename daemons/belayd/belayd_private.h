/* belayd: the launcher's configuration and its supervisor of the other daemons. */
#ifndef BELAY_BELAYD_PRIVATE_H
#define BELAY_BELAYD_PRIVATE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <glib.h>

#define BELAYD_CONFIG_DEFAULT "/etc/belay/belay.conf"

/* What /etc/belay/belay.conf can set (see belayd_conf.c for the keys). */
typedef struct belayd_conf {
    char *state_dir;      /* BELAY_STATE_DIR of the daemons */
    char *run_dir;        /* BELAY_RUN_DIR: pid files */
    char *log_file;       /* BELAY_LOG_FILE; "" = syslog */
    char *daemon_dir;     /* where belay-based and belay-execd are */
    char *ocf_root;       /* belay-execd's --ocf-root */
    unsigned respawn_max; /* exits tolerated within respawn_window */
    uint64_t respawn_window_ms;
    uint64_t respawn_delay_ms; /* first respawn delay; doubles per recent exit */
    uint64_t respawn_delay_max_ms;
    uint64_t start_timeout_ms; /* until the daemon's IPC accepts a connection */
    uint64_t stop_timeout_ms;  /* SIGTERM -> SIGKILL */
    /* belay-execd's limits, passed as its options; 0: not set, the daemon's default. */
    unsigned execd_max_parallel;      /* --max-parallel: agents running at once */
    unsigned execd_max_queued;        /* --max-queued: submissions waiting to start */
    unsigned execd_max_calls;         /* --max-calls: active calls, recurring included */
    unsigned execd_max_client_events; /* --max-client-events: unread results per client */
} belayd_conf_t;

/* Fills CONF with the built-in defaults (DAEMON_DIR is the install's sbindir). */
void belayd_conf_defaults(belayd_conf_t *conf, const char *daemon_dir);

/* Frees CONF's strings. */
void belayd_conf_clear(belayd_conf_t *conf);

/*
 * Parses config TEXT (NAME labels messages, e.g. the file's path) over the values already
 * in CONF: lines "key = value", blank lines and lines starting with '#'. Returns 0, or
 * BL_EPARSE / BL_EINVALID with "NAME line N: key: problem" in *err; CONF may then be
 * partly changed (the caller exits).
 */
int belayd_conf_parse(const char *text, const char *name, belayd_conf_t *conf, char **err);

/*
 * Reads and parses PATH. A missing file is an error only when REQUIRED (the default path
 * may be absent: the defaults apply). Returns 0 or an error with a message in *err.
 */
int belayd_conf_load(const char *path, bool required, belayd_conf_t *conf, char **err);

/*
 * Applies the environment's BELAY_STATE_DIR, BELAY_RUN_DIR and BELAY_LOG_FILE over CONF,
 * then exports CONF's values under those names, so the daemons see one configuration.
 */
void belayd_conf_export(belayd_conf_t *conf);

typedef struct belayd belayd_t;

/*
 * New supervisor of belay-based and belay-execd as CONF (borrowed; must outlive it) says,
 * on the default main context. Nothing is started yet.
 */
belayd_t *belayd_new(const belayd_conf_t *conf, GMainLoop *loop);
void belayd_free(belayd_t *belayd);

/* Starts the daemons in order, each once the previous one's IPC accepts connections. */
void belayd_start(belayd_t *belayd);

/*
 * Stops the daemons in reverse order (SIGTERM, SIGKILL after stop_timeout); quits the main
 * loop when none is left.
 */
void belayd_stop(belayd_t *belayd);

/* Exit status for belayd: 0, or 1 when it gave up on a daemon. */
int belayd_exit_code(const belayd_t *belayd);

#endif /* BELAY_BELAYD_PRIVATE_H */
