-- National totals per reporting year over every province of that year (the Ministry's view).
{{ group_year_totals(ref('int_province_years')) }}
