/* `belay agent`: list, inspect and run resource agents. */
#ifndef BELAY_CLI_AGENT_H
#define BELAY_CLI_AGENT_H

/*
 * Runs `agent list [PROVIDER]`, `agent info ocf:P:T` or `agent run ocf:P:T ACTION
 * [--param K=V]... [--meta K=V]... [--timeout DURATION] [--resource ID]`; ARGV[0] is
 * "agent". $OCF_ROOT selects the agent tree. Returns the process exit code: for
 * `run`, the agent's OCF exit code (0 = success), 124 on timeout, 128+N when killed by
 * signal N; 64 for usage errors.
 */
int bl_cli_agent_main(int argc, char **argv);

#endif /* BELAY_CLI_AGENT_H */
