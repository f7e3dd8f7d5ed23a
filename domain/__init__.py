"""What a transcript IS: data model, assessment rules, documents and signatures (no I/O)."""
