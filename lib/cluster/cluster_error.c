/* corosync's cs_error_t values as Belay's 0 / -errno return codes. */
#include <errno.h>

#include <corosync/corotypes.h>

#include <belay/cluster.h>

int
bl_cluster_rc(int cs_error)
{
    switch ((cs_error_t) cs_error) {
    case CS_OK:
        return 0;
    case CS_ERR_TRY_AGAIN:
    case CS_ERR_QUEUE_FULL:
        return -EAGAIN;
    case CS_ERR_LIBRARY:
    case CS_ERR_BAD_HANDLE:
        /* what libqb reports when corosync is not running or has gone away */
        return -ENOTCONN;
    case CS_ERR_ACCESS:
    case CS_ERR_SECURITY:
        return -EACCES;
    case CS_ERR_NOT_EXIST:
    case CS_ERR_NAME_NOT_FOUND:
        return -ENOENT;
    case CS_ERR_EXIST:
        return -EEXIST;
    case CS_ERR_TIMEOUT:
        return -ETIMEDOUT;
    case CS_ERR_INVALID_PARAM:
    case CS_ERR_BAD_FLAGS:
    case CS_ERR_NAME_TOO_LONG:
        return -EINVAL;
    case CS_ERR_NO_MEMORY:
    case CS_ERR_NO_SPACE:
    case CS_ERR_NO_RESOURCES:
        return -ENOMEM;
    case CS_ERR_TOO_BIG:
        return -EMSGSIZE;
    case CS_ERR_NOT_SUPPORTED:
        return -EOPNOTSUPP;
    case CS_ERR_INTERRUPT:
        return -EINTR;
    default:
        return -EIO;
    }
}
