"""The yearly summary report, `tuphap report` (yearly-report.md).

"Số liệu công tác tư pháp năm N" for the cluster (default) or the whole country: one
self-contained HTML page (charts inline as SVG; nothing fetched, so it opens from a USB stick or
an e-mail) and one A4 PDF with its fonts embedded, both in Vietnamese. In order: the title with
the scope's member provinces; the year in sentences, each figure with its change from the year
before on the same territory (on current boundaries across the 2025 mergers, with a note when a
territory is incomplete); one ranked table per domain with the total row, rates recomputed from
counts and the unit's own rate beside where it differs; charts (resolution rates by province
against the total, mediation success, the main totals over the years); who reported, which
files were rejected and why, which reports were corrected; open quality issues, with figures
touched by an open error marked † and explained; the sources, saying when the figures are the
synthetic sample's.

    tuphap report --year 2022 [--scope cluster|national] [--warehouse FILE] [--out DIR]

writes `so-lieu-tu-phap-2022-khu-vuc.html` and `.pdf` (`-toan-quoc` for the country) into DIR,
by default `reports/` beside the warehouse, and prints both paths; a year without figures exits
1 with a message. After every load, the Dagster asset `yearly_reports` rewrites the reports of
the loaded years in the same place. The same warehouse always gives the same bytes: the only
time in the files is the time of the load.

Layout: read.py (the warehouse, through any DB-API connection) -> model.py (plain records) ->
compare.py, flags.py, tables.py, summary.py, sections.py (the words and figures, pure) ->
document.py (the sections in order) -> charts.py (altair + vl-convert) and render.py (jinja2,
typst; templates/) -> build.py (`write_year_report`, `write_reports`), cli.py, assets.py.
"""
