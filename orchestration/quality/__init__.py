"""Data quality: the rules' results as tracked issues (dq_issues) and alerts."""
