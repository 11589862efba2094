/* Prints how long applying a script of N primitives (default 10,000) and showing it takes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <belay/cib.h>
#include <belay/crm.h>

static double
now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 10000;
    GString *script = g_string_new(NULL);
    xmlDoc *doc = bl_cib_new_empty();
    char *err = NULL;
    char *shown;
    double t0, t1, t2;
    int rc;

    for (int i = 0; i < n; i++) {
        g_string_append_printf(
            script,
            "primitive p%d ocf:heartbeat:IPaddr2 params ip=10.0.%d.%d cidr_netmask=24 meta target-role=Started op monitor interval=30s timeout=20s\n",
            i, i / 256, i % 256);
        if (i % 10 == 9) {
            g_string_append_printf(script, "location l%d p%d 100: node1\n", i, i);
        }
    }
    t0 = now();
    rc = bl_crm_configure_script(doc, script->str, "bench", NULL, &err);
    t1 = now();
    shown = bl_crm_show(doc, NULL, &err);
    t2 = now();
    /* what one `belay configure primitive …` costs on that CIB: copy + index per call */
    double t3 = now();

    for (int i = 0; rc == 0 && i < 100; i++) {
        char id[32];
        char *const words[] = {"primitive", id, "Dummy", NULL};

        snprintf(id, sizeof(id), "extra%d", i);
        rc = bl_crm_configure(doc, 3, words, NULL, &err);
    }
    double t4 = now();

    printf("one more primitive with bl_crm_configure: %.2f ms each\n", (t4 - t3) * 1000 / 100);
    printf("%d primitives (+%d locations): apply %.3f s, show %.3f s (%zu bytes), rc=%d%s%s\n", n,
           n / 10, t1 - t0, t2 - t1, shown ? strlen(shown) : 0, rc, err ? " " : "", err ? err : "");
    free(shown);
    free(err);
    xmlFreeDoc(doc);
    g_string_free(script, TRUE);
    return rc == 0 ? 0 : 1;
}
