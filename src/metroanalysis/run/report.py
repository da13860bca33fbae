"""`metroanalysis report` as a library call: `report_months(project, months, …)`.

The report layer is cut at its seams, one job per module:

- `runner`: which reports are stale, the month locks, progress lines, run.json;
- `pool`: tasks one after another, in a pool of worker processes, or on Dask (`cluster`);
- `execute`: one task with Papermill, retries; `kernels`: warm kernels and their sockets;
- `tasks`: a task and its outcome; `interrupts`: Ctrl-C in a process that runs notebooks;
- `export`: nbconvert's HTML export (`templates/report.html.j2`, `report.css`);
- `build`: build records and digests (what makes a report or a clean month stale);
- `site`: the month and months index pages (`templates/month.html.j2`, `months.html.j2`).

This module only names the entry point, for scripts and notebooks that import it from here.
"""

from __future__ import annotations

from metroanalysis.paths import NOTEBOOK
from metroanalysis.run.runner import report_months

__all__ = ["NOTEBOOK", "report_months"]
