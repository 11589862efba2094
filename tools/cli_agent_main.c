/* Temporary `belay-agent` program until the belay main dispatches `agent` itself. */
#include "cli_agent.h"

int
main(int argc, char **argv)
{
    argv[0] = "agent";
    return bl_cli_agent_main(argc, argv);
}
