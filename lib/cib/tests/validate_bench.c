/*
 * Prints how long validation takes on a generated CIB of N primitives (default
 * 10,000), each with attributes and two operations, and three constraints per
 * primitive. A figure for the record, not a test: `lib/cib/tests/validate_bench [N]`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <glib.h>

#include <belay/cib.h>

static char *
generate(int primitives)
{
    GString *text = g_string_new("<cib epoch=\"1\" num_updates=\"0\" admin_epoch=\"0\">"
                                 "<configuration><crm_config/><nodes>"
                                 "<node id=\"1\" uname=\"node1\"/><node id=\"2\" uname=\"node2\"/>"
                                 "</nodes><resources>\n");

    for (int i = 0; i < primitives; i++) {
        g_string_append_printf(
            text,
            "<primitive id=\"r%d\" class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\">"
            "<instance_attributes id=\"r%d-ia\"><nvpair id=\"r%d-ia-x\" name=\"x\" value=\"%d\"/>"
            "</instance_attributes><operations>"
            "<op id=\"r%d-monitor\" name=\"monitor\" interval=\"10s\" timeout=\"20s\"/>"
            "<op id=\"r%d-start\" name=\"start\" interval=\"0\" timeout=\"20s\"/>"
            "</operations></primitive>\n",
            i, i, i, i, i, i);
    }
    g_string_append(text, "</resources><constraints>\n");
    for (int i = 1; i < primitives; i++) {
        g_string_append_printf(
            text,
            "<rsc_colocation id=\"c%d\" rsc=\"r%d\" with-rsc=\"r%d\" score=\"100\"/>"
            "<rsc_order id=\"o%d\" first=\"r%d\" then=\"r%d\" kind=\"Optional\"/>"
            "<rsc_location id=\"l%d\" rsc=\"r%d\" node=\"node%d\" score=\"INFINITY\"/>\n",
            i, i, i - 1, i, i - 1, i, i, i, 1 + i % 2);
    }
    g_string_append(text, "</constraints></configuration><status/></cib>\n");
    return g_string_free(text, FALSE);
}

static double
milliseconds_since(const struct timespec *start)
{
    struct timespec now;

    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double) (now.tv_sec - start->tv_sec) * 1e3
           + (double) (now.tv_nsec - start->tv_nsec) / 1e6;
}

int
main(int argc, char **argv)
{
    int primitives = argc > 1 ? atoi(argv[1]) : 10000;
    char *text = generate(primitives);
    struct timespec start;
    xmlDoc *doc = NULL;
    char *err = NULL;
    double parse_ms, schema_ms;
    int rc;

    clock_gettime(CLOCK_MONOTONIC, &start);
    rc = bl_cib_parse(text, strlen(text), "bench.xml", &doc, &err);
    parse_ms = milliseconds_since(&start);
    if (rc == 0) {
        /* The first call compiles the schema: time it apart. */
        clock_gettime(CLOCK_MONOTONIC, &start);
        rc = bl_cib_validate_schema(doc, &err);
        printf("schema compile + first validation: %.1f ms\n", milliseconds_since(&start));
        clock_gettime(CLOCK_MONOTONIC, &start);
        rc = rc != 0 ? rc : bl_cib_validate_schema(doc, &err);
        schema_ms = milliseconds_since(&start);
        clock_gettime(CLOCK_MONOTONIC, &start);
        rc = rc != 0 ? rc : bl_cib_validate_semantics(doc, &err);
        printf(
            "%d primitives, %d constraints, %zu bytes: parse %.1f ms, schema %.1f ms, semantics %.1f ms\n",
            primitives, 3 * (primitives - 1), strlen(text), parse_ms, schema_ms,
            milliseconds_since(&start));
    }
    if (rc != 0) {
        fprintf(stderr, "validate_bench: %s\n", err);
    }
    free(err);
    free(text);
    xmlFreeDoc(doc);
    return rc == 0 ? 0 : 1;
}
