"""Reading: the bytes of a bulletin as received → numbered lines and cells, each with its place.

Takes a text file, a saved web page or a Word file (`source.read_lines`); gives a `RawBulletin`:
the numbered lines every parser reads (prose as bare lines, one TAB-prefixed line per cell, a
blank line ending a row), with what was repaired on the way and, for a page or Word file, the
place of each line in the file. Knows nothing of the bulletin's tables: what a table title
looks like is passed in by the caller.
"""
