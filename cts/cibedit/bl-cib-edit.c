/*
 * bl-cib-edit: edits sent to belay-based through the client library, for live.sh.
 *
 *   edit XML
 *       sends the <cib-edit> XML and prints "rc RC" and the refusal, if any, on one line.
 *   pipeline N WINDOW BAD
 *       submits N edits, WINDOW of them in flight, each setting the property pipe-K to K;
 *       edit number BAD (0-based) instead creates a property set that exists (refused).
 *       Collects every outcome and prints "K RC [refusal]" per write, in collection order.
 *   pipeline-invalid N WINDOW BAD
 *       the same with properties inv-K, and edit number BAD adds an element the schema does
 *       not allow (it applies, but the resulting CIB is invalid: refused by validation).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include <belay/cib.h>

static xmlDoc *
parse(const char *text)
{
    xmlDoc *doc = NULL;
    char *err = NULL;

    if (bl_xml_parse(text, strlen(text), "edit", &doc, &err) != 0) {
        fprintf(stderr, "bl-cib-edit: %s\n", err);
        free(err);
        exit(2);
    }
    return doc;
}

/* "pipeline-invalid": properties inv-K, and the bad edit's result is invalid. */
static bool invalid_mode;

static xmlDoc *
pipeline_edit(long k, long bad)
{
    const char *prefix = invalid_mode ? "inv" : "pipe";
    char *text;

    if (k == bad && invalid_mode) {
        text = bl_strdup("<cib-edit><modify section=\"crm_config\" create=\"true\">"
                         "<cluster_property_set id=\"cib-bootstrap-options\">"
                         "<bogus id=\"inv-bad\"/></cluster_property_set></modify></cib-edit>");
    } else if (k == bad) {
        text = bl_strdup("<cib-edit><create section=\"crm_config\">"
                         "<cluster_property_set id=\"cib-bootstrap-options\"/>"
                         "</create></cib-edit>");
    } else {
        text = bl_asprintf("<cib-edit><modify section=\"crm_config\" create=\"true\">"
                           "<cluster_property_set id=\"cib-bootstrap-options\">"
                           "<nvpair id=\"%s-%ld\" name=\"%s-%ld\" value=\"%ld\"/>"
                           "</cluster_property_set></modify></cib-edit>",
                           prefix, k, prefix, k, k);
    }
    xmlDoc *doc = parse(text);

    free(text);
    return doc;
}

static void
collect(bl_cib_client_t *client, long *next)
{
    char *err = NULL;
    int rc = bl_cib_client_collect(client, -1, &err);

    printf("%ld %d%s%s\n", (*next)++, rc, err != NULL ? " " : "", err != NULL ? err : "");
    free(err);
}

static int
run_pipeline(bl_cib_client_t *client, long n, long window, long bad)
{
    long next = 0;

    for (long k = 0; k < n; k++) {
        xmlDoc *edit = pipeline_edit(k, bad);
        char *err = NULL;
        int rc;

        while (bl_cib_client_in_flight(client) >= (unsigned) window) {
            collect(client, &next);
        }
        rc = bl_cib_client_submit(client, edit, &err);
        xmlFreeDoc(edit);
        if (rc != 0) {
            fprintf(stderr, "bl-cib-edit: submit %ld: %s\n", k, err);
            free(err);
            return 1;
        }
    }
    while (bl_cib_client_in_flight(client) > 0) {
        collect(client, &next);
    }
    return 0;
}

int
main(int argc, char **argv)
{
    bl_cib_client_t *client = NULL;
    char *err = NULL;
    int rc;

    if (!(argc == 3 && strcmp(argv[1], "edit") == 0)
        && !(argc == 5 && strcmp(argv[1], "pipeline") == 0)
        && !(argc == 5 && strcmp(argv[1], "pipeline-invalid") == 0)) {
        fprintf(stderr, "usage: bl-cib-edit edit XML | pipeline[-invalid] N WINDOW BAD\n");
        return 64;
    }
    invalid_mode = strcmp(argv[1], "pipeline-invalid") == 0;
    if (bl_cib_client_connect(NULL, &client, &err) != 0) {
        fprintf(stderr, "bl-cib-edit: %s\n", err);
        free(err);
        return 1;
    }
    if (argc == 3) {
        xmlDoc *edit = parse(argv[2]);

        rc = bl_cib_client_edit(client, edit, &err);
        printf("rc %d%s%s\n", rc, err != NULL ? " " : "", err != NULL ? err : "");
        free(err);
        xmlFreeDoc(edit);
        rc = 0;
    } else {
        rc = run_pipeline(client, strtol(argv[2], NULL, 10), strtol(argv[3], NULL, 10),
                          strtol(argv[4], NULL, 10));
    }
    bl_cib_client_free(client);
    return rc;
}
