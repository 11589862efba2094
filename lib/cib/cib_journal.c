/*
 * The replica's journal, DIR/cib.journal: every applied diff appended as a record
 *     "diff LEN\n" + LEN bytes of <cib-diff> + "\n"
 * and made durable with one fdatasync for all the records of a batch (group commit), so
 * that an acknowledged write costs one disk flush instead of rewriting cib.xml (four).
 * A checkpoint writes the whole CIB through the store and empties the journal. On open
 * the records are replayed on cib.xml: those whose source version is older than it
 * (a crash between a checkpoint and the truncation) are skipped; a torn last record
 * (a crash during an append, never acknowledged) ends the replay.
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

int
bl__cib_journal_replay(bl__cib_journal_t *journal, xmlDoc *doc, unsigned *applied, char **err)
{
    char *data = NULL;
    size_t len = 0;
    size_t at = 0;
    int rc = bl_file_read(journal->path, &data, &len, err);

    *applied = 0;
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
        bl_err_prefix(err, "%s: record at byte %zu", journal->path, at);
    }
    free(data);
    return rc;
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
    if (ftruncate(journal->fd, 0) != 0 || fdatasync(journal->fd) != 0) {
        int rc = -errno;

        bl_err_set(err, "%s: cannot empty: %s", journal->path, g_strerror(-rc));
        return rc;
    }
    return 0;
}
