// SPDX-License-Identifier: GPL-2.0
/*
 * qpwbench.ko: measures what remote per-CPU work costs with the locking and
 * drain mechanisms of mainline (local_lock + workqueue) and of the QPW / PW
 * locks proposals, on the kernel it is loaded into.
 *
 * /dev/qpwbench (mode 0600) answers three ioctls, defined with their
 * arguments in uapi/qpwbench.h: VERSION, INFO and RUN. Runs are serialised;
 * each is validated completely before anything starts.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/cpu.h>
#include <linux/cpuhotplug.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "qpwbench_internal.h"

/* One run at a time: the per-CPU caches and pwlocks_key belong to it. */
static DEFINE_MUTEX(qpwb_run_mutex);

/*
 * The CPUs of the active run (its targets and caller), for the hotplug
 * callback: one of them going offline ends the run, and the callback waits
 * until it has, so no run thread or drain work of ours is left on the CPU.
 */
static DEFINE_SPINLOCK(qpwb_active_lock);
static struct cpumask qpwb_active_cpus;
static bool qpwb_active;
static DECLARE_WAIT_QUEUE_HEAD(qpwb_idle_wq);
static enum cpuhp_state qpwb_cpuhp;

/* @cpus and @caller become the active run's; NULL: no run is active. */
static void qpwb_set_active(const struct cpumask *cpus, unsigned int caller)
{
	spin_lock(&qpwb_active_lock);
	if (cpus) {
		cpumask_copy(&qpwb_active_cpus, cpus);
		cpumask_set_cpu(caller, &qpwb_active_cpus);
	}
	WRITE_ONCE(qpwb_active, cpus);
	spin_unlock(&qpwb_active_lock);
	if (!cpus)
		wake_up_all(&qpwb_idle_wq);
}

static int qpwb_cpu_down_prep(unsigned int cpu)
{
	bool ours;

	spin_lock(&qpwb_active_lock);
	ours = qpwb_active && cpumask_test_cpu(cpu, &qpwb_active_cpus);
	if (ours)
		qpwb_run_abort();
	spin_unlock(&qpwb_active_lock);
	if (ours)
		wait_event(qpwb_idle_wq, !READ_ONCE(qpwb_active));
	return 0;
}

static long qpwb_check_args(const struct qpwbench_run *r)
{
	bool drains = r->scenario != QPWBENCH_SCENARIO_LOCAL;
	bool preempted = r->target_load == QPWBENCH_LOAD_OWNER_PREEMPTED;
	bool filled_idle = r->target_load == QPWBENCH_LOAD_FILLED_IDLE;
	bool owners = r->target_load == QPWBENCH_LOAD_OWNER || preempted;

	if (r->size != sizeof(*r) || r->version != QPWBENCH_ABI_VERSION)
		return -EINVAL;
	if (r->scenario >= QPWBENCH_NR_SCENARIOS || !qpwb_variant(r->variant))
		return -EINVAL;
	if ((r->flags & ~QPWBENCH_RUN_FLAGS) || (r->flags && drains) || r->__pad || r->__pad2 ||
	    (r->samples_cap && !r->samples) || r->lock_mode >= QPWBENCH_NR_LOCK_MODES ||
	    r->target_load >= QPWBENCH_NR_LOADS || (r->drain_flags & ~QPWBENCH_DRAIN_FLAGS) ||
	    r->drainer_policy >= QPWBENCH_NR_DRAINER_POLICIES)
		return -EINVAL;
	/* Only the preempted holder's drainer may be asked to run SCHED_FIFO. */
	if (r->drainer_policy != QPWBENCH_DRAINER_OTHER && !preempted)
		return -EINVAL;
	/* A filled idle target is its fill: required, at least one entry, at no rate. */
	if (filled_idle && (!(r->drain_flags & QPWBENCH_DRAIN_FILL) || !r->fill ||
			    r->owner_rate_hz))
		return -EINVAL;
	/*
	 * Only remote and drain-all run a target load, and interference its FIFO
	 * spinners; elsewhere an owner would never start, and a drain waiting
	 * for its fill would wait out the run cap.
	 */
	if (r->target_load != QPWBENCH_LOAD_NONE && r->scenario != QPWBENCH_SCENARIO_REMOTE &&
	    r->scenario != QPWBENCH_SCENARIO_DRAIN_ALL &&
	    (r->scenario != QPWBENCH_SCENARIO_INTERFERENCE || r->target_load != QPWBENCH_LOAD_FIFO))
		return -EINVAL;
	/* A fill is the owners' work: it needs them. */
	if ((r->drain_flags & QPWBENCH_DRAIN_FILL) && !owners && !filled_idle)
		return -EINVAL;
	/* A hold is the owners' too, and is timed in the plain lock form only. */
	if (r->owner_hold_ns && (!owners || r->lock_mode != QPWBENCH_LOCK_PLAIN))
		return -EINVAL;
	/* The FIFO task's spin bound is required; those owners answer drains, at no rate. */
	if (preempted && (!r->owner_hold_ns || r->owner_rate_hz))
		return -EINVAL;
	if (r->iterations > QPWBENCH_MAX_ITERATIONS || r->warmup > QPWBENCH_MAX_WARMUP ||
	    r->duration_ns > QPWBENCH_MAX_DURATION_NS || r->rate_hz > QPWBENCH_MAX_RATE_HZ ||
	    r->wait_bound_ns > QPWBENCH_MAX_WAIT_BOUND_NS ||
	    r->samples_cap > QPWBENCH_MAX_RAW_SAMPLES ||
	    r->fill > QPWBENCH_BATCH_ENTRIES || r->owner_rate_hz > QPWBENCH_MAX_OWNER_RATE_HZ ||
	    r->owner_hold_ns > QPWBENCH_MAX_OWNER_HOLD_NS || r->batch > QPWBENCH_MAX_BATCH)
		return -E2BIG;

	switch (r->scenario) {
	case QPWBENCH_SCENARIO_LOCAL:
		if (!r->batch || !r->iterations)
			return -EINVAL;
		break;
	case QPWBENCH_SCENARIO_INTERFERENCE:
		if (!r->rate_hz || !r->duration_ns)
			return -EINVAL;
		break;
	default:
		if (!r->iterations)
			return -EINVAL;
	}
	/* A known mode this kernel has no form of (trylock before local_trylock()). */
	if (!qpwb_variant(r->variant)->local_ops[r->lock_mode])
		return -EOPNOTSUPP;
	/* !RT: the owner holds its lock with preemption off, the FIFO task cannot preempt it there. */
	if (preempted && !IS_ENABLED(CONFIG_PREEMPT_RT))
		return -EOPNOTSUPP;
	return 0;
}

/*
 * Turn .cpus into @mask: -ENODEV for a CPU that is not online (or does not
 * exist), -EINVAL for an empty mask or a remote run that does not name
 * exactly one target other than the caller. Called under cpus_read_lock().
 */
static long qpwb_check_cpus(const struct qpwbench_run *r, struct cpumask *mask)
{
	unsigned int cpu;

	if (r->caller_cpu >= nr_cpu_ids || !cpu_online(r->caller_cpu))
		return -ENODEV;
	cpumask_clear(mask);
	for (cpu = 0; cpu < QPWBENCH_MAX_CPUS; cpu++) {
		if (!qpwbench_mask_test(r->cpus, cpu))
			continue;
		if (cpu >= nr_cpu_ids || !cpu_online(cpu))
			return -ENODEV;
		cpumask_set_cpu(cpu, mask);
	}
	if (cpumask_empty(mask))
		return -EINVAL;
	if (r->scenario == QPWBENCH_SCENARIO_REMOTE &&
	    (cpumask_weight(mask) != 1 || cpumask_test_cpu(r->caller_cpu, mask)))
		return -EINVAL;
	return 0;
}

/*
 * Arguments are checked before the run mutex is tried, so a bad request gets
 * its own error even while another run is active; only the CPU checks, which
 * need the hotplug lock, come after it.
 */
static long qpwb_ioctl_run(struct qpwbench_run __user *uarg)
{
	struct qpwbench_drain_stats *ds;
	struct qpwbench_run *run;
	cpumask_var_t mask;
	u64 *raw = NULL;
	long ret;

	run = kmalloc(sizeof(*run), GFP_KERNEL);
	ds = kvzalloc(sizeof(*ds), GFP_KERNEL);
	ret = -ENOMEM;
	if (!run || !ds)
		goto out_free;
	if (!zalloc_cpumask_var(&mask, GFP_KERNEL))
		goto out_free;
	ret = -EFAULT;
	if (copy_from_user(run, uarg, sizeof(*run)))
		goto out_free_mask;
	ret = qpwb_check_args(run);
	if (ret)
		goto out_free_mask;
	ret = -ENOMEM;
	if (run->samples_cap) {
		raw = kvmalloc_array(run->samples_cap, sizeof(*raw), GFP_KERNEL);
		if (!raw)
			goto out_free_mask;
	}
	ret = -EBUSY;
	if (!mutex_trylock(&qpwb_run_mutex))
		goto out_free_mask;

	/*
	 * The hotplug lock only while the CPUs are checked, the caches settled
	 * and the key set: a CPU that goes offline during the run ends it
	 * (qpwb_cpu_down_prep()).
	 */
	cpus_read_lock();
	ret = qpwb_check_cpus(run, mask);
	if (!ret)
		ret = qpwb_run_prepare(run);
	if (!ret)
		qpwb_set_active(mask, run->caller_cpu);
	cpus_read_unlock();
	if (!ret) {
		ret = qpwb_run_scenario(run, ds, mask, raw);
		qpwb_set_active(NULL, 0);
	}
	mutex_unlock(&qpwb_run_mutex);

	if (!ret && raw &&
	    copy_to_user(u64_to_user_ptr(run->samples), raw,
			 (size_t)run->result.samples_kept * sizeof(*raw)))
		ret = -EFAULT;
	if (!ret && copy_to_user(&uarg->result, &run->result, sizeof(run->result)))
		ret = -EFAULT;
	if (!ret && run->drain_stats &&
	    copy_to_user(u64_to_user_ptr(run->drain_stats), ds, sizeof(*ds)))
		ret = -EFAULT;
out_free_mask:
	kvfree(raw);
	free_cpumask_var(mask);
out_free:
	kvfree(ds);
	kfree(run);
	return ret;
}

static long qpwb_ioctl_info(struct qpwbench_info __user *uarg)
{
	struct qpwbench_info info = {
		.size = sizeof(info),
		.version = QPWBENCH_ABI_VERSION,
		.preempt_rt = IS_ENABLED(CONFIG_PREEMPT_RT),
		.nr_cpu_ids = nr_cpu_ids,
	};
	unsigned int cpu;

	/* A CPU the masks cannot name would go unseen: say so instead. */
	if (nr_cpu_ids > QPWBENCH_MAX_CPUS)
		return -E2BIG;
	cpus_read_lock();
	info.online_cpus = num_online_cpus();
	for_each_online_cpu(cpu)
		qpwbench_mask_set(info.online, cpu);
	cpus_read_unlock();
#ifdef CONFIG_X86
	if (boot_cpu_has(X86_FEATURE_TSC))
		info.flags |= QPWBENCH_INFO_HAS_CYCLES;
#endif
	return copy_to_user(uarg, &info, sizeof(info)) ? -EFAULT : 0;
}

static long qpwb_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	switch (cmd) {
	case QPWBENCH_IOC_VERSION:
		return QPWBENCH_ABI_VERSION;
	case QPWBENCH_IOC_INFO:
		return qpwb_ioctl_info((struct qpwbench_info __user *)arg);
	case QPWBENCH_IOC_RUN:
		return qpwb_ioctl_run((struct qpwbench_run __user *)arg);
	default:
		return -ENOTTY;
	}
}

/*
 * Runs pin kthreads on any CPU, turn them SCHED_FIFO and keep CPUs busy:
 * an administrator's tool, whatever the device node's mode.
 */
static int qpwb_open(struct inode *inode, struct file *file)
{
	return capable(CAP_SYS_ADMIN) ? 0 : -EPERM;
}

/* .owner pins the module while the device is open, so rmmod waits for runs. */
static const struct file_operations qpwb_fops = {
	.owner		= THIS_MODULE,
	.open		= qpwb_open,
	.unlocked_ioctl	= qpwb_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.llseek		= noop_llseek,
};

static struct miscdevice qpwb_dev = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "qpwbench",
	.fops	= &qpwb_fops,
	.mode	= 0600,
};

static int __init qpwb_init(void)
{
	int ret = qpwb_variants_init();

	if (ret)
		return ret;
	ret = cpuhp_setup_state_nocalls(CPUHP_AP_ONLINE_DYN, "qpwbench:online", NULL,
					qpwb_cpu_down_prep);
	if (ret < 0)
		goto out_variants;
	qpwb_cpuhp = ret;
	ret = misc_register(&qpwb_dev);
	if (!ret)
		return 0;
	cpuhp_remove_state_nocalls(qpwb_cpuhp);
out_variants:
	qpwb_variants_exit();
	return ret;
}

static void __exit qpwb_exit(void)
{
	misc_deregister(&qpwb_dev);
	cpuhp_remove_state_nocalls(qpwb_cpuhp);
	/* No file is open (module ref), so no run is active or can start. */
	qpwb_variants_exit();
}

module_init(qpwb_init);
module_exit(qpwb_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("qpwbench: cost of remote per-CPU work (local_lock+workqueue vs QPW/PW locks)");
MODULE_VERSION("0.1.0");
