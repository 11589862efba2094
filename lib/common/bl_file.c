/* Whole-file reads and crash-safe (atomic, durable) writes. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <belay/common.h>

int
bl_file_read(const char *path, char **data, size_t *len, char **err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    size_t size = 0;
    size_t capacity = 65536;
    char *buffer;

    *data = NULL;
    if (fd < 0) {
        int rc = -errno;

        bl_err_set(err, "%s: cannot read: %s", path, strerror(-rc));
        return rc;
    }
    buffer = bl_malloc(capacity);
    for (;;) {
        ssize_t n;

        if (size + 1 >= capacity) {
            capacity *= 2;
            buffer = bl_realloc(buffer, capacity);
        }
        n = read(fd, buffer + size, capacity - size - 1);
        if (n == 0) {
            break;
        }
        if (n < 0) {
            int rc = -errno;

            if (rc == -EINTR) {
                continue;
            }
            bl_err_set(err, "%s: cannot read: %s", path, strerror(-rc));
            free(buffer);
            close(fd);
            return rc;
        }
        size += (size_t) n;
    }
    close(fd);
    buffer[size] = '\0';
    *data = buffer;
    if (len != NULL) {
        *len = size;
    }
    return 0;
}

static int
write_all(int fd, const char *data, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, data, len);

        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return -errno;
        }
        data += n;
        len -= (size_t) n;
    }
    return 0;
}

static void
fsync_parent(const char *path)
{
    char *copy = bl_strdup(path);
    int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);

    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
    free(copy);
}

int
bl_file_write_atomic(const char *path, const char *data, size_t len, char **err)
{
    char *tmp = bl_asprintf("%s.tmp.%ld", path, (long) getpid());
    struct stat st;
    mode_t mode = (stat(path, &st) == 0) ? (st.st_mode & 07777) : 0600;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    int rc = 0;

    if (fd < 0) {
        rc = -errno;
        bl_err_set(err, "%s: cannot write: %s", path, strerror(-rc));
        goto done;
    }
    rc = write_all(fd, data, len);
    if (rc == 0 && fsync(fd) < 0) {
        rc = -errno;
    }
    if (close(fd) < 0 && rc == 0) {
        rc = -errno;
    }
    if (rc == 0 && rename(tmp, path) < 0) {
        rc = -errno;
    }
    if (rc != 0) {
        bl_err_set(err, "%s: cannot write: %s", path, strerror(-rc));
        unlink(tmp);
        goto done;
    }
    fsync_parent(path);
done:
    free(tmp);
    return rc;
}
