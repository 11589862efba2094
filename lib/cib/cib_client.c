/* Client of belay-based over libqb IPC, and the reply format both sides share. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>

#include <belay/cib.h>

/* Long enough for a write on a busy cluster (it waits for delivery and fsync). */
#define REPLY_TIMEOUT_MS 60000

/* How long a submission waits between tries while the request buffer is full. */
#define SUBMIT_RETRY_US 500

/* The outcome of a write in flight whose reply came before an older one's was collected. */
typedef struct early_reply {
    int rc;
    char *err;
} early_reply_t;

struct bl_cib_client {
    bl_ipc_client_t *ipc;
    uint64_t next_ref; /* numbers submitted writes (their ref) */
    GQueue in_flight;  /* refs (uint64_t *) of submitted writes, oldest first */
    GHashTable *early; /* ref -> early_reply_t *, replies not yet collected */
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
    return bl_cib_reply_format_ref(rc, message, doc, digest, NULL, content);
}

char *
bl_cib_reply_format_ref(int rc, const char *message, const xmlDoc *doc, const char *digest,
                        const char *ref, const xmlNode *content)
{
    xmlNode *reply = xmlNewNode(NULL, (const xmlChar *) "cib-reply");
    char *rc_text = bl_asprintf("%d", rc);
    char *text;

    bl_xml_set_attr(reply, "rc", rc_text);
    if (ref != NULL && *ref != '\0') {
        bl_xml_set_attr(reply, "ref", ref);
    }
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

static void
early_free(gpointer data)
{
    early_reply_t *early = data;

    free(early->err);
    g_free(early);
}

static int
connect_sized(const char *name, size_t frame_max, bl_cib_client_t **client, char **err)
{
    bl_ipc_client_t *ipc = NULL;
    int rc = bl_ipc_client_connect(name != NULL ? name : bl_cib_ipc_name(), "belay-based",
                                   frame_max, true, &ipc, err);
    bl_cib_client_t *c;

    if (rc != 0) {
        return rc;
    }
    c = g_new0(bl_cib_client_t, 1);
    c->ipc = ipc;
    g_queue_init(&c->in_flight);
    c->early = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, early_free);
    *client = c;
    return 0;
}

int
bl_cib_client_connect(const char *name, bl_cib_client_t **client, char **err)
{
    return connect_sized(name, BL_CIB_MAX_MSG, client, err);
}

int
bl_cib_client_connect_small(const char *name, bl_cib_client_t **client, char **err)
{
    return connect_sized(name, BL_CIB_MIN_MSG, client, err);
}

void
bl_cib_client_free(bl_cib_client_t *client)
{
    if (client == NULL) {
        return;
    }
    bl_ipc_client_free(client->ipc);
    g_queue_clear_full(&client->in_flight, g_free);
    g_hash_table_destroy(client->early);
    g_free(client);
}

/*
 * Parses reply BODY (LEN bytes) into *reply. A refusal comes back as the daemon's rc with
 * its sentence in *err, and *reply still set (for its ref).
 */
static int
parse_reply(const char *body, size_t len, xmlDoc **reply, char **err)
{
    const xmlNode *root;
    const char *rc_text;
    int rc = bl_xml_parse(body, len, "belay-based reply", reply, err);

    if (rc != 0) {
        return rc;
    }
    root = xmlDocGetRootElement(*reply);
    rc_text = bl_xml_attr(root, "rc");
    rc = rc_text != NULL ? atoi(rc_text) : BL_EPARSE;
    if (rc != 0) {
        const char *message = bl_xml_attr(root, "message");

        bl_err_set(err, "%s", message != NULL ? message : bl_strerror(rc));
    }
    return rc;
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
    int rc;

    if (!g_queue_is_empty(&client->in_flight)) {
        bl_err_set(err, "belay-based: collect the writes in flight before other requests");
        return -EBUSY;
    }
    rc = bl_ipc_client_request(client->ipc, id, text, REPLY_TIMEOUT_MS, &body, &len, err);
    rc = rc != 0 ? rc : parse_reply(body, len, reply, err);
    if (rc != 0) {
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
bl_cib_client_edit(bl_cib_client_t *client, const xmlDoc *edit, char **err)
{
    return write_request(client, BL_CIB_MSG_EDIT, edit, err);
}

/* EDIT's text with ref="REF" on its root. */
static char *
edit_with_ref(const xmlDoc *edit, uint64_t ref, char **err)
{
    static const char tag[] = "<cib-edit";
    char *text = doc_text(edit);
    char *result;

    if (strncmp(text, tag, sizeof(tag) - 1) != 0
        || bl_xml_attr(xmlDocGetRootElement(edit), "ref") != NULL) {
        bl_err_set(err,
                   "edit: expected a <cib-edit> without a ref attribute (the library sets it)");
        free(text);
        return NULL;
    }
    result = bl_asprintf("%s ref=\"%" PRIu64 "\"%s", tag, ref, text + sizeof(tag) - 1);
    free(text);
    return result;
}

int
bl_cib_client_submit(bl_cib_client_t *client, const xmlDoc *edit, char **err)
{
    uint64_t ref = client->next_ref + 1;
    char *text = edit_with_ref(edit, ref, err);
    gint64 deadline = g_get_monotonic_time() + (gint64) REPLY_TIMEOUT_MS * 1000;
    int rc;

    if (text == NULL) {
        return BL_EPARSE;
    }
    /* A full request buffer empties as the daemon reads: wait for room. */
    while ((rc = bl_ipc_client_send(client->ipc, BL_CIB_MSG_EDIT, text, err)) == -EAGAIN
           && g_get_monotonic_time() < deadline) {
        g_usleep(SUBMIT_RETRY_US);
    }
    free(text);
    if (rc == -EAGAIN) {
        bl_err_set(err, "belay-based: the request buffer stayed full; is the daemon stuck?");
    }
    if (rc == 0) {
        client->next_ref = ref;
        g_queue_push_tail(&client->in_flight, g_memdup2(&ref, sizeof(ref)));
    }
    return rc;
}

/* Reads one reply of a write in flight and files it under its ref; -ETIMEDOUT. */
static int
read_in_flight(bl_cib_client_t *client, int timeout_ms, char **err)
{
    g_autofree char *body = NULL;
    size_t len = 0;
    xmlDoc *reply = NULL;
    early_reply_t *early;
    const char *ref_text;
    uint64_t ref;
    int rc = bl_ipc_client_recv(client->ipc, timeout_ms, &body, &len, err);

    if (rc != 0) {
        return rc;
    }
    early = g_new0(early_reply_t, 1);
    early->rc = parse_reply(body, len, &reply, &early->err);
    ref_text = reply != NULL ? bl_xml_attr(xmlDocGetRootElement(reply), "ref") : NULL;
    if (ref_text == NULL) {
        rc = early->rc != 0 ? early->rc : BL_EPARSE;
        bl_err_set(err, "belay-based: a reply without ref while writes are in flight (%s)",
                   early->err != NULL ? early->err : "no error");
        xmlFreeDoc(reply);
        early_free(early);
        return rc;
    }
    ref = g_ascii_strtoull(ref_text, NULL, 10);
    g_hash_table_replace(client->early, g_memdup2(&ref, sizeof(ref)), early);
    xmlFreeDoc(reply);
    return 0;
}

int
bl_cib_client_collect(bl_cib_client_t *client, int timeout_ms, char **err)
{
    uint64_t *oldest = g_queue_peek_head(&client->in_flight);
    early_reply_t *early;
    int rc;

    if (oldest == NULL) {
        bl_err_set(err, "belay-based: no write in flight to collect");
        return -ENOENT;
    }
    timeout_ms = timeout_ms < 0 ? REPLY_TIMEOUT_MS : timeout_ms;
    while ((early = g_hash_table_lookup(client->early, oldest)) == NULL) {
        rc = read_in_flight(client, timeout_ms, err);
        if (rc != 0) {
            return rc;
        }
    }
    rc = early->rc;
    if (rc != 0) {
        bl_err_set(err, "%s", early->err != NULL ? early->err : bl_strerror(rc));
    }
    g_hash_table_remove(client->early, oldest);
    g_free(g_queue_pop_head(&client->in_flight));
    return rc;
}

unsigned
bl_cib_client_in_flight(const bl_cib_client_t *client)
{
    return g_queue_get_length((GQueue *) &client->in_flight);
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
