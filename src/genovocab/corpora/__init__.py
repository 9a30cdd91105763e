"""Model-ready corpora (Parquet shards + dataset cards)."""
