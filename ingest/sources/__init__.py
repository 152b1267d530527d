"""One module per source family: fetch or read, then parse into typed rows."""
