/*
 * belay-based's CIB: queries answered from the local replica; writes checked, multicast
 * on CPG and applied on delivery — on the writer's node too — then persisted, and only
 * then acknowledged to the client.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <belay/common.h>
#include <belay/crm.h>

#include "based_private.h"

/*
 * A delivered write waiting for the group commit: applied in memory and journaled, its
 * acknowledgement goes out once the journal is on disk.
 */
/* When a write of this process passed each step (g_get_monotonic_time()), for the log. */
typedef struct based_times {
    gint64 received; /* its request was read */
    gint64 sent;     /* its batch was multicast */
    gint64 delivered;
    gint64 applied;
} based_times_t;

typedef struct based_done {
    qb_ipcs_connection_t *c; /* the writer's client when it is ours, else NULL */
    char ref[BL_CIB_REF_MAX + 1];
    int rc;
    char *err;
    uint64_t seq;
    based_times_t times; /* all 0 for another process's write */
    char *change;        /* the applied diff, for subscribers once it is durable; NULL if none */
} based_done_t;

/* A write of this process from its request until its delivery (based_t.pending). */
typedef struct based_pending {
    qb_ipcs_connection_t *c;
    char ref[BL_CIB_REF_MAX + 1]; /* the request's ref, echoed in the reply; "" when none */
    based_times_t times;
} based_pending_t;

/* A write in the outbox: checked, numbered, waiting to be multicast. */
typedef struct based_outgoing {
    uint64_t seq;
    char *body; /* a <cib-diff> or a <cib-edit> */
} based_outgoing_t;

/* A batch is cut at this size, so that one multicast does not hold the others up. */
#define BATCH_MAX_BYTES (1024 * 1024)

/* How often a subscriber whose buffer was full is offered the resync notice. */
#define RESYNC_RETRY_MS 100
/* cib.xml is rewritten from the journal once no write came for this long. */
#define CHECKPOINT_IDLE_MS 1000

static const char syncing_text[] =
    "the members are comparing their CIBs after a membership change; try again";

/*
 * A reply to the request REF (NULL or "": none); with BASED, it carries the current CIB's
 * version and (kept) digest.
 */
static void
reply_ref(qb_ipcs_connection_t *c, const char *ref, int rc, const char *message, based_t *based,
          const xmlNode *content)
{
    const xmlDoc *doc = based != NULL ? bl_cib_replica_doc(based->replica) : NULL;
    const char *digest = based != NULL ? bl_cib_replica_digest(based->replica) : NULL;
    char *text = bl_cib_reply_format_ref(rc, message, doc, digest, ref, content);

    based_ipc_reply(c, text);
    free(text);
}

static void
reply(qb_ipcs_connection_t *c, int rc, const char *message, based_t *based, const xmlNode *content)
{
    reply_ref(c, NULL, rc, message, based, content);
}

/* <cib-query xpath="EXPR"/>: the selected elements, or why there are none. */
static void
query_xpath(based_t *based, qb_ipcs_connection_t *c, const char *expr)
{
    xmlDoc *result = NULL;
    char *err = NULL;
    int rc = bl_cib_xpath(bl_cib_replica_doc(based->replica), expr, &result, &err);

    reply(c, rc, err, based, rc == 0 ? xmlDocGetRootElement(result) : NULL);
    xmlFreeDoc(result);
    free(err);
}

static void
handle_query(based_t *based, qb_ipcs_connection_t *c, const char *body)
{
    const xmlDoc *doc = bl_cib_replica_doc(based->replica);
    xmlDoc *query = NULL;
    char *err = NULL;
    const char *name;
    const xmlNode *content;

    if (bl_xml_parse(body, strlen(body), "query", &query, &err) != 0) {
        reply(c, BL_EPARSE, err, NULL, NULL);
        free(err);
        return;
    }
    if (bl_xml_attr(xmlDocGetRootElement(query), "xpath") != NULL) {
        query_xpath(based, c, bl_xml_attr(xmlDocGetRootElement(query), "xpath"));
        xmlFreeDoc(query);
        return;
    }
    name = bl_xml_attr(xmlDocGetRootElement(query), "section");
    content = name != NULL ? bl_cib_section(doc, name) : xmlDocGetRootElement(doc);
    if (content == NULL) {
        err = bl_asprintf("the CIB has no %s section", name);
        reply(c, BL_ENOTFOUND, err, based, NULL);
        free(err);
    } else {
        reply(c, 0, NULL, based, content);
    }
    xmlFreeDoc(query);
}

/* Commands of `belay configure` that belay-based runs: those that only change the CIB. */
static const char *const crm_verbs[] = {
    "primitive",   "group",       "clone",  "ms",       "location",
    "colocation",  "collocation", "order",  "property", "rsc_defaults",
    "op_defaults", "node",        "delete", "rename",   NULL,
};

/* The words of a <crm> operation, NULL-terminated (free with g_strfreev()). */
static char **
crm_words(const xmlNode *op, int *argc, char **err)
{
    GPtrArray *words = g_ptr_array_new();
    bool known = false;

    for (const xmlNode *arg = bl_xml_first_child(op, "arg"); arg != NULL;
         arg = bl_xml_next(arg, "arg")) {
        xmlChar *text = xmlNodeGetContent(arg);

        g_ptr_array_add(words, g_strdup((const char *) text));
        xmlFree(text);
    }
    for (int i = 0; words->len > 0 && crm_verbs[i] != NULL; i++) {
        known = known || strcmp(crm_verbs[i], g_ptr_array_index(words, 0)) == 0;
    }
    if (!known) {
        bl_err_set(
            err,
            "crm: '%s' is not run by belay-based (only commands that change the configuration are)",
            words->len > 0 ? (const char *) g_ptr_array_index(words, 0) : "");
    }
    *argc = (int) words->len;
    g_ptr_array_add(words, NULL);
    if (!known) {
        g_strfreev((char **) g_ptr_array_free(words, FALSE));
        return NULL;
    }
    return (char **) g_ptr_array_free(words, FALSE);
}

/* Runs a <crm> operation of an edit: a `belay configure` command, on DOC. */
static int
run_crm(xmlDoc *doc, const xmlNode *op, void *data, char **err)
{
    int argc = 0;
    char **argv;
    int rc;

    (void) data;
    if (!bl_xml_is(op, "crm")) {
        return bl_cib_edit_op_apply(doc, op, err);
    }
    argv = crm_words(op, &argc, err);
    if (argv == NULL) {
        return BL_EPARSE;
    }
    rc = bl_crm_configure(doc, argc, argv, NULL, err);
    g_strfreev(argv);
    return rc;
}

/* What can be told before an edit is multicast: its form, not its outcome. */
static int
check_edit(const xmlDoc *edit, char **err)
{
    const xmlNode *root = xmlDocGetRootElement(edit);
    const xmlNode *op = bl_xml_first_child(root, NULL);

    if (!bl_xml_is(root, "cib-edit") || op == NULL) {
        bl_err_set(
            err,
            "edit: expected <cib-edit> holding operations (modify, create, replace, delete or crm)");
        return BL_EPARSE;
    }
    for (; op != NULL; op = bl_xml_next(op, NULL)) {
        int argc;
        char **argv;

        if (bl_cib_edit_is_element_op(op)) {
            continue;
        }
        if (!bl_xml_is(op, "crm")) {
            bl_err_set(err, "edit: unknown operation '%s' (modify, create, replace, delete or crm)",
                       op->name);
            return BL_EPARSE;
        }
        argv = crm_words(op, &argc, err);
        if (argv == NULL) {
            return BL_EPARSE;
        }
        g_strfreev(argv);
    }
    return 0;
}

/*
 * The request's ref attribute, which its reply echoes so that a client with several writes
 * in flight can pair them. Digits only, at most BL_CIB_REF_MAX of them.
 */
static int
request_ref(const xmlDoc *payload, const char **ref, char **err)
{
    const char *text = bl_xml_attr(xmlDocGetRootElement(payload), "ref");

    *ref = NULL;
    if (text == NULL) {
        return 0;
    }
    if (*text == '\0' || strlen(text) > BL_CIB_REF_MAX
        || strspn(text, "0123456789") != strlen(text)) {
        bl_err_set(err, "request: ref '%.40s' is not a number of at most %d digits", text,
                   BL_CIB_REF_MAX);
        return BL_EPARSE;
    }
    *ref = text;
    return 0;
}

static void
outgoing_free(based_outgoing_t *out)
{
    free(out->body);
    g_free(out);
}

/* Answers the writes of a batch that could not be multicast. */
static void
fail_batch(based_t *based, GPtrArray *batch, int rc)
{
    char *err = bl_asprintf("cannot multicast the write: %s", bl_strerror(rc));

    for (guint i = 0; i < batch->len; i++) {
        based_outgoing_t *out = g_ptr_array_index(batch, i);
        based_pending_t *pending = g_hash_table_lookup(based->pending, &out->seq);

        if (pending != NULL) {
            reply_ref(pending->c, pending->ref, rc, err, based, NULL);
            g_hash_table_remove(based->pending, &out->seq);
        }
    }
    free(err);
}

/* Multicasts the writes of BATCH in one message (see BASED_MSG_BATCH). */
static void
send_batch(based_t *based, GPtrArray *batch)
{
    GString *msg = g_string_new(NULL);
    int rc;

    g_string_printf(msg, "%c %u\n", BASED_MSG_BATCH, batch->len);
    for (guint i = 0; i < batch->len; i++) {
        based_outgoing_t *out = g_ptr_array_index(batch, i);

        g_string_append_printf(msg, "%" PRIu64 " %c %zu\n%s", out->seq, based->quorate ? 'q' : 'n',
                               strlen(out->body), out->body);
    }
    rc = based_send(based, msg->str, msg->len + 1);
    if (rc != 0) {
        bl_warn("cannot multicast %u write(s): %s", batch->len, bl_strerror(rc));
        fail_batch(based, batch, rc);
    }
    for (guint i = 0; rc == 0 && i < batch->len; i++) {
        based_outgoing_t *out = g_ptr_array_index(batch, i);
        based_pending_t *pending = g_hash_table_lookup(based->pending, &out->seq);

        if (pending != NULL) {
            pending->times.sent = g_get_monotonic_time();
        }
    }
    g_string_free(msg, TRUE);
}

/*
 * Every write the requests at hand brought, multicast together: one message to order
 * instead of one per write, and on delivery one group commit for them all.
 */
static gboolean
send_outbox(gpointer data)
{
    based_t *based = data;
    GPtrArray *batch = g_ptr_array_new_with_free_func((GDestroyNotify) outgoing_free);
    size_t bytes = 0;
    based_outgoing_t *out;

    based->send_source = 0;
    while ((out = g_queue_pop_head(&based->outbox)) != NULL) {
        if (batch->len > 0 && bytes + strlen(out->body) > BATCH_MAX_BYTES) {
            send_batch(based, batch);
            g_ptr_array_set_size(batch, 0);
            bytes = 0;
        }
        bytes += strlen(out->body);
        g_ptr_array_add(batch, out);
    }
    if (batch->len > 0) {
        send_batch(based, batch);
    }
    g_ptr_array_free(batch, TRUE);
    return G_SOURCE_REMOVE;
}

/* Numbers BODY (taken), so that its delivery here finds the client, and queues it. */
static void
enqueue(based_t *based, qb_ipcs_connection_t *c, const char *ref, char *body, gint64 received)
{
    based_outgoing_t *out = g_new0(based_outgoing_t, 1);
    based_pending_t *pending = g_new0(based_pending_t, 1);

    out->seq = ++based->next_seq;
    out->body = body;
    pending->c = c;
    pending->times.received = received;
    g_strlcpy(pending->ref, ref != NULL ? ref : "", sizeof(pending->ref));
    g_hash_table_insert(based->pending, g_memdup2(&out->seq, sizeof(out->seq)), pending);
    g_queue_push_tail(&based->outbox, out);
    if (based->send_source == 0) {
        based->send_source = g_idle_add_full(G_PRIORITY_DEFAULT, send_outbox, based, NULL);
    }
}

/* Writes are taken only while connected and not comparing CIBs with new members. */
static int
writable(const based_t *based, char **err)
{
    if (based->cpg == NULL || !bl_cpg_connected(based->cpg)) {
        bl_err_set(err, "not connected to corosync; writes are refused until it is back");
        return -ENOTCONN;
    }
    if (based->syncing) {
        bl_err_set(err, "%s", syncing_text);
        return -EAGAIN;
    }
    return 0;
}

/* Checks a write; returns the text to multicast in *body. */
static int
prepare(based_t *based, int32_t id, const xmlDoc *payload, const char *text, char **body,
        char **err)
{
    xmlDoc *diff = NULL;
    bool configuration = false;
    int rc;

    /* An edit travels as the client wrote it: it parsed, so every member parses it alike. */
    if (id == BL_CIB_MSG_EDIT) {
        rc = check_edit(payload, err);
        *body = rc == 0 ? bl_strdup(text) : NULL;
        return rc;
    }
    rc = bl_cib_replica_prepare(based->replica, payload, id == BL_CIB_MSG_REPLACE, based->quorate,
                                &diff, &configuration, err);
    *body = rc == 0 ? bl_xml_format(xmlDocGetRootElement(diff)) : NULL;
    xmlFreeDoc(diff);
    return rc;
}

static void
handle_write(based_t *based, qb_ipcs_connection_t *c, const char *body, int32_t id)
{
    static const char *const names[] = {
        [BL_CIB_MSG_PATCH] = "diff", [BL_CIB_MSG_REPLACE] = "new CIB", [BL_CIB_MSG_EDIT] = "edit"};
    xmlDoc *payload = NULL;
    char *err = NULL;
    char *text = NULL;
    const char *ref = NULL;
    gint64 received = g_get_monotonic_time();
    int rc = bl_xml_parse(body, strlen(body), names[id], &payload, &err);

    if (rc == 0) {
        rc = request_ref(payload, &ref, &err);
    }
    if (rc == 0) {
        rc = writable(based, &err);
    }
    if (rc == 0) {
        rc = prepare(based, id, payload, body, &text, &err);
    }
    if (rc == 0) {
        enqueue(based, c, ref, text, received);
    } else {
        bl_notice("write refused: %s", err != NULL ? err : bl_strerror(rc));
        reply_ref(c, ref, rc, err, based, NULL);
    }
    free(err);
    xmlFreeDoc(payload);
}

void
based_cib_request(qb_ipcs_connection_t *c, int32_t id, const char *body, void *user_data)
{
    based_t *based = user_data;

    switch (id) {
    case BL_CIB_MSG_QUERY:
        handle_query(based, c, body);
        break;
    case BL_CIB_MSG_VERSION:
        reply(c, 0, NULL, based, NULL);
        break;
    case BL_CIB_MSG_SUBSCRIBE:
        g_hash_table_insert(based->subscribers, c, GINT_TO_POINTER(0));
        reply(c, 0, NULL, based, NULL);
        break;
    case BL_CIB_MSG_PATCH:
    case BL_CIB_MSG_REPLACE:
    case BL_CIB_MSG_EDIT:
        handle_write(based, c, body, id);
        break;
    default:
        reply(c, BL_EPARSE, "unknown request id", NULL, NULL);
        break;
    }
}

void
based_cib_client_closed(qb_ipcs_connection_t *c, void *user_data)
{
    based_t *based = user_data;
    GHashTableIter iter;
    gpointer value;

    g_hash_table_iter_init(&iter, based->pending);
    while (g_hash_table_iter_next(&iter, NULL, &value)) {
        if (((based_pending_t *) value)->c == c) {
            g_hash_table_iter_remove(&iter);
        }
    }
    g_hash_table_remove(based->subscribers, c);
    for (GList *item = based->done.head; item != NULL; item = item->next) {
        based_done_t *done = item->data;

        if (done->c == c) {
            done->c = NULL;
        }
    }
}

static const char resync_text[] =
    "<cib-resync-needed reason=\"changes were dropped while this subscriber's buffer was full; query the CIB again\"/>";

/* Tells an overflowed subscriber to re-read the CIB; true once that is sent. */
static bool
send_resync(qb_ipcs_connection_t *c)
{
    if (based_ipc_event(c, resync_text) != 0) {
        return false;
    }
    bl_notice("subscriber: reads again; told it to query the CIB anew (changes were dropped)");
    return true;
}

static gboolean
retry_resync(gpointer data)
{
    based_t *based = data;
    GHashTableIter iter;
    gpointer c;
    gpointer overflowed;
    bool waiting = false;

    g_hash_table_iter_init(&iter, based->subscribers);
    while (g_hash_table_iter_next(&iter, &c, &overflowed)) {
        if (GPOINTER_TO_INT(overflowed) && send_resync(c)) {
            g_hash_table_iter_replace(&iter, GINT_TO_POINTER(0));
        } else if (GPOINTER_TO_INT(overflowed)) {
            waiting = true;
        }
    }
    if (!waiting) {
        based->resync_timer = 0;
    }
    return waiting ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

void
based_cib_notify(based_t *based, const char *text)
{
    GHashTableIter iter;
    gpointer c;
    gpointer overflowed;

    g_hash_table_iter_init(&iter, based->subscribers);
    while (g_hash_table_iter_next(&iter, &c, &overflowed)) {
        if (GPOINTER_TO_INT(overflowed) && !send_resync(c)) {
            continue;
        }
        if (based_ipc_event(c, text) == 0) {
            g_hash_table_iter_replace(&iter, GINT_TO_POINTER(0));
            continue;
        }
        bl_warn(
            "subscriber: its buffer is full; changes are dropped until it reads, then it is told to query the CIB anew");
        g_hash_table_iter_replace(&iter, GINT_TO_POINTER(1));
        if (based->resync_timer == 0) {
            based->resync_timer = g_timeout_add(RESYNC_RETRY_MS, retry_resync, based);
        }
    }
}

void
based_cib_fail_pending(based_t *based, int rc, const char *why)
{
    GHashTableIter iter;
    gpointer value;

    g_hash_table_iter_init(&iter, based->pending);
    while (g_hash_table_iter_next(&iter, NULL, &value)) {
        based_pending_t *pending = value;

        reply_ref(pending->c, pending->ref, rc, why, NULL, NULL);
        g_hash_table_iter_remove(&iter);
    }
}

void
based_cib_stop(based_t *based)
{
    if (based->send_source != 0) {
        g_source_remove(based->send_source);
        based->send_source = 0;
    }
    g_queue_clear_full(&based->outbox, (GDestroyNotify) outgoing_free);
}

static void
done_free(based_done_t *done)
{
    free(done->change);
    free(done->err);
    g_free(done);
}

/*
 * Sends the changes made durable, in order. After a failed flush they wait for the next
 * one that succeeds: a subscriber must never act on a change this node could lose.
 */
static void
notify_durable(based_t *based)
{
    char *change;

    while ((change = g_queue_pop_head(&based->undurable)) != NULL) {
        based_cib_notify(based, change);
        free(change);
    }
}

static gboolean
checkpoint(gpointer data)
{
    based_t *based = data;
    char *err = NULL;

    /* In a thread: a write that comes meanwhile does not wait for cib.xml. */
    if (bl_cib_replica_checkpoint_start(based->replica, &err) != 0) {
        bl_err("cannot write the CIB to disk: %s", err);
    }
    free(err);
    /* Until it is done (and its journal gone), look again. */
    if (bl_cib_replica_dirty(based->replica)) {
        return G_SOURCE_CONTINUE;
    }
    based->checkpoint_timer = 0;
    return G_SOURCE_REMOVE;
}

/* Where the time of one of this process's writes went (debug: BELAY_DEBUG=1). */
static void
log_times(const based_done_t *done, int flush_rc)
{
    const based_times_t *t = &done->times;
    gint64 now;

    if (t->received == 0) {
        return;
    }
    now = g_get_monotonic_time();
    bl_debug("write %" PRIu64 ": rc %d; checked and multicast after %" G_GINT64_FORMAT
             " us, delivered after %" G_GINT64_FORMAT " us, applied in %" G_GINT64_FORMAT
             " us, on disk after %" G_GINT64_FORMAT " us (flush rc %d); %" G_GINT64_FORMAT
             " us in all",
             done->seq, done->rc, t->sent - t->received, t->delivered - t->sent,
             t->applied - t->delivered, now - t->applied, flush_rc, now - t->received);
}

void
based_cib_flush(based_t *based)
{
    char *err = NULL;
    int rc = bl_cib_replica_flush(based->replica, &err);
    based_done_t *done;

    if (based->flush_source != 0) {
        g_source_remove(based->flush_source);
        based->flush_source = 0;
    }
    if (rc != 0) {
        bl_err("cannot write the journal to disk: %s", err);
    }
    while ((done = g_queue_pop_head(&based->done)) != NULL) {
        log_times(done, rc);
        if (done->change != NULL) {
            /* Subscribers, like the writer, hear of a change only once it is on disk. */
            g_queue_push_tail(&based->undurable, g_steal_pointer(&done->change));
        }
        if (rc == 0) {
            notify_durable(based);
        }
        if (done->c != NULL) {
            /* A write applied in memory but not on disk must not look durable. */
            reply_ref(done->c, done->ref, done->rc == 0 ? rc : done->rc,
                      done->rc == 0 && rc != 0 ? err : done->err, NULL, NULL);
        }
        done_free(done);
    }
    free(err);
    /* cib.xml itself is rewritten once writes pause, not for each one. */
    if (based->checkpoint_timer != 0) {
        g_source_remove(based->checkpoint_timer);
    }
    based->checkpoint_timer = bl_cib_replica_dirty(based->replica)
                                  ? g_timeout_add(CHECKPOINT_IDLE_MS, checkpoint, based)
                                  : 0;
}

static gboolean
flush_now(gpointer data)
{
    based_t *based = data;

    based->flush_source = 0;
    based_cib_flush(based);
    return G_SOURCE_REMOVE;
}

/* Applies one delivered diff in memory and journals it; returns its rc, reason in *err. */
static int
apply(based_t *based, const char *text, size_t len, char **err)
{
    xmlDoc *diff = NULL;
    int rc = bl_xml_parse(text, len, "delivered write", &diff, err);

    if (rc == 0) {
        rc = bl_cib_replica_apply_deferred(based->replica, diff, text, len, err);
    }
    xmlFreeDoc(diff);
    return rc;
}

static int
run_edit(xmlDoc *doc, void *data, char **err)
{
    return bl_cib_edit_apply(doc, data, run_crm, NULL, err);
}

/*
 * Applies one delivered edit to the CIB as it is now, with the sender's quorum as it sent
 * it, so that every member decides alike. *change gets the diff for subscribers, NULL when
 * the edit changed nothing.
 */
static int
apply_edit(based_t *based, const char *text, size_t len, bool quorate, char **change, char **err)
{
    xmlDoc *edit = NULL;
    int rc = bl_xml_parse(text, len, "delivered edit", &edit, err);

    *change = NULL;
    if (rc == 0) {
        rc = bl_cib_replica_change_deferred(based->replica, run_edit, edit, quorate, change, err);
    }
    xmlFreeDoc(edit);
    return rc;
}

/* One delivered write, as every member sees it. */
typedef struct delivered {
    uint32_t nodeid;
    uint64_t seq;
    bool local;   /* multicast by this process */
    bool quorate; /* the sender's partition was quorate as it sent it */
    const char *body;
    size_t len;
    gint64 delivered; /* when its message came */
} delivered_t;

/*
 * Queues a write's outcome (and CHANGE, the applied diff, or NULL) for the next group
 * commit, which runs once delivery pauses.
 */
static void
queue_done(based_t *based, const delivered_t *w, const based_pending_t *pending, int rc, char *err,
           char *change)
{
    based_done_t *done = g_new0(based_done_t, 1);

    done->seq = w->seq;
    if (pending != NULL) {
        done->c = pending->c;
        g_strlcpy(done->ref, pending->ref, sizeof(done->ref));
        done->times = pending->times;
        done->times.delivered = w->delivered;
        done->times.applied = g_get_monotonic_time();
    }
    done->rc = rc;
    done->err = err;
    done->change = change;
    g_queue_push_tail(&based->done, done);
    if (based->flush_source == 0) {
        based->flush_source = g_idle_add_full(G_PRIORITY_HIGH, flush_now, based, NULL);
    }
}

static bool
is_edit(const delivered_t *w)
{
    static const char edit_tag[] = "<cib-edit";

    return w->len >= sizeof(edit_tag) - 1 && memcmp(w->body, edit_tag, sizeof(edit_tag) - 1) == 0;
}

/* Applies W; returns its rc, with the change for subscribers in *change. */
static int
apply_delivered(based_t *based, const delivered_t *w, char **change, char **err)
{
    int rc;

    *change = NULL;
    if (based->syncing) {
        /* Every member is in the same state here, so every member refuses it alike. */
        bl_info("write %" PRIu64 " from node %" PRIu32 " refused: CIB sync in progress", w->seq,
                w->nodeid);
        *err = bl_strdup(syncing_text);
        return -EAGAIN;
    }
    if (is_edit(w)) {
        rc = apply_edit(based, w->body, w->len, w->quorate, change, err);
        if (rc != 0) {
            bl_notice("write %" PRIu64 " from node %" PRIu32 " refused: %s", w->seq, w->nodeid,
                      *err);
        }
        return rc;
    }
    rc = apply(based, w->body, w->len, err);
    if (rc == 0) {
        *change = bl_strndup(w->body, w->len);
    } else if (rc == BL_EVERSION) {
        bl_info("write %" PRIu64 " from node %" PRIu32 " lost a race: %s", w->seq, w->nodeid, *err);
    } else {
        bl_err("write %" PRIu64 " from node %" PRIu32 " failed: %s", w->seq, w->nodeid, *err);
    }
    return rc;
}

/* W's outcome, RC with ERR or CHANGE (both taken): its writer and subscribers hear of it. */
static void
finish_delivered(based_t *based, const delivered_t *w, int rc, char *err, char *change)
{
    based_pending_t *pending = NULL;

    if (rc == 0 && change != NULL && !based->quorate) {
        based_sync_set_minority(based, true);
    }
    if (w->local) {
        pending = g_hash_table_lookup(based->pending, &w->seq);
    }
    /* subscribers hear of CHANGE with the writer's acknowledgement, once it is on disk */
    queue_done(based, w, pending, rc, err, change);
    if (pending != NULL) {
        g_hash_table_remove(based->pending, &w->seq);
    }
}

/* A write delivered in agreed order: applied here as on every other member. */
static void
deliver_one(based_t *based, const delivered_t *w)
{
    char *err = NULL;
    char *change = NULL;
    int rc = apply_delivered(based, w, &change, &err);

    finish_delivered(based, w, rc, err, change);
}

/* "W SEQ\n" + <cib-diff>: a lone write, as earlier versions send them. */
static void
deliver_write(based_t *based, delivered_t *w, const char *text, size_t len)
{
    const char *newline = memchr(text, '\n', len);

    if (newline == NULL) {
        bl_warn("ignored a malformed write of %zu bytes from node %" PRIu32, len, w->nodeid);
        return;
    }
    w->seq = g_ascii_strtoull(text + 2, NULL, 10);
    w->quorate = true; /* a diff's quorum was checked before it was multicast */
    w->body = newline + 1;
    w->len = len - 2 - (size_t) (newline - text);
    deliver_one(based, w);
}

/* Parses "SEQ Q LEN\n" at *P (END the end of the batch) into W; false when malformed. */
static bool
next_in_batch(const char **p, const char *end, delivered_t *w)
{
    char quorum = 0;
    unsigned long long seq = 0;
    size_t len = 0;
    int used = 0;
    const char *newline = memchr(*p, '\n', (size_t) (end - *p));

    if (newline == NULL || sscanf(*p, "%llu %c %zu%n", &seq, &quorum, &len, &used) != 3
        || *p + used != newline || len > (size_t) (end - newline - 1)) {
        return false;
    }
    w->seq = seq;
    w->quorate = quorum == 'q';
    w->body = newline + 1;
    w->len = len;
    *p = newline + 1 + len;
    return true;
}

/*
 * The edits of EDITS (delivered_t), in order, applied together: one validation for the
 * run instead of one per edit (bl_cib_replica_change_batch_deferred()). Empties EDITS.
 */
static void
deliver_edits(based_t *based, GArray *edits)
{
    bl_cib_batch_item_t *items;
    xmlDoc **docs;
    GArray *runnable;

    if (edits->len == 0) {
        return;
    }
    items = g_new0(bl_cib_batch_item_t, edits->len);
    docs = g_new0(xmlDoc *, edits->len);
    runnable = g_array_new(FALSE, FALSE, sizeof(bl_cib_batch_item_t));
    for (guint i = 0; i < edits->len; i++) {
        const delivered_t *w = &g_array_index(edits, delivered_t, i);

        items[i].quorate = w->quorate;
        items[i].rc = bl_xml_parse(w->body, w->len, "delivered edit", &docs[i], &items[i].err);
        items[i].data = docs[i];
        if (items[i].rc == 0) {
            g_array_append_val(runnable, items[i]);
        }
    }
    bl_cib_replica_change_batch_deferred(based->replica, run_edit,
                                         (bl_cib_batch_item_t *) runnable->data, runnable->len);
    for (guint i = 0, r = 0; i < edits->len; i++) {
        const delivered_t *w = &g_array_index(edits, delivered_t, i);
        bl_cib_batch_item_t *item = &items[i];

        if (docs[i] != NULL) {
            item = &g_array_index(runnable, bl_cib_batch_item_t, r++);
        }
        if (item->rc != 0) {
            bl_notice("write %" PRIu64 " from node %" PRIu32 " refused: %s", w->seq, w->nodeid,
                      item->err);
        }
        finish_delivered(based, w, item->rc, item->err, item->diff);
        xmlFreeDoc(docs[i]);
    }
    g_array_free(runnable, TRUE);
    g_free(docs);
    g_free(items);
    g_array_set_size(edits, 0);
}

/*
 * "B N\n" and N writes: applied in order, as every member does; runs of edits together
 * (see deliver_edits()).
 */
static void
deliver_batch(based_t *based, delivered_t *w, const char *text, size_t len)
{
    const char *end = text + len - 1; /* without the final NUL */
    const char *p = memchr(text, '\n', len);
    unsigned long count = strtoul(text + 2, NULL, 10);
    GArray *edits = g_array_new(FALSE, FALSE, sizeof(delivered_t));

    if (p == NULL) {
        bl_warn("ignored a malformed batch of %zu bytes from node %" PRIu32, len, w->nodeid);
        count = 0;
    } else {
        p++;
    }
    for (unsigned long i = 0; i < count; i++) {
        if (!next_in_batch(&p, end, w)) {
            bl_warn("ignored the rest of a malformed batch from node %" PRIu32
                    " (write %lu of %lu)",
                    w->nodeid, i + 1, count);
            break;
        }
        if (is_edit(w) && !based->syncing) {
            g_array_append_val(edits, *w);
            continue;
        }
        deliver_edits(based, edits);
        deliver_one(based, w);
    }
    deliver_edits(based, edits);
    g_array_free(edits, TRUE);
}

int
based_send(based_t *based, const char *msg, size_t len)
{
    return bl_cpg_send_large(based->cpg, msg, len);
}

void
based_cib_deliver(bl_cpg_t *cpg, uint32_t nodeid, uint32_t pid, const void *msg, size_t len,
                  void *user_data)
{
    based_t *based = user_data;
    const void *whole = NULL;
    const char *text;
    int rc = bl_cpg_assembler_add(based->assembly, nodeid, pid, msg, len, &whole, &len);

    if (rc == BL_EPARSE) {
        bl_info("dropped a CIB message from node %" PRIu32 " begun before we joined", nodeid);
        return;
    }
    if (rc != 1) {
        return;
    }
    text = whole;
    if (len < 2 || text[len - 1] != '\0') {
        bl_warn("ignored a malformed message of %zu bytes from node %" PRIu32, len, nodeid);
    } else if (text[0] == BASED_MSG_WRITE || text[0] == BASED_MSG_BATCH) {
        delivered_t w = {.nodeid = nodeid, .delivered = g_get_monotonic_time()};

        w.local = nodeid == bl_cpg_local_nodeid(cpg) && pid == (uint32_t) getpid();
        if (text[0] == BASED_MSG_WRITE) {
            deliver_write(based, &w, text, len);
        } else {
            deliver_batch(based, &w, text, len);
        }
    } else {
        based_sync_deliver(based, nodeid, pid, text, len);
    }
}
