// SPDX-License-Identifier: GPL-2.0
/*
 * ubench-gbench: per-op costs under Google Benchmark, on one pinned CPU.
 *
 *   local/<variant>      one local fast-path op of the userspace model
 *                        (DESIGN.md's variants: its batch fills and is
 *                        flushed every QPWBENCH_BATCH_ENTRIES ops, as in the kernel)
 *   line/<op>            atomic-add, cas, ticket (lock+unlock), uncontended
 *   timer/start+end      one timer_start() + timer_end() pair
 *   timer/clock_gettime  one CLOCK_MONOTONIC_RAW read
 *
 * Where the timer is a free-running reference counter (x86 TSC), each
 * benchmark also reports a "ref_ticks" counter: TSC ticks per op (not core
 * cycles, which only the PMU counts).
 *
 * usage: ubench-gbench [--cpu N] [--fifo] [--benchmark_* flags]
 *   --cpu N   pin the benchmarking thread on OS CPU N (default 0)
 *   --fifo    run it SCHED_FIFO
 */
#include <benchmark/benchmark.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "local_ops.h"
#include "pin.h"
#include "qpwbench.h"
#include "timer.h"

namespace {

const char *const variant_names[] = {
#define VARIANT_NAME(id, name) name,
	QPWBENCH_VARIANTS(VARIANT_NAME)
#undef VARIANT_NAME
};

/* Reference ticks per iteration over the whole measured loop, where the timer has them. */
class CycleCounter {
public:
	explicit CycleCounter(benchmark::State &state) : state_(state), t0_(timer_start()) {}
	~CycleCounter()
	{
		uint64_t ticks = timer_end() - t0_;

		if (timer_get_info()->counts_cycles && state_.iterations())
			state_.counters["ref_ticks"] = static_cast<double>(ticks) /
						    static_cast<double>(state_.iterations());
	}

private:
	benchmark::State &state_;
	uint64_t t0_;
};

void bm_local(benchmark::State &state, int variant)
{
	uint64_t first = 0;
	{
		CycleCounter cycles(state);

		for (auto _ : state)
			gbench_model_local(variant, first++, 1);
	}
	state.SetItemsProcessed(state.iterations());
}

void bm_line(benchmark::State &state, int op)
{
	CycleCounter cycles(state);

	for (auto _ : state)
		gbench_line_op(op);
}

void bm_timer_pair(benchmark::State &state)
{
	CycleCounter cycles(state);

	for (auto _ : state) {
		benchmark::DoNotOptimize(timer_start());
		benchmark::DoNotOptimize(timer_end());
	}
}

void bm_clock_gettime(benchmark::State &state)
{
	CycleCounter cycles(state);

	for (auto _ : state)
		benchmark::DoNotOptimize(timer_clock_ns());
}

[[noreturn]] void usage_error(const char *fmt, const char *arg)
{
	std::fprintf(stderr, "ubench-gbench: ");
	std::fprintf(stderr, fmt, arg);
	std::fprintf(stderr, " (usage: ubench-gbench [--cpu N] [--fifo] [--benchmark_* flags])\n");
	std::exit(2);
}

/* Take our flags out of argv (before Google Benchmark sees it). */
void parse_own_flags(int *argc, char **argv, unsigned int *cpu, bool *fifo)
{
	int out = 1;

	for (int i = 1; i < *argc; i++) {
		const char *a = argv[i];
		const char *val = nullptr;

		if (!std::strcmp(a, "--fifo")) {
			*fifo = true;
			continue;
		}
		if (!std::strcmp(a, "--cpu")) {
			if (i + 1 >= *argc)
				usage_error("%s needs a CPU number", a);
			val = argv[++i];
		} else if (!std::strncmp(a, "--cpu=", 6)) {
			val = a + 6;
		} else {
			argv[out++] = argv[i];
			continue;
		}
		char *end;
		errno = 0;
		unsigned long v = std::strtoul(val, &end, 10);
		if (!*val || *val < '0' || *val > '9' || *end || errno || v >= QPWBENCH_MAX_CPUS)
			usage_error("--cpu '%s': an OS CPU number", val);
		*cpu = static_cast<unsigned int>(v);
	}
	*argc = out;
	argv[out] = nullptr;
}

} // namespace

int main(int argc, char **argv)
{
	unsigned int cpu = 0;
	bool fifo = false;
	char err[256];

	parse_own_flags(&argc, argv, &cpu, &fifo);
	if (pin_self(cpu, err, sizeof(err))) {
		std::fprintf(stderr, "ubench-gbench: %s\n", err);
		return 2;
	}
	if (fifo && sched_fifo_self(THREADS_FIFO_PRIO, err, sizeof(err))) {
		std::fprintf(stderr, "ubench-gbench: --fifo: %s\n", err);
		return 2;
	}
	if (timer_init(err, sizeof(err)) || gbench_model_open(cpu, err, sizeof(err))) {
		std::fprintf(stderr, "ubench-gbench: %s\n", err);
		return 1;
	}
	benchmark::AddCustomContext("qpwbench.cpu", std::to_string(cpu));
	benchmark::AddCustomContext("qpwbench.sched", fifo ? "SCHED_FIFO" : "SCHED_OTHER");
	benchmark::AddCustomContext("qpwbench.timer", timer_get_info()->name);
	benchmark::AddCustomContext("qpwbench.model_local_lock",
				    gbench_model_preempt_rt() ? "rt (spinlock)" : "!rt (preempt_disable)");

	for (int v = 0; v < QPWBENCH_NR_VARIANTS; v++)
		benchmark::RegisterBenchmark((std::string("local/") + variant_names[v]).c_str(), bm_local, v);
	for (int op = 0; op < gbench_line_nr_ops(); op++)
		benchmark::RegisterBenchmark((std::string("line/") + gbench_line_op_name(op)).c_str(), bm_line, op);
	benchmark::RegisterBenchmark("timer/start+end", bm_timer_pair);
	benchmark::RegisterBenchmark("timer/clock_gettime", bm_clock_gettime);

	benchmark::Initialize(&argc, argv);
	if (benchmark::ReportUnrecognizedArguments(argc, argv))
		return 2;
	benchmark::RunSpecifiedBenchmarks();
	benchmark::Shutdown();
	gbench_model_close();
	return 0;
}
