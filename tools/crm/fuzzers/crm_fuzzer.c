/*
 * libFuzzer target: arbitrary text as a configure script on an empty CIB. Besides memory
 * errors it checks two properties: a failed script leaves the document unchanged, and what
 * show prints after a successful one loads back into an empty CIB.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <belay/cib.h>
#include <belay/crm.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = strndup((const char *) data, size);
    xmlDoc *doc = bl_cib_new_empty();
    char *before = bl_xml_canonical(xmlDocGetRootElement(doc));
    char *err = NULL;
    /* filter and load would run commands and read files: not for a fuzzer. */
    int rc = (strstr(text, "filter") || strstr(text, "load")) ? -1
             : bl_crm_configure_script(doc, text, "fuzz", NULL, &err);

    if (rc < 0 && rc != -1) {
        char *after = bl_xml_canonical(xmlDocGetRootElement(doc));

        if (strcmp(before, after) != 0) {
            abort();
        }
        free(after);
    } else if (rc == 0) {
        char *shown = bl_crm_show(doc, NULL, &err);
        xmlDoc *copy = bl_cib_new_empty();
        char *err2 = NULL;

        if (shown == NULL || bl_crm_configure_script(copy, shown, "show", NULL, &err2) != 0) {
            abort();
        }
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
