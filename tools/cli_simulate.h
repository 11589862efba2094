/* `belay simulate`: run the scheduler on a CIB file and print what it would do. */
#ifndef BELAY_CLI_SIMULATE_H
#define BELAY_CLI_SIMULATE_H

#include <belay/scheduler.h>

/*
 * Entry point of `belay simulate FILE [options]` (see usage());
 * argv[0] is "simulate". Prints to stdout/stderr and returns the process exit code
 * (0 ok, 1 error, 2 usage, 3 unsupported feature in the CIB).
 */
int bl_cli_simulate_main(int argc, char **argv);

/* Prints STATE for a person under TITLE: node list, resources, failed operations
 * (tools/cli_simulate_status.c). */
void bl_cli_simulate_print_state(const char *title, const bl_sched_state_t *state);

#endif /* BELAY_CLI_SIMULATE_H */
