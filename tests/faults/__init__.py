"""Fault injection (issue 10): Redis stopped, a worker killed, PostgreSQL restarted, fifty
identical submissions at once. `make faults` runs this package (marker `faults`)."""
