/* Logging through libqb: a file ($BELAY_LOG_FILE) or syslog, optionally stderr. */
#include <stdlib.h>

#include <belay/common.h>

/* BELAY_DEBUG=1 lets debug lines through (e.g. the CIB daemon's timing of each write). */
static int
log_level(void)
{
    const char *debug = getenv("BELAY_DEBUG");

    return debug != NULL && *debug != '\0' && *debug != '0' ? LOG_DEBUG : LOG_INFO;
}

void
bl_log_init(const char *name, bool to_stderr)
{
    const char *file = getenv("BELAY_LOG_FILE");

    qb_log_init(name, LOG_DAEMON, LOG_INFO);
    qb_log_format_set(QB_LOG_SYSLOG, "%b");
    if (file != NULL && *file != '\0') {
        int fd = qb_log_file_open(file);

        qb_log_ctl(QB_LOG_SYSLOG, QB_LOG_CONF_ENABLED, QB_FALSE);
        if (fd >= 0) {
            qb_log_filter_ctl(fd, QB_LOG_FILTER_ADD, QB_LOG_FILTER_FILE, "*", log_level());
            qb_log_format_set(fd, "%t %N[%P] %p: %b");
            qb_log_ctl(fd, QB_LOG_CONF_ENABLED, QB_TRUE);
        }
    }
    if (to_stderr) {
        qb_log_filter_ctl(QB_LOG_STDERR, QB_LOG_FILTER_ADD, QB_LOG_FILTER_FILE, "*", log_level());
        qb_log_format_set(QB_LOG_STDERR, "%N: %p: %b");
        qb_log_ctl(QB_LOG_STDERR, QB_LOG_CONF_ENABLED, QB_TRUE);
    }
}

void
bl_log_fini(void)
{
    qb_log_fini();
}
