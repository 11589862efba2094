/*
 * libFuzzer target for the reassembly of framed IPC messages (bl__ipc_assembler_add()):
 * frames come from any local client, so any bytes must be put together or refused —
 * never crash, and a message handed out is always NUL-terminated text of the length said.
 * The input is a sequence of frames, each preceded by its length (one byte, times 3).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <belay/common.h>

#include "bl_ipc_private.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    bl__ipc_assembler_t assembler = {0};
    size_t offset = 0;

    while (offset < size) {
        size_t len = MIN((size_t) data[offset] * 3, size - offset - 1);
        char *message = NULL;
        char *err = NULL;
        size_t message_len = 0;
        int rc =
            bl__ipc_assembler_add(&assembler, data + offset + 1, len, &message, &message_len, &err);

        if ((rc == 1) != (message != NULL) || (rc < 0) != (err != NULL)) {
            abort();
        }
        if (rc == 1 && (message[message_len] != '\0' || strlen(message) > message_len)) {
            abort();
        }
        free(message);
        free(err);
        offset += len + 1;
    }
    bl__ipc_assembler_reset(&assembler);
    return 0;
}
