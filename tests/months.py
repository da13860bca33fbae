"""The months after a given one, for tests that build a batch of generated months (imported by
test modules as `from months import months_after`, as `bulletin_formats` is)."""


def months_after(first: str, n: int) -> list[str]:
    """The `n` months after `first` ("2021-04", 3 → ["2021-05", "2021-06", "2021-07"])."""
    year, month = (int(x) for x in first.split("-"))
    out = []
    for _ in range(n):
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        out.append(f"{year}-{month:02d}")
    return out
