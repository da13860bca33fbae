"""Cleaning: a parsed bulletin → checked, typed, tidy tables on disk, for one month and for all.

Takes a month's bulletin (through `read` and `parse`); gives data/processed/MONTH/ (CSV files, a
Frictionless data package, quality.csv, build.json) and the stacked tables of every month
(`pipeline.clean_month`, `pipeline.load_month`). Here: the checks, the registry of hospitals and
areas, the schema of every clean table, storage.
"""
