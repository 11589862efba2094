/*
 * bl-cib-writer: issues N configuration writes to the local belay-based, one at a time,
 * through the client API as `belay` does (fetch, edit, diff, send). Prints one line
 * "acked ID SENT ACKED" per acknowledged write (CLOCK_MONOTONIC microseconds) (a test checks every
 * one survives) and, last, a
 * "# N writes acknowledged in S s: W/s" comment. Stops at the first write that fails
 * for good (after retries of lost races).
 *
 * usage: bl-cib-writer N PREFIX
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include <belay/cib.h>

/* A write that loses a race or meets a membership change is tried again, this often. */
#define MAX_TRIES 50

/* The CIB as fetched plus primitive ID, version bumped. */
static xmlDoc *
with_primitive(const xmlDoc *base, const char *id)
{
    xmlDoc *doc = xmlCopyDoc((xmlDoc *) base, 1);
    xmlNode *primitive = bl_xml_add_child(bl_cib_section(doc, "resources"), "primitive");

    bl_xml_set_attr(primitive, "id", id);
    bl_xml_set_attr(primitive, "class", "ocf");
    bl_xml_set_attr(primitive, "provider", "heartbeat");
    bl_xml_set_attr(primitive, "type", "Dummy");
    bl_cib_version_bump(doc, true);
    return doc;
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

    if (n <= 0) {
        fprintf(stderr, "usage: bl-cib-writer N PREFIX\n");
        return 64;
    }
    if (bl_cib_client_connect(NULL, &client, &err) != 0) {
        fprintf(stderr, "bl-cib-writer: %s\n", err);
        free(err);
        return 1;
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
