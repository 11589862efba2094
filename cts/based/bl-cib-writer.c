/*
 * bl-cib-writer: issues N configuration writes to the local belay-based, one at a time,
 * through the client API as `belay` does (fetch, edit, diff, send). Prints one line
 * "acked ID SENT ACKED" per acknowledged write (CLOCK_MONOTONIC microseconds) (a test checks every
 * one survives) and, last, a
 * "# N writes acknowledged in S s: W/s" comment. Stops at the first write that fails
 * for good (after retries of lost races).
 *
 * With BL_WRITER_PAD=BYTES each write also sets a description of about BYTES bytes on
 * primitive PREFIX-pad, so that every diff is that large while the CIB stays small (to
 * fill a subscriber's buffer quickly).
 *
 * bl-cib-writer --replace FILE replaces the whole CIB with FILE's, its version set just
 * above the daemon's, and prints "replaced VERSION".
 *
 * usage: bl-cib-writer N PREFIX | --replace FILE
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include <belay/cib.h>

/* A write that loses a race or meets a membership change is tried again, this often. */
#define MAX_TRIES 50

static xmlNode *
add_primitive(xmlDoc *doc, const char *id)
{
    xmlNode *primitive = bl_xml_add_child(bl_cib_section(doc, "resources"), "primitive");

    bl_xml_set_attr(primitive, "id", id);
    bl_xml_set_attr(primitive, "class", "ocf");
    bl_xml_set_attr(primitive, "provider", "heartbeat");
    bl_xml_set_attr(primitive, "type", "Dummy");
    return primitive;
}

/* BL_WRITER_PAD: a description of that many bytes, different on every write (ID). */
static void
pad(xmlDoc *doc, const char *id)
{
    const char *text = getenv("BL_WRITER_PAD");
    long bytes = text != NULL ? strtol(text, NULL, 10) : 0;
    char *pad_id;
    char *description;
    xmlNode *padded;

    if (bytes <= 0) {
        return;
    }
    pad_id = bl_asprintf("%.*s-pad", (int) (strrchr(id, '-') - id), id);
    padded = bl_xml_find_id(xmlDocGetRootElement(doc), pad_id);
    if (padded == NULL) {
        padded = add_primitive(doc, pad_id);
    }
    description = bl_malloc((size_t) bytes + strlen(id) + 1);
    memset(description, 'x', (size_t) bytes);
    strcpy(description + bytes, id);
    bl_xml_set_attr(padded, "description", description);
    free(description);
    free(pad_id);
}

/* The CIB as fetched plus primitive ID, version bumped. */
static xmlDoc *
with_primitive(const xmlDoc *base, const char *id)
{
    xmlDoc *doc = xmlCopyDoc((xmlDoc *) base, 1);

    add_primitive(doc, id);
    pad(doc, id);
    bl_cib_version_bump(doc, true);
    return doc;
}

/* --replace FILE: FILE's CIB with a version just above the daemon's. */
static int
replace(bl_cib_client_t *client, const char *path)
{
    bl_cib_version_t current;
    char digest[BL_DIGEST_HEXLEN + 1];
    xmlDoc *doc = NULL;
    char *err = NULL;
    char *text = NULL;
    int rc = bl_cib_load(path, &doc, &err);

    if (rc == 0) {
        rc = bl_cib_client_version(client, &current, digest, &err);
    }
    if (rc == 0) {
        current.epoch++;
        current.num_updates = 0;
        bl_cib_version_set(doc, &current);
        rc = bl_cib_client_replace(client, doc, &err);
    }
    if (rc == 0) {
        text = bl_cib_version_format(&current);
        printf("replaced %s\n", text);
    } else {
        fprintf(stderr, "bl-cib-writer: %s: %s\n", path, err != NULL ? err : bl_strerror(rc));
    }
    free(text);
    free(err);
    xmlFreeDoc(doc);
    return rc;
}

static int
write_once(bl_cib_client_t *client, const char *id, char **err)
{
    xmlDoc *base = NULL;
    xmlDoc *next = NULL;
    xmlDoc *diff = NULL;
    int rc = bl_cib_client_query(client, NULL, &base, err);

    if (rc == 0) {
        next = with_primitive(base, id);
        rc = bl_cib_diff(base, next, &diff, err);
    }
    if (rc == 0) {
        rc = bl_cib_client_patch(client, diff, err);
    }
    xmlFreeDoc(diff);
    xmlFreeDoc(next);
    xmlFreeDoc(base);
    return rc;
}

static int
write_one(bl_cib_client_t *client, const char *id)
{
    char *err = NULL;
    int rc = BL_EVERSION;

    for (int tries = 0; tries < MAX_TRIES && (rc == BL_EVERSION || rc == -EAGAIN); tries++) {
        bl_free(&err);
        rc = write_once(client, id, &err);
        if (rc == -EAGAIN) {
            g_usleep(20000);
        } else if (rc == BL_EVERSION) {
            /* as the CLI does: a random pause that grows, so colliding writers drift apart */
            g_usleep((gulong) g_random_int_range(0, 1000 << MIN(tries, 5)));
        }
    }
    if (rc != 0) {
        fprintf(stderr, "bl-cib-writer: %s: %s\n", id, err != NULL ? err : bl_strerror(rc));
    }
    free(err);
    return rc;
}

int
main(int argc, char **argv)
{
    bl_cib_client_t *client = NULL;
    char *err = NULL;
    long n = argc == 3 ? strtol(argv[1], NULL, 10) : 0;
    long acked = 0;
    gint64 start;
    double seconds;

    bool replacing = argc == 3 && strcmp(argv[1], "--replace") == 0;

    if (n <= 0 && !replacing) {
        fprintf(stderr, "usage: bl-cib-writer N PREFIX | --replace FILE\n");
        return 64;
    }
    if (bl_cib_client_connect(NULL, &client, &err) != 0) {
        fprintf(stderr, "bl-cib-writer: %s\n", err);
        free(err);
        return 1;
    }
    if (replacing) {
        int rc = replace(client, argv[2]);

        bl_cib_client_free(client);
        return rc == 0 ? 0 : 1;
    }
    start = g_get_monotonic_time();
    for (long i = 0; i < n; i++) {
        char *id = bl_asprintf("%s-%ld", argv[2], i);

        gint64 sent = g_get_monotonic_time();
        int rc = write_one(client, id);

        free(id);
        if (rc != 0) {
            break; /* the daemon refused for good or is gone: stop, acked so far is logged */
        }
        printf("acked %s-%ld %" G_GINT64_FORMAT " %" G_GINT64_FORMAT "\n", argv[2], i, sent,
               g_get_monotonic_time());
        fflush(stdout);
        acked++;
    }
    seconds = (double) (g_get_monotonic_time() - start) / 1e6;
    printf("# %ld writes acknowledged in %.2f s: %.0f/s\n", acked, seconds, acked / seconds);
    bl_cib_client_free(client);
    return acked == n ? 0 : 1;
}
