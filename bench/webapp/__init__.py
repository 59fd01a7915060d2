"""A settings module and URLconf for the benchmarks (bench/web.py, bench/api.py) only: the
production URLconf plus bare views, so that no benchmark view ever ships in dsar.urls."""
