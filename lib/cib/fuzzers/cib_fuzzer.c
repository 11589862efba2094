/*
 * libFuzzer target for the CIB reader: arbitrary bytes are parsed as a CIB, then
 * validated (schema, then semantics). Semantics also run on documents the schema
 * refused, because bl_cib_validate_semantics() is public and must survive anything
 * that parses.
 */
#include <stdint.h>
#include <stdlib.h>

#include <belay/cib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    xmlDoc *doc = NULL;
    char *err = NULL;

    if (bl_cib_parse((const char *) data, size, "fuzz.xml", &doc, &err) != 0) {
        free(err);
        return 0;
    }
    bl_free(&err);
    (void) bl_cib_validate(doc, &err);
    bl_free(&err);
    (void) bl_cib_validate_semantics(doc, &err);
    free(err);
    xmlFreeDoc(doc);
    return 0;
}
