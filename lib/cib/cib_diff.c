/*
 * Diffs between two CIB versions, and applying them. Replication ships these between
 * nodes, so a diff is proportional to the edit, not to the document.
 *
 * Format 1:
 *
 *   <cib-diff format="1">
 *     <version source="0.41.3" target="0.42.0" digest="SHA-256 of NEW's configuration"/>
 *     <set    path="P" name="ATTR" value="V"/>     attribute ATTR of P becomes V
 *     <unset  path="P" name="ATTR"/>               attribute ATTR of P is removed
 *     <delete path="P"/>                           element P and its subtree go
 *     <insert path="P" position="K">SUBTREE</insert>  SUBTREE becomes P's element child K
 *     <move   path="P" position="K"/>              P is unlinked, then becomes child K
 *   </cib-diff>
 *
 * Changes apply in document order, each to the result of the previous ones. K counts
 * element children from 0, after the element being moved was taken out; K equal to the
 * number of element children appends.
 *
 * A path P is "/cib" followed by one "/STEP" per level. A STEP is
 *   name[@id='x']  the child element NAME whose id is x — used when x is unique among
 *                  NAME siblings in both versions (the CIB's norm), so it reads well and
 *                  survives unrelated reordering;
 *   name[k]        the k-th (from 1) child element NAME — for elements without a usable
 *                  id (none, duplicated, or containing a quote);
 *   name           the same as name[1], used when NAME is an only child of its name.
 *
 * Element order matters (group members start in order), so the diff records the order:
 * within one parent, deletions come first (last sibling first, so positions of earlier
 * siblings hold), then inserts and moves left to right, then the changes inside the
 * children that remain. Children are paired by name and id where the id is usable, else
 * by name and rank among such siblings; reordering moves only the children that are not
 * on a longest increasing run of the old order, so moving one element costs one <move>.
 * An element with text of its own (the CIB has none, but XML allows it) is not patched
 * inside: if anything in it changed, it is replaced whole, <delete> then <insert>.
 *
 * Root attribute changes (admin_epoch, epoch, num_updates, have-quorum, dc-uuid...) are
 * ordinary <set>/<unset> on "/cib", so after a patch the versions match as well.
 *
 * Patching is all or nothing: every change is recorded in an undo log, and a failure at
 * any point — a path that names nothing, a bad position, a configuration digest that
 * differs at the end — replays the log backwards, leaving the document exactly as it was.
 * That is cheaper than patching a copy of a 10,000-resource CIB on every update.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include <belay/cib.h>

#include "cib_private.h"

#define DIFF_FORMAT "1"

/* ============================================================== generation */

/* One level of the path to the element being compared, by its node in NEW. */
struct frame {
    const xmlNode *node;
    char *path; /* computed on first use: most elements never need one */
};

struct differ {
    xmlNode *out;             /* the <cib-diff> element receiving change records */
    GArray *frames;           /* of struct frame, the root first */
    GHashTable *sibling_keys; /* parent in NEW -> its collect_keys() table */
};

/* A child element of one side, with how it pairs with the other side. */
struct child {
    xmlNode *node;
    int other;  /* index of its partner on the other side, or -1 */
    int rank;   /* 1 + number of earlier siblings with the same name */
    bool keyed; /* its id is usable as a step (present, quote-free, unique) */
};

static bool
same_string(const char *a, const char *b)
{
    return (a == NULL || b == NULL) ? a == b : strcmp(a, b) == 0;
}

static bool
usable_id(const char *id)
{
    return id != NULL && strchr(id, '\'') == NULL;
}

static bool
has_text(const xmlNode *node)
{
    for (const xmlNode *child = node->children; child != NULL; child = child->next) {
        if (child->type == XML_TEXT_NODE || child->type == XML_CDATA_SECTION_NODE) {
            for (const xmlChar *p = child->content; p != NULL && *p != '\0'; p++) {
                if (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\r') {
                    return true;
                }
            }
        }
    }
    return false;
}

/* Pairs whose own text differs are replaced rather than patched (see the format). */
static bool
text_differs(const xmlNode *a, const xmlNode *b)
{
    char *ca;
    char *cb;
    bool differs;

    if (!has_text(a) && !has_text(b)) {
        return false;
    }
    ca = bl_xml_canonical(a);
    cb = bl_xml_canonical(b);
    differs = strcmp(ca, cb) != 0;
    free(ca);
    free(cb);
    return differs;
}

static GHashTable *collect_keys(const xmlNode *parent);

/*
 * True when NODE's id is usable as a step among its siblings in NEW. The sibling keys of
 * each parent are gathered once: many changes under one big parent (10,000 primitives
 * in <resources>) must not each scan all siblings.
 */
static bool
keyed_in_new(struct differ *d, const xmlNode *node)
{
    GHashTable *keys;

    if (!usable_id(bl_xml_attr(node, "id"))) {
        return false;
    }
    keys = g_hash_table_lookup(d->sibling_keys, node->parent);
    if (keys == NULL) {
        keys = collect_keys(node->parent);
        g_hash_table_insert(d->sibling_keys, node->parent, keys);
    }
    return g_hash_table_lookup(keys, node) == node;
}

/* The step naming NODE among its siblings in NEW (see "STEP" above). */
static char *
new_step(struct differ *d, const xmlNode *node)
{
    const char *name = (const char *) node->name;
    int rank = 1;
    int total = 0;

    if (node->parent == NULL || node->parent->type != XML_ELEMENT_NODE) {
        return bl_strdup(name);
    }
    if (keyed_in_new(d, node)) {
        return bl_asprintf("%s[@id='%s']", name, bl_xml_attr(node, "id"));
    }
    for (xmlNode *sib = bl_xml_first_child(node->parent, name); sib != NULL;
         sib = bl_xml_next(sib, name)) {
        total++;
        if (sib == node) {
            rank = total;
        }
    }
    return total == 1 ? bl_strdup(name) : bl_asprintf("%s[%d]", name, rank);
}

static const char *
frame_path(struct differ *d, guint depth)
{
    struct frame *frame = &g_array_index(d->frames, struct frame, depth);

    if (frame->path == NULL) {
        char *step = new_step(d, frame->node);

        frame->path = (depth == 0) ? bl_asprintf("/%s", step)
                                   : bl_asprintf("%s/%s", frame_path(d, depth - 1), step);
        free(step);
    }
    return frame->path;
}

static const char *
current_path(struct differ *d)
{
    return frame_path(d, d->frames->len - 1);
}

static void
push_frame(struct differ *d, const xmlNode *node)
{
    struct frame frame = {node, NULL};

    g_array_append_val(d->frames, frame);
}

static void
pop_frame(struct differ *d)
{
    struct frame *frame = &g_array_index(d->frames, struct frame, d->frames->len - 1);

    free(frame->path);
    g_array_set_size(d->frames, d->frames->len - 1);
}

static xmlNode *
emit(struct differ *d, const char *op, const char *path)
{
    xmlNode *change = bl_xml_add_child(d->out, op);

    bl_xml_set_attr(change, "path", path);
    return change;
}

static xmlNode *
emit_at(struct differ *d, const char *op, const char *parent_path, const char *step)
{
    char *path = bl_asprintf("%s/%s", parent_path, step);
    xmlNode *change = emit(d, op, path);

    free(path);
    return change;
}

static void
set_position(xmlNode *change, guint position)
{
    char buf[16];

    snprintf(buf, sizeof(buf), "%u", position);
    bl_xml_set_attr(change, "position", buf);
}

/* Value of ATTR: parsed values are one text node, read in place. */
static const char *
attr_value(const xmlAttr *attr)
{
    const xmlNode *text = attr->children;

    if (text != NULL && text->next == NULL && text->type == XML_TEXT_NODE) {
        return (const char *) text->content;
    }
    return bl_xml_attr(attr->parent, (const char *) attr->name);
}

/* True when both elements have the same attributes in the same order: the usual case. */
static bool
same_attributes(const xmlNode *old_node, const xmlNode *new_node)
{
    const xmlAttr *a = old_node->properties;
    const xmlAttr *b = new_node->properties;

    for (; a != NULL && b != NULL; a = a->next, b = b->next) {
        if (strcmp((const char *) a->name, (const char *) b->name) != 0
            || strcmp(attr_value(a), attr_value(b)) != 0) {
            return false;
        }
    }
    return a == NULL && b == NULL;
}

static void
diff_attributes(struct differ *d, const xmlNode *old_node, const xmlNode *new_node)
{
    if (same_attributes(old_node, new_node)) {
        return;
    }
    for (const xmlAttr *attr = new_node->properties; attr != NULL; attr = attr->next) {
        const char *name = (const char *) attr->name;
        const char *value = bl_xml_attr(new_node, name);

        if (!same_string(bl_xml_attr(old_node, name), value)) {
            xmlNode *change = emit(d, "set", current_path(d));

            bl_xml_set_attr(change, "name", name);
            bl_xml_set_attr(change, "value", value);
        }
    }
    for (const xmlAttr *attr = old_node->properties; attr != NULL; attr = attr->next) {
        const char *name = (const char *) attr->name;

        if (bl_xml_attr(new_node, name) == NULL) {
            bl_xml_set_attr(emit(d, "unset", current_path(d)), "name", name);
        }
    }
}

/*
 * True when the children of OLD and NEW pair one to one in order (same names and ids,
 * no text replacement): the common case, which needs no tables.
 */
static bool
children_aligned(const xmlNode *old_node, const xmlNode *new_node)
{
    xmlNode *a = bl_xml_first_child(old_node, NULL);
    xmlNode *b = bl_xml_first_child(new_node, NULL);

    for (; a != NULL && b != NULL; a = bl_xml_next(a, NULL), b = bl_xml_next(b, NULL)) {
        if (strcmp((const char *) a->name, (const char *) b->name) != 0
            || !same_string(bl_xml_attr(a, "id"), bl_xml_attr(b, "id")) || text_differs(a, b)) {
            return false;
        }
    }
    return a == NULL && b == NULL;
}

static void diff_element(struct differ *d, const xmlNode *old_node, const xmlNode *new_node);

static void
diff_child(struct differ *d, const xmlNode *old_node, const xmlNode *new_node)
{
    push_frame(d, new_node);
    diff_element(d, old_node, new_node);
    pop_frame(d);
}

/* ---------------------------------------------- pairing children that moved */

static guint
key_hash(gconstpointer key)
{
    const xmlNode *node = key;

    return g_str_hash(node->name) * 31u + g_str_hash(bl_xml_attr(node, "id"));
}

static gboolean
key_equal(gconstpointer a, gconstpointer b)
{
    const xmlNode *x = a;
    const xmlNode *y = b;

    return strcmp((const char *) x->name, (const char *) y->name) == 0
           && strcmp(bl_xml_attr(x, "id"), bl_xml_attr(y, "id")) == 0;
}

#define DUPLICATE_KEY GINT_TO_POINTER(-1)

/* Table (name, id) -> the child element of PARENT with them, DUPLICATE_KEY if several. */
static GHashTable *
collect_keys(const xmlNode *parent)
{
    GHashTable *keys = g_hash_table_new(key_hash, key_equal);

    for (xmlNode *node = bl_xml_first_child(parent, NULL); node != NULL;
         node = bl_xml_next(node, NULL)) {
        if (usable_id(bl_xml_attr(node, "id"))) {
            g_hash_table_insert(keys, node,
                                g_hash_table_contains(keys, node) ? DUPLICATE_KEY : node);
        }
    }
    return keys;
}

/*
 * Collects the element children of PARENT, their ranks and which are keyed; returns a
 * table (name, id) -> 1 + index, DUPLICATE_KEY for ids used twice.
 */
static GHashTable *
collect_children(const xmlNode *parent, GArray *children)
{
    GHashTable *keys = g_hash_table_new(key_hash, key_equal);
    GHashTable *ranks = g_hash_table_new(g_str_hash, g_str_equal);

    for (xmlNode *node = bl_xml_first_child(parent, NULL); node != NULL;
         node = bl_xml_next(node, NULL)) {
        int rank = GPOINTER_TO_INT(g_hash_table_lookup(ranks, node->name)) + 1;
        struct child child = {node, -1, rank, false};

        g_hash_table_insert(ranks, (gpointer) node->name, GINT_TO_POINTER(rank));
        if (usable_id(bl_xml_attr(node, "id"))) {
            gpointer value = g_hash_table_contains(keys, node) ? DUPLICATE_KEY
                                                               : GINT_TO_POINTER(children->len + 1);

            g_hash_table_insert(keys, node, value);
        }
        g_array_append_val(children, child);
    }
    for (guint i = 0; i < children->len; i++) {
        struct child *child = &g_array_index(children, struct child, i);

        child->keyed = usable_id(bl_xml_attr(child->node, "id"))
                       && g_hash_table_lookup(keys, child->node) == GINT_TO_POINTER(i + 1);
    }
    g_hash_table_destroy(ranks);
    return keys;
}

static void
link_pair(GArray *olds, guint i, GArray *news, guint j)
{
    struct child *o = &g_array_index(olds, struct child, i);
    struct child *n = &g_array_index(news, struct child, j);

    if (!text_differs(o->node, n->node)) {
        o->other = (int) j;
        n->other = (int) i;
    }
}

/*
 * Pairs keyed children by (name, id) and the others by name and order of appearance
 * (the k-th unkeyed NAME child of OLD with the k-th of NEW).
 */
static void
pair_children(GArray *olds, GHashTable *old_keys, GArray *news)
{
    GHashTable *unkeyed =
        g_hash_table_new_full(g_str_hash, g_str_equal, NULL, (GDestroyNotify) g_queue_free);

    for (guint i = 0; i < olds->len; i++) {
        struct child *o = &g_array_index(olds, struct child, i);
        GQueue *queue;

        if (o->keyed) {
            continue;
        }
        queue = g_hash_table_lookup(unkeyed, o->node->name);
        if (queue == NULL) {
            queue = g_queue_new();
            g_hash_table_insert(unkeyed, (gpointer) o->node->name, queue);
        }
        g_queue_push_tail(queue, GUINT_TO_POINTER(i));
    }
    for (guint j = 0; j < news->len; j++) {
        struct child *n = &g_array_index(news, struct child, j);

        if (n->keyed) {
            gpointer value = g_hash_table_lookup(old_keys, n->node);

            if (value != NULL && value != DUPLICATE_KEY) {
                link_pair(olds, (guint) GPOINTER_TO_INT(value) - 1, news, j);
            }
        } else {
            GQueue *queue = g_hash_table_lookup(unkeyed, n->node->name);

            if (queue != NULL && !g_queue_is_empty(queue)) {
                link_pair(olds, GPOINTER_TO_UINT(g_queue_pop_head(queue)), news, j);
            }
        }
    }
    g_hash_table_destroy(unkeyed);
}

/*
 * Marks in KEEP (indexed by NEW position) the paired children that stay where they are:
 * a longest run of them whose NEW positions increase in OLD order. The others move.
 */
static void
mark_longest_run(GArray *olds, bool *keep)
{
    guint n = 0;
    int *seq = g_new(int, olds->len + 1);
    int *tails = g_new(int, olds->len + 1); /* index into seq of the run ending lowest */
    int *prev = g_new(int, olds->len + 1);
    guint length = 0;

    for (guint i = 0; i < olds->len; i++) {
        int other = g_array_index(olds, struct child, i).other;

        if (other >= 0) {
            seq[n++] = other;
        }
    }
    for (guint i = 0; i < n; i++) {
        guint lo = 0;
        guint hi = length;

        while (lo < hi) {
            guint mid = (lo + hi) / 2;

            if (seq[tails[mid]] < seq[i]) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        prev[i] = lo > 0 ? tails[lo - 1] : -1;
        tails[lo] = (int) i;
        length = MAX(length, lo + 1);
    }
    for (int i = length > 0 ? tails[length - 1] : -1; i >= 0; i = prev[i]) {
        keep[seq[i]] = true;
    }
    g_free(seq);
    g_free(tails);
    g_free(prev);
}

/* Step of CHILD while its parent's children are SIM (nodes of NEW, current order). */
static char *
sim_step(GPtrArray *sim, const struct child *child)
{
    const char *name = (const char *) child->node->name;
    int rank = 0;

    if (child->keyed) {
        return bl_asprintf("%s[@id='%s']", name, bl_xml_attr(child->node, "id"));
    }
    for (guint i = 0; i < sim->len; i++) {
        const xmlNode *node = g_ptr_array_index(sim, i);

        if (strcmp((const char *) node->name, name) == 0) {
            rank++;
        }
        if (node == child->node) {
            break;
        }
    }
    return bl_asprintf("%s[%d]", name, rank);
}

static guint
sim_index(GPtrArray *sim, const xmlNode *node)
{
    guint index = 0;

    g_ptr_array_find(sim, node, &index);
    return index;
}

/* Where NEW's child J goes: right after its predecessor in NEW (first when J is 0). */
static guint
anchor_position(GPtrArray *sim, GArray *news, guint j)
{
    return j == 0 ? 0 : sim_index(sim, g_array_index(news, struct child, j - 1).node) + 1;
}

/* Deletions, last first: positions of the earlier siblings still hold when each runs. */
static void
emit_deletions(struct differ *d, GArray *olds)
{
    const char *path = current_path(d);

    for (guint i = olds->len; i-- > 0;) {
        const struct child *o = &g_array_index(olds, struct child, i);

        if (o->other < 0) {
            const char *name = (const char *) o->node->name;
            char *step = o->keyed ? bl_asprintf("%s[@id='%s']", name, bl_xml_attr(o->node, "id"))
                                  : bl_asprintf("%s[%d]", name, o->rank);

            emit_at(d, "delete", path, step);
            free(step);
        }
    }
}

/*
 * Inserts and moves, left to right: each child that is new or off the longest run goes
 * right after its predecessor in NEW. SIM tracks the parent's children as the patch
 * will see them, so positions and ranks are those at apply time.
 */
static void
emit_placements(struct differ *d, GArray *olds, GArray *news, GPtrArray *sim)
{
    bool *keep = g_new0(bool, news->len + 1);
    const char *path = current_path(d);

    mark_longest_run(olds, keep);
    for (guint j = 0; j < news->len; j++) {
        const struct child *n = &g_array_index(news, struct child, j);
        guint position = 0;
        xmlNode *change;

        if (keep[j]) {
            continue;
        }
        if (n->other >= 0) {
            guint current = sim_index(sim, n->node);
            char *step;

            if (current == anchor_position(sim, news, j)) {
                continue; /* already right after its predecessor */
            }
            step = sim_step(sim, n);
            g_ptr_array_remove_index(sim, current);
            position = anchor_position(sim, news, j);
            change = emit_at(d, "move", path, step);
            free(step);
        } else {
            position = anchor_position(sim, news, j);
            change = emit(d, "insert", path);
            xmlAddChild(change, xmlDocCopyNode(n->node, d->out->doc, 1));
        }
        set_position(change, position);
        g_ptr_array_insert(sim, (gint) position, n->node);
    }
    g_free(keep);
}

/* Children that do not pair in order: delete, insert and move, then recurse. */
static void
diff_unaligned_children(struct differ *d, const xmlNode *old_node, const xmlNode *new_node)
{
    GArray *olds = g_array_new(FALSE, FALSE, sizeof(struct child));
    GArray *news = g_array_new(FALSE, FALSE, sizeof(struct child));
    GHashTable *old_keys = collect_children(old_node, olds);
    GHashTable *new_keys = collect_children(new_node, news);
    GPtrArray *sim = g_ptr_array_new();

    pair_children(olds, old_keys, news);
    emit_deletions(d, olds);
    for (guint i = 0; i < olds->len; i++) {
        int other = g_array_index(olds, struct child, i).other;

        if (other >= 0) {
            g_ptr_array_add(sim, g_array_index(news, struct child, other).node);
        }
    }
    emit_placements(d, olds, news, sim);
    for (guint j = 0; j < news->len; j++) {
        const struct child *n = &g_array_index(news, struct child, j);

        if (n->other >= 0) {
            diff_child(d, g_array_index(olds, struct child, n->other).node, n->node);
        }
    }
    g_ptr_array_free(sim, TRUE);
    g_hash_table_destroy(old_keys);
    g_hash_table_destroy(new_keys);
    g_array_free(olds, TRUE);
    g_array_free(news, TRUE);
}

static void
diff_element(struct differ *d, const xmlNode *old_node, const xmlNode *new_node)
{
    xmlNode *b = bl_xml_first_child(new_node, NULL);

    diff_attributes(d, old_node, new_node);
    if (!children_aligned(old_node, new_node)) {
        diff_unaligned_children(d, old_node, new_node);
        return;
    }
    for (xmlNode *a = bl_xml_first_child(old_node, NULL); a != NULL; a = bl_xml_next(a, NULL)) {
        diff_child(d, a, b);
        b = bl_xml_next(b, NULL);
    }
}

static int
check_cib(const xmlDoc *doc, const char *which, bl_cib_version_t *version, char **err)
{
    const xmlNode *root = xmlDocGetRootElement(doc);
    int rc;

    if (!bl_xml_is(root, "cib")) {
        bl_err_set(err, "%s CIB: the root element is not 'cib'", which);
        return BL_EINVALID;
    }
    if (has_text(root)) {
        bl_err_set(err, "%s CIB: text directly inside <cib> is not allowed", which);
        return BL_EINVALID;
    }
    rc = bl_cib_version_get(doc, version, err);
    if (rc != 0) {
        bl_err_prefix(err, "%s CIB", which);
    }
    return rc;
}

static xmlNode *
new_diff_root(xmlDoc **diff, const bl_cib_version_t *source, const bl_cib_version_t *target,
              const xmlDoc *new_doc, const char *known_digest)
{
    xmlNode *root;
    xmlNode *version;
    char digest[BL_DIGEST_HEXLEN + 1];
    char *text;

    *diff = xmlNewDoc((const xmlChar *) "1.0");
    root = xmlNewDocNode(*diff, NULL, (const xmlChar *) "cib-diff", NULL);
    xmlDocSetRootElement(*diff, root);
    bl_xml_set_attr(root, "format", DIFF_FORMAT);
    version = bl_xml_add_child(root, "version");
    text = bl_cib_version_format(source);
    bl_xml_set_attr(version, "source", text);
    free(text);
    text = bl_cib_version_format(target);
    bl_xml_set_attr(version, "target", text);
    free(text);
    if (known_digest == NULL) {
        bl_cib_digest(new_doc, digest);
        known_digest = digest;
    }
    bl_xml_set_attr(version, "digest", known_digest);
    return root;
}

int
bl_cib_diff(const xmlDoc *old_doc, const xmlDoc *new_doc, xmlDoc **diff, char **err)
{
    return bl__cib_diff_known_digest(old_doc, new_doc, NULL, diff, err);
}

int
bl__cib_diff_known_digest(const xmlDoc *old_doc, const xmlDoc *new_doc, const char *digest,
                          xmlDoc **diff, char **err)
{
    bl_cib_version_t source;
    bl_cib_version_t target;
    struct differ d;
    int rc;

    *diff = NULL;
    rc = check_cib(old_doc, "old", &source, err);
    if (rc == 0) {
        rc = check_cib(new_doc, "new", &target, err);
    }
    if (rc != 0) {
        return rc;
    }
    d.out = new_diff_root(diff, &source, &target, new_doc, digest);
    d.frames = g_array_new(FALSE, FALSE, sizeof(struct frame));
    d.sibling_keys = g_hash_table_new_full(NULL, NULL, NULL, (GDestroyNotify) g_hash_table_destroy);
    push_frame(&d, xmlDocGetRootElement(new_doc));
    diff_element(&d, xmlDocGetRootElement(old_doc), xmlDocGetRootElement(new_doc));
    pop_frame(&d);
    g_array_free(d.frames, TRUE);
    g_hash_table_destroy(d.sibling_keys);
    return 0;
}

bool
bl_cib_equal(const xmlDoc *a, const xmlDoc *b)
{
    char *ca = bl_xml_canonical(xmlDocGetRootElement(a));
    char *cb = bl_xml_canonical(xmlDocGetRootElement(b));
    bool equal = strcmp(ca, cb) == 0;

    free(ca);
    free(cb);
    return equal;
}

/* ================================================================ patching */

/* How to take back one applied change (see "all or nothing" above). */
enum undo_kind {
    UNDO_RESTORE_VALUE, /* attribute NAME of NODE had VALUE */
    UNDO_DROP_ATTR,     /* attribute NAME of NODE was added */
    UNDO_RELINK_ATTR,   /* ATTR was taken off NODE from before NEXT_ATTR */
    UNDO_RELINK_NODE,   /* NODE was deleted from PARENT, from before NEXT */
    UNDO_DROP_NODE,     /* NODE was inserted */
    UNDO_MOVE_BACK,     /* NODE was moved away from PARENT, from before NEXT */
};

struct undo {
    enum undo_kind kind;
    xmlNode *node;
    xmlNode *parent;
    xmlNode *next;
    xmlAttr *attr;
    xmlAttr *next_attr;
    char *name;
    char *value;
};

struct patcher {
    xmlDoc *doc;
    GArray *undo;          /* of struct undo, in the order applied */
    const xmlNode *change; /* the change record being applied */
    guint number;          /* its number, from 1, for messages */
};

static void
push_undo(struct patcher *p, const struct undo *undo)
{
    g_array_append_val(p->undo, *undo);
}

/* Puts NODE back under PARENT before NEXT (NEXT NULL: last), as it was. */
static void
relink_node(xmlNode *node, xmlNode *parent, xmlNode *next)
{
    if (next != NULL) {
        xmlAddPrevSibling(next, node);
    } else {
        xmlAddChild(parent, node);
    }
}

/* Puts ATTR back on NODE before NEXT (NEXT NULL: last), keeping attribute order. */
static void
relink_attr(xmlNode *node, xmlAttr *attr, xmlAttr *next)
{
    xmlAttr *prev = NULL;

    if (next != NULL) {
        prev = next->prev;
    } else {
        for (prev = node->properties; prev != NULL && prev->next != NULL; prev = prev->next) {
        }
    }
    attr->parent = node;
    attr->prev = prev;
    attr->next = next;
    if (prev != NULL) {
        prev->next = attr;
    } else {
        node->properties = attr;
    }
    if (next != NULL) {
        next->prev = attr;
    }
}

static void
undo_change(struct undo *u)
{
    switch (u->kind) {
    case UNDO_RESTORE_VALUE:
        bl_xml_set_attr(u->node, u->name, u->value);
        break;
    case UNDO_DROP_ATTR:
        bl_xml_set_attr(u->node, u->name, NULL);
        break;
    case UNDO_RELINK_ATTR:
        relink_attr(u->node, u->attr, u->next_attr);
        u->attr = NULL;
        break;
    case UNDO_RELINK_NODE:
        relink_node(u->node, u->parent, u->next);
        u->node = NULL;
        break;
    case UNDO_DROP_NODE:
        bl_xml_remove(u->node);
        break;
    case UNDO_MOVE_BACK:
        xmlUnlinkNode(u->node);
        relink_node(u->node, u->parent, u->next);
        break;
    }
}

/* Frees what the log still holds: deleted subtrees and attributes, saved strings. */
static void
free_undo_log(GArray *log)
{
    for (guint i = 0; i < log->len; i++) {
        struct undo *u = &g_array_index(log, struct undo, i);

        if (u->kind == UNDO_RELINK_ATTR && u->attr != NULL) {
            xmlFreeProp(u->attr);
        } else if (u->kind == UNDO_RELINK_NODE && u->node != NULL) {
            xmlFreeNode(u->node);
        }
        free(u->name);
        free(u->value);
    }
    g_array_free(log, TRUE);
}

static void
roll_back(struct patcher *p)
{
    for (guint i = p->undo->len; i-- > 0;) {
        undo_change(&g_array_index(p->undo, struct undo, i));
    }
}

/* ------------------------------------------------------------------ paths */

struct step {
    char *name;
    char *id;  /* NULL unless the step is name[@id='...'] */
    long rank; /* 1 unless the step is name[k] */
};

/* Parses one STEP at TEXT into *STEP; returns the end of the step, NULL if malformed. */
static const char *
parse_step(const char *text, struct step *step)
{
    size_t n = strcspn(text, "[]/'@");
    char *end = NULL;

    if (n == 0) {
        return NULL;
    }
    step->name = bl_strndup(text, n);
    text += n;
    if (*text != '[') {
        return text;
    }
    if (strncmp(text, "[@id='", 6) == 0) {
        const char *close = strstr(text + 6, "']");

        if (close == NULL) {
            return NULL;
        }
        step->id = bl_strndup(text + 6, (size_t) (close - text - 6));
        return close + 2;
    }
    if (text[1] < '1' || text[1] > '9') {
        return NULL;
    }
    errno = 0;
    step->rank = strtol(text + 1, &end, 10);
    return (errno != 0 || *end != ']') ? NULL : end + 1;
}

static bool
step_matches(const xmlNode *node, const struct step *step)
{
    if (strcmp((const char *) node->name, step->name) != 0) {
        return false;
    }
    return step->id == NULL || same_string(bl_xml_attr(node, "id"), step->id);
}

/* The child of PARENT (the root when PARENT is NULL) that STEP names, or NULL. */
static xmlNode *
find_step(xmlDoc *doc, xmlNode *parent, const struct step *step)
{
    long seen = 0;

    if (parent == NULL) {
        xmlNode *root = xmlDocGetRootElement(doc);

        return (step_matches(root, step) && step->rank == 1) ? root : NULL;
    }
    for (xmlNode *child = bl_xml_first_child(parent, step->name); child != NULL;
         child = bl_xml_next(child, step->name)) {
        if (step_matches(child, step) && (step->id != NULL || ++seen == step->rank)) {
            return child;
        }
    }
    return NULL;
}

static const char *
change_name(const struct patcher *p)
{
    return (const char *) p->change->name;
}

/* Finds the element the change's path names. */
static int
resolve_path(struct patcher *p, xmlNode **found, char **err)
{
    const char *path = bl_xml_attr(p->change, "path");
    const char *cursor = path;
    xmlNode *node = NULL;

    if (path == NULL || *path != '/') {
        bl_err_set(err, "cib-diff change %u (%s): the path is missing or does not start with '/'",
                   p->number, change_name(p));
        return BL_EPARSE;
    }
    while (*cursor == '/') {
        struct step step = {NULL, NULL, 1};
        const char *start = cursor + 1;

        cursor = parse_step(start, &step);
        if (cursor == NULL || (*cursor != '/' && *cursor != '\0')) {
            bl_err_set(err, "cib-diff change %u (%s): path '%s': malformed step at '%s'", p->number,
                       change_name(p), path, start);
            free(step.name);
            free(step.id);
            return BL_EPARSE;
        }
        node = find_step(p->doc, node, &step);
        free(step.name);
        free(step.id);
        if (node == NULL) {
            bl_err_set(
                err,
                "cib-diff change %u (%s): no element '%.*s' in this CIB: it differs from the diff's source",
                p->number, change_name(p), (int) (cursor - path), path);
            return BL_EDIGEST;
        }
    }
    *found = node;
    return 0;
}

/* ---------------------------------------------------------------- changes */

static guint
count_elements(const xmlNode *parent)
{
    guint count = 0;

    for (xmlNode *child = bl_xml_first_child(parent, NULL); child != NULL;
         child = bl_xml_next(child, NULL)) {
        count++;
    }
    return count;
}

/* Reads the change's position, which must be at most MAX. */
static int
get_position(const struct patcher *p, guint max, guint *position, char **err)
{
    const char *text = bl_xml_attr(p->change, "position");
    char *end = NULL;
    unsigned long value;

    if (text == NULL || *text < '0' || *text > '9') {
        bl_err_set(err, "cib-diff change %u (%s): position '%s' is not a non-negative integer",
                   p->number, change_name(p), text ? text : "");
        return BL_EPARSE;
    }
    errno = 0;
    value = strtoul(text, &end, 10);
    if (errno != 0 || *end != '\0') {
        bl_err_set(err, "cib-diff change %u (%s): position '%s' is not a non-negative integer",
                   p->number, change_name(p), text);
        return BL_EPARSE;
    }
    if (value > max) {
        bl_err_set(
            err,
            "cib-diff change %u (%s): position %lu is past the end (%u elements): the CIB differs from the diff's source",
            p->number, change_name(p), value, max);
        return BL_EDIGEST;
    }
    *position = (guint) value;
    return 0;
}

/* Inserts NODE (unlinked) as element child POSITION of PARENT. */
static void
insert_at(xmlNode *parent, xmlNode *node, guint position)
{
    xmlNode *before = bl_xml_first_child(parent, NULL);

    for (guint i = 0; i < position && before != NULL; i++) {
        before = bl_xml_next(before, NULL);
    }
    relink_node(node, parent, before);
}

static const char *
required_attr(const struct patcher *p, const char *name, char **err)
{
    const char *value = bl_xml_attr(p->change, name);

    if (value == NULL) {
        bl_err_set(err, "cib-diff change %u (%s): attribute '%s' is missing", p->number,
                   change_name(p), name);
    } else if (strcmp(name, "name") == 0 && xmlValidateName((const xmlChar *) value, 0) != 0) {
        bl_err_set(err, "cib-diff change %u (%s): '%s' is not an attribute name", p->number,
                   change_name(p), value);
        return NULL;
    }
    return value;
}

static int
apply_set(struct patcher *p, xmlNode *target, char **err)
{
    const char *name = required_attr(p, "name", err);
    const char *value = required_attr(p, "value", err);
    const char *old;
    struct undo u = {0};

    if (name == NULL || value == NULL) {
        return BL_EPARSE;
    }
    old = bl_xml_attr(target, name);
    u.kind = old != NULL ? UNDO_RESTORE_VALUE : UNDO_DROP_ATTR;
    u.node = target;
    u.name = bl_strdup(name);
    u.value = old != NULL ? bl_strdup(old) : NULL;
    push_undo(p, &u);
    bl_xml_set_attr(target, name, value);
    return 0;
}

static int
apply_unset(struct patcher *p, xmlNode *target, char **err)
{
    const char *name = required_attr(p, "name", err);
    xmlAttr *attr;
    struct undo u = {0};

    if (name == NULL) {
        return BL_EPARSE;
    }
    for (attr = target->properties; attr != NULL; attr = attr->next) {
        if (strcmp((const char *) attr->name, name) == 0) {
            break;
        }
    }
    if (attr == NULL) {
        bl_err_set(
            err,
            "cib-diff change %u (unset): '%s' has no attribute '%s': the CIB differs from the diff's source",
            p->number, bl_xml_attr(p->change, "path"), name);
        return BL_EDIGEST;
    }
    u.kind = UNDO_RELINK_ATTR;
    u.node = target;
    u.attr = attr;
    u.next_attr = attr->next;
    xmlUnlinkNode((xmlNode *) attr);
    push_undo(p, &u);
    return 0;
}

static int
refuse_root(const struct patcher *p, xmlNode *target, char **err)
{
    if (target == xmlDocGetRootElement(p->doc)) {
        bl_err_set(err, "cib-diff change %u (%s): the root element cannot be deleted or moved",
                   p->number, change_name(p));
        return BL_EPARSE;
    }
    return 0;
}

static int
apply_delete(struct patcher *p, xmlNode *target, char **err)
{
    struct undo u = {0};
    int rc = refuse_root(p, target, err);

    if (rc != 0) {
        return rc;
    }
    u.kind = UNDO_RELINK_NODE;
    u.node = target;
    u.parent = target->parent;
    u.next = target->next;
    xmlUnlinkNode(target);
    push_undo(p, &u);
    return 0;
}

static int
apply_insert(struct patcher *p, xmlNode *target, char **err)
{
    xmlNode *subtree = bl_xml_first_child(p->change, NULL);
    struct undo u = {0};
    guint position = 0;
    int rc;

    if (subtree == NULL || bl_xml_next(subtree, NULL) != NULL) {
        bl_err_set(err, "cib-diff change %u (insert): expected exactly one element to insert",
                   p->number);
        return BL_EPARSE;
    }
    rc = get_position(p, count_elements(target), &position, err);
    if (rc != 0) {
        return rc;
    }
    u.kind = UNDO_DROP_NODE;
    u.node = xmlDocCopyNode(subtree, p->doc, 1);
    if (u.node == NULL) {
        abort();
    }
    insert_at(target, u.node, position);
    push_undo(p, &u);
    return 0;
}

static int
apply_move(struct patcher *p, xmlNode *target, char **err)
{
    struct undo u = {0};
    guint position = 0;
    int rc = refuse_root(p, target, err);

    if (rc == 0) {
        rc = get_position(p, count_elements(target->parent) - 1, &position, err);
    }
    if (rc != 0) {
        return rc;
    }
    u.kind = UNDO_MOVE_BACK;
    u.node = target;
    u.parent = target->parent;
    u.next = target->next;
    xmlUnlinkNode(target);
    insert_at(u.parent, target, position);
    push_undo(p, &u);
    return 0;
}

static const struct {
    const char *name;
    int (*apply)(struct patcher *p, xmlNode *target, char **err);
} change_kinds[] = {
    {"set", apply_set},       {"unset", apply_unset}, {"delete", apply_delete},
    {"insert", apply_insert}, {"move", apply_move},
};

static int
apply_change(struct patcher *p, char **err)
{
    xmlNode *target = NULL;

    for (size_t i = 0; i < G_N_ELEMENTS(change_kinds); i++) {
        if (strcmp(change_name(p), change_kinds[i].name) == 0) {
            int rc = resolve_path(p, &target, err);

            return rc != 0 ? rc : change_kinds[i].apply(p, target, err);
        }
    }
    bl_err_set(
        err,
        "cib-diff change %u: unknown change <%s> (expected set, unset, delete, insert or move)",
        p->number, change_name(p));
    return BL_EPARSE;
}

/* ----------------------------------------------------------------- header */

/* Parses "admin_epoch.epoch.num_updates". */
static bool
parse_version_text(const char *text, bl_cib_version_t *version)
{
    int64_t *fields[] = {&version->admin_epoch, &version->epoch, &version->num_updates};
    const char *cursor = text;

    for (int i = 0; i < 3; i++) {
        char *end = NULL;

        if (cursor == NULL || *cursor < '0' || *cursor > '9') {
            return false;
        }
        errno = 0;
        *fields[i] = strtoll(cursor, &end, 10);
        if (errno != 0 || *end != (i < 2 ? '.' : '\0')) {
            return false;
        }
        cursor = end + 1;
    }
    return true;
}

static bool
is_digest(const char *text)
{
    if (text == NULL || strlen(text) != BL_DIGEST_HEXLEN) {
        return false;
    }
    return strspn(text, "0123456789abcdef") == BL_DIGEST_HEXLEN;
}

/* Checks the <cib-diff> root and its <version>; returns the <version> element. */
static int
read_header(const xmlDoc *diff, bl_cib_version_t *source, bl_cib_version_t *target,
            xmlNode **version, char **err)
{
    xmlNode *root = xmlDocGetRootElement(diff);
    const char *format = bl_xml_attr(root, "format");

    if (!bl_xml_is(root, "cib-diff")) {
        bl_err_set(err, "cib-diff: the root element is not <cib-diff>");
        return BL_EPARSE;
    }
    if (!same_string(format, DIFF_FORMAT)) {
        bl_err_set(err, "cib-diff: format '%s' is not supported (expected " DIFF_FORMAT ")",
                   format ? format : "");
        return BL_EPARSE;
    }
    *version = bl_xml_first_child(root, NULL);
    if (!bl_xml_is(*version, "version")) {
        bl_err_set(err, "cib-diff: the first element must be <version>");
        return BL_EPARSE;
    }
    if (!parse_version_text(bl_xml_attr(*version, "source"), source)
        || !parse_version_text(bl_xml_attr(*version, "target"), target)) {
        bl_err_set(err,
                   "cib-diff: <version> needs source and target as admin_epoch.epoch.num_updates");
        return BL_EPARSE;
    }
    if (!is_digest(bl_xml_attr(*version, "digest"))) {
        bl_err_set(err, "cib-diff: <version> needs a digest of 64 lowercase hex digits");
        return BL_EPARSE;
    }
    return 0;
}

static int
check_version(const xmlDoc *doc, const bl_cib_version_t *expected, const char *what, char **err)
{
    bl_cib_version_t actual;
    int rc = bl_cib_version_get(doc, &actual, err);
    char *have;
    char *want;

    if (rc != 0 || bl_cib_version_compare(&actual, expected) == 0) {
        return rc;
    }
    have = bl_cib_version_format(&actual);
    want = bl_cib_version_format(expected);
    bl_err_set(err, "cib-diff: the CIB is at version %s but the diff's %s is %s", have, what, want);
    free(have);
    free(want);
    return BL_EVERSION;
}

/* After the changes: the result must be the diff's target, digest included. */
static int
check_result(const xmlDoc *doc, const bl_cib_version_t *target, const char *digest, char **err)
{
    char actual[BL_DIGEST_HEXLEN + 1];
    int rc = check_version(doc, target, "target", err);

    if (rc == BL_EVERSION) {
        bl_err_prefix(err, "cib-diff: inconsistent diff");
        return BL_EPARSE;
    }
    if (rc != 0) {
        return rc;
    }
    bl_cib_digest(doc, actual);
    if (strcmp(actual, digest) != 0) {
        bl_err_set(
            err,
            "cib-diff: after applying, the configuration digest is %.12s... but the diff expects %.12s...: the CIB differs from the diff's source",
            actual, digest);
        return BL_EDIGEST;
    }
    return 0;
}

/* CHECK_DIGEST false: the caller verifies the result otherwise (see cib_private.h). */
static int
patch(xmlDoc *doc, const xmlDoc *diff, bool check_digest, char **err)
{
    struct patcher p = {doc, g_array_new(FALSE, FALSE, sizeof(struct undo)), NULL, 0};
    bl_cib_version_t source;
    bl_cib_version_t target;
    xmlNode *version = NULL;
    int rc = read_header(diff, &source, &target, &version, err);

    if (rc == 0) {
        rc = check_version(doc, &source, "source", err);
    }
    for (p.change = bl_xml_next(version, NULL); rc == 0 && p.change != NULL;
         p.change = bl_xml_next(p.change, NULL)) {
        p.number++;
        rc = apply_change(&p, err);
    }
    if (rc == 0 && check_digest) {
        rc = check_result(doc, &target, bl_xml_attr(version, "digest"), err);
    } else if (rc == 0) {
        rc = check_version(doc, &target, "target", err);
        rc = rc == BL_EVERSION ? BL_EPARSE : rc;
    }
    if (rc != 0) {
        roll_back(&p);
    }
    free_undo_log(p.undo);
    return rc;
}

int
bl_cib_patch(xmlDoc *doc, const xmlDoc *diff, char **err)
{
    return patch(doc, diff, true, err);
}

int
bl__cib_patch_unverified(xmlDoc *doc, const xmlDoc *diff, char **err)
{
    return patch(doc, diff, false, err);
}

const char *
bl__cib_diff_digest(const xmlDoc *diff)
{
    return bl_xml_attr(bl_xml_first_child(xmlDocGetRootElement(diff), "version"), "digest");
}
