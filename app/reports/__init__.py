"""Reports and exports: reportlab PDFs, Word (.docx) and Excel."""
