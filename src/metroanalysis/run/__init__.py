"""Running: which reports are stale, and executing them; the commands that drive a run.

Takes the clean tables and the notebooks; gives executed notebooks and their pages (through
`publish`), a record per report, run.json per month. Here: planning (`runner`), Papermill
execution (`execute`) in warm kernels (`kernels`, `kernelfork`, `kernelstate`), the local pool
and Dask (`pool`, `cluster`), Ctrl-C (`interrupts`), cleaning many months (`clean_months`),
`verify`, and the bodies of the commands.
"""
