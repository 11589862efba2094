/*
 * lib/cluster: corosync glue. CPG process groups (join, multicast, ordered delivery,
 * membership changes), the node list from corosync's configuration (cmap) and quorum
 * from votequorum. Nothing here makes its own membership, ordering or quorum decisions:
 * corosync's virtual synchrony is the foundation, this library only carries it into a
 * glib main loop as plain data.
 *
 * Every connection watches its corosync fd in the default glib main context, so the
 * callbacks run from g_main_loop_run(). Functions never log: they return 0 / -errno
 * and the daemon decides what to say. When corosync goes away, the connection calls its
 * disconnected callback once and becomes idle; the daemon then calls the matching
 * *_reconnect() function on a timer until it returns 0.
 *
 * Objects must not be freed from inside their own callbacks, except from the
 * disconnected callback.
 */
#ifndef BELAY_CLUSTER_H
#define BELAY_CLUSTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---------------------------------------------------------------- node list */

/* One node of corosync's nodelist (corosync.conf nodelist { node { ... } }). */
typedef struct bl_cluster_node {
    uint32_t id;      /* nodelist.node.N.nodeid */
    char *name;       /* .name, or .ring0_addr when the node has no name */
    char *ring0_addr; /* .ring0_addr, may be NULL */
} bl_cluster_node_t;

typedef struct bl_cluster_nodelist {
    bl_cluster_node_t *nodes; /* sorted by id */
    size_t n_nodes;
} bl_cluster_nodelist_t;

/*
 * Reads the nodelist from the local corosync's cmap. Nodes without a nodeid are
 * skipped (corosync 3 with knet requires one). Returns 0 and a new *list (free with
 * bl_cluster_nodelist_free()), -ENOTCONN when corosync is not running, -EACCES when
 * the caller may not talk to it, -EIO for other corosync errors.
 */
int bl_cluster_nodelist_load(bl_cluster_nodelist_t **list);

/* Name of node ID in LIST (borrowed), or NULL when the id is not in the list. */
const char *bl_cluster_nodelist_name(const bl_cluster_nodelist_t *list, uint32_t id);

/* Id of the node called NAME (or whose ring0_addr is NAME), or 0 when unknown. */
uint32_t bl_cluster_nodelist_id(const bl_cluster_nodelist_t *list, const char *name);

/* Frees *list and sets it to NULL (NULL is fine). */
void bl_cluster_nodelist_free(bl_cluster_nodelist_t **list);

/*
 * Splits a cmap key "nodelist.node.N.FIELD" into N and FIELD (borrowed from KEY).
 * Returns false for any other key. Exposed for the unit tests.
 */
bool bl_cluster_nodelist_key_parse(const char *key, unsigned *index, const char **field);

/* --------------------------------------------------------------------- CPG */

/* Why a process joined or left a group (corosync's cpg_reason_t). */
typedef enum bl_cpg_reason {
    BL_CPG_REASON_NONE = 0,
    BL_CPG_REASON_JOIN = 1,     /* the process joined */
    BL_CPG_REASON_LEAVE = 2,    /* the process left the group (cpg_leave) */
    BL_CPG_REASON_NODEDOWN = 3, /* its node left the membership */
    BL_CPG_REASON_NODEUP = 4,   /* its node joined the membership */
    BL_CPG_REASON_PROCDOWN = 5, /* the process disconnected from corosync (exit, crash) */
} bl_cpg_reason_t;

/* A process in a CPG group. */
typedef struct bl_cpg_member {
    uint32_t nodeid;
    uint32_t pid;
    bl_cpg_reason_t reason;
    const char *name; /* node name from the nodelist, NULL if unknown; borrowed */
} bl_cpg_member_t;

/* A membership change, as corosync delivered it (same order on every member). */
typedef struct bl_cpg_membership {
    const bl_cpg_member_t *members; /* everyone in the group now, sorted by nodeid, pid */
    size_t n_members;
    const bl_cpg_member_t *joined;
    size_t n_joined;
    const bl_cpg_member_t *left;
    size_t n_left;
} bl_cpg_membership_t;

typedef struct bl_cpg bl_cpg_t;

typedef struct bl_cpg_callbacks {
    /*
     * A message multicast by process PID on node NODEID, in the agreed order. MSG is
     * valid only during the call.
     */
    void (*deliver)(bl_cpg_t *cpg, uint32_t nodeid, uint32_t pid, const void *msg, size_t len,
                    void *user_data);
    /* The group's membership changed; the arrays are valid only during the call. */
    void (*membership)(bl_cpg_t *cpg, const bl_cpg_membership_t *change, void *user_data);
    /*
     * The connection to corosync is gone (rc is -ENOTCONN or another -errno). Messages
     * still queued are dropped. Optional.
     */
    void (*disconnected)(bl_cpg_t *cpg, int rc, void *user_data);
} bl_cpg_callbacks_t;

/*
 * Connects to corosync and joins the CPG group GROUP (at most 127 bytes). CALLBACKS is
 * copied. While corosync is synchronising a new membership it answers TRY_AGAIN; the join
 * then waits for it, at most about one second. Returns 0 and *cpg, or -ENOTCONN (corosync
 * not running), -EACCES, -EINVAL (bad group name), -EAGAIN or -EIO; on error *cpg is left
 * untouched.
 */
int bl_cpg_join(const char *group, const bl_cpg_callbacks_t *callbacks, void *user_data,
                bl_cpg_t **cpg);

/*
 * Multicasts LEN bytes to every member of the group, this process included, in the
 * agreed order. The data is copied. When corosync applies flow control
 * (CS_ERR_TRY_AGAIN) the message is queued and retried from the main loop; messages
 * always leave in the order they were given. Returns 0 (sent or queued), -ENOTCONN
 * when not connected, -EMSGSIZE when LEN is larger than corosync accepts.
 */
int bl_cpg_send(bl_cpg_t *cpg, const void *data, size_t len);

/* Number of messages waiting for corosync's flow control to allow them out. */
size_t bl_cpg_queued(const bl_cpg_t *cpg);

/* This node's corosync node id (known once joined; 0 when not connected). */
uint32_t bl_cpg_local_nodeid(const bl_cpg_t *cpg);

/* True while connected to corosync and joined. */
bool bl_cpg_connected(const bl_cpg_t *cpg);

/*
 * After the disconnected callback: tries once to connect and join again. Returns 0
 * when joined (a membership callback follows), or the error of bl_cpg_join(); 0 also
 * when already connected. Meant to be called from a timer until it returns 0.
 */
int bl_cpg_reconnect(bl_cpg_t *cpg);

/* Leaves the group, disconnects and frees *cpg; sets it to NULL (NULL is fine). */
void bl_cpg_free(bl_cpg_t **cpg);

/*
 * A deep copy of CHANGE, to keep beyond its callback (member names are not kept: NULL).
 * Free with bl_cpg_membership_free().
 */
bl_cpg_membership_t *bl_cpg_membership_copy(const bl_cpg_membership_t *change);

/* Frees a copy from bl_cpg_membership_copy() (NULL is fine). */
void bl_cpg_membership_free(bl_cpg_membership_t *change);

/*
 * True when CHANGE has nodes joining (NODEUP) or leaving (NODEDOWN) the membership, not
 * only processes joining or leaving the group: only then can quorum have changed with it.
 */
bool bl_cpg_membership_nodes_changed(const bl_cpg_membership_t *change);

/* Largest message bl_cpg_send() accepts. */
#define BL_CPG_MAX_MSG (1024 * 1024)

/* ------------------------------------------------------ large CPG messages */

/* Largest message bl_cpg_send_large() accepts. */
#define BL_CPG_MAX_LARGE_MSG (256 * 1024 * 1024)

/*
 * Multicasts LEN bytes (any size up to BL_CPG_MAX_LARGE_MSG) as one or more chunks of
 * at most BL_CPG_MAX_MSG bytes, in order, through bl_cpg_send(). Every member puts
 * them together with a bl_cpg_assembler_t; a group must use either this or
 * bl_cpg_send(), not both. Returns as bl_cpg_send(); on an error after the first chunk
 * the members drop the incomplete message.
 */
int bl_cpg_send_large(bl_cpg_t *cpg, const void *data, size_t len);

/* Reassembles the messages of bl_cpg_send_large() from delivered chunks. */
typedef struct bl_cpg_assembler bl_cpg_assembler_t;

bl_cpg_assembler_t *bl_cpg_assembler_new(void);

/* Frees ASSEMBLER (NULL is fine). */
void bl_cpg_assembler_free(bl_cpg_assembler_t *assembler);

/*
 * Adds a chunk MSG of LEN bytes delivered from process PID on node NODEID. Returns 1
 * when it completes a message: *whole and *whole_len then describe it, valid until the
 * next call (and within MSG's lifetime for a single-chunk message); 0 when more chunks
 * are needed; BL_EPARSE for a malformed chunk or one that does not follow the sender's
 * previous chunk (a member that joined in the middle of a message), whose partial
 * message is dropped.
 */
int bl_cpg_assembler_add(bl_cpg_assembler_t *assembler, uint32_t nodeid, uint32_t pid,
                         const void *msg, size_t len, const void **whole, size_t *whole_len);

/* Drops the partial message of a process that left the group. */
void bl_cpg_assembler_forget(bl_cpg_assembler_t *assembler, uint32_t nodeid, uint32_t pid);

/* ------------------------------------------------------------------ quorum */

/* One node as votequorum sees it. */
typedef struct bl_quorum_node {
    uint32_t id;
    bool member;      /* in this partition (votequorum MEMBER), else dead or leaving */
    const char *name; /* from the nodelist, NULL if unknown; borrowed */
} bl_quorum_node_t;

/* This partition's quorum, from votequorum. */
typedef struct bl_quorum_view {
    bool quorate;
    uint32_t local_nodeid;
    uint32_t votes;                /* this node's votes */
    uint32_t expected_votes;       /* expected votes of the cluster */
    uint32_t total_votes;          /* votes present in this partition */
    uint32_t quorum;               /* votes needed to be quorate */
    const bl_quorum_node_t *nodes; /* nodes votequorum reports, sorted by id */
    size_t n_nodes;
} bl_quorum_view_t;

typedef struct bl_quorum bl_quorum_t;

typedef struct bl_quorum_callbacks {
    /* Quorum or its membership changed (also called once right after connecting). */
    void (*changed)(bl_quorum_t *quorum, const bl_quorum_view_t *view, void *user_data);
    /* The connection to corosync is gone. Optional. */
    void (*disconnected)(bl_quorum_t *quorum, int rc, void *user_data);
} bl_quorum_callbacks_t;

/*
 * Connects to votequorum and tracks changes. Returns 0 and *quorum, or -ENOTCONN,
 * -EACCES or -EIO; on error *quorum is untouched.
 */
int bl_quorum_connect(const bl_quorum_callbacks_t *callbacks, void *user_data,
                      bl_quorum_t **quorum);

/*
 * The last view received (valid until the next callback or free), or NULL when none
 * has arrived yet or the connection is down.
 */
const bl_quorum_view_t *bl_quorum_view(const bl_quorum_t *quorum);

/*
 * True when votequorum's VIEW already reflects the CPG membership CHANGE: the node of
 * every member of the group is a member of the view, and no node that left with its node
 * (NODEDOWN) is. Corosync reports a partition to CPG and votequorum clients separately,
 * in either order; until the view agrees, its quorum may still be that of the membership
 * before the change.
 */
bool bl_quorum_view_agrees(const bl_quorum_view_t *view, const bl_cpg_membership_t *change);

/* As bl_cpg_reconnect(), for votequorum. */
int bl_quorum_reconnect(bl_quorum_t *quorum);

/* Disconnects and frees *quorum; sets it to NULL (NULL is fine). */
void bl_quorum_free(bl_quorum_t **quorum);

/* ---------------------------------------------------------------- errors */

/*
 * Maps a corosync cs_error_t value to 0 / -errno (TRY_AGAIN -> -EAGAIN, lost
 * connection -> -ENOTCONN, ACCESS -> -EACCES, ...). Exposed for the unit tests.
 */
int bl_cluster_rc(int cs_error);

#endif /* BELAY_CLUSTER_H */
