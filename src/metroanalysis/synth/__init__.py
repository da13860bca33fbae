"""Synthetic bulletins for tests and demos: a real bulletin's text rewritten for another month.

Takes a bulletin's text; gives a new month's text in the same printed layout, every figure
varied and every total recomputed, and the generator's own figures (`generate.generate` →
`Truth`); the web page and Word file it could have come from (`formats`); the `synth` command's
arguments (`args`).
"""
