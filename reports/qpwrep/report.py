"""The report: summary first, then the six figures (with the fast-path table
beside its figure), then the measured systems."""

import datetime
import os

from . import answers, coherence, figures, kernel72, tables, triggers
from .data import EMULATED_MARK, configs_of, config_labels
from .render import Document, write


def build(rows, inputs, variants, outdir, input_notes=()):
    """Render report.html, report.md and the PNGs into outdir; return
    (html path, figures written, notes)."""
    os.makedirs(outdir, exist_ok=True)
    _remove_old_figures(outdir)
    configs = configs_of(rows)
    ctx = figures.Context(rows=rows, variants=variants, configs=configs,
                          labels=config_labels(configs), outdir=outdir)
    made, notes = [], list(input_notes)
    for number, make in enumerate(figures.ALL, start=1):
        try:
            made.append(make(ctx))
        except figures.NoData as e:
            notes.append(f"Figure {number} ({make.__name__.replace('_', ' ')}) skipped: {e}.")

    doc = Document("qpwbench report")
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    doc.para(f"{len(rows)} rows from {', '.join(os.path.basename(p) for p in inputs)}; "
             f"{len(configs)} system(s); generated {now}.", kind="meta")
    # The four answers first, each one screen, each labelled by what its
    # numbers are valid as (answers.py); then the RT reviewer's rows.
    for table in answers.all_tables(ctx):
        doc.table(table)
    doc.table(answers.rt_reviewer(ctx))
    # Cache lines moved per remote drain (the coherence plugin's counts,
    # valid under TCG; reports/qpwrep/coherence.py), when its rows are in.
    for table in coherence.tables(rows):
        doc.table(table)
    doc.heading("Appendix: every system, every figure (TCG times marked)")
    if any(c.emulated for c in configs):
        doc.banner(f"⚠ Rows marked '{EMULATED_MARK}' come from TCG-emulated guests: they show "
                   f"the code works on that kernel and arch, their timings mean nothing.")
    doc.table(tables.summary(ctx))
    doc.notes(notes)
    fast_table = tables.fast_path(ctx)
    for fig in made:
        doc.figure(fig)
        if fig.name.startswith("4-") and fast_table:
            doc.table(fast_table)
    for table in kernel72.tables(rows):
        doc.table(table)
    # ubench trigger's section (reports/qpwrep/triggers.py), when its rows are in.
    try:
        made.append(triggers.figure(ctx))
        doc.figure(made[-1])
    except figures.NoData:
        pass
    if triggers.table(ctx):
        doc.table(triggers.table(ctx))
    doc.table(tables.systems(ctx))
    return write(doc, outdir, "report"), made, notes


def _remove_old_figures(outdir):
    """A figure this run has no data for must not survive from an earlier
    report in the same directory. Only report PNGs qpwreport wrote (their
    tEXt chunk says so; matplotlib writes it before the image data) go."""
    mark = f"{figures.PNG_KIND_KEY}\0report".encode()
    for name in os.listdir(outdir):
        path = os.path.join(outdir, name)
        if name.endswith(".png") and os.path.isfile(path) and mark in _head(path):
            os.remove(path)


def _head(path, size=4096):
    with open(path, "rb") as f:
        return f.read(size)
