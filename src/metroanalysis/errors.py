"""The one error a user sees when a bulletin cannot be trusted.

Every refusal names the file, the 1-based line, the table and the offending text, so an
analyst can open the raw file at that line and see the problem without reading code.
"""

from __future__ import annotations


class BulletinError(Exception):
    """A bulletin (or a request about one) that cannot be cleaned without guessing."""

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        line: int | None = None,
        table: str | None = None,
        text: str | None = None,
        place: str | None = None,
    ) -> None:
        self.message = message
        self.path = path
        self.line = line
        self.table = table
        self.text = text
        self.place = place  # where in a web page or Word file: "table 3, row 5, column 2"
        super().__init__(self.one_line())

    def one_line(self) -> str:
        where = []
        if self.path:
            where.append(f"{self.path}:{self.line}" if self.line else str(self.path))
        if self.place:  # a web page's or Word file's table, row and column
            where = [" ".join([*where, f"({self.place})"])]
        if self.table:
            where.append(f"table {self.table}")
        head = ", ".join(where)
        tail = f": {self.text!r}" if self.text is not None else ""
        msg = f"{head}: {self.message}{tail}" if head else f"{self.message}{tail}"
        return " ".join(msg.split())  # one line, always

    def located(self, path: str, refresh: bool = False) -> BulletinError:
        """The same error with the file filled in (parsers know lines, not files); `refresh`
        rewrites the message after other fields (the table) were filled in too."""
        if self.path is None or refresh:
            self.path = self.path or path
            self.args = (self.one_line(),)
        return self


class UsageError(Exception):
    """A command-line request that names no valid month, folder or option."""


# What a command exits with: done, failed (a report, a check under --strict, a file it could not
# write), or refused input (a bulletin, an argument). 130: interrupted (Ctrl-C).
EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2
