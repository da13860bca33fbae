"""Moved to `metroanalysis.analysis.notebook`; this name is kept for one release, for the notebooks that import
`metroanalysis.notebook`. New code imports `metroanalysis.analysis.notebook`."""

import sys

from metroanalysis.analysis import notebook as _moved

sys.modules[__name__] = _moved
