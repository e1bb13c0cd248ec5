-- GET / on the bare ASGI app (bench/ceiling.py): what the HTTP stack alone can do.
local common = dofile(os.getenv("BENCH_LUA") .. "/common.lua")
setup, done = common.setup, common.done
wrk.method = "GET"
wrk.path = "/"
