"""A settings module and URLconf for bench/web.py only: the production URLconf plus two bare
views, so that no benchmark view ever ships in dsar.urls."""
