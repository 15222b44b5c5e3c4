"""The plain-Python core: files in, immutable Parquet versions out; query specs in, rows out.

Nothing here imports Django. The web layer adapts to this package, never the reverse.
"""
