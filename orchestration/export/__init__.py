"""`tuphap export`: public tables of the warehouse for spreadsheet users (xlsx) and machines (CSV).

- `tables`: which tables may be exported, and the filtered query of one;
- `values`: how a warehouse value becomes a cell (kinds, CSV text, inert text);
- `files`: the xlsx and CSV writers; `docs`: column descriptions from the dbt docs;
- `exporter`: `export_table`, the entry point (`tuphap export`: orchestration/cli/export.py);
- `subunits`: the sub-unit names a blank template is pre-filled with (`tuphap template`).

Nothing is imported here, so that building the CLI's parser (which lists the public tables)
does not load the writers.
"""
