/*
 * The CIB replica of belay-based: what a write must pass before it is multicast, and
 * applying delivered diffs in order, each persisted before it is acknowledged.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include <belay/cib.h>

struct bl_cib_replica {
    char *dir;
    unsigned keep;
    xmlDoc *doc;
};

/* The damaged-file fallback: refuse cib.xml, take the newest intact archive. */
static int
open_archive(const char *dir, const char *why, xmlDoc **doc, char **note, char **err)
{
    char *path = NULL;
    char *archive_err = NULL;
    int rc = bl_cib_store_read_archive(dir, doc, &path, &archive_err);

    if (rc == 0) {
        *note = bl_asprintf("%s; loaded the archive %s instead", why, path);
    } else {
        bl_err_set(err, "%s, and no intact archive remains", why);
    }
    free(path);
    free(archive_err);
    return rc;
}

int
bl_cib_replica_open(const char *dir, unsigned keep, bl_cib_replica_t **replica, char **note,
                    char **err)
{
    xmlDoc *doc = NULL;
    char *read_err = NULL;
    int rc = bl_cib_store_read(dir, &doc, &read_err);

    if (rc == 0) {
        *note = bl_asprintf("loaded %s/cib.xml", dir);
    } else if (rc == -ENOENT) {
        char *why = bl_asprintf("%s/cib.xml does not exist", dir);

        rc = open_archive(dir, why, &doc, note, err);
        free(why);
        if (rc == -ENOENT) {
            bl_free(err);
            doc = bl_cib_new_empty();
            *note = bl_asprintf("no CIB in %s; starting with an empty one", dir);
            rc = 0;
        }
    } else {
        char *why = bl_asprintf("refused the damaged %s", read_err);

        rc = open_archive(dir, why, &doc, note, err);
        free(why);
    }
    free(read_err);
    if (rc != 0) {
        return rc;
    }
    *replica = g_new0(bl_cib_replica_t, 1);
    (*replica)->dir = bl_strdup(dir);
    (*replica)->keep = keep;
    (*replica)->doc = doc;
    return 0;
}

void
bl_cib_replica_free(bl_cib_replica_t *replica)
{
    if (replica == NULL) {
        return;
    }
    xmlFreeDoc(replica->doc);
    free(replica->dir);
    g_free(replica);
}

const xmlDoc *
bl_cib_replica_doc(const bl_cib_replica_t *replica)
{
    return replica->doc;
}

/* The document the write produces, in *next; the replica's CIB is not touched. */
static int
build_next(const bl_cib_replica_t *replica, const xmlDoc *payload, bool replace, xmlDoc **next,
           char **err)
{
    int rc;

    if (replace) {
        *next = xmlCopyDoc((xmlDoc *) payload, 1);
        return 0;
    }
    *next = xmlCopyDoc(replica->doc, 1);
    rc = bl_cib_patch(*next, payload, err);
    if (rc != 0) {
        xmlFreeDoc(*next);
        *next = NULL;
    }
    return rc;
}

/* A write must raise the version, so that every copy can tell old from new. */
static int
check_newer(const xmlDoc *old_doc, const xmlDoc *next, char **err)
{
    bl_cib_version_t old_version;
    bl_cib_version_t new_version;
    char *old_text;
    char *new_text;
    int rc = bl_cib_version_get(old_doc, &old_version, err);

    if (rc == 0) {
        rc = bl_cib_version_get(next, &new_version, err);
    }
    if (rc != 0 || bl_cib_version_compare(&new_version, &old_version) > 0) {
        return rc;
    }
    old_text = bl_cib_version_format(&old_version);
    new_text = bl_cib_version_format(&new_version);
    bl_err_set(err, "the new CIB's version %s is not newer than the current %s", new_text,
               old_text);
    free(old_text);
    free(new_text);
    return BL_EVERSION;
}

static bool
configuration_changed(const xmlDoc *a, const xmlDoc *b)
{
    char digest_a[BL_DIGEST_HEXLEN + 1];
    char digest_b[BL_DIGEST_HEXLEN + 1];

    bl_cib_digest(a, digest_a);
    bl_cib_digest(b, digest_b);
    return strcmp(digest_a, digest_b) != 0;
}

int
bl_cib_replica_prepare(const bl_cib_replica_t *replica, const xmlDoc *payload, bool replace,
                       bool quorate, xmlDoc **diff, bool *configuration, char **err)
{
    xmlDoc *next = NULL;
    int rc = build_next(replica, payload, replace, &next, err);

    if (rc == 0) {
        rc = check_newer(replica->doc, next, err);
    }
    if (rc == 0) {
        rc = bl_cib_validate(next, err);
        if (rc != 0) {
            bl_err_prefix(err, "the resulting CIB is invalid, nothing was written");
        }
    }
    if (rc == 0) {
        *configuration = configuration_changed(replica->doc, next);
        if (*configuration && !quorate) {
            bl_err_set(err, "configuration changes are refused while this partition has no quorum");
            rc = -EPERM;
        }
    }
    /* A client's diff is known to apply and give NEXT: pass it on as it is. */
    if (rc == 0 && !replace) {
        *diff = xmlCopyDoc((xmlDoc *) payload, 1);
    } else if (rc == 0) {
        rc = bl_cib_diff(replica->doc, next, diff, err);
    }
    xmlFreeDoc(next);
    return rc;
}

int
bl_cib_replica_apply(bl_cib_replica_t *replica, const xmlDoc *diff, char **err)
{
    int rc = bl_cib_patch(replica->doc, diff, err);

    if (rc != 0) {
        return rc;
    }
    return bl_cib_store_write(replica->dir, replica->doc, replica->keep, err);
}

int
bl_cib_replica_take(bl_cib_replica_t *replica, const xmlDoc *doc, char **err)
{
    xmlFreeDoc(replica->doc);
    replica->doc = xmlCopyDoc((xmlDoc *) doc, 1);
    return bl_cib_store_write(replica->dir, replica->doc, replica->keep, err);
}
