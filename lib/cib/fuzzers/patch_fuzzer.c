/*
 * libFuzzer target for bl_cib_patch(): diffs arrive from other nodes, so any bytes must
 * either apply or be refused with the CIB left exactly as it was — never crash.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <belay/cib.h>

static const char base[] =
    "<cib admin_epoch=\"0\" epoch=\"3\" num_updates=\"1\"><configuration><crm_config/>"
    "<nodes><node id=\"1\" uname=\"n1\"/></nodes><resources><group id=\"g\">"
    "<primitive id=\"a\" class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\"/>"
    "<primitive id=\"b\" class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\">"
    "<instance_attributes id=\"b-ia\"><nvpair id=\"b-ia-x\" name=\"x\" value=\"1\"/>"
    "</instance_attributes></primitive></group></resources><constraints/></configuration>"
    "<status/></cib>";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    xmlDoc *doc = NULL;
    xmlDoc *diff = NULL;
    char *before;
    char *after;

    if (bl_xml_parse((const char *) data, size, "fuzz", &diff, NULL) != 0) {
        return 0;
    }
    if (bl_cib_parse(base, sizeof(base) - 1, "base", &doc, NULL) != 0) {
        abort();
    }
    before = bl_xml_format(xmlDocGetRootElement(doc));
    if (bl_cib_patch(doc, diff, NULL) != 0) {
        after = bl_xml_format(xmlDocGetRootElement(doc));
        if (strcmp(before, after) != 0) {
            abort(); /* a refused patch changed the CIB */
        }
        free(after);
    }
    free(before);
    xmlFreeDoc(diff);
    xmlFreeDoc(doc);
    return 0;
}
