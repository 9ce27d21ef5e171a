"""Registry pages: ``registry`` (overview, lists, details, forms, field pages) and ``exchange`` (Excel
templates, imports with preview, exports)."""
