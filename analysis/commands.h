/* commands.h: the subcommands of gradflow, one file each. */
#ifndef CLI_COMMANDS_H
#define CLI_COMMANDS_H

int cmd_gradnorm(int argc, char **argv);
int cmd_degrade(int argc, char **argv);
int cmd_paths(int argc, char **argv);
int cmd_pathgrad(int argc, char **argv);
int cmd_lesion(int argc, char **argv);
int cmd_stochdepth(int argc, char **argv);
int cmd_jacobian(int argc, char **argv);
int cmd_hanin(int argc, char **argv);
int cmd_shatter(int argc, char **argv);
int cmd_theory(int argc, char **argv);
int cmd_init_compare(int argc, char **argv);

#endif
