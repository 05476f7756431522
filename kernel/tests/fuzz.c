// SPDX-License-Identifier: GPL-2.0
/*
 * qpwbench-fuzz: random ioctls against /dev/qpwbench for a bounded time.
 *
 *   qpwbench-fuzz [--seconds N (10, max 3600)] [--seed S] [--threads N (1..16)]
 *
 * Five kinds of call, chosen at random: random command numbers with random
 * payloads (of the driver's type 'Q': only the three real commands may
 * succeed, everything else is ENOTTY); RUN requests with random fields, each
 * judged by an independent model of the argument rules (a request the model
 * calls invalid must fail with EINVAL/E2BIG/ENODEV; a valid one, made cheap
 * first, must succeed with self-consistent results); bad pointers (EFAULT);
 * VERSION with garbage arguments; now and then a child process started on a
 * run is SIGKILLed at a random moment, after which the device must serve a
 * run again. With --threads N the calls race each other (a valid request
 * may then also get EBUSY). Exit 0 when the device never misbehaved (and
 * the kernel is still alive), 1 otherwise, 77 with no device.
 */
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/wait.h>

#include "qpwbench_test.h"

static _Thread_local __u64 rng_state;

static __u64 rnd(void)
{
	/* xorshift64* */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1DULL;
}

/* Mostly boundary values around @cap, sometimes anything. */
static __u64 rnd_around(__u64 cap)
{
	switch (rnd() % 6) {
	case 0: return 0;
	case 1: return 1 + rnd() % 4;
	case 2: return cap;
	case 3: return cap + 1;
	case 4: return rnd() % (cap + 2);
	default: return rnd();
	}
}

static struct qpwbench_info info;
static atomic_ulong misbehaved, calls;
static unsigned int nthreads = 1;

__attribute__((format(printf, 1, 2)))
static void misbehave(const char *fmt, ...)
{
	va_list ap;

	char line[512];

	if (atomic_fetch_add(&misbehaved, 1) >= 20)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	printf("FAIL fuzz: %s\n", line);
}

static unsigned int mask_weight(const __u64 *mask)
{
	unsigned int n = 0;

	for (unsigned int w = 0; w < QPWBENCH_MASK_WORDS; w++)
		n += (unsigned int)__builtin_popcountll(mask[w]);
	return n;
}

static bool mask_online(const __u64 *mask)
{
	for (unsigned int w = 0; w < QPWBENCH_MASK_WORDS; w++)
		if (mask[w] & ~info.online[w])
			return false;
	return true;
}

/*
 * The argument rules of uapi/qpwbench.h, written independently of the module:
 * first those checked before the module looks for a concurrent run.
 */
static bool model_args_valid(const struct qpwbench_run *r)
{
	bool local = r->scenario == QPWBENCH_SCENARIO_LOCAL;
	bool preempted = r->target_load == QPWBENCH_LOAD_OWNER_PREEMPTED;
	bool filled_idle = r->target_load == QPWBENCH_LOAD_FILLED_IDLE;
	bool owners = r->target_load == QPWBENCH_LOAD_OWNER || preempted;

	if (r->size != sizeof(*r) || r->version != QPWBENCH_ABI_VERSION ||
	    (r->flags & ~QPWBENCH_RUN_FLAGS) || (r->flags && !local) || r->__pad || r->__pad2 ||
	    (r->samples_cap && !r->samples) ||
	    r->scenario >= QPWBENCH_NR_SCENARIOS || r->variant >= QPWBENCH_NR_VARIANTS)
		return false;
	if (r->lock_mode >= QPWBENCH_NR_LOCK_MODES || r->target_load >= QPWBENCH_NR_LOADS ||
	    (r->drain_flags & ~QPWBENCH_DRAIN_FLAGS) ||
	    ((r->drain_flags & QPWBENCH_DRAIN_FILL) && !owners && !filled_idle))
		return false;
	/* SCHED_FIFO only for the preempted holder's drainer. */
	if (r->drainer_policy >= QPWBENCH_NR_DRAINER_POLICIES ||
	    (r->drainer_policy == QPWBENCH_DRAINER_FIFO && !preempted))
		return false;
	/* A filled idle target: a fill of at least one entry, no rate. */
	if (filled_idle && (!(r->drain_flags & QPWBENCH_DRAIN_FILL) || !r->fill ||
			    r->owner_rate_hz))
		return false;
	if (r->target_load != QPWBENCH_LOAD_NONE && r->scenario != QPWBENCH_SCENARIO_REMOTE &&
	    r->scenario != QPWBENCH_SCENARIO_DRAIN_ALL &&
	    (r->scenario != QPWBENCH_SCENARIO_INTERFERENCE || r->target_load != QPWBENCH_LOAD_FIFO))
		return false;
	if (r->fill > QPWBENCH_BATCH_ENTRIES || r->owner_rate_hz > QPWBENCH_MAX_OWNER_RATE_HZ ||
	    r->owner_hold_ns > QPWBENCH_MAX_OWNER_HOLD_NS)
		return false;
	if (r->owner_hold_ns && (!owners || r->lock_mode != QPWBENCH_LOCK_PLAIN))
		return false;
	if (preempted && (!r->owner_hold_ns || r->owner_rate_hz))
		return false;
	if (r->iterations > QPWBENCH_MAX_ITERATIONS || r->warmup > QPWBENCH_MAX_WARMUP ||
	    r->duration_ns > QPWBENCH_MAX_DURATION_NS || r->rate_hz > QPWBENCH_MAX_RATE_HZ ||
	    r->wait_bound_ns > QPWBENCH_MAX_WAIT_BOUND_NS || r->batch > QPWBENCH_MAX_BATCH ||
	    r->samples_cap > QPWBENCH_MAX_RAW_SAMPLES)
		return false;
	if (r->scenario == QPWBENCH_SCENARIO_INTERFERENCE ? !r->rate_hz || !r->duration_ns
							  : !r->iterations)
		return false;
	return !local || r->batch;
}

/* ...then the CPUs, checked once the run is the module's only one. */
static bool model_valid(const struct qpwbench_run *r)
{
	if (!model_args_valid(r))
		return false;
	if (!qt_cpu_online(&info, r->caller_cpu) || !mask_weight(r->cpus) || !mask_online(r->cpus))
		return false;
	if (r->scenario == QPWBENCH_SCENARIO_REMOTE &&
	    (mask_weight(r->cpus) != 1 || qpwbench_mask_test(r->cpus, r->caller_cpu)))
		return false;
	return true;
}

/* Keep a valid request valid but short: the fuzzer must not spend its time waiting. */
static void make_cheap(struct qpwbench_run *r)
{
	r->iterations = r->iterations % 16 + 1;
	r->warmup %= 4;
	r->batch = r->batch % 64 + 1;
	r->duration_ns = r->duration_ns % 5000000 + 1;
	r->rate_hz = r->rate_hz % 10000 + 1;
	r->wait_bound_ns %= 100000000;
	/* A FIFO spinner stalls every workqueue drain for the bound: keep it short. */
	if (r->target_load == QPWBENCH_LOAD_FIFO)
		r->wait_bound_ns = r->wait_bound_ns % 1000000 + 1;
	/* Paced owners: at least a few ops per drain. */
	if (r->owner_rate_hz)
		r->owner_rate_hz = r->owner_rate_hz % 1000000 + 100000;
	/* Holds short enough that a drain meeting one is not slow. */
	r->owner_hold_ns %= 20000;
	/* ...and the FIFO task's spin, which owner-preempted needs. */
	if (r->target_load == QPWBENCH_LOAD_OWNER_PREEMPTED)
		r->owner_hold_ns += 1;
}

static unsigned int rnd_cpu(void)
{
	switch (rnd() % 4) {
	case 0: return (unsigned int)rnd();
	case 1: return info.nr_cpu_ids + (unsigned int)(rnd() % 4);
	default: return (unsigned int)(rnd() % info.nr_cpu_ids);
	}
}

static void fuzz_run(int fd)
{
	static _Thread_local struct qpwbench_drain_stats drain_stats;
	struct qpwbench_run r;
	bool valid, unsupported;
	int ret;

	qt_run_init(&r, (__u32)(rnd() % (QPWBENCH_NR_SCENARIOS + 1)),
		    (__u32)(rnd() % (QPWBENCH_NR_VARIANTS + 1)));
	if (rnd() % 8 == 0)
		r.size = (__u32)rnd_around(sizeof(r));
	if (rnd() % 8 == 0)
		r.version = (__u32)rnd();
	if (rnd() % 8 == 0)
		r.flags = (__u32)rnd();
	if (rnd() % 16 == 0)
		r.scenario = (__u32)rnd();
	if (rnd() % 16 == 0)
		r.variant = (__u32)rnd();
	r.caller_cpu = rnd_cpu();
	r.iterations = rnd_around(QPWBENCH_MAX_ITERATIONS);
	r.warmup = (__u32)rnd_around(QPWBENCH_MAX_WARMUP);
	r.batch = (__u32)rnd_around(QPWBENCH_MAX_BATCH);
	r.duration_ns = rnd_around(QPWBENCH_MAX_DURATION_NS);
	r.rate_hz = rnd_around(QPWBENCH_MAX_RATE_HZ);
	r.wait_bound_ns = rnd_around(QPWBENCH_MAX_WAIT_BOUND_NS);
	for (unsigned int n = (unsigned int)(rnd() % 4); n; n--) {
		unsigned int cpu = rnd_cpu();

		if (cpu < QPWBENCH_MAX_CPUS)
			qpwbench_mask_set(r.cpus, cpu);
	}
	if (rnd() % 32 == 0)
		r.cpus[rnd() % QPWBENCH_MASK_WORDS] = rnd();
	if (rnd() % 4 == 0)
		r.target_load = (__u32)(rnd() % 8 ? rnd() % QPWBENCH_NR_LOADS : rnd());
	if (rnd() % 4 == 0)
		r.drain_flags = (__u32)(rnd() % 8 ? rnd() % (QPWBENCH_DRAIN_FLAGS + 1) : rnd());
	if (rnd() % 4 == 0)
		r.fill = (__u32)rnd_around(QPWBENCH_BATCH_ENTRIES);
	if (rnd() % 4 == 0)
		r.lock_mode = (__u32)(rnd() % 8 ? rnd() % QPWBENCH_NR_LOCK_MODES : rnd());
	if (rnd() % 4 == 0)
		r.owner_rate_hz = rnd_around(QPWBENCH_MAX_OWNER_RATE_HZ);
	if (rnd() % 8 == 0)
		r.owner_hold_ns = rnd() % 4 ? rnd() % 20000 : rnd_around(QPWBENCH_MAX_OWNER_HOLD_NS);
	if (rnd() % 8 == 0)
		r.drainer_policy = (__u32)(rnd() % 4 ? rnd() % QPWBENCH_NR_DRAINER_POLICIES : rnd());
	if (rnd() % 32 == 0)
		r.__pad2 = (__u32)rnd();
	if (rnd() % 2 == 0)
		r.drain_stats = (uintptr_t)&drain_stats;
	/* Garbage in the output part must not matter. */
	for (size_t i = 0; i < sizeof(r.result) / sizeof(__u64); i++)
		((__u64 *)&r.result)[i] = rnd();

	/* Cheap counts keep every verdict, and keep a wrongly accepted run short. */
	if (model_args_valid(&r))
		make_cheap(&r);
	/*
	 * A well-formed trylock run: the module has no local_trylock() to run
	 * it with; owner-preempted off PREEMPT_RT: no preemptible lock holder.
	 */
	unsupported = model_args_valid(&r) && (r.lock_mode == QPWBENCH_LOCK_TRYLOCK ||
					       (r.target_load == QPWBENCH_LOAD_OWNER_PREEMPTED &&
						!info.preempt_rt));
	valid = !unsupported && model_valid(&r);
	ret = qt_run(fd, &r);
	calls++;
	if (ret == -EBUSY && nthreads > 1 && model_args_valid(&r))
		return;	/* another thread's run */
	if (unsupported && ret != -EOPNOTSUPP) {
		misbehave("trylock or !RT owner-preempted run got %s, not EOPNOTSUPP",
			  ret ? strerror(-ret) : "success");
	} else if (!unsupported && valid && ret) {
		misbehave("valid %s/%s request rejected: %s", qt_scenario_names[r.scenario],
			  qt_variant_names[r.variant], strerror(-ret));
	} else if (!unsupported && !valid && ret != -EINVAL && ret != -E2BIG && ret != -ENODEV) {
		misbehave("invalid request (size %u version %u scenario %u variant %u flags %#x "
			  "caller %u iterations %llu) got %s", r.size, r.version, r.scenario,
			  r.variant, r.flags, r.caller_cpu, (unsigned long long)r.iterations,
			  ret ? strerror(-ret) : "success");
	} else if (!unsupported && valid) {
		const struct qpwbench_result *res = &r.result;

		/*
		 * A drain that stalled on a CPU, or skipped every CPU, stays out
		 * of the histogram (counted in stalls, skips).
		 */
		__u64 want = r.iterations * (r.scenario == QPWBENCH_SCENARIO_LOCAL ?
					     mask_weight(r.cpus) : 1);

		if (res->ops_drained + res->ops_remaining != res->ops_done ||
		    (res->flags & QPWBENCH_RES_INTERRUPTED) ||
		    (r.scenario != QPWBENCH_SCENARIO_INTERFERENCE &&
		     r.scenario != QPWBENCH_SCENARIO_STRESS &&
		     (res->hist.count + res->skips > want ||
		      res->hist.count + res->stalls + res->skips < want)))
			misbehave("%s/%s: inconsistent result (done %llu drained %llu remaining %llu "
				  "samples %llu flags %#x)", qt_scenario_names[r.scenario],
				  qt_variant_names[r.variant], (unsigned long long)res->ops_done,
				  (unsigned long long)res->ops_drained,
				  (unsigned long long)res->ops_remaining,
				  (unsigned long long)res->hist.count, res->flags);
	}
}

static void fuzz_cmd(int fd, unsigned char *buf, size_t len)
{
	unsigned long cmd;
	int ret;

	for (size_t i = 0; i < len; i++)
		buf[i] = (unsigned char)rnd();
	if (rnd() % 2)
		cmd = _IOC(rnd() % 4, QPWBENCH_IOC_MAGIC, rnd() % 16, rnd() % _IOC_SIZEMASK);
	else
		cmd = (unsigned int)rnd();
	ret = ioctl(fd, cmd, buf) < 0 ? -errno : 0;
	calls++;
	if (_IOC_TYPE(cmd) != QPWBENCH_IOC_MAGIC || cmd == QPWBENCH_IOC_VERSION ||
	    cmd == QPWBENCH_IOC_INFO || cmd == QPWBENCH_IOC_RUN)
		return;	/* not ours to judge, or a real command (covered elsewhere) */
	if (ret != -ENOTTY)
		misbehave("unknown command %#lx got %s, want ENOTTY", cmd,
			  ret ? strerror(-ret) : "success");
}

static void fuzz_pointer(int fd)
{
	static void *const bad[] = {
		NULL, (void *)1, (void *)4096, (void *)-4096L, (void *)(1UL << 47),
		(void *)0xffff800000000000UL,
	};
	void *p = bad[rnd() % (sizeof(bad) / sizeof(bad[0]))];
	int ret = qt_ioctl(fd, rnd() % 2 ? QPWBENCH_IOC_RUN : QPWBENCH_IOC_INFO, p);

	calls++;
	if (ret != -EFAULT)
		misbehave("pointer %p got %s, want EFAULT", p, ret ? strerror(-ret) : "success");
}

static void fuzz_version(int fd)
{
	int v = ioctl(fd, QPWBENCH_IOC_VERSION, (unsigned long)rnd());

	calls++;
	if (v != QPWBENCH_ABI_VERSION)
		misbehave("VERSION with a garbage argument answered %d", v);
}

/* A cheap valid run over every online CPU, for the kill test and its probe. */
static void valid_run(struct qpwbench_run *r, __u32 scenario, __u32 variant)
{
	unsigned int caller = QPWBENCH_MAX_CPUS;

	qt_run_init(r, scenario, variant);
	for (unsigned int cpu = 0; cpu < QPWBENCH_MAX_CPUS; cpu++) {
		if (!qt_cpu_online(&info, cpu))
			continue;
		if (caller == QPWBENCH_MAX_CPUS)
			caller = cpu;
		qpwbench_mask_set(r->cpus, cpu);
	}
	r->caller_cpu = caller;
	r->iterations = 1;
}

/* SIGKILL a process in the middle of a run; the device must serve runs after. */
static void fuzz_kill(int fd)
{
	static const __u32 scenarios[] = {
		QPWBENCH_SCENARIO_STRESS, QPWBENCH_SCENARIO_INTERFERENCE,
		QPWBENCH_SCENARIO_DRAIN_ALL, QPWBENCH_SCENARIO_LOCAL,
	};
	struct qpwbench_run r;
	double until;
	pid_t pid;
	int ret;

	valid_run(&r, scenarios[rnd() % 4], (__u32)(rnd() % QPWBENCH_NR_VARIANTS));
	r.iterations = 20000 + rnd() % 200000;
	r.batch = 16;
	r.rate_hz = 1000;
	r.duration_ns = 200000000;
	pid = fork();
	if (pid < 0)
		return;
	if (pid == 0) {
		qt_run(fd, &r);
		_exit(0);
	}
	usleep((useconds_t)(rnd() % 30000));
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	calls++;
	until = qt_now() + 15;
	do {
		valid_run(&r, QPWBENCH_SCENARIO_DRAIN_ALL, QPWBENCH_VARIANT_WQ);
		ret = qt_run(fd, &r);
	} while (ret == -EBUSY && qt_now() < until && !usleep(5000));
	if (ret)
		misbehave("after a killed run the device answers %s", strerror(-ret));
}

struct fuzzer {
	int fd;
	__u64 seed;
	double end;
	pthread_t tid;
};

static void *fuzz_main(void *arg)
{
	struct fuzzer *f = arg;
	unsigned char *buf = malloc(65536);

	rng_state = f->seed ? f->seed : 1;
	while (buf && qt_now() < f->end) {
		unsigned int kind = (unsigned int)(rnd() % 256);

		if (kind == 0)
			fuzz_kill(f->fd);
		else if (kind < 128)
			fuzz_run(f->fd);
		else if (kind < 192)
			fuzz_cmd(f->fd, buf, 65536);
		else if (kind < 224)
			fuzz_pointer(f->fd);
		else
			fuzz_version(f->fd);
	}
	free(buf);
	return NULL;
}

int main(int argc, char **argv)
{
	struct fuzzer f[16];
	unsigned long seconds = 10;
	__u64 seed = (__u64)time(NULL) ^ ((__u64)getpid() << 32);
	double end;
	int fd;

	qt_prog = "qpwbench-fuzz";
	for (int i = 1; i < argc; i += 2) {
		char *e = NULL;

		if (i + 1 < argc && !strcmp(argv[i], "--seconds")) {
			seconds = strtoul(argv[i + 1], &e, 0);
			if (*e || !seconds || seconds > 3600)
				e = NULL;
		} else if (i + 1 < argc && !strcmp(argv[i], "--seed")) {
			seed = strtoull(argv[i + 1], &e, 0);
			if (*e)
				e = NULL;
		} else if (i + 1 < argc && !strcmp(argv[i], "--threads")) {
			nthreads = (unsigned int)strtoul(argv[i + 1], &e, 0);
			if (*e || !nthreads || nthreads > 16)
				e = NULL;
		}
		if (!e) {
			fprintf(stderr, "usage: qpwbench-fuzz [--seconds 1..3600] [--seed S] "
				"[--threads 1..16]\n");
			return 2;
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("qpwbench-fuzz: %lu s, %u thread(s), seed %#llx\n", seconds, nthreads,
	       (unsigned long long)seed);
	fd = qt_open();
	qt_info(fd, &info);

	end = qt_now() + (double)seconds;
	for (unsigned int t = 0; t < nthreads; t++) {
		f[t] = (struct fuzzer){ .fd = fd, .seed = seed + t * 0x9E3779B97F4A7C15ULL, .end = end };
		if (pthread_create(&f[t].tid, NULL, fuzz_main, &f[t])) {
			fprintf(stderr, "qpwbench-fuzz: cannot start thread %u\n", t);
			return 1;
		}
	}
	for (unsigned int t = 0; t < nthreads; t++)
		pthread_join(f[t].tid, NULL);
	close(fd);
	qt_check(!misbehaved, "fuzz", "%lu calls, %lu misbehaviours", atomic_load(&calls),
		 atomic_load(&misbehaved));
	return qt_finish();
}
