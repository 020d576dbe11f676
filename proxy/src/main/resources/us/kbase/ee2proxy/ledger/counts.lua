-- counts. Returns {server time us, jobs, parents, reserve kept ms, app1, n1, ...}.
wake(sweep())
return counts()
