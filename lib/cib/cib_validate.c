/* PLACEHOLDER until the schema work lands: validation accepts everything. */
#include <belay/cib.h>

int
bl_cib_validate_schema(const xmlDoc *doc, char **err)
{
    (void) doc;
    (void) err;
    return 0;
}

int
bl_cib_validate_semantics(const xmlDoc *doc, char **err)
{
    (void) doc;
    (void) err;
    return 0;
}

int
bl_cib_validate(const xmlDoc *doc, char **err)
{
    int rc = bl_cib_validate_schema(doc, err);

    return rc != 0 ? rc : bl_cib_validate_semantics(doc, err);
}
