"""Writes a document (headings, paragraphs, notes, tables, figures) as a
self-contained HTML file (PNGs embedded) and as Markdown beside its PNGs."""

import base64
import html
import os

from .data import EMULATED_MARK

BADGE = "⚠ " + EMULATED_MARK

CSS = """
body { font-family: -apple-system, "DejaVu Sans", Helvetica, Arial, sans-serif; margin: 1.2em 2em;
       color: #222; max-width: 1400px; }
h1 { font-size: 1.45em; margin: 0 0 .2em 0; }
h2 { font-size: 1.15em; margin-top: 1.6em; border-bottom: 1px solid #ccc; }
p.meta { color: #555; font-size: .85em; margin: .2em 0 .8em 0; }
p.intro { font-size: .85em; color: #333; max-width: 1100px; }
table { border-collapse: collapse; font-size: .82em; margin: .4em 0 1em 0; }
th, td { border: 1px solid #bbb; padding: 3px 7px; text-align: left; vertical-align: top; }
th { background: #eef1f5; }
tr.emulated td { background: #fdecea; }
.badge { display: inline-block; background: #c62828; color: #fff; font-weight: bold;
         font-size: .8em; padding: 1px 6px; border-radius: 3px; white-space: nowrap; }
.banner { background: #c62828; color: #fff; padding: 6px 10px; font-weight: bold; margin: .4em 0; }
ul.notes { font-size: .85em; color: #8a4b00; }
ul.tnotes { font-size: .9em; color: #111; max-width: 1100px; }
figure { margin: 1em 0 2em 0; }
figure img { max-width: 100%; border: 1px solid #ddd; }
figcaption { font-size: .85em; color: #333; max-width: 1100px; }
"""


class Document:
    def __init__(self, title):
        self.title = title
        self.blocks = []

    def heading(self, text):
        self.blocks.append(("heading", text))

    def para(self, text, kind="intro"):
        self.blocks.append(("para", (text, kind)))

    def banner(self, text):
        self.blocks.append(("banner", text))

    def notes(self, items):
        if items:
            self.blocks.append(("notes", list(items)))

    def table(self, table):
        self.blocks.append(("table", table))

    def figure(self, fig):
        self.blocks.append(("figure", fig))


def write(doc, outdir, stem):
    """outdir/stem.html and outdir/stem.md; returns the HTML path."""
    html_path = os.path.join(outdir, stem + ".html")
    with open(html_path, "w", encoding="utf-8") as f:
        f.write(to_html(doc))
    with open(os.path.join(outdir, stem + ".md"), "w", encoding="utf-8") as f:
        f.write(to_markdown(doc))
    return html_path


def _md_cell(s):
    return str(s).replace("|", "\\|").replace("\n", " ")


def to_markdown(doc):
    out = [f"# {doc.title}", ""]
    for kind, b in doc.blocks:
        if kind == "heading":
            out += [f"## {b}", ""]
        elif kind == "para":
            out += [f"_{b[0]}_" if b[1] == "meta" else b[0], ""]
        elif kind == "banner":
            out += [f"> **{b}**", ""]
        elif kind == "notes":
            out += [f"- {n}" for n in b] + [""]
        elif kind == "table":
            out += [f"**{b.title}**", ""]
            if b.intro:
                out += [b.intro, ""]
            out.append("| " + " | ".join(_md_cell(c) for c in b.columns) + " |")
            out.append("|" + "---|" * len(b.columns))
            for cells, emu in zip(b.rows, b.emulated):
                cells = list(cells)
                if emu:
                    cells[0] = f"**{BADGE}** {cells[0]}"
                out.append("| " + " | ".join(_md_cell(c) for c in cells) + " |")
            out += [""] + [f"- {n}" for n in b.notes] + ([""] if b.notes else [])
        elif kind == "figure":
            mark = f" **{BADGE}**" if b.emulated else ""
            out += [f"### {b.title}{mark}", "", f"![{b.title}]({os.path.basename(b.path)})", "",
                    b.caption, ""]
    return "\n".join(out)


def _img(path):
    with open(path, "rb") as f:
        return "data:image/png;base64," + base64.b64encode(f.read()).decode("ascii")


def to_html(doc):
    e = html.escape
    out = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
           f"<title>{e(doc.title)}</title><style>{CSS}</style></head><body>",
           f"<h1>{e(doc.title)}</h1>"]
    for kind, b in doc.blocks:
        if kind == "heading":
            out.append(f"<h2>{e(b)}</h2>")
        elif kind == "para":
            out.append(f'<p class="{b[1]}">{e(b[0])}</p>')
        elif kind == "banner":
            out.append(f'<div class="banner">{e(b)}</div>')
        elif kind == "notes":
            out.append('<ul class="notes">' + "".join(f"<li>{e(n)}</li>" for n in b) + "</ul>")
        elif kind == "table":
            out.append(f"<h2>{e(b.title)}</h2>")
            if b.intro:
                out.append(f'<p class="intro">{e(b.intro)}</p>')
            out.append("<table><tr>" + "".join(f"<th>{e(c)}</th>" for c in b.columns) + "</tr>")
            for cells, emu in zip(b.rows, b.emulated):
                first = e(cells[0]) + (f' <span class="badge">{e(BADGE)}</span>' if emu else "")
                tds = [first] + [e(c) for c in cells[1:]]
                out.append(f'<tr{" class=emulated" if emu else ""}>'
                           + "".join(f"<td>{t}</td>" for t in tds) + "</tr>")
            out.append("</table>")
            if b.notes:
                out.append('<ul class="tnotes">' + "".join(f"<li>{e(n)}</li>" for n in b.notes)
                           + "</ul>")
        elif kind == "figure":
            mark = f' <span class="badge">{e(BADGE)}</span>' if b.emulated else ""
            out.append(f'<figure id="{e(b.name)}"><h2>{e(b.title)}{mark}</h2>'
                       f'<img alt="{e(b.title)}" src="{_img(b.path)}">'
                       f"<figcaption>{e(b.caption)}</figcaption></figure>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"
