"""metroanalysis: the monthly bulletin of Nanjing's health-information centre as clean tables.

>>> from metroanalysis import load_month
>>> m = load_month("2021-04")
>>> m.booking_by_hospital.head()
"""

from .errors import BulletinError
from .pipeline import MonthData, clean_month, load_all_months, load_month

__all__ = ["BulletinError", "MonthData", "clean_month", "load_all_months", "load_month"]
__version__ = "0.1.0"
