"""Blank templates (report-format.md, "Blank templates"): the workbook a unit fills in.

The template is the mirror of the workbook reader (ingest.workbook): laid out exactly as the
reader reads a report, so that a template filled in any spreadsheet program loads with the
figures typed, and an untouched one is rejected as having no figures.

- `layout`: where every part of a form's sheet sits, and the check formulas;
- `wording`: the Vietnamese the unit reads (labels, prompts, instructions);
- `writer`: the workbook file (`write_template`), pre-filled with the sub-unit names it is
  given (orchestration/export/subunits.py reads them from a warehouse).
"""

from ingest.template.writer import TemplateError, names_by_form, template_unit, write_template

__all__ = ["TemplateError", "names_by_form", "template_unit", "write_template"]
