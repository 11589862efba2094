/* lib/cluster internals shared by the CPG, quorum and nodelist files. */
#ifndef BELAY_CLUSTER_PRIVATE_H
#define BELAY_CLUSTER_PRIVATE_H

#include <belay/cluster.h>

/*
 * Makes sure *CACHE holds a nodelist that knows every id in IDS: loads it from cmap when
 * *CACHE is NULL or some id is missing (corosync may have reloaded its config with new
 * nodes). Names borrowed from the old *CACHE become invalid when it is reloaded.
 */
void bl__cluster_nodelist_refresh(bl_cluster_nodelist_t **cache, const uint32_t *ids, size_t n_ids);

/*
 * The frames of a message of LEN bytes cut into chunks of at most CHUNK bytes (GBytes,
 * header included). Exposed for the unit tests. Free with g_ptr_array_unref().
 */
#include <glib.h>
GPtrArray *bl__cpg_chunk_frames(const void *data, size_t len, size_t chunk);

#endif /* BELAY_CLUSTER_PRIVATE_H */
