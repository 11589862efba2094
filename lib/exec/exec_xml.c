/*
 * The executor's wire format: requests, replies and results as small XML documents
 * (belay-execd speaks them over libqb IPC). Agent output travels in attributes, which
 * keep every byte XML can carry (newlines included); bytes it cannot carry (invalid
 * UTF-8, control characters) are replaced, so a hostile agent cannot break the stream.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <belay/common.h>
#include <belay/exec.h>

#include "exec_private.h"

/* True for characters XML 1.0 documents may hold. */
static bool
xml_char_ok(gunichar c)
{
    return c == '\t' || c == '\n' || c == '\r' || (c >= 0x20 && c <= 0xD7FF)
           || (c >= 0xE000 && c <= 0xFFFD) || (c >= 0x10000 && c <= 0x10FFFF);
}

static bool
xml_text_ok(const char *text)
{
    if (!g_utf8_validate(text, -1, NULL)) {
        return false;
    }
    for (const char *p = text; *p != '\0'; p = g_utf8_next_char(p)) {
        if (!xml_char_ok(g_utf8_get_char(p))) {
            return false;
        }
    }
    return true;
}

char *
bl__exec_xml_clean(const char *text)
{
    g_autofree char *valid = g_utf8_make_valid(text != NULL ? text : "", -1);
    GString *out = g_string_sized_new(strlen(valid));

    for (const char *p = valid; *p != '\0'; p = g_utf8_next_char(p)) {
        gunichar c = g_utf8_get_char(p);

        if (xml_char_ok(c)) {
            g_string_append_unichar(out, c);
        } else {
            g_string_append_c(out, '?');
        }
    }
    return g_string_free(out, FALSE);
}

static void
set_u64(xmlNode *node, const char *name, uint64_t value)
{
    char buf[32];

    g_snprintf(buf, sizeof(buf), "%" G_GUINT64_FORMAT, value);
    bl_xml_set_attr(node, name, buf);
}

static char *
format_doc(xmlDoc *doc)
{
    char *text = bl_xml_format(xmlDocGetRootElement(doc));

    xmlFreeDoc(doc);
    return text;
}

static xmlNode *
new_root(xmlDoc **doc, const char *name)
{
    xmlNode *root;

    *doc = xmlNewDoc((const xmlChar *) "1.0");
    root = xmlNewDocNode(*doc, NULL, (const xmlChar *) name, NULL);
    xmlDocSetRootElement(*doc, root);
    return root;
}

static int
add_pairs(xmlNode *root, const char *element, GHashTable *table, char **err)
{
    GHashTableIter iter;
    gpointer key;
    gpointer value;

    g_hash_table_iter_init(&iter, table);
    while (g_hash_table_iter_next(&iter, &key, &value)) {
        xmlNode *pair;

        if (!xml_text_ok(value)) {
            bl_err_set(
                err,
                "%s '%s': the value holds bytes XML cannot carry (control characters or invalid UTF-8)",
                element, (char *) key);
            return BL_EINVALID;
        }
        pair = bl_xml_add_child(root, element);
        bl_xml_set_attr(pair, "name", key);
        bl_xml_set_attr(pair, "value", value);
    }
    return 0;
}

int
bl_exec_request_to_text(const bl_exec_request_t *req, char **text, char **err)
{
    xmlDoc *doc = NULL;
    xmlNode *root = new_root(&doc, "exec-run");
    g_autofree char *agent = g_strdup_printf("%s:%s:%s", req->standard, req->provider, req->type);

    if (!xml_text_ok(req->rsc_id)) {
        bl_err_set(err, "resource '%s': the name holds bytes XML cannot carry", req->rsc_id);
        xmlFreeDoc(doc);
        return BL_EINVALID;
    }
    bl_xml_set_attr(root, "rsc", req->rsc_id);
    bl_xml_set_attr(root, "agent", agent);
    bl_xml_set_attr(root, "action", req->action);
    set_u64(root, "timeout", req->timeout_ms);
    set_u64(root, "interval", req->interval_ms);
    if (add_pairs(root, "param", req->params, err) != 0
        || add_pairs(root, "meta", req->meta, err) != 0) {
        xmlFreeDoc(doc);
        return BL_EINVALID;
    }
    *text = format_doc(doc);
    return 0;
}

/* Unsigned decimal attribute NAME of NODE; absent means 0. */
static int
attr_u64(const xmlNode *node, const char *name, uint64_t *value, char **err)
{
    const char *text = bl_xml_attr(node, name);
    char *end = NULL;

    *value = 0;
    if (text == NULL) {
        return 0;
    }
    errno = 0;
    *value = g_ascii_strtoull(text, &end, 10);
    if (*text < '0' || *text > '9' || *end != '\0' || errno != 0) {
        bl_err_set(err, "line %ld: <%s %s=\"%s\">: not an unsigned number", bl_xml_line(node),
                   (const char *) node->name, name, text);
        return BL_EPARSE;
    }
    return 0;
}

static int
parse_root(const char *text, size_t len, const char *name, xmlDoc **doc, char **err)
{
    int rc = bl_xml_parse(text, len, "executor message", doc, err);

    if (rc != 0) {
        return rc;
    }
    if (!bl_xml_is(xmlDocGetRootElement(*doc), name)) {
        bl_err_set(err, "executor message: expected <%s>, got <%s>", name,
                   (const char *) xmlDocGetRootElement(*doc)->name);
        xmlFreeDoc(*doc);
        *doc = NULL;
        return BL_EPARSE;
    }
    return 0;
}

static int
read_pairs(const xmlNode *root, bl_exec_request_t *req, char **err)
{
    for (const xmlNode *n = bl_xml_first_child(root, NULL); n != NULL; n = bl_xml_next(n, NULL)) {
        bool is_meta = bl_xml_is(n, "meta");
        const char *name = bl_xml_attr(n, "name");
        const char *value = bl_xml_attr(n, "value");

        if ((!is_meta && !bl_xml_is(n, "param")) || name == NULL || value == NULL) {
            bl_err_set(err, "line %ld: expected <param> or <meta> with name and value",
                       bl_xml_line(n));
            return BL_EPARSE;
        }
        if (bl_exec_request_set(req, is_meta, name, value, err) != 0) {
            bl_err_prefix(err, "line %ld", bl_xml_line(n));
            return BL_EINVALID;
        }
    }
    return 0;
}

int
bl_exec_request_from_text(const char *text, size_t len, bl_exec_request_t **req, char **err)
{
    xmlDoc *doc = NULL;
    const xmlNode *root;
    const char *rsc;
    bl_exec_request_t *r = NULL;
    int rc = parse_root(text, len, "exec-run", &doc, err);

    if (rc != 0) {
        return rc;
    }
    root = xmlDocGetRootElement(doc);
    rsc = bl_xml_attr(root, "rsc");
    if (rsc == NULL || *rsc == '\0' || bl_xml_attr(root, "agent") == NULL
        || bl_xml_attr(root, "action") == NULL) {
        bl_err_set(err, "<exec-run>: rsc, agent and action are required");
        rc = BL_EPARSE;
        goto done;
    }
    rc = bl_exec_request_new(rsc, bl_xml_attr(root, "agent"), bl_xml_attr(root, "action"), &r, err);
    if (rc == 0) {
        rc = attr_u64(root, "timeout", &r->timeout_ms, err);
    }
    if (rc == 0) {
        rc = attr_u64(root, "interval", &r->interval_ms, err);
    }
    if (rc == 0) {
        rc = read_pairs(root, r, err);
    }
done:
    xmlFreeDoc(doc);
    if (rc != 0) {
        bl_exec_request_free(r);
        return rc;
    }
    *req = r;
    return 0;
}

char *
bl_exec_result_to_text(const bl_exec_event_t *event)
{
    xmlDoc *doc = NULL;
    xmlNode *root = new_root(&doc, "exec-result");
    const bl_exec_result_t *res = &event->result;
    g_autofree char *out = bl__exec_xml_clean(res->out);
    g_autofree char *errs = bl__exec_xml_clean(res->err);

    set_u64(root, "call-id", event->call_id);
    bl_xml_set_attr(root, "final", event->final ? "1" : "0");
    bl_xml_set_attr(root, "status", bl_exec_status_str(res->status));
    set_u64(root, "rc", (uint64_t) res->rc);
    set_u64(root, "signo", (uint64_t) res->signo);
    set_u64(root, "duration", res->duration_ms);
    set_u64(root, "out-dropped", res->out_dropped);
    set_u64(root, "err-dropped", res->err_dropped);
    bl_xml_set_attr(root, "stdout", out);
    bl_xml_set_attr(root, "stderr", errs);
    if (res->exit_reason != NULL) {
        g_autofree char *reason = bl__exec_xml_clean(res->exit_reason);

        bl_xml_set_attr(root, "exit-reason", reason);
    }
    if (res->message != NULL) {
        g_autofree char *message = bl__exec_xml_clean(res->message);

        bl_xml_set_attr(root, "message", message);
    }
    return format_doc(doc);
}

static int
parse_status(const xmlNode *root, enum bl_exec_status *status, char **err)
{
    const char *text = bl_xml_attr(root, "status");

    for (int s = BL_EXEC_DONE; s <= BL_EXEC_CANCELLED; s++) {
        if (text != NULL && strcmp(text, bl_exec_status_str((enum bl_exec_status) s)) == 0) {
            *status = (enum bl_exec_status) s;
            return 0;
        }
    }
    bl_err_set(err, "<exec-result>: unknown status '%s'", text != NULL ? text : "");
    return BL_EPARSE;
}

static int
read_numbers(const xmlNode *root, bl_exec_event_t *event, char **err)
{
    bl_exec_result_t *res = &event->result;
    uint64_t rc = 0;
    uint64_t signo = 0;

    if (attr_u64(root, "call-id", &event->call_id, err) != 0 || attr_u64(root, "rc", &rc, err) != 0
        || attr_u64(root, "signo", &signo, err) != 0
        || attr_u64(root, "duration", &res->duration_ms, err) != 0
        || attr_u64(root, "out-dropped", &event->result.out_dropped, err) != 0
        || attr_u64(root, "err-dropped", &event->result.err_dropped, err) != 0) {
        return BL_EPARSE;
    }
    if (rc > 255 || signo > 64) {
        bl_err_set(err, "<exec-result>: rc or signal out of range");
        return BL_EPARSE;
    }
    res->rc = (int) rc;
    res->signo = (int) signo;
    return 0;
}

int
bl_exec_result_from_text(const char *text, size_t len, bl_exec_event_t *event, char **err)
{
    xmlDoc *doc = NULL;
    const xmlNode *root;
    bl_exec_event_t ev = {0};
    int rc = parse_root(text, len, "exec-result", &doc, err);

    if (rc != 0) {
        return rc;
    }
    root = xmlDocGetRootElement(doc);
    rc = read_numbers(root, &ev, err);
    if (rc == 0) {
        rc = parse_status(root, &ev.result.status, err);
    }
    if (rc == 0) {
        const char *final = bl_xml_attr(root, "final");

        ev.final = final != NULL && strcmp(final, "1") == 0;
        ev.result.out = g_strdup(bl_xml_attr(root, "stdout") ? bl_xml_attr(root, "stdout") : "");
        ev.result.err = g_strdup(bl_xml_attr(root, "stderr") ? bl_xml_attr(root, "stderr") : "");
        ev.result.exit_reason = g_strdup(bl_xml_attr(root, "exit-reason"));
        ev.result.message = g_strdup(bl_xml_attr(root, "message"));
        *event = ev;
    }
    xmlFreeDoc(doc);
    return rc;
}

char *
bl_exec_reply_to_text(int rc, uint64_t call_id, const char *message)
{
    xmlDoc *doc = NULL;
    xmlNode *root = new_root(&doc, "exec-reply");
    char buf[16];

    g_snprintf(buf, sizeof(buf), "%d", rc);
    bl_xml_set_attr(root, "rc", buf);
    set_u64(root, "call-id", call_id);
    if (message != NULL) {
        g_autofree char *clean = bl__exec_xml_clean(message);

        bl_xml_set_attr(root, "message", clean);
    }
    return format_doc(doc);
}

int
bl_exec_reply_from_text(const char *text, size_t len, int *reply_rc, uint64_t *call_id,
                        char **message, char **err)
{
    xmlDoc *doc = NULL;
    const xmlNode *root;
    const char *rc_text;
    char *end = NULL;
    long rc;
    int parse_rc = parse_root(text, len, "exec-reply", &doc, err);

    if (parse_rc != 0) {
        return parse_rc;
    }
    root = xmlDocGetRootElement(doc);
    rc_text = bl_xml_attr(root, "rc");
    rc = rc_text != NULL ? strtol(rc_text, &end, 10) : 1;
    if (rc_text == NULL || *end != '\0' || rc > 0 || rc < -100000
        || attr_u64(root, "call-id", call_id, err) != 0) {
        bl_err_set(err, "<exec-reply>: missing or invalid rc or call-id");
        xmlFreeDoc(doc);
        return BL_EPARSE;
    }
    *reply_rc = (int) rc;
    *message = g_strdup(bl_xml_attr(root, "message"));
    xmlFreeDoc(doc);
    return 0;
}

char *
bl_exec_call_to_text(const char *element, uint64_t call_id)
{
    xmlDoc *doc = NULL;
    xmlNode *root = new_root(&doc, element);

    set_u64(root, "call-id", call_id);
    return format_doc(doc);
}

int
bl_exec_call_from_text(const char *text, size_t len, const char *element, uint64_t *call_id,
                       char **err)
{
    xmlDoc *doc = NULL;
    int rc = parse_root(text, len, element, &doc, err);

    if (rc == 0) {
        rc = attr_u64(xmlDocGetRootElement(doc), "call-id", call_id, err);
        xmlFreeDoc(doc);
    }
    return rc;
}
