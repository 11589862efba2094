/* Temporary stand-alone "belay simulate" until the belay program dispatches to it. */
int bl_cli_simulate_main(int argc, char **argv);

int
main(int argc, char **argv)
{
    if (argc < 2) {
        return bl_cli_simulate_main(argc, argv);
    }
    /* "belay-simulate simulate FILE ..." behaves like "belay simulate FILE ...". */
    return bl_cli_simulate_main(argc - 1, argv + 1);
}
