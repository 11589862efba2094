/*
 * CIB persistence: round trip, archives and pruning, damage detected at load (truncation,
 * a flipped byte, missing or malformed signature), crashes between write steps,
 * missing and unreadable directories.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <glib.h>

#include <belay/cib.h>

#include "test_dirs.h"

/* Test hook in cib_store.c: stop a write after step N, as a crash would. */
extern int bl__cib_store_crash_after;

static char *
path_in(const char *dir, const char *name)
{
    return bl_asprintf("%s/%s", dir, name);
}

static bool
exists(const char *dir, const char *name)
{
    char *path = path_in(dir, name);
    bool found = access(path, F_OK) == 0;

    free(path);
    return found;
}

/* A small CIB at epoch EPOCH. */
static xmlDoc *
cib_at(int epoch)
{
    xmlDoc *doc = bl_cib_new_empty();
    xmlNode *primitive = bl_xml_add_child(bl_cib_section(doc, "resources"), "primitive");
    bl_cib_version_t version = {0, epoch, 0};

    bl_xml_set_attr(primitive, "id", "vip");
    bl_xml_set_attr(primitive, "class", "ocf");
    bl_xml_set_attr(primitive, "provider", "heartbeat");
    bl_xml_set_attr(primitive, "type", "IPaddr2");
    bl_cib_version_set(doc, &version);
    return doc;
}

static void
write_epoch(const char *dir, int epoch, unsigned keep)
{
    xmlDoc *doc = cib_at(epoch);
    char *err = NULL;

    assert_int_equal(bl_cib_store_write(dir, doc, keep, &err), 0);
    assert_null(err);
    xmlFreeDoc(doc);
}

static int64_t
epoch_of(const xmlDoc *doc)
{
    bl_cib_version_t version;

    assert_int_equal(bl_cib_version_get(doc, &version, NULL), 0);
    return version.epoch;
}

static int64_t
read_epoch(const char *dir)
{
    xmlDoc *doc = NULL;
    char *err = NULL;
    int64_t epoch;

    assert_int_equal(bl_cib_store_read(dir, &doc, &err), 0);
    assert_null(err);
    epoch = epoch_of(doc);
    xmlFreeDoc(doc);
    return epoch;
}

/* Expects bl_cib_store_read() to refuse with RC and exactly MESSAGE (%s = DIR). */
static void
expect_read_error(const char *dir, int rc, const char *message)
{
    xmlDoc *doc = NULL;
    char *err = NULL;
    char *expected = bl_asprintf(message, dir);

    assert_int_equal(bl_cib_store_read(dir, &doc, &err), rc);
    assert_null(doc);
    assert_string_equal(err, expected);
    free(err);
    free(expected);
}

static void
test_round_trip(void **state)
{
    char *dir = test_dir_make("belay-store");
    xmlDoc *doc = cib_at(7);
    xmlDoc *back = NULL;
    char *path = path_in(dir, "cib.xml");
    char *data = NULL;
    char *sig = NULL;
    size_t len = 0;
    gchar *digest;

    (void) state;
    assert_int_equal(bl_cib_store_write(dir, doc, 5, NULL), 0);
    assert_int_equal(bl_cib_store_read(dir, &back, NULL), 0);
    assert_true(bl_cib_equal(doc, back));
    /* The signature is the SHA-256 of the file's bytes, as documented. */
    assert_int_equal(bl_file_read(path, &data, &len, NULL), 0);
    free(path);
    path = path_in(dir, "cib.xml.sig");
    assert_int_equal(bl_file_read(path, &sig, NULL, NULL), 0);
    digest = g_compute_checksum_for_data(G_CHECKSUM_SHA256, (const guchar *) data, len);
    assert_int_equal(strncmp(sig, digest, BL_DIGEST_HEXLEN), 0);
    assert_false(exists(dir, "cib-1.xml")); /* nothing to archive on the first write */
    g_free(digest);
    free(sig);
    free(data);
    free(path);
    xmlFreeDoc(doc);
    xmlFreeDoc(back);
    test_dir_remove(dir);
}

static void
test_archives_rotate_and_prune(void **state)
{
    char *dir = test_dir_make("belay-store");
    xmlDoc *doc = NULL;
    char *path = NULL;
    char *expected;

    (void) state;
    for (int epoch = 1; epoch <= 6; epoch++) {
        write_epoch(dir, epoch, 3);
    }
    /* Writes 2..6 archived epochs 1..5 as cib-1..5; the 3 newest are kept. */
    assert_false(exists(dir, "cib-1.xml"));
    assert_false(exists(dir, "cib-2.xml.sig"));
    for (int n = 3; n <= 5; n++) {
        char *name = bl_asprintf("cib-%d.xml", n);
        char *sig = bl_asprintf("cib-%d.xml.sig", n);

        assert_true(exists(dir, name));
        assert_true(exists(dir, sig));
        free(name);
        free(sig);
    }
    assert_int_equal(read_epoch(dir), 6);
    assert_int_equal(bl_cib_store_read_archive(dir, &doc, &path, NULL), 0);
    expected = path_in(dir, "cib-5.xml");
    assert_string_equal(path, expected);
    assert_int_equal(epoch_of(doc), 5);
    free(expected);
    free(path);
    xmlFreeDoc(doc);
    /* KEEP 0: no archives at all. */
    write_epoch(dir, 7, 0);
    assert_false(exists(dir, "cib-5.xml"));
    assert_false(exists(dir, "cib-6.xml"));
    assert_int_equal(read_epoch(dir), 7);
    test_dir_remove(dir);
}

/* Rewrites DIR/NAME through EDIT(data, &len). */
static void
damage(const char *dir, const char *name, void (*edit)(char *data, size_t *len))
{
    char *path = path_in(dir, name);
    char *data = NULL;
    size_t len = 0;
    FILE *file;

    assert_int_equal(bl_file_read(path, &data, &len, NULL), 0);
    edit(data, &len);
    file = fopen(path, "w");
    assert_non_null(file);
    assert_int_equal(fwrite(data, 1, len, file), len);
    fclose(file);
    free(data);
    free(path);
}

static void
truncate_tail(char *data, size_t *len)
{
    (void) data;
    *len -= 20;
}

static void
flip_byte(char *data, size_t *len)
{
    /* In "IPaddr2": still well-formed XML, so only the signature can tell. */
    char *at = strstr(data, "IPaddr2");

    (void) len;
    assert_non_null(at);
    at[2] ^= 0x01;
}

static void
garble_sig(char *data, size_t *len)
{
    (void) len;
    data[10] = 'X';
}

static void
test_truncation_detected(void **state)
{
    char *dir = test_dir_make("belay-store");

    (void) state;
    write_epoch(dir, 1, 5);
    write_epoch(dir, 2, 5);
    damage(dir, "cib.xml", truncate_tail);
    expect_read_error(
        dir, BL_EDIGEST,
        "%s/cib.xml: contents do not match cib.xml.sig (truncated or modified outside Belay); archives: cib-1.xml is intact");
    test_dir_remove(dir);
}

static void
test_flipped_byte_detected(void **state)
{
    char *dir = test_dir_make("belay-store");
    xmlDoc *doc = NULL;
    char *path = NULL;

    (void) state;
    write_epoch(dir, 1, 5);
    write_epoch(dir, 2, 5);
    write_epoch(dir, 3, 5);
    damage(dir, "cib.xml", flip_byte);
    expect_read_error(
        dir, BL_EDIGEST,
        "%s/cib.xml: contents do not match cib.xml.sig (truncated or modified outside Belay); archives: cib-2.xml is intact");
    /* A damaged archive is skipped too: the next older one is used. */
    damage(dir, "cib-2.xml", flip_byte);
    assert_int_equal(bl_cib_store_read_archive(dir, &doc, &path, NULL), 0);
    assert_int_equal(epoch_of(doc), 1);
    assert_non_null(strstr(path, "/cib-1.xml"));
    free(path);
    xmlFreeDoc(doc);
    test_dir_remove(dir);
}

static void
test_missing_or_malformed_sig(void **state)
{
    char *dir = test_dir_make("belay-store");
    char *sig = path_in(dir, "cib.xml.sig");

    (void) state;
    write_epoch(dir, 1, 5);
    damage(dir, "cib.xml.sig", garble_sig);
    expect_read_error(
        dir, BL_EDIGEST,
        "%s/cib.xml: cib.xml.sig is malformed (expected 64 hex digits) (removed or modified outside Belay); archives: none intact");
    assert_int_equal(unlink(sig), 0);
    expect_read_error(
        dir, BL_EDIGEST,
        "%s/cib.xml: no signature file cib.xml.sig (removed or modified outside Belay); archives: none intact");
    free(sig);
    test_dir_remove(dir);
}

static void
test_missing_file_and_dir(void **state)
{
    char *dir = test_dir_make("belay-store");
    char *missing = path_in(dir, "nope");
    xmlDoc *doc = cib_at(1);
    xmlDoc *back = NULL;
    char *path = NULL;
    char *err = NULL;

    (void) state;
    expect_read_error(dir, -ENOENT, "%s/cib.xml: cannot read: No such file or directory");
    assert_int_equal(bl_cib_store_read_archive(dir, &back, &path, &err), -ENOENT);
    assert_null(back);
    assert_null(path);
    assert_non_null(strstr(err, ": no archives"));
    free(err);
    err = NULL;
    assert_int_equal(bl_cib_store_write(missing, doc, 5, &err), -ENOENT);
    assert_non_null(strstr(err, "cannot open the CIB directory"));
    free(err);
    free(missing);
    xmlFreeDoc(doc);
    test_dir_remove(dir);
}

/* Reads and writes in a directory the process may not enter; 0 when both are refused. */
static int
unreadable_dir_status(const char *dir)
{
    xmlDoc *doc = NULL;
    xmlDoc *cib = cib_at(2);
    char *err = NULL;
    int status = 0;

    if (bl_cib_store_read(dir, &doc, &err) != -EACCES || strstr(err, "Permission denied") == NULL) {
        status |= 1;
    }
    free(err);
    err = NULL;
    if (bl_cib_store_write(dir, cib, 5, &err) != -EACCES) {
        status |= 2;
    }
    free(err);
    xmlFreeDoc(cib);
    return status;
}

static void
test_unreadable_dir(void **state)
{
    char *dir = test_dir_make("belay-store");
    int status = 0;

    (void) state;
    write_epoch(dir, 1, 5);
    assert_int_equal(chmod(dir, 0), 0);
    if (geteuid() != 0) {
        status = unreadable_dir_status(dir);
    } else {
        /* root ignores permissions: check as nobody, in a child. */
        pid_t pid = fork();

        assert_true(pid >= 0);
        if (pid == 0) {
            _exit(setuid(65534) == 0 ? unreadable_dir_status(dir) : 8);
        }
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFEXITED(status));
        status = WEXITSTATUS(status);
    }
    assert_int_equal(status, 0);
    assert_int_equal(chmod(dir, 0700), 0);
    assert_int_equal(read_epoch(dir), 1);
    test_dir_remove(dir);
}

/* A write of epoch 3 stopped after STEP, on a store holding epochs 1 and 2. */
static char *
crashed_store(int step)
{
    char *dir = test_dir_make("belay-store");
    xmlDoc *doc = cib_at(3);

    write_epoch(dir, 1, 5);
    write_epoch(dir, 2, 5);
    bl__cib_store_crash_after = step;
    assert_int_equal(bl_cib_store_write(dir, doc, 5, NULL), -EINTR);
    bl__cib_store_crash_after = 0;
    xmlFreeDoc(doc);
    return dir;
}

static void
test_crash_between_steps(void **state)
{
    char *dir;
    xmlDoc *doc = NULL;
    char *path = NULL;

    (void) state;
    /* After archiving: the old version is still current and valid. */
    dir = crashed_store(1);
    assert_int_equal(read_epoch(dir), 2);
    assert_true(exists(dir, "cib-2.xml"));
    test_dir_remove(dir);
    /* After the new signature: refused, named as an interrupted write, archive 2 holds it. */
    dir = crashed_store(2);
    expect_read_error(
        dir, BL_EDIGEST,
        "%s/cib.xml: contents do not match cib.xml.sig (a write was interrupted; the contents are those of archive cib-2.xml); archives: cib-2.xml is intact");
    assert_int_equal(bl_cib_store_read_archive(dir, &doc, &path, NULL), 0);
    assert_int_equal(epoch_of(doc), 2);
    xmlFreeDoc(doc);
    free(path);
    /* The next write recovers: current again, and archives keep counting. */
    write_epoch(dir, 4, 5);
    assert_int_equal(read_epoch(dir), 4);
    assert_true(exists(dir, "cib-3.xml"));
    test_dir_remove(dir);
    /* After the new file: committed. */
    dir = crashed_store(3);
    assert_int_equal(read_epoch(dir), 3);
    test_dir_remove(dir);
}

static void
test_stale_temp_files_removed(void **state)
{
    char *dir = test_dir_make("belay-store");
    char *stale = path_in(dir, "cib.xml.tmp.99999");
    int fd = open(stale, O_WRONLY | O_CREAT, 0600);

    (void) state;
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "<cib", 4), 4);
    close(fd);
    write_epoch(dir, 1, 5);
    assert_false(exists(dir, "cib.xml.tmp.99999"));
    free(stale);
    test_dir_remove(dir);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_archives_rotate_and_prune),
        cmocka_unit_test(test_truncation_detected),
        cmocka_unit_test(test_flipped_byte_detected),
        cmocka_unit_test(test_missing_or_malformed_sig),
        cmocka_unit_test(test_missing_file_and_dir),
        cmocka_unit_test(test_unreadable_dir),
        cmocka_unit_test(test_crash_between_steps),
        cmocka_unit_test(test_stale_temp_files_removed),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
