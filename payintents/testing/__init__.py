"""The test controls under /_payintents (docs/testing-controls.md): health, each account's
clock, fault rules and reset. They act through the same services and store as the API."""
