"""Web pages, one module per area. Views are thin: read through selectors, write through one
service, render or redirect."""
