"""Moved to `metroanalysis.analysis.labels`; this name is kept for one release, for the notebooks that import
`metroanalysis.labels`. New code imports `metroanalysis.analysis.labels`."""

import sys

from metroanalysis.analysis import labels as _moved

sys.modules[__name__] = _moved
