/* commands.h: the subcommands of gradflow, one file each. */
#ifndef GF_COMMANDS_H
#define GF_COMMANDS_H

int cmd_gradnorm(int argc, char **argv);
int cmd_degrade(int argc, char **argv);

#endif
