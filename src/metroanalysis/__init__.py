"""metroanalysis: the monthly bulletin of Nanjing's health-information centre as clean tables.

>>> from metroanalysis import load_month
>>> m = load_month("2021-04")
>>> m.booking_by_hospital.head()
"""

from metroanalysis.errors import BulletinError

# pandas is imported on first use of these, not by `import metroanalysis`: the command line
# (`metroanalysis run` with nothing to do) then starts in a fraction of a second.
_FROM_PIPELINE = ("MonthData", "clean_month", "load_all_months", "load_month")


def __getattr__(name: str):
    if name in _FROM_PIPELINE:
        from metroanalysis.clean import pipeline

        return getattr(pipeline, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["BulletinError", "MonthData", "clean_month", "load_all_months", "load_month"]
__version__ = "0.1.0"
