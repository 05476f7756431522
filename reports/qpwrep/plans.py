"""Drain-all sweeps of one config over different CPU orders (ubench
drain-all --plan ramp, --plan spread) told apart.

A drain-all row's cpus column lists its CPUs in the order the plan added
them, and each step of a plan is a prefix of its full order: "0,1,2,3" is
step 4 of the ramp 0,1,2,...,7, "0,4,2,6" step 4 of the spread
0,4,2,6,1,5,3,7. So the orders are the row CPU lists no other row extends,
and a row belongs to every order it starts. The order whose second CPU is
nearest the first is the ramp (nearest CPUs first); with two orders, the
other is the spread (across packages, L3s, cores first).
"""

from .data import class_rank, settings

RAMP = "ramp (nearest CPUs first)"
SPREAD = "spread (across sockets, caches, cores first)"


def drain_all_orders(rows, config):
    """[(label, rows)] of config's drain-all rows, one entry per CPU order
    and setting (target load and parameters: data.settings(), never pooled),
    the ramp first, owners before other loads; label None when there is one
    entry only."""
    rs = [r for r in rows if r.scenario == "drain-all" and r.config == config]
    groups = settings(rs)
    if len(groups) <= 1:
        return _orders(rs)
    out = []
    for setting, grs in sorted(groups.items(), key=lambda kv: (not kv[0].startswith("owner"), kv[0])):
        out.extend((f"{plan}, {setting}" if plan else setting, ors) for plan, ors in _orders(grs))
    return out


def _orders(rs):
    """drain_all_orders() of rows of one setting."""
    seqs = {r.cpus for r in rs if r.cpus}
    orders = sorted(s for s in seqs
                    if not any(len(o) > len(s) and o[:len(s)] == s for o in seqs))
    if len(orders) <= 1:
        return [(None, rs)] if rs else []

    def second_class(order):
        two = [r for r in rs if r.cpus == order[:2]]
        return class_rank(two[0].distance) if two else len(order)

    orders.sort(key=lambda o: (second_class(o), o))
    labels = ([RAMP, SPREAD] if len(orders) == 2 else
              [RAMP] + ["order " + ",".join(map(str, o)) for o in orders[1:]])
    return [(label, [r for r in rs if o[:len(r.cpus)] == r.cpus])
            for label, o in zip(labels, orders)]
