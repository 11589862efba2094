/* Client of belay-based over libqb IPC, and the reply format both sides share. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include <belay/cib.h>

/* Long enough for a write on a busy cluster (it waits for delivery and fsync). */
#define REPLY_TIMEOUT_MS 60000

struct bl_cib_client {
    bl_ipc_client_t *ipc;
};

const char *
bl_cib_ipc_name(void)
{
    const char *name = getenv("BELAY_CIB_IPC");

    return name != NULL && *name != '\0' ? name : BL_CIB_IPC_NAME;
}

/*
 * TEXT, an empty <cib-reply .../>, with CONTENT inside: spliced as text rather than
 * copied into the reply as a node, as the content is often the whole CIB.
 */
static char *
with_content(char *text, const xmlNode *content)
{
    size_t len = strlen(text);
    char *inner = bl_xml_format(content);
    char *result;

    /* bl_xml_format() ends an empty element with "/>" and a newline */
    g_assert(len >= 3 && strcmp(text + len - 3, "/>\n") == 0);
    text[len - 3] = '\0';
    result = bl_asprintf("%s>\n%s</cib-reply>\n", text, inner);
    free(inner);
    free(text);
    return result;
}

char *
bl_cib_reply_format(int rc, const char *message, const xmlDoc *doc, const xmlNode *content)
{
    return bl_cib_reply_format_digest(rc, message, doc, NULL, content);
}

char *
bl_cib_reply_format_digest(int rc, const char *message, const xmlDoc *doc, const char *digest,
                           const xmlNode *content)
{
    xmlNode *reply = xmlNewNode(NULL, (const xmlChar *) "cib-reply");
    char *rc_text = bl_asprintf("%d", rc);
    char *text;

    bl_xml_set_attr(reply, "rc", rc_text);
    bl_xml_set_attr(reply, "message", message);
    if (doc != NULL) {
        bl_cib_version_t version = {0};
        char computed[BL_DIGEST_HEXLEN + 1];
        char *number;

        bl_cib_version_get(doc, &version, NULL);
        number = bl_asprintf("%" PRId64, version.admin_epoch);
        bl_xml_set_attr(reply, "admin_epoch", number);
        free(number);
        number = bl_asprintf("%" PRId64, version.epoch);
        bl_xml_set_attr(reply, "epoch", number);
        free(number);
        number = bl_asprintf("%" PRId64, version.num_updates);
        bl_xml_set_attr(reply, "num_updates", number);
        free(number);
        if (digest == NULL) {
            bl_cib_digest(doc, computed);
            digest = computed;
        }
        bl_xml_set_attr(reply, "digest", digest);
    }
    text = bl_xml_format(reply);
    xmlFreeNode(reply);
    free(rc_text);
    return content != NULL ? with_content(text, content) : text;
}

int
bl_cib_client_connect(const char *name, bl_cib_client_t **client, char **err)
{
    bl_ipc_client_t *ipc = NULL;
    int rc = bl_ipc_client_connect(name != NULL ? name : bl_cib_ipc_name(), "belay-based",
                                   BL_CIB_MAX_MSG, true, &ipc, err);

    if (rc == 0) {
        *client = g_new0(bl_cib_client_t, 1);
        (*client)->ipc = ipc;
    }
    return rc;
}

void
bl_cib_client_free(bl_cib_client_t *client)
{
    if (client == NULL) {
        return;
    }
    bl_ipc_client_free(client->ipc);
    g_free(client);
}

/*
 * Sends request ID with body TEXT and parses the <cib-reply> into *reply. A refusal
 * comes back as the daemon's rc with its sentence in *err.
 */
static int
exchange(bl_cib_client_t *client, int32_t id, const char *text, xmlDoc **reply, char **err)
{
    g_autofree char *body = NULL;
    size_t len = 0;
    const xmlNode *root;
    const char *rc_text;
    int rc = bl_ipc_client_request(client->ipc, id, text, REPLY_TIMEOUT_MS, &body, &len, err);

    if (rc != 0) {
        return rc;
    }
    rc = bl_xml_parse(body, len, "belay-based reply", reply, err);
    if (rc != 0) {
        return rc;
    }
    root = xmlDocGetRootElement(*reply);
    rc_text = bl_xml_attr(root, "rc");
    rc = rc_text != NULL ? atoi(rc_text) : BL_EPARSE;
    if (rc != 0) {
        const char *message = bl_xml_attr(root, "message");

        bl_err_set(err, "%s", message != NULL ? message : bl_strerror(rc));
        xmlFreeDoc(*reply);
        *reply = NULL;
    }
    return rc;
}

static char *
doc_text(const xmlDoc *doc)
{
    return bl_xml_format(xmlDocGetRootElement(doc));
}

/* Sends <cib-query ATTR="VALUE"/> and returns the reply's content as a new document. */
static int
query(bl_cib_client_t *client, const char *attr, const char *value, xmlDoc **doc, char **err)
{
    xmlNode *request = xmlNewNode(NULL, (const xmlChar *) "cib-query");
    char *text;
    xmlDoc *reply = NULL;
    xmlNode *content;
    int rc;

    bl_xml_set_attr(request, attr, value);
    text = bl_xml_format(request);
    xmlFreeNode(request);
    rc = exchange(client, BL_CIB_MSG_QUERY, text, &reply, err);
    free(text);
    if (rc != 0) {
        return rc;
    }
    content = bl_xml_first_child(xmlDocGetRootElement(reply), NULL);
    if (content == NULL) {
        bl_err_set(err, "belay-based: the reply holds no %s", value != NULL ? value : "CIB");
        xmlFreeDoc(reply);
        return BL_EPARSE;
    }
    /* A copy, not the node itself: the reply's strings live in its parser dictionary. */
    *doc = xmlNewDoc((const xmlChar *) "1.0");
    xmlDocSetRootElement(*doc, xmlDocCopyNode(content, *doc, 1));
    xmlFreeDoc(reply);
    return 0;
}

int
bl_cib_client_query(bl_cib_client_t *client, const char *section, xmlDoc **doc, char **err)
{
    return query(client, "section", section, doc, err);
}

int
bl_cib_client_xpath(bl_cib_client_t *client, const char *expr, xmlDoc **result, char **err)
{
    return query(client, "xpath", expr, result, err);
}

static int
parse_count(const xmlNode *node, const char *name, int64_t *value)
{
    const char *text = bl_xml_attr(node, name);
    char *end = NULL;

    if (text == NULL) {
        return BL_EPARSE;
    }
    *value = strtoll(text, &end, 10);
    return *end == '\0' && end != text ? 0 : BL_EPARSE;
}

int
bl_cib_client_version(bl_cib_client_t *client, bl_cib_version_t *version,
                      char digest[BL_DIGEST_HEXLEN + 1], char **err)
{
    xmlDoc *reply = NULL;
    const xmlNode *root;
    const char *text;
    int rc = exchange(client, BL_CIB_MSG_VERSION, "<cib-version/>", &reply, err);

    if (rc != 0) {
        return rc;
    }
    root = xmlDocGetRootElement(reply);
    text = bl_xml_attr(root, "digest");
    rc = parse_count(root, "admin_epoch", &version->admin_epoch);
    rc = rc != 0 ? rc : parse_count(root, "epoch", &version->epoch);
    rc = rc != 0 ? rc : parse_count(root, "num_updates", &version->num_updates);
    if (rc != 0 || text == NULL || strlen(text) != BL_DIGEST_HEXLEN) {
        bl_err_set(err, "belay-based: the version reply is malformed");
        rc = BL_EPARSE;
    } else {
        memcpy(digest, text, BL_DIGEST_HEXLEN + 1);
    }
    xmlFreeDoc(reply);
    return rc;
}

static int
write_request(bl_cib_client_t *client, int32_t id, const xmlDoc *doc, char **err)
{
    char *text = doc_text(doc);
    xmlDoc *reply = NULL;
    int rc = exchange(client, id, text, &reply, err);

    free(text);
    xmlFreeDoc(reply);
    return rc;
}

int
bl_cib_client_patch(bl_cib_client_t *client, const xmlDoc *diff, char **err)
{
    return write_request(client, BL_CIB_MSG_PATCH, diff, err);
}

int
bl_cib_client_replace(bl_cib_client_t *client, const xmlDoc *cib, char **err)
{
    return write_request(client, BL_CIB_MSG_REPLACE, cib, err);
}

int
bl_cib_client_subscribe(bl_cib_client_t *client, char **err)
{
    xmlDoc *reply = NULL;
    int rc = exchange(client, BL_CIB_MSG_SUBSCRIBE, "<cib-subscribe/>", &reply, err);

    xmlFreeDoc(reply);
    return rc;
}

int
bl_cib_client_event(bl_cib_client_t *client, int timeout_ms, xmlDoc **event, char **err)
{
    g_autofree char *body = NULL;
    size_t len = 0;
    int rc = bl_ipc_client_event(client->ipc, timeout_ms, &body, &len, err);

    return rc != 0 ? rc : bl_xml_parse(body, len, "belay-based event", event, err);
}

int
bl_cib_client_fd(bl_cib_client_t *client)
{
    return bl_ipc_client_fd(client->ipc);
}
