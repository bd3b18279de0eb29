"""Files in, documents out: PDF/Markdown/text readers, metadata, page-aware chunking, dedup."""
