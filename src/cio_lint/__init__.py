"""cio-lint: keep product-analytics instrumentation honest."""

__version__ = "0.1.0"
