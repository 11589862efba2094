/* OCF exit codes and what they mean per action. */
#include <string.h>

#include <belay/exec.h>

static bool
is_monitor(const char *action)
{
    return strcmp(action, "monitor") == 0 || strcmp(action, "status") == 0;
}

static const char *
generic_meaning(int rc)
{
    switch (rc) {
    case BL_OCF_SUCCESS:
        return "ok";
    case BL_OCF_ERR_GENERIC:
        return "generic error";
    case BL_OCF_ERR_ARGS:
        return "invalid arguments";
    case BL_OCF_ERR_UNIMPLEMENTED:
        return "unimplemented action";
    case BL_OCF_ERR_PERM:
        return "insufficient privileges";
    case BL_OCF_ERR_INSTALLED:
        return "not installed";
    case BL_OCF_ERR_CONFIGURED:
        return "not configured";
    case BL_OCF_NOT_RUNNING:
        return "not running";
    case BL_OCF_RUNNING_PROMOTED:
        return "running (promoted)";
    case BL_OCF_FAILED_PROMOTED:
        return "failed (promoted)";
    case BL_OCF_DEGRADED:
        return "degraded";
    case BL_OCF_DEGRADED_PROMOTED:
        return "degraded (promoted)";
    default:
        return "unknown exit code";
    }
}

const char *
bl_ocf_rc_meaning(const char *action, int rc)
{
    if (is_monitor(action)) {
        switch (rc) {
        case BL_OCF_SUCCESS:
            return "running";
        case BL_OCF_DEGRADED:
            return "running (degraded)";
        case BL_OCF_DEGRADED_PROMOTED:
            return "running (promoted, degraded)";
        default:
            break;
        }
    } else if (strcmp(action, "stop") == 0 && rc == BL_OCF_NOT_RUNNING) {
        return "not running (already stopped)";
    }
    return generic_meaning(rc);
}

bool
bl_ocf_rc_is_failure(const char *action, int rc)
{
    if (rc == BL_OCF_SUCCESS) {
        return false;
    }
    if (is_monitor(action)) {
        return !(rc == BL_OCF_NOT_RUNNING || rc == BL_OCF_RUNNING_PROMOTED || rc == BL_OCF_DEGRADED
                 || rc == BL_OCF_DEGRADED_PROMOTED);
    }
    /* A stop that finds nothing running reached its goal; Pacemaker accepts it too. */
    return !(strcmp(action, "stop") == 0 && rc == BL_OCF_NOT_RUNNING);
}

const char *
bl_exec_status_str(enum bl_exec_status status)
{
    switch (status) {
    case BL_EXEC_DONE:
        return "done";
    case BL_EXEC_TIMEOUT:
        return "timeout";
    case BL_EXEC_SIGNALED:
        return "killed by signal";
    case BL_EXEC_ERROR:
        return "error";
    case BL_EXEC_CANCELLED:
        return "cancelled";
    }
    return "unknown";
}
