/* Digest of the CIB's configuration section: what replicas compare after a patch. */
#include <string.h>

#include <glib.h>

#include <belay/cib.h>

void
bl_cib_digest(const xmlDoc *doc, char out[BL_DIGEST_HEXLEN + 1])
{
    xmlNode *configuration = bl_cib_section(doc, "configuration");
    gchar *hex;

    if (configuration != NULL) {
        bl_xml_digest(configuration, out);
        return;
    }
    /* No configuration section still has a well-defined digest: that of no bytes. */
    hex = g_compute_checksum_for_string(G_CHECKSUM_SHA256, "", 0);
    memcpy(out, hex, BL_DIGEST_HEXLEN);
    out[BL_DIGEST_HEXLEN] = '\0';
    g_free(hex);
}
