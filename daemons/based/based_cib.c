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

#include "based_private.h"

/*
 * A delivered write waiting for the group commit: applied in memory and journaled, its
 * acknowledgement goes out once the journal is on disk.
 */
typedef struct based_done {
    qb_ipcs_connection_t *c; /* the writer's client when it is ours, else NULL */
    int rc;
    char *err;
    char *change; /* the applied diff, for subscribers once it is durable; NULL if refused */
} based_done_t;

/* How often a subscriber whose buffer was full is offered the resync notice. */
#define RESYNC_RETRY_MS 100
/* cib.xml is rewritten from the journal once no write came for this long. */
#define CHECKPOINT_IDLE_MS 1000

static const char syncing_text[] =
    "the members are comparing their CIBs after a membership change; try again";

/* A reply; with BASED, it carries the current CIB's version and (kept) digest. */
static void
reply(qb_ipcs_connection_t *c, int rc, const char *message, based_t *based, const xmlNode *content)
{
    char *text = based == NULL
                     ? bl_cib_reply_format(rc, message, NULL, content)
                     : bl_cib_reply_format_digest(rc, message, bl_cib_replica_doc(based->replica),
                                                  bl_cib_replica_digest(based->replica), content);

    based_ipc_reply(c, text);
    free(text);
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

/* Multicasts DIFF, numbered so that its delivery here finds the client to answer. */
static int
multicast(based_t *based, qb_ipcs_connection_t *c, const xmlDoc *diff, char **err)
{
    char *diff_text = bl_xml_format(xmlDocGetRootElement(diff));
    uint64_t seq = ++based->next_seq;
    char *msg = bl_asprintf("%c %" PRIu64 "\n%s", BASED_MSG_WRITE, seq, diff_text);
    int rc = based_send(based, msg, strlen(msg) + 1);

    if (rc == 0) {
        g_hash_table_insert(based->pending, g_memdup2(&seq, sizeof(seq)), c);
    } else {
        bl_err_set(err, "cannot multicast the write: %s", bl_strerror(rc));
    }
    free(msg);
    free(diff_text);
    return rc;
}

static void
handle_write(based_t *based, qb_ipcs_connection_t *c, const char *body, bool replace)
{
    xmlDoc *payload = NULL;
    xmlDoc *diff = NULL;
    char *err = NULL;
    bool configuration = false;
    int rc = bl_xml_parse(body, strlen(body), replace ? "new CIB" : "diff", &payload, &err);

    if (rc == 0 && (based->cpg == NULL || !bl_cpg_connected(based->cpg))) {
        bl_err_set(&err, "not connected to corosync; writes are refused until it is back");
        rc = -ENOTCONN;
    }
    if (rc == 0 && based->syncing) {
        bl_err_set(&err, "%s", syncing_text);
        rc = -EAGAIN;
    }
    if (rc == 0) {
        rc = bl_cib_replica_prepare(based->replica, payload, replace, based->quorate, &diff,
                                    &configuration, &err);
    }
    if (rc == 0) {
        rc = multicast(based, c, diff, &err);
    }
    if (rc != 0) {
        bl_notice("write refused: %s", err != NULL ? err : bl_strerror(rc));
        reply(c, rc, err, based, NULL);
    }
    free(err);
    xmlFreeDoc(diff);
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
        handle_write(based, c, body, id == BL_CIB_MSG_REPLACE);
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
        if (value == c) {
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
        reply(value, rc, why, NULL, NULL);
        g_hash_table_iter_remove(&iter);
    }
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

    based->checkpoint_timer = 0;
    if (bl_cib_replica_checkpoint(based->replica, &err) != 0) {
        bl_err("cannot write the CIB to disk: %s", err);
    }
    free(err);
    return G_SOURCE_REMOVE;
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
        if (done->change != NULL) {
            /* Subscribers, like the writer, hear of a change only once it is on disk. */
            g_queue_push_tail(&based->undurable, g_steal_pointer(&done->change));
        }
        if (rc == 0) {
            notify_durable(based);
        }
        if (done->c != NULL) {
            /* A write applied in memory but not on disk must not look durable. */
            reply(done->c, done->rc == 0 ? rc : done->rc,
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

/* Applies one delivered write in memory and journals it; returns its rc, reason in *err. */
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

/*
 * Queues a write's outcome (and CHANGE, the applied diff, or NULL) for the next group
 * commit, which runs once delivery pauses.
 */
static void
queue_done(based_t *based, qb_ipcs_connection_t *c, int rc, char *err, char *change)
{
    based_done_t *done = g_new0(based_done_t, 1);

    done->c = c;
    done->rc = rc;
    done->err = err;
    done->change = change;
    g_queue_push_tail(&based->done, done);
    if (based->flush_source == 0) {
        based->flush_source = g_idle_add_full(G_PRIORITY_HIGH, flush_now, based, NULL);
    }
}

/* A write delivered in agreed order: applied here as on every other member. */
static void
deliver_write(based_t *based, bl_cpg_t *cpg, uint32_t nodeid, uint32_t pid, const char *text,
              size_t len)
{
    const char *newline = memchr(text, '\n', len);
    uint64_t seq = g_ascii_strtoull(text + 2, NULL, 10);
    char *err = NULL;
    char *change = NULL;
    int rc = -EAGAIN;
    qb_ipcs_connection_t *c = NULL;

    if (newline == NULL) {
        bl_warn("ignored a malformed write of %zu bytes from node %" PRIu32, len, nodeid);
        return;
    }
    if (based->syncing) {
        /* Every member is in the same state here, so every member refuses it alike. */
        bl_info("write %" PRIu64 " from node %" PRIu32 " refused: CIB sync in progress", seq,
                nodeid);
        err = bl_strdup(syncing_text);
    } else {
        rc = apply(based, newline + 1, len - 2 - (size_t) (newline - text), &err);
        if (rc == 0 && !based->quorate) {
            based_sync_set_minority(based, true);
        }
        if (rc == 0) {
            change = bl_strdup(newline + 1);
        }
    }
    if (rc == BL_EVERSION) {
        bl_info("write %" PRIu64 " from node %" PRIu32 " lost a race: %s", seq, nodeid, err);
    } else if (rc != 0 && rc != -EAGAIN) {
        bl_err("write %" PRIu64 " from node %" PRIu32 " failed: %s", seq, nodeid, err);
    }
    if (nodeid == bl_cpg_local_nodeid(cpg) && pid == (uint32_t) getpid()) {
        c = g_hash_table_lookup(based->pending, &seq);
        g_hash_table_remove(based->pending, &seq);
    }
    queue_done(based, c, rc, err, change);
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
    } else if (text[0] == BASED_MSG_WRITE) {
        deliver_write(based, cpg, nodeid, pid, text, len);
    } else {
        based_sync_deliver(based, nodeid, pid, text, len);
    }
}
