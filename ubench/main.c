// SPDX-License-Identifier: GPL-2.0
/* ubench: qpwbench's command-line driver; dispatches to one subcommand. */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "core/context.h"
#include "core/qpwbench_version.h"

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

static const struct command commands[] = {
	{ "info", cmd_info, "timer, CPUs, kernel, preempt model, emulation, the qpwbench module" },
	{ "topo", cmd_topo, "CPU topology, distance classes, CPU selections and sweep plans" },
	{ "c2c", cmd_c2c, "cache-line one-way latency per CPU pair; contended-line cost and fairness" },
	{ "local", cmd_local, "fast-path cost of one local op, per variant and CPU" },
	{ "remote", cmd_remote, "one caller drains one target, per CPU pair and target load" },
	{ "drain-all", cmd_drain_all, "the caller drains N CPUs over the ramp: parallel wq vs serial inline, crossover" },
	{ "interference", cmd_interference, "what an RT spinner on the drained CPUs sees (root)" },
	{ "stress", cmd_stress, "concurrent local ops and drains; every op accounted for" },
	{ "trigger", cmd_trigger, "the kernel's own remote drains against isolated CPUs, per trigger (root)" },
	{ "sweep", cmd_sweep, "the default set into one CSV (what scripts/run runs)" },
};

static void usage(FILE *f)
{
	fprintf(f, "usage: ubench COMMAND [OPTIONS]   (ubench COMMAND --help for its options)\n"
		"       ubench --version                (the git revision built)\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-14s %s\n", commands[i].name, commands[i].summary);
}

int main(int argc, char **argv)
{
	context_set_argv(argc, argv);
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
		printf("ubench %s\n", QPWBENCH_VERSION);
		return EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "ubench: unknown command '%s' (ubench --help lists them)\n", argv[1]);
	return EXIT_USAGE;
}
