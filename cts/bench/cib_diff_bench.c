/*
 * Benchmark: diff, patch and store on a CIB of N primitives (default 10,000).
 * Prints figures; asserts nothing about time. Build without sanitizers to measure:
 *     cts/bench/cib_diff_bench [PRIMITIVES] [STATE_DIR]
 * Each figure is the best of RUNS; diff and patch are CPU time, the store wall time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <glib.h>

#include <belay/cib.h>

#define RUNS 5

/* CPU time for computations (steadier on a busy machine), wall time for the store. */
static double
clock_ms(clockid_t clock)
{
    struct timespec ts;

    clock_gettime(clock, &ts);
    return (double) ts.tv_sec * 1e3 + (double) ts.tv_nsec / 1e6;
}

static double
now_ms(void)
{
    return clock_ms(CLOCK_PROCESS_CPUTIME_ID);
}

static double
wall_ms(void)
{
    return clock_ms(CLOCK_MONOTONIC);
}

static void
add_nvpair(xmlNode *parent, const char *id, const char *name, const char *value)
{
    xmlNode *nvpair = bl_xml_add_child(parent, "nvpair");

    bl_xml_set_attr(nvpair, "id", id);
    bl_xml_set_attr(nvpair, "name", name);
    bl_xml_set_attr(nvpair, "value", value);
}

static void
add_op(xmlNode *operations, const char *rsc, const char *name, const char *interval)
{
    char *id = bl_asprintf("%s-%s-%s", rsc, name, interval);
    xmlNode *op = bl_xml_add_child(operations, "op");

    bl_xml_set_attr(op, "id", id);
    bl_xml_set_attr(op, "name", name);
    bl_xml_set_attr(op, "interval", interval);
    bl_xml_set_attr(op, "timeout", "20s");
    free(id);
}

/* A primitive as crmsh writes them: params, meta attributes, two operations. */
static void
add_primitive(xmlNode *resources, int i)
{
    char *id = bl_asprintf("vip-%05d", i);
    char *sub = bl_asprintf("%s-instance_attributes", id);
    char *ip = bl_asprintf("10.%d.%d.%d", i / 65536, (i / 256) % 256, i % 256);
    xmlNode *primitive = bl_xml_add_child(resources, "primitive");
    xmlNode *attrs = bl_xml_add_child(primitive, "instance_attributes");
    xmlNode *meta = bl_xml_add_child(primitive, "meta_attributes");
    xmlNode *operations = bl_xml_add_child(primitive, "operations");
    char *nv;

    bl_xml_set_attr(primitive, "id", id);
    bl_xml_set_attr(primitive, "class", "ocf");
    bl_xml_set_attr(primitive, "provider", "heartbeat");
    bl_xml_set_attr(primitive, "type", "IPaddr2");
    bl_xml_set_attr(attrs, "id", sub);
    nv = bl_asprintf("%s-ip", sub);
    add_nvpair(attrs, nv, "ip", ip);
    free(nv);
    nv = bl_asprintf("%s-cidr_netmask", sub);
    add_nvpair(attrs, nv, "cidr_netmask", "24");
    free(nv);
    free(sub);
    sub = bl_asprintf("%s-meta_attributes", id);
    bl_xml_set_attr(meta, "id", sub);
    nv = bl_asprintf("%s-target-role", sub);
    add_nvpair(meta, nv, "target-role", "Started");
    free(nv);
    add_op(operations, id, "monitor", "10s");
    add_op(operations, id, "start", "0s");
    free(sub);
    free(ip);
    free(id);
}

static xmlDoc *
big_cib(int count)
{
    xmlDoc *doc = bl_cib_new_empty();
    xmlNode *resources = bl_cib_section(doc, "resources");

    for (int i = 0; i < count; i++) {
        add_primitive(resources, i);
    }
    return doc;
}

/* Changes the netmask of primitive I. */
static void
change_one(xmlDoc *doc, int i)
{
    char *id = bl_asprintf("vip-%05d-instance_attributes-cidr_netmask", i);
    xmlNode *nvpair = bl_xml_find_id(bl_cib_section(doc, "resources"), id);

    bl_xml_set_attr(nvpair, "value", "16");
    free(id);
}

/*
 * Makes the allocator tidy up after the last xmlFreeDoc() now, not inside the next
 * timed call: glibc merges freed small chunks on the next large request, and after
 * freeing a 100,000-node document that alone costs tens of milliseconds.
 */
static void
settle_allocator(void)
{
    free(malloc(1 << 16));
}

static xmlDoc *
timed_diff(const xmlDoc *from, const xmlDoc *to, double *best)
{
    xmlDoc *diff = NULL;
    double t0;

    settle_allocator();
    t0 = now_ms();
    if (bl_cib_diff(from, to, &diff, NULL) != 0) {
        abort();
    }
    *best = MIN(*best, now_ms() - t0);
    return diff;
}

static void
timed_patch(xmlDoc *replica, const xmlDoc *diff, double *best)
{
    double t0;

    settle_allocator();
    t0 = now_ms();
    if (bl_cib_patch(replica, diff, NULL) != 0) {
        abort();
    }
    *best = MIN(*best, now_ms() - t0);
}

/*
 * Diffs OLD against NEW and patches REPLICA (equal to OLD) forwards, then back with the
 * reverse diff, RUNS times; prints the best times. Patching back and forth keeps one
 * replica: fresh copies each run would land in a fragmented heap and time the
 * allocator's locality more than the patch.
 */
static void
measure(const char *label, const xmlDoc *old_doc, const xmlDoc *new_doc, xmlDoc *replica)
{
    double best_diff = 1e9;
    double best_patch = 1e9;
    size_t size = 0;
    int changes = 0;

    for (int run = 0; run < RUNS; run++) {
        xmlDoc *forward = timed_diff(old_doc, new_doc, &best_diff);
        xmlDoc *back = timed_diff(new_doc, old_doc, &best_diff);
        char *text = bl_xml_format(xmlDocGetRootElement(forward));

        timed_patch(replica, forward, &best_patch);
        if (!bl_cib_equal(replica, new_doc)) {
            abort();
        }
        timed_patch(replica, back, &best_patch);
        size = strlen(text);
        changes = (int) xmlChildElementCount(xmlDocGetRootElement(forward)) - 1;
        free(text);
        xmlFreeDoc(forward);
        xmlFreeDoc(back);
    }
    printf("%-32s diff %7.2f ms  patch %7.2f ms  %6zu bytes  %4d change records\n", label,
           best_diff, best_patch, size, changes);
}

static void
measure_reference(const xmlDoc *doc)
{
    char digest[BL_DIGEST_HEXLEN + 1];
    double best_digest = 1e9;
    double best_copy = 1e9;
    char *text = bl_xml_format(xmlDocGetRootElement(doc));

    for (int run = 0; run < RUNS; run++) {
        double t0;
        xmlDoc *copy;

        settle_allocator();
        t0 = now_ms();
        bl_cib_digest(doc, digest);
        best_digest = MIN(best_digest, now_ms() - t0);
        t0 = now_ms();
        copy = xmlCopyDoc((xmlDoc *) doc, 1);
        best_copy = MIN(best_copy, now_ms() - t0);
        xmlFreeDoc(copy);
    }
    printf("CIB: %zu bytes; configuration digest %.2f ms; xmlCopyDoc %.2f ms\n", strlen(text),
           best_digest, best_copy);
    free(text);
}

static void
remove_file(const char *dir, const char *name)
{
    char *path = bl_asprintf("%s/%s", dir, name);

    unlink(path);
    free(path);
}

static void
measure_store(const xmlDoc *doc, const char *parent)
{
    char *dir = bl_asprintf("%s/belay-bench-XXXXXX", parent);
    double best_write = 1e9;
    double best_read = 1e9;
    char *err = NULL;

    if (mkdtemp(dir) == NULL) {
        perror(dir);
        exit(1);
    }
    for (int run = 0; run < RUNS; run++) {
        double t0;
        xmlDoc *back = NULL;

        settle_allocator();
        t0 = wall_ms();
        if (bl_cib_store_write(dir, doc, 3, &err) != 0) {
            fprintf(stderr, "%s\n", err);
            exit(1);
        }
        best_write = MIN(best_write, wall_ms() - t0);
        t0 = wall_ms();
        if (bl_cib_store_read(dir, &back, &err) != 0) {
            fprintf(stderr, "%s\n", err);
            exit(1);
        }
        best_read = MIN(best_read, wall_ms() - t0);
        xmlFreeDoc(back);
    }
    printf("store in %s: write %.2f ms (incl. fsyncs, archive, prune), read+check %.2f ms\n",
           parent, best_write, best_read);
    /* Leave nothing behind: KEEP 0 prunes the archives, then the rest goes. */
    bl_cib_store_write(dir, doc, 0, NULL);
    remove_file(dir, "cib.xml");
    remove_file(dir, "cib.xml.sig");
    rmdir(dir);
    free(dir);
}

/* Reordering: the last primitive moves to the front (one move, not 10,000). */
static void
move_last_to_front(xmlDoc *doc)
{
    xmlNode *resources = bl_cib_section(doc, "resources");
    xmlNode *last = xmlGetLastChild(resources);

    xmlUnlinkNode(last);
    xmlAddPrevSibling(bl_xml_first_child(resources, NULL), last);
}

int
main(int argc, char **argv)
{
    int count = argc > 1 ? atoi(argv[1]) : 10000;
    const char *parent = argc > 2 ? argv[2] : g_get_tmp_dir();
    xmlDoc *old_doc;
    xmlDoc *one;
    xmlDoc *hundred;
    xmlDoc *moved;
    xmlDoc *replica;
    GRand *rng = g_rand_new_with_seed(42);

    if (count < 1) {
        fprintf(stderr, "usage: %s [PRIMITIVES (at least 1)] [STATE_DIR]\n", argv[0]);
        return 2;
    }
    /* Every document is built up front, before any is freed: comparable layouts. */
    old_doc = big_cib(count);
    one = xmlCopyDoc(old_doc, 1);
    change_one(one, count / 2);
    bl_cib_version_bump(one, true);
    hundred = xmlCopyDoc(old_doc, 1);
    for (int i = 0; i < 100; i++) {
        change_one(hundred, g_rand_int_range(rng, 0, count));
    }
    bl_cib_version_bump(hundred, true);
    moved = xmlCopyDoc(hundred, 1);
    move_last_to_front(moved);
    replica = xmlCopyDoc(old_doc, 1);
    printf("CIB of %d primitives\n", count);
    measure_reference(old_doc);
    measure("1 attribute changed", old_doc, one, replica);
    measure("100 attributes changed", old_doc, hundred, replica);
    measure("+ last primitive moved to front", old_doc, moved, replica);
    measure("identical", old_doc, old_doc, replica);
    measure_store(old_doc, parent);
    g_rand_free(rng);
    xmlFreeDoc(old_doc);
    xmlFreeDoc(one);
    xmlFreeDoc(hundred);
    xmlFreeDoc(moved);
    xmlFreeDoc(replica);
    return 0;
}
