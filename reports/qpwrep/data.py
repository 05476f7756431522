"""qpwbench results: the CSV contract, loading, and the facts the report needs.

The column list is ubench/core/output.h's OUTPUT_COLUMNS (the writer's one
place for it) and the variant list kernel/uapi/qpwbench.h's, both read at
run time. CORE_COLUMNS are the columns a file must have to be read at all
(files from before the run, pctl_method, ticks... columns still load).
"""

import csv
import functools
import math
import os
import re
import statistics
from dataclasses import dataclass, field

CORE_COLUMNS = ("scenario,backend,variant,kernel,preempt,arch,cpus,n_cpus,distance,"
                "metric,unit,samples,min,p50,p90,p99,p999,max,mean,stddev").split(",")
META_COLUMNS = "host,cpu_model,timer,emulated,sched_rt,date,version".split(",")
STAT_COLUMNS = "samples,min,p50,p90,p99,p999,max,mean,stddev".split(",")
MISSING = ("", "n/a")

# DESIGN.md "Distance classes": nearest first.
DISTANCE_CLASSES = ("smt", "l2", "cluster", "l3", "die", "package", "system", "numa")

# What the report compares: mainline queues work on the target (parallel
# across targets); qpw-on takes the target's lock and drains inline on the
# caller (serial across targets) on every kernel.
BASELINE_VARIANT = "wq"
INLINE_VARIANT = "qpw-on"

EMULATED_MARK = "emulated: correctness only"

HEADER = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                      "..", "..", "kernel", "uapi", "qpwbench.h")
OUTPUT_H = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                        "..", "..", "ubench", "core", "output.h")


class InputError(Exception):
    """Bad input: the CLI prints the message as one line and exits 2."""


def _xmacro_names(path, macro, what):
    """The quoted names of X-macro list `macro` in the C header at path, in
    order, with the lists it names (OTHER(X)) expanded in place."""
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError as e:
        raise InputError(f"cannot read the {what} from {path}: {e.strerror}") from e

    def names(macro):
        m = re.search(r"#define\s+" + macro + r"\(X\)((?:[^\n]*\\\n)*[^\n]*)", text)
        if not m:
            raise InputError(f"{path}: no {macro} macro")
        out = []
        for item, inner in re.findall(r'X\(\s*\w+\s*,\s*"([^"]+)"\s*\)|(\w+)\(X\)', m.group(1)):
            out.extend(names(inner) if inner else [item])
        return out
    return names(macro)


def header_variants(path=HEADER):
    """The names in QPWBENCH_VARIANTS, in declaration order."""
    return _xmacro_names(path, "QPWBENCH_VARIANTS", "variant list")


def output_columns(path=OUTPUT_H):
    """The names in OUTPUT_COLUMNS, in order: the columns ubench writes."""
    return _xmacro_names(path, "OUTPUT_COLUMNS", "column list")


@functools.lru_cache(maxsize=None)
def parameter_columns(path=OUTPUT_H):
    """The names in OUTPUT_PARAMETER_COLUMNS: what a row's run was asked
    (fill, drain_empty, ...). Rows that differ in any never pool."""
    return tuple(_xmacro_names(path, "OUTPUT_PARAMETER_COLUMNS", "parameters columns"))


def parse_float(s):
    """A CSV value as a float, or None for a missing value."""
    s = s.strip()
    if s in MISSING:
        return None
    v = float(s)
    return None if math.isnan(v) else v


@dataclass(frozen=True)
class Config:
    """One measured system: the facts that make two rows incomparable."""
    host: str
    arch: str
    kernel: str
    preempt: str
    backend: str
    emulated: bool       # QEMU TCG (tcg, tcg-icount): timings are not the hardware's
    virtualized: bool = False   # a hypervisor guest: timings carry the host's noise
    cpu_model: str = field(compare=False, default="")
    timer: str = field(compare=False, default="")
    sched_rt: str = field(compare=False, default="")   # "runtime/period" us, or ""

    @property
    def is_rt(self):
        return self.preempt == "rt"

    def sort_key(self):
        # Generic before RT for each machine/arch, so figures put them side by side.
        return (self.emulated, self.host, self.arch, self.backend, self.is_rt, self.kernel)

    def metadata(self):
        return (f"{self.host} {self.arch} ({self.cpu_model or 'unknown CPU'}), kernel {self.kernel},"
                f" preempt {self.preempt}, backend {self.backend}, timer {self.timer or 'unknown'},"
                f" emulated {self.emulation}")

    @property
    def rt_throttle_gap_ns(self):
        """How long RT throttling stops a SCHED_FIFO task each period
        (period - runtime), or None when throttling is off or unknown."""
        try:
            runtime, period = (int(x) for x in self.sched_rt.split("/"))
        except ValueError:
            return None
        return (period - runtime) * 1000 if 0 <= runtime < period else None

    @property
    def emulation(self):
        return "tcg" if self.emulated else "virtualized" if self.virtualized else "no"


@dataclass
class Row:
    config: Config
    scenario: str
    variant: str
    cpus: tuple
    n_cpus: int
    distance: str
    metric: str
    unit: str
    stats: dict          # STAT_COLUMNS name -> float or None
    ticks: float         # mean reference-counter ticks per op (TSC), or None
    extra: dict          # other columns, verbatim (target_load, run, event counters...)
    core_cycles: float = None   # PMU core cycles per op (an --events cycles column), or None

    def get(self, stat):
        return self.stats.get(stat)

    @property
    def target_load(self):
        """What ran on the targets (owner, idle, ...), "" where not recorded."""
        load = self.extra.get("target_load", "")
        return "" if load in MISSING else load

    def param(self, column):
        """A parameters column's value, n/a where not recorded (files from before it)."""
        v = self.extra.get(column, "")
        return "n/a" if v in MISSING else v

    @property
    def params(self):
        return tuple(self.param(c) for c in parameter_columns())


def _parse_cpus(s, where):
    s = s.strip()
    if s in MISSING:
        return ()
    cpus = []
    for part in s.split(","):
        lo, _, hi = part.strip().partition("-")
        try:
            lo_i = int(lo)
            hi_i = int(hi) if hi else lo_i
        except ValueError:
            raise InputError(f"{where}: bad cpus value {s!r}") from None
        cpus.extend(range(lo_i, hi_i + 1))
    return tuple(cpus)


def _uncommented(f):
    """The lines of a CSV file without its '#' comment lines (ubench's context
    header: argv, revision, kernel command line, ...)."""
    for line in f:
        if not line.startswith("#"):
            yield line


def load_csv(path):
    """Rows of one qpwbench results file, CSV or JSON Lines (ubench --json:
    one object per line, null for n/a); InputError for anything unusable."""
    if _is_json(path):
        return load_json(path)
    try:
        with open(path, newline="", encoding="utf-8") as f:
            reader = csv.DictReader(_uncommented(f))
            header = reader.fieldnames or []
            missing = [c for c in CORE_COLUMNS if c not in header]
            if missing:
                raise InputError(f"{path}: not a qpwbench results CSV: missing core column(s) "
                                 f"{','.join(missing)}")
            rows = [_parse_row(rec, header, f"{path}:{reader.line_num}") for rec in reader]
    except OSError as e:
        raise InputError(f"{path}: cannot read: {e.strerror}") from e
    except (UnicodeDecodeError, csv.Error) as e:
        raise InputError(f"{path}: not a readable CSV: {e}") from e
    if not rows:
        raise InputError(f"{path}: no rows (header only)")
    for r in rows:
        r.extra["_source"] = os.path.basename(path)
    return rows


def _is_json(path):
    if path.endswith((".json", ".jsonl")):
        return True
    try:
        with open(path, encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    return line.lstrip().startswith("{")
    except (OSError, UnicodeDecodeError):
        return False
    return False


def load_json(path):
    """Rows of a ubench --json file: JSON Lines, one row object per line (null
    for n/a); a line whose object has "context" is the run's context header,
    not a row."""
    import json
    rows = []
    try:
        with open(path, encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                if not line.strip():
                    continue
                try:
                    obj = json.loads(line)
                except ValueError as e:
                    raise InputError(f"{path}:{n}: not JSON: {e}") from None
                if not isinstance(obj, dict):
                    raise InputError(f"{path}:{n}: not a JSON object")
                if "context" in obj and "scenario" not in obj:
                    continue
                missing = [c for c in CORE_COLUMNS if c not in obj]
                if missing:
                    raise InputError(f"{path}:{n}: not a qpwbench results row: missing "
                                     f"{','.join(missing)}")
                rec = {k: ("n/a" if v is None else str(v)) for k, v in obj.items()}
                rows.append(_parse_row(rec, list(obj), f"{path}:{n}"))
    except OSError as e:
        raise InputError(f"{path}: cannot read: {e.strerror}") from e
    except UnicodeDecodeError as e:
        raise InputError(f"{path}: not readable: {e}") from e
    if not rows:
        raise InputError(f"{path}: no rows")
    for r in rows:
        r.extra["_source"] = os.path.basename(path)
    return rows


def _parse_row(rec, header, where):
    if None in rec:
        raise InputError(f"{where}: more fields than the header has columns")
    val = {k: (v or "").strip() for k, v in rec.items()}
    for c in ("scenario", "variant", "metric"):
        if val[c] in MISSING:
            raise InputError(f"{where}: empty {c}")
    def number(column, convert=parse_float):
        try:
            return convert(val[column]) if val[column] not in MISSING else None
        except ValueError:
            raise InputError(f"{where}: column {column}: not a number: {val[column]!r}") from None

    stats = {c: number(c) for c in STAT_COLUMNS}
    # Before the ticks column, "cycles" held the TSC ticks; since, a "cycles"
    # column is the PMU's core cycles (--events cycles).
    if "ticks" in val:
        ticks = number("ticks")
        core_cycles = number("cycles") if "cycles" in val else None
    else:
        ticks = number("cycles") if "cycles" in val else None
        core_cycles = None
    n_cpus = number("n_cpus", int) or 0
    config = Config(host=val.get("host", "") or "unknown", arch=val["arch"],
                    kernel=val["kernel"], preempt=val["preempt"], backend=val["backend"],
                    emulated=val.get("emulated", "no").startswith("tcg"),
                    virtualized=val.get("emulated", "no") == "virtualized",
                    cpu_model=val.get("cpu_model", ""), timer=val.get("timer", ""),
                    sched_rt="" if val.get("sched_rt", "") in MISSING else val["sched_rt"])
    known = set(CORE_COLUMNS) | set(META_COLUMNS) | {"cycles", "ticks"}
    return Row(config=config, scenario=val["scenario"], variant=val["variant"],
               cpus=_parse_cpus(val["cpus"], where), n_cpus=n_cpus,
               distance=val["distance"] if val["distance"] not in MISSING else "",
               metric=val["metric"], unit=val["unit"], stats=stats, ticks=ticks,
               extra={k: val[k] for k in header if k not in known}, core_cycles=core_cycles)


def expand_inputs(paths):
    """Files as given; a directory stands for its *.csv files that are results
    CSVs (others, like topology pair lists, are skipped with a note)."""
    files, notes = [], []
    for p in paths:
        if not os.path.isdir(p):
            files.append(p)
            continue
        try:
            names = os.listdir(p)
        except OSError as e:
            raise InputError(f"{p}: cannot read: {e.strerror}") from e
        found = sorted(os.path.join(p, n) for n in names if n.endswith((".csv", ".json", ".jsonl")))
        results = [f for f in found if is_results_csv(f)]
        # --csv X.csv --json X.json hold the same rows: the CSV is read, once.
        stems = {os.path.splitext(f)[0] for f in results if f.endswith(".csv")}
        twins = [f for f in results if not f.endswith(".csv") and os.path.splitext(f)[0] in stems]
        results = [f for f in results if f not in twins]
        notes.extend(f"{f}: the same rows as its .csv, skipped" for f in twins)
        if not results:
            raise InputError(f"{p}: no qpwbench results CSV in this directory")
        files.extend(results)
        notes.extend(f"{f}: not a qpwbench results CSV, skipped" for f in found if f not in results)
    return files, notes


def _is_results_json(path):
    """A ubench --json file: its first line the context ({"context": ...})
    or a row with every core column (other JSON, like meson's testlog, is not)."""
    import json
    try:
        with open(path, encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    obj = json.loads(line)
                    return isinstance(obj, dict) and (
                        "context" in obj or all(c in obj for c in CORE_COLUMNS))
    except (OSError, UnicodeDecodeError, ValueError):
        return False
    return False


def is_results_csv(path):
    if _is_json(path):
        return _is_results_json(path)
    try:
        with open(path, newline="", encoding="utf-8") as f:
            header = next(csv.reader(_uncommented(f)), [])
    except (OSError, UnicodeDecodeError, csv.Error):
        return False
    return all(c in header for c in CORE_COLUMNS)


def load_all(paths):
    files, notes = expand_inputs(paths)
    rows = []
    for f in files:
        rows.extend(load_csv(f))
    return rows, files, notes


# --- selections and aggregation ---------------------------------------------

def select(rows, scenario, metric, config=None):
    return [r for r in rows if r.scenario == scenario and r.metric == metric
            and (config is None or r.config == config)]


def configs_of(rows):
    return sorted({r.config for r in rows}, key=Config.sort_key)


def median_of(values):
    vals = [v for v in values if v is not None]
    return statistics.median(vals) if vals else None


def max_of(values):
    vals = [v for v in values if v is not None]
    return max(vals) if vals else None


def differing(rows):
    """{parameters column: its values} for the columns rows differ in."""
    out = {}
    for c in parameter_columns():
        values = sorted({r.param(c) for r in rows})
        if len(values) > 1:
            out[c] = values
    return out


def refuse_pooling(rows):
    """InputError, one line naming what differs, when rows were run with
    different parameters: such rows never pool into one figure."""
    diff = differing(rows)
    if diff:
        r = rows[0]
        raise InputError(f"refusing to pool {r.scenario} {r.metric} {r.variant} rows run differently: "
                         + "; ".join(f"{c} {' vs '.join(v)}" for c, v in diff.items()))


def settings(rows):
    """rows split by target load and parameters: {label: rows}. The label is
    the target load ("" where not recorded), where rows of that load were
    run with different parameters those parameters' values ("owner, fill
    32"), and "INTERRUPTED (partial)" for rows of a run the cap cut short."""
    out = {}
    for load, rs in group(rows, lambda r: r.target_load).items():
        varying = [c for c in differing(rs) if c != "interrupted"]
        for grs in group(rs, lambda r: r.params).values():
            parts = [load] * bool(load) + [f"{c} {grs[0].param(c)}" for c in varying]
            # A run the backend's cap cut short is marked wherever it shows.
            parts += ["INTERRUPTED (partial)"] * (grs[0].param("interrupted") == "yes")
            out[", ".join(parts)] = grs
    return out


def aggregate(rows, combine=median_of):
    """One stats dict (plus ticks and core cycles) over rows measuring the
    same thing: repetitions, or several targets when the caller says so;
    never over rows run with different parameters (refuse_pooling())."""
    refuse_pooling(rows)
    out = {c: combine([r.get(c) for r in rows]) for c in STAT_COLUMNS}
    out["ticks"] = combine([r.ticks for r in rows])
    out["core_cycles"] = combine([r.core_cycles for r in rows])
    out["rows"] = len(rows)
    return out


def trigger_of(row):
    """A trigger row's trigger, with how the targets' memory was locked when
    it was (the fill_mode column, ubench trigger --mlock): "drop-caches
    (mlock onfault)". Files from before that column read as unlocked."""
    trig = row.extra.get("trigger", "n/a")
    mode = row.extra.get("fill_mode", "none")
    return trig if mode in ("none", "n/a", "") else f"{trig} (mlock {mode})"


def group(rows, key):
    groups = {}
    for r in rows:
        groups.setdefault(key(r), []).append(r)
    return groups


def variant_order(names, variants):
    """Header order first, then anything else (c2c ops) in order of appearance."""
    names = list(dict.fromkeys(names))
    known = [v for v in variants if v in names]
    return known + [n for n in names if n not in variants]


def class_rank(name):
    return DISTANCE_CLASSES.index(name) if name in DISTANCE_CLASSES else len(DISTANCE_CLASSES)


def config_labels(configs):
    """Short distinct labels: arch, kernel and preempt model always, host and
    backend when they differ between configs."""
    varying = [f for f in ("host", "backend") if len({getattr(c, f) for c in configs}) > 1]
    labels = {}
    for c in configs:
        parts = [getattr(c, f) for f in varying] + [c.arch]
        parts.append(f"RT {c.kernel}" if c.is_rt else f"generic ({c.preempt}) {c.kernel}")
        label = " ".join(parts)
        if c.emulated:
            label += " [emulated]"
        elif c.virtualized:
            label += " [virtualized]"
        labels[c] = label
    return labels


def format_ns(v):
    """A duration with a unit a reader takes in at a glance."""
    if v is None:
        return "n/a"
    for scale, unit in ((1e9, "s"), (1e6, "ms"), (1e3, "µs")):
        if abs(v) >= scale:
            return f"{v / scale:.3g} {unit}"
    return f"{v:.3g} ns"


def format_value(v, unit):
    if v is None:
        return "n/a"
    if unit == "ns":
        return format_ns(v)
    if unit == "count":
        return f"{v:.0f}"
    return f"{v:.3g}"
