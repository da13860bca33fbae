"""Publishing: executed notebooks and clean tables → what a reviewer opens.

Takes an executed notebook (`export`: its HTML page) or the clean tables of every month; gives
the pages under reports/: the site's index pages (`site`), a page per hospital and area
(`entity_pages`), the quality page, what each page was made from (`provenance`), and each month's
published data and workbook (`data`, `workbook`). Templates and their English: `templates/`.
"""
