/* `belay simulate`: run the scheduler on a CIB file and print what it would do. */
#ifndef BELAY_CLI_SIMULATE_H
#define BELAY_CLI_SIMULATE_H

/*
 * Entry point of `belay simulate FILE [--placement] [--actions] [--scores] [-t DATE]`;
 * argv[0] is "simulate". Prints to stdout/stderr and returns the process exit code
 * (0 ok, 1 error, 2 usage, 3 unsupported feature in the CIB).
 */
int bl_cli_simulate_main(int argc, char **argv);

#endif /* BELAY_CLI_SIMULATE_H */
