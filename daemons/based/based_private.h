/* belay-based: glue between libqb IPC, corosync (lib/cluster) and the CIB replica. */
#ifndef BELAY_BASED_PRIVATE_H
#define BELAY_BASED_PRIVATE_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>
#include <qb/qbipcs.h>

#include <belay/cib.h>
#include <belay/cluster.h>

/* Besides root, members of this group may use the CIB (Pacemaker's name for it). */
#define BASED_ADMIN_GROUP "haclient"

/* Archives of previous CIBs kept in the state directory. */
#define BASED_KEEP_ARCHIVES 20

typedef struct based_ipc based_ipc_t;

/* The daemon: one per process. */
typedef struct based {
    bl_cib_replica_t *replica;
    bl_cpg_t *cpg;       /* NULL until the first join succeeds */
    bl_quorum_t *quorum; /* NULL until the first connect succeeds */
    /*
     * Quorum as writes see it: votequorum's, but false from a CPG membership change that
     * moved nodes until votequorum's view agrees with it (based_main.c): corosync tells
     * CPG and votequorum of a partition separately, and a write delivered in between
     * must not pass as made with quorum.
     */
    bool quorate;
    bool votequorum_quorate;          /* as votequorum last said; false while disconnected */
    bl_cpg_membership_t *unconfirmed; /* the change votequorum has yet to agree with */
    bool minority_before;             /* the minority mark when that wait began */
    guint unconfirmed_timer;          /* reports a wait votequorum does not end in time */
    guint unconfirmed_max_ms;         /* its delay: UNCONFIRMED_MAX_MS, or a test's */
    guint quorum_delay_ms;            /* $BELAY_TEST_QUORUM_DELAY_MS: tests widen the window */
    guint quorum_delay_timer;
    uint64_t next_seq;   /* numbers this process's writes on CPG */
    GHashTable *pending; /* seq -> based_pending_t *, this process's writes not yet delivered */
    GQueue outbox;       /* based_outgoing_t: writes waiting to be multicast together */
    guint send_source;   /* multicasts the outbox once the requests at hand are read */
    based_ipc_t *ipc;
    guint reconnect_timer; /* retries corosync while a connection is down */
    /* Membership sync (based_sync.c): the newest CIB among the members wins. */
    bool syncing;            /* from a membership change until the members agree */
    GArray *round;           /* based_peer_t: the members the current round waits for */
    GHashTable *offers;      /* peer key -> bl_cib_offer_t *, this round's offers */
    uint64_t winner;         /* based_peer_key() of the member whose CIB everyone takes */
    bool winner_minority;    /* the winner's offer carried the minority mark */
    GHashTable *subscribers; /* qb_ipcs_connection_t * -> GINT_TO_POINTER(overflowed) */
    guint resync_timer;      /* retries "resync needed" events to overflowed subscribers */
    /*
     * True when this CIB was changed while the partition had no quorum and no quorate
     * partition has agreed on it since: such a CIB loses a sync to one that was not,
     * whatever the versions say. Kept on disk ($state_dir/cib.minority) across restarts.
     */
    bool minority;
    char *state_dir;
    bl_cpg_assembler_t *assembly; /* CPG messages arrive in chunks (bl_cpg_send_large) */
    GQueue done;                  /* based_done_t: delivered writes waiting for the group commit */
    GQueue undurable;             /* char *: applied changes not yet on disk, for subscribers */
    guint flush_source;     /* the group commit, run once the delivered messages are handled */
    guint checkpoint_timer; /* rewrites cib.xml once writes pause */
} based_t;

/* A process in the CIB group. */
typedef struct based_peer {
    uint32_t nodeid;
    uint32_t pid;
} based_peer_t;

/* ---------------------------------------------------------------- based_ipc.c */

/* A request: message id ID with NUL-terminated XML BODY from connection C. */
typedef void (*based_request_fn)(qb_ipcs_connection_t *c, int32_t id, const char *body,
                                 void *user_data);

/* A client went away. */
typedef void (*based_closed_fn)(qb_ipcs_connection_t *c, void *user_data);

/* Serves IPC NAME on the default main context. Returns NULL with a message in *err. */
based_ipc_t *based_ipc_start(const char *name, based_request_fn on_request,
                             based_closed_fn on_closed, void *user_data, char **err);

/* Sends TEXT (a <cib-reply>) as the response to C's request. */
void based_ipc_reply(qb_ipcs_connection_t *c, const char *text);

/* Sends TEXT to C as an event (a change notification). 0, or -EAGAIN when C's buffer is full. */
int based_ipc_event(qb_ipcs_connection_t *c, const char *text);

void based_ipc_stop(based_ipc_t *ipc);

/* ---------------------------------------------------------------- based_cib.c */

/* Handles one client request (see enum bl_cib_msg). */
void based_cib_request(qb_ipcs_connection_t *c, int32_t id, const char *body, void *user_data);

/* Forgets a departed client's writes still in flight (they still happen). */
void based_cib_client_closed(qb_ipcs_connection_t *c, void *user_data);

/*
 * Sends TEXT, a change, to every subscriber. A subscriber whose buffer is full misses
 * this and the following changes until it reads; it is then sent <cib-resync-needed/>
 * before anything else, so it never sees a gap without being told.
 */
void based_cib_notify(based_t *based, const char *text);

/* Multicasts MSG (any size: chunked) to the CIB group. Returns as bl_cpg_send(). */
int based_send(based_t *based, const char *msg, size_t len);

/* A write multicast by process PID on node NODEID, in agreed order. */
void based_cib_deliver(bl_cpg_t *cpg, uint32_t nodeid, uint32_t pid, const void *msg, size_t len,
                       void *user_data);

/*
 * The group commit: flushes the journal once for every write delivered since the last
 * flush, then acknowledges their writers, in delivery order.
 */
void based_cib_flush(based_t *based);

/* Drops the writes not yet multicast (at exit). */
void based_cib_stop(based_t *based);

/* Answers every write in flight with RC (corosync went away: their fate is unknown). */
void based_cib_fail_pending(based_t *based, int rc, const char *why);

/* ---------------------------------------------------------------- based_sync.c */

/*
 * Messages on CPG, told apart by their first byte:
 *   "B N\n" + N writes       a batch of writes (based_cib.c), each "SEQ Q LEN\n" and LEN
 *                           bytes: a <cib-diff> or a <cib-edit>; Q is 'q' when the sender's
 *                           partition was quorate as it sent the write, else 'n'
 *   "W SEQ\n" + <cib-diff>   one write (sent by earlier versions; still understood)
 *   "O M A E N DIGEST\n"    an offer: M 1 when the sender's CIB is a minority's (see
 *                           based_t.minority), its version and whole-CIB digest
 *   "S\n" + <cib>           the winner's whole CIB, which every member takes
 */
#define BASED_MSG_WRITE 'W'
#define BASED_MSG_BATCH 'B'
#define BASED_MSG_OFFER 'O'
#define BASED_MSG_SYNC 'S'

/*
 * A membership change: when processes joined (or a round was still open) every member
 * offers its version, and all wait for the offers of all members before writes resume.
 */
void based_sync_membership(based_t *based, const bl_cpg_membership_t *change);

/* An offer or a whole CIB delivered from process PID on node NODEID. */
void based_sync_deliver(based_t *based, uint32_t nodeid, uint32_t pid, const char *msg, size_t len);

/* Frees the sync state. */
void based_sync_free(based_t *based);

/* Loads the minority mark of the state directory (at start). */
void based_sync_load_minority(based_t *based);

/* Sets or clears the minority mark, on disk too. */
void based_sync_set_minority(based_t *based, bool minority);

/* ---------------------------------------------------------------- based_quorum.c */

/* Reads the test hook $BELAY_TEST_QUORUM_DELAY_MS (at start). */
void based_quorum_init(based_t *based);

/*
 * A CIB group membership change (before the sync round): when nodes came or went and
 * votequorum has not said so yet, the partition counts as inquorate until it does.
 */
void based_quorum_membership(based_t *based, const bl_cpg_membership_t *change);

/* votequorum's callbacks (bl_quorum_callbacks_t). */
void based_quorum_on_view(bl_quorum_t *quorum, const bl_quorum_view_t *view, void *user_data);
void based_quorum_on_gone(bl_quorum_t *quorum, int rc, void *user_data);

/* Frees the quorum state. */
void based_quorum_free(based_t *based);

/* ---------------------------------------------------------------- based_main.c */

/* Retries the corosync connections from a timer until they are back. */
void based_reconnect_later(based_t *based);

#endif /* BELAY_BASED_PRIVATE_H */
