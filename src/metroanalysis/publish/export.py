"""HTML export: an executed notebook → the page a reviewer reads from disk, in one language.

nbconvert's HTMLExporter with the lab template, extended by `templates/report.html.j2`: code
hidden, charts embedded as base64 PNG with their alt text, `<html lang>` of the report's
language, nothing fetched from the network, a Content-Security-Policy that forbids any script or
fetch. The page shows the cells kept for its language (`i18n.cells_for`: Chinese Markdown cells,
or their `en`-tagged translations), and its title is the first level-1 heading among them.

Where to change what:
- the page's frame (navigation, footer, the notice on generated data, chart alt text):
  `templates/report.html.j2`; its look: `templates/report.css` (shared fonts and colours:
  `templates/base.css`); what a page may load: `templates/csp.html.j2`;
- the frame's words: Chinese in the template, English in `templates/en.yml`;
- which cell tags hide a cell, its code or its output: `REMOVE_CELL`, `REMOVE_INPUT`,
  `REMOVE_OUTPUT`;
- what the page and the executed notebook say they were made from: `provenance` (the footer and
  <meta> tags: `templates/provenance.html.j2`); `stamp_notebook` writes it into the `.ipynb`
  and, with SOURCE_DATE_EPOCH set, replaces Papermill's and nbclient's run times by that moment.
"""

from __future__ import annotations

import copy
import re
import sys
from pathlib import Path

from metroanalysis import i18n
from metroanalysis.build import keys as build
from metroanalysis.paths import relative
from metroanalysis.publish import provenance

TEMPLATES = Path(__file__).resolve().parent / "templates"
TEMPLATE = "report.html.j2"
REMOVE_CELL = frozenset({"parameters", "injected-parameters", "remove-cell", "remove_cell"})
REMOVE_INPUT = frozenset({"remove-input", "remove_input"})
REMOVE_OUTPUT = frozenset({"remove-output", "remove_output"})
H1 = re.compile(r"^\s{0,3}#\s+(.+?)\s*#*\s*$")

_EXPORTERS: dict[str, object] = {}


def exporter(lang: str):
    """The HTML exporter for `lang`, made once per process."""
    if lang not in _EXPORTERS:
        import jinja2

        _, nbconvert = lean_imports()
        from nbconvert.preprocessors import TagRemovePreprocessor

        from metroanalysis.publish import templatecache

        exp = nbconvert.HTMLExporter(
            template_name="lab",
            extra_loaders=[jinja2.FileSystemLoader(str(TEMPLATES))],
            template_file=TEMPLATE,
            exclude_input=True,
            exclude_input_prompt=True,
            exclude_output_prompt=True,
            embed_images=True,
            language_code=lang,
            theme="light",
            # the notebook validated once, after every preprocessor, not after each of them
            # (a third of the exporter's own time on a report)
            optimistic_validation=True,
        )
        exp.register_preprocessor(
            TagRemovePreprocessor(
                remove_cell_tags=set(REMOVE_CELL),
                remove_input_tags=set(REMOVE_INPUT),
                remove_all_outputs_tags=set(REMOVE_OUTPUT),
            ),
            enabled=True,
        )
        exp.environment.globals["_"] = i18n.translator(TEMPLATES, lang)
        # compiled once, not in every worker's first report (nbconvert's settings: its own folder)
        exp.environment.bytecode_cache = templatecache.kept_templates(f"nbconvert-{nbconvert.__version__}")
        _EXPORTERS[lang] = exp
    return _EXPORTERS[lang]


def write_report(nb, path: Path, task) -> tuple[str, str | None]:
    """Export `nb` (executed) as the report at `path` for `task` (its month, language and
    whether the month is synthetic), written atomically; returns the title and the finding. A
    task of a run (with its parameters and notebook) also stamps its provenance on the page and
    into the executed notebook beside it (NN-name.ipynb), if that is there."""
    shown = shown_cells(nb.cells, task.lang)
    title = notebook_title(nb, shown, Path(path).stem)
    finding = notebook_finding(nb)
    made_from = report_provenance(task)
    html = export_html(nb, shown, task.month, title, finding, task.lang, task.synthetic, made_from)
    executed = Path(path).with_suffix(".ipynb")
    if made_from is not None and executed.is_file():
        stamp_notebook(nb, executed, made_from, provenance.project_root(task.parameters, Path(task.notebook)))
    build.write_atomic(path, html)
    return title, finding


def report_provenance(task) -> provenance.Provenance | None:
    """None for an export outside a run (a task without parameters: no bulletin to name)."""
    parameters, notebook = getattr(task, "parameters", None), getattr(task, "notebook", None)
    if not parameters or not notebook or "root" not in parameters:
        return None
    return provenance.for_report(parameters, Path(notebook))


# Papermill's and nbclient's records of when a notebook and each of its cells ran.
RUN_TIMES = ("start_time", "end_time")


def stamp_notebook(nb, path: Path, made_from: provenance.Provenance, root: Path) -> None:
    """Rewrite the executed notebook at `path` (atomically) with `metadata.metroanalysis.publish.provenance`
    Papermill's input and output paths relative to the project `root` (the output the file's own,
    not the temporary name it was run into: no builder's folder in the file, the same bytes
    wherever the project is built) and a fixed id for the parameters cell it injected. With
    SOURCE_DATE_EPOCH set, every run time is that moment and no duration is kept: nbclient's
    per-cell `execution` times are dropped, Papermill's start and end times are the build time and
    its durations null, so two builds of the same inputs write the same bytes."""
    import nbformat

    nb = copy.deepcopy(nb)
    nb.metadata.setdefault("metroanalysis", {})["provenance"] = made_from.as_dict()
    for cell in nb.cells:  # Papermill gives the cell it injects a random id
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell["id"] = "injected-parameters"
    run = nb.metadata.get("papermill")
    if isinstance(run, dict):
        run["output_path"] = relative(path, root)
        if run.get("input_path"):
            run["input_path"] = relative(Path(root) / run["input_path"], root)  # absolute as Papermill gives it
    if build.source_date_epoch() is not None:
        for record in [run, *(cell.metadata.get("papermill") for cell in nb.cells)]:
            if isinstance(record, dict):
                record.update({k: made_from.built for k in RUN_TIMES if k in record})
                if "duration" in record:
                    record["duration"] = None
        for cell in nb.cells:
            cell.metadata.pop("execution", None)
    build.write_atomic(path, nbformat.writes(nb) + "\n")


def shown_cells(cells: list, lang: str) -> list:
    """The cells a report in `lang` shows: the language's cells, without those tagged away."""
    return [c for c in i18n.cells_for(cells, lang) if not REMOVE_CELL & set(c.get("metadata", {}).get("tags", []))]


def export_html(
    nb,
    cells: list,
    month: str,
    title: str,
    finding: str | None,
    lang: str,
    synthetic: bool,
    made_from: provenance.Provenance | None = None,
) -> str:
    nb = copy.deepcopy(nb)
    nb.cells = copy.deepcopy(cells)
    nb.metadata["title"] = title
    for cell in nb.cells:
        if cell.cell_type == "code":
            # warnings and logs stay in the executed .ipynb; a reviewer's page shows results only
            cell.outputs = [o for o in cell.outputs if not (o.output_type == "stream" and o.name == "stderr")]
    resources = {
        "metroanalysis": {
            "month": month,
            "month_label": i18n.month_label(month, lang),
            "finding": finding or "",
            "synthetic": synthetic,
            "generated": build.now(),
            "provenance": made_from,
            # the month's numbers, published beside the reports (as publish.data_href and
            # workbook.workbook_name say; not imported, so editing them re-executes no report)
            "data_href": "data/" if lang == i18n.SOURCE else "../data/",
            "workbook": f"bulletin-{month}.xlsx",
        }
    }
    body, _ = exporter(lang).from_notebook_node(nb, resources=resources)
    return strip_head_comments(body)


def strip_head_comments(html: str) -> str:
    """Drop CSS comments from the <head> (the lab theme's comments cite web pages; a reviewer
    checking that the page fetches nothing should not have to read them)."""
    head, sep, rest = html.partition("<body")
    return re.sub(r"/\*.*?\*/", "", head, flags=re.S) + sep + rest


# ---------------------------------------------------------------------------------------------
# What a notebook says about itself


def notebook_title(nb, shown: list, default: str) -> str:
    """The first level-1 Markdown heading among the cells shown; else a title the notebook
    displayed (output metadata {"metroanalysis": {"title": …}}), else its metadata title, else
    `default` (the file name)."""
    for cell in shown:
        if cell.get("cell_type") == "markdown":
            source = cell.get("source", "")
            for line in ("".join(source) if isinstance(source, list) else source).splitlines():
                m = H1.match(line)
                if m:
                    return re.sub(r"[*_`]", "", m.group(1)).strip()
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            meta = out.get("metadata", {}).get("metroanalysis")
            if isinstance(meta, dict) and isinstance(meta.get("title"), str) and meta["title"].strip():
                return meta["title"].strip()
    title = nb.metadata.get("title")
    if isinstance(title, str) and title.strip():
        return title.strip()
    return default


def source_title(path: Path, lang: str) -> str:
    """The title of a notebook that did not run (for naming a failure)."""
    try:
        import nbformat

        nb = nbformat.read(path, as_version=4)
        return notebook_title(nb, shown_cells(nb.cells, lang), path.stem)
    except Exception:
        return path.stem


def notebook_finding(nb) -> str | None:
    """The text the notebook marked as its finding (its first, if several)."""
    for cell in nb.cells:
        for out in cell.get("outputs", []) if cell.cell_type == "code" else []:
            meta = out.get("metadata", {}).get("metroanalysis")
            if isinstance(meta, dict) and isinstance(meta.get("finding"), str):
                return " ".join(meta["finding"].split())
    return None


_IMPORTED: tuple | None = None


def lean_imports():
    """Papermill and nbconvert, imported once per process, without the 0.7-1.2 s that importing
    jsonschema spends compiling the grammar of the optional `rfc3987_syntax` package (used only by
    the "iri" format check, which nbformat never asks for): while jsonschema's format checkers are
    set up, that import is made to fail, so jsonschema skips it; afterwards it works as before."""
    global _IMPORTED
    if _IMPORTED is None:
        blocked = "jsonschema" not in sys.modules and "rfc3987_syntax" not in sys.modules
        if blocked:
            sys.modules["rfc3987_syntax"] = None  # type: ignore[assignment]
        try:
            import nbconvert
            import papermill
        finally:
            if blocked and sys.modules.get("rfc3987_syntax", 0) is None:
                del sys.modules["rfc3987_syntax"]
        _IMPORTED = (papermill, nbconvert)
    return _IMPORTED
