/*
 * The CIB on disk (layout in cib.h): cib.xml with its signature, numbered archives.
 *
 * A write goes in this order; after a crash between two steps the reader finds:
 *   1. link cib.xml and cib.xml.sig to cib-N.xml(.sig), N = newest archive + 1
 *      -> cib.xml unchanged and valid; one more archive (if the crash fell between the
 *         two links, cib-N.xml has no .sig and is skipped as an archive).
 *   2. write cib.xml.sig for the new bytes (temp file, fsync, rename, fsync dir)
 *      -> cib.xml is the old version, the .sig the new one: they do not match, and
 *         bl_cib_store_read() refuses it, saying a write was interrupted (the contents
 *         are those of archive N, which bl_cib_store_read_archive() returns).
 *   3. write cib.xml (same way)
 *      -> the new version, complete and signed: the commit point.
 *   4. prune archives beyond KEEP, remove temp files that earlier crashes left.
 * Writing the .sig before the file means no state pairs new bytes with a signature that
 * matches by accident, and the only unsigned bytes a crash can leave are in temp files.
 * One process writes a directory (the CIB daemon): step 4 deletes any cib*.tmp.* file.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>

#include <belay/cib.h>

#include "cib_private.h"

#define CURRENT "cib.xml"

/* Test hook: stop bl_cib_store_write() with -EINTR after this step (1-3), as a crash
 * would. 0 (always, outside tests) runs every step. */
int bl__cib_store_crash_after = 0;

static void
sha256_hex(const char *data, size_t len, char out[BL_DIGEST_HEXLEN + 1])
{
    gchar *hex = g_compute_checksum_for_data(G_CHECKSUM_SHA256, (const guchar *) data, len);

    memcpy(out, hex, BL_DIGEST_HEXLEN);
    out[BL_DIGEST_HEXLEN] = '\0';
    g_free(hex);
}

static char *
archive_name(unsigned long number)
{
    return bl_asprintf("cib-%lu.xml", number);
}

/* Reads the digest in the signature file SIG_PATH into OUT; *why says what is wrong. */
static int
read_sig(const char *sig_path, char out[BL_DIGEST_HEXLEN + 1], char **why, char **err)
{
    char *text = NULL;
    const char *base = strrchr(sig_path, '/') ? strrchr(sig_path, '/') + 1 : sig_path;
    char *read_err = NULL;
    int rc = bl_file_read(sig_path, &text, NULL, &read_err);

    if (rc == -ENOENT) {
        *why = bl_asprintf("no signature file %s", base);
        free(read_err);
        return BL_EDIGEST;
    }
    if (rc != 0) {
        bl_err_set(err, "%s", read_err);
        free(read_err);
        return rc;
    }
    if (strspn(text, "0123456789abcdef") != BL_DIGEST_HEXLEN
        || text[BL_DIGEST_HEXLEN + strspn(text + BL_DIGEST_HEXLEN, " \t\r\n")] != '\0') {
        *why = bl_asprintf("%s is malformed (expected 64 hex digits)", base);
        rc = BL_EDIGEST;
    } else {
        memcpy(out, text, BL_DIGEST_HEXLEN);
        out[BL_DIGEST_HEXLEN] = '\0';
    }
    free(text);
    return rc;
}

/*
 * Reads PATH and checks its bytes against PATH.sig. Returns 0 and the bytes; BL_EDIGEST
 * with *why (no path in it) when they do not match, the bytes (if read) still in *data
 * for the caller to free; -errno with *err when unreadable.
 */
static int
read_signed(const char *path, char **data, size_t *len, char **why, char **err)
{
    char *sig_path = bl_asprintf("%s.sig", path);
    char expected[BL_DIGEST_HEXLEN + 1];
    char actual[BL_DIGEST_HEXLEN + 1];
    int rc = bl_file_read(path, data, len, err);

    if (rc == 0) {
        rc = read_sig(sig_path, expected, why, err);
    }
    if (rc == 0) {
        sha256_hex(*data, *len, actual);
        if (strcmp(actual, expected) != 0) {
            *why = bl_asprintf("contents do not match %s", strrchr(sig_path, '/') + 1);
            rc = BL_EDIGEST;
        }
    }
    if (rc != 0 && rc != BL_EDIGEST) {
        bl_free(data);
    }
    free(sig_path);
    return rc;
}

/* Archive number of NAME (cib-N.xml or cib-N.xml.sig), or 0 when NAME is no archive. */
static unsigned long
archive_number(const char *name)
{
    char *end = NULL;
    unsigned long number;

    if (strncmp(name, "cib-", 4) != 0 || !isdigit((unsigned char) name[4])) {
        return 0;
    }
    number = strtoul(name + 4, &end, 10);
    return (strcmp(end, ".xml") == 0 || strcmp(end, ".xml.sig") == 0) ? number : 0;
}

static gint
compare_numbers(gconstpointer a, gconstpointer b)
{
    unsigned long x = *(const unsigned long *) a;
    unsigned long y = *(const unsigned long *) b;

    return x < y ? -1 : x > y;
}

/*
 * Lists archive numbers in DIR, ascending and unique. With REMOVE_TEMPS, also deletes
 * temp files that an interrupted write left behind.
 */
static int
list_archives(const char *dir, GArray *numbers, bool remove_temps, char **err)
{
    DIR *handle = opendir(dir);
    struct dirent *entry;

    if (handle == NULL) {
        int rc = -errno;

        bl_err_set(err, "%s: cannot open the CIB directory: %s", dir, strerror(-rc));
        return rc;
    }
    while ((entry = readdir(handle)) != NULL) {
        unsigned long number = archive_number(entry->d_name);

        if (number > 0) {
            g_array_append_val(numbers, number);
        } else if (remove_temps && strncmp(entry->d_name, "cib", 3) == 0
                   && strstr(entry->d_name, ".tmp.") != NULL) {
            unlinkat(dirfd(handle), entry->d_name, 0);
        }
    }
    closedir(handle);
    g_array_sort(numbers, compare_numbers);
    for (guint i = 1; i < numbers->len;) {
        if (g_array_index(numbers, unsigned long, i)
            == g_array_index(numbers, unsigned long, i - 1)) {
            g_array_remove_index(numbers, i);
        } else {
            i++;
        }
    }
    return 0;
}

/* ------------------------------------------------------------------ write */

/* Makes FROM also reachable as TO: a hard link, or a copy where links do not work. */
static int
link_or_copy(const char *from, const char *to, char **err)
{
    char *data = NULL;
    size_t len = 0;
    int rc;

    if (link(from, to) == 0) {
        return 0;
    }
    rc = -errno;
    if (rc == -ENOENT) {
        return rc;
    }
    rc = bl_file_read(from, &data, &len, err);
    if (rc == 0) {
        rc = bl_file_write_atomic(to, data, len, err);
    }
    free(data);
    return rc;
}

/* Step 1: the current cib.xml and its .sig become archive NUMBER (*DONE unless none). */
static int
archive_current(const char *dir, unsigned long number, bool *done, char **err)
{
    char *name = archive_name(number);
    char *from = bl_asprintf("%s/" CURRENT, dir);
    char *to = bl_asprintf("%s/%s", dir, name);
    int rc = link_or_copy(from, to, err);

    free(from);
    free(to);
    *done = rc == 0;
    if (rc == 0) {
        from = bl_asprintf("%s/" CURRENT ".sig", dir);
        to = bl_asprintf("%s/%s.sig", dir, name);
        /* A missing .sig archives as missing: the archive will fail its check. */
        rc = link_or_copy(from, to, err);
        rc = (rc == -ENOENT) ? 0 : rc;
        free(from);
        free(to);
    } else if (rc == -ENOENT) {
        rc = 0; /* nothing stored yet */
    }
    free(name);
    return rc;
}

/* Deletes all but the KEEP newest archives; NUMBERS lists them, ascending. */
static void
prune_archives(const char *dir, GArray *numbers, unsigned keep)
{
    for (guint i = 0; i + keep < numbers->len; i++) {
        char *name = archive_name(g_array_index(numbers, unsigned long, i));
        char *path = bl_asprintf("%s/%s", dir, name);
        char *sig_path = bl_asprintf("%s.sig", path);

        /* Failures only leave an old archive behind; the new CIB is already safe. */
        unlink(path);
        unlink(sig_path);
        free(name);
        free(path);
        free(sig_path);
    }
}

static int
crash_point(int step)
{
    return bl__cib_store_crash_after == step ? -EINTR : 0;
}

/* Steps 2 and 3: the signature of TEXT, then TEXT itself. */
static int
write_signed(const char *dir, const char *text, char **err)
{
    char *path = bl_asprintf("%s/" CURRENT, dir);
    char *sig_path = bl_asprintf("%s.sig", path);
    char digest[BL_DIGEST_HEXLEN + 2];
    size_t len = strlen(text);
    int rc;

    sha256_hex(text, len, digest);
    digest[BL_DIGEST_HEXLEN] = '\n';
    rc = bl_file_write_atomic(sig_path, digest, BL_DIGEST_HEXLEN + 1, err);
    if (rc == 0) {
        rc = crash_point(2);
    }
    if (rc == 0) {
        rc = bl_file_write_atomic(path, text, len, err);
    }
    free(path);
    free(sig_path);
    return rc;
}

int
bl_cib_store_write(const char *dir, const xmlDoc *doc, unsigned keep, char **err)
{
    char *text = bl_xml_format(xmlDocGetRootElement(doc));
    int rc = bl__cib_store_write_text(dir, text, keep, err);

    free(text);
    return rc;
}

int
bl__cib_store_write_text(const char *dir, const char *text, unsigned keep, char **err)
{
    GArray *numbers = g_array_new(FALSE, FALSE, sizeof(unsigned long));
    int rc = list_archives(dir, numbers, true, err);

    if (rc == 0 && keep > 0) {
        unsigned long next =
            numbers->len == 0 ? 1 : g_array_index(numbers, unsigned long, numbers->len - 1) + 1;
        bool archived = false;

        rc = archive_current(dir, next, &archived, err);
        if (archived) {
            g_array_append_val(numbers, next);
        }
    }
    if (rc == 0) {
        rc = crash_point(1);
    }
    if (rc == 0) {
        rc = write_signed(dir, text, err);
    }
    if (rc == 0) {
        rc = crash_point(3);
    }
    if (rc == 0) {
        prune_archives(dir, numbers, keep);
    }
    if (rc == -EINTR) {
        bl_err_set(err, "%s: write stopped by the test hook", dir);
    }
    g_array_free(numbers, TRUE);
    return rc;
}

/* ------------------------------------------------------------------- read */

/* Reads, checks and parses archive NUMBER of DIR; *why says why it is not usable. */
static int
read_one_archive(const char *dir, unsigned long number, xmlDoc **doc, char **why)
{
    char *path = bl_asprintf("%s/cib-%lu.xml", dir, number);
    char *data = NULL;
    char *err = NULL;
    size_t len = 0;
    int rc = read_signed(path, &data, &len, why, &err);

    if (rc == 0) {
        rc = bl_cib_parse(data, len, path, doc, &err);
    }
    if (rc != 0 && *why == NULL) {
        *why = err;
        err = NULL;
    }
    free(err);
    free(data);
    free(path);
    return rc;
}

/*
 * The newest archive that passes its check: 0 with *doc and *number, -ENOENT when none
 * (*why then says what was wrong with the newest one), -errno if DIR is unreadable.
 */
static int
newest_good_archive(const char *dir, xmlDoc **doc, unsigned long *number, char **why, char **err)
{
    GArray *numbers = g_array_new(FALSE, FALSE, sizeof(unsigned long));
    int rc = list_archives(dir, numbers, false, err);

    for (guint i = numbers->len; rc == 0 && i-- > 0;) {
        char *reason = NULL;

        *number = g_array_index(numbers, unsigned long, i);
        if (read_one_archive(dir, *number, doc, &reason) == 0) {
            g_array_free(numbers, TRUE);
            return 0;
        }
        if (*why == NULL) {
            *why = bl_asprintf("cib-%lu.xml: %s", *number, reason);
        }
        free(reason);
    }
    g_array_free(numbers, TRUE);
    return rc != 0 ? rc : -ENOENT;
}

/* Tells an interrupted write (the bytes are exactly the newest archive's) from damage. */
static char *
explain_mismatch(const char *dir, const char *data, size_t len)
{
    GArray *numbers = g_array_new(FALSE, FALSE, sizeof(unsigned long));
    char *explanation = NULL;

    if (list_archives(dir, numbers, false, NULL) == 0 && numbers->len > 0) {
        unsigned long newest = g_array_index(numbers, unsigned long, numbers->len - 1);
        char *sig_path = bl_asprintf("%s/cib-%lu.xml.sig", dir, newest);
        char expected[BL_DIGEST_HEXLEN + 1];
        char actual[BL_DIGEST_HEXLEN + 1];
        char *why = NULL;

        sha256_hex(data, len, actual);
        if (read_sig(sig_path, expected, &why, NULL) == 0 && strcmp(expected, actual) == 0) {
            explanation = bl_asprintf(
                "a write was interrupted; the contents are those of archive cib-%lu.xml", newest);
        }
        free(why);
        free(sig_path);
    }
    g_array_free(numbers, TRUE);
    return explanation ? explanation : bl_strdup("truncated or modified outside Belay");
}

static void
report_damage(const char *dir, const char *path, const char *why, const char *data, size_t len,
              char **err)
{
    char *explanation = data != NULL ? explain_mismatch(dir, data, len)
                                     : bl_strdup("removed or modified outside Belay");
    xmlDoc *archive = NULL;
    unsigned long number = 0;
    char *archive_why = NULL;

    if (newest_good_archive(dir, &archive, &number, &archive_why, NULL) == 0) {
        bl_err_set(err, "%s: %s (%s); archives: cib-%lu.xml is intact", path, why, explanation,
                   number);
    } else {
        bl_err_set(err, "%s: %s (%s); archives: none intact", path, why, explanation);
    }
    xmlFreeDoc(archive);
    free(archive_why);
    free(explanation);
}

int
bl_cib_store_read(const char *dir, xmlDoc **doc, char **err)
{
    char *path = bl_asprintf("%s/" CURRENT, dir);
    char *data = NULL;
    char *why = NULL;
    size_t len = 0;
    int rc = read_signed(path, &data, &len, &why, err);

    *doc = NULL;
    if (rc == BL_EDIGEST) {
        /* Bytes that do not match are looked at only to tell an interrupted write. */
        bool contents_differ = strncmp(why, "contents", 8) == 0;

        report_damage(dir, path, why, contents_differ ? data : NULL, len, err);
    } else if (rc == 0) {
        rc = bl_cib_parse(data, len, path, doc, err);
    }
    free(why);
    free(data);
    free(path);
    return rc;
}

int
bl_cib_store_read_archive(const char *dir, xmlDoc **doc, char **path, char **err)
{
    unsigned long number = 0;
    char *why = NULL;
    int rc;

    *doc = NULL;
    *path = NULL;
    rc = newest_good_archive(dir, doc, &number, &why, err);
    if (rc == 0) {
        *path = bl_asprintf("%s/cib-%lu.xml", dir, number);
    } else if (rc == -ENOENT) {
        if (why != NULL) {
            bl_err_set(err, "%s: no archive passes its check (newest: %s)", dir, why);
        } else {
            bl_err_set(err, "%s: no archives", dir);
        }
    }
    free(why);
    return rc;
}
