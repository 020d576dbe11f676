-- counts. Returns {server time us, jobs, parents, app1, n1, ...}.
wake(sweep())
return counts()
