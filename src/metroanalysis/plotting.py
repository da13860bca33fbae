"""Moved to `metroanalysis.analysis.plotting`; this name is kept for one release, for the notebooks that import
`metroanalysis.plotting`. New code imports `metroanalysis.analysis.plotting`."""

import sys

from metroanalysis.analysis import plotting as _moved

sys.modules[__name__] = _moved
