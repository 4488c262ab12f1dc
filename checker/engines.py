"""The engines an audit can run on, named in one place: the command line offers them (without
importing any engine), and `backends.make_backend` builds them."""

ENGINES = ("duckdb", "pandas", "spark", "postgres")
