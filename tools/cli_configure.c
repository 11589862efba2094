/* `belay configure VERB …`: glue between the command line and the crm grammar library. */
#include <stdlib.h>
#include <string.h>

#include <belay/crm.h>

#include "cli_private.h"

int
bl__cli_configure_exec(bl_cli_t *cli, int argc, char **argv)
{
    /* crm's commit ends a transaction: here, a commit point of the working copy. */
    if (strcmp(argv[0], "commit") == 0) {
        return bl__cli_cib_checkpoint(cli);
    }
    return bl_crm_configure(cli->doc, argc, argv, cli->out, &cli->err);
}

int
bl__cli_configure_run(bl_cli_t *cli, int argc, char **argv)
{
    int rc;

    if (argc < 2) {
        bl_err_set(
            &cli->err,
            "configure: missing command (the interactive configure level is only available in scripts: belay -f FILE)");
        return BL_EUSAGE;
    }
    rc = bl__cli_cib_live_configure(cli, argc - 1, argv + 1);
    if (rc != 1) {
        return rc;
    }
    rc = bl__cli_cib_load(cli);
    return rc != 0 ? rc : bl__cli_configure_exec(cli, argc - 1, argv + 1);
}
