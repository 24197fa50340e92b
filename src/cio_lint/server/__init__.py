"""The language server (``cio-lint server``): diagnostics, fixes, completion, hover and
definition over the tracking plan, for editors (docs/editors.md). Needs the ``lsp`` extra."""
