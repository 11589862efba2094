/*
 * The replica's journal, DIR/cib.journal: every applied diff appended as a record
 *     "diff LEN\n" + LEN bytes of <cib-diff> + "\n"
 * and made durable with one fdatasync for all the records of a batch (group commit), so
 * that an acknowledged write costs one disk flush instead of rewriting cib.xml (four).
 * A checkpoint writes the whole CIB through the store and empties the journal. On open
 * the records are replayed on cib.xml: those whose source version is older than it
 * (a crash between a checkpoint and the truncation) are skipped; a torn last record
 * (a crash during an append, never acknowledged) ends the replay.
 *
 * A checkpoint written in the background first rotates the journal: cib.journal becomes
 * cib.journal.old (the records the checkpoint's cib.xml will hold) and writes go on in a
 * new cib.journal; cib.journal.old is deleted once cib.xml is on disk. Replay reads
 * cib.journal.old, when there is one, before cib.journal.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <belay/cib.h>

#include "cib_private.h"

#define JOURNAL "cib.journal"

struct bl__cib_journal {
    int fd;
    char *path;
    char *old_path;   /* the journal a running checkpoint folds into cib.xml */
    GString *pending; /* records appended since the last sync */
    unsigned records; /* records in the file and pending, since the last reset */
};

int
bl__cib_journal_open(const char *dir, bl__cib_journal_t **journal, char **err)
{
    char *path = bl_asprintf("%s/%s", dir, JOURNAL);
    int fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600);

    if (fd < 0) {
        int rc = -errno;

        bl_err_set(err, "%s: cannot open: %s", path, g_strerror(-rc));
        free(path);
        return rc;
    }
    *journal = g_new0(bl__cib_journal_t, 1);
    (*journal)->fd = fd;
    (*journal)->path = path;
    (*journal)->old_path = bl_asprintf("%s.old", path);
    (*journal)->pending = g_string_new(NULL);
    return 0;
}

void
bl__cib_journal_free(bl__cib_journal_t *journal)
{
    if (journal == NULL) {
        return;
    }
    close(journal->fd);
    free(journal->path);
    free(journal->old_path);
    g_string_free(journal->pending, TRUE);
    g_free(journal);
}

/* Applies the record at TEXT (LEN bytes of diff) to DOC: 1 applied, 0 skipped (older). */
static int
replay_one(xmlDoc *doc, const char *text, size_t len, char **err)
{
    xmlDoc *diff = NULL;
    int rc = bl_xml_parse(text, len, "journal record", &diff, err);

    if (rc == 0) {
        rc = bl_cib_patch(doc, diff, err);
    }
    xmlFreeDoc(diff);
    if (rc == BL_EVERSION) {
        bl_free(err);
        return 0;
    }
    return rc == 0 ? 1 : rc;
}

/* Replays the journal file PATH onto DOC; a missing file holds nothing. */
static int
replay_file(const char *path, xmlDoc *doc, unsigned *applied, char **err)
{
    char *data = NULL;
    size_t len = 0;
    size_t at = 0;
    int rc = bl_file_read(path, &data, &len, err);

    if (rc == -ENOENT) {
        bl_free(err);
        return 0;
    }
    while (rc == 0 && at < len) {
        unsigned long size = 0;
        int header = 0;

        if (sscanf(data + at, "diff %lu\n%n", &size, &header) != 1 || header == 0
            || size > len - at - (size_t) header || (size_t) header + size + 1 > len - at) {
            break; /* torn by a crash during an append: never acknowledged */
        }
        rc = replay_one(doc, data + at + header, size, err);
        if (rc > 0) {
            (*applied)++;
            rc = 0;
        }
        at += (size_t) header + size + 1;
    }
    if (rc != 0) {
        bl_err_prefix(err, "%s: record at byte %zu", path, at);
    }
    free(data);
    return rc;
}

int
bl__cib_journal_replay(bl__cib_journal_t *journal, xmlDoc *doc, unsigned *applied, char **err)
{
    int rc;

    *applied = 0;
    rc = replay_file(journal->old_path, doc, applied, err);
    return rc != 0 ? rc : replay_file(journal->path, doc, applied, err);
}

/* Makes DIR's entries (a rename, a new file) durable. */
static int
sync_dir(const char *path)
{
    char *dir = g_path_get_dirname(path);
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int rc = fd >= 0 && fsync(fd) == 0 ? 0 : -errno;

    if (fd >= 0) {
        close(fd);
    }
    g_free(dir);
    return rc;
}

int
bl__cib_journal_rotate(bl__cib_journal_t *journal, char **err)
{
    int fd;
    int rc = journal->pending->len == 0 ? 0 : -EBUSY;

    if (rc == 0 && rename(journal->path, journal->old_path) != 0) {
        rc = -errno;
    }
    fd =
        rc == 0 ? open(journal->path, O_RDWR | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0600) : -1;
    if (rc == 0 && fd < 0) {
        rc = -errno;
        rename(journal->old_path, journal->path); /* back to one journal */
    }
    /* A write acknowledged in the new file must not vanish with its directory entry. */
    if (rc == 0) {
        rc = sync_dir(journal->path);
    }
    if (rc != 0) {
        bl_err_set(err, "%s: cannot rotate: %s", journal->path, g_strerror(-rc));
        if (fd >= 0) {
            close(fd);
        }
        return rc;
    }
    close(journal->fd);
    journal->fd = fd;
    journal->records = 0;
    return 0;
}

void
bl__cib_journal_drop_old(bl__cib_journal_t *journal)
{
    unlink(journal->old_path);
}

void
bl__cib_journal_append(bl__cib_journal_t *journal, const char *text, size_t len)
{
    g_string_append_printf(journal->pending, "diff %zu\n", len);
    g_string_append_len(journal->pending, text, (gssize) len);
    g_string_append_c(journal->pending, '\n');
    journal->records++;
}

unsigned
bl__cib_journal_records(const bl__cib_journal_t *journal)
{
    return journal->records;
}

int
bl__cib_journal_sync(bl__cib_journal_t *journal, char **err)
{
    size_t done = 0;
    int rc = 0;

    if (journal->pending->len == 0) {
        return 0;
    }
    while (done < journal->pending->len) {
        ssize_t n = write(journal->fd, journal->pending->str + done, journal->pending->len - done);

        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            rc = -errno;
            break;
        }
        done += (size_t) n;
    }
    if (rc == 0 && fdatasync(journal->fd) != 0) {
        rc = -errno;
    }
    g_string_truncate(journal->pending, 0);
    if (rc != 0) {
        bl_err_set(err, "%s: cannot write: %s", journal->path, g_strerror(-rc));
    }
    return rc;
}

int
bl__cib_journal_reset(bl__cib_journal_t *journal, char **err)
{
    g_string_truncate(journal->pending, 0);
    journal->records = 0;
    bl__cib_journal_drop_old(journal);
    if (ftruncate(journal->fd, 0) != 0 || fdatasync(journal->fd) != 0) {
        int rc = -errno;

        bl_err_set(err, "%s: cannot empty: %s", journal->path, g_strerror(-rc));
        return rc;
    }
    return 0;
}
