"""Whole datasets in and out: the bulk loader (importers and the demo) and the contract-table
export (rucher export, the report, the cockpit). Above every domain: it reads and writes them all
by nature, in one transaction, keeping the actions' invariants."""
