/* bl-gen-cib: seeded generator of scheduler benchmark CIBs (see README.md).
 *
 * The output is a pure function of the options: the pseudo-random generator is our own
 * splitmix64, so a seed gives the same CIB on every platform and libc.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "belay/common.h"

/* Ids are generated (r<N>, g<N>, node<N>), so they never need XML escaping. */
#define ID_MAX 32

/* A top-level resource: a primitive outside any group, or a group of 2-4 primitives. */
struct top {
    int first; /* index of its first primitive */
    int count; /* primitives in it (1 for a lone primitive) */
    bool group;
    int group_no;
};

struct gen {
    uint64_t rng;
    int nodes;
    int prims;
    bool running;
    struct top *tops;
    int ntops;
    bool *stopped; /* per primitive: target-role=Stopped */
    int set_size;  /* members of the one colocation set (0: none) */
    const char *set_score;
};

static uint64_t
rng_next(struct gen *g)
{
    uint64_t z = (g->rng += UINT64_C(0x9e3779b97f4a7c15));

    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

/* Uniform in [0, n); the modulo bias is irrelevant for n this small. */
static int
rng_below(struct gen *g, int n)
{
    return (int) (rng_next(g) % (uint64_t) n);
}

static bool
rng_chance(struct gen *g, int percent)
{
    return rng_below(g, 1000) < percent * 10;
}

static void
top_id(const struct top *t, char buf[ID_MAX])
{
    if (t->group) {
        snprintf(buf, ID_MAX, "g%d", t->group_no);
    } else {
        snprintf(buf, ID_MAX, "r%d", t->first);
    }
}

/* About 30% of the primitives end up in groups: a group (mean size 3) starts at a given
 * primitive with probability 1/8, since 3p / (3p + 1 - p) = 0.3 for p = 0.125. */
static void
build_tops(struct gen *g)
{
    int i = 0;
    int groups = 0;

    g->tops = bl_calloc((size_t) g->prims + 1, sizeof(*g->tops));
    g->stopped = bl_calloc((size_t) g->prims + 1, sizeof(*g->stopped));
    while (i < g->prims) {
        struct top *t = &g->tops[g->ntops++];
        int left = g->prims - i;

        t->first = i;
        t->count = 1;
        if (left >= 2 && rng_below(g, 8) == 0) {
            t->count = 2 + rng_below(g, 3);
            t->count = t->count > left ? left : t->count;
            t->group = true;
            t->group_no = groups++;
        }
        i += t->count;
    }
    for (i = 0; i < g->prims; i++) {
        g->stopped[i] = rng_chance(g, 5);
    }
}

static void
print_primitive(const struct gen *g, int r, const char *indent)
{
    printf("%s<primitive id=\"r%d\" class=\"ocf\" provider=\"pacemaker\" type=\"Dummy\">\n", indent,
           r);
    if (g->stopped[r]) {
        printf("%s  <meta_attributes id=\"r%d-meta\">\n", indent, r);
        printf(
            "%s    <nvpair id=\"r%d-meta-target-role\" name=\"target-role\" value=\"Stopped\"/>\n",
            indent, r);
        printf("%s  </meta_attributes>\n", indent);
    }
    printf("%s  <operations>\n", indent);
    printf("%s    <op id=\"r%d-monitor-10s\" name=\"monitor\" interval=\"10s\"/>\n", indent, r);
    printf("%s  </operations>\n", indent);
    printf("%s</primitive>\n", indent);
}

static void
print_resources(const struct gen *g)
{
    printf("    <resources>\n");
    for (int i = 0; i < g->ntops; i++) {
        const struct top *t = &g->tops[i];

        if (!t->group) {
            print_primitive(g, t->first, "      ");
            continue;
        }
        printf("      <group id=\"g%d\">\n", t->group_no);
        for (int r = t->first; r < t->first + t->count; r++) {
            print_primitive(g, r, "        ");
        }
        printf("      </group>\n");
    }
    printf("    </resources>\n");
}

static void
print_locations(struct gen *g)
{
    static const char *const scores[] = {"100", "200", "500", "-500", "INFINITY", "-INFINITY"};
    char id[ID_MAX];

    for (int c = 0; c < g->prims / 10; c++) {
        top_id(&g->tops[rng_below(g, g->ntops)], id);
        printf("      <rsc_location id=\"loc%d\" rsc=\"%s\" node=\"node%d\" score=\"%s\"/>\n", c,
               id, 1 + rng_below(g, g->nodes), scores[rng_below(g, 6)]);
    }
}

/* Two distinct top-level resources, a before b in definition order. Colocations always
 * point from the later to the earlier one and orders from the earlier to the later, so
 * neither can form a cycle (a mandatory colocation cycle would make its members
 * unplaceable, an order cycle would make the graph loop). */
static bool
pick_pair(struct gen *g, char a[ID_MAX], char b[ID_MAX])
{
    int x;
    int y;

    if (g->ntops < 2) {
        return false;
    }
    x = rng_below(g, g->ntops);
    do {
        y = rng_below(g, g->ntops);
    } while (y == x);
    top_id(&g->tops[x < y ? x : y], a);
    top_id(&g->tops[x < y ? y : x], b);
    return true;
}

static void
print_colocations_orders(struct gen *g)
{
    static const char *const scores[] = {"INFINITY", "500", "-500", "-INFINITY"};
    static const char *const kinds[] = {"Mandatory", "Optional"};
    char a[ID_MAX];
    char b[ID_MAX];

    for (int c = 0; c < g->prims / 20 && pick_pair(g, a, b); c++) {
        printf("      <rsc_colocation id=\"col%d\" rsc=\"%s\" with-rsc=\"%s\" score=\"%s\"/>\n", c,
               b, a, scores[rng_below(g, 4)]);
    }
    for (int c = 0; c < g->prims / 20 && pick_pair(g, a, b); c++) {
        printf("      <rsc_order id=\"ord%d\" first=\"%s\" then=\"%s\" kind=\"%s\"/>\n", c, a, b,
               kinds[rng_below(g, 2)]);
    }
}

/*
 * One rsc_colocation with a sequential resource_set of SET_SIZE distinct primitives outside
 * groups, in definition order (each placed with the one listed before it), so that the
 * chain points the same way as the other colocations and cannot close a cycle. Groups are
 * left out because a group in a set starts a new chain for colocation merging (its
 * colocations move to its members only when it is assigned): the set is one long chain,
 * the case whose merging cost grows with the square of its length. The members are every
 * (lone primitives / set_size)-th lone primitive from a random start.
 */
static void
print_colocation_set(struct gen *g)
{
    int *lone = bl_calloc((size_t) g->ntops + 1, sizeof(*lone));
    int n_lone = 0;
    int size;
    int stride;
    int start;

    for (int i = 0; i < g->ntops; i++) {
        if (!g->tops[i].group) {
            lone[n_lone++] = g->tops[i].first;
        }
    }
    size = g->set_size < n_lone ? g->set_size : n_lone;
    if (size >= 2) {
        /* drawn from a copy of the generator: the rest of the CIB is the same with a set */
        struct gen draw = *g;

        stride = n_lone / size;
        start = rng_below(&draw, n_lone - (size - 1) * stride);
        printf("      <rsc_colocation id=\"colset\" score=\"%s\">\n", g->set_score);
        printf("        <resource_set id=\"colset-0\">\n");
        for (int i = 0; i < size; i++) {
            printf("          <resource_ref id=\"r%d\"/>\n", lone[start + i * stride]);
        }
        printf("        </resource_set>\n");
        printf("      </rsc_colocation>\n");
    }
    bl_free(&lone);
}

static void
print_configuration(struct gen *g)
{
    printf("  <configuration>\n");
    printf("    <crm_config>\n");
    printf("      <cluster_property_set id=\"cib-bootstrap-options\">\n");
    /* No fencing device exists: with fencing on, nothing would be started. */
    printf(
        "        <nvpair id=\"opt-stonith-enabled\" name=\"stonith-enabled\" value=\"false\"/>\n");
    printf("      </cluster_property_set>\n");
    printf("    </crm_config>\n");
    printf("    <nodes>\n");
    for (int n = 1; n <= g->nodes; n++) {
        printf("      <node id=\"%d\" uname=\"node%d\"/>\n", n, n);
    }
    printf("    </nodes>\n");
    print_resources(g);
    printf("    <constraints>\n");
    print_locations(g);
    print_colocations_orders(g);
    print_colocation_set(g);
    printf("    </constraints>\n");
    printf("    <rsc_defaults>\n");
    printf("      <meta_attributes id=\"rsc-options\">\n");
    printf(
        "        <nvpair id=\"rsc-options-stickiness\" name=\"resource-stickiness\" value=\"100\"/>\n");
    printf(
        "        <nvpair id=\"rsc-options-migration-threshold\" name=\"migration-threshold\" value=\"3\"/>\n");
    printf("      </meta_attributes>\n");
    printf("    </rsc_defaults>\n");
    printf("  </configuration>\n");
}

#define UUID "6e8ec47a-0c1b-4c5e-9d8a-3a1f5ba5a2f7"
/* What crm_simulate 2.1.5 computes for a Dummy without parameters: a matching digest keeps
 * it from scheduling a restart of every running resource. */
#define DIGEST "f2317cad3d54cec5d7d7aa7d0bf35cf8"

/* One successful start, with the attributes Pacemaker's status unpacking reads. */
static void
print_start_op(int r, int call_id)
{
    printf(
        "          <lrm_resource id=\"r%d\" class=\"ocf\" provider=\"pacemaker\" type=\"Dummy\">\n",
        r);
    printf(
        "            <lrm_rsc_op id=\"r%d_last_0\" operation_key=\"r%d_start_0\" operation=\"start\""
        " crm-debug-origin=\"do_update_resource\" crm_feature_set=\"3.16.1\""
        " transition-key=\"%d:1:0:" UUID "\" transition-magic=\"0:0;%d:1:0:" UUID "\""
        " call-id=\"%d\" rc-code=\"0\" op-status=\"0\" interval=\"0\" op-digest=\"" DIGEST "\""
        " last-rc-change=\"1700000000\" exec-time=\"10\" queue-time=\"0\"/>\n",
        r, r, r + 1, r + 1, call_id);
    printf("          </lrm_resource>\n");
}

/* Every node online; when running, each primitive started on a random node. */
static void
print_status(struct gen *g)
{
    int *where = bl_calloc((size_t) g->prims + 1, sizeof(*where));

    for (int r = 0; r < g->prims; r++) {
        where[r] = g->running ? 1 + rng_below(g, g->nodes) : 0;
    }
    printf("  <status>\n");
    for (int n = 1; n <= g->nodes; n++) {
        int call_id = 1;

        printf("    <node_state id=\"%d\" uname=\"node%d\" in_ccm=\"true\" crmd=\"online\""
               " crm-debug-origin=\"do_update_resource\" join=\"member\" expected=\"member\">\n",
               n, n);
        printf("      <lrm id=\"%d\">\n        <lrm_resources>\n", n);
        for (int r = 0; r < g->prims; r++) {
            if (where[r] == n) {
                print_start_op(r, call_id++);
            }
        }
        printf("        </lrm_resources>\n      </lrm>\n    </node_state>\n");
    }
    printf("  </status>\n");
    bl_free(&where);
}

static void
usage(FILE *out)
{
    fprintf(out,
            "Usage: bl-gen-cib [--seed S] [--nodes N] [--resources M] [--state stopped|running]\n"
            "                  [--set-size K] [--set-score SCORE]\n");
    fprintf(
        out,
        "Print a benchmark CIB: M ocf:pacemaker:Dummy primitives (default 100) on N nodes (default 16).\n");
    fprintf(
        out,
        "--set-size K adds a colocation set of K top-level resources (score SCORE, default INFINITY).\n");
}

static bool
parse_count(const char *text, long max, long *out)
{
    char *end = NULL;

    errno = 0;
    *out = strtol(text, &end, 10);
    return errno == 0 && end != text && *end == '\0' && *out >= 0 && *out <= max;
}

/* --set-size and --set-score (C is the option's short letter). Returns 0 or 2. */
static int
set_option(int c, const char *arg, struct gen *g)
{
    long value = 0;

    if (c == 'k') {
        if (!parse_count(arg, 10000000, &value)) {
            fprintf(stderr, "bl-gen-cib: --set-size '%s' is not an integer from 0 to 10000000\n",
                    arg);
            return 2;
        }
        g->set_size = (int) value;
        return 0;
    }
    if (!bl_score_valid(arg)) {
        fprintf(stderr,
                "bl-gen-cib: --set-score '%s' is not a score (an integer, INFINITY or -INFINITY)\n",
                arg);
        return 2;
    }
    g->set_score = arg;
    return 0;
}

static int
parse_args(int argc, char **argv, struct gen *g)
{
    static const struct option opts[] = {
        {"seed", required_argument, NULL, 's'},
        {"nodes", required_argument, NULL, 'n'},
        {"resources", required_argument, NULL, 'r'},
        {"state", required_argument, NULL, 't'},
        {"set-size", required_argument, NULL, 'k'},
        {"set-score", required_argument, NULL, 'c'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    long value = 0;
    int c;

    while ((c = getopt_long(argc, argv, "s:n:r:t:k:c:h", opts, NULL)) != -1) {
        switch (c) {
        case 's':
            if (!parse_count(optarg, LONG_MAX, &value)) {
                fprintf(stderr, "bl-gen-cib: --seed '%s' is not a non-negative integer\n", optarg);
                return 2;
            }
            g->rng = (uint64_t) value;
            break;
        case 'n':
            if (!parse_count(optarg, 1000, &value) || value < 1) {
                fprintf(stderr, "bl-gen-cib: --nodes '%s' is not an integer from 1 to 1000\n",
                        optarg);
                return 2;
            }
            g->nodes = (int) value;
            break;
        case 'r':
            if (!parse_count(optarg, 10000000, &value)) {
                fprintf(stderr,
                        "bl-gen-cib: --resources '%s' is not an integer from 0 to 10000000\n",
                        optarg);
                return 2;
            }
            g->prims = (int) value;
            break;
        case 't':
            if (strcmp(optarg, "running") != 0 && strcmp(optarg, "stopped") != 0) {
                fprintf(stderr, "bl-gen-cib: --state '%s' is neither 'stopped' nor 'running'\n",
                        optarg);
                return 2;
            }
            g->running = strcmp(optarg, "running") == 0;
            break;
        case 'k':
        case 'c':
            if (set_option(c, optarg, g) != 0) {
                return 2;
            }
            break;
        case 'h':
            usage(stdout);
            exit(0);
        default:
            usage(stderr);
            return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "bl-gen-cib: unexpected argument '%s'\n", argv[optind]);
        return 2;
    }
    return 0;
}

int
main(int argc, char **argv)
{
    struct gen g = {.rng = 1, .nodes = 16, .prims = 100, .set_score = "INFINITY"};
    int rc = parse_args(argc, argv, &g);

    if (rc != 0) {
        return rc;
    }
    build_tops(&g);
    printf("<cib crm_feature_set=\"3.16.1\" validate-with=\"pacemaker-3.9\" admin_epoch=\"0\""
           " epoch=\"1\" num_updates=\"0\" have-quorum=\"1\" dc-uuid=\"1\">\n");
    print_configuration(&g);
    print_status(&g);
    printf("</cib>\n");
    bl_free(&g.tops);
    bl_free(&g.stopped);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        perror("bl-gen-cib: writing the CIB");
        return 1;
    }
    return 0;
}
