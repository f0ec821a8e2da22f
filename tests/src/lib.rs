//! End-to-end and browser tests for Redress; the tests live under `tests/tests/`.
