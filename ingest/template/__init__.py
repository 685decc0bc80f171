"""Blank templates (report-format.md, "Blank templates"): the workbook a unit fills in.

The template is the mirror of the workbook reader (ingest.workbook): laid out exactly as the
reader reads a report, so that a template filled in any spreadsheet program loads with the
figures typed, and an untouched one is rejected as having no figures.

- `layout`: where every part of a form's sheet sits, and the check formulas;
- `wording`: the Vietnamese the unit reads (labels, prompts, instructions);
- `writer`: the workbook file (`write_template`);
- `subunits`: the sub-unit names of the unit's latest accepted report, from a warehouse.
"""

from ingest.template.subunits import fetch_subunit_names
from ingest.template.writer import TemplateError, names_by_form, template_unit, write_template

__all__ = ["TemplateError", "fetch_subunit_names", "names_by_form", "template_unit",
           "write_template"]
