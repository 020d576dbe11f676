-- counts. Returns {server time us, jobs, parents, own call recent 0|1, app1, n1, ...}.
wake(sweep())
return counts()
