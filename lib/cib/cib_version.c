/* CIB versions: admin_epoch.epoch.num_updates, which change bumps which. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include <belay/cib.h>

static const char *const version_attrs[] = {"admin_epoch", "epoch", "num_updates"};

static int
parse_counter(const xmlNode *root, const char *name, int64_t *value, char **err)
{
    const char *text = bl_xml_attr(root, name);
    char *end = NULL;
    long long n;

    if (text == NULL) {
        *value = 0;
        return 0;
    }
    errno = 0;
    n = strtoll(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || n < 0) {
        bl_err_set(err, "cib: %s='%s' is not a non-negative integer", name, text);
        return BL_EPARSE;
    }
    *value = n;
    return 0;
}

int
bl_cib_version_get(const xmlDoc *doc, bl_cib_version_t *version, char **err)
{
    const xmlNode *root = xmlDocGetRootElement(doc);
    int rc = parse_counter(root, version_attrs[0], &version->admin_epoch, err);

    if (rc == 0) {
        rc = parse_counter(root, version_attrs[1], &version->epoch, err);
    }
    if (rc == 0) {
        rc = parse_counter(root, version_attrs[2], &version->num_updates, err);
    }
    return rc;
}

void
bl_cib_version_set(xmlDoc *doc, const bl_cib_version_t *version)
{
    xmlNode *root = xmlDocGetRootElement(doc);
    const int64_t values[] = {version->admin_epoch, version->epoch, version->num_updates};

    for (int i = 0; i < 3; i++) {
        char buf[32];

        snprintf(buf, sizeof(buf), "%lld", (long long) values[i]);
        bl_xml_set_attr(root, version_attrs[i], buf);
    }
}

int
bl_cib_version_compare(const bl_cib_version_t *a, const bl_cib_version_t *b)
{
    if (a->admin_epoch != b->admin_epoch) {
        return a->admin_epoch < b->admin_epoch ? -1 : 1;
    }
    if (a->epoch != b->epoch) {
        return a->epoch < b->epoch ? -1 : 1;
    }
    if (a->num_updates != b->num_updates) {
        return a->num_updates < b->num_updates ? -1 : 1;
    }
    return 0;
}

void
bl_cib_version_bump(xmlDoc *doc, bool configuration_changed)
{
    bl_cib_version_t version = {0, 0, 0};

    /* An unparsable counter restarts from 0; validation reports it separately. */
    (void) bl_cib_version_get(doc, &version, NULL);
    if (configuration_changed) {
        version.epoch++;
        version.num_updates = 0;
    } else {
        version.num_updates++;
    }
    bl_cib_version_set(doc, &version);
}

char *
bl_cib_version_format(const bl_cib_version_t *version)
{
    return bl_asprintf("%lld.%lld.%lld", (long long) version->admin_epoch,
                       (long long) version->epoch, (long long) version->num_updates);
}
