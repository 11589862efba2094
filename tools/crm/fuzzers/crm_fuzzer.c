/*
 * libFuzzer target: arbitrary text as a configure script on an empty CIB. Besides memory
 * errors it checks two properties: a failed script leaves the document unchanged, and what
 * show prints after a successful one loads back into an empty CIB.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <belay/cib.h>
#include <belay/crm.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static gint
compare_elements(gconstpointer a, gconstpointer b)
{
    const xmlNode *x = *(xmlNode *const *) a;
    const xmlNode *y = *(xmlNode *const *) b;
    int by_name = strcmp((const char *) x->name, (const char *) y->name);

    return by_name != 0 ? by_name : g_strcmp0(bl_xml_attr(x, "id"), bl_xml_attr(y, "id"));
}

static void
sort_children(xmlNode *parent)
{
    GPtrArray *children = g_ptr_array_new();

    for (xmlNode *c = bl_xml_first_child(parent, NULL); c != NULL; c = bl_xml_next(c, NULL)) {
        g_ptr_array_add(children, c);
    }
    g_ptr_array_sort(children, compare_elements);
    for (guint i = 0; i < children->len; i++) {
        xmlNode *c = g_ptr_array_index(children, i);

        xmlUnlinkNode(c);
        xmlAddChild(parent, c);
    }
    g_ptr_array_free(children, TRUE);
}

/* show sorts objects as crmsh does: compare up to the order of sections and objects. */
static char *
canonical_unordered(xmlDoc *doc)
{
    xmlNode *config = bl_cib_section(doc, "configuration");

    sort_children(config);
    for (xmlNode *s = bl_xml_first_child(config, NULL); s != NULL; s = bl_xml_next(s, NULL)) {
        sort_children(s);
    }
    return bl_xml_canonical(config);
}

/*
 * Loading show's text with `load update` into the document it came from replaces every
 * object by itself: the configuration must not change at all (this drives update mode,
 * which replaces objects in place, over arbitrary configurations).
 */
static void
check_update_is_identity(xmlDoc *doc, const char *shown)
{
    static char path[64];
    char *const argv[] = {"load", "update", path, NULL};
    char *before = bl_xml_canonical(bl_cib_section(doc, "configuration"));
    char *after;
    char *err = NULL;

    if (path[0] == '\0') {
        snprintf(path, sizeof(path), "/tmp/crm-fuzz-%d.crm", (int) getpid());
    }
    if (bl_file_write_atomic(path, shown, strlen(shown), &err) != 0
        || bl_crm_configure(doc, 3, argv, NULL, &err) != 0) {
        fprintf(stderr, "load update of show output failed: %s\n%s", err, shown);
        abort();
    }
    after = bl_xml_canonical(bl_cib_section(doc, "configuration"));
    if (strcmp(before, after) != 0) {
        fprintf(stderr, "load update changed the document:\n%s\n%s\n%s\n", shown, before, after);
        abort();
    }
    free(before);
    free(after);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = strndup((const char *) data, size);
    xmlDoc *doc = bl_cib_new_empty();
    char *before = bl_xml_canonical(xmlDocGetRootElement(doc));
    char *err = NULL;
    /* filter and load would run commands and read files: not for a fuzzer. */
    int rc = (strstr(text, "filter") || strstr(text, "load"))
                 ? -1
                 : bl_crm_configure_script(doc, text, "fuzz", NULL, &err);

    if (rc < 0 && rc != -1) {
        char *after = bl_xml_canonical(xmlDocGetRootElement(doc));

        if (strcmp(before, after) != 0) {
            fprintf(stderr, "failed script changed the document: %s\n", err);
            abort();
        }
        free(after);
    } else if (rc == 0) {
        char *shown = bl_crm_show(doc, NULL, &err);
        xmlDoc *copy = bl_cib_new_empty();
        char *err2 = NULL;

        if (shown == NULL || bl_crm_configure_script(copy, shown, "show", NULL, &err2) != 0) {
            fprintf(stderr, "show output does not load back: %s\n%s", err2, shown);
            abort();
        }
        char *want = canonical_unordered(doc);
        char *got = canonical_unordered(copy);

        if (strcmp(want, got) != 0) {
            fprintf(stderr, "round trip differs:\n%s\n%s\n%s\n", shown, want, got);
            abort();
        }
        free(want);
        free(got);
        check_update_is_identity(doc, shown);
        free(shown);
        free(err2);
        xmlFreeDoc(copy);
    }
    free(err);
    free(before);
    free(text);
    xmlFreeDoc(doc);
    return 0;
}
