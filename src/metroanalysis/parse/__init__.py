"""Parsing: numbered lines → the bulletin's tables, typed, with every number as a fact at its line.

Takes a `RawBulletin` (from `read`); gives a `ParsedBulletin` (`bulletin.parse_bulletin`, or
`located.parse_source` with the places of a page or Word file). One module per table under
`tables/`, each declaring how it is recognised, its columns and fields, its months; every field
described once in `fields`.
"""
