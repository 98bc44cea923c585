"""Read-side queries the desktop UI runs: ids for tables, rows by page, dashboard figures."""
