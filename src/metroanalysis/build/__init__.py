"""What was built from what, written whole: the bottom of every stage that writes.

Gives the inputs and keys that make a step stale (`keys`), the record written beside each output
(`records`), digests, atomic writes and the build time (`files`), folders swapped in whole
(`swap`) and one writer per month (`locking`). No pandas, no Jupyter: deciding that nothing needs
doing must be fast.
"""
