"""The command line's commands, one module per family; cli.py imports each when it runs."""
