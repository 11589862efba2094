/*
 * bl-cib-watch: subscribes to belay-based's change notifications and prints one line per
 * change — "diff SOURCE TARGET TIME" for a write, "replaced SOURCE TARGET TIME" for a CIB
 * taken from a peer, TIME in CLOCK_MONOTONIC microseconds (for propagation latency) — until N
 * changes have come or none came for 10 s. Prints "subscribed" first, so that a test knows when to
 * start writing. "resync" is printed for <cib-resync-needed/> (changes were dropped
 * while this subscriber did not read).
 *
 * With STALL_FILE, it reads nothing after subscribing until that file exists (a
 * subscriber that does not keep up), then reads as usual. $BL_WATCH_QUIET_MS replaces
 * the 10 s of quiet after which it stops.
 *
 * usage: bl-cib-watch N [STALL_FILE]
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include <glib.h>

#include <belay/cib.h>

#define QUIET_MS 10000

static void
print_event(const xmlDoc *event)
{
    const xmlNode *root = xmlDocGetRootElement(event);
    const xmlNode *version = bl_xml_first_child(root, "version");
    gint64 now = g_get_monotonic_time();

    if (bl_xml_is(root, "cib-diff") && version != NULL) {
        printf("diff %s %s %" G_GINT64_FORMAT "\n", bl_xml_attr(version, "source"),
               bl_xml_attr(version, "target"), now);
    } else if (bl_xml_is(root, "cib-resync-needed")) {
        printf("resync %" G_GINT64_FORMAT "\n", now);
    } else if (bl_xml_is(root, "cib-replaced")) {
        printf("replaced %s %s %" G_GINT64_FORMAT "\n", bl_xml_attr(root, "source"),
               bl_xml_attr(root, "target"), now);
    } else {
        printf("unknown %s\n", (const char *) root->name);
    }
    fflush(stdout);
}

int
main(int argc, char **argv)
{
    bl_cib_client_t *client = NULL;
    char *err = NULL;
    long n = argc == 2 || argc == 3 ? strtol(argv[1], NULL, 10) : 0;
    const char *stall_file = argc == 3 ? argv[2] : NULL;
    const char *quiet = getenv("BL_WATCH_QUIET_MS");
    int quiet_ms = quiet != NULL ? atoi(quiet) : QUIET_MS;
    int rc;

    if (n <= 0) {
        fprintf(stderr, "usage: bl-cib-watch N [STALL_FILE]\n");
        return 64;
    }
    rc = bl_cib_client_connect(NULL, &client, &err);
    if (rc == 0) {
        rc = bl_cib_client_subscribe(client, &err);
    }
    if (rc == 0) {
        printf("subscribed\n");
        fflush(stdout);
        while (stall_file != NULL && !g_file_test(stall_file, G_FILE_TEST_EXISTS)) {
            g_usleep(50000);
        }
    }
    for (long i = 0; rc == 0 && i < n; i++) {
        xmlDoc *event = NULL;

        rc = bl_cib_client_event(client, quiet_ms, &event, &err);
        if (rc == 0) {
            print_event(event);
        }
        xmlFreeDoc(event);
    }
    if (rc != 0) {
        fprintf(stderr, "bl-cib-watch: %s\n", err != NULL ? err : bl_strerror(rc));
    }
    free(err);
    bl_cib_client_free(client);
    return rc == 0 ? 0 : 1;
}
