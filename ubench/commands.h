/* SPDX-License-Identifier: GPL-2.0 */
/* The ubench subcommands: each lives in its own cmd_*.c file. */
#ifndef QPWBENCH_COMMANDS_H
#define QPWBENCH_COMMANDS_H

/* Exit codes shared by every subcommand. */
enum {
	EXIT_OK = 0,
	EXIT_FAILED = 1,	/* the measurement ran and found a problem (lost ops...) */
	EXIT_USAGE = 2,		/* bad input: one error line on stderr */
};

int cmd_info(int argc, char **argv);
int cmd_topo(int argc, char **argv);
int cmd_c2c(int argc, char **argv);
/* c2c whose --csv - rows continue a stream that has its header (the sweep's). */
int cmd_c2c_continue(int argc, char **argv);
int cmd_local(int argc, char **argv);
int cmd_remote(int argc, char **argv);
int cmd_drain_all(int argc, char **argv);
int cmd_interference(int argc, char **argv);
int cmd_stress(int argc, char **argv);
int cmd_sweep(int argc, char **argv);
int cmd_trigger(int argc, char **argv);

#endif
