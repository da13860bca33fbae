"""Inside a report kernel that is reused: load the heavy imports once, then, before each notebook,
put the kernel back in the state a fresh kernel starts in (runs in the kernel, never in the runner).

`warm_up()` runs once per kernel: it imports what the report notebooks import (pandas, numpy,
matplotlib with the inline backend, seaborn, scipy, the library and its analysis modules), loads
the CJK font file into matplotlib's file cache, and takes a snapshot of the process-wide state a
notebook can change. `reset(cwd)` runs before each notebook and restores that snapshot:

- the user namespace (IPython's `reset`: every name gone, a new history session, cell numbers
  from 1 again, as in a fresh kernel);
- matplotlib: every figure closed, rcParams as at start (so `sns.set_theme`, `plt.style.use` and
  `rcParams[...] = ` do not carry over), the registered fonts as at start (a font a notebook
  added is gone, and font look-ups are asked again);
- pandas display options and numpy print/error options as at start;
- warning filters as at start, with the "already shown" records cleared, so a warning (a glyph
  missing from the font, say) is shown in every notebook that triggers it, not only the first;
- environment variables, `sys.path`, the working directory (the notebook's folder), and modules
  imported from the notebook's folder (a helper module next to the notebooks is read afresh).

What is kept on purpose: modules imported from installed packages and the library (the point of
a warm kernel; a run never changes its own code), and pure caches (font files read from disk).
"""

from __future__ import annotations

import copy
import os
import sys
import warnings
from pathlib import Path

# What the report notebooks import; the library's analysis modules are added by warm_up.
HEAVY = (
    "numpy",
    "pandas",
    "scipy.stats",
    "matplotlib.pyplot",
    "seaborn",
    "PIL.Image",
    "IPython.display",
    "metroanalysis.analysis.notebook",
    "metroanalysis.analysis.labels",
    "metroanalysis.analysis.plotting",
    "metroanalysis.analysis",
)

_SNAPSHOT: dict | None = None


def warm_up() -> None:
    """Import the heavy modules, read the CJK font once, and remember the state to restore."""
    check_library_is_current()
    import_heavy()
    _snapshot()
    _read_font_once()
    _freeze_what_is_loaded()


def _freeze_what_is_loaded() -> None:
    """Move every object alive now (modules, classes, caches: all kept for the kernel's life) out
    of the cyclic garbage collector's sight. IPython's reset before each notebook ends with a full
    collection, which otherwise walks them all (0.2 s a notebook, against 0.02 s), as does every
    full collection a notebook's own work triggers; the notebook's garbage is collected as before."""
    import gc

    gc.collect()
    gc.freeze()


def check_library_is_current() -> None:
    """A kernel forked from a fork server that outlived an edit of the library (a long-lived
    process that runs reports twice) would run the library as it was: refuse, so the kernel is
    started afresh instead (`kernels.prepared_warm_kernel`)."""
    for name, module in list(sys.modules.items()):
        where = getattr(module, "__file__", None) or ""
        if name in _LOADED and where and _LOADED[name] != _stamp(where):
            raise RuntimeError(f"{where} changed since this process imported it")


_LOADED: dict[str, tuple[int, int] | None] = {}


def _stamp(path: str) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_mtime_ns, st.st_size


def _remember_library_files() -> None:
    for name, module in list(sys.modules.items()):
        where = getattr(module, "__file__", None)
        if name.split(".")[0] == "metroanalysis" and where:
            _LOADED[name] = _stamp(where)


def import_heavy() -> None:
    import importlib
    import pkgutil

    for name in HEAVY:
        importlib.import_module(name)
    import metroanalysis.analysis as analysis

    for info in pkgutil.iter_modules(analysis.__path__):
        importlib.import_module(f"{analysis.__name__}.{info.name}")


INLINE = "module://matplotlib_inline.backend_inline"


def preload() -> None:
    """In the fork server (not in a kernel): import what a kernel imports (ipykernel and the heavy
    modules), so kernels forked from its workers (`kernelfork`) start with them in place. Nothing
    is drawn and no state is changed: matplotlib takes the inline backend as its setting, as it
    does when imported inside a kernel (ipykernel sets MPLBACKEND), but loads it only on the
    first figure, inside the kernel, where it hooks into IPython."""
    import ipykernel.ipkernel
    import ipykernel.kernelapp  # noqa: F401

    had = os.environ.get("MPLBACKEND")
    os.environ["MPLBACKEND"] = had or INLINE
    try:
        import_heavy()
    finally:
        if had is None:
            del os.environ["MPLBACKEND"]
    _remember_library_files()
    # and a process forked from here does not copy the pages of these objects when it collects
    _freeze_what_is_loaded()


def _read_font_once() -> None:
    """Draw a line of Chinese with the report font, so the font file (large) is read now and kept
    in matplotlib's file cache; the registration itself is undone (each notebook registers it)."""
    import matplotlib.pyplot as plt

    from metroanalysis.analysis import plotting

    try:
        plotting.setup()
        fig = plt.figure(figsize=(1, 1))
        fig.text(0, 0, "预约挂号 0123")
        fig.canvas.draw()
        plt.close(fig)
    finally:
        restore()


def _snapshot() -> None:
    global _SNAPSHOT
    import matplotlib
    import numpy as np
    from matplotlib import font_manager

    _SNAPSHOT = {
        "rc": copy.deepcopy(dict(matplotlib.rcParams)),
        "ttflist": list(font_manager.fontManager.ttflist),
        "afmlist": list(font_manager.fontManager.afmlist),
        "printoptions": np.get_printoptions(),
        "seterr": np.geterr(),
        "filters": list(warnings.filters),
        "environ": dict(os.environ),
        "path": list(sys.path),
        "modules": set(sys.modules),
    }


def reset(cwd: str) -> None:
    """Before a notebook: a clean namespace and the kernel's state as at start, in `cwd`."""
    ip = get_ipython()  # type: ignore[name-defined]  # noqa: F821 (a builtin inside a kernel)
    ip.reset(new_session=True)  # names, In/Out, execution count 1
    restore()
    os.chdir(cwd)
    forget_modules_under(Path(cwd))


def restore() -> None:
    """matplotlib, pandas, numpy, warnings, environment and sys.path as in the snapshot."""
    import matplotlib
    import matplotlib.pyplot as plt
    import numpy as np
    import pandas as pd
    from matplotlib import font_manager

    assert _SNAPSHOT is not None, "warm_up() first"
    plt.close("all")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        matplotlib.rcParams.clear()
        matplotlib.rcParams.update(_SNAPSHOT["rc"])
        pd.reset_option("all")
    manager = font_manager.fontManager
    manager.ttflist[:] = _SNAPSHOT["ttflist"]
    manager.afmlist[:] = _SNAPSHOT["afmlist"]
    manager._findfont_cached.cache_clear()  # what addfont does when the list changes
    np.set_printoptions(**_SNAPSHOT["printoptions"])
    np.seterr(**_SNAPSHOT["seterr"])
    warnings.filters[:] = _SNAPSHOT["filters"]
    warnings._filters_mutated()  # every module's "already warned" record is stale now
    os.environ.clear()
    os.environ.update(_SNAPSHOT["environ"])
    sys.path[:] = _SNAPSHOT["path"]


def forget_modules_under(folder: Path) -> None:
    """Modules a notebook imported from its own folder since the snapshot: read afresh next time."""
    assert _SNAPSHOT is not None
    root = str(folder.resolve())
    for name in set(sys.modules) - _SNAPSHOT["modules"]:
        where = getattr(sys.modules.get(name), "__file__", None) or ""
        if where and os.path.abspath(where).startswith(root + os.sep):
            del sys.modules[name]
