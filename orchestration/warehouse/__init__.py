"""The warehouse engine behind one interface (engine.py), the DuckDB file its first engine."""
