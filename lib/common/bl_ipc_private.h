/* The frame format of large IPC messages, shared by the client and server sides. */
#ifndef BELAY_BL_IPC_PRIVATE_H
#define BELAY_BL_IPC_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <glib.h>

/*
 * A frame's body starts with four little-endian 32-bit words: magic, the message id (of a
 * request; 0 in replies and events), the frame's index and the number of frames.
 */
#define BL__IPC_FRAME_MAGIC 0x31494c42u /* "BLI1" */
#define BL__IPC_FRAME_HEADER 16
/* Room kept in each frame for libqb's headers and its ring buffer's own bookkeeping. */
#define BL__IPC_FRAME_OVERHEAD 1024

typedef struct bl__ipc_frame {
    uint32_t id;
    uint32_t index;
    uint32_t count;
} bl__ipc_frame_t;

/* Bytes of message data one frame of a connection with FRAME_MAX-byte buffers holds. */
size_t bl__ipc_frame_data(size_t frame_max);

/* Number of frames a message of LEN bytes needs (LEN > bl__ipc_frame_data()). */
uint32_t bl__ipc_frame_count(size_t len, size_t frame_max);

/* Writes the frame header of FRAME into OUT. */
void bl__ipc_frame_encode(const bl__ipc_frame_t *frame, uint8_t out[BL__IPC_FRAME_HEADER]);

/* Reads a frame header from BODY (LEN bytes); false when it is not one. */
bool bl__ipc_frame_decode(const void *body, size_t len, bl__ipc_frame_t *frame);

/* Puts the frames of one message together. */
typedef struct bl__ipc_assembler {
    uint8_t *data; /* NULL when no message is in progress */
    size_t len;
    size_t size;
    bl__ipc_frame_t last; /* the last frame added */
} bl__ipc_assembler_t;

/*
 * Adds a frame (BODY of LEN bytes, header included). Returns 1 when the message is whole:
 * *message gets it (NUL-terminated, caller frees) and *message_len its length without the
 * terminating NUL; 0 when more frames are needed; BL_EPARSE with one sentence in *err for a
 * frame out of sequence, a message larger than BL_IPC_MAX_MSG, or one that is not
 * NUL-terminated text (the partial message is dropped).
 */
int bl__ipc_assembler_add(bl__ipc_assembler_t *assembler, const void *body, size_t len,
                          char **message, size_t *message_len, char **err);

/* Drops a partial message. */
void bl__ipc_assembler_reset(bl__ipc_assembler_t *assembler);

#endif /* BELAY_BL_IPC_PRIVATE_H */
