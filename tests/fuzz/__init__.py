"""Property-based fuzzing of the analyzer and of ``--fix`` (issue 12); see docs/testing.md."""
