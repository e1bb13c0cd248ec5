.PHONY: serve test lint lock bench reliability

# Start the server on the embedded SQLite default (./payintents.sqlite3).
serve:
	@scripts/bootstrap runtime
	.venv/bin/payintents serve $(ARGS)

# Run the whole test suite (installs Debian's chromium for the browser tests when missing);
# ARGS="tests/e2e/test_keys.py -k strict" runs a part of it.
test:
	@scripts/test $(ARGS)

# Benchmark every scenario with wrk (bench/run.py; ARGS="--scales 1000,100000,1000000").
bench:
	@scripts/bench $(ARGS)

# Crash, full disk and PostgreSQL outage under load, one line of figures each
# (bench/reliability.py; ARGS="--scenarios crash --store postgres --seconds 20").
reliability:
	@scripts/reliability $(ARGS)

lint:
	@scripts/bootstrap dev
	.venv/bin/ruff check . && .venv/bin/ruff format --check .

# Regenerate the lock files after editing requirements/*.in.
lock:
	cd requirements && uv pip compile --python-version 3.11 --generate-hashes -q runtime.in -o runtime.lock
	cd requirements && uv pip compile --python-version 3.11 --generate-hashes -q dev.in -o dev.lock
	cd requirements && for v in 5 7; do uv pip compile --python-version 3.11 --generate-hashes -q old-sdk-$$v.in -o old-sdk-$$v.lock; done
