/* cli: one function per subcommand, each `int cli_NAME(int argc, char **argv)`
 * taking the arguments after the subcommand's name and returning the process
 * exit status (0 ok, 1 thresholds failed, 2 bad input, 3 external tool failed,
 * 4 internal or i/o error). */
#ifndef SUBNETSIM_CLI_H
#define SUBNETSIM_CLI_H

typedef struct cli_command {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *summary;
} cli_command;

/* The table main() dispatches on; a subcommand adds itself here. */
extern const cli_command cli_commands[];

int cli_epoch(int argc, char **argv);
int cli_tables(int argc, char **argv);

#endif
