/* commands.h: the subcommands of gradflow, one file each: a cli_command
 * (an option table, a run or its steps, a summary; see cli.h and run.h). */
#ifndef CLI_COMMANDS_H
#define CLI_COMMANDS_H

#include "cli.h"

extern const cli_command cli_gradnorm;
extern const cli_command cli_paths;
extern const cli_command cli_degrade;
extern const cli_command cli_stochdepth;
extern const cli_command cli_init_compare;
extern const cli_command cli_pathgrad;
extern const cli_command cli_lesion;
extern const cli_command cli_responses;
extern const cli_command cli_theory;
extern const cli_command cli_jacobian;
extern const cli_command cli_hanin;
extern const cli_command cli_shatter;
extern const cli_command cli_densenet;
extern const cli_command cli_sweep;
extern const cli_command cli_transformer;
extern const cli_command cli_landscape;
extern const cli_command cli_identity;

#endif
