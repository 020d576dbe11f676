wrk.method = "POST"
wrk.body = '{"method":"execution_engine2.ver","params":[],"version":"1.1","id":"1"}'
wrk.headers["Content-Type"] = "application/json"
